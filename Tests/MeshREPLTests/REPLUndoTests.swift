// :undo, a cluster declared twice, and a cluster named before it is declared: what a session
// says at once, and what :save, :show and :plan see afterwards.
import Foundation
import MeshREPL
import MeshTestSupport
import Testing

@Suite struct REPLUndoTests {
    @Test func undoTakesBackTheLastStatementWithEverythingItDeclared() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m")
        repl.enter("network n1")
        repl.enter("let names = [\"c1\", \"c2\"]")
        repl.enter("for n in $names <", "  cluster $n < trust from root; install network n1 >", ">")
        #expect(repl.clusterNames == ["c1", "c2"])
        let undone = repl.run(":undo")
        #expect(undone.output == "undone: for n in $names < ...\n", "\(undone)")
        #expect(repl.clusterNames.isEmpty)
        #expect(repl.session.engine.interpreter.variable("names") != nil, "only the last statement is taken back")
        #expect(repl.run(":undo").output == "undone: let names = [\"c1\", \"c2\"]\n")
        #expect(repl.session.engine.interpreter.variable("names") == nil)
        #expect(repl.session.accepted == ["mesh m", "network n1"])
        _ = repl.run(":undo")
        _ = repl.run(":undo")
        #expect(repl.run(":undo").errors == "error: nothing to undo\n")
        // What is left is a session that works as a fresh one.
        repl.enter("mesh m2")
        #expect(repl.session.engine.topology.mesh?.name.value == "m2")
    }

    @Test func aClusterDeclaredAgainIsAnErrorThatSaysHowToReplaceIt() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m")
        repl.enter("network n1")
        repl.enter("cluster c2 < trust from root; install network n1 >")
        let again = repl.run("cluster c2 < install network n1 >")
        #expect(again.errors.contains("error: cluster 'c2' is already declared in this session"), "\(again)")
        #expect(again.errors.contains("note: first declared here"), "\(again)")
        #expect(again.errors.contains(":undo back to the statement that declared it"), "\(again)")
        #expect(repl.clusterNames == ["c2"], "the second c2 was not added")
        #expect(repl.session.accepted.count == 3)
        // Replacing it: undo, declare again.
        _ = repl.run(":undo")
        repl.enter("cluster c2 < install network n1 >")
        #expect(repl.session.engine.topology.cluster(named: "c2")?.trust == nil)
    }

    @Test func aClusterNamedBeforeItIsDeclaredGetsANoteAtOnce() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m")
        repl.enter("network n1")
        let early = repl.run("cluster c1 < trust from root; install network n1; discover with c3 >")
        #expect(early.errors.contains("note: cluster 'c3' is not declared yet: declare it before :check or :plan"), "\(early)")
        #expect(!early.errors.contains("error"), "a note, not an error: \(early)")
        #expect(repl.clusterNames == ["c1"])
        let declared = repl.run("cluster c3 < trust from root; install network n1 >")
        #expect(declared.errors.isEmpty, "\(declared)")
        #expect(repl.run(":check").output.hasPrefix("ok: 2 clusters"))
    }
}
