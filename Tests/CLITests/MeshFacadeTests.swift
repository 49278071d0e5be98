// The library's one entry point, Mesh, against the CLI: the same pre-flight, the same plan and
// the same diagnostics for a script from a file or from a string; its results leave a Task;
// a host command registered on its engine runs in the check.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct MeshFacadeTests {
    /// The README's embedding example, as written there (keep the two in step).
    static func readmeExample(_ path: String) -> String {
        var output = ""
        let mesh = Mesh(options: MeshOptions(workDirectory: "out", environment: ProcessInfo.processInfo.environment))
        let check = mesh.check(file: path)
        output += DiagnosticRenderer(sources: check.sources, color: false).render(check.diagnostics)
        if let checked = check.checked {
            output += checked.plan.text
        }
        return output
    }

    @Test func thePlanIsTheCLIsForTheSameScriptAndKubeconfig() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let script = example("add-primary.mesh")
        let environment = cliEnvironment(home: scratch.home)
        let cli = try meshscript(["plan", script, "--out", "out", "--format", "json"], environment: environment)
        #expect(cli.status == 0, "\(cli)")
        let check = Mesh(options: MeshOptions(workDirectory: "out", environment: environment)).check(file: script)
        let checked = try #require(check.checked, "\(check.diagnostics)")
        #expect(checked.plan.json() == cli.stdout)
        #expect(Self.readmeExample(script).hasPrefix("Plan for mesh 'mesh1'"))
    }

    /// The plan's JSON written as its steps are made (before `plan` is asked for) and written
    /// from the plan once made are the same bytes.
    @Test func planJSONIsTheSameStreamedOrWhole() throws {
        func written(_ checked: CheckedMesh) -> String {
            var bytes: [UInt8] = []
            checked.writePlanJSON { bytes.append(contentsOf: $0) }
            return String(decoding: bytes, as: UTF8.self)
        }
        for name in ["add-primary.mesh", "primary-remote.mesh"] {
            let check = Mesh(options: MeshOptions(workDirectory: "out", environment: [:])).check(file: example(name))
            let checked = try #require(check.checked, "\(check.diagnostics)")
            let streamed = written(checked)
            #expect(streamed == checked.plan.json(), "\(name)")
            #expect(written(checked) == streamed, "\(name): from the plan once made")
        }
    }

    /// A string is checked as the file holding it would be: same diagnostics, same positions.
    @Test func aStringIsCheckedAsTheFileHoldingIt() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let text = "mesh m1\nnetwork n1\ncluster c1 < trust from rot; install network n2 >\ncluster c2 < discover with c3 >\n"
        let path = try scratch.write("bad.mesh", text)
        let options = MeshOptions(environment: ["HOME": scratch.home])
        let fromFile = Mesh(options: options).check(file: path)
        let fromString = Mesh(options: options).check(source: text, name: "bad.mesh", directory: scratch.path)
        #expect(fromFile.hasErrors && fromFile.checked == nil)
        let render = { (check: MeshCheck) in DiagnosticRenderer(sources: check.sources, color: false).render(check.diagnostics) }
        #expect(render(fromString) == render(fromFile).replacingOccurrences(of: path, with: "bad.mesh"))
        let cli = try meshscript(["check", path], environment: cliEnvironment(home: scratch.home))
        #expect(cli.status == 65)
        #expect(cli.stderr.hasPrefix(render(fromFile)), "\(cli.stderr)")
    }

    /// The check and everything that follows from it are Sendable: checked in one Task, planned in another.
    @Test func aCheckLeavesItsTask() async throws {
        let text = "mesh m1\nnetwork n1\ncluster c1 < trust from root; install network n1 >\ncluster c2 < trust from root; install network n1; discover with c1 >\n"
        let check = await Task.detached {
            Mesh(options: MeshOptions(readsKubeconfig: false)).check(source: text, name: "m.mesh", directory: "/")
        }.value
        let checked = try #require(check.checked)
        let steps = await Task.detached { checked.plan.steps.count }.value
        #expect(steps == checked.plan.steps.count && steps > 10)
    }

    /// A host command registered on the engine before the check runs in it, in its block.
    @Test func aHostCommandRunsInTheCheck() throws {
        let mesh = Mesh(options: MeshOptions(readsKubeconfig: false))
        let labels = LabelBox()
        mesh.engine.interpreter.register(CommandSignature("label", summary: "a label", allowedIn: [.cluster],
                                                          parameters: [.init("KEY", .name), .init("VALUE", .string)])) { call, _ in
            labels.values.append((call.arguments[0].string ?? "") + "=" + (call.arguments[1].string ?? ""))
        }
        let check = mesh.check(source: "mesh m1\nnetwork n1\ncluster c1 < label team \"mesh\"; install network n1 >\n",
                               name: "m.mesh", directory: "/")
        #expect(labels.values == ["team=mesh"])
        #expect(!check.diagnostics.hasErrors, "\(check.diagnostics)")
        // Its signature's block rule is checked before the run: the misplaced statement stops it.
        let misplaced = Mesh(options: MeshOptions(readsKubeconfig: false))
        misplaced.engine.interpreter.register(CommandSignature("label", summary: "a label", allowedIn: [.cluster],
                                                               parameters: [.init("KEY", .name), .init("VALUE", .string)])) { call, _ in
            labels.values.append("ran")
        }
        let outside = misplaced.check(source: "label x \"y\"\n", name: "m.mesh", directory: "/")
        #expect(outside.diagnostics.map(\.message).contains { $0.contains("'label' is only valid inside a cluster block") }, "\(outside.diagnostics)")
        #expect(labels.values == ["team=mesh"])
    }
}

private final class LabelBox: @unchecked Sendable { var values: [String] = [] }
