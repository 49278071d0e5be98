// Remote secrets from kubeconfig files generated here, and the kubeconfig pre-flight checks
// (istio-artifacts.md "Discover" and "Checks users need before anything is applied"): what is
// written, what the plan does instead, and where each diagnostic points in the script.
import Foundation
import MeshScript
import MeshTestSupport
import Testing
import Yams

/// Line and column (1-based, in characters) of the first occurrence of `needle` in `text`.
func locate(_ needle: String, in text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> (line: Int, column: Int) {
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        if let range = line.range(of: needle) {
            return (index + 1, line.distance(from: line.startIndex, to: range.lowerBound) + 1)
        }
    }
    Issue.record("'\(needle)' is not in the script", sourceLocation: sourceLocation)
    return (0, 0)
}

/// Checks a rendered remote secret against the spec: `source`'s credentials, for `target`.
func expectRemoteSecret(_ text: String, source: String, server: String, token: String,
                        certificateAuthorityData: String = KubeContext.caData,
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    guard let secret = yaml(text, sourceLocation: sourceLocation) else { return }
    #expect(secret["apiVersion"]?.string == "v1", sourceLocation: sourceLocation)
    #expect(secret["kind"]?.string == "Secret", sourceLocation: sourceLocation)
    #expect(secret.at("metadata", "name")?.string == "istio-remote-secret-\(source)", sourceLocation: sourceLocation)
    #expect(secret.at("metadata", "namespace")?.string == "istio-system", sourceLocation: sourceLocation)
    #expect(secret.at("metadata", "labels")?.keys == ["istio/multiCluster"], sourceLocation: sourceLocation)
    let label = secret.at("metadata", "labels", "istio/multiCluster")
    #expect(label?.string == "true" && label?.resolvedTag == .str, "the label value must be the string \"true\"", sourceLocation: sourceLocation)
    #expect(secret.at("metadata", "annotations")?.keys == ["networking.istio.io/cluster"], sourceLocation: sourceLocation)
    #expect(secret.at("metadata", "annotations", "networking.istio.io/cluster")?.string == source, sourceLocation: sourceLocation)
    // The data key is the source cluster's name (its clusterName), nothing else.
    #expect(secret["data"] == nil, sourceLocation: sourceLocation)
    #expect(secret["stringData"]?.keys == [source], "data keys \(secret["stringData"]?.keys ?? [])", sourceLocation: sourceLocation)

    guard let embedded = secret.at("stringData", source)?.string, let config = yaml(embedded, sourceLocation: sourceLocation) else {
        Issue.record("no embedded kubeconfig under stringData.\(source)", sourceLocation: sourceLocation)
        return
    }
    #expect(config["apiVersion"]?.string == "v1", sourceLocation: sourceLocation)
    #expect(config["kind"]?.string == "Config", sourceLocation: sourceLocation)
    #expect(config["current-context"]?.string == source, sourceLocation: sourceLocation)
    #expect(config["clusters"]?.sequence?.count == 1, sourceLocation: sourceLocation)
    #expect(config.at("clusters", 0, "name")?.string == source, sourceLocation: sourceLocation)
    #expect(config.at("clusters", 0, "cluster", "server")?.string == server, sourceLocation: sourceLocation)
    #expect(config.at("clusters", 0, "cluster", "certificate-authority-data")?.string == certificateAuthorityData, sourceLocation: sourceLocation)
    #expect(config["contexts"]?.sequence?.count == 1, sourceLocation: sourceLocation)
    #expect(config.at("contexts", 0, "name")?.string == source, sourceLocation: sourceLocation)
    #expect(config.at("contexts", 0, "context", "cluster")?.string == source, sourceLocation: sourceLocation)
    #expect(config.at("contexts", 0, "context", "user")?.string == source, sourceLocation: sourceLocation)
    #expect(config.at("contexts", 0, "context", "namespace") == nil, "a context namespace must not leak in", sourceLocation: sourceLocation)
    #expect(config["users"]?.sequence?.count == 1, sourceLocation: sourceLocation)
    #expect(config.at("users", 0, "name")?.string == source, sourceLocation: sourceLocation)
    #expect(config.at("users", 0, "user")?.keys == ["token"], sourceLocation: sourceLocation)
    #expect(config.at("users", 0, "user", "token")?.string == token, sourceLocation: sourceLocation)
}

@Suite struct KubeconfigPreflightTests {
    /// east's context is the one under test; west discovers it (west gets east's secret).
    /// Cluster names differ from context names so a wrong data key shows.
    static func script(eastExtra: String = "", context: String = "\"ctx-east\"", head: String = "") -> String {
        """
        \(head)mesh m1
        network net1
        root root < key ecdsa p256 >
        cluster east < context \(context);\(eastExtra) trust from root; install >
        cluster west < context "ctx-west"; trust from root; install; discover from east >

        """
    }

    static let eastToken = KubeContext.reader("tok-east-7f3a9c2e5b")
    static let westToken = KubeContext.reader("tok-west-1d8e4b6a0c")

    static func contexts(east: KubeContext) -> [KubeContext] {
        [east, KubeContext(name: "ctx-west", server: "https://west.example.test:6443", auth: .token(westToken))]
    }

    // MARK: token user: the secret is written, the plan applies the file

    @Test func tokenUserGivesAWrittenSecretAndAKubectlApplyStep() throws {
        let scratch = try Scratch()
        let east = KubeContext(name: "ctx-east", server: "https://east.example.test:6443", auth: .token(Self.eastToken), namespace: "team-a")
        let kubeconfig = try scratch.write("kube/config.yaml", KubeContext.yaml(Self.contexts(east: east)))
        let prepared = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": kubeconfig])
        #expect(!prepared.preflightDiagnostics.hasErrors)
        #expect(prepared.credentials.kubeconfigPaths == [kubeconfig])
        // The context's default namespace is reported, and does not change the secret's.
        let at = locate("\"ctx-east\"", in: Self.script())
        prepared.expectDiagnostic(.warning, containing: "namespace 'team-a'", line: at.line, column: at.column)

        try prepared.rendered()
        let file = prepared.layout.remoteSecret(source: "east", target: "west")
        #expect(file == prepared.out + "/west/remote-secret-east.yaml")
        #expect(mode(of: file) == 0o600, "the secret holds a token: mode \(String(mode(of: file) ?? 0, radix: 8))")
        expectRemoteSecret(read(file), source: "east", server: "https://east.example.test:6443", token: Self.eastToken)
        // One-way link: nothing for east, and never a cluster's own secret.
        #expect(!exists(prepared.out + "/east/remote-secret-west.yaml"))
        #expect(!exists(prepared.out + "/east/remote-secret-east.yaml"))
        #expect(!exists(prepared.out + "/west/remote-secret-west.yaml"))

        let step = try #require(prepared.plan.discoverStep(source: "east", target: "west"))
        #expect(step.commands.map(\.pipeline) == [[["kubectl", "apply", "-f", file, "--kubeconfig=\(kubeconfig)", "--context=ctx-west"]]])
        #expect(step.files == [file])
        #expect(!prepared.plan.commandLines.contains { $0.contains("create-remote-secret") })
    }

    /// A remote secret whose bytes are right but which was left readable by others (by hand, or an
    /// older tool) keeps its bytes and gets mode 0600 back, with a note naming it.
    @Test func looseRemoteSecretModeIsTightenedNotRewritten() throws {
        let scratch = try Scratch()
        let east = KubeContext(name: "ctx-east", server: "https://east.example.test:6443", auth: .token(Self.eastToken))
        let kubeconfig = try scratch.write("kube/config.yaml", KubeContext.yaml(Self.contexts(east: east)))
        let prepared = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": kubeconfig])
        try prepared.rendered()
        let file = prepared.layout.remoteSecret(source: "east", target: "west")
        #expect(chmod(file, 0o644) == 0)
        let bytes = read(file)

        let summary = try prepared.rendered()
        #expect(mode(of: file) == 0o600, "mode \(String(mode(of: file) ?? 0, radix: 8))")
        #expect(read(file) == bytes)
        #expect(summary.files.contains { $0.path == file && $0.outcome == .unchanged })
        #expect(summary.notes.contains { $0.contains(file) && $0.contains("its mode is now 600") }, "\(summary.notes)")
        // Nothing else was loosened, so nothing else is named.
        #expect(summary.notes.filter { $0.contains("readable by others") }.count == 1, "\(summary.notes)")
    }

    @Test func kubeconfigFromHomeWhenKUBECONFIGIsUnset() throws {
        let scratch = try Scratch()
        let east = KubeContext(name: "ctx-east", auth: .token(Self.eastToken))
        try scratch.write("home/.kube/config", KubeContext.yaml(Self.contexts(east: east)))
        let prepared = try prepare(Self.script(), in: scratch)
        #expect(prepared.preflightDiagnostics.isEmpty)
        #expect(prepared.credentials.offlineSecrets[DiscoveryLink(source: "east", target: "west")] != nil)
    }

    @Test func noKubeconfigAtAllMintsTheReaderToken() throws {
        let scratch = try Scratch()
        let prepared = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": scratch.at("missing.yaml")])
        #expect(prepared.preflightDiagnostics.isEmpty)
        #expect(prepared.credentials.offlineSecrets.isEmpty)
        let step = try #require(prepared.plan.discoverStep(source: "east", target: "west"))
        let flag = "--kubeconfig=" + scratch.at("missing.yaml")
        #expect(step.commands.map(\.pipeline) == [
            [["kubectl", "apply", "-f", prepared.layout.readerAccount("east"), flag, "--context=ctx-east"]],
            [["meshscript", "remote-secret", "--name=east", "--istio=1.30", flag, "--context=ctx-east"],
             ["kubectl", "apply", "-f", "-", flag, "--context=ctx-west"]],
        ])
    }

    // MARK: a user that is not the reader account: the plan mints the reader's token

    /// Least privilege by default: a user istiod could not use anyway (an exec plugin) and an
    /// administrator's own token both leave the token to be minted, silently; render writes the
    /// reader account for the source and no remote secret.
    @Test(arguments: [KubeContext.Auth.exec(command: "gke-gcloud-auth-plugin"), .token(KubeContext.adminToken)])
    func aUserOtherThanTheReaderMintsTheReaderToken(auth: KubeContext.Auth) throws {
        let scratch = try Scratch()
        let east = KubeContext(name: "ctx-east", auth: auth)
        let kubeconfig = try scratch.write("config.yaml", KubeContext.yaml(Self.contexts(east: east)))
        let prepared = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": kubeconfig])
        #expect(prepared.preflightDiagnostics.isEmpty, "\(prepared.preflightDiagnostics)")
        let step = try #require(prepared.plan.discoverStep(source: "east", target: "west"))
        #expect(step.commands.map(\.pipeline) == [
            [["kubectl", "apply", "-f", prepared.layout.readerAccount("east"), "--kubeconfig=\(kubeconfig)", "--context=ctx-east"]],
            [["meshscript", "remote-secret", "--name=east", "--istio=1.30", "--kubeconfig=\(kubeconfig)", "--context=ctx-east"],
             ["kubectl", "apply", "-f", "-", "--kubeconfig=\(kubeconfig)", "--context=ctx-west"]],
        ])
        try prepared.rendered()
        #expect(!exists(prepared.layout.remoteSecret(source: "east", target: "west")))
        #expect(read(prepared.layout.readerAccount("east")) == ReaderAccount.manifests(forms: IstioReleases.table.last!))
        #expect(mode(of: prepared.layout.readerAccount("east")) == 0o644, "it holds no secret")
    }

    /// `token from kubeconfig`: the user's own token goes into the secret, with a warning at the
    /// statement; a user without a token is an error there.
    @Test func tokenFromKubeconfigWritesTheUsersTokenAndWarns() throws {
        let scratch = try Scratch()
        let script = Self.script(eastExtra: " token from kubeconfig;")
        let east = KubeContext(name: "ctx-east", server: "https://east.example.test:6443", auth: .token(KubeContext.adminToken))
        let kubeconfig = try scratch.write("config.yaml", KubeContext.yaml(Self.contexts(east: east)))
        let prepared = try prepare(script, in: scratch, environment: ["KUBECONFIG": kubeconfig])
        #expect(!prepared.preflightDiagnostics.hasErrors)
        let at = locate("token from kubeconfig", in: script)
        prepared.expectDiagnostic(.warning, containing: "own token (system:serviceaccount:kube-system:cluster-admin)", line: at.line, column: at.column,
                                  help: "remove `token from kubeconfig`")
        try prepared.rendered()
        expectRemoteSecret(read(prepared.layout.remoteSecret(source: "east", target: "west")), source: "east",
                           server: "https://east.example.test:6443", token: KubeContext.adminToken)

        let exec = KubeContext(name: "ctx-east", auth: .exec(command: "gke-gcloud-auth-plugin"))
        let execConfig = try scratch.write("exec.yaml", KubeContext.yaml(Self.contexts(east: exec)))
        let refused = try prepare(script, in: scratch, environment: ["KUBECONFIG": execConfig])
        refused.expectDiagnostic(.error, containing: "exec plugin 'gke-gcloud-auth-plugin'", line: at.line, column: at.column,
                                 help: "remove `token from kubeconfig`")
    }

    /// A token that expires soon is a warning whichever path wrote it; `exp` − `iat` of one hour.
    @Test func shortLivedAndExpiredTokensWarn() throws {
        let scratch = try Scratch()
        let now = Int(Date().timeIntervalSince1970)
        let short = KubeContext.jwt(#"{"sub":"system:serviceaccount:istio-system:istio-reader-service-account","iat":\#(now - 60),"exp":\#(now + 3540)}"#)
        let expired = KubeContext.jwt(#"{"sub":"system:serviceaccount:istio-system:istio-reader-service-account","iat":\#(now - 7200),"exp":\#(now - 3600)}"#)
        let at = locate("\"ctx-east\"", in: Self.script())
        for (token, message) in [(short, "is short-lived"), (expired, "expired at")] {
            let east = KubeContext(name: "ctx-east", auth: .token(token))
            let kubeconfig = try scratch.write("config-\(message.count).yaml", KubeContext.yaml(Self.contexts(east: east)))
            let prepared = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": kubeconfig])
            prepared.expectDiagnostic(.warning, containing: message, line: at.line, column: at.column, help: "long-lived token")
        }
    }

    /// The kubeconfig cluster's tls-server-name goes into the written secret (current Istio).
    @Test func tlsServerNameIsCarriedIntoTheSecret() throws {
        let scratch = try Scratch()
        let east = KubeContext(name: "ctx-east", server: "https://10.1.2.3:6443", auth: .token(Self.eastToken))
        let yaml = KubeContext.yaml(Self.contexts(east: east))
            .replacingOccurrences(of: "    server: https://10.1.2.3:6443\n", with: "    server: https://10.1.2.3:6443\n    tls-server-name: api.east.internal\n")
        #expect(yaml.contains("tls-server-name"))
        let kubeconfig = try scratch.write("config.yaml", yaml)
        let prepared = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": kubeconfig])
        try prepared.rendered()
        #expect(read(prepared.layout.remoteSecret(source: "east", target: "west")).contains("        tls-server-name: api.east.internal\n"))
    }

    @Test func missingCAOfAReaderTokenWarnsAndMints() throws {
        let scratch = try Scratch()
        let east = KubeContext(name: "ctx-east", certificateAuthorityData: nil, auth: .token(Self.eastToken))
        let kubeconfig = try scratch.write("config.yaml", KubeContext.yaml(Self.contexts(east: east)))
        let prepared = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": kubeconfig])
        #expect(!prepared.preflightDiagnostics.hasErrors)
        let at = locate("\"ctx-east\"", in: Self.script())
        prepared.expectDiagnostic(.warning, containing: "no CA data", line: at.line, column: at.column)
        #expect(prepared.credentials.offlineSecrets.isEmpty)
        let step = try #require(prepared.plan.discoverStep(source: "east", target: "west"))
        #expect(step.commands.last?.pipeline.first == ["meshscript", "remote-secret", "--name=east", "--istio=1.30", "--kubeconfig=\(kubeconfig)", "--context=ctx-east"])
        try prepared.rendered()
        #expect(!exists(prepared.layout.remoteSecret(source: "east", target: "west")))
    }

    // MARK: loopback API servers

    /// Also the loopback spellings the script-level check does not know: before the fix these
    /// silently fell back to istioctl (which would embed the same unreachable address).
    @Test(arguments: ["https://127.0.0.1:6443", "https://localhost:6443", "https://[::1]:6443", "http://east.example.test:6443",
                      "https://[::ffff:127.0.0.1]:6443", "https://[0:0:0:0:0:0:0:1]:6443", "https://[::]:6443", "https://localhost.:6443"])
    func unreachableServerIsAnErrorAtTheContext(server: String) throws {
        let scratch = try Scratch()
        let east = KubeContext(name: "ctx-east", server: server, auth: .token(Self.eastToken))
        let kubeconfig = try scratch.write("config.yaml", KubeContext.yaml(Self.contexts(east: east)))
        let prepared = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": kubeconfig])
        let at = locate("\"ctx-east\"", in: Self.script())
        prepared.expectDiagnostic(.error, containing: server.hasPrefix("http:") ? "https://" : "loopback", line: at.line, column: at.column,
                                  help: "server \"https://")
        #expect(prepared.credentials.offlineSecrets.isEmpty)
        // render refuses with the same diagnostics and writes nothing.
        do throws(RenderFailure) {
            _ = try prepared.render()
            Issue.record("render accepted an unreachable API server")
        } catch {
            guard case .diagnostics(let diagnostics) = error else {
                Issue.record("expected diagnostics, got \(prepared.describe(error))")
                return
            }
            #expect(diagnostics.hasErrors)
        }
        #expect(!exists(prepared.out))
    }

    @Test func serverStatementOverridesALoopbackServer() throws {
        let scratch = try Scratch()
        let east = KubeContext(name: "ctx-east", server: "https://127.0.0.1:41000", auth: .token(Self.eastToken))
        let kubeconfig = try scratch.write("config.yaml", KubeContext.yaml(Self.contexts(east: east)))
        let prepared = try prepare(Self.script(eastExtra: " server \"https://east.public.test:6443\";"), in: scratch,
                                   environment: ["KUBECONFIG": kubeconfig])
        #expect(prepared.preflightDiagnostics.isEmpty, "\(prepared.preflightDiagnostics.map(\.message))")
        try prepared.rendered()
        let text = read(prepared.layout.remoteSecret(source: "east", target: "west"))
        expectRemoteSecret(text, source: "east", server: "https://east.public.test:6443", token: Self.eastToken)
        #expect(!text.contains("127.0.0.1"))
    }

    @Test func loopbackServerStatementIsAnErrorAtThatStatement() throws {
        let scratch = try Scratch()
        let east = KubeContext(name: "ctx-east", server: "https://east.example.test:6443", auth: .token(Self.eastToken))
        let kubeconfig = try scratch.write("config.yaml", KubeContext.yaml(Self.contexts(east: east)))
        // A spelling only a full address model knows: validation refuses it, with the same model the
        // kubeconfig pre-flight uses, and the pre-flight does not report it a second time.
        let script = Self.script(eastExtra: " server \"https://[::ffff:127.0.0.1]:6443\";")
        let prepared = try prepare(script, in: scratch, environment: ["KUBECONFIG": kubeconfig], expectCheckErrors: true)
        let at = locate("\"https://[::ffff", in: script)
        prepared.expectCheckDiagnostic(.error, containing: "loopback", line: at.line, column: at.column, help: "server \"https://")
        #expect(!prepared.preflightDiagnostics.contains { $0.message.contains("loopback") })
    }

    @Test func secretLeftReadableByOthersIsTightenedOnTheNextRender() throws {
        let scratch = try Scratch()
        let east = KubeContext(name: "ctx-east", auth: .token(Self.eastToken))
        let kubeconfig = try scratch.write("config.yaml", KubeContext.yaml(Self.contexts(east: east)))
        let prepared = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": kubeconfig])
        try prepared.rendered()
        let file = prepared.layout.remoteSecret(source: "east", target: "west")
        let bytes = read(file)
        #expect(chmod(file, 0o644) == 0)
        let summary = try prepared.rendered()
        #expect(mode(of: file) == 0o600)
        #expect(read(file) == bytes)
        #expect(summary.notes.contains { $0.contains(file) && $0.contains("600") }, "\(summary.notes)")
    }

    /// A secret render wrote earlier but no longer writes (the source's user moved to an exec
    /// plugin, or the link is gone) is removed, so `kubectl apply -f DIR/C/` cannot apply stale
    /// credentials. A file render did not write is left alone.
    /// The reader account of a cluster whose token is no longer minted (its user became the reader
    /// account itself) is removed; one edited by hand is left alone.
    @Test func aStaleReaderAccountIsRemoved() throws {
        let scratch = try Scratch()
        let admin = try scratch.write("admin.yaml", KubeContext.yaml(Self.contexts(east: KubeContext(name: "ctx-east", auth: .token(KubeContext.adminToken)))))
        let first = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": admin])
        try first.rendered()
        let reader = first.layout.readerAccount("east")
        #expect(exists(reader))
        let second = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": try scratch.write("reader.yaml", KubeContext.yaml(Self.contexts(
            east: KubeContext(name: "ctx-east", auth: .token(Self.eastToken)))))])
        let summary = try second.rendered()
        #expect(!exists(reader))
        #expect(summary.files.contains { $0.path == reader && $0.outcome == .removed })

        try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": admin]).rendered()
        try (read(reader) + "# edited\n").write(toFile: reader, atomically: true, encoding: .utf8)
        let kept = try second.rendered()
        #expect(exists(reader))
        #expect(kept.notes.contains { $0.contains(reader) && $0.contains("left alone") })
    }

    @Test func staleRemoteSecretsAreRemoved() throws {
        let scratch = try Scratch()
        let mutual = Self.script().replacingOccurrences(of: "discover from east", with: "discover with east")
        let withToken = try scratch.write("token.yaml", KubeContext.yaml(Self.contexts(east: KubeContext(name: "ctx-east", auth: .token(Self.eastToken)))))
        let first = try prepare(mutual, in: scratch, environment: ["KUBECONFIG": withToken])
        try first.rendered()
        let eastSecret = first.layout.remoteSecret(source: "east", target: "west")
        let westSecret = first.layout.remoteSecret(source: "west", target: "east")
        #expect(exists(eastSecret) && exists(westSecret))
        let userFile = try scratch.write("out/west/remote-secret-by-hand.yaml", "kind: Secret\n")

        let withExec = try scratch.write("exec.yaml", KubeContext.yaml(Self.contexts(east: KubeContext(name: "ctx-east", auth: .exec(command: "aws")))))
        let second = try prepare(mutual, in: scratch, environment: ["KUBECONFIG": withExec])
        let summary = try second.rendered()
        #expect(!exists(eastSecret), "a stale secret holding \(Self.eastToken) was left behind")
        #expect(summary.files.contains { $0.path == eastSecret && $0.outcome == .removed })
        #expect(exists(westSecret))
        #expect(exists(userFile))
        #expect(!TreeSnapshot(second.out).entries.values.contains { String(decoding: $0.data, as: UTF8.self).contains(Self.eastToken) })

        // The link goes away: west's secret in east goes too.
        let unlinked = Self.script().replacingOccurrences(of: "; discover from east", with: "")
        let third = try prepare(unlinked, in: scratch, environment: ["KUBECONFIG": withToken])
        try third.rendered()
        #expect(!exists(westSecret))
        #expect(exists(userFile))
    }

    // MARK: which kubeconfig

    @Test func mergedKUBECONFIGListFirstFileWins() throws {
        let scratch = try Scratch()
        // Both files define ctx-east (and its cluster and user); only b defines ctx-west.
        let a = try scratch.write("a.yaml", KubeContext.yaml([
            KubeContext(name: "ctx-east", server: "https://east-from-a.test:6443", auth: .token(KubeContext.reader("tok-from-a"))),
        ]))
        let b = try scratch.write("b.yaml", KubeContext.yaml([
            KubeContext(name: "ctx-east", server: "https://east-from-b.test:6443", auth: .token(KubeContext.reader("tok-from-b"))),
            KubeContext(name: "ctx-west", server: "https://west-from-b.test:6443", auth: .token(Self.westToken)),
        ]))
        let script = Self.script().replacingOccurrences(of: "discover from east", with: "discover with east")
        let prepared = try prepare(script, in: scratch, environment: ["KUBECONFIG": "\(a):\(b)"])
        #expect(prepared.preflightDiagnostics.isEmpty, "\(prepared.preflightDiagnostics.map(\.message))")
        #expect(prepared.credentials.kubeconfigPaths == [a, b])
        try prepared.rendered()
        expectRemoteSecret(read(prepared.layout.remoteSecret(source: "east", target: "west")), source: "east",
                           server: "https://east-from-a.test:6443", token: KubeContext.reader("tok-from-a"))
        expectRemoteSecret(read(prepared.layout.remoteSecret(source: "west", target: "east")), source: "west",
                           server: "https://west-from-b.test:6443", token: Self.westToken)
    }

    @Test func kubeconfigStatementIsRelativeToTheScriptAndOverridesKUBECONFIG() throws {
        let scratch = try Scratch()
        let fromEnvironment = try scratch.write("env.yaml", KubeContext.yaml(Self.contexts(
            east: KubeContext(name: "ctx-east", server: "https://east-env.test:6443", auth: .token(KubeContext.reader("tok-env"))))))
        try scratch.write("project/conf/kube.yaml", KubeContext.yaml(Self.contexts(
            east: KubeContext(name: "ctx-east", server: "https://east-script.test:6443", auth: .token(KubeContext.reader("tok-script"))))))
        // The test's working directory is not the script's, so a path taken relative to it would not exist.
        let prepared = try prepare(Self.script(head: "kubeconfig \"conf/kube.yaml\"\n"), in: scratch, name: "project/mesh.mesh",
                                   environment: ["KUBECONFIG": fromEnvironment])
        #expect(prepared.preflightDiagnostics.isEmpty, "\(prepared.preflightDiagnostics.map(\.message))")
        #expect(prepared.credentials.kubeconfigPaths.map { ($0 as NSString).standardizingPath } == [scratch.at("project/conf/kube.yaml")])
        try prepared.rendered()
        let text = read(prepared.layout.remoteSecret(source: "east", target: "west"))
        expectRemoteSecret(text, source: "east", server: "https://east-script.test:6443", token: KubeContext.reader("tok-script"))
        #expect(!text.contains(KubeContext.reader("tok-env")))
    }

    @Test func missingKubeconfigNamedByTheScriptIsAnErrorAtThatStatement() throws {
        let scratch = try Scratch()
        // A valid $KUBECONFIG does not stand in for the file the script names.
        let fromEnvironment = try scratch.write("env.yaml", KubeContext.yaml(Self.contexts(east: KubeContext(name: "ctx-east"))))
        let script = Self.script(head: "# contexts\nkubeconfig \"clusters/kube.yaml\"\n")
        let prepared = try prepare(script, in: scratch, environment: ["KUBECONFIG": fromEnvironment])
        let at = locate("\"clusters/kube.yaml\"", in: script)
        #expect(at.line == 2 && at.column == 12)
        prepared.expectDiagnostic(.error, containing: "kubeconfig 'clusters/kube.yaml' does not exist", line: at.line, column: at.column)
        #expect(prepared.credentials.offlineSecrets.isEmpty)
    }

    @Test func malformedKubeconfigNamedByTheScriptIsAnErrorAtThatStatement() throws {
        let scratch = try Scratch()
        let bad = try scratch.write("kube.yaml", "apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: [unclosed\n")
        let script = Self.script(head: "kubeconfig \"kube.yaml\"\n")
        let prepared = try prepare(script, in: scratch)
        let at = locate("\"kube.yaml\"", in: script)
        let diagnostic = prepared.expectDiagnostic(.error, containing: "malformed YAML", line: at.line, column: at.column)
        #expect(diagnostic?.message.contains(bad) == true, "the message should name the file: \(diagnostic?.message ?? "")")
    }

    @Test func malformedKubeconfigFromKUBECONFIGIsAnErrorNamingTheFile() throws {
        let scratch = try Scratch()
        let bad = try scratch.write("kube.yaml", "clusters: [\n  - name: a\n  bad: : :\n")
        let prepared = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": bad])
        let errors = prepared.preflightDiagnostics.filter { $0.severity == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains(bad) == true && errors.first?.message.contains("malformed YAML") == true,
                "\(errors.map(\.message))")
        // With no kubeconfig statement it points at the first cluster whose credentials were needed.
        #expect(errors.first.flatMap { prepared.position($0) }?.line == 4)
    }

    @Test func contextMissingFromTheKubeconfigIsAnErrorWithASuggestion() throws {
        let scratch = try Scratch()
        let kubeconfig = try scratch.write("config.yaml", KubeContext.yaml(Self.contexts(east: KubeContext(name: "ctx-east"))))
        let script = Self.script(context: "\"ctx-eats\"")
        let prepared = try prepare(script, in: scratch, environment: ["KUBECONFIG": kubeconfig])
        let at = locate("\"ctx-eats\"", in: script)
        #expect(at.line == 4 && at.column == 24)
        prepared.expectDiagnostic(.error, containing: "context 'ctx-eats' of cluster 'east' is not in the kubeconfig",
                                  line: at.line, column: at.column, help: "did you mean 'ctx-east'?")
    }

    @Test func diagnosticsPrintedByTheCLIPointAtTheContext() throws {
        let scratch = try Scratch()
        let kubeconfig = try scratch.write("config.yaml", KubeContext.yaml(Self.contexts(east: KubeContext(name: "ctx-east"))))
        let script = Self.script(context: "\"ctx-eats\"")
        let path = try scratch.write("mesh.mesh", script)
        let result = try meshscript(["plan", path, "--out", scratch.at("out")],
                                    environment: cliEnvironment(home: scratch.home, ["KUBECONFIG": kubeconfig]))
        #expect(result.status == 65)
        #expect(result.stderr.contains("\(path):4:24: error: context 'ctx-eats' of cluster 'east' is not in the kubeconfig"), "\(result.stderr)")
        #expect(result.stderr.contains("did you mean 'ctx-east'?"))
        #expect(result.stdout.isEmpty)
    }
}

/// `meshscript check` runs the same pre-flight as plan and render, unless told not to.
@Suite struct CheckPreflightTests {
    @Test func checkReportsTheKubeconfigTokenOptInAndALoopbackServerAsAnError() throws {
        let scratch = try Scratch()
        let path = try scratch.write("mesh.mesh", KubeconfigPreflightTests.script())
        let optIn = try scratch.write("opt-in.mesh", KubeconfigPreflightTests.script(eastExtra: " token from kubeconfig;"))
        let admin = KubeContext(name: "ctx-east", auth: .token(KubeContext.adminToken))
        let adminConfig = try scratch.write("admin.yaml", KubeContext.yaml(KubeconfigPreflightTests.contexts(east: admin)))
        let quiet = try meshscript(["check", path], environment: cliEnvironment(home: scratch.home, ["KUBECONFIG": adminConfig]))
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
        let warned = try meshscript(["check", optIn], environment: cliEnvironment(home: scratch.home, ["KUBECONFIG": adminConfig]))
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.contains("\(optIn):4:36: warning:"), "\(warned.stderr)")
        #expect(warned.stderr.contains("own token"))
        #expect(!warned.stderr.contains(KubeContext.adminToken))

        let loopback = KubeContext(name: "ctx-east", server: "https://127.0.0.1:6443")
        let loopbackConfig = try scratch.write("loopback.yaml", KubeContext.yaml(KubeconfigPreflightTests.contexts(east: loopback)))
        let refused = try meshscript(["check", path], environment: cliEnvironment(home: scratch.home, ["KUBECONFIG": loopbackConfig]))
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("\(path):4:24: error:") && refused.stderr.contains("loopback"), "\(refused.stderr)")

        let scriptOnly = try meshscript(["check", "--no-kubeconfig", path], environment: cliEnvironment(home: scratch.home, ["KUBECONFIG": loopbackConfig]))
        #expect(scriptOnly.status == 0, "\(scriptOnly.stderr)")
        #expect(scriptOnly.stderr.isEmpty)
    }
}

/// A context that exists but names a cluster nobody defines is not "missing": it is reported
/// as the broken entry it is, at the `context` statement.
@Suite struct BrokenContextTests {
    @Test func aContextNamingAnUndefinedClusterIsAnErrorAboutThatCluster() throws {
        let scratch = try Scratch()
        let west = KubeContext(name: "ctx-west", server: "https://west.example.test:6443", auth: .token("t"))
        let broken = "contexts:\n- name: ctx-east\n  context:\n    cluster: nowhere\n    user: ku-ctx-west\n"
        let yaml = KubeContext.yaml([west]).replacingOccurrences(of: "contexts:\n", with: broken)
        #expect(yaml.contains("cluster: nowhere"))
        let kubeconfig = try scratch.write("config.yaml", yaml)
        let prepared = try prepare(KubeconfigPreflightTests.script(), in: scratch, environment: ["KUBECONFIG": kubeconfig])
        let diagnostic = prepared.expectDiagnostic(.error, containing: "nowhere", line: 4, column: 24, help: "fix the context in the kubeconfig")
        #expect(diagnostic?.message.contains("is not in the kubeconfig") == false)
    }
}

/// A `server` statement is checked with MeshKube's address check even when no kubeconfig
/// exists at all: a loopback spelling the script-level validation does not know is refused.
@Suite struct ServerStatementWithoutKubeconfigTests {
    @Test func anIPv4MappedLoopbackServerIsRefusedWithoutAnyKubeconfig() throws {
        let scratch = try Scratch()
        let script = KubeconfigPreflightTests.script(eastExtra: " server \"https://[::ffff:127.0.0.1]:6443\";")
        let prepared = try prepare(script, in: scratch, expectCheckErrors: true)
        #expect(prepared.credentials.kubeconfigPaths.isEmpty)
        let at = locate("\"https://[::ffff", in: script)
        prepared.expectCheckDiagnostic(.error, containing: "loopback", line: at.line, column: at.column, help: "server \"https://")
    }
}
