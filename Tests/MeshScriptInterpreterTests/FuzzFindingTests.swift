// Findings of the fuzzer (scripts/fuzz) that a replay of Fuzz/corpus cannot show, as tests.
//
// Leak: a recipe holds the scope it was declared in (`Recipe.scope`, for lexical scoping) and
// that scope holds the recipe (`Scope.recipes`): a retain cycle. Every scope that declares a
// recipe is never freed — the interpreter's globals, an imported file's scope, and a block's
// scope on every run of the block, so `for i in range(1000000) < recipe q() < > >` keeps a
// million scopes (meshscript check: about 500 MB, against 48 MB with a `let` instead), past the
// step limit's bound on memory. Found by LeakSanitizer on the golden recursion-limit.mesh; fixed
// by scopes owning their recipes (RecipeLifetimeTests has the other shapes); the inputs are in
// Fuzz/corpus, replayed with leak detection on by scripts/fuzz.
import Testing

@testable import MeshScriptInterpreter

@Suite struct FuzzFindings {
    /// Runs `source` in a fresh interpreter, drops the interpreter, and says whether its global
    /// scope was freed.
    static func globalScopeIsFreed(_ source: String) -> Bool {
        weak var globals: Scope?
        do {
            let interpreter = Interpreter(loader: InMemoryLoader([:]))
            interpreter.output = { _, _ in }
            _ = interpreter.run(source: source, name: "leak.mesh")
            globals = interpreter.globals
        }
        return globals == nil
    }

    @Test func aScopeWithoutRecipesIsFreed() {
        // The check below can see a scope being freed.
        #expect(Self.globalScopeIsFreed("let x = 1\nif true < let y = [$x] >\n"))
    }

    @Test func aScopeThatDeclaresARecipeIsFreed() {
        #expect(Self.globalScopeIsFreed("recipe r() < >\nr\n"))
        #expect(Self.globalScopeIsFreed("for i in range(0, 3) < recipe q() < > ; q >\n"))
    }
}
