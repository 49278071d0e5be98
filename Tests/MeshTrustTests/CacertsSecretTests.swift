// The cacerts manifest must be what `kubectl create secret generic cacerts ... --dry-run=client -o yaml`
// prints for the same four files (kubectl works offline and is the reference).

import Foundation
import Testing
import Yams

@testable import MeshTrust

@Suite("cacerts Secret manifest")
struct CacertsSecretTests {
    struct SecretManifest: Decodable, Equatable {
        struct Metadata: Decodable, Equatable {
            var name: String
            var namespace: String
        }
        var apiVersion: String
        var kind: String
        var metadata: Metadata
        var data: [String: String]
        var type: String?
    }

    func kubectlManifest(_ directory: String) throws -> String {
        try run(
            "kubectl",
            ["create", "secret", "generic", "cacerts", "-n", "istio-system"]
                + CacertsSecret.fileNames.map { "--from-file=\(join(directory, $0))" }
                + ["--dry-run=client", "-o", "yaml"]
        ).stdout
    }

    @Test func renderedManifestEqualsKubectlDryRun() throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1", "c2"], key: .rsa(bits: 2048)))
            for cluster in ["c1", "c2"] {
                let directory = join(scratch, cluster)
                let ours = try String(contentsOfFile: join(directory, "cacerts-secret.yaml"), encoding: .utf8)
                let theirs = try kubectlManifest(directory)
                #expect(ours == theirs)
                let decoder = YAMLDecoder()
                let parsedOurs = try decoder.decode(SecretManifest.self, from: ours)
                #expect(parsedOurs == (try decoder.decode(SecretManifest.self, from: theirs)))
                #expect(parsedOurs.metadata == .init(name: "cacerts", namespace: "istio-system"))
                for name in CacertsSecret.fileNames {
                    #expect(parsedOurs.data[name].flatMap { Data(base64Encoded: $0) } == (try contents(join(directory, name))))
                }
            }
        }
    }

    /// Odd but legal contents still match kubectl: no trailing newline, an empty file, binary,
    /// and bytes whose base64 reads as a number or a boolean in YAML unless quoted.
    @Test(arguments: [
        ["ca-cert.pem": Data("a\nb".utf8), "ca-key.pem": Data(), "root-cert.pem": Data([0, 255, 10]), "cert-chain.pem": Data(repeating: 65, count: 5000)],
        ["ca-cert.pem": Data(base64Encoded: "1234")!, "ca-key.pem": Data(base64Encoded: "true")!, "root-cert.pem": Data(base64Encoded: "0x1F")!, "cert-chain.pem": Data(base64Encoded: "1e10")!],
    ])
    func manifestOfArbitraryBytesEqualsKubectl(files: [String: Data]) throws {
        try withScratch { scratch in
            for (name, data) in files { try data.write(to: URL(fileURLWithPath: join(scratch, name))) }
            let ours = CacertsSecret.manifest(
                caCert: files["ca-cert.pem"]!, caKey: files["ca-key.pem"]!, rootCert: files["root-cert.pem"]!, certChain: files["cert-chain.pem"]!
            )
            #expect(ours == (try kubectlManifest(scratch)))
        }
    }
}
