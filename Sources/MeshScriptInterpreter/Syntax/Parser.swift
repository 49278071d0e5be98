// Recursive descent with panic-mode recovery: a syntax error is reported, the parser skips
// to the next statement boundary (or the `>` closing the current block) and goes on, so one
// run reports every error. Nesting depth is capped, because Swift cannot recover from a
// stack overflow: a too-deep input becomes one diagnostic.

/// A parsed source: its program and its syntax diagnostics.
public struct ParseResult: Sendable {
    /// The statements, with erroneous ones left out.
    public var program: Program
    /// Syntax errors, in order.
    public var diagnostics: [Diagnostic]
    /// True when the input ended inside an unclosed `<`, `[`, `(`, string or expression:
    /// the REPL then asks for another line instead of reporting an error.
    public var needsMoreInput: Bool
    /// With `closingBlocksAtEnd`: where each block the input ended inside opens (its `<`),
    /// innermost first. An array, not a `Set`: at most `maxDepth` of them, and a `Set<Int>`
    /// costs every run a search of the binary's conformance records for `Int: Hashable`
    /// when its storage type is first made (a third of a syntax check's instructions).
    package var unclosedBlocks: [Int] = []
    /// True when the last top-level statement is an `if` whose chain has no plain `else`
    /// (`if c < ... >` or `... else if c < ... >`) and nothing but newlines and comments
    /// follows it: a later line starting with `else` would still extend it (a newline before
    /// `else` does not end an `if`), so the REPL waits for that line before running the entry.
    public var endsWithOpenIf = false
}

/// The MeshScript parser (recursive descent, recovering at statement boundaries).
package struct Parser {
    /// Thrown to unwind to the enclosing statement loop, which then synchronizes.
    private struct Failure: Error {}
    /// Thrown once the nesting cap is passed; it ends the parse of the whole file.
    private struct TooDeep: Error {}

    private let file: FileID
    private let bytes: [UInt8]
    /// The tokens, lexed as the parser reaches them.
    private var tokens: TokenStream
    private var index = 0
    private var parenDepth = 0
    private var depth: Int
    private let maxDepth: Int
    private var diagnostics: [Diagnostic] = []
    private var needsMoreInput = false
    /// Diagnostics caused by the input ending too early; any other error means more input
    /// cannot help, so the REPL should report instead of asking for another line.
    private var endOfInputDiagnostics = 0
    /// Completion's mode: the end of input closes every open block, so text typed so far
    /// parses up to the cursor.
    private var closesBlocksAtEnd = false
    private var unclosedBlocks: [Int] = []
    /// The statements of the blocks being parsed, innermost last, while a block is short: it
    /// is moved out at its exact size when it closes, so a block of five statements costs one
    /// allocation of five, not four of a growing array with spare room. (A parser of an
    /// interpolation shares its parent's: it parses no statement.)
    private let statementScratch: ScratchStack<Statement>
    /// The same for the words of the command being parsed.
    private let wordScratch: ScratchStack<Word>
    /// The same for the items of a command word's comma list (`discover with c1, c2, ...`).
    private let itemScratch: ScratchStack<Expression>

    /// Names the parser reads as keywords in one place only, and which are names everywhere
    /// else (so no script that uses them as names breaks): `as` after an import's path; `set`,
    /// `yield` and `return` at the start of a statement; the parameter kinds after a recipe
    /// parameter's `:`.
    package static let contextualKeywords = ["as", "set", "yield", "return", "name", "string", "int", "bool", "list"]

    private init(file: FileID, bytes: [UInt8], tokens: TokenStream, depth: Int, maxDepth: Int,
                 statementScratch: ScratchStack<Statement> = ScratchStack(), wordScratch: ScratchStack<Word> = ScratchStack(),
                 itemScratch: ScratchStack<Expression> = ScratchStack()) {
        self.statementScratch = statementScratch
        self.wordScratch = wordScratch
        self.itemScratch = itemScratch
        self.file = file
        self.bytes = bytes
        self.tokens = tokens
        self.depth = depth
        self.maxDepth = maxDepth
    }

    /// The size from which a source is refused: every byte offset of the tree is stored in
    /// 32 bits (``SourceRange``, ``Token``). The host's loader caps scripts far below this
    /// (`FileSystemLoader.maxFileSize`), but a host may raise it or pass text directly.
    package static let maxSourceBytes = Int(UInt32.max)

    /// Lexes and parses `source` as `file`, nesting at most `maxDepth` deep; a source of
    /// `maxSourceBytes` or more is one diagnostic.
    package static func parse(_ source: SourceFile, file: FileID, maxDepth: Int = Limits().maxNestingDepth,
                              closingBlocksAtEnd: Bool = false, maxSourceBytes: Int = Parser.maxSourceBytes) -> ParseResult {
        guard source.bytes.count < maxSourceBytes else {
            let diagnostic = Diagnostic.error(
                "the script is too large to parse (\(source.bytes.count) bytes; the limit is \(maxSourceBytes - 1))",
                at: SourceRange(file: file, start: 0, end: 0),
                help: "split it into files joined with 'import'")
            return ParseResult(program: Program(file: file, statements: []), diagnostics: [diagnostic], needsMoreInput: false)
        }
        if let bad = Lexer.firstInvalidUTF8(source.bytes) {
            let diagnostic = Diagnostic.error(
                "the script is not valid UTF-8 (invalid byte 0x\(String(source.bytes[bad], radix: 16, uppercase: true)))",
                at: SourceRange(file: file, start: bad, end: bad + 1),
                help: "save the file as UTF-8")
            return ParseResult(program: Program(file: file, statements: []), diagnostics: [diagnostic], needsMoreInput: false)
        }
        // Editors on Windows may save UTF-8 with a byte-order mark: skip it.
        let start = source.bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let tokens = TokenStream(Lexer(bytes: source.bytes, range: start..<source.bytes.count, maxNesting: maxDepth))
        var parser = Parser(file: file, bytes: source.bytes, tokens: tokens, depth: 0, maxDepth: maxDepth)
        parser.closesBlocksAtEnd = closingBlocksAtEnd
        var statements: [Statement] = []
        do {
            statements = try parser.parseStatements(inBlock: false)
        } catch {
            parser.reportTooDeep()
        }
        let onlyEndOfInput = parser.diagnostics.count == parser.endOfInputDiagnostics
        return ParseResult(program: Program(file: file, statements: statements), diagnostics: parser.diagnostics,
                           needsMoreInput: parser.needsMoreInput && onlyEndOfInput, unclosedBlocks: parser.unclosedBlocks,
                           endsWithOpenIf: endsWithOpenIf(statements, lastTokenEnd: parser.tokens.lastSignificantEndOfSource()))
    }

    // MARK: - Tokens

    private func range(_ token: Token) -> SourceRange {
        SourceRange(file: file, start: Int(token.start), end: Int(token.end))
    }

    private func text(_ token: Token) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[token.byteRange]), as: UTF8.self) }
    }

    /// The current token; inside `( )` and `[ ]` newlines are not separators and are skipped.
    @inline(__always) private mutating func current() -> Token {
        if parenDepth > 0 { skipNewlines() }
        return tokens[index]
    }

    @inline(__always) private mutating func advance() -> Token {
        let token = current()
        if token.kind != .eof { index += 1 }
        return token
    }

    private mutating func skipNewlines() {
        while tokens[index].kind == .newline { index += 1 }
    }

    /// The end of the last token before the current one that is not a line end.
    private var previousEnd: Int {
        mutating get { tokens.endOfSignificantToken(before: index) }
    }

    private var reportedEndOfInput = false

    // MARK: - Errors

    /// Report an error at `token` (or just after the previous token when it is a line end)
    /// and unwind to the statement loop.
    private mutating func fail(_ message: String, at token: Token, help: String? = nil, notes: [Diagnostic.Note] = []) -> Failure {
        if token.kind == .eof || token.error == .unterminatedString {
            needsMoreInput = true
            // One unexpected end of input explains every construct left open: report it once.
            // An unterminated string runs to the end of input, so it explains them too.
            if token.kind == .eof, reportedEndOfInput { return Failure() }
            reportedEndOfInput = true
            endOfInputDiagnostics += 1
        }
        // Punctuation no construct has taken here reads as the stray character it is.
        if token.kind == .error || [.minus, .dot, .colon, .lBrace, .rBrace].contains(token.kind) {
            diagnostics.append(lexicalDiagnostic(token))
            return Failure()
        }
        let where_: SourceRange = (token.kind == .newline || token.kind == .eof)
            ? SourceRange(file: file, start: previousEnd, end: previousEnd + 1)
            : range(token)
        diagnostics.append(.error(message, at: where_, notes: notes, help: help))
        return Failure()
    }

    private func lexicalDiagnostic(_ token: Token) -> Diagnostic {
        let spelled = text(token)
        switch token.error {
        case .unterminatedString:
            return .error("unterminated string", at: SourceRange(file: file, start: Int(token.start), end: Int(token.start) + 1),
                          help: "close the string with '\"'")
        case .numberTooLarge:
            return .error("number '\(spelled)' is too large", at: range(token))
        case .nestingTooDeep:
            // The lexer counts every string and every `${` open at once against the cap (as
            // the parser counts an interpolation and the expression in it): `${}` nests at
            // most half the cap deep.
            return .error("interpolations are nested too deeply (the limit is \(maxDepth / 2) levels of '${...}')",
                          at: SourceRange(file: file, start: Int(token.start), end: Int(token.start) + 1),
                          help: "build the string in steps with 'let'")
        case .strayDollar:
            return .error("'$' must be followed by a variable name", at: range(token), help: "write a variable as $name")
        case .invalidUTF8:
            return .error("invalid UTF-8", at: range(token))
        case .unexpectedCharacter, .none:
            if let first = spelled.utf8.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9"), spelled.count > 1 {
                return .error("'\(spelled)' is not a valid name", at: range(token), help: "names start with a letter or '_'; quote it as a string: \"\(spelled)\"")
            }
            if let scalar = spelled.unicodeScalars.first, spelled.unicodeScalars.count == 1, scalar.value < 0x20 || scalar.value == 0x7F {
                // Quoting it raw would put the control character (an escape, a NUL) on the terminal.
                let code = String(scalar.value, radix: 16, uppercase: true)
                return .error("unexpected control character U+\(String(repeating: "0", count: 4 - code.count) + code)", at: range(token))
            }
            let help: String? = switch spelled {
            case "!": "use 'not' for negation and '!=' for inequality"
            case "{", "}": "blocks are delimited by '<' and '>'"
            case "'": "strings use double quotes"
            default: nil
            }
            return .error("unexpected character '\(spelled)'", at: range(token), help: help)
        }
    }

    private mutating func reportTooDeep() {
        let token = tokens[index]
        diagnostics.append(.error("nesting is too deep (the limit is \(maxDepth) levels)", at: range(token),
                                  help: "split the script into recipes, flatten the blocks, or break long expressions up with 'let'"))
    }

    /// The current token, consumed, when it is a `kind`; otherwise an error. `context`, `help`
    /// and `notes` are built only for the error (a close of a list or call would otherwise
    /// allocate its note each time).
    private mutating func expect(_ kind: TokenKind, _ context: @autoclosure () -> String, help: @autoclosure () -> String? = nil,
                                 notes: @autoclosure () -> [Diagnostic.Note] = []) throws -> Token {
        let token = current()
        guard token.kind == kind else {
            throw fail("expected \(kind.spelling) \(context()), found \(token.kind.spelling)", at: token, help: help(), notes: notes())
        }
        return advance()
    }

    private mutating func enter() throws {
        depth += 1
        if depth > maxDepth { throw TooDeep() }
    }

    // MARK: - Statements

    /// Statements up to `>` (in a block) or the end of input; recovers at statement boundaries.
    private mutating func parseStatements(inBlock: Bool) throws -> [Statement] {
        // A short block collects in `statementScratch` from `base` (an inner block's statements
        // come and go above it); a long one moves to an array of its own, grown as usual.
        let base = statementScratch.count
        var statements: [Statement] = []
        defer { statementScratch.removeAll(from: base) }
        while true {
            while tokens[index].kind == .newline || tokens[index].kind == .semicolon { index += 1 }
            let token = tokens[index]
            if token.kind == .eof || (inBlock && token.kind == .rAngle) {
                return statements.isEmpty ? statementScratch.moveOut(from: base) : statements
            }
            // Nothing before a statement's first token is read again.
            tokens.discard(before: index)
            do {
                let statement = try parseStatement()
                if statements.isEmpty, statementScratch.count - base < 64 {
                    statementScratch.append(consume statement)
                } else {
                    if statements.isEmpty {
                        statements.reserveCapacity(256)
                        statements.append(contentsOf: statementScratch.moveOut(from: base))
                    }
                    statements.append(statement)
                }
                let next = tokens[index]
                switch next.kind {
                case .newline, .semicolon: index += 1
                case .eof: break
                case .rAngle where inBlock: break
                default:
                    throw fail("expected ';' or a new line after the statement, found \(next.kind.spelling)", at: next,
                               help: next.kind == .rAngle ? "this '>' closes no block" : nil)
                }
            } catch is Failure {
                synchronize(inBlock: inBlock)
            }
        }
    }

    /// Skip to the next statement boundary at this block's level (or the `>` closing it).
    private mutating func synchronize(inBlock: Bool) {
        parenDepth = 0
        var angles = 0
        while true {
            let token = tokens[index]
            switch token.kind {
            case .eof:
                return
            case .newline, .semicolon:
                index += 1
                if angles == 0 { return }
            case .lAngle:
                angles += 1
                index += 1
            case .rAngle:
                if angles == 0 {
                    if inBlock { return }
                    index += 1 // a stray '>' at top level: already reported, skip it
                    return
                }
                angles -= 1
                index += 1
            default:
                index += 1
            }
        }
    }

    private mutating func parseStatement() throws -> Statement {
        let token = current()
        switch token.kind {
        case .kwLet:
            _ = advance()
            let name = try expectName("after 'let'")
            let spelledName = text(name)
            _ = try expect(.equals, "after 'let \(spelledName)'", help: "bind a value with: let \(spelledName) = VALUE")
            let value = try parseExpression()
            return Statement(kind: .let(name: text(name), nameRange: range(name), value: value), range: range(token).extended(to: value.range))
        case .kwRecipe:
            _ = advance()
            let name = try expectName("after 'recipe'")
            let spelledName = text(name)
            _ = try expect(.lParen, "after the recipe name", help: "declare parameters in parentheses: recipe \(spelledName)(a, b) < ... >")
            parenDepth += 1
            var parameters: [RecipeParameter] = []
            while current().kind != .rParen {
                parameters.append(try parseParameter(after: parameters))
                if current().kind == .comma { _ = advance() } else { break }
            }
            _ = try expect(.rParen, "after the recipe's parameters")
            parenDepth -= 1
            let body = try parseBlock(after: "the recipe header")
            let declaration = RecipeDeclaration(name: text(name), nameRange: range(name), parameters: parameters, body: body)
            return Statement(kind: .recipe(declaration), range: range(token).extended(to: body.range))
        case .kwFor:
            _ = advance()
            let variable = current()
            guard variable.kind == .identifier || variable.kind == .variable else {
                throw fail("expected a loop variable after 'for', found \(variable.kind.spelling)", at: variable, help: "for x in [a, b] < ... >")
            }
            _ = advance()
            let spelled = variable.kind == .variable ? String(text(variable).dropFirst()) : text(variable)
            _ = try expect(.kwIn, "after the loop variable", help: "for \(spelled) in LIST < ... >")
            let sequence = try parseExpression()
            let body = try parseBlock(after: "the loop header")
            return Statement(kind: .for(variable: spelled, variableRange: range(variable), sequence: sequence, body: body),
                             range: range(token).extended(to: body.range))
        case .kwIf:
            return try parseIf()
        case .kwImport:
            _ = advance()
            let path = try parseWord()
            // `as` is a keyword only here, after an import's path.
            if current().kind == .identifier, text(current()) == "as" {
                _ = advance()
                let namespace = try expectName("after 'as'")
                return Statement(kind: .namespacedImport(path: path, namespace: text(namespace), namespaceRange: range(namespace)),
                                 range: range(token).extended(to: range(namespace)))
            }
            return Statement(kind: .import(path: path), range: range(token).extended(to: path.range))
        case .kwAssert:
            _ = advance()
            let condition = try parseExpression()
            var message: Expression?
            if current().kind == .comma {
                _ = advance()
                skipNewlines()
                message = try parseExpression()
            }
            return Statement(kind: .assert(condition: condition, message: message), range: range(token).extended(to: (message ?? condition).range))
        case .kwPrint:
            _ = advance()
            let value = try parseExpression()
            return Statement(kind: .print(value), range: range(token).extended(to: value.range))
        case .identifier:
            return try parseContextualStatement(token) ?? parseCommand()
        case .kwElse:
            throw fail("'else' without a matching 'if'", at: token)
        case .rAngle:
            throw fail("unexpected '>': it closes no block", at: token, help: "remove it, or open the block with '<'")
        default:
            throw fail("expected a statement, found \(token.kind.spelling)", at: token)
        }
    }

    /// The statements whose keyword is an ordinary name elsewhere: `yield` alone, `return EXPR`
    /// and `set NAME = EXPR`. Nil when `token` starts a command instead.
    private mutating func parseContextualStatement(_ token: Token) throws -> Statement? {
        // Most statements are commands: tell them apart by length before reading any text.
        switch token.end - token.start {
        case 3, 5, 6: break
        default: return nil
        }
        let next = tokens[index + 1].kind
        let endsStatement = next == .newline || next == .semicolon || next == .eof || next == .rAngle
        // By packed bytes (`Lexer.packed`), as keywords are: no String is built for `trust`.
        switch Lexer.packed(bytes, Int(token.start), Int(token.end)) {
        case 0x646c656979 where endsStatement: // "yield"
            _ = advance()
            return Statement(kind: .yield, range: range(token))
        case 0x6e7275746572: // "return"
            _ = advance()
            if endsStatement {
                throw fail("expected a value after 'return'", at: current(), help: "return EXPR")
            }
            let value = try parseExpression()
            return Statement(kind: .return(value), range: range(token).extended(to: value.range))
        case 0x746573 where (next == .identifier || next == .variable) && tokens[index + 2].kind == .equals: // "set"
            _ = advance()
            let name = advance()
            _ = advance()
            let spelled = name.kind == .variable ? String(text(name).dropFirst()) : text(name)
            let value = try parseExpression()
            return Statement(kind: .set(name: spelled, nameRange: range(name), value: value), range: range(token).extended(to: value.range))
        default:
            return nil
        }
    }

    private mutating func expectName(_ context: String) throws -> Token {
        let token = current()
        guard token.kind == .identifier else {
            let help: String? = token.kind.isKeyword ? "'\(text(token))' is a keyword and cannot be used as a name" : nil
            throw fail("expected a name \(context), found \(token.kind.spelling)", at: token, help: help)
        }
        return advance()
    }

    /// One recipe parameter: `name`, `$name`, `name: KIND`, `name = DEFAULT`, `name: KIND = DEFAULT`.
    private mutating func parseParameter(after earlier: [RecipeParameter]) throws -> RecipeParameter {
        let token = current()
        guard token.kind == .identifier || token.kind == .variable else {
            throw fail("expected a parameter name, found \(token.kind.spelling)", at: token)
        }
        _ = advance()
        let spelled = token.kind == .variable ? String(text(token).dropFirst()) : text(token)
        if let first = earlier.first(where: { $0.name == spelled }) {
            diagnostics.append(.error("parameter '\(spelled)' is declared twice", at: range(token), notes: [.init("first declared here", at: first.range)]))
        }
        var parameter = RecipeParameter(name: spelled, range: range(token))
        if current().kind == .colon {
            _ = advance()
            let kind = current()
            let kinds = ParameterKind.allCases.map(\.rawValue)
            guard kind.kind == .identifier, let known = ParameterKind(rawValue: text(kind)) else {
                let spelledKind = kind.kind == .identifier ? text(kind) : nil
                let suggestion = spelledKind.flatMap { Suggestions.closest(to: $0, in: kinds) }
                throw fail(spelledKind.map { "unknown parameter kind '\($0)'" } ?? "expected a parameter kind after ':', found \(kind.kind.spelling)",
                           at: kind, help: (suggestion.map { "did you mean '\($0)'? " } ?? "") + "the kinds are \(kinds.joined(separator: ", "))")
            }
            _ = advance()
            parameter.kind = known
            parameter.kindRange = range(kind)
        }
        if current().kind == .equals {
            _ = advance()
            parameter.defaultValue = try parseExpression()
        } else if let optional = earlier.last(where: { $0.defaultValue != nil }) {
            diagnostics.append(.error("parameter '\(spelled)' has no default but follows one that has", at: range(token),
                                      notes: [.init("'\(optional.name)' has a default here", at: optional.range)],
                                      help: "put the parameters with defaults last"))
        }
        return parameter
    }

    private mutating func parseIf() throws -> Statement {
        let keyword = advance()
        // The condition and the blocks count their own levels; an `if` adds none of its own.
        let condition = try parseExpression()
        let then = try parseBlock(after: "the condition")
        var elseBlock: Block?
        // A newline before `else` does not end the statement.
        let save = index
        skipNewlines()
        if tokens[index].kind == .kwElse {
            _ = advance()
            if current().kind == .kwIf {
                // `else if` nests the next `if` inside this one: a level per link of the chain.
                try enter()
                defer { depth -= 1 }
                let nested = try parseIf()
                elseBlock = Block(statements: [nested], range: nested.range)
            } else {
                elseBlock = try parseBlock(after: "'else'")
            }
        } else {
            index = save
        }
        let end = elseBlock?.range ?? then.range
        return Statement(kind: .if(condition: condition, then: then, else: elseBlock), range: range(keyword).extended(to: end))
    }

    private mutating func parseBlock(after context: String) throws -> Block {
        try parseBlock(from: try expect(.lAngle, "after \(context)", help: "blocks are written between '<' and '>'"))
    }

    /// The block whose `<` is `open`, just consumed.
    private mutating func parseBlock(from open: Token) throws -> Block {
        try enter()
        defer { depth -= 1 }
        let statements = try parseStatements(inBlock: true)
        let close = current()
        if close.kind == .eof, closesBlocksAtEnd {
            unclosedBlocks.append(Int(open.start))
            return Block(statements: statements, range: range(open).extended(to: range(close)))
        }
        guard close.kind == .rAngle else {
            throw fail("expected '>' to close the block, found \(close.kind.spelling)", at: close,
                       notes: [.init("the block opens here", at: range(open))])
        }
        _ = advance()
        return Block(statements: statements, range: range(open).extended(to: range(close)))
    }

    private mutating func parseCommand() throws -> Statement {
        var name = advance()
        var dottedName: String?
        // `topo.primary`: a recipe of a namespaced import (no word starts with '.').
        while tokens[index].kind == .dot {
            _ = advance()
            let part = try expectName("after '.' in a command name")
            dottedName = (dottedName ?? text(name)) + "." + text(part)
            name.end = part.end
        }
        // Plain words are kept as offsets while they fit a compact command; the first word that
        // does not makes it an ordinary one, its words collected in `wordScratch` from `base`
        // and copied out at their exact size.
        var compact: CompactCommand?
        if dottedName == nil, let length = UInt16(exactly: name.end - name.start) {
            compact = CompactCommand(source: bytes, nameLength: length)
        }
        let base = wordScratch.count
        defer { wordScratch.removeAll(from: base) }
        var end = range(name)
        while true {
            let token = current()
            switch token.kind {
            case .newline, .semicolon, .eof, .rAngle, .lAngle:
                break
            default:
                if compact != nil {
                    if let kind = plainWord(token), compact!.append(kind, offset: Int(token.start - name.start), length: Int(token.end - token.start)) {
                        _ = advance()
                        end = range(token)
                        continue
                    }
                    for word in compact!.words(file: file, start: Int(name.start)) { wordScratch.append(word) }
                    compact = nil
                }
                let word = try parseCommandWord(base: base)
                wordScratch.append(word)
                end = word.expression.range
                continue
            }
            break
        }
        var block: Block?
        if current().kind == .lAngle {
            block = try parseBlock(from: advance())
            end = block!.range
        }
        let whole = range(name).extended(to: end)
        if compact != nil {
            compact!.setBlock(block)
            return Statement(compact.take()!, range: whole)
        }
        return Statement(kind: .command(name: dottedName ?? text(name), nameRange: range(name), words: wordScratch.moveOut(from: base), block: block),
                         range: whole)
    }

    /// The kind of plain word `token` is, when it is one: a name, `$variable` or string with no
    /// escape and no interpolation that no label, call, field, index or comma goes with.
    private mutating func plainWord(_ token: Token) -> CompactCommand.WordKind? {
        guard parenDepth == 0 else { return nil }
        let next = tokens[index + 1]
        let touching = next.start == token.end
        switch next.kind {
        case .comma, .equals: return nil
        case .dot, .lBracket, .lParen: if touching { return nil }
        default: break
        }
        switch token.kind {
        case .identifier: return .name
        case .variable: return .variable
        case .string:
            for offset in Int(token.start + 1)..<Int(token.end - 1) where bytes[offset] == UInt8(ascii: "\\") || bytes[offset] == UInt8(ascii: "$") {
                return nil
            }
            return .string
        default: return nil
        }
    }

    /// The last word from `base` up in `wordScratch` that has a label.
    private func lastLabelledWord(from base: Int) -> Word? {
        var index = wordScratch.count - 1
        while index >= base {
            if wordScratch[index].label != nil { return wordScratch[index] }
            index -= 1
        }
        return nil
    }

    /// One word of a command: `net = n2` (a keyword argument), or a word, or words joined by
    /// commas into a list (`discover with c1, c2`).
    private mutating func parseCommandWord(base: Int) throws -> Word {
        let token = current()
        var label: Token?
        if token.kind == .identifier, tokens[index + 1].kind == .equals {
            label = token
            index += 2
        } else if let keyword = lastLabelledWord(from: base) {
            throw fail("a positional argument cannot follow a keyword argument", at: token,
                       help: "write the positional arguments first",
                       notes: [.init("the keyword argument '\(keyword.label!)' is here", at: keyword.labelRange!)])
        }
        var word = try parseWord()
        if current().kind == .comma {
            // The items collect in `itemScratch` from `itemBase` and move out at their exact size.
            let itemBase = itemScratch.count
            defer { itemScratch.removeAll(from: itemBase) }
            let first = word.range
            var last = first
            itemScratch.append(word)
            while current().kind == .comma {
                _ = advance()
                skipNewlines()
                if closesBlocksAtEnd, current().kind == .eof { break } // `discover with c1, ` being typed
                let item = try parseWord()
                last = item.range
                itemScratch.append(item)
            }
            word = Expression(.list(itemScratch.moveOut(from: itemBase)), first.extended(to: last))
        }
        return Word(expression: word, label: label.map(text), labelRange: label.map(range))
    }

    // MARK: - Expressions

    private mutating func parseExpression() throws -> Expression {
        try enter()
        defer { depth -= 1 }
        return try parseOr()
    }

    /// One left-associative level: `operand (op operand)*`, where `op` is a token `binary` maps to
    /// an operator. Each operator of a chain such as `a + b + c` nests the tree one level deeper
    /// (it is left-leaning), and evaluating or freeing that tree recurses once per level, so the
    /// chain counts towards the nesting cap: a megabyte of `+ 1` must be a diagnostic, not a crash.
    private mutating func parseLeftAssociative(_ binary: (TokenKind) -> BinaryOperator?,
                                               operand: (inout Parser) throws -> Expression) throws -> Expression {
        var left = try operand(&self)
        var chained = 0
        defer { depth -= chained }
        while let op = binary(current().kind) {
            _ = advance()
            chained += 1
            try enter()
            let right = try operand(&self)
            left = Expression(.binary(op, left, right), left.range.extended(to: right.range))
        }
        return left
    }

    private mutating func parseOr() throws -> Expression {
        try parseLeftAssociative({ $0 == .kwOr ? .or : nil }, operand: { try $0.parseAnd() })
    }

    private mutating func parseAnd() throws -> Expression {
        try parseLeftAssociative({ $0 == .kwAnd ? .and : nil }, operand: { try $0.parseNot() })
    }

    private mutating func parseNot() throws -> Expression {
        let token = current()
        guard token.kind == .kwNot else { return try parseEquality() }
        _ = advance()
        try enter()
        defer { depth -= 1 }
        let operand = try parseNot()
        return Expression(.not(operand), range(token).extended(to: operand.range))
    }

    /// `==`, `!=`, `in` and, inside brackets, `<`, `<=`, `>`, `>=` (one level, left-associative).
    /// Outside brackets `<` and `>` delimit blocks: a `>` that reads as a comparison there
    /// (`if $i > 2 < ... >`) is one error, and the parse goes on as if it were bracketed.
    private mutating func parseEquality() throws -> Expression {
        let start = index
        var left = try parseAdditive()
        var chained = 0
        defer { depth -= chained }
        while let (op, opRange, outside) = takeComparison() {
            chained += 1
            try enter()
            let right = try parseAdditive()
            if outside { reportBareComparison(op, at: opRange, left: left, right: right, start: start) }
            left = Expression(.binary(op, left, right), left.range.extended(to: right.range))
        }
        return left
    }

    /// The comparison operator at the current token, consumed; `outside` when it is a `>`
    /// outside brackets that can only be a comparison (an operand or `=` follows on its line).
    private mutating func takeComparison() -> (BinaryOperator, SourceRange, outside: Bool)? {
        let token = current()
        switch token.kind {
        case .equalEqual: _ = advance(); return (.equal, range(token), false)
        case .bangEqual: _ = advance(); return (.notEqual, range(token), false)
        case .kwIn: _ = advance(); return (.in, range(token), false)
        case .lAngle, .rAngle:
            let next = tokens[index + 1]
            let orEqual = next.kind == .equals && next.start == token.end
            let outside = parenDepth == 0
            if outside {
                guard token.kind == .rAngle, orEqual || Parser.startsOperand.contains(next.kind) else { return nil }
            }
            _ = advance()
            if orEqual { _ = advance() }
            let spelled = SourceRange(file: file, start: Int(token.start), end: Int(orEqual ? next.end : token.end))
            if token.kind == .lAngle { return (orEqual ? .lessEqual : .less, spelled, outside) }
            return (orEqual ? .greaterEqual : .greater, spelled, outside)
        default:
            return nil
        }
    }

    /// Tokens that start an operand: after a `>` outside brackets they make it a comparison.
    private static let startsOperand: Set<TokenKind> = [.identifier, .variable, .number, .string, .kwTrue, .kwFalse, .lParen, .lBracket, .minus]

    private func source(_ range: SourceRange) -> String {
        String(decoding: bytes[range.start..<range.end], as: UTF8.self)
    }

    private mutating func reportBareComparison(_ op: BinaryOperator, at where_: SourceRange, left: Expression, right: Expression, start: Int) {
        let comparison = "(\(source(left.range)) \(op.rawValue) \(source(right.range)))"
        let inIf = start > 0 && tokens[start - 1].kind == .kwIf
        diagnostics.append(.error("'\(op.rawValue)' compares only inside parentheses", at: where_,
                                  help: inIf ? "write: if \(comparison) < ... >" : "write: \(comparison)"))
    }

    private mutating func parseAdditive() throws -> Expression {
        try parseLeftAssociative({ $0 == .plus ? .plus : $0 == .minus ? .minus : nil }, operand: { try $0.parseWord() })
    }

    /// A word: an optional unary `-`, then a primary with its postfix `.NAME`, `[i]` and
    /// `[i:j]`, each touching what it follows (`cmd $x [a]` is two words).
    private mutating func parseWord() throws -> Expression {
        let token = current()
        if token.kind == .minus {
            _ = advance()
            try enter()
            defer { depth -= 1 }
            let operand = try parseWord()
            return Expression(.negate(operand), range(token).extended(to: operand.range))
        }
        var expression = try parsePrimary()
        var chained = 0
        defer { depth -= chained }
        while index > 0, tokens[index].start == tokens[index - 1].end, tokens[index].kind == .dot || tokens[index].kind == .lBracket {
            chained += 1
            try enter()
            expression = tokens[index].kind == .dot ? try parseField(of: expression) : try parseIndex(of: expression)
        }
        return expression
    }

    /// `.NAME` after `base` (the name touches the dot; a keyword is a name here).
    private mutating func parseField(of base: Expression) throws -> Expression {
        let dot = advance()
        let name = tokens[index]
        guard name.kind == .identifier || name.kind.isKeyword, name.start == dot.end else {
            throw fail("expected a field name after '.', found \(name.kind.spelling)", at: name,
                       help: "write $map.NAME, or $map[\"KEY\"] for any key")
        }
        _ = advance()
        return Expression(.field(base, name: text(name), nameRange: range(name)), base.range.extended(to: range(name)))
    }

    /// `[i]`, `[i:j]`, `[:j]`, `[i:]` or `[:]` after `base`.
    private mutating func parseIndex(of base: Expression) throws -> Expression {
        let opened = range(advance())
        parenDepth += 1
        let from: Expression? = current().kind == .colon ? nil : try parseExpression()
        guard current().kind == .colon else {
            let close = try expect(.rBracket, "to close the index", notes: [.init("the index opens here", at: opened)])
            parenDepth -= 1
            return Expression(.index(base, from!), base.range.extended(to: range(close)))
        }
        _ = advance()
        let to: Expression? = current().kind == .rBracket ? nil : try parseExpression()
        let close = try expect(.rBracket, "to close the slice", notes: [.init("the slice opens here", at: opened)])
        parenDepth -= 1
        return Expression(.slice(base, from: from, to: to), base.range.extended(to: range(close)))
    }

    /// A name, `$var`, string, number, boolean, list, comprehension, map, call or parenthesized expression.
    private mutating func parsePrimary() throws -> Expression {
        let token = current()
        switch token.kind {
        case .identifier:
            _ = advance()
            // `f(x)` is a call only when '(' touches the name; `name (x)` is two words.
            if tokens[index].kind == .lParen, tokens[index].start == token.end {
                return try parseCall(token)
            }
            return Expression(.name(text(token)), range(token))
        case .variable:
            _ = advance()
            return Expression(.variable(String(text(token).dropFirst())), range(token))
        case .number:
            _ = advance()
            guard let value = Int(text(token)) else { throw fail("number '\(text(token))' is too large", at: token) }
            return Expression(.number(value), range(token))
        case .kwTrue, .kwFalse:
            _ = advance()
            return Expression(.boolean(token.kind == .kwTrue), range(token))
        case .string:
            _ = advance()
            return try decodeString(token)
        case .lBracket:
            // Each item is an expression, which counts the level (as for `(` and calls).
            _ = advance()
            parenDepth += 1
            var items: [Expression] = []
            while current().kind != .rBracket {
                items.append(try parseExpression())
                if items.count == 1, current().kind == .kwFor { return try parseComprehension(token, element: items[0]) }
                if current().kind == .comma { _ = advance() } else { break }
            }
            let opened = range(token)
            let close = try expect(.rBracket, "to close the list", notes: [.init("the list opens here", at: opened)])
            parenDepth -= 1
            return Expression(.list(items), range(token).extended(to: range(close)))
        case .lBrace:
            return try parseMap()
        case .lParen:
            _ = advance()
            parenDepth += 1
            let inner = try parseExpression()
            let opened = range(token)
            let close = try expect(.rParen, "to close the parenthesis", notes: [.init("opened here", at: opened)])
            parenDepth -= 1
            var grouped = inner
            grouped.range = range(token).extended(to: range(close))
            return grouped
        default:
            throw fail("expected a value, found \(token.kind.spelling)", at: token)
        }
    }

    /// The rest of `[ELEMENT for NAME in SEQUENCE if CONDITION]`, from `for`.
    private mutating func parseComprehension(_ open: Token, element: Expression) throws -> Expression {
        _ = advance()
        let variable = current()
        guard variable.kind == .identifier || variable.kind == .variable else {
            throw fail("expected a variable after 'for', found \(variable.kind.spelling)", at: variable, help: "[EXPR for x in LIST]")
        }
        _ = advance()
        let spelled = variable.kind == .variable ? String(text(variable).dropFirst()) : text(variable)
        _ = try expect(.kwIn, "after the comprehension's variable", help: "[EXPR for \(spelled) in LIST]")
        let sequence = try parseExpression()
        var condition: Expression?
        if current().kind == .kwIf {
            _ = advance()
            condition = try parseExpression()
        }
        let opened = range(open)
        let close = try expect(.rBracket, "to close the comprehension", notes: [.init("the comprehension opens here", at: opened)])
        parenDepth -= 1
        return Expression(.comprehension(element: element, variable: spelled, variableRange: range(variable), sequence: sequence, condition: condition),
                          range(open).extended(to: range(close)))
    }

    /// `{KEY: VALUE, ...}`. A `{` that opens no map (`cluster c1 { ... }`) is reported as the
    /// stray brace it is, with the help that blocks are delimited by '<' and '>'.
    private mutating func parseMap() throws -> Expression {
        let open = current()
        var after = index + 1
        while tokens[after].kind == .newline { after += 1 }
        var colon = after + 1
        while tokens[colon].kind == .newline { colon += 1 }
        let key = tokens[after].kind
        // At the end of input it may still be a map: the REPL asks for the next line.
        guard key == .rBrace || key == .eof || ((key == .identifier || key == .string || key.isKeyword) && tokens[colon].kind == .colon) else {
            throw fail("unexpected '{'", at: open)
        }
        _ = advance()
        parenDepth += 1
        var entries: [MapEntry] = []
        var given: [String: SourceRange] = [:]
        while current().kind != .rBrace {
            let keyToken = current()
            let key: Expression
            switch keyToken.kind {
            case .string: _ = advance(); key = try decodeString(keyToken)
            case .identifier: _ = advance(); key = Expression(.name(text(keyToken)), range(keyToken))
            case let kind where kind.isKeyword: _ = advance(); key = Expression(.name(text(keyToken)), range(keyToken))
            default:
                throw fail("expected a map key (a name or a string), found \(keyToken.kind.spelling)", at: keyToken,
                           help: "write {name: VALUE, \"any key\": VALUE}")
            }
            _ = try expect(.colon, "after the map key", help: "write KEY: VALUE")
            let value = try parseExpression()
            if let spelled = Parser.constantText(key) {
                if let first = given[spelled] {
                    diagnostics.append(.error("key '\(spelled)' is given twice in the map", at: key.range, notes: [.init("first given here", at: first)],
                                              help: "remove one, or merge maps with '+' (the right one wins)"))
                }
                given[spelled] = given[spelled] ?? key.range
            }
            entries.append(MapEntry(key: key, value: value))
            if current().kind == .comma { _ = advance() } else { break }
        }
        let opened = range(open)
        let close = try expect(.rBrace, "to close the map", notes: [.init("the map opens here", at: opened)])
        parenDepth -= 1
        return Expression(.map(entries), range(open).extended(to: range(close)))
    }

    /// The text of an expression known without evaluating it: a bare name, or a string without
    /// interpolations (a map key, an import's path, a command word for completion).
    static func constantText(_ key: Expression) -> String? {
        switch key.kind {
        case .name(let text): return text
        case .string(let parts):
            var text = ""
            for part in parts {
                guard case .literal(let literal) = part else { return nil }
                text += literal
            }
            return text
        default: return nil
        }
    }

    private mutating func parseCall(_ name: Token) throws -> Expression {
        let open = advance()
        parenDepth += 1
        var arguments: [Expression] = []
        while current().kind != .rParen {
            arguments.append(try parseArgument(after: arguments))
            if current().kind == .comma { _ = advance() } else { break }
        }
        let opened = range(open), called = name, source = bytes
        let close = try expect(.rParen, "to close the call to '\(String(decoding: source[called.byteRange], as: UTF8.self))'",
                               notes: [.init("opened here", at: opened)])
        parenDepth -= 1
        return Expression(.call(function: text(name), functionRange: range(name), arguments: arguments), range(name).extended(to: range(close)))
    }

    /// One argument of a call: an expression, or `name = expression` (a keyword argument),
    /// which only other keyword arguments may follow.
    private mutating func parseArgument(after earlier: [Expression]) throws -> Expression {
        let token = current()
        var next = index + 1
        // Only a name may be a keyword; past the end there is no next token to look at.
        while token.kind == .identifier, tokens[next].kind == .newline { next += 1 }
        guard token.kind == .identifier, tokens[next].kind == .equals else {
            if let keyword = earlier.last, case .keywordArgument(let label, let labelRange, _) = keyword.kind {
                throw fail("a positional argument cannot follow a keyword argument", at: token,
                           help: "write the positional arguments first",
                           notes: [.init("the keyword argument '\(label)' is here", at: labelRange)])
            }
            return try parseExpression()
        }
        index = next + 1
        let value = try parseExpression()
        return Expression(.keywordArgument(name: text(token), nameRange: range(token), value: value), range(token).extended(to: value.range))
    }

    // MARK: - Strings

    /// Decode escapes and split `${...}` interpolations, parsing each as an expression.
    private mutating func decodeString(_ token: Token) throws -> Expression {
        let body = (Int(token.start) + 1)..<(Int(token.end) - 1)
        // Most strings have no escape and no interpolation: their text is their bytes.
        if !bytes[body].contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "$") }) {
            return Expression(.string([.literal(String(decoding: bytes[body], as: UTF8.self))]), range(token))
        }
        var parts: [StringPart] = []
        var literal: [UInt8] = []
        var i = Int(token.start) + 1
        let end = Int(token.end) - 1
        while i < end {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\\"), i + 1 < end {
                let escaped = bytes[i + 1]
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "$"): literal.append(escaped)
                case UInt8(ascii: "n"): literal.append(0x0A)
                case UInt8(ascii: "t"): literal.append(0x09)
                default:
                    diagnostics.append(.error("unknown escape sequence '\\\(Unicode.Scalar(escaped))'",
                                              at: SourceRange(file: file, start: i, end: i + 2),
                                              help: "the escapes are \\\" \\\\ \\n \\t \\$"))
                }
                i += 2
            } else if byte == UInt8(ascii: "$"), i + 1 < end, bytes[i + 1] == UInt8(ascii: "{") {
                let close = Parser.matchingBrace(bytes, from: i + 2, end: end)
                if !literal.isEmpty {
                    parts.append(.literal(String(decoding: literal, as: UTF8.self)))
                    literal.removeAll()
                }
                let inner = (i + 2)..<close
                parts.append(.interpolation(try parseInterpolation(inner, dollar: i)))
                i = close + 1
            } else {
                literal.append(byte)
                i += 1
            }
        }
        if !literal.isEmpty || parts.isEmpty { parts.append(.literal(String(decoding: literal, as: UTF8.self))) }
        return Expression(.string(parts), range(token))
    }

    /// The offset of the `}` closing the interpolation whose body starts at `start`, found with
    /// the lexer's own scan so both agree on nested strings (`end` when it is not closed).
    private static func matchingBrace(_ bytes: [UInt8], from start: Int, end: Int) -> Int {
        Lexer.skipNested(bytes, from: start, end: end, insideInterpolation: true).map { $0 - 1 } ?? end
    }

    private mutating func parseInterpolation(_ inner: Range<Int>, dollar: Int) throws -> Expression {
        let whole = SourceRange(file: file, start: dollar, end: inner.upperBound + 1)
        if bytes[inner].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            diagnostics.append(.error("empty interpolation", at: whole, help: "write ${name} or ${expression}"))
            return Expression(.invalid, whole)
        }
        try enter()
        defer { depth -= 1 }
        var sub = Parser(file: file, bytes: bytes, tokens: TokenStream(Lexer(bytes: bytes, range: inner, maxNesting: maxDepth)),
                         depth: depth, maxDepth: maxDepth, statementScratch: statementScratch, wordScratch: wordScratch,
                         itemScratch: itemScratch)
        sub.parenDepth = 1 // newlines inside ${...} do not end anything
        var result = Expression(.invalid, whole)
        do {
            // `${name}` means the variable, not the bare word.
            let first = sub.tokens[0]
            if first.kind == .identifier, sub.tokens[1].kind == .eof {
                result = Expression(.variable(sub.text(first)), sub.range(first))
            } else {
                result = try sub.parseExpression()
                let rest = sub.current()
                if rest.kind != .eof {
                    throw sub.fail("expected '}' to end the interpolation, found \(rest.kind.spelling)", at: rest)
                }
            }
        } catch is Failure {
            result = Expression(.invalid, whole)
        }
        diagnostics.append(contentsOf: sub.diagnostics)
        return result
    }
}
