// The parser's tokens, lexed as it reaches them and dropped once the statement holding them is
// parsed: a large script never has all its tokens in memory at once.

/// The tokens of one source, addressed by their index from the first, lexed on demand. The
/// parser looks ahead any distance and back within the statement it is parsing; the tokens of
/// earlier statements are let go (``discard(before:)``), keeping only what "the end of the
/// last token before this one" needs.
struct TokenStream {
    private var lexer: Lexer
    /// The tokens from index `first` on that have been lexed.
    private var buffer: [Token] = []
    /// The index of `buffer[0]`.
    private var first = 0
    /// The end of the last dropped token that is not a line end (0 when none was dropped).
    private var droppedEnd = 0
    /// The end of the last token lexed so far that is neither a line end nor the end of input.
    private(set) var lastSignificantEnd: Int?
    /// True once `.eof` is in `buffer`.
    private var reachedEnd = false

    /// Dropping tokens is worth its copy only once this many are behind the parser.
    private static let discardThreshold = 4096

    /// The tokens `lexer` produces.
    init(_ lexer: Lexer) {
        self.lexer = lexer
        buffer.reserveCapacity(256)
    }

    /// The token at `index` (the end-of-input token for any index past it). `index` must not
    /// be before a discarded point.
    subscript(index: Int) -> Token {
        @inline(__always) mutating get {
            let offset = index - first
            if UInt(bitPattern: offset) < UInt(buffer.count) { return buffer[offset] }
            // Before the first token kept: the parser reads back only within the statement it
            // is parsing, whose tokens are all kept; this answers safely should that change.
            if offset < 0 { return Token(kind: .newline, error: .none, start: 0, end: 0) }
            return lex(upTo: index)
        }
    }

    /// Lexes through `index` and a batch beyond it (one call per batch, not per token).
    private mutating func lex(upTo index: Int) -> Token {
        let target = index + TokenStream.batch
        while !reachedEnd, first + buffer.count <= target {
            append(lexer.next())
        }
        return index - first < buffer.count ? buffer[index - first] : buffer[buffer.count - 1]
    }

    /// How many tokens are lexed past the one asked for.
    private static let batch = 64

    private mutating func append(_ token: Token) {
        buffer.append(token)
        switch token.kind {
        case .eof: reachedEnd = true
        case .newline: break
        default: lastSignificantEnd = Int(token.end)
        }
    }

    /// The end of the last token before `index` that is not a line end, or 0 when there is none.
    mutating func endOfSignificantToken(before index: Int) -> Int {
        if index - 1 - first >= buffer.count { _ = self[index - 1] }
        var k = min(index - 1 - first, buffer.count - 1)
        while k >= 0, buffer[k].kind == .newline { k -= 1 }
        return k >= 0 ? Int(buffer[k].end) : droppedEnd
    }

    /// Lets go of the tokens before `index` when enough have piled up; the parser never reads
    /// them again (it calls this at a statement's first token).
    mutating func discard(before index: Int) {
        let count = index - first
        guard count >= TokenStream.discardThreshold, count <= buffer.count else { return }
        var k = count - 1
        while k >= 0, buffer[k].kind == .newline { k -= 1 }
        if k >= 0 { droppedEnd = Int(buffer[k].end) }
        buffer.removeFirst(count)
        first = index
    }

    /// Lexes whatever is left, keeping nothing, and returns the end of the source's last token
    /// that is neither a line end nor the end of input.
    mutating func lastSignificantEndOfSource() -> Int? {
        while !reachedEnd {
            let token = lexer.next()
            if token.kind == .eof {
                append(token)
            } else if token.kind != .newline {
                lastSignificantEnd = Int(token.end)
            }
        }
        return lastSignificantEnd
    }
}
