// The syntax tree: value types, every node with its source range, Sendable so a parsed
// program can be cached, shared with the REPL or handed to another thread.

public struct Expression: Sendable {
    public indirect enum Kind: Sendable {
        /// A bare identifier: evaluates to the string of its text, as a word does in a shell.
        case name(String)
        case variable(String)
        case string([StringPart])
        case number(Int)
        case boolean(Bool)
        case list([Expression])
        case call(function: String, functionRange: SourceRange, arguments: [Expression])
        case binary(BinaryOperator, Expression, Expression)
        case not(Expression)
        /// Stands in for a piece of input that did not parse; evaluates silently to poison.
        case invalid
    }

    public var kind: Kind
    public var range: SourceRange

    public init(_ kind: Kind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

public enum StringPart: Sendable {
    case literal(String)
    case interpolation(Expression)
}

public enum BinaryOperator: String, Sendable {
    case plus = "+"
    case equal = "=="
    case notEqual = "!="
    case and
    case or
}

/// A word after a command name. `isBareName` tells option keywords (`network`, `from`) apart
/// from strings that happen to spell them.
public struct Word: Sendable {
    public var expression: Expression
    public var isBareName: Bool {
        if case .name = expression.kind { return true }
        return false
    }
}

public struct Block: Sendable {
    public var statements: [Statement]
    public var range: SourceRange
}

public struct Statement: Sendable {
    public indirect enum Kind: Sendable {
        case command(name: String, nameRange: SourceRange, words: [Word], block: Block?)
        case `let`(name: String, nameRange: SourceRange, value: Expression)
        case recipe(RecipeDeclaration)
        case `for`(variable: String, variableRange: SourceRange, sequence: Expression, body: Block)
        case `if`(condition: Expression, then: Block, else: Block?)
        case `import`(path: Expression)
        case assert(condition: Expression, message: Expression?)
        case print(Expression)
    }

    public var kind: Kind
    public var range: SourceRange
}

public struct RecipeDeclaration: Sendable {
    public var name: String
    public var nameRange: SourceRange
    public var parameters: [(name: String, range: SourceRange)]
    public var body: Block
}

/// One parsed file.
public struct Program: Sendable {
    public var file: FileID
    public var statements: [Statement]
}
