// The lexer walks UTF-8 bytes with integer offsets. It never throws: a malformed
// piece of input becomes an `.error` token that carries the reason.

/// Splits a script's UTF-8 bytes into tokens; a malformed piece becomes an `.error` token, never a throw.
package struct Lexer {
    private let bytes: [UInt8]
    private var offset: Int
    private let end: Int
    private let maxNesting: Int

    /// Lex `bytes[range]` (the whole file by default; a sub-range for `${...}` interpolations).
    /// A string whose strings and interpolations nest deeper than `maxNesting` becomes an error token.
    package init(bytes: [UInt8], range: Range<Int>? = nil, maxNesting: Int = .max) {
        self.bytes = bytes
        self.offset = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
        self.maxNesting = maxNesting
    }

    /// All tokens, ending with exactly one `.eof`.
    package static func tokenize(_ bytes: [UInt8], range: Range<Int>? = nil, maxNesting: Int = .max) -> [Token] {
        var lexer = Lexer(bytes: bytes, range: range, maxNesting: maxNesting)
        var tokens: [Token] = []
        tokens.reserveCapacity((range?.count ?? bytes.count) / 4 + 1)
        while true {
            let token = lexer.next()
            tokens.append(token)
            if token.kind == .eof { return tokens }
        }
    }

    @inline(__always) private func peek(_ ahead: Int = 0) -> UInt8 {
        let index = offset + ahead
        return index < end ? bytes[index] : 0
    }

    @inline(__always) private func make(_ kind: TokenKind, _ start: Int, _ error: LexicalError = .none) -> Token {
        Token(kind: kind, error: error, start: UInt32(truncatingIfNeeded: start), end: UInt32(truncatingIfNeeded: offset))
    }

    /// The next token (`.eof` at the end, and again on every later call).
    package mutating func next() -> Token {
        // Skip blanks and comments; newlines are tokens (they separate statements).
        while offset < end {
            let byte = bytes[offset]
            if byte == 0x20 || byte == 0x09 || byte == 0x0D {
                offset += 1
            } else if byte == UInt8(ascii: "#") {
                while offset < end, bytes[offset] != 0x0A { offset += 1 }
            } else if byte == UInt8(ascii: "\\"), peek(1) == 0x0A {
                offset += 2 // an explicit line continuation
            } else if byte == UInt8(ascii: "\\"), peek(1) == 0x0D, peek(2) == 0x0A {
                offset += 3 // the same with a CRLF line end
            } else {
                break
            }
        }
        let start = offset
        guard offset < end else { return make(.eof, start) }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case 0x0A: return make(.newline, start)
        case UInt8(ascii: "<"): return make(.lAngle, start)
        case UInt8(ascii: ">"): return make(.rAngle, start)
        case UInt8(ascii: "["): return make(.lBracket, start)
        case UInt8(ascii: "]"): return make(.rBracket, start)
        case UInt8(ascii: "("): return make(.lParen, start)
        case UInt8(ascii: ")"): return make(.rParen, start)
        case UInt8(ascii: ","): return make(.comma, start)
        case UInt8(ascii: ";"): return make(.semicolon, start)
        case UInt8(ascii: "+"): return make(.plus, start)
        case UInt8(ascii: "-"): return make(.minus, start)
        case UInt8(ascii: "."): return make(.dot, start)
        case UInt8(ascii: ":"): return make(.colon, start)
        case UInt8(ascii: "{"): return make(.lBrace, start)
        case UInt8(ascii: "}"): return make(.rBrace, start)
        case UInt8(ascii: "="):
            if peek() == UInt8(ascii: "=") { offset += 1; return make(.equalEqual, start) }
            return make(.equals, start)
        case UInt8(ascii: "!"):
            if peek() == UInt8(ascii: "=") { offset += 1; return make(.bangEqual, start) }
            return make(.error, start, .unexpectedCharacter)
        case UInt8(ascii: "\""):
            return lexString(start)
        case UInt8(ascii: "$"):
            guard Lexer.isIdentifierStart(peek()) else { return make(.error, start, .strayDollar) }
            while Lexer.isIdentifierContinue(peek()) { offset += 1 }
            trimTrailingDashes(start: start + 1)
            return make(.variable, start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            while peek() >= UInt8(ascii: "0") && peek() <= UInt8(ascii: "9") { offset += 1 }
            if Lexer.isIdentifierStart(peek()) || peek() == UInt8(ascii: "-") {
                // `1st-cluster` is not a valid name (DNS labels may start with digits, but
                // identifiers may not); lex it as one bad token so the message names it whole.
                while Lexer.isIdentifierContinue(peek()) { offset += 1 }
                return make(.error, start, .unexpectedCharacter)
            }
            // 19 digits may still fit an Int (the parser checks the value); 20 never do.
            if offset - start > 19 { return make(.error, start, .numberTooLarge) }
            return make(.number, start)
        default:
            if Lexer.isIdentifierStart(byte) {
                while Lexer.isIdentifierContinue(peek()) { offset += 1 }
                trimTrailingDashes(start: start)
                return make(Lexer.keyword(bytes, start, offset) ?? .identifier, start)
            }
            if byte >= 0x80 {
                // Consume one whole scalar (or one invalid byte) so columns stay right.
                let length = Lexer.utf8SequenceLength(bytes, start, end)
                if length == 0 { return make(.error, start, .invalidUTF8) }
                offset = start + length
            }
            return make(.error, start, .unexpectedCharacter)
        }
    }

    /// `a-` followed by something else: the dash is not part of the name (names end in a letter,
    /// digit or underscore), which keeps `x-1` and `$a-` predictable.
    private mutating func trimTrailingDashes(start: Int) {
        while offset > start + 1, bytes[offset - 1] == UInt8(ascii: "-") { offset -= 1 }
    }

    /// A string literal, including nested strings inside `${...}`. The parser decodes escapes
    /// and interpolations later; here we only find where the literal ends.
    private mutating func lexString(_ start: Int) -> Token {
        var deepest = 0
        guard let after = Lexer.skipNested(bytes, from: offset, end: end, insideInterpolation: false, deepest: &deepest) else {
            offset = end
            return make(.error, start, .unterminatedString)
        }
        offset = after
        return make(deepest > maxNesting ? .error : .string, start, deepest > maxNesting ? .nestingTooDeep : .none)
    }

    /// Skip a string body (from just after its opening quote) or an interpolation body (from
    /// just after its `${`), including strings and interpolations nested in it to any depth.
    /// Returns the offset just after the closing quote or brace, or nil when the input ends first.
    /// Iterative on purpose: a script of nested `"${"${...` must not overflow the stack.
    /// The parser uses the same scan to find where an interpolation ends.
    /// `deepest` is set to the largest number of strings and interpolations open at once.
    package static func skipNested(_ bytes: [UInt8], from start: Int, end: Int, insideInterpolation: Bool) -> Int? {
        var deepest = 0
        return skipNested(bytes, from: start, end: end, insideInterpolation: insideInterpolation, deepest: &deepest)
    }

    /// ``skipNested(_:from:end:insideInterpolation:)`` that also reports in `deepest` the largest
    /// number of strings and interpolations open at once.
    package static func skipNested(_ bytes: [UInt8], from start: Int, end: Int, insideInterpolation: Bool, deepest: inout Int) -> Int? {
        // One entry per open construct, innermost last: 0 for a string, n > 0 for an
        // interpolation whose braces are n deep.
        var open: [Int] = [insideInterpolation ? 1 : 0]
        defer { deepest = max(deepest, open.count) }
        var offset = start
        while offset < end {
            let byte = bytes[offset]
            offset += 1
            let top = open.count - 1
            if open[top] == 0 {
                switch byte {
                case UInt8(ascii: "\\"):
                    if offset < end { offset += 1 }
                case UInt8(ascii: "\""):
                    open.removeLast()
                    if open.isEmpty { return offset }
                case UInt8(ascii: "$") where offset < end && bytes[offset] == UInt8(ascii: "{"):
                    offset += 1
                    open.append(1)
                    deepest = max(deepest, open.count)
                default:
                    break
                }
            } else {
                switch byte {
                case UInt8(ascii: "{"):
                    open[top] += 1
                case UInt8(ascii: "}"):
                    open[top] -= 1
                    if open[top] == 0 {
                        open.removeLast()
                        if open.isEmpty { return offset }
                    }
                case UInt8(ascii: "\""):
                    open.append(0)
                default:
                    break
                }
            }
        }
        return nil
    }

    /// Whether `byte` may start an identifier: an ASCII letter or `_`.
    @inline(__always) public static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
    }

    /// Whether `byte` may continue an identifier: a letter, digit, `_` or `-`.
    @inline(__always) public static func isIdentifierContinue(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
    }

    /// The length of a valid UTF-8 sequence at `index`, or 0 when it is invalid.
    package static func utf8SequenceLength(_ bytes: [UInt8], _ index: Int, _ end: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard index + length <= end else { return 0 }
        for k in 1..<length where bytes[index + k] & 0xC0 != 0x80 { return 0 }
        // Reject overlong forms and surrogates / values above U+10FFFF.
        let second = bytes[index + 1]
        if lead == 0xE0 && second < 0xA0 { return 0 }
        if lead == 0xED && second > 0x9F { return 0 }
        if lead == 0xF0 && second < 0x90 { return 0 }
        if lead == 0xF4 && second > 0x8F { return 0 }
        return length
    }

    /// The offset of the first invalid UTF-8 byte in the file, if any.
    package static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            // Eight ASCII bytes at a time: no byte of the word has its high bit set.
            if index + 8 <= count {
                let word = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index, as: UInt64.self) }
                if word & 0x8080_8080_8080_8080 == 0 { index += 8; continue }
            }
            if bytes[index] < 0x80 { index += 1; continue }
            let length = utf8SequenceLength(bytes, index, count)
            if length == 0 { return index }
            index += length
        }
        return nil
    }

    // Keywords are matched on bytes; no String is built per identifier.
    private static let keywordTable: [(bytes: [UInt8], kind: TokenKind)] = ([
        ("let", .kwLet), ("recipe", .kwRecipe), ("for", .kwFor), ("in", .kwIn), ("if", .kwIf),
        ("else", .kwElse), ("import", .kwImport), ("assert", .kwAssert), ("print", .kwPrint),
        ("true", .kwTrue), ("false", .kwFalse), ("and", .kwAnd), ("or", .kwOr), ("not", .kwNot),
    ] as [(String, TokenKind)]).map { (Array($0.0.utf8), $0.1) }

    /// Every keyword of the language, as written.
    package static let keywords: [String] = keywordTable.map { String(decoding: $0.bytes, as: UTF8.self) }

    /// The bytes of a name of at most 8 bytes, `bytes[start..<end]`, packed little-endian into one
    /// integer: a name has no zero byte, so no two names pack alike.
    @inline(__always) static func packed(_ bytes: [UInt8], _ start: Int, _ end: Int) -> UInt64 {
        var packed: UInt64 = 0
        for k in 0..<(end - start) { packed |= UInt64(bytes[start + k]) << UInt64(8 * k) }
        return packed
    }

    /// The keyword `bytes[start..<end]` spells, if any: its bytes `packed` into one integer and
    /// matched in one switch, instead of a loop over ``keywordTable``. A test checks both agree.
    @inline(__always) private static func keyword(_ bytes: [UInt8], _ start: Int, _ end: Int) -> TokenKind? {
        let length = end - start
        guard length >= 2, length <= 6 else { return nil }
        // Every keyword starts with one of a, e, f, i, l, n, o, p, r, t: most names stop here.
        let first = bytes[start] &- UInt8(ascii: "a")
        guard first < 32, (0b1010_1110_1001_0011_0001 as UInt32) >> UInt32(first) & 1 == 1 else { return nil }
        switch packed(bytes, start, end) {
        case 0x74656c: return .kwLet // "let"
        case 0x657069636572: return .kwRecipe // "recipe"
        case 0x726f66: return .kwFor // "for"
        case 0x6e69: return .kwIn // "in"
        case 0x6669: return .kwIf // "if"
        case 0x65736c65: return .kwElse // "else"
        case 0x74726f706d69: return .kwImport // "import"
        case 0x747265737361: return .kwAssert // "assert"
        case 0x746e697270: return .kwPrint // "print"
        case 0x65757274: return .kwTrue // "true"
        case 0x65736c6166: return .kwFalse // "false"
        case 0x646e61: return .kwAnd // "and"
        case 0x726f: return .kwOr // "or"
        case 0x746f6e: return .kwNot // "not"
        default: return nil
        }
    }
}
