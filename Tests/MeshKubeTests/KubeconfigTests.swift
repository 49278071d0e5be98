// Kubeconfig reading and merging, checked against kubectl's own merge where it is installed.
import Foundation
import MeshTestSupport
import Testing

@testable import MeshKube

/// Kubeconfig text for tests: one cluster/context/user per entry.
struct KubeconfigFixture {
    struct Entry {
        var context: String
        var cluster: String
        var user: String
        var clusterBody: String
        var userBody: String
        var namespace: String?
    }

    var entries: [Entry] = []
    var currentContext: String?

    static func single(
        _ name: String, cluster: String, user: String, namespace: String? = nil, current: Bool = true
    ) -> KubeconfigFixture {
        KubeconfigFixture(
            entries: [
                Entry(
                    context: name, cluster: name, user: name, clusterBody: cluster, userBody: user,
                    namespace: namespace)
            ], currentContext: current ? name : nil)
    }

    var text: String {
        func indent(_ body: String) -> String {
            body.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        }
        var lines = ["apiVersion: v1", "kind: Config", "clusters:"]
        for e in entries { lines += ["- name: \(e.cluster)", "  cluster:", indent(e.clusterBody)] }
        lines.append("contexts:")
        for e in entries {
            lines += ["- name: \(e.context)", "  context:", "    cluster: \(e.cluster)", "    user: \(e.user)"]
            if let ns = e.namespace { lines.append("    namespace: \(ns)") }
        }
        lines.append("users:")
        for e in entries { lines += ["- name: \(e.user)", "  user:", indent(e.userBody)] }
        if let currentContext { lines.append("current-context: \(currentContext)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the text as the file `name` in `directory` (relative paths in it resolve against
    /// that file's directory); returns the file's path.
    func write(as name: String, in directory: Scratch) throws -> String { try directory.write(name, text) }

    /// The first context's credentials, loaded from the file `name` written in `directory`.
    func credentials(writtenAs name: String, in directory: Scratch) throws -> ClusterCredentials {
        try Kubeconfig.load(paths: [write(as: name, in: directory)]).credentials(forContext: entries[0].context)
    }
}

let testCA = Data("-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n".utf8).base64EncodedString()

@Suite struct KubeconfigReadingTests {
    @Test func defaultPathsFollowKubectl() {
        #expect(Kubeconfig.defaultPaths(environment: [:], home: "/home/u") == ["/home/u/.kube/config"])
        #expect(Kubeconfig.defaultPaths(environment: ["KUBECONFIG": ""], home: "/home/u/") == ["/home/u/.kube/config"])
        #expect(
            Kubeconfig.defaultPaths(environment: ["KUBECONFIG": "/a:/b::/a:/c:"], home: "/home/u") == ["/a", "/b", "/c"])
    }

    @Test func tokenUserGivesARemoteSecret() throws {
        let dir = try Scratch()
        let file = try KubeconfigFixture.single(
            "ctx-east", cluster: "server: https://203.0.113.10:6443\ncertificate-authority-data: \(testCA)", user: "token: sa-token-123"
        ).write(as: "east.yaml", in: dir)
        let config = try Kubeconfig.load(paths: [file])
        #expect(config.contextNames == ["ctx-east"])
        #expect(config.currentContext == "ctx-east")
        let credentials = try config.credentials(forContext: "ctx-east")
        #expect(credentials.server == "https://203.0.113.10:6443")
        #expect(credentials.certificateAuthorityData == testCA)
        #expect(credentials.user == .token("sa-token-123"))
        #expect(credentials.bearerToken == "sa-token-123")
        #expect(credentials.sourcePath == file)
        #expect(RemoteSecretPreflight.check(credentials: credentials, serverOverride: nil).isEmpty)
        #expect(RemoteSecretPreflight.offlineSecretPossible(credentials: credentials, serverOverride: nil))

        let secret = try #require(RemoteSecret.manifest(cluster: "east", credentials: credentials, serverOverride: nil, forms: IstioReleases.forms(for: IstioRelease(1, 28))!))
        #expect(
            secret
                == RemoteSecret.manifest(
                    .init(cluster: "east", server: "https://203.0.113.10:6443", certificateAuthorityData: testCA,
                          token: "sa-token-123"), forms: IstioReleases.forms(for: IstioRelease(1, 28))!))
        // The kubeconfig inside the secret reads back to the same credentials, under the cluster's name.
        let body = YAMLValue(yaml: secretBody(secret))
        let embedded = try #require(body["stringData"]?["east"]?.stringValue)
        let inner = try Kubeconfig.parse(yaml: embedded, path: "secret").currentCredentials()
        #expect(inner.contextName == "east" && inner.clusterName == "east" && inner.userName == "east")
        #expect(inner.server == credentials.server)
        #expect(inner.certificateAuthorityData == testCA)
        #expect(inner.user == .token("sa-token-123"))
    }

    /// `certificate-authority` and `tokenFile` are resolved against the directory of
    /// the file that defines them, and read (token trimmed like client-go does).
    @Test func relativeFilesResolveAgainstTheKubeconfigDirectory() throws {
        let dir = try Scratch()
        let pem = "-----BEGIN CERTIFICATE-----\nMIIBrelative\n-----END CERTIFICATE-----\n"
        try dir.write("conf/certs/ca.pem", pem)
        try dir.write("conf/token.txt", "  file-token\n")
        let credentials = try KubeconfigFixture.single(
            "c", cluster: "server: https://10.1.1.1\ncertificate-authority: certs/ca.pem", user: "tokenFile: token.txt"
        ).credentials(writtenAs: "conf/config", in: dir)
        #expect(credentials.certificateAuthorityPath == dir.path + "/conf/certs/ca.pem")
        #expect(credentials.certificateAuthorityData == Data(pem.utf8).base64EncodedString())
        #expect(credentials.user == .tokenFile(dir.path + "/conf/token.txt"))
        #expect(credentials.bearerToken == "file-token")
        #expect(credentials.unreadableFiles.isEmpty)
        #expect(RemoteSecretPreflight.offlineSecretPossible(credentials: credentials, serverOverride: nil))
    }

    @Test func inlineDataWinsOverFilesAndTokenOverTokenFile() throws {
        let config = try Kubeconfig.parse(
            yaml: KubeconfigFixture.single(
                "c",
                cluster: "server: https://10.1.1.1\ncertificate-authority: /nonexistent/ca.pem\ncertificate-authority-data: \(testCA)",
                user: "token: inline\ntokenFile: /nonexistent/token"
            ).text, path: "/tmp/x/config")
        let credentials = try config.credentials(forContext: "c")
        #expect(credentials.certificateAuthorityData == testCA)
        #expect(credentials.user == .token("inline"))
        #expect(credentials.unreadableFiles.isEmpty, "files that are not needed are not read")
    }

    @Test func unreadableReferencedFilesAreReportedNotThrown() throws {
        let dir = try Scratch()
        let credentials = try KubeconfigFixture.single(
            "c", cluster: "server: https://10.1.1.1\ncertificate-authority: missing-ca.pem", user: "tokenFile: missing-token"
        ).credentials(writtenAs: "config", in: dir)
        #expect(credentials.certificateAuthorityData == nil)
        #expect(credentials.bearerToken == nil)
        #expect(credentials.unreadableFiles == [dir.path + "/missing-ca.pem", dir.path + "/missing-token"])
        let problems = RemoteSecretPreflight.check(credentials: credentials, serverOverride: nil)
        #expect(problems.count == 2)
        #expect(problems.contains { $0.message.contains("missing-ca.pem") })
        #expect(problems.contains { $0.message.contains("missing-token") })
    }

    @Test func userKinds() throws {
        let cases: [(String, UserAuth)] = [
            ("exec:\n  apiVersion: client.authentication.k8s.io/v1beta1\n  command: aws\n  args: [eks, get-token]", .exec(command: "aws")),
            ("auth-provider:\n  name: gcp\n  config: {}", .authProvider("gcp")),
            ("client-certificate: c.crt\nclient-key: c.key", .clientCertificate(files: true)),
            ("client-certificate-data: AAAA\nclient-key-data: BBBB", .clientCertificate(files: false)),
            ("username: admin\npassword: secret", .basic),
            ("{}", .none),
        ]
        for (body, expected) in cases {
            let config = try Kubeconfig.parse(
                yaml: KubeconfigFixture.single("c", cluster: "server: https://10.0.0.1", user: body).text, path: "k")
            #expect(try config.credentials(forContext: "c").user == expected, "\(body)")
        }
    }

    @Test func contextWhoseUserIsDefinedNowhereHasNoCredentials() throws {
        let yaml = """
            clusters:
            - name: c
              cluster: {server: https://10.0.0.1}
            contexts:
            - name: c
              context: {cluster: c, user: ghost}

            """
        let credentials = try Kubeconfig.parse(yaml: yaml, path: "k").credentials(forContext: "c")
        #expect(credentials.user == .none)
        #expect(credentials.userName == "ghost")
    }

    @Test func contextWhoseClusterIsDefinedNowhere() throws {
        let yaml = "contexts:\n- name: c\n  context: {cluster: nowhere, user: u}\n"
        #expect {
            try Kubeconfig.parse(yaml: yaml, path: "k").credentials(forContext: "c")
        } throws: { error in
            (error as? KubeconfigError)?.kind == .missingCluster(name: "nowhere", context: "c")
        }
    }

    @Test func missingContextSuggestsTheClosestName() throws {
        let yaml = KubeconfigFixture(
            entries: ["kind-east", "kind-west", "prod-eu"].map {
                .init(context: $0, cluster: $0, user: $0, clusterBody: "server: https://10.0.0.1", userBody: "token: t")
            }
        ).text
        let config = try Kubeconfig.parse(yaml: yaml, path: "/k/config")
        let error = try #require(throws: KubeconfigError.self) { try config.credentials(forContext: "kind-est") }
        #expect(error.kind == .missingContext(name: "kind-est", suggestion: "kind-east"))
        #expect(error.suggestion == "kind-east")
        #expect(error.description == "/k/config: context 'kind-est' not found in kubeconfig; did you mean 'kind-east'?")

        let far = try #require(throws: KubeconfigError.self) { try config.credentials(forContext: "staging") }
        #expect(far.kind == .missingContext(name: "staging", suggestion: nil))
        #expect(!far.description.contains("did you mean"))
    }

    @Test func noCurrentContext() throws {
        let config = try Kubeconfig.parse(
            yaml: KubeconfigFixture.single("c", cluster: "server: https://x", user: "token: t", current: false).text,
            path: "k")
        #expect(config.currentContext == nil)
        #expect(throws: KubeconfigError(kind: .noCurrentContext, message: "no context given and current-context is not set", path: "k")) {
            try config.currentCredentials()
        }
    }

    @Test func malformedYAMLNamesFileAndLine() throws {
        let dir = try Scratch()
        let file = try dir.write("bad", "apiVersion: v1\nclusters:\n- name: a\n  cluster: [unclosed\ncontexts: []\n")
        let error = try #require(throws: KubeconfigError.self) { try Kubeconfig.load(paths: [file]) }
        guard case .malformedYAML(let line) = error.kind else {
            Issue.record("expected malformedYAML, got \(error.kind)")
            return
        }
        #expect(line == 5, "libyaml reports the flow sequence as unterminated where the next key starts")
        #expect(error.path == file)
        #expect(error.description.hasPrefix("\(file):5: malformed YAML"))
    }

    @Test func wrongShapesAreInvalidKubeconfigs() throws {
        let cases = [
            ("clusters: {a: b}\n", 1),
            ("clusters:\n- cluster: {server: https://x}\n", 2),
            ("users:\n- name: u\n  user: [a]\n", 3),
            ("clusters:\n- name: a\n  cluster: {insecure-skip-tls-verify: maybe}\n", 3),
            ("- just a list\n", 1),
        ]
        for (yaml, line) in cases {
            let error = try #require(throws: KubeconfigError.self) { try Kubeconfig.parse(yaml: yaml, path: "k") }
            #expect(error.kind == .invalidKubeconfig(line: line), "\(yaml)")
        }
    }

    /// kubectl refuses a file that defines a name twice; so does MeshKube.
    @Test func duplicateNamesInOneFileAreRefused() throws {
        let yaml = "clusters:\n- name: a\n  cluster: {server: https://1.1.1.1}\n- name: a\n  cluster: {server: https://2.2.2.2}\n"
        let error = try #require(throws: KubeconfigError.self) { try Kubeconfig.parse(yaml: yaml, path: "k") }
        #expect(error.kind == .invalidKubeconfig(line: 4))
        #expect(error.message.contains("duplicate name 'a'"))
    }

    @Test func emptyFileIsAnEmptyConfig() throws {
        let config = try Kubeconfig.parse(yaml: "", path: "k")
        #expect(config.contextNames.isEmpty)
        #expect(config.currentContext == nil)
        let error = try #require(throws: KubeconfigError.self) { try config.credentials(forContext: "x") }
        #expect(error.message.contains("defines no contexts"))
    }

    @Test func missingFiles() throws {
        let dir = try Scratch()
        // A single path (an explicit --kubeconfig) that does not exist is an error.
        let single = try #require(throws: KubeconfigError.self) { try Kubeconfig.load(paths: [dir.path + "/nope"]) }
        #expect(single.kind == .missingFile)
        #expect(single.path == dir.path + "/nope")
        // So is a list of which nothing exists.
        let none = try #require(throws: KubeconfigError.self) {
            try Kubeconfig.load(paths: [dir.path + "/a", dir.path + "/b"])
        }
        #expect(none.kind == .missingFile)
        // In a list, missing files are skipped, as kubectl skips them.
        let real = try KubeconfigFixture.single("c", cluster: "server: https://x", user: "token: t").write(as: "real", in: dir)
        let config = try Kubeconfig.load(paths: [dir.path + "/a", real, ""])
        #expect(config.contextNames == ["c"])
        #expect(config.missingPaths == [dir.path + "/a"])
        #expect(config.sourcePaths == [real])
        // A directory is not a kubeconfig.
        let directory = try #require(throws: KubeconfigError.self) { try Kubeconfig.load(paths: [dir.path]) }
        #expect(directory.kind == .unreadableFile)
    }
}

@Suite struct KubeconfigMergeTests {
    /// Three files in different directories: the first to define a name wins it
    /// whole; current-context comes from the first file that sets one; relative
    /// paths resolve against the defining file's directory.
    struct Files {
        let dir: Scratch
        let paths: [String]

        init() throws {
            dir = try Scratch()
            try dir.write("one/ca.pem", "CA ONE\n")
            try dir.write("two/ca.pem", "CA TWO\n")
            let one = try dir.write(
                "one/config",
                """
                apiVersion: v1
                kind: Config
                clusters:
                - name: shared
                  cluster:
                    server: https://10.0.0.1:6443
                    certificate-authority: ca.pem
                - name: one-extra
                  cluster:
                    server: https://10.0.0.9:6443
                contexts:
                - name: shared
                  context: {cluster: shared, user: shared}
                - name: only-one
                  context: {cluster: one-extra, user: one-user}
                users:
                - name: shared
                  user: {token: one}
                - name: one-user
                  user: {token: one-user}

                """)
            // Redefines cluster, context and user "shared" (ignored: file one has them)
            // and is the first to set current-context.
            let two = try dir.write(
                "two/config",
                """
                apiVersion: v1
                kind: Config
                clusters:
                - name: shared
                  cluster:
                    server: https://10.0.0.2:6443
                    certificate-authority: ca.pem
                - name: two-cluster
                  cluster:
                    server: https://10.0.0.3:6443
                    certificate-authority: ca.pem
                contexts:
                - name: shared
                  context: {cluster: shared, user: two-user}
                - name: only-two
                  context: {cluster: two-cluster, user: shared}
                users:
                - name: shared
                  user: {token: two}
                - name: two-user
                  user: {token: two-user}
                current-context: only-two

                """)
            let three = try KubeconfigFixture.single("only-three", cluster: "server: https://10.0.0.4:6443", user: "token: three")
                .write(as: "three/config", in: dir)
            paths = [one, dir.path + "/missing/config", two, three]
        }
    }

    @Test func firstDefinitionWinsAndFirstCurrentContext() throws {
        let files = try Files()
        let config = try Kubeconfig.load(paths: files.paths)
        #expect(config.contextNames == ["shared", "only-one", "only-two", "only-three"])
        #expect(config.currentContext == "only-two", "file one sets none, file two is the first to set it")
        #expect(config.missingPaths == [files.dir.path + "/missing/config"])

        let shared = try config.credentials(forContext: "shared")
        #expect(shared.server == "https://10.0.0.1:6443")
        #expect(shared.bearerToken == "one")
        #expect(shared.certificateAuthorityData == Data("CA ONE\n".utf8).base64EncodedString())
        #expect(shared.sourcePath == files.paths[0])

        // A context from file two with a cluster from file two resolves that CA in dir two.
        let two = try config.credentials(forContext: "only-two")
        #expect(two.server == "https://10.0.0.3:6443")
        #expect(two.bearerToken == "one", "user 'shared' is file one's")
        #expect(two.certificateAuthorityPath == files.dir.path + "/two/ca.pem")
        #expect(two.sourcePath == files.paths[2])
    }

    /// The reference: `KUBECONFIG=a:b:c kubectl config view --flatten -o json`
    /// (`--flatten` reads each `certificate-authority` file relative to the file
    /// that named it and inlines it as data).
    @Test(.enabled(if: Kubectl.isInstalled, Comment(rawValue: Kubectl.absence)))
    func mergeAgreesWithKubectl() throws {
        let files = try Files()
        let result = try Kubectl.run(
            ["config", "view", "--flatten", "-o", "json"], kubeconfig: files.paths.joined(separator: ":"),
            home: files.dir.path)
        try #require(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])

        let config = try Kubeconfig.load(paths: files.paths)
        #expect(config.currentContext == json["current-context"] as? String)

        func named(_ key: String) -> [String: [String: Any]] {
            var out: [String: [String: Any]] = [:]
            for entry in json[key] as? [[String: Any]] ?? [] {
                out[entry["name"] as! String] = entry[String(key.dropLast())] as? [String: Any] ?? entry["user"] as? [String: Any]
            }
            return out
        }
        let contexts = named("contexts"), clusters = named("clusters"), users = named("users")
        #expect(Set(config.contextNames) == Set(contexts.keys))
        for name in config.contextNames {
            let ours = try config.credentials(forContext: name)
            let context = try #require(contexts[name])
            #expect(ours.clusterName == context["cluster"] as? String)
            #expect(ours.userName == context["user"] as? String)
            let cluster = try #require(clusters[ours.clusterName])
            #expect(ours.server == cluster["server"] as? String, "context \(name)")
            #expect(ours.certificateAuthorityData == cluster["certificate-authority-data"] as? String, "context \(name)")
            #expect(ours.bearerToken == users[ours.userName]?["token"] as? String, "context \(name)")
        }
    }

    /// kubectl also refuses what MeshKube refuses.
    @Test(.enabled(if: Kubectl.isInstalled, Comment(rawValue: Kubectl.absence)))
    func kubectlAlsoRefusesMalformedAndDuplicateFiles() throws {
        let dir = try Scratch()
        let bad = try dir.write("bad", "clusters:\n- name: a\n  cluster: [unclosed\n")
        let dup = try dir.write("dup", "clusters:\n- name: a\n  cluster: {server: https://1.1.1.1}\n- name: a\n  cluster: {server: https://2.2.2.2}\n")
        for file in [bad, dup] {
            #expect(throws: KubeconfigError.self) { try Kubeconfig.load(paths: [file]) }
            let result = try Kubectl.run(["config", "view", "--raw"], kubeconfig: file, home: dir.path)
            #expect(result.status != 0, "kubectl accepted \(file)")
        }
    }
}

/// Issue 9: a one-character relative kubeconfig path trapped in NSString's path methods, and a
/// FIFO or a device as the kubeconfig blocked or grew without end.
@Suite struct KubeconfigFileRobustnessTests {
    @Test func aOneCharacterRelativePathResolvesATokenFileBesideIt() {
        let cwd = FileManager.default.currentDirectoryPath
        #expect(Kubeconfig.resolve("token", relativeTo: "k") == cwd + "/token")
        #expect(Kubeconfig.resolve("t", relativeTo: "d/k") == cwd + "/d/t")
        #expect(Kubeconfig.resolve("../t", relativeTo: "/a/b/k") == "/a/t")
    }

    @Test func aFIFOOrADeviceIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(mkfifo(scratch.at("fifo"), 0o600) == 0)
        let fifo = try #require(throws: KubeconfigError.self) { try Kubeconfig.load(paths: [scratch.at("fifo")]) }
        #expect(fifo.kind == .unreadableFile && fifo.message == "kubeconfig file is a FIFO, not a regular file")
        let device = try #require(throws: KubeconfigError.self) { try Kubeconfig.load(paths: ["/dev/zero"]) }
        #expect(device.message == "kubeconfig file is a device, not a regular file")
    }
}
