// `--kubeconfig PATH` on check, plan, render and apply, and the two ways two clusters can be
// one: the same context (validation) and contexts reaching one API server (the pre-flight).
import Foundation
import MeshTestSupport
import Testing

@Suite struct KubeconfigOption {
    /// A kubeconfig with one token user per context, each context on the given server.
    static func kubeconfig(_ servers: [(context: String, server: String)]) -> String {
        var text = "apiVersion: v1\nkind: Config\nclusters:\n"
        for (context, server) in servers { text += "- name: kc-\(context)\n  cluster:\n    server: \(server)\n    certificate-authority-data: Q0EK\n" }
        text += "contexts:\n"
        for (context, _) in servers { text += "- name: \(context)\n  context:\n    cluster: kc-\(context)\n    user: ku-\(context)\n" }
        text += "users:\n"
        for (context, _) in servers { text += "- name: ku-\(context)\n  user:\n    token: tok-\(context)\n" }
        return text
    }

    static let script = """
        mesh m1
        network net1
        cluster east < context "ctx-east"; trust from root; install >
        cluster west < context "ctx-west"; trust from root; install; discover with east >

        """

    /// Runs meshscript in `scratch` (so relative paths are relative to it) with an empty HOME.
    static func run(_ arguments: [String], in scratch: Scratch, _ environment: [String: String] = [:]) throws -> ProcessRun {
        try meshscript(arguments, environment: cliEnvironment(home: scratch.home, environment), directory: scratch.path)
    }

    @Test func planGivesEveryCommandTheAbsoluteKubeconfig() throws {
        let scratch = try Scratch()
        let file = try scratch.write("conf/kube.yaml", Self.kubeconfig([("ctx-east", "https://east.test:6443"), ("ctx-west", "https://west.test:6443")]))
        try scratch.write("mesh.mesh", Self.script)
        let run = try Self.run(["plan", "mesh.mesh", "--kubeconfig", "conf/kube.yaml", "--format", "json"], in: scratch)
        #expect(run.status == 0, "\(run)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
        #expect(json["access"] as? [String: [String: String]] == [
            "east": ["kubeconfig": file, "context": "ctx-east"], "west": ["kubeconfig": file, "context": "ctx-west"],
        ])
        let steps = try #require(json["steps"] as? [[String: Any]])
        let argvs = steps.flatMap { ($0["commands"] as? [[String: Any]] ?? []).flatMap { $0["pipeline"] as? [[String]] ?? [] } }
        let tools = argvs.filter { ["kubectl", "istioctl"].contains($0.first) || $0.starts(with: ["meshscript", "remote-secret"]) }
        #expect(tools.count == 14, "\(tools)") // 4 per cluster, 3 per minted link
        #expect(tools.allSatisfy { $0.contains("--kubeconfig=\(file)") }, "\(tools)")

        let shell = try Self.run(["plan", "mesh.mesh", "--kubeconfig", "conf/kube.yaml", "--format", "shell"], in: scratch)
        #expect(shell.stdout.contains("kubectl create namespace istio-system --kubeconfig=\(file) --context=ctx-east\n"), "\(shell)")
        // The script's own statement wins over the option.
        try scratch.write("other/mesh.mesh", "kubeconfig \"../conf/kube.yaml\"\n" + Self.script)
        let scripted = try Self.run(["plan", "other/mesh.mesh", "--kubeconfig", "nowhere.yaml"], in: scratch)
        #expect(scripted.status == 0, "\(scripted)")
        #expect(scripted.stdout.contains("--kubeconfig=\(scratch.path)/other/../conf/kube.yaml --context=ctx-west"), "\(scripted)")
    }

    @Test func aMissingKubeconfigFileIsExit65() throws {
        let scratch = try Scratch()
        try scratch.write("mesh.mesh", Self.script)
        let run = try Self.run(["check", "mesh.mesh", "--kubeconfig", "nowhere.yaml"], in: scratch)
        #expect(run.status == 65, "\(run)")
        #expect(run.stderr.contains("error: kubeconfig '\(scratch.path)/nowhere.yaml' (--kubeconfig) does not exist"), "\(run)")
    }

    @Test func twoClustersWithOneContextAreExit65AtBoth() throws {
        let scratch = try Scratch()
        let path = try scratch.write("mesh.mesh", Self.script.replacingOccurrences(of: "\"ctx-west\"", with: "\"ctx-east\""))
        let run = try Self.run(["check", "--no-kubeconfig", path], in: scratch)
        #expect(run.status == 65, "\(run)")
        #expect(run.stderr.contains("\(path):4:24: error: clusters 'east' and 'west' use the same context 'ctx-east'"), "\(run)")
        #expect(run.stderr.contains("\(path):3:24: note: 'east' uses context 'ctx-east' here"), "\(run)")
        #expect(run.stderr.contains("= help: each cluster needs its own context, or apply would set up one cluster twice"), "\(run)")
        let plan = try Self.run(["plan", path], in: scratch)
        #expect(plan.status == 65 && plan.stdout.isEmpty, "\(plan)")
    }

    @Test func twoContextsOnOneAPIServerAreExit65AtBoth() throws {
        let scratch = try Scratch()
        try scratch.write("kube.yaml", Self.kubeconfig([("ctx-east", "https://API.shared.test:443/"), ("ctx-west", "https://api.shared.test")]))
        let path = try scratch.write("mesh.mesh", Self.script)
        let run = try Self.run(["check", path, "--kubeconfig", "kube.yaml"], in: scratch)
        #expect(run.status == 65, "\(run)")
        #expect(run.stderr.contains("\(path):4:24: error: clusters 'east' and 'west' reach the same API server, https://api.shared.test"), "\(run)")
        #expect(run.stderr.contains("\(path):3:24: note: 'east' reaches https://API.shared.test:443/ through context 'ctx-east' here"), "\(run)")
        // The same file through $KUBECONFIG, and through render and apply, is the same error.
        for arguments in [["check", path], ["render", path, "--out", "out"], ["apply", path, "--out", "out", "--dry-run"]] {
            let again = try Self.run(arguments, in: scratch, ["KUBECONFIG": "kube.yaml"])
            #expect(again.status == 65 && again.stderr.contains("reach the same API server"), "\(arguments): \(again)")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.at("out")))
    }

    @Test(arguments: ["check", "plan", "render", "apply"])
    func helpShowsTheOptionAndItsPrecedence(_ command: String) throws {
        let run = try CLI.run([command, "--help"])
        #expect(run.status == 0, "\(run)")
        let help = run.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        #expect(help.contains("--kubeconfig <path>"), "\(run)")
        #expect(help.contains("The script's `kubeconfig \"PATH\"` wins over it"), "\(run)")
    }
}
