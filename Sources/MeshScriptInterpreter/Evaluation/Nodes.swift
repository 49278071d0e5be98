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

    init(_ range: SourceRange) { self.range = range }

    /// Charge the node's evaluation step, then compute its value.
    @inline(__always) final func evaluate(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        try interpreter.step(range)
        return try value(interpreter, in: scope)
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
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value { constant }
}

final class VariableNode: ExpressionNode {
    let name: String
    let symbol: Symbol

    init(_ name: String, _ symbol: Symbol, _ range: SourceRange) {
        self.name = name
        self.symbol = symbol
        super.init(range)
    }

    override func value(_ interpreter: Interpreter, in scope: Scope) throws -> Value {
        if let value = scope.lookupVariable(symbol) { return value }
        let suggestion = Suggestions.closest(to: name, in: scope.visibleVariableNames)
        throw interpreter.fail(.error("undefined variable '$\(name)'", at: range,
                                      help: suggestion.map { "did you mean '$\($0)'?" } ?? "bind it first with: let \(name) = VALUE"))
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

final class BinaryNode: ExpressionNode {
    let op: BinaryOperator
    let left: ExpressionNode
    let right: ExpressionNode

    init(_ op: BinaryOperator, _ left: ExpressionNode, _ right: ExpressionNode, _ range: SourceRange) {
        self.op = op
        self.left = left
        self.right = right
        super.init(range)
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
            default:
                let help = (left.typeName == "string" || right.typeName == "string") ? "convert with str(): \"c\" + str(1)" : nil
                throw interpreter.fail(.error("cannot add \(left.typeName) and \(right.typeName)", at: range, help: help))
            }
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
    /// Whether the block's own statements (not its nested blocks') bind names.
    let bindsNames: Bool
    private let source: [Statement]
    private var lowered: [StatementNode]?

    init(_ block: Block) {
        range = block.range
        source = block.statements
        bindsNames = block.statements.contains { statement in
            switch statement.kind {
            case .let, .recipe, .import: true
            default: false
            }
        }
    }

    func statements(_ interpreter: Interpreter) -> [StatementNode] {
        if let lowered { return lowered }
        let statements = source.map { interpreter.lower($0) }
        lowered = statements
        return statements
    }

    /// Run the block in a scope of its own under `parent`. A block that binds no names runs in
    /// `parent` itself: an empty scope would change no lookup, it would only be allocated.
    func execute(_ interpreter: Interpreter, under parent: Scope, kind: BlockKind, directory: String?) throws {
        let scope = bindsNames ? Scope(parent: parent) : parent
        try interpreter.execute(statements(interpreter), scope: scope, kind: kind, directory: directory)
    }
}

// MARK: - Statements

class StatementNode {
    let range: SourceRange

    init(_ range: SourceRange) { self.range = range }

    /// Charge the statement's evaluation step, then run it.
    @inline(__always) final func execute(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        try interpreter.step(range)
        try perform(interpreter, scope: scope, kind: kind, directory: directory)
    }

    /// The statement's own work (`execute` has charged the step). Every subclass overrides it.
    func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        preconditionFailure("\(type(of: self)) does not override perform(_:scope:kind:directory:)")
    }
}

final class LetNode: StatementNode {
    let name: String
    let symbol: Symbol
    let nameRange: SourceRange
    let value: ExpressionNode

    init(_ name: String, _ symbol: Symbol, _ nameRange: SourceRange, _ value: ExpressionNode, _ range: SourceRange) {
        self.name = name
        self.symbol = symbol
        self.nameRange = nameRange
        self.value = value
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        if let previous = scope.variables[symbol] {
            throw interpreter.fail(.error("'$\(name)' is already defined in this scope", at: nameRange,
                                          notes: [.init("first defined here", at: previous.range)],
                                          help: "choose another name; a nested block may shadow it"))
        }
        do {
            let value = try self.value.evaluate(interpreter, in: scope)
            scope.variables.bind(symbol, name, Variable(value: value, range: nameRange))
        } catch Unwind.statementFailed {
            // One typo, one message: later uses of the name see poison, not "undefined".
            scope.variables.bind(symbol, name, Variable(value: .poison, range: nameRange))
            throw Unwind.statementFailed
        }
    }
}

final class RecipeDeclarationNode: StatementNode {
    let declaration: RecipeDeclaration
    let symbol: Symbol
    let signature: RecipeSignature
    let body: BlockNode

    init(_ declaration: RecipeDeclaration, _ symbol: Symbol, _ signature: RecipeSignature, _ range: SourceRange) {
        self.declaration = declaration
        self.symbol = symbol
        self.signature = signature
        self.body = BlockNode(declaration.body)
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        if interpreter.commands[declaration.name] != nil {
            throw interpreter.fail(.error("'\(declaration.name)' is a built-in command and cannot be redefined", at: declaration.nameRange))
        }
        if interpreter.functions[declaration.name] != nil {
            throw interpreter.fail(.error("'\(declaration.name)' is a built-in function and cannot be redefined", at: declaration.nameRange,
                                          help: "choose another name for the recipe"))
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
        // Only a recipe declared in the body can outlive an iteration (it closes over the
        // scope); without one, every iteration reuses one scope and its storage.
        if declaresRecipe {
            for item in items {
                try interpreter.step(body.range)
                let iteration = Scope(parent: scope)
                iteration.variables.bind(symbol, variable, Variable(value: item, range: variableRange))
                try interpreter.execute(statements, scope: iteration, kind: kind, directory: directory)
            }
        } else {
            let iteration = Scope(parent: scope)
            for item in items {
                try interpreter.step(body.range)
                iteration.variables.removeAll()
                iteration.variables.bind(symbol, variable, Variable(value: item, range: variableRange))
                try interpreter.execute(statements, scope: iteration, kind: kind, directory: directory)
            }
        }
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

    init(_ path: ExpressionNode, _ range: SourceRange) {
        self.path = path
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        try interpreter.executeImport(path, scope: scope, directory: directory)
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

/// A command statement: a recipe call or a registered command.
final class CommandNode: StatementNode {
    let name: String
    let symbol: Symbol
    let nameRange: SourceRange
    let words: [WordNode]
    let block: BlockNode?

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
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        if let (recipe, home) = scope.lookupRecipe(symbol) {
            try interpreter.call(recipe, home: home, self, scope: scope, kind: kind, directory: directory)
        } else if let command = interpreter.commands[name] {
            try interpreter.run(command, self, scope: scope, kind: kind, directory: directory)
        } else {
            let candidates = interpreter.commands.values.filter { $0.signature.allowedIn.contains(kind) }.map(\.signature.name)
                + Array(scope.visibleRecipeNames)
            let suggestion = Suggestions.closest(to: name, in: candidates)
            throw interpreter.fail(.error("unknown command '\(name)'", at: nameRange, help: suggestion.map { "did you mean '\($0)'?" }))
        }
    }
}

/// `set NAME = EXPR`: a new value for the nearest enclosing binding of `$NAME`.
final class SetNode: StatementNode {
    let name: String
    let symbol: Symbol
    let nameRange: SourceRange
    let value: ExpressionNode

    init(_ name: String, _ symbol: Symbol, _ nameRange: SourceRange, _ value: ExpressionNode, _ range: SourceRange) {
        self.name = name
        self.symbol = symbol
        self.nameRange = nameRange
        self.value = value
        super.init(range)
    }

    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        let value = try self.value.evaluate(interpreter, in: scope)
        if scope.assignVariable(symbol, value) { return }
        let suggestion = Suggestions.closest(to: name, in: scope.visibleVariableNames)
        throw interpreter.fail(.error("'set' needs a bound variable, and '$\(name)' is not bound", at: nameRange,
                                      help: (suggestion.map { "did you mean '$\($0)'? or " } ?? "") + "bind it first with: let \(name) = VALUE"))
    }
}

/// `yield`: run the block the caller of the running recipe gave it, in the caller's scope and
/// in the block kind where the `yield` stands.
final class YieldNode: StatementNode {
    override func perform(_ interpreter: Interpreter, scope: Scope, kind: BlockKind, directory: String?) throws {
        let active = interpreter.activeFrame
        guard active >= 0 else {
            throw interpreter.fail(.error("'yield' outside a recipe", at: range,
                                          help: "'yield' runs the block a recipe's caller gives it: use it in a recipe's body"))
        }
        let frame = interpreter.frames[active]
        guard let block = frame.block else { return }
        // The block is the caller's code: a `yield` or `return` in it is the caller's.
        let directory = interpreter.currentDirectory
        (interpreter.activeFrame, interpreter.currentDirectory) = (frame.caller, frame.directory)
        defer { (interpreter.activeFrame, interpreter.currentDirectory) = (active, directory) }
        try block.execute(interpreter, under: frame.scope, kind: kind, directory: frame.directory)
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
            throw interpreter.fail(.error("'return' outside a recipe", at: range, help: "'return' ends a recipe's call with a value: use it in a recipe's body"))
        }
        guard interpreter.commandBlockDepth == interpreter.frames[active].commandBlockDepth else {
            throw interpreter.fail(.error("'return' cannot leave a command's block", at: range,
                                          help: "end the block first, then return: let the block set a variable with 'set', and return it after the block"))
        }
        // A value that failed is reported already: the call gives poison, not a second error.
        var value = Value.poison
        do { value = try self.value.evaluate(interpreter, in: scope) } catch Unwind.statementFailed {}
        interpreter.returning = (active, value)
        throw Unwind.returned
    }
}
