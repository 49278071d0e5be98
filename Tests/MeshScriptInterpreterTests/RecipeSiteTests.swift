// A call site remembers the recipe its name found (`RecipeSite`): each test runs one call site
// several times while what its name means changes in between, so a memory that went stale
// (or that outlived the recipe it names) calls the wrong recipe.
import Foundation
import Testing

@testable import MeshScriptInterpreter

@Suite struct RecipeSites {
    /// A loop body that declares the recipe it calls: each iteration's scope is new (often at
    /// the address of the last one), and the call after the declaration finds that
    /// iteration's recipe; the call before it finds the outer one.
    @Test func aRecipeRedefinedInEachIterationIsFoundAfresh() {
        let r = run("""
            recipe r() < emit outer >
            for i in range(0, 3) < r; recipe r() < emit "inner ${i}" >; r >

            """)
        expectClean(r)
        #expect(r.log == ["outer", "inner 0", "outer", "inner 1", "outer", "inner 2"])
    }

    /// A recipe declared in a nested block shadows the outer one only in that block: the call
    /// sites in the blocks `twice` yields to, inside and outside it, run again and again (the
    /// `if` block's scope is new each time, often where the last one was).
    @Test func aRecipeShadowedInANestedBlockIsFoundThereOnly() {
        let r = run("""
            recipe r() < emit outer >
            recipe twice() < yield; yield >
            for i in range(0, 4) <
              if $i == 1 or $i == 3 < recipe r() < emit "inner ${i}" >; twice < r > > else < twice < r > >
            >

            """)
        expectClean(r)
        #expect(r.log == ["outer", "outer", "inner 1", "inner 1", "outer", "outer", "inner 3", "inner 3"])
    }

    /// REPL entries: a recipe's body keeps its call sites from one entry to the next, while
    /// entries in between bind other recipes and are taken back (undo); a recipe taken back
    /// and declared again differently, or after `reset`, is the one the next call finds.
    @Test func recipesRedefinedInTheREPLAreFoundAfresh() {
        let (interpreter, recorder) = makeInterpreter()
        func entry(_ source: String) -> [String] {
            interpreter.run(source: source + "\n", name: "entry").diagnostics.filter { $0.severity == .error }.map(\.message)
        }
        let empty = interpreter.snapshot()
        #expect(entry("recipe r() < emit one >\nrecipe callR() < r >\ncallR") == [])
        let declared = interpreter.snapshot()
        #expect(entry("recipe other() < emit other >\ncallR\nother") == [])
        interpreter.restore(declared)
        #expect(entry("callR") == [])
        #expect(entry("other") == ["unknown command 'other'"])
        interpreter.restore(empty)
        #expect(entry("callR") == ["unknown command 'callR'"])
        #expect(entry("recipe r() < emit two >\nrecipe callR() < r >\ncallR") == [])
        interpreter.reset()
        #expect(entry("recipe r() < emit three >\nrecipe callR() < r >\ncallR\ncallR") == [])
        #expect(recorder.log == ["one", "one", "other", "one", "two", "three", "three"])
    }

    /// An import into a loop's scope binds a recipe nearer than the file's, for the call sites
    /// before and after it (the scope is reused by the next iteration, and keeps it).
    @Test(arguments: ScriptTree.Storage.allCases)
    func anImportedRecipeShadowsTheFilesFromThenOn(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: [
            "proj/main.mesh": """
                recipe r() < emit main >
                for i in range(0, 3) <
                  r
                  import "lib.mesh"
                  r
                >
                """,
            "proj/lib.mesh": "recipe r() < emit lib >\n",
        ]).runMain(storage)
        expectClean(r)
        #expect(r.log == ["main", "lib", "lib", "lib", "lib", "lib"])
    }

    /// A loop's scope, reused by each iteration, binds recipes by importing them: the call site
    /// keeps starting its search in that scope, and what the name finds there changes when the
    /// second import binds it, from the next iteration on.
    @Test(arguments: ScriptTree.Storage.allCases)
    func aRecipeImportedIntoTheScopeASiteSearchesIsFoundFromThenOn(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: [
            "proj/main.mesh": """
                recipe r() < emit main >
                for i in range(0, 3) <
                  import "a.mesh"
                  r
                  import "b.mesh"
                >
                """,
            "proj/a.mesh": "recipe a() < emit a >\n",
            "proj/b.mesh": "recipe r() < emit b >\n",
        ]).runMain(storage)
        expectClean(r)
        #expect(r.log == ["main", "b", "b"])
    }

    /// A recipe's call runs a block that imports the recipe's own file again: the recipe stays
    /// bound as it was (the running call is not left holding a recipe the import replaced), and
    /// each later call finds it.
    @Test(arguments: ScriptTree.Storage.allCases)
    func reimportingTheFileOfARunningRecipeKeepsIt(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: [
            "proj/main.mesh": """
                import "lib.mesh"
                import "lib.mesh" as ns
                for i in range(0, 3) < around $i < import "lib.mesh"; import "lib.mesh" as ns; emit "block ${i}" > >
                ns.around 9 < emit "namespaced" >
                """,
            "proj/lib.mesh": "recipe around(n) < emit \"before ${n}\"; yield; emit \"after ${n}\" >\n",
        ]).runMain(storage)
        expectClean(r)
        #expect(r.log == ["before 0", "block 0", "after 0", "before 1", "block 1", "after 1", "before 2", "block 2", "after 2",
                          "before 9", "namespaced", "after 9"])
    }

    /// A call site keeps the recipe it found unowned, and a call runs it so: the recipe's
    /// binding is what keeps it alive. Importing its file again, into the scope that binds it
    /// (a REPL entry), leaves the very same recipe bound, not a new copy in its place; an
    /// import in a block a running call gives (`yield`) binds into that block's own scope.
    @Test func aSecondImportLeavesTheSameRecipeBound() {
        let loader = InMemoryLoader([
            "/p/main.mesh": "import \"lib.mesh\"\nimport \"lib.mesh\" as ns\n",
            "/p/lib.mesh": "recipe around() < yield >\n",
        ])
        let (interpreter, recorder) = makeInterpreter(loader: loader)
        #expect(interpreter.runFile("/p/main.mesh").diagnostics.isEmpty)
        func bound(_ name: String) -> Recipe? { interpreter.symbols.symbol(named: name).flatMap { interpreter.globals.recipes[$0] } }
        weak let plain = bound("around"), namespaced = bound("ns.around")
        for entry in ["import \"/p/lib.mesh\"\n",
                      "around < import \"/p/lib.mesh\"; import \"/p/lib.mesh\" as ns; emit ran >\n"] {
            let again = interpreter.run(source: entry, name: "entry")
            #expect(again.diagnostics.isEmpty, "\(again.diagnostics)")
        }
        #expect(recorder.log == ["ran"])
        #expect(plain != nil && bound("around") === plain)
        #expect(namespaced != nil && bound("ns.around") === namespaced)
    }

    /// A name that finds no recipe at first finds one declared later in the same scope.
    @Test func aCommandSiteFindsARecipeDeclaredAfterItsFirstRun() {
        let r = run("""
            recipe call() < r >
            call
            recipe r() < emit declared >
            call

            """)
        #expect(r.messages == ["unknown command 'r'"])
        #expect(r.log == ["declared"])
    }
}
