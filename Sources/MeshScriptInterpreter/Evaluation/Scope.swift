// Lexical scopes: variables and recipes. A recipe closes over the scope it was declared in.

public struct Recipe: Sendable {
    public var declaration: RecipeDeclaration
    /// The scope the recipe was declared in, so imported recipes see their own file's `let`s.
    let scope: Scope
}

/// Name-to-entry storage tuned for scopes: most hold one to three names (a loop variable, a
/// recipe's parameters), where comparing short strings beats hashing them. A scope that
/// grows past `indexThreshold` names (the top level of a big script) gets a hash index.
struct Bindings<Entry>: Sequence, ExpressibleByDictionaryLiteral {
    // One array (one allocation) of pairs; a hash index only once the scope is large.
    private var pairs: [(name: String, entry: Entry)] = []
    private var index: [String: Int]?
    private static var indexThreshold: Int { 12 }

    init() {}

    init(dictionaryLiteral elements: (String, Entry)...) {
        for (name, entry) in elements { self[name] = entry }
    }

    private func position(of name: String) -> Int? {
        if let index { return index[name] }
        return pairs.firstIndex { $0.name == name }
    }

    subscript(name: String) -> Entry? {
        get { position(of: name).map { pairs[$0].entry } }
        set {
            if let at = position(of: name) {
                if let newValue {
                    pairs[at].entry = newValue
                } else {
                    pairs.remove(at: at)
                    rebuildIndex()
                }
            } else if let newValue {
                pairs.append((name, newValue))
                if index != nil {
                    index![name] = pairs.count - 1
                } else if pairs.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    private mutating func rebuildIndex() {
        index = pairs.count > Self.indexThreshold ? Dictionary(uniqueKeysWithValues: pairs.indices.map { (pairs[$0].name, $0) }) : nil
    }

    /// Forget every name, keeping the storage for the next use (a loop's next iteration).
    mutating func removeAll() {
        pairs.removeAll(keepingCapacity: true)
        index = nil
    }

    var keys: [String] { pairs.map(\.name) }
    var isEmpty: Bool { pairs.isEmpty }

    func makeIterator() -> IndexingIterator<[(name: String, entry: Entry)]> { pairs.makeIterator() }
}

final class Scope: @unchecked Sendable {
    var variables: Bindings<(value: Value, range: SourceRange)> = [:]
    var recipes: Bindings<Recipe> = [:]
    let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    /// The nearest enclosing scope's entry for `name`.
    private func lookup<Entry>(_ name: String, in bindings: (Scope) -> Bindings<Entry>) -> Entry? {
        var scope: Scope? = self
        while let current = scope {
            if let entry = bindings(current)[name] { return entry }
            scope = current.parent
        }
        return nil
    }

    func lookupVariable(_ name: String) -> Value? { lookup(name) { $0.variables }?.value }

    func lookupRecipe(_ name: String) -> Recipe? { lookup(name) { $0.recipes } }

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
