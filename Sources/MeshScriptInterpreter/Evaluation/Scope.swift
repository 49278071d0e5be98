// Lexical scopes: variables and recipes. A recipe closes over the scope it was declared in.

public struct Recipe: Sendable {
    public var declaration: RecipeDeclaration
    /// The scope the recipe was declared in, so imported recipes see their own file's `let`s.
    let scope: Scope
    /// The parameters' symbols, in order.
    let parameters: [Symbol]
    /// The body, lowered on the first call.
    let body: BlockNode
}

/// A bound variable and where it was bound (for "first defined here" notes).
struct Variable: Sendable {
    var value: Value
    var range: SourceRange
}

/// An interned name. Lowering turns every variable and recipe name into a symbol once, so
/// a scope lookup compares integers instead of strings.
struct Symbol: Hashable, Sendable {
    let id: Int
}

/// One interpreter's interned names (not global: interpreters share no state).
struct SymbolTable {
    private var ids: [String: Symbol] = [:]

    mutating func intern(_ name: String) -> Symbol {
        if let symbol = ids[name] { return symbol }
        let symbol = Symbol(id: ids.count)
        ids[name] = symbol
        return symbol
    }
}

/// Symbol-to-entry storage tuned for scopes: most hold one to three names (a loop variable,
/// a recipe's parameters), where a linear scan beats hashing. A scope that grows past
/// `indexThreshold` names (the top level of a big script) gets a hash index. Each binding
/// keeps its name for diagnostics, completion and the host API.
struct Bindings<Entry>: Sequence {
    // A struct, not a tuple: the compiler specializes every operation on it, where an
    // optional tuple goes through the runtime's generic value witnesses.
    struct Binding {
        let symbol: Symbol
        let name: String
        var entry: Entry
    }

    // One array (one allocation) of bindings; a hash index only once the scope is large.
    private var bindings: [Binding] = []
    private var index: [Symbol: Int]?
    private static var indexThreshold: Int { 12 }

    init() {}

    @inline(__always) private func position(of symbol: Symbol) -> Int? {
        if let index { return index[symbol] }
        for position in bindings.indices where bindings[position].symbol == symbol { return position }
        return nil
    }

    subscript(symbol: Symbol) -> Entry? {
        guard let position = position(of: symbol) else { return nil }
        return bindings[position].entry
    }

    /// Bind `symbol` (spelled `name`), replacing an existing binding of it.
    mutating func bind(_ symbol: Symbol, _ name: String, _ entry: Entry) {
        if let position = position(of: symbol) {
            bindings[position].entry = entry
            return
        }
        bindings.append(Binding(symbol: symbol, name: name, entry: entry))
        if index != nil {
            index![symbol] = bindings.count - 1
        } else if bindings.count > Self.indexThreshold {
            index = Dictionary(uniqueKeysWithValues: bindings.indices.map { (bindings[$0].symbol, $0) })
        }
    }

    /// The entry bound to `name`, for the host API (which has a name, not a symbol).
    func entry(named name: String) -> Entry? {
        bindings.first { $0.name == name }?.entry
    }

    /// Forget every name, keeping the storage for the next use (a loop's next iteration).
    mutating func removeAll() {
        bindings.removeAll(keepingCapacity: true)
        index = nil
    }

    var names: [String] { bindings.map(\.name) }

    func makeIterator() -> IndexingIterator<[Binding]> { bindings.makeIterator() }
}

final class Scope: @unchecked Sendable {
    // Only the evaluating thread touches a scope, and no access to these outlives a single
    // get or set: the runtime's exclusivity bookkeeping (a thread-local access set, on every
    // read) costs more here than the lookup itself.
    @exclusivity(unchecked) var variables = Bindings<Variable>()
    @exclusivity(unchecked) var recipes = Bindings<Recipe>()
    let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    // Lookups recurse rather than loop: following `parent`, a `let`, needs no retain and
    // release per scope, where a local variable holding the current scope would.

    /// The value of the nearest enclosing binding of `symbol`.
    func lookupVariable(_ symbol: Symbol) -> Value? {
        if let variable = variables[symbol] { return variable.value }
        return parent?.lookupVariable(symbol)
    }

    /// The nearest enclosing recipe called `symbol`.
    func lookupRecipe(_ symbol: Symbol) -> Recipe? {
        if let recipe = recipes[symbol] { return recipe }
        return parent?.lookupRecipe(symbol)
    }

    /// Every name visible from here in one kind of binding (for "did you mean" and completion).
    private func visibleNames<Entry>(_ bindings: (Scope) -> Bindings<Entry>) -> Set<String> {
        var names = Set<String>()
        var scope: Scope? = self
        while let current = scope {
            names.formUnion(bindings(current).names)
            scope = current.parent
        }
        return names
    }

    var visibleVariableNames: Set<String> { visibleNames { $0.variables } }

    var visibleRecipeNames: Set<String> { visibleNames { $0.recipes } }
}
