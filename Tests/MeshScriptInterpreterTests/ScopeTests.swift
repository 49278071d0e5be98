// Scope storage: interned names, and bindings whose storage a loop reuses across iterations.
import Testing

@testable import MeshScriptInterpreter

@Suite struct ScopeStorage {
    @Test func internedNamesAreStable() {
        var symbols = SymbolTable()
        let a = symbols.intern("a")
        #expect(symbols.intern("b") != a)
        #expect(symbols.intern("a") == a)
    }

    /// After `removeAll`, stale entries stay in storage: they must be invisible, and binding
    /// names in another order must not mix up keys and entries.
    @Test(arguments: [2, 20]) // small scopes scan, big ones use the hash index
    func reusedStorageForgetsAndRebindsInAnyOrder(size: Int) {
        var symbols = SymbolTable()
        let names = (0..<size).map { "v\($0)" }
        let keys = names.map { symbols.intern($0) }
        var bindings = MeshScriptInterpreter.Bindings<Int>()
        for (index, key) in keys.enumerated() { bindings.bind(key, names[index], index) }
        bindings.removeAll()
        #expect(keys.allSatisfy { bindings[$0] == nil })
        #expect(bindings.names.isEmpty)
        #expect(bindings.entry(named: names[0]) == nil)

        for (index, key) in keys.enumerated().reversed().dropLast() { bindings.bind(key, names[index], 100 + index) }
        #expect(bindings[keys[0]] == nil)
        for index in 1..<size { #expect(bindings[keys[index]] == 100 + index) }
        #expect(bindings.names == Array(names.dropFirst().reversed()))
        #expect(bindings.map(\.0.name) == bindings.names)
        #expect(bindings.entry(named: names[1]) == 101)
    }

    /// The REPL's snapshot is a copy of the global bindings: changing one must not change the other.
    @Test func copiesAreIndependent() {
        var symbols = SymbolTable()
        let a = symbols.intern("a"), b = symbols.intern("b")
        var bindings = MeshScriptInterpreter.Bindings<Int>()
        bindings.bind(a, "a", 1)
        let snapshot = bindings
        bindings.removeAll()
        bindings.bind(b, "b", 2)
        #expect(snapshot[a] == 1 && snapshot[b] == nil && snapshot.names == ["a"])
        #expect(bindings[a] == nil && bindings[b] == 2)
    }
}

/// Names a block binds itself live in numbered slots (see `ScopeLayout`): what a `$name` reads
/// must be what a search of the scopes by name, innermost first, would find.
@Suite struct Slots {
    /// A nested block is lowered when it first runs, after the `let` below it was numbered: until
    /// that `let` runs in this iteration, `$x` is the outer one, not last iteration's value.
    @Test func aNameIsUnboundUntilItsLetRunsInEachIteration() {
        let run = run("""
            let x = "outer"
            for i in range(0, 3) <
              if ($i > 0) < print $x >
              let x = "inner"
              print $x
            >
            """)
        expectClean(run)
        #expect(run.printed == ["inner", "outer", "inner", "outer", "inner"])
    }

    @Test func aRecipeInALoopSeesTheLetsOfItsIteration() {
        let run = run("""
            for i in range(0, 2) <
              recipe show(suffix = $i) < print "${$later}-${$suffix}" >
              let later = $i + 10
              show
              show "s"
            >
            """)
        expectClean(run)
        #expect(run.printed == ["10-0", "10-s", "11-1", "11-s"])
    }

    @Test func setReachesTheSlotItNames() {
        let run = run("""
            let total = 0
            for i in range(0, 4) <
              let doubled = $i
              set doubled = $doubled + $i
              for j in range(0, 2) < set total = $total + $doubled >
            >
            recipe bump(n) <
              set n = $n + 1
              return $n
            >
            print $total
            print bump(41)
            """)
        expectClean(run)
        #expect(run.printed == ["24", "42"])
    }

    @Test func comprehensionsAndNestedRecipesReadTheirOwnAndOuterSlots() {
        let run = run("""
            for i in range(1, 3) <
              print [$v + $i for v in range(0, 3) if $v != $i]
              recipe outer(k) <
                recipe inner() < return "${$k}/${$i}" >
                return inner()
              >
              print outer($i + 100)
            >
            """)
        expectClean(run)
        #expect(run.printed == ["[1, 3]", "101/1", "[2, 3]", "102/2"])
    }

    /// An import binds its names by name: inside the block that imports, `$x` is the imported
    /// one even though an enclosing block keeps an `x` in a slot.
    @Test func anImportInABlockShadowsAnOuterSlot() {
        let loader = InMemoryLoader(["/m/main.mesh": """
            for i in range(0, 1) <
              let x = "slot"
              if true <
                import "lib.mesh"
                print $x
              >
              print $x
            >
            """, "/m/lib.mesh": "let x = \"imported\"\n"])
        let run = runFile("/m/main.mesh", loader: loader)
        #expect(run.printed == ["imported", "slot"])
    }
}
