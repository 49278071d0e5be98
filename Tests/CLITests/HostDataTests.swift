// Host data that reaches the artifacts: a host's `label KEY "VALUE"` command stores labels on the
// cluster whose block it is in; its plan hook adds a `kubectl label` step; its render hook adds
// the labels to the rendered istio-system manifest. The data shows in the topology, plan.json and
// the REPL's :show, and a rolled-back statement takes its data with it.
import Foundation
import MeshREPL
import MeshScript
import MeshTestSupport
import Testing

/// The label host of the DocC article "Adding a host command" (DocumentationTests.swift holds
/// its code, verbatim): `label`, `labels()` and their hooks, on a handle writing into `out`.
private func labelMesh(out: String) -> Mesh {
    var options = MeshOptions(workDirectory: out, readsKubeconfig: false)
    options.planHooks = [labelStep]
    options.renderHooks = [labelManifest]
    let mesh = Mesh(options: options)
    registerLabelCommand(on: mesh.engine)
    registerLabelsFunction(on: mesh.engine)
    return mesh
}

@Suite struct HostDataTests {
    static let script = """
        mesh m1
        network n1
        root root < key ecdsa p256 >
        cluster c1 < trust from root; install network n1; label team "mesh"; label cost-center "42" >
        cluster c2 < trust from root; install network n1; discover with c1 >

        """

    @Test func labelsReachTheTopologyThePlanAndTheRenderedNamespace() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let out = scratch.at("out")
        let check = labelMesh(out: out).check(source: Self.script, name: "m.mesh", directory: scratch.path)
        let checked = try #require(check.checked, "\(check.diagnostics)")
        #expect(labels(of: checked.topology.cluster(named: "c1")!) == ["team": "mesh", "cost-center": "42"])
        let plan = checked.plan
        let step = try #require(plan.steps.first { $0.kind == .host(name: "label") })
        #expect(step.cluster == "c1" && step.phase == .trust)
        #expect(step.commands[0].pipeline[0] == ["kubectl", "label", "namespace", "istio-system", "--overwrite", "cost-center=42", "team=mesh", "--context=c1"])
        #expect(plan.steps.map(\.number) == Array(1...plan.steps.count))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.json().utf8)) as? [String: Any])
        let hostData = try #require(json["hostData"] as? [String: Any])
        #expect(((hostData["clusters"] as? [String: Any])?["c1"] as? [String: Any])?["labels"] as? [String: String] == ["team": "mesh", "cost-center": "42"])
        let schema = try checkPlanSchema([try scratch.write("plan.json", plan.json())])
        #expect(schema.status == 0, "\(schema)")

        _ = try checked.render()
        let namespace = try String(contentsOfFile: out + "/c1/istio-system-namespace.yaml", encoding: .utf8)
        #expect(namespace.contains("  labels:\n    cost-center: \"42\"\n    team: mesh\n"), "\(namespace)")
        #expect(!(try String(contentsOfFile: out + "/c2/istio-system-namespace.yaml", encoding: .utf8)).contains("labels"))
        let written = try String(contentsOfFile: out + "/plan.json", encoding: .utf8)
        #expect(written.contains("\"kind\" : {\n        \"host\" : {\n          \"name\" : \"label\""), "render's plan.json has the hook's step")
        // The live plan always runs a host step: MeshScript does not read what it changes.
        let live = checked.live(["c1", "c2"].map { ClusterState(cluster: $0, context: $0) })
        #expect(live.steps.first { $0.step.kind == .host(name: "label") }?.change == .update)
    }

    /// In the REPL, :show lists a cluster's host data, and a failed statement takes its label back.
    @Test func theREPLShowsHostDataAndAFailedStatementTakesItBack() throws {
        var output = ""
        let session = REPLSession(environment: [:], directory: "/", color: false, write: { output += $0 }, writeError: { output += $0 })
        registerLabelCommand(on: session.engine)
        for line in ["mesh m1", "network n1", "cluster c1 < install network n1; label team \"mesh\" >", "cluster c2 < label team \"x\"; trust from nowhere; bogus >"] {
            _ = session.feed(line)
        }
        output = ""
        _ = session.feed(":show c1")
        #expect(output.contains("  labels: {team: \"mesh\"}\n"), "\(output)")
        output = ""
        _ = session.feed(":show c2")
        #expect(!output.contains("labels"), "the failed statement's label stayed: \(output)")
    }
}
