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
