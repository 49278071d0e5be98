// Recipes that compose: default, keyword and typed parameters; blocks run by `yield`; values
// given by `return`; backtraces through the calls in progress; and `set`, which updates a
// binding of an enclosing scope.
import Foundation
import Testing

import MeshScriptInterpreter

@Suite struct RecipeParameters {
    static let recipe = """
        recipe p(name: name, net: string = "n1", count: int = 1, peers: list = [], on: bool = true) <
          emit "${name} ${net} ${count} ${peers} ${on}"
        >

        """

    /// A call, and what the recipe emits.
    @Test(arguments: [
        ("p east", "east n1 1 [] true"),
        ("p east \"n2\"", "east n2 1 [] true"),
        ("p east net = \"n2\"", "east n2 1 [] true"),
        ("p east count = 3 net = \"n3\"", "east n3 3 [] true"),
        ("p east \"n2\" 2 [a, b] false", "east n2 2 [\"a\", \"b\"] false"),
        ("p east peers = a, b", "east n1 1 [\"a\", \"b\"] true"),
        ("p name = east on = false", "east n1 1 [] false"),
    ])
    func aCallBindsPositionalKeywordAndDefaultArguments(call: String, emitted: String) {
        let r = run(Self.recipe + call + "\n")
        expectClean(r)
        #expect(r.log.first == emitted)
    }

    /// A call that is wrong, its error, and where the error and its note point (line:column).
    @Test(arguments: [
        ("p \"East\"", "'name' of recipe 'p' must be a name, got string \"East\"", "5:3", "1:16"),
        ("p [east]", "'name' of recipe 'p' must be a name, got list [\"east\"]", "5:3", "1:16"),
        ("p east count = \"2\"", "'count' of recipe 'p' must be an integer, got string \"2\"", "5:16", "1:49"),
        ("p east net = 2", "'net' of recipe 'p' must be a string, got integer 2", "5:14", "1:27"),
        ("p east peers = x", "'peers' of recipe 'p' must be a list, got string \"x\"", "5:16", "1:65"),
        ("p east on = 1", "'on' of recipe 'p' must be a boolean, got integer 1", "5:13", "1:80"),
        ("p east nett = \"n2\"", "recipe 'p' has no parameter 'nett'", "5:8", "1:8"),
        ("p east net = \"a\" net = \"b\"", "argument 'net' of recipe 'p' is given twice", "5:18", "5:8"),
        ("p east \"a\" net = \"b\"", "argument 'net' of recipe 'p' is given twice", "5:12", "5:8"),
        ("p net = \"a\"", "recipe 'p' needs argument 'name'", "5:1", "1:8"),
        ("p a \"b\" 1 [] true extra", "recipe 'p' takes at most 5 arguments, got 6", "5:19", "1:8"),
        ("emit p(east)", "recipe 'p' has no 'return', so called in an expression it has no value", "5:6", "1:8"),
        ("emit len(x = 1)", "len() takes no NAME = VALUE arguments", "5:10", nil),
        ("emit x = 1", "'emit' takes no NAME = VALUE arguments", "5:6", nil),
    ] as [(String, String, String, String?)])
    func aWrongCallIsAnErrorAtTheArgumentWithANoteAtTheParameter(call: String, message: String, at: String, noteAt: String?) {
        let r = run(Self.recipe + "\n" + call + "\n")
        guard let error = expectOneError(r, message) else { return }
        #expect(error.message == message)
        #expect(r.location(error).map(lineColumn) == at)
        if let noteAt {
            let note = error.notes.first { $0.range != nil }
            let location = note?.range.map { r.interpreter.sources.file($0.file).location(of: $0.start) }
            #expect(location.map(lineColumn) == noteAt, "\(error.notes)")
        }
        #expect(r.log.isEmpty)
    }

    @Test func aSimpleRecipeStillCountsItsArguments() {
        let r = run("recipe pair(a, b) < emit $a >\npair x\n")
        let error = expectOneError(r, "recipe 'pair' takes 2 arguments, got 1", line: 2)
        #expect(error?.notes.map(\.message) == ["'pair' is defined here"])
    }

    @Test func defaultsAreEvaluatedAtEachCallInTheRecipesHomeScope() {
        let r = run("""
            let n = 1
            recipe p(x = $n) < emit $x >
            p
            box b < let n = 2; p >
            """)
        expectClean(r)
        #expect(r.log == ["1", "box b <", "1", ">"], "the caller's $n does not leak into the default")
    }

    @Test func theHostCallsARecipeWithKeywordArguments() {
        let (interpreter, recorder) = makeInterpreter()
        _ = interpreter.run(source: RecipeParameters.recipe, name: "lib.mesh")
        let called = interpreter.call(recipe: "p", with: [.string("east")], keywords: ["count": .integer(7), "net": .string("n9")])
        #expect(!called.diagnostics.hasErrors, "\(called.diagnostics)")
        #expect(recorder.log == ["east n9 7 [] true"])
        let wrong = interpreter.call(recipe: "p", with: [.string("east")], keywords: ["count": .string("7")])
        #expect(wrong.diagnostics.map(\.message) == ["'count' of recipe 'p' must be an integer, got string \"7\""])
        #expect(interpreter.variableNames.isEmpty)
    }
}

@Suite struct RecipeBlocks {
    @Test func yieldRunsTheCallersBlockInItsScopeAndInTheKindWhereYieldStands() {
        let r = run("""
            recipe wrap(name) < box $name < yield > >
            let word = "caller"
            wrap b1 < tick; emit $word >
            wrap b2
            """)
        expectClean(r)
        #expect(r.log == ["box b1 <", "tick", "caller", ">", "box b2 <", ">"])
    }

    @Test func aBlocksYieldAndReturnBelongToTheRecipeItIsWrittenIn() {
        let r = run("""
            recipe twice() < yield; yield >
            recipe outer() < twice < yield > >
            outer < emit "o" >
            recipe find(items) <
              for i in $items < twice < if $i == 3 < emit "found"; return $i > > >
              return 0
            >
            emit find([1, 3, 5])
            """)
        // `return` inside the block given to `twice` ends `find`, not `twice`.
        expectClean(r)
        #expect(r.log == ["o", "o", "found", "3"])
    }

    @Test(arguments: [
        ("recipe r() < emit 1 >\nr < tick >", "recipe 'r' does not take a block", 2),
        ("yield", "'yield' outside a recipe", 1),
        ("recipe r() < box b < return 1 > >\nr", "'return' cannot leave a command's block", 1),
        ("return 1", "'return' outside a recipe", 1),
        ("recipe r() < emit 1 >\nemit r()", "recipe 'r' has no 'return', so called in an expression it has no value", 2),
        ("recipe r(x) < if $x < return 1 > >\nemit r(false)", "recipe 'r' ended without 'return', so it has no value", 2),
        ("recipe len(x) < return 1 >", "'len' is a built-in function and cannot be redefined", 1),
    ])
    func misuseIsAnError(source: String, message: String, line: Int) {
        let r = run(source + "\n")
        let error = expectOneError(r, message, line: line)
        #expect(error?.message == message)
    }

    @Test func aFileImportedInARecipesBodyIsNotPartOfTheRecipe() {
        let loader = InMemoryLoader(["/p/main.mesh": "recipe r() < import \"lib.mesh\"; return 1 >\nemit r()\n",
                                     "/p/lib.mesh": "yield\nreturn 2\n"])
        let r = runFile("/p/main.mesh", loader: loader)
        #expect(r.messages == ["'yield' outside a recipe", "'return' outside a recipe"], "\(r.rendered)")
        // The resolve pass reads the import (its path is known) and finds both: nothing runs.
        #expect(r.log.isEmpty)
    }

    @Test func aRecipeCalledInAnExpressionGivesItsReturnValue() {
        let r = run("""
            recipe label(name, prefix: string = "gw") < return "${prefix}-${name}" >
            let a = label(east)
            emit $a
            emit label(west, prefix = "eastwest")
            label dropped
            emit [label(x), label(y)]
            """)
        expectClean(r)
        #expect(r.log == ["gw-east", "eastwest-west", "[\"gw-x\", \"gw-y\"]"])
    }

    @Test func aRecipeCalledInAnExpressionRunsInItsStatementsBlockKind() {
        let r = run("""
            recipe ticked() < tick; return 1 >
            box b < emit ticked() >
            emit ticked()
            """)
        let error = expectOneError(r, "'tick' is only valid inside a box block", line: 1)
        #expect(error?.notes.map(\.message) == ["in recipe 'ticked', called here"])
        // The failed `tick` is skipped, as any failed statement is: the recipe still returns.
        #expect(r.log == ["box b <", "tick", "1", ">", "1"])
    }
}

@Suite struct Backtraces {
    /// A script whose error happens inside recipes, and the notes it carries, innermost first.
    @Test(arguments: [
        ("recipe a() < emit (\"x\" + 1) >\nrecipe b() < a >\nb\n",
         ["in recipe 'a', called here @2", "in recipe 'b', called here @3"]),
        ("recipe a(x) < tick >\na 1\n",
         ["in recipe 'a', called here @2"]),
        ("recipe f() < return \"x\" + 1 >\nrecipe g() < emit f() >\ng\n",
         ["in recipe 'f', called here @2", "in recipe 'g', called here @3"]),
        ("recipe w() < yield >\nw < emit (\"x\" + 1) >\n",
         ["in recipe 'w', called here @2"]),
        ("recipe up(n) < if $n == 10 < emit (\"x\" + 1) > else < up ($n + 1) > >\nup 0\n",
         Array(repeating: "in recipe 'up', called here @1", count: 8) + ["... and 3 more calls"]),
        ("emit (\"x\" + 1)\n", []),
    ])
    func anErrorInARecipeCarriesANotePerCallInProgress(source: String, notes: [String]) {
        let r = run(source)
        #expect(r.errors.count == 1, "\(r.rendered)")
        guard let error = r.errors.first else { return }
        let rendered = error.notes.map { note in note.message + (note.range.map { " @\(r.interpreter.sources.file($0.file).location(of: $0.start).line)" } ?? "") }
        #expect(rendered == notes)
    }

    @Test func aCommandsErrorCarriesTheBacktraceToo() {
        let (interpreter, _) = makeInterpreter()
        interpreter.register(CommandSignature("fail", summary: "always fails", allowedIn: [.topLevel])) { call, _ in
            throw CommandError("it failed", at: call.nameRange)
        }
        let outcome = interpreter.run(source: "recipe r() < fail >\nr\n", name: "t.mesh")
        #expect(outcome.diagnostics.map(\.message) == ["it failed"])
        #expect(outcome.diagnostics.first?.notes.map(\.message) == ["in recipe 'r', called here"])
    }
}

@Suite struct SetStatement {
    @Test func setUpdatesTheNearestEnclosingBinding() {
        let r = run("""
            let peers = []
            for c in [a, b, c] < set peers = $peers + [$c] >
            emit $peers
            recipe bump() < set n = $n + 1 >
            let n = 0
            bump; bump
            emit $n
            if true < let n = 10; set n = 11; emit $n >
            emit $n
            """)
        expectClean(r)
        #expect(r.log == ["[\"a\", \"b\", \"c\"]", "2", "11", "2"])
    }

    @Test(arguments: [
        ("set x = 1", "'set' needs a bound variable, and '$x' is not bound", "bind it first with: let x = VALUE"),
        ("let peers = []\nset peer = 1", "'set' needs a bound variable, and '$peer' is not bound",
         "did you mean '$peers'? or bind it first with: let peer = VALUE"),
    ])
    func setOfAnUnboundNameIsAnError(source: String, message: String, help: String) {
        let r = run(source + "\n")
        expectOneError(r, message, help: help)
    }

    @Test func setIsAKeywordOnlyBeforeANameAndEquals() {
        let r = run("""
            recipe set(x) < emit $x >
            set 1
            let set = 2
            emit $set
            recipe yield(x) < emit $x >
            yield 3
            """)
        expectClean(r)
        #expect(r.log == ["1", "2", "3"])
    }
}
