// The parser at scale: the compact syntax tree (32-bit source ranges, inline leaves), the
// size cap that keeps every offset in 32 bits, and the token stream that lets go of the tokens
// of parsed statements (diagnostics and the REPL's "open if" answer must not notice).
import Testing

import MeshScriptInterpreter

@Suite struct ParserScale {
    @Test func aSourceRangeIsThreeThirtyTwoBitOffsetsReadAsInts() {
        var range = SourceRange(file: FileID(index: 2), start: 7, end: 3)
        #expect(MemoryLayout<SourceRange>.size == 12)
        #expect(range.file == FileID(index: 2) && range.start == 7 && range.end == 7)
        range.end = 40
        range.start = 9
        #expect(range == SourceRange(file: FileID(index: 2), start: 9, end: 40))
        #expect(range.extended(to: SourceRange(file: FileID(index: 2), start: 1, end: 5)) == SourceRange(file: FileID(index: 2), start: 1, end: 40))
        // Out of the range the parser accepts, an offset is clamped, never wrapped.
        range.end = Int(UInt32.max) + 10
        range.start = -1
        #expect(range.end == Int(UInt32.max) && range.start == 0)
    }

    /// A bare word, variable or number is stored inline: an expression is no bigger than a
    /// pointer-sized kind plus its range, and a word without a label adds one pointer.
    @Test func leavesOfTheTreeAreInline() {
        #expect(MemoryLayout<Expression>.size <= 32)
        #expect(MemoryLayout<Word>.size <= 40)
        #expect(MemoryLayout<Statement>.size <= 48)
    }

    @Test func aWordsLabelReadsBackAndCanBeChanged() {
        let expression = Expression(.name("n2"), SourceRange(file: FileID(index: 0), start: 10, end: 12))
        var word = Word(expression: expression)
        #expect(word.label == nil && word.labelRange == nil && word.isBareName)
        word.label = "net"
        word.labelRange = SourceRange(file: FileID(index: 0), start: 4, end: 7)
        #expect(word.label == "net" && word.labelRange == SourceRange(file: FileID(index: 0), start: 4, end: 7))
        word.label = nil
        #expect(word.label == nil && word.labelRange?.start == 4)
    }

    @Test func aSourceAtTheSizeCapIsOneDiagnostic() {
        let text = "print 1\nprint 2\n"
        let file = SourceFile(path: "big.mesh", text: text)
        let refused = Parser.parse(file, file: FileID(index: 0), maxSourceBytes: text.utf8.count)
        #expect(refused.diagnostics.map(\.message) == ["the script is too large to parse (16 bytes; the limit is 15)"])
        #expect(refused.program.statements.isEmpty && !refused.needsMoreInput)
        let accepted = Parser.parse(file, file: FileID(index: 0), maxSourceBytes: text.utf8.count + 1)
        #expect(accepted.diagnostics.isEmpty && accepted.program.statements.count == 2)
    }

    /// Thousands of statements (more tokens than the stream keeps) before an error: its
    /// range is still exact, including "just after the last token" for an error at a line end.
    @Test func errorsAfterManyStatementsKeepTheirPlace() {
        let lines = Array(repeating: "cluster c1 < context \"ctx\"; trust from root >", count: 3000)
        let text = (lines + ["let x =", "print 1 +", "", "", "print )"]).joined(separator: "\n")
        let (result, file) = parse(text)
        let places = result.diagnostics.map { d -> (Int, Int, String) in
            let location = file.location(of: d.range!.start)
            return (location.line, location.column, d.message)
        }
        #expect(places.map(\.0) == [3001, 3002, 3005])
        #expect(places.map(\.1) == [8, 10, 7])
        #expect(places.map(\.2) == ["expected a value, found end of line", "expected a value, found end of line", "expected a value, found ')'"])
    }

    /// The REPL's "an `else` may still follow" answer looks at the source's last token, which
    /// the parser has long let go of tokens before.
    @Test func anOpenIfAfterManyStatementsIsStillSeen() {
        let lines = Array(repeating: "print 1", count: 5000)
        #expect(parse((lines + ["if true < print 2 >", "", ""]).joined(separator: "\n")).result.endsWithOpenIf)
        #expect(!parse((lines + ["if true < print 2 >; print 3"]).joined(separator: "\n")).result.endsWithOpenIf)
        #expect(!parse((lines + ["if true < print 2 > else < print 3 >"]).joined(separator: "\n")).result.endsWithOpenIf)
    }

    /// A recipe body of thousands of statements (past the short-block scratch) keeps them all,
    /// in order, and every block inside it keeps its own.
    @Test func longBlocksKeepEveryStatementInOrder() {
        let body = (0..<2000).map { "  cluster c\($0) < context \"ctx-\($0)\"; trust from root; discover with c\($0), c1 >" }
        let (result, _) = parse((["recipe unused() <"] + body + [">"]).joined(separator: "\n"))
        #expect(result.diagnostics.isEmpty)
        guard case .recipe(let recipe)? = result.program.statements.first?.kind else { Issue.record("no recipe"); return }
        #expect(recipe.body.statements.count == 2000)
        for (n, statement) in recipe.body.statements.enumerated() {
            guard case .command("cluster", _, let words, let block?) = statement.kind,
                  case .name(let name) = words.first?.expression.kind else { Issue.record("statement \(n)"); return }
            #expect(name == "c\(n)")
            #expect(block.statements.count == 3)
        }
    }

    /// A command of plain words is kept as offsets into the source; it reads back as the parser
    /// would build it in full, and a command that does not fit (more words, a label, a list, an
    /// escape, a dotted name, an offset past 16 bits) is built in full as before.
    @Test(arguments: [
        ("cluster c1 < context \"ctx-1\"; install network $n >",
         "cluster@0-7 [name(c1)@8-10] <11-50: context@13-20 [string(ctx-1)@21-28]; install@30-37 [name(network)@38-45 variable(n)@46-48]>"),
        ("run a b c d e", "run@0-3 [name(a)@4-5 name(b)@6-7 name(c)@8-9 name(d)@10-11 name(e)@12-13]"),
        ("install a net = n2", "install@0-7 [name(a)@8-9 net@10-13=name(n2)@16-18]"),
        ("discover with c1, c2 x", "discover@0-8 [name(with)@9-13 list(name(c1)@14-16,name(c2)@18-20)@14-20 name(x)@21-22]"),
        ("context \"a\\n\" \"\" \"é\"", "context@0-7 [string(a\n)@8-13 string()@14-16 string(é)@17-21]"),
        ("topo . primary east", "topo.primary@0-14 [name(east)@15-19]"),
        ("x $m.k $l[0] f(1) g (1)", "x@0-1 [field@2-6 index@7-12 call@13-17 name(g)@18-19 other@20-23]"),
        ("yield now", "yield@0-5 [name(now)@6-9]"),
    ])
    func plainCommandsReadBackInFull(source: String, expected: String) {
        let (result, _) = parse(source)
        #expect(result.diagnostics.isEmpty)
        #expect(result.program.statements.map(Self.describe) == [expected])
    }

    @Test func wordsPastSixteenBitOffsetsReadBackInFull() {
        let long = String(repeating: "x", count: 70_000)
        let (result, _) = parse("context \"\(long)\" w < a >")
        #expect(result.diagnostics.isEmpty)
        #expect(result.program.statements.map(Self.describe) == ["context@0-7 [string(\(long))@8-70010 name(w)@70011-70012] <70013-70018: a@70015-70016 []>"])
        let (named, _) = parse("\(long) w")
        #expect(named.program.statements.map(Self.describe) == ["\(long)@0-70000 [name(w)@70001-70002]"])
    }

    /// Each comma list of a command's words (collected in the parser's item scratch) keeps its
    /// items in order with their ranges, however long, over line ends, beside lists of other
    /// words and inside blocks, and a list left broken by an error leaves nothing behind for
    /// the next command.
    @Test func commaListsOfCommandWordsKeepTheirItems() {
        let items = (0..<300).map { "c\($0)" }
        let source = "discover with " + items.joined(separator: ", ") + " x, $y,\n \"z\" < a b, [c, d] >\n"
            + "bad with p, , q\nnext with r, s"
        let (result, _) = parse(source)
        #expect(result.diagnostics.map(\.message) == ["expected a value, found ','"])
        #expect(result.program.statements.count == 2)
        var offset = 14
        let described = items.map { item in
            defer { offset += item.utf8.count + 2 }
            return "name(\(item))@\(offset)-\(offset + item.utf8.count)"
        }
        let listEnd = offset - 2
        let expected = "discover@0-8 [name(with)@9-13 list(\(described.joined(separator: ",")))@14-\(listEnd) "
            + "list(name(x)@\(listEnd + 1)-\(listEnd + 2),variable(y)@\(listEnd + 4)-\(listEnd + 6),string(z)@\(listEnd + 9)-\(listEnd + 12))"
            + "@\(listEnd + 1)-\(listEnd + 12)] <\(listEnd + 13)-\(listEnd + 28): a@\(listEnd + 15)-\(listEnd + 16) "
            + "[list(name(b)@\(listEnd + 17)-\(listEnd + 18),list(name(c)@\(listEnd + 21)-\(listEnd + 22),name(d)@\(listEnd + 24)-\(listEnd + 25))"
            + "@\(listEnd + 20)-\(listEnd + 26))@\(listEnd + 17)-\(listEnd + 26)]>"
        #expect(Self.describe(result.program.statements[0]) == expected)
        let nextStart = source.utf8.count - 14
        #expect(Self.describe(result.program.statements[1])
            == "next@\(nextStart)-\(nextStart + 4) [name(with)@\(nextStart + 5)-\(nextStart + 9) list(name(r)@\(nextStart + 10)-\(nextStart + 11),name(s)@\(nextStart + 13)-\(nextStart + 14))@\(nextStart + 10)-\(nextStart + 14)]")
    }

    /// A bracket left open reports at its close what it closes, with a note where it opens
    /// and (after 'let NAME' or a recipe's name) the help naming it: the parser builds these
    /// texts only when the close is missing.
    @Test(arguments: [
        ("let x = f(1\nprint 2", "expected ')' to close the call to 'f', found 'print'", "opened here", 9),
        ("let x = $l[1\nprint 2", "expected ']' to close the index, found 'print'", "the index opens here", 10),
        ("let x = $l[1:2\nprint 2", "expected ']' to close the slice, found 'print'", "the slice opens here", 10),
        ("let x = [a for a in $l\nprint 2", "expected ']' to close the comprehension, found 'print'", "the comprehension opens here", 8),
        ("let x = {a: 1\nprint 2", "expected '}' to close the map, found 'print'", "the map opens here", 8),
        ("let x = [1\nprint 2", "expected ']' to close the list, found 'print'", "the list opens here", 8),
        ("let x = (1\nprint 2", "expected ')' to close the parenthesis, found 'print'", "opened here", 8),
    ])
    func anOpenBracketNamesItsOpening(source: String, message: String, note: String, at start: Int) {
        let (result, _) = parse(source)
        #expect(result.diagnostics.map(\.message) == [message])
        #expect(result.diagnostics.first?.notes == [.init(note, at: SourceRange(file: FileID(index: 0), start: start, end: start + 1))])
    }

    /// After 'let NAME' and a recipe's name, the error's text and help name the name.
    @Test func aMissingEqualsOrParenthesisNamesTheName() {
        let (named, _) = parse("let abc 1\nrecipe r[a] < >")
        #expect(named.diagnostics.map(\.message) == ["expected '=' after 'let abc', found a number", "expected '(' after the recipe name, found '['"])
        #expect(named.diagnostics.map(\.help) == ["bind a value with: let abc = VALUE", "declare parameters in parentheses: recipe r(a, b) < ... >"])
    }

    /// The lexer matches keywords by their bytes packed into one integer: exactly the
    /// language's keywords lex as keywords, and every near miss is a name.
    @Test func keywordsLexAsTheirKindsAndNearMissesAsNames() {
        for keyword in Lexer.keywords {
            let tokens = Lexer.tokenize(Array(keyword.utf8))
            #expect(tokens.count == 2 && tokens[0].kind.isKeyword && tokens[0].kind.spelling == "'\(keyword)'", "\(keyword)")
            let nearMisses = [keyword + "s", String(keyword.dropLast()), String(keyword.dropFirst()), keyword.uppercased(),
                              "x" + keyword, keyword + "-x", keyword + "1", String(keyword.reversed())]
            for near in nearMisses where !Lexer.keywords.contains(near) {
                #expect(Lexer.tokenize(Array(near.utf8))[0].kind == .identifier, "\(near)")
            }
        }
    }

    /// Moving a statement keeps what it reads as: its parts' ranges are their own.
    @Test func aCompactCommandKeepsItsPartsWhenMoved() {
        let (result, _) = parse("cluster c1 < context \"ctx\" >")
        var statement = result.program.statements[0]
        let before = Self.describe(statement)
        statement.range = SourceRange(file: FileID(index: 0), start: 1, end: 2)
        #expect(Self.describe(statement) == before)
        #expect(statement.range == SourceRange(file: FileID(index: 0), start: 1, end: 2))
    }

    static func describe(_ statement: Statement) -> String {
        guard case .command(let name, let nameRange, let words, let block) = statement.kind else { return "other" }
        let described = words.map { word in
            (word.label.map { "\($0)@\(word.labelRange!.start)-\(word.labelRange!.end)=" } ?? "") + describe(word.expression)
        }
        var text = "\(name)@\(nameRange.start)-\(nameRange.end) [\(described.joined(separator: " "))]"
        if let block {
            text += " <\(block.range.start)-\(block.range.end): \(block.statements.map(describe).joined(separator: "; "))>"
        }
        return text
    }

    static func describe(_ expression: Expression) -> String {
        let where_ = "@\(expression.range.start)-\(expression.range.end)"
        switch expression.kind {
        case .name(let text): return "name(\(text))" + where_
        case .variable(let text): return "variable(\(text))" + where_
        case .string(let parts):
            guard parts.count == 1, case .literal(let text) = parts[0] else { return "parts" + where_ }
            return "string(\(text))" + where_
        case .list(let items): return "list(\(items.map(describe).joined(separator: ",")))" + where_
        case .field: return "field" + where_
        case .index: return "index" + where_
        case .call: return "call" + where_
        default: return "other" + where_
        }
    }
}
