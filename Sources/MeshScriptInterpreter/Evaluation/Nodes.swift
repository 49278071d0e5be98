// What the evaluator runs: the parser's syntax tree lowered (Lowering.swift) to nodes that
// evaluate themselves.
//
// Why not walk the syntax tree? It is made of value-type enums, public and Sendable so a
// host can cache or inspect a parse; but matching an enum case copies its payload (a
// reference-count increment and decrement per child, per visit), and its names are strings
// a scope lookup would compare. A node is a final class whose fields are `let` constants:
// dispatch is one virtual call, reading a child costs no reference counting, and names are
// interned symbols. Nodes map one to one onto syntax nodes, so each charges exactly the
// steps its syntax node did, at the same range, and reports the same diagnostics.

// MARK: - Expressions

class ExpressionNode {
    let range: SourceRange
    /// The steps evaluating the node charges when `quickValue` gives its value: one per node
    /// of its subtree; 0 when it has no quick value.
    let quickCost: Int

    init(_ range: SourceRange, quickCost: Int = 0) {
        self.range = range
        self.quickCost = quickCost
    }

    /// Charge the node's evaluation step, then compute its value.
    ///
    /// An arithmetic expression on integers (`$i + $j`, `$n - 1 < $limit`) is first tried
    /// quickly: its value computed with no step charged per node, then its whole subtree's
    /// steps charged at once. Computing a quick value has no effect, so when it gives none
    /// (a value that is not an integer, an unbound slot, an overflow) or its steps would pass
    /// the limit, the slow evaluation runs instead, charging and reporting exactly as before:
    /// the same steps in total, the limit reported at the node that passes it.
    @inline(__always) final func evaluate(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        if quickCost > 1, let value = quickValue(scope), try interpreter.charge(quickCost, at: range) { return value }
        try interpreter.step(range)
        return try value(interpreter, in: scope)
    }

    /// The node's value when it is an integer or boolean worked out without a step, an
    /// error or anything else the slow evaluation would do; nil when it needs that evaluation.
    /// Nodes with a `quickCost` override it.
    func quickValue(_ scope: Scope) -> Value? { nil }

    /// The `quickCost` of a node with these operands: one step for itself and theirs, or 0
    /// when one has no quick value (or the subtree is too big to be worth it: this bounds how
    /// deeply `quickValue` recurses, which no step checks the stack for).
    static func quickCost(of operands: ExpressionNode...) -> Int {
        var cost = 1
        for operand in operands {
            guard operand.quickCost > 0 else { return 0 }
            cost += operand.quickCost
        }
        return cost <= 32 ? cost : 0
    }

    /// The node's own work (`evaluate` has charged the step). Every subclass overrides it.
    func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        preconditionFailure("\(type(of: self)) does not override value(_:in:)")
    }
}

/// A bare identifier: evaluates to the string of its text.
final class NameNode: ExpressionNode {
    let text: String

    init(_ text: String, _ range: SourceRange) {
        self.text = text
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value { .string(text) }
}

/// A number or boolean literal.
final class ConstantNode: ExpressionNode {
    let constant: Value

    init(_ constant: Value, _ range: SourceRange) {
        self.constant = constant
        super.init(range, quickCost: 1)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value { constant }

    override func quickValue(_ scope: Scope) -> Value? { constant }
}

/// `$name`, found by name: a name of a file's scope (or of a block that imports).
class VariableNode: ExpressionNode {
    let name: String
    let symbol: Symbol

    init(_ name: String, _ symbol: Symbol, _ range: SourceRange, quickCost: Int = 0) {
        self.name = name
        self.symbol = symbol
        super.init(range, quickCost: quickCost)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        try lookUp(interpreter, in: scope)
    }

    /// The value by name, or the undefined-variable error.
    final func lookUp(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        if let value = scope.lookupVariable(symbol) { return value }
        throw interpreter.fail(.undefinedVariable(name, at: range, visible: scope.visibleVariableNames))
    }
}

/// `$name` where lowering found it in a block's slots: read from that slot. Before the
/// statement that binds it has run (a recipe called before a `let` after it), the name is
/// looked up as it would be without slots.
final class SlotVariableNode: VariableNode {
    let hops: Int
    let index: Int

    init(_ name: String, _ symbol: Symbol, hops: Int, index: Int, _ range: SourceRange) {
        self.hops = hops
        self.index = index
        super.init(name, symbol, range, quickCost: 1)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        if let value = quickValue(scope) { return value }
        return try lookUp(interpreter, in: scope)
    }

    /// The slot's value; nil while it is unbound.
    override func quickValue(_ scope: Scope) -> Value? {
        // The scope's own slots are read inline; a walk up costs a call per scope.
        if hops == 0 { return scope.slots[index] }
        return scope.parent!.slot(hops: hops - 1, index: index)
    }
}

/// A string literal without interpolations: its text is known when lowering.
final class TextNode: ExpressionNode {
    let text: String
    /// What building the string costs, charged as for an interpolated string.
    let cost: Int

    init(_ text: String, _ range: SourceRange) {
        self.text = text
        cost = 1 + text.utf8.count / 64
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        try interpreter.step(range, cost: cost)
        return .string(text)
    }
}

/// A string literal with interpolations.
final class StringNode: ExpressionNode {
    enum Part {
        case literal(String)
        case interpolation(ExpressionNode)
    }

    let parts: [Part]

    init(_ parts: [Part], _ range: SourceRange) {
        self.parts = parts
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        var result = ""
        for part in parts {
            switch part {
            case .literal(let text):
                result += text
                if result.utf8.count > interpreter.limits.maxStringBytes { try interpreter.checkString(bytes: result.utf8.count, at: range) }
            case .interpolation(let inner):
                let value = try inner.evaluate(interpreter, in: scope)
                if value.isPoison { return .poison }
                try interpreter.append(value, to: &result, at: inner.range)
            }
        }
        try interpreter.checkString(bytes: result.utf8.count, at: range)
        try interpreter.step(range, cost: 1 + result.utf8.count / 64)
        return .string(result)
    }
}

final class ListNode: ExpressionNode {
    let items: [ExpressionNode]

    init(_ items: [ExpressionNode], _ range: SourceRange) {
        self.items = items
        super.init(range)
    }

    /// The items' values in a list one level deeper than the deepest of them, or poison when
    /// one of them is poison (every item is still evaluated, for its diagnostics).
    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        var values: [Value] = []
        values.reserveCapacity(items.count)
        var depth = 0
        var poisoned = false
        for item in items {
            let value = try item.evaluate(interpreter, in: scope)
            switch value {
            case .poison: poisoned = true
            case .list(let inner): depth = max(depth, inner.depth)
            case .map(let inner): depth = max(depth, inner.depth)
            default: break
            }
            values.append(value)
        }
        if poisoned { return .poison }
        let list = ValueList(values, depth: depth + 1)
        try interpreter.checkNesting(list, at: range)
        try interpreter.checkList(count: list.count, at: range)
        return .list(list)
    }
}

/// A call of a built-in function (`len($x)`) or of a recipe, which returns a value (`f(a, net = "n2")`).
final class CallNode: ExpressionNode {
    let function: String
    let functionRange: SourceRange
    /// The positional arguments.
    let arguments: [ExpressionNode]
    /// The function's name as a recipe's symbol.
    let symbol: Symbol
    /// The keyword arguments, after the positional ones.
    let keywords: [KeywordArgumentNode]

    init(_ function: String, _ functionRange: SourceRange, _ arguments: [ExpressionNode], _ range: SourceRange,
         symbol: Symbol, keywords: [KeywordArgumentNode] = []) {
        self.function = function
        self.functionRange = functionRange
        self.arguments = arguments
        self.symbol = symbol
        self.keywords = keywords
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        try interpreter.callFunction(self, scope: scope)
    }
}

/// Where an operator's quick value finds an operand's integer: read inline from a slot or the
/// node's constant, or asked of the operand's own quick value.
enum IntegerOperand {
    case slot(hops: Int, index: Int)
    case constant(Int)
    case node

    init(_ node: ExpressionNode) {
        if let variable = node as? SlotVariableNode {
            self = .slot(hops: variable.hops, index: variable.index)
        } else if let constant = node as? ConstantNode, case .integer(let value) = constant.constant {
            self = .constant(value)
        } else {
            self = .node
        }
    }

    /// The operand's value when it is an integer known without a step (see `ExpressionNode.quickValue`).
    @inline(__always) func integer(_ node: ExpressionNode, in scope: Scope) -> Int? {
        switch self {
        case .slot(let hops, let index):
            return hops == 0 ? scope.integer(at: index) : scope.integer(hopsAbove: hops, index: index)
        case .constant(let value):
            return value
        case .node:
            if case .integer(let value)? = node.quickValue(scope) { return value }
            return nil
        }
    }
}

/// An infix operator's node: the operator and its two operands.
class OperatorNode: ExpressionNode {
    let op: BinaryOperator
    let left: ExpressionNode
    let right: ExpressionNode
    private let leftOperand: IntegerOperand
    private let rightOperand: IntegerOperand

    init(_ op: BinaryOperator, _ left: ExpressionNode, _ right: ExpressionNode, _ range: SourceRange) {
        self.op = op
        self.left = left
        self.right = right
        leftOperand = IntegerOperand(left)
        rightOperand = IntegerOperand(right)
        // The integer operators have quick values (`and`, `or` may skip an operand; `==` on
        // lists charges what it compares).
        let arithmetic = switch op {
        case .plus, .minus, .less, .lessEqual, .greater, .greaterEqual: true
        case .equal, .notEqual, .and, .or, .in: false
        }
        super.init(range, quickCost: arithmetic ? Self.quickCost(of: left, right) : 0)
    }

    /// Both operands' quick values when both are integers.
    @inline(__always) final func quickIntegers(_ scope: Scope) -> (Int, Int)? {
        guard let a = leftOperand.integer(left, in: scope), let b = rightOperand.integer(right, in: scope) else { return nil }
        return (a, b)
    }
}

final class BinaryNode: OperatorNode {

    override func quickValue(_ scope: Scope) -> Value? {
        guard op == .plus, let (a, b) = quickIntegers(scope) else { return nil }
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : .integer(sum)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        let left = try self.left.evaluate(interpreter, in: scope)
        switch op {
        case .and, .or:
            let l = try interpreter.boolean(left, self.left.range, "'\(op.rawValue)'")
            if op == .and && !l { return .boolean(false) }
            if op == .or && l { return .boolean(true) }
            let right = try self.right.evaluate(interpreter, in: scope)
            return .boolean(try interpreter.boolean(right, self.right.range, "'\(op.rawValue)'"))
        case .equal, .notEqual:
            let right = try self.right.evaluate(interpreter, in: scope)
            if left.isPoison || right.isPoison { return .poison }
            return .boolean(try interpreter.equal(left, right, at: range) == (op == .equal))
        case .plus:
            let right = try self.right.evaluate(interpreter, in: scope)
            // Integers first: the common case skips the poison checks.
            if case .integer(let a) = left, case .integer(let b) = right {
                let (sum, overflow) = a.addingReportingOverflow(b)
                if overflow { throw interpreter.fail(.error("integer overflow in '+'", at: range)) }
                return .integer(sum)
            }
            if left.isPoison || right.isPoison { return .poison }
            switch (left, right) {
            case (.string(let a), .string(let b)):
                let bytes = a.utf8.count + b.utf8.count
                try interpreter.checkString(bytes: bytes, at: range)
                try interpreter.step(range, cost: 1 + bytes / 64)
                return .string(a + b)
            case (.list(let a), .list(let b)):
                // A range becomes an array here: refuse a long one before building it.
                let (count, overflow) = a.count.addingReportingOverflow(b.count)
                try interpreter.checkList(count: overflow ? nil : count, at: range)
                try interpreter.step(range, cost: 1 + count)
                return .list(ValueList(a.items + b.items, depth: max(a.depth, b.depth)))
            case (.map(let a), .map(let b)):
                try interpreter.step(range, cost: 1 + a.count + b.count)
                try interpreter.chargeValueBytes((a.count + b.count) * 2 * MemoryLayout<Value>.stride, at: range)
                return .map(a.merging(b))
            default:
                let help = (left.typeName == "string" || right.typeName == "string") ? "convert with str(): \"c\" + str(1)" : nil
                throw interpreter.fail(.error("cannot add \(left.typeName) and \(right.typeName)", at: range, help: help))
            }
        case .minus, .less, .lessEqual, .greater, .greaterEqual, .in:
            preconditionFailure("'\(op.rawValue)' is lowered to a node of its own")
        }
    }
}

final class NotNode: ExpressionNode {
    let operand: ExpressionNode

    init(_ operand: ExpressionNode, _ range: SourceRange) {
        self.operand = operand
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        let value = try operand.evaluate(interpreter, in: scope)
        return .boolean(!(try interpreter.boolean(value, operand.range, "'not'")))
    }
}

/// Input that did not parse: evaluates silently to poison.
final class InvalidNode: ExpressionNode {
    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value { .poison }
}

// MARK: - Blocks

/// A block's statements, lowered the first time the block runs: a loop body is lowered once,
/// not per iteration, and a recipe that is never called is never lowered.
final class BlockNode: @unchecked Sendable {
    // @unchecked: the cache below is written only by the evaluating thread of the
    // interpreter that lowered this block (a Recipe, which is Sendable, holds one).
    let range: SourceRange
    /// The layout of the block's own scope; nil when it runs in the scope around it (it binds no names).
    let layout: ScopeLayout?
    /// `layout`'s identity, to compare a spare scope's with no reference counted.
    let layoutID: ObjectIdentifier?
    /// The layout the block's statements are lowered in: its own, else the one around it.
    private let loweringLayout: ScopeLayout?
    private let source: [Statement]
    /// The statements, lowered; nil until the block first runs.
    private var lowered: [StatementNode]?
    /// `lowered` without ownership (`lowered` owns them, for as long as the block lives):
    /// running a statement from here costs no retain and release of its node, and handing
    /// the statements on costs none of an array (the block frees the buffer).
    private var runnable = UnsafeMutableBufferPointer<Unmanaged<StatementNode>>(start: nil, count: 0)
    /// The slots bound before the statements run: a loop's variable, a recipe's parameters.
    private let boundOnEntry: Int
    /// The statements, from the first, that are `let`s with quick values into distinct slots
    /// of the block's own scope (`LetNode.quickBind`), and the steps they charge: a loop runs
    /// them at once (`ForNode`). Known once the block is lowered.
    private(set) var quickLets = (count: 0, cost: 0)

    /// A nested block (`if`, a command's block): it gets a scope of its own when its own
    /// statements (not its nested blocks') bind names; `enclosing` is the layout around it.
    init(nested block: Block, in enclosing: ScopeLayout?) {
        range = block.range
        source = block.statements
        layout = Self.bindsNames(block.statements) ? ScopeLayout(parent: enclosing) : nil
        layoutID = layout.map(ObjectIdentifier.init)
        loweringLayout = layout ?? enclosing
        boundOnEntry = 0
        layout?.bindsByName = Self.imports(block.statements)
    }

    /// A loop's or a recipe's body: it runs in a scope its statement makes with `layout`
    /// (which holds the loop's variable or the recipe's parameters already).
    init(body block: Block, layout: ScopeLayout) {
        range = block.range
        source = block.statements
        self.layout = layout
        layoutID = ObjectIdentifier(layout)
        loweringLayout = layout
        boundOnEntry = layout.count
        layout.bindsByName = Self.imports(block.statements)
    }

    /// Whether `statements` bind names in their block's scope (a nested block's: a loop's or
    /// a recipe's body holds its variable or parameters besides).
    static func bindsNames(_ statements: [Statement]) -> Bool {
        // Read in place: `contains` copies each statement out (a count on each of its references).
        statements.withUnsafeBufferPointer { statements in
            statements.indices.contains { index in
                switch statements[index].form {
                case .let, .recipe, .import, .namespacedImport: true
                default: false
                }
            }
        }
    }

    private static func imports(_ statements: [Statement]) -> Bool {
        statements.contains { statement in
            switch statement.form {
            case .import, .namespacedImport: true
            default: false
            }
        }
    }

    /// The statements to run (`Interpreter.execute`), lowered the first time. They live as
    /// long as the block.
    @inline(__always) func statements(_ interpreter: Interpreter) -> UnsafeBufferPointer<Unmanaged<StatementNode>> {
        if lowered != nil { return UnsafeBufferPointer(runnable) }
        return lower(interpreter)
    }

    private func lower(_ interpreter: Interpreter) -> UnsafeBufferPointer<Unmanaged<StatementNode>> {
        let statements = source.map { interpreter.lower($0, in: loweringLayout) }
        lowered = statements
        runnable = .allocate(capacity: statements.count)
        _ = runnable.initialize(from: statements.lazy.map(Unmanaged.passUnretained))
        quickLets = Self.quickLets(statements, boundOnEntry: boundOnEntry)
        return UnsafeBufferPointer(runnable)
    }

    /// The leading `let`s of `statements` with quick values, each into a slot above the
    /// previous one's and above those bound on entry: distinct slots, as lowering numbers new
    /// names in order (a name bound twice has its first slot again, and goes the slow way to
    /// its error).
    private static func quickLets(_ statements: [StatementNode], boundOnEntry: Int) -> (count: Int, cost: Int) {
        var count = 0, cost = 0, last = boundOnEntry - 1
        for statement in statements {
            guard statement.quickLetCost > 0, let slot = unsafeDowncast(statement, to: LetNode.self).slot, slot > last else { break }
            (count, cost, last) = (count + 1, cost + statement.quickLetCost, slot)
        }
        return (count, cost)
    }

    deinit { runnable.deallocate() }

    /// Run the block in a scope of its own under `parent`. A block that binds no names runs in
    /// `parent` itself: an empty scope would change no lookup, it would only be allocated.
    func execute(_ interpreter: Interpreter, under parent: Scope, kind: BlockKind, directory: String?) throws {
        let statements = statements(interpreter)
        let scope = layout.map { Scope(parent: parent, layout: $0) } ?? parent
        try interpreter.execute(statements, scope: scope, kind: kind, directory: directory)
    }
}

// MARK: - Statements

class StatementNode {
    let range: SourceRange
    /// For a `let` into a slot whose expression has a quick value (`LetNode.quickBind`): the
    /// steps of the statement and its expression, charged at once; 0 for every other statement.
    let quickLetCost: Int

    init(_ range: SourceRange, quickLetCost: Int = 0) {
        self.range = range
        self.quickLetCost = quickLetCost
    }

    /// Charge the statement's evaluation step, then run it.
    @inline(__always) final func execute(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        if quickLetCost > 0, try unsafeDowncast(self, to: LetNode.self).quickBind(interpreter, in: scope) { return }
        try interpreter.step(range)
        try perform(interpreter, scope: scope, kind: kind, directory: directory)
    }

    /// The statement's own work (`execute` has charged the step). Every subclass overrides it.
    func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        preconditionFailure("\(type(of: self)) does not override perform(_:scope:kind:directory:)")
    }
}

/// A statement that gives a name a value: `let` binds it, `set` updates it.
class NamedValueNode: StatementNode {
    let name: String
    let symbol: Symbol
    let nameRange: SourceRange
    let value: ExpressionNode

    init(_ name: String, _ symbol: Symbol, _ nameRange: SourceRange, _ value: ExpressionNode, _ range: SourceRange,
         quickLetCost: Int = 0) {
        self.name = name
        self.symbol = symbol
        self.nameRange = nameRange
        self.value = value
        super.init(range, quickLetCost: quickLetCost)
    }
}

final class LetNode: NamedValueNode {
    /// The slot the name is bound in; nil in a file's scope, where names are bound by name.
    let slot: Int?

    init(_ name: String, _ symbol: Symbol, _ nameRange: SourceRange, _ value: ExpressionNode, slot: Int?, _ range: SourceRange) {
        self.slot = slot
        super.init(name, symbol, nameRange, value, range, quickLetCost: slot != nil && value.quickCost > 0 ? 1 + value.quickCost : 0)
    }

    /// Bind the slot to the expression's quick value, charging the statement's step and the
    /// expression's at once: false, having done nothing, when the slot is bound already, the
    /// expression has no quick value or the steps would pass the limit (`execute` then runs the
    /// statement step by step, reporting exactly as before).
    @inline(__always) func quickBind(_ interpreter: Interpreter, in scope: Scope) throws -> Bool {
        guard let slot, scope.slots[slot] == nil, let quick = value.quickValue(scope),
              try interpreter.charge(quickLetCost, at: range, rest: value.range) else { return false }
        (scope.slots + slot).initialize(to: quick) // the slot is nil: nothing to destroy
        return true
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        guard let slot else { return try bindByName(interpreter, in: scope) }
        if scope.slots[slot] != nil { throw redefined(interpreter, first: scope.layout?.ranges[slot] ?? nameRange) }
        do {
            scope.slots[slot] = try value.evaluate(interpreter, in: scope)
        } catch {
            // One typo, one message: later uses of the name see poison, not "undefined".
            scope.slots[slot] = .poison
            throw error
        }
    }

    private func bindByName(_ interpreter: Interpreter, in scope: Scope) throws {
        if let previous = scope.variables[symbol] { throw redefined(interpreter, first: previous.range) }
        var value = Value.poison
        defer { scope.variables.bind(symbol, name, Variable(value: value, range: nameRange)) }
        value = try self.value.evaluate(interpreter, in: scope)
    }

    private func redefined(_ interpreter: Interpreter, first: SourceRange) -> Unwind {
        interpreter.fail(.error("'$\(name)' is already defined in this scope", at: nameRange,
                                notes: [.init("first defined here", at: first)],
                                help: "choose another name; a nested block may shadow it"))
    }
}

final class RecipeDeclarationNode: StatementNode {
    let declaration: RecipeDeclaration
    let symbol: Symbol
    let signature: RecipeSignature
    let body: BlockNode

    init(_ declaration: RecipeDeclaration, _ symbol: Symbol, _ signature: RecipeSignature, body: BlockNode, _ range: SourceRange) {
        self.declaration = declaration
        self.symbol = symbol
        self.signature = signature
        self.body = body
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        if interpreter.commands[declaration.name] != nil || interpreter.functions[declaration.name] != nil {
            throw interpreter.fail(.builtInRedefined(declaration, isFunction: interpreter.commands[declaration.name] == nil))
        }
        if let previous = scope.recipes[symbol] {
            throw interpreter.fail(.error("recipe '\(declaration.name)' is already defined", at: declaration.nameRange,
                                          notes: [.init("first defined here", at: previous.declaration.nameRange)]))
        }
        scope.recipes.bind(symbol, declaration.name,
                           Recipe(declaration: declaration, home: nil, signature: signature, body: body))
    }
}

final class ForNode: StatementNode {
    let variable: String
    let symbol: Symbol
    let variableRange: SourceRange
    let sequence: ExpressionNode
    let body: BlockNode
    /// Whether the body declares a recipe at any depth (then each iteration needs its own scope).
    let declaresRecipe: Bool

    init(_ variable: String, _ symbol: Symbol, _ variableRange: SourceRange, _ sequence: ExpressionNode, _ body: BlockNode,
         declaresRecipe: Bool, _ range: SourceRange) {
        self.variable = variable
        self.symbol = symbol
        self.variableRange = variableRange
        self.sequence = sequence
        self.body = body
        self.declaresRecipe = declaresRecipe
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        let sequence = try self.sequence.evaluate(interpreter, in: scope)
        guard case .list(let items) = sequence else {
            if sequence.isPoison { throw Unwind.statementFailed }
            throw interpreter.fail(.error("'for' needs a list, got \(sequence.typeName)", at: self.sequence.range,
                                          help: "loop over a list such as [a, b] or range(0, 3)"))
        }
        let statements = body.statements(interpreter)
        let layout = body.layout!
        // Only a recipe declared in the body can outlive an iteration (it closes over the
        // scope); without one, every iteration reuses one scope and its storage.
        if declaresRecipe {
            for item in items {
                try interpreter.step(body.range)
                let iteration = Scope(parent: scope, layout: layout)
                iteration.slots[0] = item
                try interpreter.execute(statements, scope: iteration, kind: kind, directory: directory)
            }
        } else if let integers = items.integers {
            try run(integers, statements, layout, interpreter, scope: scope, kind: kind, directory: directory)
        } else {
            let iteration = Scope(parent: scope, layout: layout)
            for item in items {
                try interpreter.step(body.range)
                iteration.unbindAll(binding: item)
                try interpreter.execute(statements, scope: iteration, kind: kind, directory: directory)
            }
        }
    }
}

extension ForNode {
    /// Run the body once per integer of a `range()`, in one scope every iteration reuses, with
    /// no `Value` made and switched on per item by the list.
    ///
    /// The body's leading quick `let`s (`BlockNode.quickLets`) run at once: their values are
    /// worked out into their slots, then the iteration's step and theirs are charged together
    /// when they pass neither the limit nor a multiple of 1024 (where `step` looks for a
    /// cancel). Otherwise the iteration runs step by step, charging and reporting exactly as
    /// it would without them.
    ///
    /// A body of quick `let`s alone leaves nothing in its slots but integers and booleans, and
    /// each `let` reads only the slots bound before it (its value is lowered before its name
    /// has a slot): the next iteration overwrites the variable's slot and then the `let`s',
    /// with nothing to destroy or unbind first.
    private func run(_ integers: Range<Int>, _ statements: UnsafeBufferPointer<Unmanaged<StatementNode>>, _ layout: ScopeLayout,
                     _ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        let iteration = Scope(parent: scope, layout: layout)
        // Quick values recurse a bounded depth below this frame: the stack is checked here, once.
        let quick = interpreter.stackGuard.isExhausted ? (count: 0, cost: 0) : body.quickLets
        let rest = UnsafeBufferPointer(rebasing: statements[quick.count...])
        var holdsNoReferences = false
        for integer in integers {
            if quick.count > 0 {
                if holdsNoReferences {
                    iteration.slots.initialize(to: .integer(integer))
                } else {
                    iteration.unbindAll(binding: .integer(integer))
                }
                if runQuickLets(statements, quick, in: iteration, interpreter) {
                    holdsNoReferences = rest.isEmpty
                    if !rest.isEmpty { try interpreter.execute(rest, scope: iteration, kind: kind, directory: directory) }
                    continue
                }
            }
            holdsNoReferences = false
            try interpreter.step(body.range)
            iteration.unbindAll(binding: .integer(integer))
            try interpreter.execute(statements, scope: iteration, kind: kind, directory: directory)
        }
    }

    /// Work the body's first `quick.count` statements, quick `let`s, into their slots (which
    /// hold no references) and charge the iteration's step and their `quick.cost`: false when
    /// one has no quick value or the steps would pass the limit or a multiple of 1024.
    @inline(__always) private func runQuickLets(_ statements: UnsafeBufferPointer<Unmanaged<StatementNode>>, _ quick: (count: Int, cost: Int),
                                                in iteration: Scope, _ interpreter: Interpreter) -> Bool {
        for index in 0..<quick.count {
            let bound = statements[index]._withUnsafeGuaranteedRef { statement in
                let node = unsafeDowncast(statement, to: LetNode.self)
                guard let value = node.value.quickValue(iteration) else { return false }
                (iteration.slots + node.slot.unsafelyUnwrapped).initialize(to: value)
                return true
            }
            guard bound else { return false }
        }
        return interpreter.chargeBetweenCancelChecks(1 + quick.cost)
    }
}

final class IfNode: StatementNode {
    let condition: ExpressionNode
    let then: BlockNode
    let otherwise: BlockNode?

    init(_ condition: ExpressionNode, _ then: BlockNode, _ otherwise: BlockNode?, _ range: SourceRange) {
        self.condition = condition
        self.then = then
        self.otherwise = otherwise
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        let condition = try self.condition.evaluate(interpreter, in: scope)
        let holds = try interpreter.boolean(condition, self.condition.range, "the condition of 'if'")
        if let block = holds ? then : otherwise {
            try block.execute(interpreter, under: scope, kind: kind, directory: directory)
        }
    }
}

final class ImportNode: StatementNode {
    let path: ExpressionNode
    /// `import FILE as NAME`: the namespace its names are bound under.
    let namespace: String?

    init(_ path: ExpressionNode, namespace: String?, _ range: SourceRange) {
        self.path = path
        self.namespace = namespace
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        try interpreter.executeImport(path, namespace: namespace, scope: scope, directory: directory)
    }
}

final class AssertNode: StatementNode {
    let condition: ExpressionNode
    let message: ExpressionNode?

    init(_ condition: ExpressionNode, _ message: ExpressionNode?, _ range: SourceRange) {
        self.condition = condition
        self.message = message
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        let condition = try self.condition.evaluate(interpreter, in: scope)
        if try interpreter.boolean(condition, self.condition.range, "'assert'") { return }
        var text = "assertion failed"
        if let message {
            let value = try message.evaluate(interpreter, in: scope)
            if value.isPoison { throw Unwind.statementFailed }
            text = try interpreter.text(of: value, at: message.range)
        }
        throw interpreter.fail(.error(text, at: range))
    }
}

final class PrintNode: StatementNode {
    let value: ExpressionNode

    init(_ value: ExpressionNode, _ range: SourceRange) {
        self.value = value
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        let value = try self.value.evaluate(interpreter, in: scope)
        if value.isPoison { throw Unwind.statementFailed }
        interpreter.output(try interpreter.text(of: value, at: self.value.range), self.value.range)
    }
}

/// A word after a command name, with what matching it against a signature needs.
struct WordNode {
    let expression: ExpressionNode
    /// The text of a bare name (`network`, `c1`): it may be an option keyword.
    let spelling: String?
    /// The range of each item when the word is a list (`discover with c1, c2`).
    let elementRanges: [SourceRange]
    /// The keyword of a keyword argument (`net = n2`) and where it is; nil for a plain word.
    var label: (name: String, range: SourceRange)? = nil
}

/// `name = value` in a recipe call's arguments.
struct KeywordArgumentNode {
    let name: String
    let nameRange: SourceRange
    let value: ExpressionNode
}

/// A call site's memory of the recipe its name found (or that none was found), so a call
/// in a loop does not search the scopes and their tables by name each time.
///
/// What a lookup finds depends only on the scope it starts in (`Scope.recipeKey`: the first
/// one up that binds recipes) and on the recipes bound there and above; any change to any
/// scope's recipes moves `Scope.recipeEpoch` on. So the memory holds while both are what they
/// were: a recipe declared, redefined in the REPL, imported, shadowed in a nested block or
/// rolled back is found afresh. The references are unowned: the scope keyed on owns the
/// recipe (or an enclosing one does) for as long as nothing changes its recipes.
struct RecipeSite {
    typealias Found = (recipe: Unmanaged<Recipe>, home: Unmanaged<Scope>)
    private var key: UnsafeMutableRawPointer?
    private var epoch = -1
    private var found: Found?

    /// The recipe `symbol` names in `scope`, with the scope it closes over; nil when none does.
    @inline(__always) mutating func lookUp(_ symbol: Symbol, in scope: Scope) -> Found? {
        guard let key = scope.recipeKey else { return nil }
        let epoch = Scope.recipeEpoch
        if key == self.key, epoch == self.epoch { return found }
        return refill(symbol, in: scope, key: key, epoch: epoch)
    }

    private mutating func refill(_ symbol: Symbol, in scope: Scope, key: UnsafeMutableRawPointer, epoch: Int) -> Found? {
        let found = scope.lookupRecipe(symbol).map { (Unmanaged.passUnretained($0.recipe), Unmanaged.passUnretained($0.home)) }
        (self.key, self.epoch, self.found) = (key, epoch, found)
        return found
    }
}

/// A command statement: a recipe call or a registered command.
final class CommandNode: StatementNode {
    let name: String
    let symbol: Symbol
    let nameRange: SourceRange
    let words: [WordNode]
    let block: BlockNode?
    /// The words' expressions when no word has a keyword: a plain recipe call's arguments,
    /// unowned (`words` owns them) so evaluating one costs no retain and release.
    let plainArguments: [Unmanaged<ExpressionNode>]
    /// The recipe `name` found here last (the evaluating thread's, as the nodes are).
    @exclusivity(unchecked) var recipeSite = RecipeSite()

    /// The words without a keyword, then the keyword arguments: a recipe call's arguments
    /// (nil when no word has a keyword: then the words are the positional arguments).
    let splitArguments: (positional: [ExpressionNode], keywords: [KeywordArgumentNode])?

    init(_ name: String, _ symbol: Symbol, _ nameRange: SourceRange, _ words: [WordNode], _ block: BlockNode?, _ range: SourceRange) {
        self.name = name
        self.symbol = symbol
        self.nameRange = nameRange
        self.words = words
        self.block = block
        if words.contains(where: { $0.label != nil }) {
            splitArguments = (words.filter { $0.label == nil }.map(\.expression),
                              words.compactMap { word in word.label.map { KeywordArgumentNode(name: $0.name, nameRange: $0.range, value: word.expression) } })
        } else {
            splitArguments = nil
        }
        plainArguments = splitArguments == nil ? words.map { Unmanaged.passUnretained($0.expression) } : []
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        if let (recipe, home) = recipeSite.lookUp(symbol, in: scope) {
            // Neither is retained for the call: the recipe's binding, in `scope` or a scope
            // around it, holds it while the call runs (what the call runs binds names in scopes
            // of its own, a body's or a block's, and a second import of the recipe's file leaves
            // its binding as it was), and its home is in `scope`'s chain or is a file's scope,
            // which the interpreter keeps.
            try recipe._withUnsafeGuaranteedRef { recipe in
                try home._withUnsafeGuaranteedRef { home in
                    try interpreter.call(recipe, home: home, self, scope: scope, kind: kind, directory: directory)
                }
            }
        } else if let command = interpreter.command(symbol) {
            try interpreter.run(command, self, scope: scope, kind: kind, directory: directory)
        } else {
            let candidates = interpreter.commands.values.filter { $0.signature.allowedIn.contains(kind) }.map(\.signature.name)
                + Array(scope.visibleRecipeNames)
            let suggestion = Suggestions.closest(to: name, in: candidates)
            throw interpreter.fail(.error("unknown command '\(name)'", at: nameRange, help: suggestion.map { "did you mean '\($0)'?" }))
        }
    }
}

// MARK: - Values: arithmetic, comparisons, membership, maps, indexing, comprehensions

/// `-a`: the negative of an integer.
final class NegateNode: ExpressionNode {
    let operand: ExpressionNode

    init(_ operand: ExpressionNode, _ range: SourceRange) {
        self.operand = operand
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        let value = try operand.evaluate(interpreter, in: scope)
        switch value {
        case .integer(let a):
            let (negative, overflow) = (0).subtractingReportingOverflow(a)
            if overflow { throw interpreter.fail(.error("integer overflow in '-'", at: range)) }
            return .integer(negative)
        case .poison: return .poison
        default: throw interpreter.fail(.error("'-' needs an integer, got \(value.typeName) \(value.preview())", at: operand.range))
        }
    }
}

/// `a - b` on integers.
final class MinusNode: OperatorNode {
    init(_ left: ExpressionNode, _ right: ExpressionNode, _ range: SourceRange) {
        super.init(.minus, left, right, range)
    }

    override func quickValue(_ scope: Scope) -> Value? {
        guard let (a, b) = quickIntegers(scope) else { return nil }
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? nil : .integer(difference)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        let left = try self.left.evaluate(interpreter, in: scope)
        let right = try self.right.evaluate(interpreter, in: scope)
        if case .integer(let a) = left, case .integer(let b) = right {
            let (difference, overflow) = a.subtractingReportingOverflow(b)
            if overflow { throw interpreter.fail(.error("integer overflow in '-'", at: range)) }
            return .integer(difference)
        }
        if left.isPoison || right.isPoison { return .poison }
        throw interpreter.fail(.error("'-' subtracts integers, got \(left.typeName) and \(right.typeName)", at: range,
                                      help: left.typeName == "list" ? "keep the items you want: [$x for x in $list if not ($x in $other)]" : nil))
    }
}

/// `a < b`, `a <= b`, `a > b`, `a >= b` on integers.
final class CompareNode: OperatorNode {

    override func quickValue(_ scope: Scope) -> Value? {
        guard let (a, b) = quickIntegers(scope) else { return nil }
        switch op {
        case .less: return .boolean(a < b)
        case .lessEqual: return .boolean(a <= b)
        case .greater: return .boolean(a > b)
        default: return .boolean(a >= b)
        }
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        let left = try self.left.evaluate(interpreter, in: scope)
        let right = try self.right.evaluate(interpreter, in: scope)
        if case .integer(let a) = left, case .integer(let b) = right {
            switch op {
            case .less: return .boolean(a < b)
            case .lessEqual: return .boolean(a <= b)
            case .greater: return .boolean(a > b)
            default: return .boolean(a >= b)
            }
        }
        if left.isPoison || right.isPoison { return .poison }
        throw interpreter.fail(.error("'\(op.rawValue)' compares integers, got \(left.typeName) and \(right.typeName)", at: range,
                                      help: "compare other values with == or !="))
    }
}

/// `a in b`: an item of a list, a key of a map, a substring of a string.
final class InNode: OperatorNode {
    init(_ left: ExpressionNode, _ right: ExpressionNode, _ range: SourceRange) {
        super.init(.in, left, right, range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        let item = try left.evaluate(interpreter, in: scope)
        let container = try right.evaluate(interpreter, in: scope)
        if item.isPoison || container.isPoison { return .poison }
        switch (item, container) {
        case (_, .list(let list)):
            // Charged per item compared, in batches: a long list costs what a loop over it would.
            var visited = 0
            for candidate in list {
                visited += 1
                if visited & 1023 == 0 { try interpreter.step(range, cost: 1024) }
                if try interpreter.equal(item, candidate, at: range) { return .boolean(true) }
            }
            try interpreter.step(range, cost: 1 + visited & 1023)
            return .boolean(false)
        case (.string(let key), .map(let map)):
            return .boolean(map[key] != nil)
        case (.string(let part), .string(let whole)):
            try interpreter.step(range, cost: 1 + whole.utf8.count / 64)
            return .boolean(part.isEmpty || whole.contains(part))
        case (_, .map), (_, .string):
            throw interpreter.fail(.error("'in' looks for a string in a \(container.typeName), got \(item.typeName) \(item.preview())", at: left.range))
        default:
            throw interpreter.fail(.error("'in' needs a list, a map or a string on its right, got \(container.typeName)", at: right.range))
        }
    }
}

/// `{key: value, ...}`: keys known when lowering are in `keys`; a key with interpolations is evaluated.
final class MapNode: ExpressionNode {
    struct Entry {
        let key: ExpressionNode
        /// The key's text when it has no interpolations.
        let knownKey: String?
        let value: ExpressionNode
    }

    let entries: [Entry]
    /// Whether a key has interpolations: then a key given twice is found here, not by the parser.
    let hasComputedKeys: Bool

    init(_ entries: [Entry], _ range: SourceRange) {
        self.entries = entries
        hasComputedKeys = entries.contains { $0.knownKey == nil }
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        var pairs: [(key: String, value: Value)] = []
        pairs.reserveCapacity(entries.count)
        var given: [String: SourceRange] = [:]
        var poisoned = false
        for entry in entries {
            var key: String
            if let known = entry.knownKey {
                key = known
            } else {
                let value = try entry.key.evaluate(interpreter, in: scope)
                guard case .string(let text) = value else { poisoned = true; continue }
                key = text
            }
            if hasComputedKeys {
                if let first = given[key] {
                    throw interpreter.fail(.error("key '\(key)' is given twice in the map", at: entry.key.range,
                                                  notes: [.init("first given here", at: first)]))
                }
                given[key] = entry.key.range
            }
            let value = try entry.value.evaluate(interpreter, in: scope)
            if value.isPoison { poisoned = true }
            pairs.append((key, value))
        }
        if poisoned { return .poison }
        let map = Value.map(pairs)
        if map.depth > interpreter.valueDepthLimit {
            throw interpreter.fail(.error("the map is nested too deeply (the limit is \(interpreter.valueDepthLimit) levels)", at: range,
                                          help: "each list or map inside a map is a level; flatten the value, or let the host raise the limit"))
        }
        try interpreter.chargeValueBytes(pairs.count * 2 * MemoryLayout<Value>.stride, at: range)
        return map
    }
}

/// Where a map has no key: the error, with did-you-mean over its keys.
private func missingKey(_ key: String, in map: ValueMap, at range: SourceRange, _ interpreter: Interpreter) -> Unwind {
    let help: String
    if let suggestion = Suggestions.closest(to: key, in: map.keys) {
        help = "did you mean '\(suggestion)'?"
    } else if map.count == 0 {
        help = "the map is empty"
    } else {
        let shown = map.keys.prefix(8).joined(separator: ", ")
        help = "its keys are \(shown)\(map.count > 8 ? ", ..." : ""); test with: \"\(key)\" in $map"
    }
    return interpreter.fail(.error("the map has no key '\(key)'", at: range, help: help))
}

/// `a.NAME`: a map's field.
final class FieldNode: ExpressionNode {
    let base: ExpressionNode
    let name: String
    let nameRange: SourceRange

    init(_ base: ExpressionNode, _ name: String, _ nameRange: SourceRange, _ range: SourceRange) {
        self.base = base
        self.name = name
        self.nameRange = nameRange
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        let value = try base.evaluate(interpreter, in: scope)
        guard case .map(let map) = value else {
            if value.isPoison { return .poison }
            throw interpreter.fail(.error("'.\(name)' reads a field of a map, got \(value.typeName) \(value.preview())", at: base.range))
        }
        guard let field = map[name] else { throw missingKey(name, in: map, at: nameRange, interpreter) }
        return field
    }
}

/// The position `index` (negative: from the end) in something of `count` items, or an error
/// naming the length.
private func position(_ index: Value, _ count: Int, _ what: String, at range: SourceRange, _ interpreter: Interpreter, slice: Bool = false) throws -> Int {
    guard case .integer(let i) = index else {
        throw interpreter.fail(.error("\(slice ? "a slice bound" : "an index") of a \(what) must be an integer, got \(index.typeName) \(index.preview())", at: range))
    }
    let p = i < 0 ? count + i : i
    guard p >= 0, slice ? p <= count : p < count else {
        let valid = count == 0 ? "the \(what) is empty" : slice ? "bounds go from \(-count) to \(count)" : "indices go from 0 to \(count - 1), or \(-count) to -1 from the end"
        throw interpreter.fail(.error("\(slice ? "slice bound" : "index") \(i) is out of range for a \(what) of length \(count)", at: range, help: valid))
    }
    return p
}

/// `a[i]`: an item of a list, a character of a string, a map's value.
final class IndexNode: ExpressionNode {
    let base: ExpressionNode
    let index: ExpressionNode

    init(_ base: ExpressionNode, _ index: ExpressionNode, _ range: SourceRange) {
        self.base = base
        self.index = index
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        let value = try base.evaluate(interpreter, in: scope)
        let key = try index.evaluate(interpreter, in: scope)
        if value.isPoison || key.isPoison { return .poison }
        switch value {
        case .list(let list):
            return list[try position(key, list.count, "list", at: index.range, interpreter)]
        case .string(let s):
            try interpreter.step(range, cost: 1 + s.utf8.count / 64)
            let p = try position(key, s.count, "string", at: index.range, interpreter)
            return .string(String(s[s.index(s.startIndex, offsetBy: p)]))
        case .map(let map):
            guard case .string(let name) = key else {
                throw interpreter.fail(.error("a map's keys are strings, got \(key.typeName) \(key.preview())", at: index.range))
            }
            guard let field = map[name] else { throw missingKey(name, in: map, at: index.range, interpreter) }
            return field
        default:
            throw interpreter.fail(.error("cannot index \(value.typeName) \(value.preview())", at: base.range,
                                          help: "index a list, a string or a map"))
        }
    }
}

/// `a[i:j]`: part of a list or a string (a missing bound is its start or end).
final class SliceNode: ExpressionNode {
    let base: ExpressionNode
    let from: ExpressionNode?
    let to: ExpressionNode?

    init(_ base: ExpressionNode, _ from: ExpressionNode?, _ to: ExpressionNode?, _ range: SourceRange) {
        self.base = base
        self.from = from
        self.to = to
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        let value = try base.evaluate(interpreter, in: scope)
        let low = try from?.evaluate(interpreter, in: scope)
        let high = try to?.evaluate(interpreter, in: scope)
        if value.isPoison || low?.isPoison == true || high?.isPoison == true { return .poison }
        let count: Int, what: String
        switch value {
        case .list(let list): (count, what) = (list.count, "list")
        case .string(let s):
            try interpreter.step(range, cost: 1 + s.utf8.count / 64)
            (count, what) = (s.count, "string")
        default:
            throw interpreter.fail(.error("cannot slice \(value.typeName) \(value.preview())", at: base.range, help: "slice a list or a string"))
        }
        let start = try low.map { try position($0, count, what, at: from!.range, interpreter, slice: true) } ?? 0
        let end = try high.map { try position($0, count, what, at: to!.range, interpreter, slice: true) } ?? count
        guard start <= end else {
            throw interpreter.fail(.error("the slice starts at \(start), after its end \(end)", at: range, help: "write [i:j] with i <= j"))
        }
        if case .string(let s) = value {
            let first = s.index(s.startIndex, offsetBy: start)
            return .string(String(s[first..<s.index(first, offsetBy: end - start)]))
        }
        guard case .list(let list) = value else { return .poison }
        if list.isRange, case .integer(let base) = list.first ?? .integer(0) {
            return .list(ValueList(integers: (base + start)..<(base + end)))
        }
        try interpreter.step(range, cost: 1 + (end - start))
        try interpreter.checkList(count: end - start, at: range)
        return .list(Array(list.items[start..<end]))
    }
}

/// `[ELEMENT for NAME in SEQUENCE if CONDITION]`; NAME is bound in a scope of its own.
final class ComprehensionNode: ExpressionNode {
    let element: ExpressionNode
    let variable: String
    let symbol: Symbol
    let variableRange: SourceRange
    let sequence: ExpressionNode
    let condition: ExpressionNode?
    /// The comprehension's scope: NAME in slot 0.
    let layout: ScopeLayout

    init(_ element: ExpressionNode, _ variable: String, _ symbol: Symbol, _ variableRange: SourceRange,
         _ sequence: ExpressionNode, _ condition: ExpressionNode?, layout: ScopeLayout, _ range: SourceRange) {
        self.layout = layout
        self.element = element
        self.variable = variable
        self.symbol = symbol
        self.variableRange = variableRange
        self.sequence = sequence
        self.condition = condition
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        let sequence = try self.sequence.evaluate(interpreter, in: scope)
        guard case .list(let items) = sequence else {
            if sequence.isPoison { return .poison }
            throw interpreter.fail(.error("a comprehension needs a list, got \(sequence.typeName)", at: self.sequence.range,
                                          help: sequence.typeName == "map" ? "go through keys($m) or values($m)" : "go through a list such as [a, b] or range(0, 3)"))
        }
        let iteration = Scope(parent: scope, layout: layout)
        var values: [Value] = []
        var depth = 0
        for item in items {
            try interpreter.step(range)
            iteration.slots[0] = item
            if let condition {
                let holds = try condition.evaluate(interpreter, in: iteration)
                if !(try interpreter.boolean(holds, condition.range, "the condition of a comprehension")) { continue }
            }
            let value = try element.evaluate(interpreter, in: iteration)
            if value.isPoison { return .poison }
            depth = max(depth, value.depth)
            values.append(value)
            if values.count > interpreter.limits.maxListCount { try interpreter.checkList(count: values.count, at: range) }
        }
        let list = ValueList(values, depth: depth + 1)
        try interpreter.checkNesting(list, at: range)
        try interpreter.checkList(count: list.count, at: range)
        return .list(list)
    }
}

/// `set NAME = EXPR`: a new value for the nearest enclosing binding of `$NAME`.
final class SetNode: NamedValueNode {

    /// Where lowering found the name.
    let address: VariableAddress

    init(_ name: String, _ symbol: Symbol, _ nameRange: SourceRange, _ value: ExpressionNode, address: VariableAddress, _ range: SourceRange) {
        self.address = address
        super.init(name, symbol, nameRange, value, range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        let value = try self.value.evaluate(interpreter, in: scope)
        if case .slot(let hops, let index) = address, scope.assignSlot(hops: hops, index: index, value) { return }
        if let owner = scope.owner(of: symbol) {
            // A global's old value is kept, so the REPL can undo the statement that set it.
            if owner === interpreter.globals { interpreter.logGlobalAssignment(symbol) }
            _ = owner.assign(symbol, value)
            return
        }
        throw interpreter.fail(.unboundSet(name, at: nameRange, visible: scope.visibleVariableNames))
    }
}

/// `yield`: run the block the caller of the running recipe gave it, in the caller's scope and
/// in the block kind where the `yield` stands.
final class YieldNode: StatementNode {
    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        let active = interpreter.activeFrame
        guard active >= 0 else {
            throw interpreter.fail(.yieldOutsideRecipe(at: range))
        }
        let frame = interpreter.frames[active]
        guard let block = frame.block else { return }
        // The block is the caller's code: a `yield` or `return` in it is the caller's. It runs
        // in this `yield`'s directory, which is the caller's (see `CallFrame`).
        interpreter.activeFrame = frame.caller
        defer { interpreter.activeFrame = active }
        try block.execute(interpreter, under: frame.scope, kind: kind, directory: directory)
    }
}

/// `return EXPR`: end the running recipe's call with a value.
final class ReturnNode: StatementNode {
    let value: ExpressionNode

    init(_ value: ExpressionNode, _ range: SourceRange) {
        self.value = value
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        let active = interpreter.activeFrame
        guard active >= 0 else {
            throw interpreter.fail(.returnOutsideRecipe(at: range))
        }
        guard interpreter.commandBlockDepth == interpreter.frames[active].commandBlockDepth else {
            throw interpreter.fail(.returnLeavingCommandBlock(at: range))
        }
        // A value that failed is reported already: the call gives poison, not a second error.
        var value = Value.poison
        do { value = try self.value.evaluate(interpreter, in: scope) } catch Unwind.statementFailed {}
        interpreter.returning = (active, value)
        throw Unwind.returned
    }
}
