// The least-privilege remote secret: the reader account's manifests against what istioctl of
// each release applies (golden files rendered from that release's charts), the remote secret's
// shape per release (tls-server-name from 1.26, no empty fields from 1.28), and what a JWT says.
import Foundation
import Testing
import Yams

@testable import MeshKube

@Suite struct ReaderAccountTests {
    static func golden(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Golden/" + name, withExtension: nil))
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The documents of a multi-document YAML file, by value.
    static func documents(_ yaml: String) throws -> [YAMLValue] {
        try Yams.compose_all(yaml: yaml).map(YAMLValue.init)
    }

    /// `value` without the chart's version labels, which name a patch release MeshScript does not know.
    static func withoutVersionLabels(_ value: YAMLValue) -> YAMLValue {
        guard case .map(var object) = value, case .map(var metadata)? = object["metadata"],
              case .map(var labels)? = metadata["labels"] else { return value }
        labels["app.kubernetes.io/version"] = nil
        labels["helm.sh/chart"] = nil
        metadata["labels"] = .map(labels)
        object["metadata"] = .map(metadata)
        return .map(object)
    }

    @Test(arguments: [("1.25.0", 25), ("1.26.8", 26), ("1.27.0", 27), ("1.28.0", 28), ("1.29.0", 29), ("1.30.0", 30)])
    func manifestsAreWhatIstioctlApplies(version: String, minor: Int) throws {
        let expected = try Self.documents(Self.golden("reader-account-\(version).yaml")).map(Self.withoutVersionLabels)
        let ours = try Self.documents(ReaderAccount.manifests(forms: IstioReleases.forms(for: IstioRelease(1, minor))!))
        #expect(ours.count == expected.count)
        for (index, document) in ours.enumerated() where index < expected.count {
            #expect(document == expected[index], "document \(index + 1) for \(version)")
        }
    }

    @Test func tokenSecretNamesTheAccount() throws {
        let secret = try #require(try Self.documents(ReaderAccount.manifests(forms: IstioReleases.forms(for: IstioRelease(1, 28))!)).last)
        #expect(secret["metadata"]?["name"] == .string("istio-reader-service-account-istio-remote-secret-token"))
        #expect(secret["type"] == .string("kubernetes.io/service-account-token"))
        #expect(secret["data"] == nil)
    }

    static let contents = RemoteSecret.Contents(cluster: "east", server: "https://gateway.example:6443", certificateAuthorityData: "Y2FEYXRh",
                                                token: "token", tlsServerName: "api.east.internal")

    /// Byte for byte: istioctl's remote_secret_test.go expectations at each release tag.
    @Test(arguments: [("1.25", 25), ("1.27", 27), ("1.28", 28)])
    func remoteSecretShapePerRelease(name: String, minor: Int) throws {
        #expect(RemoteSecret.manifest(Self.contents, forms: IstioReleases.forms(for: IstioRelease(1, minor))!) == (try Self.golden("remote-secret-\(name).yaml")))
    }

    @Test func releaseLabels() {
        #expect(!IstioReleases.forms(for: IstioRelease(1, 25))!.remoteSecretTLSServerName)
        #expect(IstioReleases.forms(for: IstioRelease(1, 26))!.remoteSecretTLSServerName)
        #expect(!IstioReleases.forms(for: IstioRelease(1, 23))!.mintsReaderToken)
        #expect(IstioReleases.forms(for: IstioRelease(1, 24))!.mintsReaderToken)
        #expect(!IstioReleases.forms(for: IstioRelease(1, 27))!.remoteSecretOmitsEmptyFields)
        #expect(IstioReleases.forms(for: IstioRelease(1, 28))!.remoteSecretOmitsEmptyFields)
        #expect([25, 26, 27, 28, 29].map { IstioReleases.forms(for: IstioRelease(1, $0))!.readerRoleReadsConfigMaps } == [false, true, false, false, true])
    }

    static func jwt(_ claims: String) -> String {
        func part(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        return part(#"{"alg":"RS256"}"#) + "." + part(claims) + ".c2lnbmF0dXJl"
    }

    @Test func readerTokenIsRecognised() throws {
        let reader = try #require(BearerTokenClaims(token: Self.jwt(#"{"sub":"system:serviceaccount:istio-system:istio-reader-service-account"}"#)))
        #expect(reader.isReaderAccount)
        #expect(reader.lifetimeProblem(now: Date()) == nil)
        let admin = try #require(BearerTokenClaims(token: Self.jwt(#"{"sub":"system:serviceaccount:kube-system:admin"}"#)))
        #expect(!admin.isReaderAccount)
        #expect(BearerTokenClaims(token: "emulator-token-c1") == nil)
        #expect(BearerTokenClaims(token: "a.b.c") == nil)
    }

    @Test func expiredAndShortLivedTokens() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let expired = try #require(BearerTokenClaims(token: Self.jwt(#"{"iat":1700000000,"exp":1799999999}"#)))
        #expect(expired.lifetimeProblem(now: now)?.hasPrefix("expired at 2027-01-15T07:59:59") == true)
        let hour = try #require(BearerTokenClaims(token: Self.jwt(#"{"iat":1799999000,"exp":1800002600}"#)))
        #expect(hour.lifetimeProblem(now: now)?.contains("short-lived") == true)
        #expect(hour.lifetimeProblem(now: now)?.contains("1 hour after") == true)
        let year = try #require(BearerTokenClaims(token: Self.jwt(#"{"iat":1799999000,"exp":1831535000}"#)))
        #expect(year.lifetimeProblem(now: now) == nil)
    }
}
