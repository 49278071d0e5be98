// Every tool call names its cluster: which kubeconfig the plan's kubectl and istioctl commands
// are given (the script's `kubeconfig "PATH"`, else RenderOptions.kubeconfig, else a single-file
// $KUBECONFIG, else none), that the pre-flight reads the same one, and that two clusters
// reaching one API server are refused.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct KubeconfigAccessTests {
    /// Two networks (so the label, east-west gateway and cross-network Gateway steps exist) and
    /// discovery both ways: east's user is the reader account (render writes its secret, the step
    /// applies the file) and west's an exec plugin (the step applies the reader account to west
    /// and pipes `meshscript remote-secret` into east).
    static func script(head: String = "") -> String {
        """
        \(head)mesh m1
        network net1
        network net2
        root root < key ecdsa p256 >
        cluster east < context "ctx-east"; trust from root; install network net1 >
        cluster west < context "ctx-west"; trust from root; install network net2; discover with east >

        """
    }

    static let contexts = ["east": "ctx-east", "west": "ctx-west"]

    /// A kubeconfig for the script whose east server names `label`, so a test can tell which file was read.
    static func kubeconfig(_ label: String) -> String {
        KubeContext.yaml([
            KubeContext(name: "ctx-east", server: "https://east-\(label).example.test:6443", auth: .token(KubeContext.reader("tok-\(label)"))),
            KubeContext(name: "ctx-west", server: "https://west-\(label).example.test:6443", auth: .exec(command: "kubelogin")),
        ])
    }

    /// Every kubectl, istioctl and `meshscript remote-secret` argument list of the plan carries
    /// `--kubeconfig=PATH` (or none when `path` is nil) just before the `--context=` of the
    /// cluster it acts on (in a discovery step the reader account and the pipeline's first
    /// stage act on the link's source).
    static func expectEveryToolCall(_ plan: Plan, kubeconfig path: String?, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        var count = 0
        for step in plan.steps {
            for command in step.commands {
                for (stage, arguments) in command.pipeline.enumerated()
                where ["kubectl", "istioctl"].contains(arguments.first) || arguments.starts(with: ["meshscript", "remote-secret"]) {
                    count += 1
                    let source = String(step.title.split(separator: " ").last!) // "give T the remote secret of S"
                    let onSource = (stage == 0 && command.pipeline.count > 1) || arguments.contains { $0.hasSuffix("/reader-service-account.yaml") }
                    let cluster = step.phase == .discover && onSource ? source : step.cluster
                    let context = "--context=\(contexts[cluster]!)"
                    let flags = arguments.filter { $0.hasPrefix("--context=") || $0.hasPrefix("--kubeconfig=") }
                    #expect(flags == (path.map { ["--kubeconfig=\($0)"] } ?? []) + [context], "\(arguments)", sourceLocation: sourceLocation)
                    if path != nil, let at = arguments.firstIndex(of: context) {
                        #expect(arguments[at - 1].hasPrefix("--kubeconfig="), "\(arguments)", sourceLocation: sourceLocation)
                    }
                }
            }
        }
        // 7 per cluster (namespace, label, cacerts, install, wait, east-west gateway, Gateway), then
        // per link the applied file (1) or the reader account and the pipeline (3); west's link is
        // always minted.
        let discovery = plan.steps.filter { $0.phase == .discover }.flatMap(\.commands).flatMap(\.pipeline).count
        #expect(count == 14 + discovery && discovery >= 4, "\(plan.commandLines)", sourceLocation: sourceLocation)
        #expect(plan.commandLines.contains { $0.starts(with: ["meshscript", "remote-secret", "--name=west"]) }, sourceLocation: sourceLocation)
    }

    /// The step that applies the secret render wrote for east -> west (not istioctl's pipeline).
    static func expectAppliedFile(_ prepared: Prepared, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let file = prepared.layout.remoteSecret(source: "east", target: "west")
        #expect(prepared.plan.commandLines.contains { $0.starts(with: ["kubectl", "apply", "-f", file]) }, sourceLocation: sourceLocation)
    }

    @Test func theScriptsKubeconfigIsGivenToEveryCommandAndReadByThePreflight() throws {
        let scratch = try Scratch()
        let file = try scratch.write("project/conf/kube.yaml", Self.kubeconfig("script"))
        let prepared = try prepare(Self.script(head: "kubeconfig \"conf/kube.yaml\"\n"), in: scratch, name: "project/mesh.mesh")
        #expect(!prepared.preflightDiagnostics.hasErrors, "\(prepared.preflightDiagnostics.map(\.message))")
        #expect(prepared.credentials.kubeconfigPaths == [file])
        let plan = prepared.plan
        Self.expectEveryToolCall(plan, kubeconfig: file)
        Self.expectAppliedFile(prepared)
        #expect(plan.access == ["east": ClusterAccess(kubeconfig: file, context: "ctx-east"),
                                "west": ClusterAccess(kubeconfig: file, context: "ctx-west")])
        #expect(plan.steps.first?.commands.first?.pipeline.first?.last == "--kubeconfig=\(file)")
        // The rendered plan.json carries the same access.
        try prepared.rendered()
        let json = try JSONDecoder().decode(Plan.self, from: Data(read(prepared.layout.planJSON).utf8))
        #expect(json.access == plan.access)
    }

    @Test func theOptionIsGivenToEveryCommandAndReadByThePreflight() throws {
        let scratch = try Scratch()
        let option = try scratch.write("option.yaml", Self.kubeconfig("option"))
        let environment = try scratch.write("env.yaml", Self.kubeconfig("env"))
        var prepared = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": environment])
        prepared = prepared.with(kubeconfig: option)
        #expect(prepared.credentials.kubeconfigPaths == [option])
        Self.expectEveryToolCall(prepared.plan, kubeconfig: option)
        Self.expectAppliedFile(prepared)
        try prepared.rendered()
        expectRemoteSecret(read(prepared.layout.remoteSecret(source: "east", target: "west")), source: "east",
                           server: "https://east-option.example.test:6443", token: KubeContext.reader("tok-option"))
    }

    @Test func aSingleFileKUBECONFIGIsGivenToEveryCommand() throws {
        let scratch = try Scratch()
        let environment = try scratch.write("env.yaml", Self.kubeconfig("env"))
        let prepared = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": environment])
        #expect(prepared.credentials.kubeconfigPaths == [environment])
        Self.expectEveryToolCall(prepared.plan, kubeconfig: environment)
    }

    /// A list cannot be one flag: the commands carry none and inherit $KUBECONFIG; with nothing
    /// set they carry none either (the tools read ~/.kube/config, as the pre-flight did).
    @Test func aKUBECONFIGListOrNothingGivesNoFlag() throws {
        let scratch = try Scratch()
        let a = try scratch.write("a.yaml", Self.kubeconfig("a"))
        let b = try scratch.write("b.yaml", KubeContext.yaml([KubeContext(name: "other", server: "https://other.test:6443")]))
        let list = try prepare(Self.script(), in: scratch, environment: ["KUBECONFIG": "\(a):\(b)"])
        #expect(list.credentials.kubeconfigPaths == [a, b])
        Self.expectEveryToolCall(list.plan, kubeconfig: nil)

        try scratch.write("home/.kube/config", Self.kubeconfig("home"))
        let home = try prepare(Self.script(), in: scratch)
        #expect(home.credentials.kubeconfigPaths == [scratch.home + "/.kube/config"])
        #expect(home.credentials.offlineSecrets.count == 1)
        Self.expectEveryToolCall(home.plan, kubeconfig: nil)
    }

    /// script > option > $KUBECONFIG, for the flag and for the file the pre-flight reads.
    @Test(arguments: [
        (true, true, true, "script"), (false, true, true, "option"), (false, false, true, "env"), (true, false, true, "script"),
        (true, true, false, "script"), (false, false, false, "none"),
    ])
    func precedence(script: Bool, option: Bool, environment: Bool, winner: String) throws {
        let scratch = try Scratch()
        let files = ["script": try scratch.write("conf/kube.yaml", Self.kubeconfig("script")),
                     "option": try scratch.write("option.yaml", Self.kubeconfig("option")),
                     "env": try scratch.write("env.yaml", Self.kubeconfig("env"))]
        let head = script ? "kubeconfig \"conf/kube.yaml\"\n" : ""
        var prepared = try prepare(Self.script(head: head), in: scratch, environment: environment ? ["KUBECONFIG": files["env"]!] : [:])
        if option { prepared = prepared.with(kubeconfig: files["option"]!) }
        #expect(MeshRenderer.kubeconfig(for: prepared.topology, options: prepared.options) == files[winner])
        Self.expectEveryToolCall(prepared.plan, kubeconfig: files[winner])
        #expect(prepared.credentials.kubeconfigPaths == (files[winner].map { [$0] } ?? []))
    }

    /// The flag works from any directory: a relative script path, option or $KUBECONFIG is
    /// anchored where meshscript runs.
    @Test func relativePathsBecomeAbsolute() throws {
        let scratch = try Scratch()
        let prepared = try prepare(Self.script(head: "kubeconfig \"conf/kube.yaml\"\n"), in: scratch, name: "project/mesh.mesh")
        let here = FileManager.default.currentDirectoryPath
        func choice(script: String = "mesh.mesh", option: String? = nil, environment: [String: String] = [:], topology: Topology) -> String? {
            var options = RenderOptions(workDirectory: "out", scriptPath: script, environment: environment, home: scratch.home)
            options.kubeconfig = option
            return MeshRenderer.kubeconfig(for: topology, options: options)
        }
        #expect(choice(script: "./project/mesh.mesh", topology: prepared.topology) == here + "/project/conf/kube.yaml")
        #expect(choice(script: "mesh.mesh", topology: prepared.topology) == here + "/conf/kube.yaml")
        let bare = try prepare(Self.script(), in: scratch, name: "bare.mesh").topology
        #expect(choice(option: "kube/config", topology: bare) == here + "/kube/config")
        #expect(choice(option: "/abs/config", environment: ["KUBECONFIG": "/env"], topology: bare) == "/abs/config")
        #expect(choice(environment: ["KUBECONFIG": "rel.yaml"], topology: bare) == here + "/rel.yaml")
        #expect(choice(environment: ["KUBECONFIG": ":/one.yaml::"], topology: bare) == "/one.yaml")
        #expect(choice(environment: ["KUBECONFIG": "/a.yaml:/b.yaml"], topology: bare) == nil)
        #expect(choice(topology: bare) == nil)
    }

    @Test func aMissingFileGivenByTheOptionIsAnError() throws {
        let scratch = try Scratch()
        let prepared = try prepare(Self.script(), in: scratch).with(kubeconfig: scratch.at("nowhere.yaml"))
        let errors = prepared.preflightDiagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.message) == ["kubeconfig '\(scratch.at("nowhere.yaml"))' (--kubeconfig) does not exist"])
    }
}

/// Two clusters whose contexts reach one API server are one cluster: apply would set it up twice.
@Suite struct SameAPIServerTests {
    /// No discovery at all: the check covers every cluster whose context is in the kubeconfig,
    /// not only the link sources; `lone`'s context is not in it, which stays silent.
    static let script = """
        mesh m1
        network net1
        cluster east < context "ctx-east"; install >
        cluster west < context "ctx-west"; install >
        cluster lone < context "ctx-missing"; install >

        """

    static func kubeconfig(east: String, west: String) -> String {
        KubeContext.yaml([KubeContext(name: "ctx-east", server: east), KubeContext(name: "ctx-west", server: west)])
    }

    @Test(arguments: [
        ("https://api.shared.test:6443", "https://api.shared.test:6443"),
        ("https://API.Shared.test:443/", "https://api.shared.test"),
        ("https://api.shared.test/k8s/clusters/c-1", "https://api.shared.test:443/k8s/clusters/c-1/"),
    ])
    func twoContextsOnOneServerAreAnErrorAtTheSecond(east: String, west: String) throws {
        let scratch = try Scratch()
        let kubeconfig = try scratch.write("config.yaml", Self.kubeconfig(east: east, west: west))
        let prepared = try prepare(Self.script, in: scratch, environment: ["KUBECONFIG": kubeconfig])
        let at = locate("\"ctx-west\"", in: Self.script)
        let diagnostic = prepared.expectDiagnostic(.error, containing: "clusters 'east' and 'west' reach the same API server",
                                                   line: at.line, column: at.column, help: "apply would set up one cluster twice")
        #expect(diagnostic?.message == "clusters 'east' and 'west' reach the same API server, \(west) (contexts 'ctx-east' and 'ctx-west')")
        let note = try #require(diagnostic?.notes.first)
        #expect(note.message == "'east' reaches \(east) through context 'ctx-east' here")
        let first = locate("\"ctx-east\"", in: Self.script)
        let position = note.range.map { prepared.engine.sources.file($0.file).location(of: $0.start) }
        #expect(position.map { "\($0.line):\($0.column)" } == "\(first.line):\(first.column)")
        #expect(prepared.preflightDiagnostics.count == 1, "\(prepared.preflightDiagnostics.map(\.message))")
    }

    @Test(arguments: [
        ("https://api.shared.test:6443", "https://api.shared.test:6444"),
        ("https://a.shared.test:6443", "https://b.shared.test:6443"),
        ("https://rancher.test/k8s/clusters/c-1", "https://rancher.test/k8s/clusters/c-2"),
        ("http://api.shared.test", "https://api.shared.test"),
    ])
    func differentServersAreFine(east: String, west: String) throws {
        let scratch = try Scratch()
        let kubeconfig = try scratch.write("config.yaml", Self.kubeconfig(east: east, west: west))
        let prepared = try prepare(Self.script, in: scratch, environment: ["KUBECONFIG": kubeconfig])
        #expect(prepared.preflightDiagnostics.isEmpty, "\(prepared.preflightDiagnostics.map(\.message))")
    }

    /// The same server behind a link source is reported once, at the second cluster, next to
    /// the source's own checks.
    @Test func linkedClustersOnOneServerAreReportedToo() throws {
        let scratch = try Scratch()
        let east = KubeContext(name: "ctx-east", server: "https://west.example.test:6443")
        let kubeconfig = try scratch.write("config.yaml", KubeContext.yaml(KubeconfigPreflightTests.contexts(east: east)))
        let script = KubeconfigPreflightTests.script()
        let prepared = try prepare(script, in: scratch, environment: ["KUBECONFIG": kubeconfig])
        let at = locate("\"ctx-west\"", in: script)
        prepared.expectDiagnostic(.error, containing: "clusters 'east' and 'west' reach the same API server", line: at.line, column: at.column)
    }
}

extension Prepared {
    /// The same script pre-flighted again with `--kubeconfig PATH` (RenderOptions.kubeconfig).
    func with(kubeconfig: String) -> Prepared {
        var options = options
        options.kubeconfig = kubeconfig
        return Prepared(engine: engine, check: check, options: options, credentials: MeshRenderer.preflight(topology, options: options), scratch: scratch)
    }
}
