// Pre-flight checks on credentials that are to go into a remote secret.
import MeshTestSupport
import Testing

@testable import MeshKube

@Suite struct RemoteSecretPreflightTests {
    static func credentials(
        server: String? = "https://203.0.113.10:6443", ca: String? = testCA, insecure: Bool = false,
        namespace: String? = nil, user: UserAuth = .token("t"), token: String? = "t"
    ) -> ClusterCredentials {
        ClusterCredentials(
            contextName: "ctx", clusterName: "cl", userName: "u", server: server, certificateAuthorityData: ca,
            insecureSkipTLSVerify: insecure, namespace: namespace, user: user, bearerToken: token,
            sourcePath: "/k/config")
    }

    static func errors(_ credentials: ClusterCredentials, override: String? = nil) -> [PreflightProblem] {
        RemoteSecretPreflight.check(credentials: credentials, serverOverride: override).filter { $0.severity == .error }
    }

    @Test func tokenUserWithReachableServerIsFine() {
        #expect(RemoteSecretPreflight.check(credentials: Self.credentials(), serverOverride: nil).isEmpty)
        #expect(RemoteSecretPreflight.offlineSecretPossible(credentials: Self.credentials(), serverOverride: nil))
    }

    @Test(arguments: [
        "https://127.0.0.1:6443", "https://127.45.3.2", "https://localhost:6443", "https://LOCALHOST",
        "https://api.localhost:6443", "https://[::1]:6443", "::1", "https://[0:0:0:0:0:0:0:1]", "https://0.0.0.0:6443",
        "https://[::ffff:127.0.0.1]:6443",
    ])
    func loopbackServerIsRefusedUnlessOverridden(server: String) throws {
        let credentials = Self.credentials(server: server)
        let problems = Self.errors(credentials)
        try #require(problems.count == 1)
        #expect(problems[0].message.contains("loopback"))
        #expect(problems[0].help?.contains("server \"https://") == true)
        #expect(!RemoteSecretPreflight.offlineSecretPossible(credentials: credentials, serverOverride: nil))
        #expect(RemoteSecret.manifest(cluster: "c", credentials: credentials, serverOverride: nil, forms: IstioReleases.forms(for: IstioRelease(1, 28))!) == nil)

        // A reachable override fixes it, and is what goes into the secret.
        let override = "https://198.51.100.7:6443"
        #expect(Self.errors(credentials, override: override).isEmpty)
        let secret = try #require(RemoteSecret.manifest(cluster: "c", credentials: credentials, serverOverride: override, forms: IstioReleases.forms(for: IstioRelease(1, 28))!))
        #expect(secret.contains("server: https://198.51.100.7:6443"))
        #expect(!secret.contains(server))
    }

    @Test(arguments: [
        "https://128.0.0.1", "https://10.0.0.1:6443", "https://localhost.example.com", "https://[::2]:6443",
        "https://my-localhost:443", "https://[2001:db8::1]:6443",
    ])
    func reachableServersPass(server: String) {
        #expect(Self.errors(Self.credentials(server: server)).isEmpty)
    }

    @Test func overrideIsItselfChecked() {
        let problems = Self.errors(Self.credentials(), override: "http://localhost:8080")
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("the server given for context 'ctx'") == true)
        #expect(Self.errors(Self.credentials(), override: "http://198.51.100.7").first?.message.contains("https://") == true)
        #expect(Self.errors(Self.credentials(), override: " ").first?.message.contains("empty") == true)
    }

    @Test(arguments: ["http://203.0.113.10:8080", "203.0.113.10:6443", "ftp://example.com"])
    func nonHTTPSServerIsRefused(server: String) {
        let problems = Self.errors(Self.credentials(server: server))
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("not an https:// URL") == true)
    }

    @Test func missingServer() {
        let problems = Self.errors(Self.credentials(server: nil))
        #expect(problems.map(\.message) == ["cluster 'cl' of context 'ctx' has no server address"])
        #expect(Self.errors(Self.credentials(server: nil), override: "https://198.51.100.7").isEmpty)
    }

    @Test func missingCA() {
        let problems = Self.errors(Self.credentials(ca: nil))
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("no CA data") == true)
        #expect(!RemoteSecretPreflight.offlineSecretPossible(credentials: Self.credentials(ca: nil), serverOverride: nil))

        let insecure = Self.errors(Self.credentials(ca: nil, insecure: true))
        #expect(insecure.count == 1)
        #expect(insecure.first?.message.contains("skips TLS verification") == true)
    }

    @Test(arguments: [
        (UserAuth.exec(command: "gke-gcloud-auth-plugin"), "exec plugin 'gke-gcloud-auth-plugin'"),
        (.authProvider("oidc"), "auth provider 'oidc'"),
        (.clientCertificate(files: true), "client certificate files"),
        (.clientCertificate(files: false), "client certificate"),
        (.basic, "username and password"),
        (.none, "no credentials"),
    ])
    func usersIstiodCannotUse(user: UserAuth, mention: String) {
        let credentials = Self.credentials(user: user, token: nil)
        let problems = Self.errors(credentials)
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains(mention) == true, "\(problems)")
        #expect(problems.first?.help?.contains("bearer token") == true)
        #expect(!RemoteSecretPreflight.offlineSecretPossible(credentials: credentials, serverOverride: nil))
    }

    @Test func tokenFileThatCouldNotBeRead() {
        let credentials = ClusterCredentials(
            contextName: "ctx", clusterName: "cl", userName: "u", server: "https://10.0.0.1",
            certificateAuthorityData: testCA, user: .tokenFile("/k/token"), bearerToken: nil,
            unreadableFiles: ["/k/token"], sourcePath: "/k/config")
        #expect(Self.errors(credentials).map(\.message) == ["the tokenFile '/k/token' of user 'u' of context 'ctx' cannot be read"])
    }

    /// The secret always goes to istio-system; another default namespace is only a warning.
    @Test func contextNamespaceIsAWarning() throws {
        let credentials = Self.credentials(namespace: "default")
        let problems = RemoteSecretPreflight.check(credentials: credentials, serverOverride: nil)
        #expect(problems.count == 1)
        #expect(problems.first?.severity == .warning)
        #expect(problems.first?.message.contains("'default'") == true)
        #expect(RemoteSecretPreflight.check(credentials: Self.credentials(namespace: "istio-system"), serverOverride: nil).isEmpty)
        let secret = try #require(RemoteSecret.manifest(cluster: "c", credentials: credentials, serverOverride: nil, forms: IstioReleases.forms(for: IstioRelease(1, 28))!))
        #expect(YAMLValue(yaml: secretBody(secret))["metadata"]?["namespace"] == .string("istio-system"))
    }

    /// Several problems are all reported at once.
    @Test func everythingWrongAtOnce() {
        let credentials = Self.credentials(server: "http://127.0.0.1:8080", ca: nil, user: .exec(command: "aws"), token: nil)
        #expect(Self.errors(credentials).count == 3)
    }

    /// From a real file: an exec-plugin user and a loopback server, as kind writes them.
    @Test func kindStyleKubeconfig() throws {
        let dir = try Scratch()
        let credentials = try KubeconfigFixture.single(
            "kind-east", cluster: "server: https://127.0.0.1:41235\ncertificate-authority-data: \(testCA)",
            user: "exec:\n  command: aws\n  args: [eks, get-token]"
        ).credentials(writtenAs: "kind", in: dir)
        let messages = Self.errors(credentials).map(\.message)
        #expect(messages.count == 2)
        #expect(messages.contains { $0.contains("loopback") })
        #expect(messages.contains { $0.contains("exec plugin 'aws'") })
    }
}

/// One spelling per API server, so two kubeconfig entries that reach the same server are told
/// apart from two that do not.
@Suite struct APIServerAddressNormalizationTests {
    @Test(arguments: [
        ("https://api.example.test", "https://api.example.test:443"),
        ("https://API.Example.TEST:443/", "https://api.example.test:443"),
        ("HTTPS://api.example.test:6443", "https://api.example.test:6443"),
        ("http://api.example.test", "http://api.example.test:80"),
        ("api.example.test:6443", "https://api.example.test:6443"),
        ("https://[FD00::1]:6443/", "https://[fd00::1]:6443"),
        ("https://[fd00::1]", "https://[fd00::1]:443"),
        ("https://user@api.example.test:6443", "https://api.example.test:6443"),
        ("https://rancher.test/k8s/clusters/c-1/", "https://rancher.test:443/k8s/clusters/c-1"),
        ("https://rancher.test/k8s/clusters/c-1?x=1", "https://rancher.test:443/k8s/clusters/c-1"),
    ])
    func normalized(_ text: String, _ expected: String) {
        #expect(APIServerAddress(text).normalized == expected)
    }

    @Test func differentPortsPathsAndHostsStayDifferent() {
        let spellings = ["https://a.test:6443", "https://a.test:443", "https://b.test:6443", "https://a.test:6443/k8s/clusters/c-1",
                         "http://a.test:6443"]
        #expect(Set(spellings.compactMap { APIServerAddress($0).normalized }).count == spellings.count)
    }

    @Test func noHostHasNoNormalForm() {
        #expect(APIServerAddress("").normalized == nil)
        #expect(APIServerAddress("https://:6443").normalized == nil)
    }

    @Test func portIsParsed() {
        #expect(APIServerAddress("https://a.test:6443/x").port == 6443)
        #expect(APIServerAddress("https://[::2]:8443").port == 8443)
        #expect(APIServerAddress("https://a.test").port == nil)
        #expect(APIServerAddress("https://a.test/x/").path == "/x/")
    }
}
