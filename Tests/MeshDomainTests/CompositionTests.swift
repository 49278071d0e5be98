// Recipes that compose (issue 11): a mesh, network or root declared again with the same
// settings is one declaration, and the query functions let a recipe link only its own clusters.
import Foundation
import Testing

import MeshDomain
import MeshScriptInterpreter

@Suite struct CompositionTests {
    /// Golden/composition.mesh, which imports two recipes declaring the same mesh, network and root.
    func composition() throws -> Checked {
        let path = try #require(GoldenFiles.directory).appendingPathComponent("composition.mesh").path
        let engine = MeshEngine(environment: [:])
        engine.interpreter.output = { _, _ in }
        return Checked(engine: engine, result: engine.check(file: path))
    }

    @Test func twoRecipesDeclaringOneNetworkAndRootPlanCleanly() throws {
        let checked = try composition()
        try #require(checked.errors.isEmpty, "script has errors:\n\(checked.rendered)")
        #expect(checked.topology.meshes.map(\.name.value) == ["mesh1"])
        #expect(checked.topology.networks.map(\.name.value) == ["network1", "network2"])
        #expect(checked.topology.roots.map(\.name.value) == ["corp"])
        // The ring on network2 links r1 and r2 only; r3's ring on network1 links it with a1.
        let links = Set(checked.topology.links.map { "\($0.source)->\($0.target)" })
        #expect(links == ["r1->r2", "r2->r1", "a1->r3", "r3->a1"])
        let plan = Planner.plan(checked.topology, options: PlanOptions(workDirectory: "w", scriptPath: "s.mesh"))
        #expect(Set(plan.steps.map(\.cluster)) == ["a1", "r1", "r2", "r3"])
        let remoteSecrets = plan.steps.compactMap { step -> String? in
            guard case .remoteSecret(let source, _) = step.kind else { return nil }
            return "\(source)->\(step.cluster)"
        }
        #expect(Set(remoteSecrets) == links)
    }

    @Test func aRootRepeatedWithAnotherFromIsAConflict() {
        let checked = check("root corp < from \"a\" >\nroot corp < from \"b\" >")
        #expect(checked.messages == ["root 'corp' is declared again with a different from (\"b\" here, \"a\" first)"], "\(checked.rendered)")
        #expect(checked.errors.first.flatMap(checked.line) == 2)
        #expect(checked.errors.first?.notes.first.flatMap(\.range).map { checked.engine.sources.file($0.file).location(of: $0.start).line } == 1)
    }

    @Test func aRepeatInsideItsOwnBlockIsNotMerged() {
        let checked = check("mesh m < import \"m.mesh\" >\nroot corp < import \"r.mesh\"; org \"A\" >",
                            others: ["m.mesh": "mesh m", "r.mesh": "root corp"])
        #expect(checked.messages == ["mesh 'm' is declared again inside its own block", "root 'corp' is declared again with a different org (\"Istio\" here, \"A\" first)"],
                "\(checked.rendered)")
    }

    /// A host command in the repeated mesh's block stores on the one mesh left, and undoing the
    /// statement (the REPL's rollback) restores it without touching a removed declaration.
    @Test func hostDataOfAMergedMeshMovesToTheFirstAndRollsBack() {
        let engine = MeshEngine(environment: [:], loader: InMemoryLoader([:]))
        let builder = engine.builder
        engine.interpreter.register(CommandSignature("tier", summary: "a host's mesh label", allowedIn: [.mesh],
                                                     parameters: [.init("T", .string)])) { call, _ in
            builder.setHostData("tier", .string(call.arguments[0].string!), on: .mesh)
        }
        #expect(!engine.evaluate(source: "mesh m < tier \"gold\" >", name: "a.mesh").hasErrors)
        let before = engine.snapshot()
        #expect(!engine.evaluate(source: "mesh m < tier \"silver\" >", name: "b.mesh").hasErrors)
        #expect(engine.topology.meshes.count == 1)
        #expect(engine.topology.meshes[0].hostData["tier"] == .string("silver"))
        engine.restore(before)
        #expect(engine.topology.meshes.count == 1)
        #expect(engine.topology.meshes[0].hostData["tier"] == .string("gold"))
    }

    @Test func queriesSeeOnlyWhatIsDeclaredSoFar() {
        let checked = check("""
            mesh m
            network n1
            let before = clusters("network:n1")
            cluster c1 < trust from root; install >
            assert $before == [] and clusters("network:n1") == ["c1"] and network_of("c1") == "n1"
            """)
        expectClean(checked)
    }
}
