// The syntax tree: value types, every node with its source range, Sendable so a parsed
// program can be cached, shared with the REPL or handed to another thread.

/// An expression of the language, with its source range.
public struct Expression: Sendable {
    /// What an expression is. Only the cases that hold an expression (or a long payload) are
    /// `indirect`: a name, variable, number, boolean, string, list or map lives inline, with no
    /// heap box of its own, which keeps the tree of a large script small.
    public enum Kind: Sendable {
        /// A bare identifier: evaluates to the string of its text, as a word does in a shell.
        case name(String)
        /// `$name`: the value of a variable.
        case variable(String)
        /// A quoted string: literal text and `${...}` interpolations, in order.
        case string([StringPart])
        /// An integer literal.
        case number(Int)
        /// `true` or `false`.
        case boolean(Bool)
        /// `[a, b, ...]`: a list literal.
        case list([Expression])
        /// `name(arguments)`: a call of a built-in or host function, or of a recipe (which
        /// returns a value). Keyword arguments (`.keywordArgument`) follow the positional ones.
        indirect case call(function: String, functionRange: SourceRange, arguments: [Expression])
        /// `name = value` among a call's arguments (`f(a, net = "n2")`): a keyword argument. It
        /// appears only as an argument of `.call`, never on its own.
        indirect case keywordArgument(name: String, nameRange: SourceRange, value: Expression)
        /// `a + b`, `a - b`, `a == b`, `a != b`, `a < b` (and `<=`, `>`, `>=`), `a in b`, `a and b`, `a or b`.
        indirect case binary(BinaryOperator, Expression, Expression)
        /// `not a`.
        indirect case not(Expression)
        /// `-a`: the negative of an integer.
        indirect case negate(Expression)
        /// `{key: value, "two words": value}`: a map literal, its entries in order.
        case map([MapEntry])
        /// `a.NAME`: a map's field (the `.` touches `a`).
        indirect case field(Expression, name: String, nameRange: SourceRange)
        /// `a[i]`: an item of a list, a character of a string, a map's value (the `[` touches `a`).
        indirect case index(Expression, Expression)
        /// `a[i:j]`, `a[:j]`, `a[i:]`: part of a list or string.
        indirect case slice(Expression, from: Expression?, to: Expression?)
        /// `[ELEMENT for NAME in SEQUENCE if CONDITION]`: a list built from another; NAME is bound
        /// only inside the brackets.
        indirect case comprehension(element: Expression, variable: String, variableRange: SourceRange,
                           sequence: Expression, condition: Expression?)
        /// Stands in for a piece of input that did not parse; evaluates silently to poison.
        case invalid
    }

    /// What the expression is.
    public var kind: Kind
    /// Where it is in the source.
    public var range: SourceRange

    /// An expression of `kind` written at `range`.
    public init(_ kind: Kind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

/// One `KEY: VALUE` of a map literal. The key is a bare name or a string (`.name` or `.string`).
public struct MapEntry: Sendable {
    /// The key as written: a name or a string, which may interpolate.
    public var key: Expression
    /// The value's expression.
    public var value: Expression
}

/// A piece of a quoted string.
public enum StringPart: Sendable {
    /// Text taken as it is (escapes already resolved).
    case literal(String)
    /// `${...}`: an expression whose value's text is spliced in.
    indirect case interpolation(Expression)
}

/// An infix operator, its raw value the spelling.
public enum BinaryOperator: String, Sendable {
    /// String concatenation (or integer addition).
    case plus = "+"
    /// Integer subtraction.
    case minus = "-"
    /// Integer less-than (comparisons are written inside brackets: `<` and `>` delimit blocks).
    case less = "<"
    /// Integer less-than-or-equal, `<` touching `=`.
    case lessEqual = "<="
    /// Integer greater-than.
    case greater = ">"
    /// Integer greater-than-or-equal, `>` touching `=`.
    case greaterEqual = ">="
    /// Membership: an item of a list, a key of a map, a substring of a string.
    case `in`
    /// Equality of two values.
    case equal = "=="
    /// Inequality of two values.
    case notEqual = "!="
    /// Boolean and.
    case and
    /// Boolean or.
    case or
}

/// A word after a command name. `isBareName` tells option keywords (`network`, `from`) apart
/// from strings that happen to spell them.
public struct Word: Sendable {
    /// The word's expression.
    public var expression: Expression
    /// The label and its range, boxed: most words have none, and a word is then as small as
    /// its expression plus a pointer.
    private var labelling: Labelling?

    private indirect enum Labelling: Sendable {
        case label(String?, SourceRange?)
    }

    /// A word of `expression`, with the keyword `label` written at `labelRange` for a keyword argument.
    public init(expression: Expression, label: String? = nil, labelRange: SourceRange? = nil) {
        self.expression = expression
        self.labelling = label == nil && labelRange == nil ? nil : .label(label, labelRange)
    }

    /// The keyword of a keyword argument (`net` in `primary east net = n2`), nil for a plain word.
    public var label: String? {
        get { if case .label(let label, _)? = labelling { return label } else { return nil } }
        set { self = Word(expression: expression, label: newValue, labelRange: labelRange) }
    }
    /// Where the keyword is (nil for a plain word).
    public var labelRange: SourceRange? {
        get { if case .label(_, let range)? = labelling { return range } else { return nil } }
        set { self = Word(expression: expression, label: label, labelRange: newValue) }
    }
    /// True when the word is a bare identifier (`network`), false for a string, variable or other expression.
    public var isBareName: Bool {
        if case .name = expression.kind { return true }
        return false
    }
}

/// `< statements >`: a block, with the range from `<` to `>`.
public struct Block: Sendable {
    /// The statements inside, in order.
    public var statements: [Statement]
    /// Where the block is, its brackets included.
    public var range: SourceRange
}

/// One statement, with its source range.
public struct Statement: Sendable {
    /// What a statement is. A command, the commonest statement, lives inline; the cases
    /// with larger payloads are `indirect` (boxed), so the enum stays the size of a command.
    public enum Kind: Sendable {
        /// A host command: its keyword, the words after it and its block, if any.
        case command(name: String, nameRange: SourceRange, words: [Word], block: Block?)
        /// `let NAME = EXPR`.
        indirect case `let`(name: String, nameRange: SourceRange, value: Expression)
        /// `recipe NAME(PARAMS) < ... >`: a recipe declaration.
        indirect case recipe(RecipeDeclaration)
        /// `for x in EXPR < ... >`: the body once per item of a list.
        indirect case `for`(variable: String, variableRange: SourceRange, sequence: Expression, body: Block)
        /// `if COND < ... > [else < ... >]` (an `else if` is an `if` in the else block).
        indirect case `if`(condition: Expression, then: Block, else: Block?)
        /// `import FILE`: evaluate another file and take its names.
        case `import`(path: Expression)
        /// `import FILE as NAME`: evaluate another file; its recipes are called `NAME.RECIPE`
        /// and its variables read as `$NAME.VARIABLE`, and nothing else of it enters this scope.
        indirect case namespacedImport(path: Expression, namespace: String, namespaceRange: SourceRange)
        /// `assert COND [, MESSAGE]`: an error when the condition is false.
        indirect case assert(condition: Expression, message: Expression?)
        /// `print EXPR`: write the value to the interpreter's output.
        case print(Expression)
        /// `set NAME = EXPR`: update the nearest enclosing binding of `$NAME`.
        indirect case set(name: String, nameRange: SourceRange, value: Expression)
        /// `yield` in a recipe body: run the block the caller gave the recipe.
        case yield
        /// `return EXPR` in a recipe body: end the call with this value.
        case `return`(Expression)
    }

    /// How the statement is kept: see ``Storage``.
    private var storage: Storage
    private var storedRange: SourceRange

    /// What the statement is. A command kept compactly is read back from the source on each
    /// access (its words are rebuilt then); any other statement returns what the parser made.
    public var kind: Kind {
        get {
            switch storage {
            case .general(let kind): return kind
            case .command(let command): return command.kind(at: storedRange)
            }
        }
        set { storage = .general(newValue) }
    }

    /// Which case ``kind`` is, read without building its payload: a compact command's words
    /// are not rebuilt to learn that it is a command.
    var form: Form {
        guard case .general(let kind) = storage else { return .command }
        switch kind {
        case .command: return .command
        case .let: return .let
        case .recipe: return .recipe
        case .for: return .for
        case .if: return .if
        case .import: return .import
        case .namespacedImport: return .namespacedImport
        case .assert: return .assert
        case .print: return .print
        case .set: return .set
        case .yield: return .yield
        case .return: return .return
        }
    }

    /// The cases of ``Kind``, without their payloads.
    enum Form {
        case command, `let`, recipe, `for`, `if`, `import`, namespacedImport, assert, print, set, yield, `return`
    }

    /// The command when the statement keeps it compactly, nil for any other statement (whose
    /// ``kind`` is what the parser made, read without rebuilding).
    /// Inlined and read with `switch`, so that reading it from an array's storage copies the
    /// command alone (an `if case` here copies the whole statement first).
    @inline(__always) var compactCommand: CompactCommand? {
        switch storage {
        case .command(let command): return command
        case .general: return nil
        }
    }

    /// Whether each of `statements` is a command kept compactly with no block. They are read in
    /// place: `allSatisfy` copies each statement out (a count on each of its references).
    static func allCompactCommandsWithoutBlocks(_ statements: [Statement]) -> Bool {
        statements.withUnsafeBufferPointer { statements in
            for index in statements.indices {
                guard case .command(let command) = statements[index].storage, !command.hasBlock else { return false }
            }
            return true
        }
    }

    /// The statements of a command's block, without rebuilding a compact command's words; nil
    /// for a command without a block and for any other statement.
    var commandBlockStatements: [Statement]? {
        switch storage {
        case .command(let command): return command.blockStatements
        case .general(let kind):
            if case .command(_, _, _, let block) = kind { return block?.statements }
            return nil
        }
    }

    /// Where it is, from its first word to the end of its block.
    public var range: SourceRange {
        @inline(__always) get { storedRange }
        set {
            // A compact command's parts are kept as offsets from its start: fix them first.
            if case .command = storage { storage = .general(kind) }
            storedRange = newValue
        }
    }

    /// A statement of `kind` written at `range`.
    init(kind: Kind, range: SourceRange) {
        self.storage = .general(kind)
        self.storedRange = range
    }

    /// A command kept compactly (see ``CompactCommand``), written at `range`.
    init(_ command: consuming CompactCommand, range: SourceRange) {
        self.storage = .command(command)
        self.storedRange = range
    }

    /// Most statements of a large script are commands of a few plain words (`trust from root`,
    /// `context "ctx-1"`): those are kept as offsets into the source, with no array of words and
    /// no strings, which makes them a fraction of the size; every other statement keeps its kind.
    private enum Storage: Sendable {
        indirect case general(Kind)
        case command(CompactCommand)
    }
}

/// A command of at most ``capacity`` plain words (a bare name, a `$variable`, or a string with
/// no escape and no interpolation), none labelled, and an optional block: its name, words and
/// block's range are offsets into the source it was parsed from (which it shares, never copies).
struct CompactCommand: Sendable {
    /// The source's bytes (the same storage as the ``SourceFile``'s).
    private let source: [UInt8]
    /// The block's statements, nil without a block.
    private var block: [Statement]?
    /// The offset of the block's `<` (the block ends where the statement does).
    private var blockStart: UInt32 = 0
    /// The length of the name (it starts the statement).
    let nameLength: UInt16
    /// How many words there are.
    private var count: UInt8 = 0
    /// Each word's kind, two bits a word (``WordKind``).
    private var kinds: UInt8 = 0
    /// Each word's offset from the statement's start, and length.
    private var offsets: (UInt16, UInt16, UInt16) = (0, 0, 0)
    private var lengths: (UInt16, UInt16, UInt16) = (0, 0, 0)

    /// The most words kept inline.
    static let capacity = 3

    /// What a plain word is.
    enum WordKind: UInt8 {
        case name, variable, string
    }

    /// A command of `source` whose name is `nameLength` bytes long, with no words yet.
    init(source: [UInt8], nameLength: UInt16) {
        self.source = source
        self.nameLength = nameLength
    }

    /// Gives the command its block (nil: none).
    mutating func setBlock(_ block: consuming Block?) {
        self.block = block?.statements
        blockStart = UInt32(truncatingIfNeeded: block?.range.start ?? 0)
    }

    /// Adds a word of `kind` at `offset` bytes from the statement's start, `length` long; false
    /// (and nothing added) when the command is full or a number does not fit.
    mutating func append(_ kind: WordKind, offset: Int, length: Int) -> Bool {
        guard Int(count) < CompactCommand.capacity, let offset = UInt16(exactly: offset), let length = UInt16(exactly: length) else { return false }
        switch count {
        case 0: offsets.0 = offset; lengths.0 = length
        case 1: offsets.1 = offset; lengths.1 = length
        default: offsets.2 = offset; lengths.2 = length
        }
        kinds |= kind.rawValue << (2 * count)
        count += 1
        return true
    }

    /// The word at `index`: its kind, offset and length.
    private func word(_ index: Int) -> (kind: WordKind, offset: Int, length: Int) {
        let kind = WordKind(rawValue: (kinds >> (2 * UInt8(index))) & 3) ?? .name
        switch index {
        case 0: return (kind, Int(offsets.0), Int(lengths.0))
        case 1: return (kind, Int(offsets.1), Int(lengths.1))
        default: return (kind, Int(offsets.2), Int(lengths.2))
        }
    }

    /// How many words follow the name.
    var wordCount: Int { Int(count) }

    /// The block's statements, nil without a block.
    var blockStatements: [Statement]? { block }

    /// Whether the command has a block.
    var hasBlock: Bool { block != nil }

    /// Whether the word at `index` is a string (whose expression, with no interpolation,
    /// names nothing).
    func wordIsString(_ index: Int) -> Bool { word(index).kind == .string }

    /// Which words are bare names (possible option keywords): bit `i` for word `i`.
    var bareNames: Int {
        var bits = 0
        for index in 0..<Int(count) where word(index).kind == .name { bits |= 1 << index }
        return bits
    }

    /// Whether the word at `index` is a `$variable`.
    func wordIsVariable(_ index: Int) -> Bool { word(index).kind == .variable }

    /// The name's bytes packed into one integer (`Lexer.packed`), for a statement at `range`, when
    /// it is at most 8 bytes long; nil for a longer name. Finds a command's symbol without
    /// building its name.
    func nameKey(at range: SourceRange) -> UInt64? {
        nameLength <= 8 ? Lexer.packed(source, range.start, range.start + Int(nameLength)) : nil
    }

    /// The name and where it is, for a statement at `range`.
    func name(at range: SourceRange) -> (name: String, range: SourceRange) {
        let nameRange = SourceRange(file: range.file, start: range.start, end: range.start + Int(nameLength))
        return (text(nameRange.start, nameRange.end), nameRange)
    }

    /// The block, for a statement at `range`; nil without one.
    func block(at range: SourceRange) -> Block? {
        block.map { Block(statements: $0, range: SourceRange(file: range.file, start: Int(blockStart), end: range.end)) }
    }

    /// The word at `index` (below ``wordCount``) as the parser would have built its expression,
    /// for a statement at `range`.
    func wordExpression(_ index: Int, at range: SourceRange) -> Expression {
        expression(index, file: range.file, start: range.start)
    }

    /// The word at `index` (below ``wordCount``) as a value is made from it, for a statement
    /// at `range`: its kind, its text (a variable's name without the `$`, a string's without
    /// its quotes) and where it is.
    func plainWord(_ index: Int, at range: SourceRange) -> (kind: WordKind, text: String, range: SourceRange) {
        let (kind, offset, length) = word(index)
        let start = range.start + offset, end = start + length
        let wordRange = SourceRange(file: range.file, start: start, end: end)
        switch kind {
        case .name: return (kind, text(start, end), wordRange)
        case .variable: return (kind, text(start + 1, end), wordRange)
        case .string: return (kind, text(start + 1, end - 1), wordRange)
        }
    }

    /// The command as the parser would have built it, for a statement at `range`.
    func kind(at range: SourceRange) -> Statement.Kind {
        let (name, nameRange) = self.name(at: range)
        return .command(name: name, nameRange: nameRange, words: words(file: range.file, start: range.start), block: block(at: range))
    }

    /// The words, for a statement starting at `start` in `file`.
    func words(file: FileID, start: Int) -> [Word] {
        var words: [Word] = []
        guard count > 0 else { return words }
        words.reserveCapacity(Int(count))
        for index in 0..<Int(count) { words.append(Word(expression: expression(index, file: file, start: start))) }
        return words
    }

    private func expression(_ index: Int, file: FileID, start: Int) -> Expression {
        let word = plainWord(index, at: SourceRange(file: file, start: start, end: start))
        switch word.kind {
        case .name: return Expression(.name(word.text), word.range)
        case .variable: return Expression(.variable(word.text), word.range)
        case .string: return Expression(.string([.literal(word.text)]), word.range)
        }
    }

    private func text(_ start: Int, _ end: Int) -> String {
        source.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
    }
}

/// `recipe NAME(PARAMS) < ... >`: a named block of statements that runs when the recipe is called.
public struct RecipeDeclaration: Sendable {
    /// The recipe's name.
    public var name: String
    /// Where the name is.
    public var nameRange: SourceRange
    /// The parameters, in order.
    public var parameters: [RecipeParameter]
    /// The statements the recipe runs.
    public var body: Block
}

/// One parameter of a recipe: `name`, `net = "n1"`, `count: int = 1`.
public struct RecipeParameter: Sendable {
    /// The parameter's name (its variable inside the body is `$name`).
    public var name: String
    /// Where the name is.
    public var range: SourceRange
    /// The kind of value it takes (`: string`), checked at each call; nil takes any value.
    public var kind: ParameterKind?
    /// Where the kind is written (nil without one).
    public var kindRange: SourceRange?
    /// The value when a call does not give one (`= "n1"`), evaluated at each such call in the
    /// scope the recipe was declared in; nil makes the parameter required.
    public var defaultValue: Expression?

    /// A parameter `name` written at `range`, with an optional kind and default.
    public init(name: String, range: SourceRange, kind: ParameterKind? = nil, kindRange: SourceRange? = nil, defaultValue: Expression? = nil) {
        self.name = name
        self.range = range
        self.kind = kind
        self.kindRange = kindRange
        self.defaultValue = defaultValue
    }
}

/// The kind a typed recipe parameter takes, its raw value the spelling (`recipe p(n: int)`).
public enum ParameterKind: String, Sendable, CaseIterable {
    /// A string that is a valid name: a DNS-1123 label, as cluster names are.
    case name
    /// Any string.
    case string
    /// An integer.
    case int
    /// `true` or `false`.
    case bool
    /// A list.
    case list
}

/// One parsed file.
public struct Program: Sendable {
    /// The file the program was parsed from.
    public var file: FileID
    /// The top-level statements, in order.
    public var statements: [Statement]
}
