// Lexical scopes: variables and recipes. A recipe closes over the scope it was declared in.

public struct Recipe: Sendable {
    public var declaration: RecipeDeclaration
    /// The scope the recipe was declared in, so imported recipes see their own file's `let`s.
    let scope: Scope
}

/// A bound variable and where it was bound (for "first defined here" notes).
struct Variable: Sendable {
    var value: Value
    var range: SourceRange
}

/// Name-to-entry storage tuned for scopes: most hold one to three names (a loop variable, a
/// recipe's parameters), where comparing short strings beats hashing them. A scope that
/// grows past `indexThreshold` names (the top level of a big script) gets a hash index.
///
/// Entries are concrete structs, not tuples: the compiler specializes every operation on
/// them, where an optional tuple would go through the runtime's generic value witnesses.
struct Bindings<Entry>: Sequence, ExpressibleByDictionaryLiteral {
    struct Binding {
        let name: String
        var entry: Entry
    }

    // One array (one allocation) of bindings; a hash index only once the scope is large.
    private var bindings: [Binding] = []
    private var index: [String: Int]?
    private static var indexThreshold: Int { 12 }

    init() {}

    init(dictionaryLiteral elements: (String, Entry)...) {
        for (name, entry) in elements { self[name] = entry }
    }

    @inline(__always) private func position(of name: String) -> Int? {
        if let index { return index[name] }
        for position in bindings.indices where bindings[position].name == name { return position }
        return nil
    }

    subscript(name: String) -> Entry? {
        get { position(of: name).map { bindings[$0].entry } }
        set {
            if let at = position(of: name) {
                if let newValue {
                    bindings[at].entry = newValue
                } else {
                    bindings.remove(at: at)
                    rebuildIndex()
                }
            } else if let newValue {
                bindings.append(Binding(name: name, entry: newValue))
                if index != nil {
                    index![name] = bindings.count - 1
                } else if bindings.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    private mutating func rebuildIndex() {
        index = bindings.count > Self.indexThreshold ? Dictionary(uniqueKeysWithValues: bindings.indices.map { (bindings[$0].name, $0) }) : nil
    }

    /// Forget every name, keeping the storage for the next use (a loop's next iteration).
    mutating func removeAll() {
        bindings.removeAll(keepingCapacity: true)
        index = nil
    }

    var keys: [String] { bindings.map(\.name) }
    var isEmpty: Bool { bindings.isEmpty }

    func makeIterator() -> some IteratorProtocol<(name: String, entry: Entry)> {
        bindings.lazy.map { ($0.name, $0.entry) }.makeIterator()
    }
}

final class Scope: @unchecked Sendable {
    // Only the evaluating thread touches a scope, and no access to these outlives a single
    // get or set: the runtime's exclusivity bookkeeping (a thread-local access set, on every
    // read) costs more here than the lookup itself.
    @exclusivity(unchecked) var variables: Bindings<Variable> = [:]
    @exclusivity(unchecked) var recipes: Bindings<Recipe> = [:]
    let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    // Lookups recurse rather than loop: following `parent`, a `let`, needs no retain and
    // release per scope, where a local variable holding the current scope would.

    /// The value of the nearest enclosing binding of `name`.
    func lookupVariable(_ name: String) -> Value? {
        if let variable = variables[name] { return variable.value }
        return parent?.lookupVariable(name)
    }

    /// The nearest enclosing recipe called `name`.
    func lookupRecipe(_ name: String) -> Recipe? {
        if let recipe = recipes[name] { return recipe }
        return parent?.lookupRecipe(name)
    }

    /// Every name visible from here in one kind of binding (for "did you mean" and completion).
    private func visibleNames<Entry>(_ bindings: (Scope) -> Bindings<Entry>) -> Set<String> {
        var names = Set<String>()
        var scope: Scope? = self
        while let current = scope {
            names.formUnion(bindings(current).keys)
            scope = current.parent
        }
        return names
    }

    var visibleVariableNames: Set<String> { visibleNames { $0.variables } }

    var visibleRecipeNames: Set<String> { visibleNames { $0.recipes } }
}
