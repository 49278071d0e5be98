// The parser on its own: the REPL's "needs more input" answer, recovery (every error of a
// file is reported), the nesting cap, lexical errors and the statement forms.
import Foundation
import Testing

import MeshScriptInterpreter

func parse(_ text: String, maxDepth: Int = 256) -> (result: ParseResult, file: SourceFile) {
    let file = SourceFile(path: "parse.mesh", text: text)
    return (Parser.parse(file, file: FileID(index: 0), maxDepth: maxDepth), file)
}

func parse(bytes: [UInt8], maxDepth: Int = 256) -> (result: ParseResult, file: SourceFile) {
    let file = SourceFile(path: "parse.mesh", bytes: bytes)
    return (Parser.parse(file, file: FileID(index: 0), maxDepth: maxDepth), file)
}

/// (line, message) of each diagnostic, in order.
func errorLines(_ text: String) -> [(Int, String)] {
    let (result, file) = parse(text)
    return result.diagnostics.map { (file.location(of: $0.range?.start ?? 0).line, $0.message) }
}

@Suite struct NeedsMoreInput {
    @Test(arguments: [
        "cluster c1 <",
        "cluster c1 < trust from root",
        "cluster c1 <\n  trust from root\n",
        "recipe r(a) <",
        "if true < print 1 > else <",
        "for x in [1, 2] <",
        "let x = [1, 2",
        "let x = [\n1,\n",
        "print len(",
        "print len([1], ",
        "let x = (1 + ",
        "print \"unclosed",
        "print \"multi\nline",
        "print \"${1 + ",
        "discover with c1,",
        "cluster c2 < discover with c1,\n",
        "recipe r(",
        "let x =",
        "print 1 +",
        "assert true,",
        "print {",
        "let m = {a: 1,\n",
        "let m = {a: [1",
        "print $l[1:",
        "print [$x for x in",
        "print 1 -",
    ])
    func unclosedInputAsksForMore(_ text: String) {
        let (result, _) = parse(text)
        #expect(result.needsMoreInput, "\(text.debugDescription) should need more input")
    }

    @Test(arguments: [
        "cluster c1 < trust from root >",
        "let x = [1, 2]",
        "print len([1])",
        "print \"closed\"",
        "discover with c1, c2",
        "",
        "# only a comment",
        "if true < print 1 >",
        // Real errors are not "more input": more lines cannot fix them.
        ">",
        "cluster c1 < > >",
        "let x = ]",
        "print )",
        "let = 1",
        "else < >",
        "print \"a\\q\"",
        "print { x }",
        "print {1: 2",
        // A real error earlier in the entry: more lines will not fix it.
        ">\ncluster a <",
        "print \"a\\q\"\ncluster a <",
        "print )\nlet x = [",
        "let x = \"${}\" + [",
    ])
    func completeOrBrokenInputDoesNot(_ text: String) {
        let (result, _) = parse(text)
        #expect(!result.needsMoreInput, "\(text.debugDescription) should not need more input")
    }

    @Test func needsMoreInputAlsoThroughTheInterpreter() {
        let (interpreter, recorder) = makeInterpreter()
        let outcome = interpreter.run(source: "box b <\n  emit 1\n", name: "repl")
        #expect(outcome.needsMoreInput)
        #expect(!outcome.evaluated)
        #expect(recorder.log.isEmpty)
        #expect(interpreter.parse(source: "box b <", name: "repl").needsMoreInput)
    }
}

@Suite struct Recovery {
    @Test func everySyntaxErrorInAFileIsReported() {
        let lines = errorLines("""
            let = 1
            cluster c1 < trust from root >
            print )
            cluster c2 < install network ] ; trust from root >
            let ok = 1
            recipe r a < >
            for 1 in [] < >
            print { x }
            """)
        #expect(lines.map(\.0) == [1, 3, 4, 6, 7, 8])
        #expect(lines.map(\.1) == [
            "expected a name after 'let', found '='",
            "expected a value, found ')'",
            "expected a value, found ']'",
            "expected '(' after the recipe name, found a name",
            "expected a loop variable after 'for', found a number",
            "unexpected character '{'",
        ])
    }

    @Test func recoveryInsideABlockResumesAtTheNextStatement() {
        let lines = errorLines("""
            cluster c1 <
              trust from ]
              install network n1
              discover with )
            >
            cluster c2 < trust from ) >
            print 1 >
            """)
        #expect(lines.map(\.0) == [2, 4, 6, 7])
        #expect(lines.last?.1 == "expected ';' or a new line after the statement, found '>'")
    }

    @Test func strayClosingAngle() {
        let (result, file) = parse("cluster c1 < >\n>\nprint 1")
        #expect(result.diagnostics.count == 1)
        let diagnostic = result.diagnostics.first
        #expect(diagnostic?.message == "unexpected '>': it closes no block")
        #expect(diagnostic?.help == "remove it, or open the block with '<'")
        #expect(lineColumn(file.location(of: diagnostic?.range?.start ?? 0)) == "2:1")
        // The statement after it still parses.
        #expect(result.program.statements.count == 2)
    }

    @Test func oneUnexpectedEndOfInputForManyOpenConstructs() {
        let (result, _) = parse("cluster a < cluster b < let x = [1, (2")
        #expect(result.diagnostics.count == 1)
        #expect(result.needsMoreInput)
    }

    @Test func elseWithoutIf() {
        #expect(errorLines("else < >").map(\.1) == ["'else' without a matching 'if'"])
    }

    @Test func keywordAsANameGetsHelp() {
        let (result, _) = parse("let for = 1")
        #expect(result.diagnostics.first?.message == "expected a name after 'let', found 'for'")
        #expect(result.diagnostics.first?.help == "'for' is a keyword and cannot be used as a name")
    }
}

@Suite struct LexicalErrors {
    @Test(arguments: [
        ("print \"abc", "unterminated string", 7),
        ("print 1st", "'1st' is not a valid name", 7),
        ("print 99999999999999999999", "number '99999999999999999999' is too large", 7),
        ("print $", "'$' must be followed by a variable name", 7),
        ("print $1", "'$' must be followed by a variable name", 7),
        ("print !x", "unexpected character '!'", 7),
        ("print 'x'", "unexpected character '''", 7),
        ("print é", "unexpected character 'é'", 7),
        ("print \"é\" ☃", "unexpected character '☃'", 11),
    ])
    func lexicalErrorsBecomeDiagnostics(source: String, message: String, column: Int) {
        let (result, file) = parse(source)
        #expect(result.diagnostics.map(\.message) == [message])
        #expect(file.location(of: result.diagnostics.first?.range?.start ?? -1).column == column)
    }

    @Test func invalidUTF8IsOneDiagnosticAtTheBadByte() {
        let (result, file) = parse(bytes: Array("print \"ok\"\nlet x = \"".utf8) + [0xC3, 0x28] + Array("\"\n".utf8))
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.message == "the script is not valid UTF-8 (invalid byte 0xC3)")
        #expect(lineColumn(file.location(of: result.diagnostics.first?.range?.start ?? -1)) == "2:10")
        #expect(result.program.statements.isEmpty)
    }

    @Test(arguments: [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] as [[UInt8]])
    func malformedSequencesAreRejected(_ bad: [UInt8]) {
        let (result, _) = parse(bytes: Array("print \"".utf8) + bad + Array("\"".utf8))
        #expect(result.diagnostics.first?.message.hasPrefix("the script is not valid UTF-8") == true)
    }

    /// Editors on Windows may save UTF-8 with a byte-order mark; it is skipped, and columns
    /// still count from the first character after it.
    @Test func byteOrderMarkIsSkipped() {
        let (result, _) = parse(bytes: [0xEF, 0xBB, 0xBF] + Array("print 1\n".utf8))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))")
        let (bad, _) = parse(bytes: [0xEF, 0xBB, 0xBF] + Array("print )\n".utf8))
        #expect(bad.diagnostics.count == 1)
        #expect(bad.diagnostics.first?.range?.start == 9)
    }

    @Test func identifiersMayContainDashesButNotEndInOne() {
        let tokens = Lexer.tokenize(Array("kind-cluster1 a- $x-y".utf8))
        #expect(tokens.map(\.kind) == [.identifier, .identifier, .minus, .variable, .eof])
    }

    @Test func windowsLineEnds() {
        let r = run("print \\\r\n  1\r\nprint 2\r\nassert false\r\n")
        #expect(r.printed == ["1", "2"])
        #expect(r.rendered.contains("4 | assert false\n"), "\(r.rendered.debugDescription)")
    }

    @Test func lineContinuationAndComments() {
        let (result, _) = parse("print \\\n  1 # a comment\n# another\n;;\nprint 2")
        #expect(result.diagnostics.isEmpty)
        #expect(result.program.statements.count == 2)
    }
}

@Suite struct Depth {
    static let n = 100_000

    /// Each of these is 100,000 levels deep; the parser must answer with one diagnostic.
    /// The arguments are the repeated units, not the inputs, so test logs stay small.
    @Test(arguments: [
        ("", "cluster a < ", "", ""),
        ("", "if true < ", "", ""),
        ("", "recipe r() < ", "", ""),
        ("let x = ", "(", "", ""),
        ("let x = ", "[", "", ""),
        ("let x = ", "f(", "", ""),
        ("let x = ", "not ", "true", ""),
        ("let x = ", "\"${", "x", "}\""),
        ("let x = 1", " + 1", "", ""),
        ("let x = true", " and true", "", ""),
        ("let x = false", " or true", "", ""),
        ("let x = 1", " == 1", "", ""),
        ("let x = [1", ", [1", "", ""),
    ])
    func deepInputIsOneDiagnostic(prefix: String, unit: String, middle: String, closing: String) {
        let (result, _) = parse(prefix + String(repeating: unit, count: Depth.n) + middle + String(repeating: closing, count: Depth.n))
        let messages = result.diagnostics.map(\.message)
        #expect(messages.count == 1, "\(messages.prefix(3))")
        #expect(messages.first?.contains("nesting is too deep") == true || messages.first?.contains("nested too deeply") == true,
                "\(messages.prefix(3))")
    }

    @Test func rawOpeningAnglesRecover() {
        let (result, _) = parse(String(repeating: "<", count: 100_000) + "\nprint 1\n")
        #expect(result.diagnostics.map(\.message) == ["expected a statement, found '<'"])
    }

    @Test func theCapIsConfigurable() {
        let ten = "let x = " + String(repeating: "(", count: 10) + "1" + String(repeating: ")", count: 10)
        #expect(parse(ten, maxDepth: 20).result.diagnostics.isEmpty)
        #expect(parse(ten, maxDepth: 5).result.diagnostics.map(\.message) == ["nesting is too deep (the limit is 5 levels)"])
    }

    /// Every kind of nesting costs one level per level written, so the cap means the same for a
    /// list as for a block: 18 levels of anything fit under a cap of 20 (a statement and its
    /// expression take the rest), 21 do not.
    @Test(arguments: [
        ("let x = ", "(", "1", ")"),
        ("let x = ", "[", "1", "]"),
        ("let x = ", "f(", "1", ")"),
        ("let x = ", "not ", "true", ""),
        ("", "cluster a < ", "", ">"),
        ("", "if true < ", "", ">"),
        ("", "if true < > else ", "< >", ""),
        ("let x = 1", " + 1", "", ""),
        ("let x = true", " and true", "", ""),
        ("let x = false", " or true", "", ""),
        ("let x = 1", " == 1", "", ""),
        ("let x = 1", " != 1", "", ""),
    ])
    func eachLevelCostsOne(prefix: String, unit: String, middle: String, closing: String) {
        func nested(_ levels: Int) -> String {
            prefix + String(repeating: unit, count: levels) + middle + String(repeating: closing, count: levels)
        }
        #expect(parse(nested(18), maxDepth: 20).result.diagnostics.map(\.message) == [])
        #expect(parse(nested(21), maxDepth: 20).result.diagnostics.map(\.message) == ["nesting is too deep (the limit is 20 levels)"])
    }

    /// The lexer counts each `${` and each string in it as a level (the parser counts the
    /// `${` and the expression in it), so `${...}` nests half the cap deep: its message says
    /// so, where it gave the whole cap, twice what a script could nest.
    @Test func nestedInterpolationsStateTheLimitThatApplies() {
        func nested(_ levels: Int) -> String {
            "print " + String(repeating: "\"${", count: levels) + "x" + String(repeating: "}\"", count: levels)
        }
        #expect(parse(nested(4), maxDepth: 8).result.diagnostics.map(\.message) == [])
        #expect(parse(nested(5), maxDepth: 8).result.diagnostics.map(\.message)
                == ["interpolations are nested too deeply (the limit is 4 levels of '${...}')"])
        #expect(parse(nested(129), maxDepth: 256).result.diagnostics.map(\.message)
                == ["interpolations are nested too deeply (the limit is 128 levels of '${...}')"])
    }

    @Test func deepButLegalNestingEvaluates() {
        let depth = 60
        let text = "let x = " + String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth) + "\nprint len($x)"
        let r = run(text)
        expectClean(r)
        #expect(r.printed == ["1"])
        // A long but legal chain of operators.
        let chain = run("print 0" + String(repeating: " + 1", count: 200))
        expectClean(chain)
        #expect(chain.printed == ["200"])
    }
}

@Suite struct StatementForms {
    @Test func theOneLineFormFromTheDesignCard() throws {
        let (result, _) = parse("cluster c2 < trust from root; install network n1; discover with c1 >")
        #expect(result.diagnostics.isEmpty)
        let statement = try #require(result.program.statements.first)
        guard case .command(let name, _, let words, let block) = statement.kind else {
            Issue.record("not a command: \(statement.kind)")
            return
        }
        #expect(name == "cluster")
        #expect(words.count == 1 && words[0].isBareName)
        let inner = try #require(block).statements.compactMap { statement -> String? in
            if case .command(let name, _, let words, _) = statement.kind { return "\(name)/\(words.count)" }
            return nil
        }
        #expect(inner == ["trust/2", "install/2", "discover/2"])
    }

    @Test func commasBuildOneListWordAndMayEndALine() throws {
        let (result, _) = parse("discover with c1,\n  c2, c3")
        #expect(result.diagnostics.isEmpty)
        guard case .command(_, _, let words, _) = try #require(result.program.statements.first).kind else { return }
        #expect(words.count == 2)
        if case .list(let items) = words[1].expression.kind { #expect(items.count == 3) } else { Issue.record("not a list") }
    }

    @Test func callNeedsTheParenthesisToTouchTheName() throws {
        let (result, _) = parse("emit f(1)\nemit f (1)")
        #expect(result.diagnostics.isEmpty)
        let counts = result.program.statements.map { statement -> Int in
            if case .command(_, _, let words, _) = statement.kind { return words.count }
            return -1
        }
        #expect(counts == [1, 2])
    }

    @Test func newlineBeforeElseDoesNotEndTheIf() {
        let (result, _) = parse("if true < print 1 >\n\n   else < print 2 >")
        #expect(result.diagnostics.isEmpty)
        #expect(result.program.statements.count == 1)
    }

    @Test func everyStatementFormParses() {
        let (result, _) = parse("""
            import "lib.mesh"
            let x = 1
            recipe r($a, b,) < print $a >
            for $i in [1,] < r $i 2 >
            if x == x < > else if false < > else < >
            assert true, "message"
            print x
            cluster "c${x}" < context "ctx" >
            """)
        #expect(result.diagnostics.map(\.message) == [])
        #expect(result.program.statements.count == 8)
    }
}
