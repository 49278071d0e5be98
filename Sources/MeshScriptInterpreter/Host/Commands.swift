// Commands are registered, not hard-wired: a signature says which words a command takes,
// which block it may appear in and which block it opens. The parser knows command syntax in
// general; the signature gives the words their meaning.

/// The kind of block a statement sits in (`top level`, `cluster`, ...).
public struct BlockKind: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }
    public static let topLevel = BlockKind("top level")
    public var description: String { name }
}

public struct CommandSignature: Sendable {
    /// What a value slot accepts.
    public enum ValueKind: Sendable, Hashable {
        /// A name or string (bare words allowed).
        case name
        /// A quoted string or string-valued expression.
        case string
        case integer
        /// One or more names: a list, or names separated by commas.
        case names
        /// Any value; the handler checks it.
        case any
    }

    public struct Parameter: Sendable, Hashable {
        public var placeholder: String
        public var kind: ValueKind
        public init(_ placeholder: String, _ kind: ValueKind) {
            self.placeholder = placeholder
            self.kind = kind
        }
    }

    /// `network NET`, `key rsa 4096`: a keyword followed by its values.
    public struct Option: Sendable, Hashable {
        public var keyword: String
        public var values: [Parameter]
        public init(_ keyword: String, _ values: [Parameter]) {
            self.keyword = keyword
            self.values = values
        }
    }

    public enum Body: Sendable, Hashable {
        case none
        case optional(BlockKind)
        case required(BlockKind)
    }

    public var name: String
    public var summary: String
    public var allowedIn: [BlockKind]
    public var parameters: [Parameter]
    public var options: [Option]
    /// Exactly one of these option keywords must be given (empty: no such rule).
    public var exactlyOneOf: [String]
    public var body: Body

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
    public var value: Value
    public var range: SourceRange
    public var elementRanges: [SourceRange]

    /// The items of a list argument (a single value counts as a one-item list), each with its range.
    public var items: [(value: Value, range: SourceRange)] {
        if case .list(let values) = value {
            return values.enumerated().map { ($0.element, $0.offset < elementRanges.count ? elementRanges[$0.offset] : range) }
        }
        return [(value, range)]
    }

    public var string: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    public var integer: Int? {
        if case .integer(let i) = value { return i }
        return nil
    }
}

/// A command call after its words have been matched against the signature.
public struct CommandInvocation: Sendable {
    public var name: String
    public var nameRange: SourceRange
    public var statementRange: SourceRange
    public var arguments: [CommandArgument]
    public var options: [String: [CommandArgument]]
    /// Where the keyword of each given option is, for diagnostics about the option itself.
    public var optionRanges: [String: SourceRange]
    public var blockKind: BlockKind
    public var hasBlock: Bool
}

/// An error a command handler raises; it becomes a diagnostic at `range`.
public struct CommandError: Error, Sendable {
    public var diagnostic: Diagnostic
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

public typealias CommandHandler = (CommandInvocation, CommandContext) throws -> Void

public struct RegisteredCommand {
    public var signature: CommandSignature
    public var handler: CommandHandler
}

/// A built-in function such as `env`, `len` or the host's `clusters`.
public struct FunctionSignature: Sendable {
    public var name: String
    public var summary: String
    public var arity: ClosedRange<Int>
    public init(_ name: String, summary: String, arity: ClosedRange<Int>) {
        self.name = name
        self.summary = summary
        self.arity = arity
    }
}

public struct FunctionCall {
    public var name: String
    public var range: SourceRange
    public var arguments: [CommandArgument]
    /// Charge extra evaluation steps for work proportional to `count` (e.g. building a big list).
    public var charge: (Int) throws -> Void
}

public typealias FunctionHandler = (FunctionCall) throws -> Value

public struct RegisteredFunction {
    public var signature: FunctionSignature
    public var handler: FunctionHandler
}
