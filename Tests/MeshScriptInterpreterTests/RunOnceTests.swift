// A file's top-level commands of plain words run from their syntax, and a block they
// open runs in place when it binds no names (Interpreter.executeOnce); the same statements
// inside `if true < ... >` run as nodes. Both must give the same log, diagnostics and steps.
import Testing

import MeshScriptInterpreter

@Suite struct RunOnce {
    static let scripts = [
        // Words of each kind: a bare name, a string, a variable; an option with its value.
        "let v = 7\nbox b1 < greet a with 2; tick; emit \"text\"; emit $v >\ngreet z\ncount\n",
        // A block that binds a name runs as nodes (it needs a scope of its own).
        "box b2 < let x = 1; emit $x; tick >\nemit done\n",
        // Errors found while running: a value of the wrong kind, a word no option names.
        "let s = \"many\"\ngreet a with $s\nbox b3 < greet b wth 2; tick >\nemit after\n",
        // Lists of plain words, one holding a list variable; more words than a compact command keeps.
        "let more = [\"x\", [\"y\"]]\nemit a, \"b\", $more\nbox b5 < emit c, d; emit [e, f]; greet g with 3 >\nemit 1, 2\n",
        // A word whose variable a failed statement left without a value, alone and in a list.
        "let x = len(5)\nemit $x\nbox b6 < emit a, $x; tick >\nemit after\n",
        // A recipe call of plain words runs as nodes, in a block that runs in place too.
        "recipe twice(n) < emit $n; emit $n >\ntwice 3\nbox b4 < twice 4; tick; count >\n",
    ]

    /// `source` inside `if true < ... >`: 2 more steps (`if`, `true`), the rest 10 bytes on.
    static func wrapped(_ source: String) -> String { "if true <\n" + source + ">\n" }

    struct Observed: Equatable {
        var log: [String]
        var diagnostics: [String]
    }

    static func observe(_ run: Run, shift: Int) -> Observed {
        Observed(log: run.log, diagnostics: run.diagnostics.map { diagnostic in
            let range = diagnostic.range.map { "\($0.start - shift)-\($0.end - shift)" } ?? "-"
            // The step limit's message names the limit, 2 more for the wrapped script.
            let message = diagnostic.message.replacing(/\(\d+ steps\)/, with: "(the limit)")
            return "\(diagnostic.severity) \(range) \(message) \(diagnostic.help ?? "")"
        })
    }

    @Test(arguments: scripts.indices)
    func aTopLevelCommandRunsAsItsNodesWould(script: Int) {
        let source = Self.scripts[script]
        let once = Self.observe(run(source), shift: 0)
        let nodes = Self.observe(run(Self.wrapped(source)), shift: 10)
        #expect(once == nodes)
        #expect(!once.log.isEmpty, "the script must run (not stop at a static check) to compare anything: \(once)")
    }

    /// A command's context and its word buffers are reused by the next commands (`runHandler`,
    /// `recycle`) unless the handler keeps them: what a handler kept stays as it was, and a
    /// context it kept still runs its own block after the command has ended.
    @Test func whatAHandlerKeepsIsNotReused() {
        let (interpreter, recorder) = makeInterpreter()
        var kept: [CommandInvocation] = [], contexts: [CommandContext] = []
        interpreter.register(CommandSignature("keep", summary: "keeps its call", allowedIn: [.topLevel, .box],
                                              parameters: [.init("NAME", .name)], options: [.init("with", [.init("V", .any)])],
                                              body: .optional(.box))) { call, context in
            kept.append(call)
            contexts.append(context)
        }
        let outcome = interpreter.run(source: "keep a with 1\nkeep b\nkeep c with x < emit inside >\nemit 5; emit six\nkeep d with [7, 8]\n",
                                      name: "keep.mesh")
        #expect(!outcome.diagnostics.hasErrors, "\(outcome.diagnostics)")
        #expect(kept.map { $0.arguments.map(\.value.text) } == [["a"], ["b"], ["c"], ["d"]])
        #expect(kept.map { $0.options["with"]?.map(\.value.text) ?? [] } == [["1"], [], ["x"], ["[7, 8]"]])
        #expect(recorder.log == ["5", "six"])
        #expect(throws: Never.self) { try contexts[2].evaluateBlock() }
        #expect(recorder.log == ["5", "six", "inside"])
    }

    /// Every step limit up to the script's last step: the limit is reported at the same node
    /// after the same work, so each step is charged where its node would charge it.
    @Test(arguments: scripts.indices)
    func everyStepLimitStopsAtTheSamePlace(script: Int) {
        let source = Self.scripts[script]
        for limit in 1...60 {
            let once = Self.observe(run(source, limits: Limits(maxSteps: limit)), shift: 0)
            let nodes = Self.observe(run(Self.wrapped(source), limits: Limits(maxSteps: limit + 2)), shift: 10)
            #expect(once == nodes, "limit \(limit)")
        }
    }
}
