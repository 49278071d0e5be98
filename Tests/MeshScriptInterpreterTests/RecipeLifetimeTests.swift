// A recipe and the scope it is declared in must not keep each other alive: every interpreter
// that declared a recipe leaked its globals (LeakSanitizer reported `recipe r() < >`).
import Testing

@testable import MeshScriptInterpreter

@Suite struct RecipeLifetime {
    /// The scope `source` runs in, held weakly, once the interpreter that ran it is released.
    private func globalsAfterRunning(_ source: String) -> Scope? {
        weak var globals: Scope?
        do {
            let (interpreter, _) = makeInterpreter()
            let outcome = interpreter.run(source: source, name: "test.mesh")
            #expect(outcome.diagnostics.isEmpty)
            globals = interpreter.globals
        }
        return globals
    }

    @Test(arguments: [
        "recipe r() < >",
        "recipe r() < >\nr",
        "if true < recipe q() < print 1 >\nq >",
        "for i in [1, 2] < recipe q() < print $i >\nq >",
    ])
    func aRecipeDoesNotKeepItsScopeAlive(source: String) {
        #expect(globalsAfterRunning(source) == nil)
    }

    @Test func anImportedRecipeDoesNotKeepScopesAlive() {
        weak var globals: Scope?
        weak var module: Scope?
        do {
            let loader = InMemoryLoader([
                "/p/main.mesh": "import \"lib.mesh\"\nrecipe top() < print \"top\" >\nhello",
                "/p/lib.mesh": "let who = \"lib\"\nrecipe hello() < print $who >",
                "/p/other.mesh": "import \"main.mesh\"\nrecipe again() < top\nhello >",
            ])
            let (interpreter, recorder) = makeInterpreter(loader: loader)
            let outcome = interpreter.runFile("/p/main.mesh")
            #expect(outcome.diagnostics.isEmpty)
            // As in the REPL after running the file: a file that imports the ran file (whose
            // scope is the interpreter's own) is imported, and its recipes copied back.
            let again = interpreter.run(source: "import \"/p/other.mesh\"\nagain", name: "repl")
            #expect(again.diagnostics.isEmpty)
            #expect(recorder.printed == ["lib", "top", "lib"])
            globals = interpreter.globals
            module = interpreter.modules["/p/lib.mesh"]
            #expect(module != nil)
        }
        #expect(globals == nil)
        #expect(module == nil)
    }
}
