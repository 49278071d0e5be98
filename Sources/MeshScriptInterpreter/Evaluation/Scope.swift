// Lexical scopes: variables and recipes. A recipe closes over the scope it was declared in.
//
// A scope owns the recipes declared in it, so a recipe does not hold that scope (the two
// would keep each other alive: every interpreter that declared a recipe would leak): the
// scope a lookup finds a recipe in is the one it closes over. Only a recipe an import binds
// into another scope refers to its home, the imported file's scope, and not as an owner
// either (two files' scopes could then own each other through their recipes): the
// interpreter keeps every file's scope for as long as it lives.
import Synchronization

/// A declared recipe, as a scope binds it. A class: a call looks it up and keeps it in its
/// frame, which then costs one reference, not a copy of the declaration.
public final class Recipe: @unchecked Sendable {
    // @unchecked: every property is a constant; the body's lowering cache is the evaluating
    // thread's (see BlockNode).
    /// The recipe as the script spells it.
    public let declaration: RecipeDeclaration
    /// The scope the recipe closes over when it is bound somewhere else (an import's copy):
    /// its file's scope, so imported recipes see their own file's `let`s. Nil in the scope
    /// it was declared in, which is its home. Unowned: `Interpreter.fileScopes` owns it.
    unowned let home: Scope?
    /// The parameters as a call binds them.
    let signature: RecipeSignature
    /// The body, lowered on the first call.
    let body: BlockNode

    init(declaration: RecipeDeclaration, home: Scope?, signature: RecipeSignature, body: BlockNode) {
        self.declaration = declaration
        self.home = home
        self.signature = signature
        self.body = body
    }
}

extension Recipe {
    /// A scope for a call's parameters and body, under `home`: the spare one an earlier call
    /// of this body under this home left (`Interpreter.recycle`), else a new one. The body is
    /// lowered first (`body.statements`), so the scope has a slot for each name it binds. The
    /// reference is the caller's to release or recycle (`Interpreter.recycle`).
    @inline(__always) func scope(under home: Scope, interpreter: Interpreter) -> Unmanaged<Scope> {
        let layout = body.layoutID
        if let spare = interpreter.spareScopes.last,
           spare._withUnsafeGuaranteedRef({ $0.parent === home && $0.layout.map(ObjectIdentifier.init) == layout }) {
            interpreter.spareScopes.removeLast()
            return spare
        }
        return Unmanaged.passRetained(Scope(parent: home, layout: body.layout))
    }
}

/// What a call of a recipe needs of its declaration, worked out once when it is lowered.
final class RecipeSignature: @unchecked Sendable {
    // @unchecked: the default values' nodes are only evaluated by the interpreter that lowered them.
    /// The slot of each parameter in the body's scope, in order.
    let slots: [Int]
    /// Each parameter's default value, lowered (nil: the parameter is required).
    let defaults: [ExpressionNode?]
    /// How many parameters have no default (they come first).
    let required: Int
    /// No parameter has a kind or a default: a call binds its words one to one, unchecked.
    let isSimple: Bool
    /// Whether the body runs a caller's block (`yield`, at any depth outside nested recipes).
    let yields: Bool

    init(slots: [Int], defaults: [ExpressionNode?], kinds: [ParameterKind?], yields: Bool) {
        self.slots = slots
        self.defaults = defaults
        required = defaults.prefix { $0 == nil }.count
        isSimple = defaults.allSatisfy { $0 == nil } && kinds.allSatisfy { $0 == nil }
        self.yields = yields
    }
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

    /// The symbol of `name` when it was interned; nil for a name no code has used.
    func symbol(named name: String) -> Symbol? { ids[name] }

    mutating func intern(_ name: String) -> Symbol {
        if let symbol = ids[name] { return symbol }
        let symbol = Symbol(id: ids.count)
        ids[name] = symbol
        return symbol
    }
}

/// A bound name: its symbol, and its spelling for diagnostics, completion and the host API.
struct BindingKey {
    let symbol: Symbol
    let name: String
}

/// Symbol-to-entry storage tuned for scopes: most hold one to three names (a loop variable,
/// a recipe's parameters), where a linear scan beats hashing. A scope that grows past
/// `indexThreshold` names (the top level of a big script) gets a hash index.
struct Bindings<Entry>: Sequence {
    // Keys and entries in two arrays rather than one array of (key, entry) pairs: a pair type
    // would be generic, and copying or destroying a generic element goes through the
    // runtime's value witnesses even in specialized code.
    //
    // Only the first `count` are live: a loop's next iteration forgets its names by resetting
    // `count`, and the stale entries are overwritten as the body binds names again rather
    // than destroyed and re-created every iteration. (They keep their values alive until
    // then: at most one iteration's worth.)
    private var keys: [BindingKey] = []
    private var entries: [Entry] = []
    private var count = 0
    private var index: [Symbol: Int]?
    private static var indexThreshold: Int { 12 }

    init() {}

    @inline(__always) private func position(of symbol: Symbol) -> Int? {
        if let index { return index[symbol] }
        for position in 0..<count where keys[position].symbol == symbol { return position }
        return nil
    }

    subscript(symbol: Symbol) -> Entry? {
        guard let position = position(of: symbol) else { return nil }
        return entries[position]
    }

    /// Bind `symbol` (spelled `name`), replacing an existing binding of it.
    mutating func bind(_ symbol: Symbol, _ name: String, _ entry: consuming Entry) {
        if let position = position(of: symbol) {
            entries[position] = entry
            return
        }
        if count < keys.count {
            // A loop body binds the same names in the same order every iteration, so the
            // stale key is usually the one wanted already.
            if keys[count].symbol != symbol { keys[count] = BindingKey(symbol: symbol, name: name) }
            entries[count] = entry
        } else {
            keys.append(BindingKey(symbol: symbol, name: name))
            entries.append(entry)
        }
        count += 1
        if index != nil {
            index![symbol] = count - 1
        } else if count > Self.indexThreshold {
            index = Dictionary(uniqueKeysWithValues: (0..<count).map { (keys[$0].symbol, $0) })
        }
    }

    /// Change the entry bound to `symbol` in place; false when it is not bound here.
    mutating func update(_ symbol: Symbol, _ change: (inout Entry) -> Void) -> Bool {
        guard let position = position(of: symbol) else { return false }
        change(&entries[position])
        return true
    }

    /// The entry bound to `name`, for the host API (which has a name, not a symbol).
    func entry(named name: String) -> Entry? {
        keys[..<count].firstIndex { $0.name == name }.map { entries[$0] }
    }

    /// Forget every name, keeping the storage for the next use (a loop's next iteration).
    mutating func removeAll() {
        count = 0
        index = nil
    }

    var names: [String] { keys[..<count].map(\.name) }

    /// How many names are bound: a mark to roll back to (the REPL's undo of a failed entry).
    var mark: Int { count }

    /// Forget the names bound since `mark`, in time proportional to their number. A name bound
    /// before the mark and bound again since keeps its new entry: only an import re-binds a
    /// name, and with the same entry it had.
    mutating func rollBack(to mark: Int) {
        guard mark < count else { return }
        if index != nil {
            for position in mark..<count { index![keys[position].symbol] = nil }
            if mark <= Self.indexThreshold { index = nil }
        }
        count = mark
    }

    /// The bindings in the order they were made.
    func makeIterator() -> Zip2Sequence<ArraySlice<BindingKey>, ArraySlice<Entry>>.Iterator {
        zip(keys[..<count], entries[..<count]).makeIterator()
    }
}

/// The variables a block binds itself (its `let`s, a loop's variable, a recipe's parameters),
/// numbered as the block is lowered: a scope keeps their values in slots, and a `$name` that
/// lowering finds in a layout reads its slot, so many scopes up, instead of searching scopes
/// by name. The layouts of nested blocks form a chain, as their scopes do at run time; a
/// file's top level has none (the REPL, the host and imports bind its names as it runs).
final class ScopeLayout {
    /// The layout of the scope just outside (nil: the file's scope, whose names are bound by name).
    let parent: ScopeLayout?
    private(set) var symbols: [Symbol] = []
    private(set) var names: [String] = []
    /// Where each slot's name is defined, for "first defined here".
    private(set) var ranges: [SourceRange] = []
    /// Whether the block imports a file: an import binds its names by name, so a name not in
    /// the layout may still be bound here when the code runs.
    var bindsByName = false

    init(parent: ScopeLayout?) { self.parent = parent }

    var count: Int { symbols.count }

    func slot(of symbol: Symbol) -> Int? { symbols.firstIndex(of: symbol) }

    /// The slot of `symbol`, given one if it has none yet (a name bound twice in one block,
    /// which the resolve pass refuses, keeps its first slot, so the evaluator's own check sees it).
    func addSlot(_ symbol: Symbol, _ name: String, _ range: SourceRange) -> Int {
        if let slot = slot(of: symbol) { return slot }
        symbols.append(symbol)
        names.append(name)
        ranges.append(range)
        return symbols.count - 1
    }

    /// Where the code lowered in `layout` finds `symbol`: a slot, or by name when a scope on
    /// the way binds names by name (the file's scope, a block with an import) before a slot is found.
    static func address(of symbol: Symbol, from layout: ScopeLayout?) -> VariableAddress {
        var hops = 0
        var current = layout
        while let scope = current {
            if let index = scope.slot(of: symbol) { return .slot(hops: hops, index: index) }
            if scope.bindsByName { return .byName }
            hops += 1
            current = scope.parent
        }
        return .byName
    }
}

/// Where a variable's value is found when the code runs.
enum VariableAddress {
    /// Slot `index` of the scope `hops` parents up from the one the code runs in.
    case slot(hops: Int, index: Int)
    /// By searching the scopes' names, innermost first.
    case byName
}

final class Scope: @unchecked Sendable {
    // Only the evaluating thread touches a scope, and no access to these outlives a single
    // get or set: the runtime's exclusivity bookkeeping (a thread-local access set, on every
    // read) costs more here than the lookup itself.
    /// The names bound by name (a file's `let`s, imports, recipes, the host's), made when the
    /// first is bound: a loop iteration's or a recipe call's scope keeps its names in slots,
    /// and making and freeing it then touches no tables.
    private final class NameTables {
        var variables = Bindings<Variable>()
        var recipes = Bindings<Recipe>()
    }

    @exclusivity(unchecked) private var tables: NameTables?

    /// The tables, made when a name is first bound by name.
    private var madeTables: NameTables {
        if let tables { return tables }
        let made = NameTables()
        tables = made
        return made
    }

    /// The variables bound here by name.
    var variables: Bindings<Variable> {
        _read { yield tables?.variables ?? Bindings() }
        _modify { yield &madeTables.variables }
    }

    /// The recipes declared or imported here. Every change (a declaration, an import, the
    /// REPL's undo, the host's reset) moves `Scope.recipeEpoch` on, which is what tells a call
    /// site's cache (`RecipeSite`) that what it found may have changed.
    var recipes: Bindings<Recipe> {
        _read { yield tables?.recipes ?? Bindings() }
        _modify {
            Scope.recipeEpochCounter.wrappingAdd(1, ordering: .relaxed)
            defer { bindsRecipes = madeTables.recipes.mark > 0 }
            yield &madeTables.recipes
        }
    }

    /// Whether recipes are bound here now (kept by `recipes`' setter).
    private(set) var bindsRecipes = false

    /// Counts the changes to any scope's recipes, in every interpreter (a change elsewhere only
    /// makes a call site look its recipe up again).
    private static let recipeEpochCounter = Atomic<Int>(0)

    /// The number of changes to any scope's recipes so far.
    static var recipeEpoch: Int { recipeEpochCounter.load(ordering: .relaxed) }

    /// The scope a lookup of a recipe from here really starts in: this one or the nearest
    /// enclosing one that binds recipes (nil: none does). Scopes below it bind none, so every
    /// lookup from a scope with the same key finds the same recipe, until `recipeEpoch` moves
    /// on. (A scope that binds recipes changed `recipeEpoch` after it was made, so a new scope
    /// at a dead one's address is never mistaken for it.)
    @inline(__always) var recipeKey: UnsafeMutableRawPointer? {
        if bindsRecipes { return Unmanaged.passUnretained(self).toOpaque() }
        return parent?.enclosingRecipeKey()
    }

    private func enclosingRecipeKey() -> UnsafeMutableRawPointer? {
        if bindsRecipes { return Unmanaged.passUnretained(self).toOpaque() }
        return parent?.enclosingRecipeKey()
    }

    let parent: Scope?
    /// The names kept in `slots` (nil: none, a file's scope).
    let layout: ScopeLayout?
    /// The values of the layout's names; nil until the statement that binds one runs.
    let slots: UnsafeMutablePointer<Value?>
    let slotCount: Int

    /// A scope under `parent` with a slot for each name of `layout` as it is now (the block
    /// is lowered before its scope is made, so the layout is complete).
    init(parent: Scope?, layout: ScopeLayout? = nil) {
        self.parent = parent
        self.layout = layout
        slotCount = layout?.count ?? 0
        slots = .allocate(capacity: max(slotCount, 1))
        slots.initialize(repeating: nil, count: slotCount)
    }

    deinit {
        slots.deinitialize(count: slotCount)
        slots.deallocate()
    }

    /// Forget every name bound here, keeping the storage, and bind slot 0 to `first`: a loop's
    /// next iteration, and its variable.
    @inline(__always) func unbindAll(binding first: Value) {
        bind(slot: 0, to: first)
        for index in 1..<max(slotCount, 1) { unbind(index) }
        tables?.variables.removeAll()
    }

    /// Set slot `index` to nil. A value that holds no reference (an integer, a boolean) is
    /// overwritten without the call that destroys a `Value`.
    @inline(__always) private func unbind(_ index: Int) {
        switch slots[index] {
        case .none, .integer?, .boolean?, .poison?: (slots + index).initialize(to: nil)
        default: slots[index] = nil
        }
    }

    /// Bind slot `index` to `value`. The value it held (nil, or a name bound twice) that holds
    /// no reference is overwritten without the call that destroys a `Value`.
    @inline(__always) func bind(slot index: Int, to value: Value) {
        switch slots[index] {
        case .none, .integer?, .boolean?, .poison?: (slots + index).initialize(to: value)
        default: slots[index] = value
        }
    }

    /// Unbind every slot, for a later call of the same recipe to reuse the scope; false, changing
    /// nothing, when names are bound here by name (an import, a recipe declared: the scope is
    /// not what a new call's scope would be).
    @inline(__always) func unbindForReuse() -> Bool {
        guard tables == nil else { return false }
        for index in 0..<slotCount { unbind(index) }
        return true
    }

    // Lookups recurse rather than loop: following `parent`, a `let`, needs no retain and
    // release per scope, where a local variable holding the current scope would.

    /// The value in slot `index` of the scope `hops` parents up; nil while unbound.
    func slot(hops: Int, index: Int) -> Value? {
        if hops == 0 { return slots[index] }
        return parent!.slot(hops: hops - 1, index: index)
    }

    /// The integer in slot `index`; nil while it is unbound or holds another kind of value.
    @inline(__always) func integer(at index: Int) -> Int? {
        if case .integer(let value)? = slots[index] { return value }
        return nil
    }

    /// The integer in slot `index` of the scope `hops` parents up, as `integer(at:)`.
    func integer(hops: Int, index: Int) -> Int? {
        if hops == 0 { return integer(at: index) }
        return parent!.integer(hops: hops - 1, index: index)
    }

    /// `integer(hops:index:)` with the next scope up read inline (a loop's variable in its body).
    @inline(__always) func integer(hopsAbove hops: Int, index: Int) -> Int? {
        hops == 1 ? parent!.integer(at: index) : parent!.integer(hops: hops - 1, index: index)
    }

    /// Set slot `index` of the scope `hops` parents up to `value`; false while it is unbound.
    func assignSlot(hops: Int, index: Int, _ value: Value) -> Bool {
        if hops > 0 { return parent!.assignSlot(hops: hops - 1, index: index, value) }
        guard slots[index] != nil else { return false }
        slots[index] = value
        return true
    }

    /// The slot of this scope that holds `symbol` now, if any.
    private func boundSlot(of symbol: Symbol) -> Int? {
        guard let layout, let index = layout.slot(of: symbol), index < slotCount, slots[index] != nil else { return nil }
        return index
    }

    /// The value of the nearest enclosing binding of `symbol`.
    func lookupVariable(_ symbol: Symbol) -> Value? {
        if let variable = tables?.variables[symbol] { return variable.value }
        if let index = boundSlot(of: symbol) { return slots[index] }
        return parent?.lookupVariable(symbol)
    }

    /// Give the nearest enclosing binding of `symbol` the value `value`: the scope that binds
    /// it, nil when none does.
    func assign(_ symbol: Symbol, _ value: Value) -> Scope? {
        if let tables, tables.variables.update(symbol, { $0.value = value }) { return self }
        if let index = boundSlot(of: symbol) {
            slots[index] = value
            return self
        }
        return parent?.assign(symbol, value)
    }

    /// The nearest scope, this one or an enclosing one, that binds the variable `symbol`.
    func owner(of symbol: Symbol) -> Scope? {
        if tables?.variables[symbol] != nil || boundSlot(of: symbol) != nil { return self }
        return parent?.owner(of: symbol)
    }

    /// The nearest enclosing recipe called `symbol`, with the scope it closes over.
    func lookupRecipe(_ symbol: Symbol) -> (recipe: Recipe, home: Scope)? {
        if let recipe = tables?.recipes[symbol] { return (recipe, recipe.home ?? self) }
        return parent?.lookupRecipe(symbol)
    }

    /// Every variable visible from here (for "did you mean").
    var visibleVariableNames: Set<String> {
        var names = Set<String>()
        var scope: Scope? = self
        while let current = scope {
            names.formUnion(current.variables.names)
            if let layout = current.layout {
                for index in 0..<current.slotCount where current.slots[index] != nil { names.insert(layout.names[index]) }
            }
            scope = current.parent
        }
        return names
    }

    /// Every recipe visible from here (for "did you mean").
    var visibleRecipeNames: Set<String> {
        var names = Set<String>()
        var scope: Scope? = self
        while let current = scope {
            names.formUnion(current.recipes.names)
            scope = current.parent
        }
        return names
    }
}
