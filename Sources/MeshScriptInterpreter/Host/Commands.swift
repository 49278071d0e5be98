// Commands are registered, not hard-wired: a signature says which words a command takes,
// which block it may appear in and which block it opens. The parser knows command syntax in
// general; the signature gives the words their meaning.

/// The kind of block a statement sits in (`top level`, `cluster`, ...).
public struct BlockKind: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The block's name as diagnostics and usage lines print it.
    public let name: String
    /// A block kind named `name`; equal names are the same kind.
    public init(_ name: String) { self.name = name }
    /// A block kind written as a string literal, such as `"cluster"`.
    public init(stringLiteral value: String) { self.name = value }
    /// The file itself, outside any block.
    public static let topLevel = BlockKind("top level")
    /// The block's name.
    public var description: String { name }
}

/// What a command takes: its positional words, its keyword options, where it may appear and which
/// block it opens. The parser matches a statement's words against it before the handler runs.
public struct CommandSignature: Sendable {
    /// What a value slot accepts.
    public enum ValueKind: Sendable, Hashable {
        /// A name or string (bare words allowed).
        case name
        /// A quoted string or string-valued expression.
        case string
        /// An integer literal or integer-valued expression.
        case integer
        /// One or more names: a list, or names separated by commas.
        case names
        /// Any value; the handler checks it.
        case any
    }

    /// One positional value slot, shown as `placeholder` in usage lines.
    public struct Parameter: Sendable, Hashable {
        /// The word usage lines and diagnostics show for this slot, such as `NAME`.
        public var placeholder: String
        /// What the slot accepts.
        public var kind: ValueKind
        /// A slot shown as `placeholder` that accepts `kind`.
        public init(_ placeholder: String, _ kind: ValueKind) {
            self.placeholder = placeholder
            self.kind = kind
        }
    }

    /// `network NET`, `key rsa 4096`: a keyword followed by its values.
    public struct Option: Sendable, Hashable {
        /// The option's keyword, such as `network`.
        public var keyword: String
        /// The values that follow the keyword, in order (empty: a flag).
        public var values: [Parameter]
        /// An option introduced by `keyword` and followed by `values`.
        public init(_ keyword: String, _ values: [Parameter]) {
            self.keyword = keyword
            self.values = values
        }
    }

    /// Whether a command opens a block after its words.
    public enum Body: Sendable, Hashable {
        /// The command takes no block.
        case none
        /// The command may open a block of this kind.
        case optional(BlockKind)
        /// The command must open a block of this kind.
        case required(BlockKind)
    }

    /// The command's keyword, the first word of its statement.
    public var name: String
    /// One line for help and the REPL's `:help`.
    public var summary: String
    /// The block kinds the command may appear in.
    public var allowedIn: [BlockKind]
    /// The positional values, in order; each must be given.
    public var parameters: [Parameter]
    /// The keyword options, each optional unless `exactlyOneOf` names it.
    public var options: [Option]
    /// Exactly one of these option keywords must be given (empty: no such rule).
    public var exactlyOneOf: [String]
    /// Whether the command opens a block, and of which kind.
    public var body: Body

    /// A signature for the command `name`; see the properties for each argument.
    public init(_ name: String, summary: String, allowedIn: [BlockKind], parameters: [Parameter] = [], options: [Option] = [],
                exactlyOneOf: [String] = [], body: Body = .none) {
        self.name = name
        self.summary = summary
        self.allowedIn = allowedIn
        self.parameters = parameters
        self.options = options
        self.exactlyOneOf = exactlyOneOf
        self.body = body
    }

    /// `install [network NET] [revision R] [profile P]`, for help and errors.
    public var usage: String {
        var parts = [name] + parameters.map(\.placeholder)
        for option in options {
            let text = ([option.keyword] + option.values.map(\.placeholder)).joined(separator: " ")
            parts.append(exactlyOneOf.contains(option.keyword) ? text : "[\(text)]")
        }
        switch body {
        case .none: break
        case .optional(let kind): parts.append("[< \(kind) statements >]")
        case .required(let kind): parts.append("< \(kind) statements >")
        }
        if exactlyOneOf.count > 1 {
            return parts.joined(separator: " ") + "  (one of: " + exactlyOneOf.joined(separator: ", ") + ")"
        }
        return parts.joined(separator: " ")
    }
}

/// One evaluated value with where it came from; `elementRanges` point at each item of a list.
public struct CommandArgument: Sendable {
    /// The evaluated value.
    public var value: Value
    /// Where the value's expression is in the source.
    public var range: SourceRange
    /// The range of each item of a list written in the command's words (`[a, b]`, `a, b`), in order; empty otherwise.
    public var elementRanges: [SourceRange]

    /// The items of a list argument (a single value counts as a one-item list), each with its range.
    public var items: Items { Items(argument: self) }

    /// The items of an argument, each with its range, read from it in place (no array is built).
    public struct Items: RandomAccessCollection, Sendable {
        let argument: CommandArgument

        /// The first item's position, 0.
        public var startIndex: Int { 0 }

        /// The number of items: a list's length, or 1 for a single value.
        public var endIndex: Int {
            if case .list(let values) = argument.value { return values.count }
            return 1
        }

        /// The item at `position`, with the range of the word it was written as (the whole
        /// argument's range when it has none of its own).
        public subscript(position: Int) -> (value: Value, range: SourceRange) {
            guard case .list(let values) = argument.value else { return (argument.value, argument.range) }
            let ranges = argument.elementRanges
            return (values[position], position < ranges.count ? ranges[position] : argument.range)
        }
    }

    /// Splice the lists in a list argument into it, in order (`discover with $peers, c3`), each
    /// name keeping the range of the word it came from; false (and the argument unchanged) when
    /// it is not a list or an item is not a string or a list. An empty list stays empty.
    mutating func flattenNames() -> Bool {
        guard case .list(let list) = value else { return false }
        if list.depth == 1 {
            return list.allSatisfy({ if case .string = $0 { true } else { false } })
        }
        var names: [Value] = [], ranges: [SourceRange] = []
        var stack: [(items: ValueList, next: Int, range: SourceRange?)] = [(list, 0, nil)]
        while let top = stack.indices.last {
            let index = stack[top].next
            guard index < stack[top].items.count else { stack.removeLast(); continue }
            stack[top].next = index + 1
            // An item of the written list has its own range; an item inside it takes that one.
            let itemRange = stack[top].range ?? (index < elementRanges.count ? elementRanges[index] : range)
            switch stack[top].items[index] {
            case .string:
                names.append(stack[top].items[index])
                ranges.append(itemRange)
            case .list(let inner):
                stack.append((inner, 0, itemRange))
            default:
                return false
            }
        }
        (value, elementRanges) = (.list(names), ranges)
        return true
    }

    /// The value when it is a string, else nil.
    public var string: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    /// The value when it is an integer, else nil.
    public var integer: Int? {
        if case .integer(let i) = value { return i }
        return nil
    }
}

/// A command call after its words have been matched against the signature.
public struct CommandInvocation: Sendable {
    /// The command's keyword.
    public var name: String
    /// Where the keyword is.
    public var nameRange: SourceRange
    /// The whole statement, from the keyword to the end of its block.
    public var statementRange: SourceRange
    /// The positional values, one for each parameter of the signature.
    public var arguments: [CommandArgument]
    /// The values of each given option, by keyword (an option that is not given has no entry),
    /// and where each keyword is.
    public var options: CommandOptions
    /// The block kind the statement sits in.
    public var blockKind: BlockKind
    /// Whether the statement opened a block.
    public var hasBlock: Bool
}

/// The options a statement gives, in the order it gives them: each keyword with where it is
/// and its values. A command takes a handful of options, so a lookup scans a short list
/// rather than hashing into a dictionary built for every statement run; the first is kept
/// inline, so a statement of one option (`trust from root`) allocates no list for it.
public struct CommandOptions: Sendable {
    // A struct, not a tuple: an array of tuples is copied and destroyed through the runtime's
    // generic witnesses.
    private struct Given: Sendable {
        var keyword: String, range: SourceRange, values: [CommandArgument]
    }
    private var first: Given?
    private var rest: [Given] = []

    /// No option given.
    public init() {}

    /// The values given after `keyword`, in signature order; nil when the option is not given.
    public subscript(keyword: String) -> [CommandArgument]? {
        if first?.keyword == keyword { return first?.values }
        return rest.first { $0.keyword == keyword }?.values
    }

    /// Where the option `keyword` is written (its keyword), for diagnostics about the option
    /// itself; nil when it is not given.
    public func range(of keyword: String) -> SourceRange? {
        if first?.keyword == keyword { return first?.range }
        return rest.first { $0.keyword == keyword }?.range
    }

    /// The keywords given, in statement order.
    public var keywords: [String] { (first.map { [$0.keyword] } ?? []) + rest.map(\.keyword) }

    /// The first option's values, taken out (the option keeps none): for their buffer's reuse.
    mutating func takeFirstValues() -> [CommandArgument] {
        var values: [CommandArgument] = []
        if first != nil { swap(&values, &first!.values) }
        return values
    }

    /// Add the option `keyword`, written at `range`, with its `values`. A statement gives each
    /// option once (matching rejects a repeat), so the keyword is not given yet.
    mutating func append(_ keyword: String, at range: SourceRange, _ values: [CommandArgument]) {
        let option = Given(keyword: keyword, range: range, values: values)
        if first == nil { first = option } else { rest.append(option) }
    }
}

/// A registered command as the evaluator finds it by symbol: one reference per statement run
/// instead of a copy of the signature's strings and arrays.
final class CommandEntry {
    let signature: CommandSignature
    let handler: CommandHandler

    init(_ command: RegisteredCommand) {
        (signature, handler) = (command.signature, command.handler)
    }
}

/// An error a command handler raises; it becomes a diagnostic at `range`.
public struct CommandError: Error, Sendable {
    /// The error diagnostic, with its source range, notes and help.
    public var diagnostic: Diagnostic
    /// An error at `range` with optional `help` (the fix) and `notes`.
    public init(_ message: String, at range: SourceRange, help: String? = nil, notes: [Diagnostic.Note] = []) {
        diagnostic = .error(message, at: range, notes: notes, help: help)
    }
}

/// What a handler can do besides reading its invocation: run its block, report diagnostics.
public protocol CommandContext: AnyObject {
    /// Evaluate the command's block (in the block kind its signature opens).
    func evaluateBlock() throws
    /// Report a diagnostic without stopping the statement.
    func report(_ diagnostic: Diagnostic)
}

/// The host code that runs a command: it reads the invocation and may evaluate its block or report diagnostics.
/// Throw ``CommandError`` to reject the statement.
public typealias CommandHandler = (CommandInvocation, CommandContext) throws -> Void

/// A command the interpreter knows: its signature and its handler.
public struct RegisteredCommand {
    /// The words the command takes.
    public var signature: CommandSignature
    /// The code that runs it.
    public var handler: CommandHandler
}

/// A built-in function such as `env`, `len` or the host's `clusters`.
public struct FunctionSignature: Sendable {
    /// The function's name, as scripts call it.
    public var name: String
    /// One line for help and the REPL's `:help`.
    public var summary: String
    /// How many arguments it takes; a call outside this range is an error before the handler runs.
    public var arity: ClosedRange<Int>
    /// A function `name` taking `arity` arguments.
    public init(_ name: String, summary: String, arity: ClosedRange<Int>) {
        self.name = name
        self.summary = summary
        self.arity = arity
    }
}

/// A function call after its arguments have been evaluated.
public struct FunctionCall {
    /// The function's name.
    public var name: String
    /// Where the call is, for diagnostics.
    public var range: SourceRange
    /// The evaluated arguments, in order.
    public var arguments: [CommandArgument]
    /// Charge extra evaluation steps for work proportional to `count` (e.g. building a big list).
    public var charge: (Int) throws -> Void
}

/// The host code that computes a function's value; throw ``CommandError`` to reject the call.
public typealias FunctionHandler = (FunctionCall) throws -> Value

/// A function the interpreter knows: its signature and its handler.
public struct RegisteredFunction {
    /// The function's name, summary and arity.
    public var signature: FunctionSignature
    /// The code that computes its value.
    public var handler: FunctionHandler
}
