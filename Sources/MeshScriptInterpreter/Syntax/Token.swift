// Tokens are small values: a kind, an optional lexical error, and a byte range.
// Their text is read back from the source only when the parser needs it.

package enum TokenKind: UInt8, Sendable, Hashable {
    case identifier, variable, string, number
    case kwLet, kwRecipe, kwFor, kwIn, kwIf, kwElse, kwImport, kwAssert, kwPrint
    case kwTrue, kwFalse, kwAnd, kwOr, kwNot
    case lAngle, rAngle, lBracket, rBracket, lParen, rParen
    case comma, semicolon, equals, plus, equalEqual, bangEqual
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
        case .newline: return "end of line"
        case .eof: return "end of input"
        case .error: return "an invalid token"
        }
    }

    package var isKeyword: Bool { (TokenKind.kwLet.rawValue...TokenKind.kwNot.rawValue).contains(rawValue) }
}

/// Why the lexer produced an `.error` token (clox's `errorToken`, swift-syntax's `Lexeme.diagnostic`).
package enum LexicalError: UInt8, Sendable {
    case none
    case unterminatedString
    case unexpectedCharacter
    case invalidUTF8
    case numberTooLarge
    case strayDollar
    /// Strings nested in `${...}` deeper than the parser's nesting cap: reported here, before
    /// the parser would re-scan the string once per level.
    case nestingTooDeep
}

package struct Token: Sendable {
    package var kind: TokenKind
    package var error: LexicalError
    package var start: Int32
    package var end: Int32

    @inline(__always) public var byteRange: Range<Int> { Int(start)..<Int(end) }
}
