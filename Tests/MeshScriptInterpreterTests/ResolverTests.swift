// The resolve pass: names are checked in all of a program's code before anything runs (the
// golden resolve-errors.mesh has one case of each diagnostic); here, what it sees and when.
import Foundation
import Testing

import MeshScriptInterpreter

@Suite struct ResolvePass {
    @Test func anErrorInARecipeNeverCalledStopsTheRunBeforeItStarts() {
        let r = run("""
            emit "before"
            recipe unused() < emit $typo >
            emit "after"
            """)
        expectOneError(r, "undefined variable '$typo'", line: 2)
        #expect(r.log.isEmpty)
        #expect(!r.outcome.evaluated)
    }

    @Test func aRecipeBodySeesTheNamesItsScopeDefinesLater() {
        let r = run("""
            recipe show() < emit $later; helper >
            recipe helper() < emit "helper" >
            let later = "later"
            show
            """)
        expectClean(r)
        #expect(r.log == ["later", "helper"])
    }

    @Test func codeInABlockSeesOnlyWhatIsDefinedBeforeIt() {
        let r = run("""
            box b < emit $soon >
            let soon = 1
            """)
        expectOneError(r, "undefined variable '$soon'", line: 1)
    }

    @Test func hostBindingsArePredeclared() {
        let (interpreter, recorder) = makeInterpreter()
        interpreter.bind("region", to: .string("eu"))
        let outcome = interpreter.run(source: "emit $region\n", name: "test.mesh")
        let r = Run(interpreter: interpreter, recorder: recorder, outcome: outcome)
        expectClean(r)
        #expect(r.log == ["eu"])
    }

    @Test func aLaterEntrySeesTheGlobalsOfEarlierOnes() {
        let (interpreter, recorder) = makeInterpreter()
        _ = interpreter.run(source: "let a = 1\nrecipe r(x) < emit $x >\n", name: "1")
        let second = Run(interpreter: interpreter, recorder: recorder, outcome: interpreter.run(source: "r $a\n", name: "2"))
        expectClean(second)
        #expect(second.log == ["1"])
        let third = Run(interpreter: interpreter, recorder: recorder, outcome: interpreter.run(source: "r $a 2\nlet a = 3\n", name: "3"))
        #expect(third.messages == ["recipe 'r' takes 1 argument, got 2", "'$a' is already defined in this scope"])
    }

    @Test(arguments: ScriptTree.Storage.allCases)
    func anImportedFileIsResolvedBeforeTheImporterRuns(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: [
            "proj/main.mesh": """
                emit "main runs"
                import "lib.mesh"
                hello $who
                """,
            "proj/lib.mesh": """
                let who = "lib"
                recipe hello(x) < emit $x >
                recipe broken() < emit $missing >
                """,
        ]).runMain(storage)
        #expect(r.messages == ["undefined variable '$missing'"])
        #expect(r.errors.first.flatMap { r.interpreter.sources.file($0.range!.file).path.hasSuffix("lib.mesh") } == true)
        #expect(r.log.isEmpty)
    }

    @Test(arguments: ScriptTree.Storage.allCases)
    func theImportedNamesAreKnownAndUnknownOnesReported(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: [
            "proj/main.mesh": """
                import "lib.mesh"
                hello $who
                helo $who
                """,
            "proj/lib.mesh": """
                let who = "lib"
                recipe hello(x) < emit $x >
                """,
        ]).runMain(storage)
        expectOneError(r, "unknown command 'helo'", line: 3, help: "did you mean 'hello'?")
    }

    @Test func anImportWithAComputedPathIsResolvedWhenItRuns() {
        let loader = InMemoryLoader(["/p/lib.mesh": "let who = \"lib\"\nrecipe broken() < emit $missing >\n",
                                     "/p/good.mesh": "let who = \"good\"\n"])
        let (interpreter, recorder) = makeInterpreter(loader: loader)
        // The path is known only when the statement runs: names after it may come from it.
        let good = interpreter.run(source: "let file = \"good\"\nimport \"${file}.mesh\"\nemit $who\n", name: "main.mesh", directory: "/p")
        #expect(good.diagnostics.filter { $0.severity == .error }.isEmpty, "\(good.diagnostics)")
        #expect(recorder.log == ["good"])
        let (second, secondRecorder) = makeInterpreter(loader: loader)
        let bad = second.run(source: "let file = \"lib\"\nimport \"${file}.mesh\"\nemit \"after\"\n", name: "main.mesh", directory: "/p")
        #expect(bad.diagnostics.filter { $0.severity == .error }.map(\.message) == ["undefined variable '$missing'", "'lib.mesh' has errors"])
        #expect(secondRecorder.log == ["after"])
    }

    @Test func shadowingAnOuterBindingIsAWarningWithTheSetFix() {
        let r = run("""
            let peers = []
            for c in [a, b] < let peers = $peers + [$c] >
            """)
        expectClean(r)
        let warning = r.diagnostics.first { $0.severity == .warning }
        #expect(warning?.message == "'let peers' shadows the '$peers' of an enclosing scope")
        #expect(warning?.help?.contains("set peers = VALUE") == true)
    }

    @Test(arguments: ["recipe p(name) < emit name >", "for name in [a] < emit name >"])
    func aBareWordSpelledLikeAParameterOrLoopVariableWarns(source: String) {
        let r = run(source + "\n")
        expectClean(r)
        let warning = r.diagnostics.first { $0.severity == .warning }
        #expect(warning?.message.hasPrefix("the bare word 'name' is the text \"name\"") == true, "\(r.diagnostics)")
        #expect(warning?.help?.hasPrefix("write $name") == true)
    }

    // The resolver reads a command of a few plain words from its offsets and checks a bare
    // word against the variables in scope only below a parameter or loop variable: each
    // diagnostic, at its word, and none where the nearest binding is a plain variable.
    @Test func commandsOfPlainWordsAreCheckedInPlaceAtEveryDepth() {
        let r = run("""
            tick
            emit a < emit b >
            box b
            recipe p(name) < box b < emit name; greet $name; let x = name > >
            for item in [a] < box c < box d < emit item > > >
            recipe q(name) < box e < let name = "n"; emit name > >
            let plain = 1
            emit plain
            recipe r(name) < box f < emit name; greet $nope; nosuch name > >
            recipe s() < box g < return 1 > >
            """)
        #expect(r.errors.map { "\(r.line($0)!): \($0.message)" } == [
            "1: 'tick' is only valid inside a box block",
            "2: 'emit' does not take a block",
            "3: 'box' needs a block",
            "5: 'box' is only valid at the top level",
            "9: undefined variable '$nope'",
            "9: unknown command 'nosuch'",
            "10: 'return' cannot leave a command's block",
        ], "\(r.rendered)")
        let warnings = r.diagnostics.filter { $0.severity == .warning }.map { "\(r.line($0)!):\(r.location($0)!.column): \($0.message)" }
        #expect(warnings == [
            "4:31: the bare word 'name' is the text \"name\", not the parameter '$name'",
            "4:58: the bare word 'name' is the text \"name\", not the parameter '$name'",
            "5:40: the bare word 'item' is the text \"item\", not the loop variable '$item'",
            "6:30: 'let name' shadows the '$name' of an enclosing scope",
            "9:31: the bare word 'name' is the text \"name\", not the parameter '$name'",
            "9:57: the bare word 'name' is the text \"name\", not the parameter '$name'",
        ], "\(r.rendered)")
    }

    @Test func anOptionKeywordSpelledLikeAParameterDoesNotWarn() {
        let r = run("recipe p(with) < greet bob with 2 >\np x\n")
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
    }
}

/// `set` changes a global: a failed REPL entry, or an undone one, gives the value back.
@Suite struct SetUndo {
    @Test func restoringASnapshotGivesASetGlobalItsValueBack() {
        let (interpreter, recorder) = makeInterpreter()
        _ = interpreter.run(source: "let total = 1\n", name: "1")
        let before = interpreter.snapshot()
        let failed = interpreter.run(source: "for i in range(0, 1000) < set total = $total + 1 >\nassert false\n", name: "2")
        #expect(failed.diagnostics.map(\.message) == ["assertion failed"])
        #expect(interpreter.variable("total") == .integer(1001))
        interpreter.restore(before)
        #expect(interpreter.variable("total") == .integer(1))
        // An entry kept, then taken back (:undo), and one after it.
        let kept = interpreter.snapshot()
        _ = interpreter.run(source: "set total = 7\n", name: "3")
        _ = interpreter.snapshot()
        _ = interpreter.run(source: "set total = 8\nlet other = 2\n", name: "4")
        #expect(interpreter.variable("total") == .integer(8))
        interpreter.restore(kept)
        #expect(interpreter.variable("total") == .integer(1))
        #expect(interpreter.variable("other") == nil)
        _ = recorder
    }
}

/// The resolve pass recurses once per level of nesting, as the parser does: what the parser's
/// cap allows must resolve on a thread with the stack an ordinary thread has (8 MiB), in a
/// debug build.
@Suite struct ResolveDepth {
    @Test(arguments: ["blocks", "expressions", "lists"])
    func theDeepestInputTheParserAllowsResolvesOnASmallThread(shape: String) {
        final class Box: @unchecked Sendable { var diagnostics: [Diagnostic] = [] }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let depth = Limits().maxNestingDepth - 4
        let body: String
        switch shape {
        case "blocks": body = String(repeating: "if true < ", count: depth) + "emit $x" + String(repeating: " >", count: depth)
        case "expressions": body = "emit " + String(repeating: "(", count: depth) + "$x" + String(repeating: ")", count: depth)
        default: body = "emit " + String(repeating: "[", count: depth) + "$x" + String(repeating: "]", count: depth)
        }
        let thread = Thread {
            // In a recipe never called: only the parser and the resolver walk it.
            box.diagnostics = run("recipe deep(x) < " + body + " >\n").diagnostics
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        done.wait()
        #expect(!box.diagnostics.hasErrors, "\(box.diagnostics.map(\.message))")
    }
}
