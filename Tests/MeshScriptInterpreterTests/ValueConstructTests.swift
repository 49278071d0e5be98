// The value constructs of issue 11: '-', comparisons inside brackets, maps with field access,
// indexing and slicing, 'in', comprehensions, the string functions and names spliced into a
// command's words. Each evaluates in a bare Interpreter with the toy commands of Support.swift.
import Foundation
import Testing

import MeshScriptInterpreter

@Suite struct ValueExpressions {
    /// An expression and the text `print` gives for it.
    @Test(arguments: [
        ("7 - 2 - 1", "4"),
        ("-3 + 1", "-2"),
        ("- -3", "3"),
        ("-(2 + 3)", "-5"),
        ("1 - -1", "2"),
        ("(1 < 2)", "true"),
        ("(2 <= 2)", "true"),
        ("(1 > 2)", "false"),
        ("(3 >= 4)", "false"),
        ("(1 + 1 == 2 and 3 > 2)", "true"),
        ("2 in [1, 2]", "true"),
        ("[2] in [[1], [2]]", "true"),
        ("3 in range(0, 1000000000)", "true"),
        ("\"ab\" in \"cab\"", "true"),
        ("\"\" in \"x\"", "true"),
        ("\"k\" in {k: 1}", "true"),
        ("\"v\" in {k: \"v\"}", "false"),
        ("not 1 in [2]", "true"),
        ("{b: 1, \"a b\": [1, \"x\"], c: {d: true}}", "{b: 1, \"a b\": [1, \"x\"], c: {d: true}}"),
        ("{in: 1, \"x-\": 2, \"1a\": 3}", "{\"in\": 1, \"x-\": 2, \"1a\": 3}"),
        ("{a: 1, b: 2} + {a: 3, c: 4}", "{a: 3, b: 2, c: 4}"),
        ("{a: 1, b: [2]} == {b: [2], a: 1}", "true"),
        ("{a: 1} == {a: 2}", "false"),
        ("{a: 1} == {b: 1}", "false"),
        ("{} == {}", "true"),
        ("[{a: [1]}] == [{a: [1]}]", "true"),
        ("{a: {b: {c: 5}}}.a.b.c", "5"),
        ("{if: 1}.if", "1"),
        ("[1, 2, 3][-1]", "3"),
        ("[1, 2, 3][1:]", "[2, 3]"),
        ("[1, 2, 3][:-1]", "[1, 2]"),
        ("[1, 2, 3][3:]", "[]"),
        ("[[1], 2][1:] == [2]", "true"),
        ("range(5, 10)[1:3]", "[6, 7]"),
        ("range(5, 10)[-1]", "9"),
        ("\"héllo\"[1]", "é"),
        ("\"héllo\"[1:3]", "él"),
        ("[$x + 1 for x in [1, 2]]", "[2, 3]"),
        ("[$x for x in range(10) if ($x > 6)]", "[7, 8, 9]"),
        ("len({a: 1, b: 2})", "2"),
        ("keys({b: 1, a: 2})", "[\"b\", \"a\"]"),
        ("values({b: 1, a: 2})", "[1, 2]"),
        ("upper(lower(\"MiXed\"))", "MIXED"),
        ("replace(\"aaa\", \"a\", \"bb\")", "bbbbbb"),
        ("join([1, \"b\", [c]], \"+\")", "1+b+[\"c\"]"),
        ("join([], \",\")", ""),
        ("split(\"a--b\", \"--\")", "[\"a\", \"b\"]"),
        ("split(\"\", \",\")", "[\"\"]"),
        ("format(\"{}={}\", k, 1)", "k=1"),
        ("format(\"{0}{0}{1}\", a, b)", "aab"),
        ("format(\"{{}}\")", "{}"),
        ("\"${ ($a > 1) }\"", "true"),
    ] as [(String, String)])
    func evaluates(_ expression: String, _ expected: String) {
        let r = run("let a = 2\nprint \(expression)")
        expectClean(r)
        #expect(r.printed == [expected], "\(expression)")
    }

    @Test func aComprehensionTakesOneFor() {
        let (result, _) = parse("let x = [[x, y] for x in [1, 2] for y in [3]]")
        #expect(result.diagnostics.map(\.message) == ["expected ']' to close the comprehension, found 'for'"])
    }

    /// The comprehension's variable is bound inside its brackets only, and an outer one of the
    /// same name is untouched.
    @Test func theComprehensionVariableIsScopedToIt() {
        let r = run("""
            let x = "outer"
            let doubled = [$x + $x for x in ["a", "b"]]
            print $doubled
            print $x
            print [$y for y in [1]]
            print $y
            """)
        // The resolve pass finds the use outside the brackets: nothing runs.
        expectOneError(r, "undefined variable '$y'", line: 6)
        #expect(r.printed.isEmpty)
        let clean = run("let x = \"outer\"\nprint [$x + $x for x in [\"a\", \"b\"]]\nprint $x\n")
        expectClean(clean)
        #expect(clean.printed == ["[\"aa\", \"bb\"]", "outer"])
    }

    @Test func aDashInsideAVariableNameIsPartOfIt() {
        let r = run("let a = 5\nlet a-1 = 10\nprint $a-1\nprint $a - 1\nprint $a -1")
        expectClean(r)
        #expect(r.printed == ["10", "4", "4"])
    }

    /// `[` indexes only when it touches what it follows: in a command `emit $x [0]` is two words.
    @Test func anIndexTouchesWhatItIndexes() {
        let r = run("let x = [7, 8]\nemit $x[1]\nemit $x [0]")
        expectOneError(r, "unexpected value '[0]' in 'emit'", line: 3)
        #expect(r.log == ["8"])
    }

    @Test(arguments: [
        ("-9223372036854775807 - 2", "integer overflow in '-'"),
        ("0 - 9223372036854775807 - 2", "integer overflow in '-'"),
        ("-(-9223372036854775807 - 1)", "integer overflow in '-'"),
        ("[1][1]", "index 1 is out of range for a list of length 1"),
        ("[1][-2]", "index -2 is out of range for a list of length 1"),
        ("range(3)[3]", "index 3 is out of range for a list of length 3"),
        ("\"ab\"[2]", "index 2 is out of range for a string of length 2"),
        ("[1][\"a\"]", "an index of a list must be an integer, got string \"a\""),
        ("[1, 2][0:3]", "slice bound 3 is out of range for a list of length 2"),
        ("[1, 2][-3:]", "slice bound -3 is out of range for a list of length 2"),
        ("5[0]", "cannot index integer 5"),
        ("true[0:1]", "cannot slice boolean true"),
        ("{net: 1}.nte", "the map has no key 'nte'"),
        ("{net: 1}[\"x\"]", "the map has no key 'x'"),
        ("(\"a\" <= \"b\")", "'<=' compares integers, got string and string"),
        ("-\"a\"", "'-' needs an integer, got string \"a\""),
        ("[1] - [1]", "'-' subtracts integers, got list and list"),
        ("{a: 1} + [1]", "cannot add map and list"),
        ("1 in {a: 1}", "'in' looks for a string in a map, got integer 1"),
        ("[x for x in 3]", "a comprehension needs a list, got integer"),
        ("format(\"}\")", "format(): a '}' without its '{'"),
        ("format(\"{2}\", a)", "format() has no value for placeholder {2}: it was given 1 value"),
        ("replace(\"a\", \"\", \"b\")", "replace() needs a non-empty string to replace"),
        ("replace(\"a\", \"a\", 1)", "replace() takes a string as argument 3, not integer 1"),
        ("values(1)", "values() takes a map, not integer 1"),
        ("len(1)", "len() takes a list, a map or a string, not integer"),
    ] as [(String, String)])
    func reportsOneError(_ expression: String, _ message: String) {
        let r = run("print \(expression)")
        let error = expectOneError(r, message, line: 1)
        #expect(error?.message == message)
    }

    /// A missing key gets a did-you-mean over the map's keys, at the key.
    @Test func aMissingKeySuggestsTheClosestKey() throws {
        let r = run("let site = {network: \"n1\", zone: \"a\"}\nprint $site.netwrk")
        let error = try #require(expectOneError(r, "the map has no key 'netwrk'", line: 2, help: "did you mean 'network'?"))
        #expect(lineColumn(try #require(r.location(error))) == "2:13")
    }

    /// The fixes the errors suggest are themselves valid: `$x`, not the bare name `x`.
    @Test func subtractingListsSuggestsAComprehension() throws {
        let r = run("print [1, 2] - [1]")
        let error = try #require(expectOneError(r, "'-' subtracts integers, got list and list"))
        #expect(error.help == "keep the items you want: [$x for x in $list if not ($x in $other)]")
        let fixed = run("let list = [1, 2]\nlet other = [1]\nprint [$x for x in $list if not ($x in $other)]")
        expectClean(fixed)
        #expect(fixed.printed == ["[2]"])
    }

    /// A wrong number of values for `format` is an error at the call.
    @Test func aFormatCountErrorIsAtTheCall() throws {
        for source in ["print format(\"{}\", a, b)", "print format(\"{} {}\", a)"] {
            let r = run(source)
            let error = try #require(expectOneError(r, "format()"))
            #expect(lineColumn(try #require(r.location(error))) == "1:7", "\(source)")
        }
    }

    /// Functions refuse a string past the limit before building it.
    @Test func stringFunctionsRefuseAHugeResultBeforeBuildingIt() {
        let limits = Limits(maxStringBytes: 1000)
        let r = run("""
            let s = "${"aaaaaaaaaa"}${"aaaaaaaaaa"}"
            print replace($s + $s + $s, "a", "${"bbbbbbbbbbbbbbbbbbbb"}")
            """, limits: limits)
        expectOneError(r, "a string of 1200 bytes exceeds the limit of 1000 bytes (Limits.maxStringBytes)", line: 2)
        let joined = run("print join([$x for x in range(0, 400)], \",\")", limits: limits)
        expectOneError(joined, "exceeds the limit of 1000 bytes", line: 1)
        let formatted = run("let s = \"\(String(repeating: "x", count: 600))\"\nprint format(\"{}{}\", $s, $s)", limits: limits)
        expectOneError(formatted, "exceeds the limit of 1000 bytes", line: 2)
    }

    /// A long comprehension or `in` over a long range spends steps as it goes and stops at the
    /// step limit, one diagnostic, no crash.
    @Test func longWalksSpendTheStepBudget() {
        let limits = Limits(maxSteps: 10_000)
        let comprehension = run("print len([x for x in range(0, 1000000000)])", limits: limits)
        #expect(comprehension.messages == ["the evaluation step limit was reached (10000 steps)"])
        let membership = run("print -1 in range(0, 1000000000)", limits: limits)
        #expect(membership.messages == ["the evaluation step limit was reached (10000 steps)"])
    }

    /// A map nested past the value nesting limit is refused where it is built.
    @Test func aDeeplyNestedMapIsRefused() {
        var lines = ["let m0 = {}"]
        for i in 1...300 { lines.append("let m\(i) = {a: $m\(i - 1)}") }
        lines.append("print len($m300)")
        let deep = run(lines.joined(separator: "\n"))
        #expect(deep.messages.first?.hasPrefix("the map is nested too deeply") == true, "\(deep.messages)")
        // A map of a deeply nested value prints and compares without recursion.
        var shallow = ["let l0 = []"]
        for i in 1...200 { shallow.append("let l\(i) = {k: [$l\(i - 1)]}") }
        shallow.append("print $l200 == $l200 and str($l200) != \"\"")
        let walked = run(shallow.joined(separator: "\n"), limits: Limits(maxNestingDepth: 1024))
        expectClean(walked)
        #expect(walked.printed == ["true"])
    }
}

@Suite struct ComparisonSyntax {
    /// `>` outside brackets is one error with the fix, whatever follows it.
    @Test(arguments: [
        ("if $i > 2 < print 1 >", "'>' compares only inside parentheses", "write: if ($i > 2) < ... >"),
        ("if $i > 2 < print 1 > else < print 2 >", "'>' compares only inside parentheses", "write: if ($i > 2) < ... >"),
        ("if $i > 2 < print 1 >\nelse < print 2 >", "'>' compares only inside parentheses", "write: if ($i > 2) < ... >"),
        ("if $i >= len($l) < print 1 >", "'>=' compares only inside parentheses", "write: if ($i >= len($l)) < ... >"),
        ("if $a and $i > \"x\" < print 1 >", "'>' compares only inside parentheses", "write: ($i > \"x\")"),
        ("let b = $i > 2", "'>' compares only inside parentheses", "write: ($i > 2)"),
        ("print $i > -1", "'>' compares only inside parentheses", "write: ($i > -1)"),
    ] as [(String, String, String)])
    func aBareGreaterThanIsOneError(_ source: String, _ message: String, _ help: String) {
        let (result, _) = parse("let i = 3\nlet l = []\nlet a = true\n" + source)
        #expect(result.diagnostics.map(\.message) == [message], "\(result.diagnostics.map(\.message))")
        #expect(result.diagnostics.first?.help == help)
        #expect(!result.needsMoreInput)
    }

    /// Inside brackets `<` and `>` compare, and `<=`/`>=` need the two characters to touch.
    @Test func insideBracketsTheyCompare() {
        let r = run("""
            let i = 3
            if ($i > 2) < print "a" >
            if ($i < 2) < print "b" > else < print "c" >
            print [($i <= 3), $i >= 4]
            print len([x for x in [1, 5] if $x > 2])
            print "${$i > 1}"
            """)
        expectClean(r)
        #expect(r.printed == ["a", "c", "[true, false]", "1", "true"])
        let (spaced, _) = parse("print (1 < = 2)")
        #expect(spaced.diagnostics.map(\.message) == ["expected a value, found '='"])
    }

    /// A `>` that closes a block is still a `>`: no construct that parsed before changes.
    @Test func aClosingAngleIsNotAComparison() {
        let r = run("let x = 1\nbox b < emit $x >\nif true < let y = $x > else < emit 2 >\nbox c < emit [1]\n>")
        expectClean(r)
        #expect(r.log == ["box b <", "1", ">", "box c <", "[1]", ">"])
    }
}

@Suite struct MapSyntax {
    @Test func aKeyGivenTwiceIsAnErrorAtTheSecond() throws {
        let (result, file) = parse("let m = {a: 1, \"b\": 2, \"a\": 3}")
        let error = try #require(result.diagnostics.first)
        #expect(result.diagnostics.count == 1)
        #expect(error.message == "key 'a' is given twice in the map")
        #expect(file.location(of: error.range!.start).column == 24)
        #expect(error.notes.first.map { file.location(of: $0.range!.start).column } == 10)
    }

    /// A `{` that opens no map keeps the help about blocks.
    @Test(arguments: ["cluster c1 { install }", "if true { print 1 }", "{ print 1 }", "let m = {1: 2}"])
    func aBraceBlockKeepsItsHelp(_ source: String) throws {
        let (result, _) = parse(source)
        let error = try #require(result.diagnostics.first)
        #expect(error.message == "unexpected character '{'")
        #expect(error.help == "blocks are delimited by '<' and '>'")
    }

    @Test func aMapMaySpanLinesAndTheReplWaitsForIt() {
        let (open, _) = parse("let m = {")
        #expect(open.needsMoreInput)
        let (partial, _) = parse("let m = {a: 1,\n  b: [1,")
        #expect(partial.needsMoreInput)
        let r = run("let m = {\n  a: 1,\n  b: 2,\n}\nprint $m")
        expectClean(r)
        #expect(r.printed == ["{a: 1, b: 2}"])
    }
}

@Suite struct SplicedNames {
    /// `.names` words splice list values, keeping each name's range; an empty list is none.
    @Test func listsAreSplicedIntoNames() throws {
        let (interpreter, recorder) = makeInterpreter()
        interpreter.register(CommandSignature("link", summary: "names", allowedIn: [.topLevel],
                                              options: [.init("with", [.init("C", .names)])])) { call, _ in
            let items = call.options["with"]![0].items
            recorder.log.append(items.map { "\($0.value.text)@\($0.range.start)" }.joined(separator: " "))
        }
        let outcome = interpreter.run(source: """
            let peers = [a, b]
            let none = []
            link with $peers, c
            link with []
            link with $none, [[d]], $none
            link with [1]
            """, name: "test.mesh")
        let r = Run(interpreter: interpreter, recorder: recorder, outcome: outcome)
        #expect(r.log == ["a@43 b@43 c@51", "", "d@83"])
        expectOneError(r, "C of 'link' must be names (or lists of names), got list [1]", line: 6)
    }

    /// A list that fails half-way through flattening (a number two lists deep) is reported as
    /// written: flattening in place leaves the argument as it was, and the command does not run.
    @Test func aListThatCannotBeFlattenedIsReportedWhole() {
        let (interpreter, recorder) = makeInterpreter()
        interpreter.register(CommandSignature("link", summary: "names", allowedIn: [.topLevel],
                                              options: [.init("with", [.init("C", .names)])])) { call, _ in
            recorder.log.append(call.options["with"]![0].items.map(\.value.text).joined(separator: " "))
        }
        let outcome = interpreter.run(source: "link with a, [b, [2]]\nlink with c\n", name: "test.mesh")
        let r = Run(interpreter: interpreter, recorder: recorder, outcome: outcome)
        #expect(r.log == ["c"])
        expectOneError(r, "C of 'link' must be names (or lists of names), got list [\"a\", [\"b\", [2]]]", line: 1)
    }
}

@Suite struct DeepValueSyntax {
    /// Chains of postfixes, unary minus, maps and comprehensions count towards the nesting cap:
    /// a megabyte of them is one diagnostic, not a stack overflow.
    @Test(arguments: [
        "print $a" + String(repeating: "[0]", count: 200_000),
        "print $a" + String(repeating: ".b", count: 200_000),
        "print " + String(repeating: "-", count: 200_000) + "1",
        "print " + String(repeating: "{a: ", count: 100_000),
        "print " + String(repeating: "[$x for x in ", count: 50_000),
        "print " + String(repeating: "$l[1:", count: 100_000),
    ])
    func aDeepChainIsOneDiagnostic(_ source: String) {
        let (result, _) = parse(source)
        #expect(result.diagnostics.first?.message == "nesting is too deep (the limit is 256 levels)", "\(result.diagnostics.first?.message ?? "none")")
        #expect(result.diagnostics.count <= 2)
    }
}
