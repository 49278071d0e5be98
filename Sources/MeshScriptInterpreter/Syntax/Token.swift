// Tokens are small values: a kind, an optional lexical error, and a byte range.
// Their text is read back from the source only when the parser needs it.

/// What a token is: a name, literal, keyword (`kw...`), punctuation, line end, end of file or error.
package enum TokenKind: UInt8, Sendable, Hashable {
    /// A name (`cluster1`), a variable (`$x`), a quoted string, an integer literal.
    case identifier, variable, string, number
    /// The keywords `let`, `recipe`, `for`, `in`, `if`, `else`, `import`, `assert`, `print`.
    case kwLet, kwRecipe, kwFor, kwIn, kwIf, kwElse, kwImport, kwAssert, kwPrint
    /// The keywords `true`, `false`, `and`, `or`, `not`.
    case kwTrue, kwFalse, kwAnd, kwOr, kwNot
    /// `<`, `>`, `[`, `]`, `(`, `)`.
    case lAngle, rAngle, lBracket, rBracket, lParen, rParen
    /// `,`, `;`, `=`, `+`, `==`, `!=`.
    case comma, semicolon, equals, plus, equalEqual, bangEqual
    /// `-`, `.`, `:`, `{`, `}`.
    case minus, dot, colon, lBrace, rBrace
    /// A line feed; the end of the input; a malformed piece of input (see ``LexicalError``).
    case newline, eof, error

    /// How the token reads in an "expected X, found Y" message.
    package var spelling: String {
        switch self {
        case .identifier: return "a name"
        case .variable: return "a variable"
        case .string: return "a string"
        case .number: return "a number"
        case .kwLet: return "'let'"
        case .kwRecipe: return "'recipe'"
        case .kwFor: return "'for'"
        case .kwIn: return "'in'"
        case .kwIf: return "'if'"
        case .kwElse: return "'else'"
        case .kwImport: return "'import'"
        case .kwAssert: return "'assert'"
        case .kwPrint: return "'print'"
        case .kwTrue: return "'true'"
        case .kwFalse: return "'false'"
        case .kwAnd: return "'and'"
        case .kwOr: return "'or'"
        case .kwNot: return "'not'"
        case .lAngle: return "'<'"
        case .rAngle: return "'>'"
        case .lBracket: return "'['"
        case .rBracket: return "']'"
        case .lParen: return "'('"
        case .rParen: return "')'"
        case .comma: return "','"
        case .semicolon: return "';'"
        case .equals: return "'='"
        case .plus: return "'+'"
        case .equalEqual: return "'=='"
        case .bangEqual: return "'!='"
        case .minus: return "'-'"
        case .dot: return "'.'"
        case .colon: return "':'"
        case .lBrace: return "'{'"
        case .rBrace: return "'}'"
        case .newline: return "end of line"
        case .eof: return "end of input"
        case .error: return "an invalid token"
        }
    }

    /// True for the keywords `let` through `not`.
    package var isKeyword: Bool { (TokenKind.kwLet.rawValue...TokenKind.kwNot.rawValue).contains(rawValue) }
}

/// Why the lexer produced an `.error` token (clox's `errorToken`, swift-syntax's `Lexeme.diagnostic`).
package enum LexicalError: UInt8, Sendable {
    /// Not an error token.
    case none
    /// A string with no closing `"`.
    case unterminatedString
    /// A character that starts no token (`{`, `!` alone, `'`, ...).
    case unexpectedCharacter
    /// Bytes that are not valid UTF-8.
    case invalidUTF8
    /// An integer literal that does not fit in `Int`.
    case numberTooLarge
    /// A `$` not followed by a name.
    case strayDollar
    /// Strings nested in `${...}` deeper than the parser's nesting cap: reported here, before
    /// the parser would re-scan the string once per level.
    case nestingTooDeep
}

/// One token: its kind, the lexical error of an `.error` token, and its byte range.
package struct Token: Sendable {
    /// What the token is.
    package var kind: TokenKind
    /// Why an `.error` token is one (`.none` for every other kind).
    package var error: LexicalError
    /// The offset of the token's first byte (the parser refuses a source of
    /// `Parser.maxSourceBytes` or more, so every offset fits).
    package var start: UInt32
    /// The offset just past its last byte.
    package var end: UInt32

    /// `start..<end` as a range of offsets.
    @inline(__always) public var byteRange: Range<Int> { Int(start)..<Int(end) }
}
