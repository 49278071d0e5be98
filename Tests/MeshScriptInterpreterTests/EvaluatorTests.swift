// Every construct of the language, evaluated by a bare Interpreter with toy commands.
import Foundation
import Testing

import MeshScriptInterpreter

@Suite struct Bindings {
    @Test func letBindsAndPrintWritesToTheSink() {
        let r = run("""
            let greeting = "hi"
            let n = 42
            print $greeting
            print $n
            """)
        expectClean(r)
        #expect(r.printed == ["hi", "42"])
    }

    @Test func rebindingInTheSameScopeIsAnError() {
        let r = run("""
            let x = 1
            let x = 2
            print $x
            """)
        let error = expectOneError(r, "'$x' is already defined in this scope", line: 2)
        #expect(error?.notes.first?.message == "first defined here")
        // The resolve pass finds it: nothing runs.
        #expect(r.printed.isEmpty)
    }

    @Test func aNestedBlockMayShadow() {
        let r = run("""
            let x = "outer"
            if true <
              let x = "inner"
              print $x
            >
            for i in [1, 2] <
              let x = "loop ${i}"
              print $x
            >
            box b < let x = "box"; emit $x >
            print $x
            """)
        expectClean(r)
        #expect(r.printed == ["inner", "loop 1", "loop 2", "outer"])
        #expect(r.log == ["box b <", "box", ">"])
    }

    /// A block that binds nothing runs without a scope of its own; one that declares a recipe
    /// or imports gets one, and the names stay in it.
    @Test func recipesAndImportsInABlockStayInIt() {
        let (interpreter, recorder) = makeInterpreter(loader: InMemoryLoader(["/p/lib.mesh": "let lib = \"from lib\"\n"]))
        let outcome = interpreter.run(source: """
            if true < recipe inner() < emit "inner" >; inner >
            box b < import "lib.mesh"; emit $lib >
            inner
            print $lib
            """, name: "test.mesh", directory: "/p")
        let r = Run(interpreter: interpreter, recorder: recorder, outcome: outcome)
        #expect(r.messages == ["unknown command 'inner'", "undefined variable '$lib'"])
        // The resolve pass finds both before the run: nothing runs.
        #expect(r.log.isEmpty)
    }

    @Test func undefinedVariableSuggestsACloseName() {
        let r = run("""
            let cluster_name = "c1"
            print $clustr_name
            """)
        expectOneError(r, "undefined variable '$clustr_name'", line: 2, help: "did you mean '$cluster_name'?")
    }

    @Test func aBareNameIsItsOwnText() {
        let r = run("""
            print c1
            print c1 == "c1"
            print kind-cluster1
            """)
        expectClean(r)
        #expect(r.printed == ["c1", "true", "kind-cluster1"])
    }
}

@Suite struct Strings {
    @Test(arguments: [
        (#"let name = "w"; print "hello ${name}!""#, "hello w!"),
        (#"let name = "w"; print "${$name}""#, "w"),
        (#"print "${1 + 2} and ${len([1, 2, 3])}""#, "3 and 3"),
        (#"print "a${"b${"c"}d"}e""#, "abcde"),
        (#"let xs = [1, 2]; print "xs=${xs}""#, "xs=[1, 2]"),
        (#"print "${"}"}""#, "}"),
        (#"print "${"x${"}"}y"}""#, "x}y"),
        (#"print "{not} $interpolated""#, "{not} $interpolated"),
        (#"print "q\"b\\s""#, #"q"b\s"#),
        (#"print "n\nt\t.""#, "n\nt\t."),
        (#"print "\${name}""#, "${name}"),
        (#"print "héllo ☃""#, "héllo ☃"),
        (#"print """#, ""),
    ])
    func interpolationAndEscapes(source: String, expected: String) {
        let r = run(source)
        expectClean(r)
        #expect(r.printed == [expected])
    }

    @Test func unknownEscapeIsAnErrorAtTheBackslash() {
        let r = run(#"print "a\qb""#)
        let error = expectOneError(r, #"unknown escape sequence '\q'"#)
        #expect(error.flatMap(r.location)?.column == 9)
    }

    @Test func emptyInterpolationIsAnError() {
        expectOneError(run(#"print "x${ }y""#), "empty interpolation")
    }

    @Test func junkAfterAnInterpolatedExpression() {
        expectOneError(run(#"print "${a b}""#), "expected '}' to end the interpolation, found a name")
    }

    @Test func errorInsideAnInterpolationPointsIntoTheString() {
        let r = run("""
            let x = 1
            print "value: ${$y}"
            """)
        let error = expectOneError(r, "undefined variable '$y'", line: 2)
        #expect(error.flatMap(r.location)?.column == 17)
    }
}

@Suite struct ListsAndOperators {
    @Test(arguments: [
        ("print [1, \"a\", [true], []]", #"[1, "a", [true], []]"#),
        ("print [\n  1,\n  2\n]", "[1, 2]"),
        ("print [1, 2,]", "[1, 2]"),
        ("print 1 + 2 + 39", "42"),
        ("print \"mesh\" + \"-\" + \"a\"", "mesh-a"),
        ("print [1] + [2, 3] + []", "[1, 2, 3]"),
        ("print c + \"1\"", "c1"),
        ("print 1 == 1", "true"),
        ("print 1 == \"1\"", "false"),
        ("print [1, [2]] == [1, [2]]", "true"),
        ("print \"a\" != \"b\"", "true"),
        ("print not true", "false"),
        ("print not not true", "true"),
        ("print true and false", "false"),
        ("print false or true", "true"),
        // `not` binds tighter than `and`, which binds tighter than `or`.
        ("print not false and false", "false"),
        ("print true or false and false", "true"),
        ("print (true or false) and false", "false"),
        // `==` binds tighter than `and`; `+` tighter than `==`.
        ("print 1 + 1 == 2 and \"a\" + \"b\" == \"ab\"", "true"),
        ("print (1 + 2) == 3", "true"),
        // Equality is left-associative: `(1 == 1) == true`, not `1 == (1 == true)`.
        ("print 1 == 1 == true", "true"),
        ("print 1 == 2 != true", "true"),
    ])
    func expressions(source: String, expected: String) {
        let r = run(source)
        expectClean(r)
        #expect(r.printed == [expected])
    }

    @Test(arguments: [
        ("print 1 + \"a\"", "cannot add integer and string"),
        ("print \"a\" + 1", "cannot add string and integer"),
        ("print [1] + 1", "cannot add list and integer"),
        ("print true + true", "cannot add boolean and boolean"),
        ("print 9223372036854775 * 1", "unexpected character '*'"),
        ("print not 1", "'not' needs true or false, got integer 1"),
        ("print 1 and true", "'and' needs true or false, got integer 1"),
        ("print true or \"x\"", "true"), // short-circuit: the right side is never looked at
    ])
    func typeErrors(source: String, expected: String) {
        let r = run(source)
        if expected == "true" {
            expectClean(r)
            #expect(r.printed == ["true"])
        } else {
            expectOneError(r, expected, line: 1)
            #expect(r.printed.isEmpty)
        }
    }

    @Test func integerOverflowIsAnError() {
        let r = run("""
            let big = 999999999999999999
            print $big + $big + $big + $big + $big + $big + $big + $big + $big + $big
            """)
        expectOneError(r, "integer overflow in '+'", line: 2)
    }

    @Test func theLargestIntegerIsALiteral() {
        let r = run("print 9223372036854775807\nprint 1000000000000000000")
        expectClean(r)
        #expect(r.printed == ["9223372036854775807", "1000000000000000000"])
        expectOneError(run("print 9223372036854775808"), "number '9223372036854775808' is too large")
    }

    @Test func stringPlusIntegerSuggestsStr() {
        expectOneError(run("print \"c\" + 1"), "cannot add string and integer", help: #"convert with str(): "c" + str(1)"#)
    }

    @Test func andOrShortCircuit() {
        let r = run("""
            print false and probe(true)
            print true or probe(true)
            print false and ("x" + 1 == 1)
            print true or ("x" + 1) == 1
            print true and probe(false)
            print false or probe(true)
            """)
        expectClean(r)
        #expect(r.printed == ["false", "true", "false", "true", "false", "true"])
        #expect(r.recorder.probes == 2)
    }
}

@Suite struct ControlFlow {
    @Test(arguments: [(1, "one"), (2, "two"), (3, "other")])
    func ifElseIfElse(value: Int, expected: String) {
        let r = run("""
            let v = \(value)
            if $v == 1 <
              print "one"
            > else if $v == 2 <
              print "two"
            >
            else <
              print "other"
            >
            """)
        expectClean(r)
        #expect(r.printed == [expected])
    }

    @Test func ifWithoutElseAndFalseCondition() {
        let r = run("if false < print 1 >\nprint 2")
        expectClean(r)
        #expect(r.printed == ["2"])
    }

    @Test func conditionMustBeBoolean() {
        expectOneError(run("if \"yes\" < print 1 >"), "the condition of 'if' needs true or false, got string \"yes\"",
                       help: "compare with == or != to get a boolean")
    }

    @Test func forLoopsOverAList() {
        let r = run("""
            for x in [a, b, c] < emit $x >
            for $i in range(0, 3) < print $i >
            for n in [] < print "never" >
            """)
        expectClean(r)
        #expect(r.log == ["a", "b", "c"])
        #expect(r.printed == ["0", "1", "2"])
    }

    @Test func forNeedsAList() {
        expectOneError(run("for x in 3 < print $x >"), "'for' needs a list, got integer", line: 1)
    }

    /// Iterations share one scope's storage unless the body declares a recipe; either way each
    /// iteration starts with fresh bindings, and a recipe keeps the iteration it was made in.
    @Test func eachIterationHasItsOwnBindings() {
        let r = run("""
            for i in [1, 2] < let x = $i; if true < let y = $x; print $y > >
            for i in [3, 4] <
              recipe show() < print $i >
              let later = $i
              show
            >
            """)
        expectClean(r)
        #expect(r.printed == ["1", "2", "3", "4"])
    }

    /// A shared iteration scope keeps the previous iteration's storage; its names must still
    /// be gone before the body binds them again.
    @Test func anIterationDoesNotSeeThePreviousOnesBindings() {
        let r = run("""
            for i in [1, 2] <
              print $x
              let x = $i
            >
            """)
        // The resolve pass reports the statement once, and nothing runs.
        #expect(r.messages == ["undefined variable '$x'"])
        #expect(r.printed.isEmpty)
    }

    @Test func loopVariableIsGoneAfterTheLoop() {
        expectOneError(run("for x in [1] < >\nprint $x"), "undefined variable '$x'", line: 2)
    }
}

@Suite struct Recipes {
    @Test func parametersAreBound() {
        let r = run("""
            recipe hello(who, times) <
              greet $who with $times
              print "${who}/${times}"
            >
            hello bob 3
            hello "alice" 1
            """)
        expectClean(r)
        #expect(r.log == ["hello bob x3", "hello alice x1"])
        #expect(r.printed == ["bob/3", "alice/1"])
    }

    @Test func recipesCallRecipesDefinedLater() {
        let r = run("""
            recipe outer(x) < inner $x; inner "${x}!" >
            recipe inner(y) < emit $y >
            outer hi
            """)
        expectClean(r)
        #expect(r.log == ["hi", "hi!"])
    }

    @Test func recipeRunsInTheCallersBlockKind() {
        let r = run("""
            recipe ticks(n) < for i in range(0, $n) < tick > >
            box b < ticks 2 >
            ticks 1
            """)
        expectOneError(r, "'tick' is only valid inside a box block", line: 1)
        #expect(r.log == ["box b <", "tick", "tick", ">"])
    }

    @Test func recipesAreLexicallyScoped() {
        let r = run("""
            let v = "global"
            recipe show() < print $v >
            if true <
              let v = "caller's"
              show
            >
            recipe hidden() < print $w >
            if true <
              let w = 1
              hidden
            >
            """)
        expectOneError(r, "undefined variable '$w'", line: 7)
        // Found by the resolve pass, in a recipe that is called: nothing runs.
        #expect(r.printed.isEmpty)
    }

    @Test func wrongArity() {
        let r = run("""
            recipe pair(a, b) < >
            pair 1
            pair 1 2 3
            pair 1 2
            """)
        #expect(r.messages == ["recipe 'pair' takes 2 arguments, got 1", "recipe 'pair' takes 2 arguments, got 3"])
        #expect(r.errors.map { r.line($0) } == [2, 3])
    }

    @Test func recipeDoesNotTakeABlock() {
        expectOneError(run("recipe r() < >\nr < >"), "recipe 'r' does not take a block", line: 2)
    }

    @Test func recipeCannotShadowACommandOrBeDefinedTwice() {
        let r = run("""
            recipe emit(x) < >
            recipe r() < >
            recipe r() < >
            """)
        #expect(r.messages == ["'emit' is a built-in command and cannot be redefined", "recipe 'r' is already defined"])
    }

    @Test func duplicateParameterIsASyntaxError() {
        expectOneError(run("recipe r(a, b, a) < >"), "parameter 'a' is declared twice")
    }

    @Test func endlessRecursionIsBounded() {
        let r = run("recipe down(n) < down ($n + 1) >\ndown 0", limits: Limits(maxCallDepth: 50))
        expectOneError(r, "recipe calls are nested too deeply (the limit is 50)", line: 1)
    }

    @Test func boundedRecursionWorks() {
        let r = run("""
            recipe countdown(n) <
              print $n
              if $n != 0 < countdown len(range(1, $n)) >
            >
            countdown 3
            """)
        expectClean(r)
        #expect(r.printed == ["3", "2", "1", "0"])
    }
}

@Suite struct Commands {
    @Test func unknownCommandSuggestsACommandOrRecipe() {
        let r = run("""
            recipe deploy(x) < >
            emti 1
            delpoy 2
            zzzzzz
            """)
        #expect(r.messages == ["unknown command 'emti'", "unknown command 'delpoy'", "unknown command 'zzzzzz'"])
        #expect(r.errors.map(\.help) == ["did you mean 'emit'?", "did you mean 'deploy'?", nil])
    }

    @Test func commandInTheWrongBlock() {
        let r = run("tick\nbox b < box c < > >")
        #expect(r.messages == ["'tick' is only valid inside a box block", "'box' is only valid at the top level"])
        #expect(r.errors.map { r.line($0) } == [1, 2])
    }

    @Test func wrongOptionWordSuggestsTheKeyword() {
        let r = run("greet bob wiht 3")
        expectOneError(r, "unexpected word 'wiht' in 'greet'", help: "did you mean 'with'? usage: greet NAME [with N]")
    }

    @Test func optionChecks() {
        let r = run("""
            greet
            greet bob with
            greet bob with "three"
            greet bob with 1 with 2
            greet bob 7
            """)
        #expect(r.messages == [
            "'greet' needs NAME",
            "'with' needs N",
            "N of 'greet' must be an integer, got string \"three\"",
            "'with' is given twice",
            "unexpected value '7' in 'greet'",
        ])
        #expect(r.errors.map { r.line($0) } == Array(1...5).map(Optional.some))
        // Blocks are checked before the run, by the resolve pass.
        let blocks = run("box b\nemit 1 < >\n")
        #expect(blocks.messages == ["'box' needs a block", "'emit' does not take a block"])
        #expect(blocks.errors.map { blocks.line($0) } == [1, 2])
    }
}

@Suite struct Functions {
    @Test func envReadsTheHostEnvironment() {
        let r = run("""
            print env("REGION")
            print env("MISSING", "fallback")
            print env("REGION", "unused")
            print env("MISSING")
            """, environment: ["REGION": "eu-west"])
        expectOneError(r, "environment variable 'MISSING' is not set", line: 4,
                       help: #"set it, or give a default: env("MISSING", "value")"#)
        #expect(r.printed == ["eu-west", "fallback", "eu-west"])
    }

    @Test func lenRangeStr() {
        let r = run("""
            print len([1, 2, 3])
            print len("héllo")
            print len([])
            print range(2, 5)
            print range(3, 3)
            print str(7) + "!"
            print str([1, "a"])
            print str(true)
            """)
        expectClean(r)
        #expect(r.printed == ["3", "5", "0", "[2, 3, 4]", "[]", "7!", #"[1, "a"]"#, "true"])
    }

    @Test(arguments: [
        ("print len(1)", "len() takes a list, a map or a string, not integer"),
        ("print range(\"a\", 2)", "range() takes integers, not string"),
        ("print env(1)", "env() takes the variable's name as a string"),
        ("print str()", "str() takes 1 argument, got 0"),
        ("print len([1], [2])", "len() takes 1 argument, got 2"),
        ("print env()", "env() takes 1 to 2 arguments, got 0"),
    ])
    func functionErrors(source: String, message: String) {
        expectOneError(run(source), message, line: 1)
    }

    @Test func unknownFunctionSuggests() {
        expectOneError(run("print lne([1])"), "unknown function 'lne'", help: "did you mean 'len'?")
        expectOneError(run("print frobnicate(1)"), "unknown function 'frobnicate'", help: nil)
    }
}

@Suite struct AssertAndPrint {
    @Test func assertStopsWithItsMessage() {
        let r = run("""
            let n = 3
            assert $n == 3, "fine"
            assert $n == 4, "n is ${n}, not 4"
            assert false
            assert "no", "x"
            print "after"
            """)
        #expect(r.messages == ["n is 3, not 4", "assertion failed", "'assert' needs true or false, got string \"no\""])
        #expect(r.errors.map { r.line($0) } == [3, 4, 5])
        #expect(r.printed == ["after"])
    }

    @Test func printWritesValuesAsText() {
        let r = run("print 1; print \"s\"; print [a, 1]; print true")
        expectClean(r)
        #expect(r.printed == ["1", "s", #"["a", 1]"#, "true"])
    }
}

@Suite struct Poison {
    @Test func oneTypoGivesOneMessage() {
        let r = run("""
            let x = $undefined
            print $x
            emit $x
            let y = [$x, 1]
            emit $y
            print "in ${x}"
            print $x + 1
            print $x == 1
            print len($x)
            if $x < print 1 >
            for i in $x < print $i >
            box $x < >
            greet bob with $x
            assert $x, "not reported"
            assert false, $x
            assert false, "also ${x}"
            print not $x
            """)
        expectOneError(r, "undefined variable '$undefined'", line: 1)
        #expect(r.printed.isEmpty)
        #expect(r.log.isEmpty)
    }

    @Test func aFailedCallPoisonsItsLet() {
        let r = run("let n = len(1)\nprint $n + 1\nprint str($n)")
        expectOneError(r, "len() takes a list, a map or a string", line: 1)
    }

    @Test func aSyntaxErrorStopsEvaluation() {
        let r = run("print 1\nlet = 2\nprint 3")
        expectOneError(r, "expected a name after 'let', found '='", line: 2)
        #expect(r.printed.isEmpty)
        #expect(r.outcome.evaluated == false)
    }
}

@Suite struct Limit {
    @Test func aHugeRangeLoopHitsTheStepLimitWithoutAllocating() {
        // range() is lazy: the loop runs (a step per iteration) until the budget is spent.
        let r = run("for i in range(0, 1000000000) < let k = $i >\nprint \"never\"")
        expectOneError(r, "the evaluation step limit was reached (5000000 steps)", line: 1)
        #expect(r.outcome.stoppedBy == .limit)
        #expect(r.printed.isEmpty)
    }

    @Test func nestedLoopsHitTheStepLimit() {
        let r = run("""
            for i in range(0, 1000) <
              for j in range(0, 1000) < let k = $i >
            >
            print "never"
            """, limits: Limits(maxSteps: 100_000))
        expectOneError(r, "the evaluation step limit was reached (100000 steps)", line: 2)
        #expect(r.printed.isEmpty)
    }

    /// Integer arithmetic charges its steps at once when its value is known without them
    /// (ExpressionNode.evaluate): a limit passed inside the expression must still be reported
    /// at the node that passes it, after the same number of steps, as node by node.
    @Test(arguments: [(0, 0, 11), (1, 0, 6), (2, 0, 2), (3, 5, 1), (4, 9, 2)])
    func theStepLimitInsideArithmeticIsReportedAtTheNodeThatPassesIt(node: Int, offset: Int, length: Int) throws {
        // Steps before the expression: `if`, `true`, `let a`, `1`, `let x`; then its nodes in
        // the order they are charged: `-` (all of it), `+` (`$a + 2`), `$a`, `2`, `$a`.
        let source = "if true <\n  let a = 1\n  let x = $a + 2 - $a\n>\n"
        let r = run(source, limits: Limits(maxSteps: 5 + node))
        let error = try #require(expectOneError(r, "the evaluation step limit was reached (\(5 + node) steps)", line: 3))
        let expression = source.utf8.distance(from: source.startIndex, to: try #require(source.range(of: "$a + 2 - $a")).lowerBound)
        #expect(error.range?.start == expression + offset)
        #expect(error.range?.end == expression + offset + length)
    }

    /// A `let` into a slot charges its own step with its expression's at once (LetNode.quickBind):
    /// a limit passed at the statement, or at its expression's first node, is still reported there.
    @Test(arguments: [(2, 2, "let a = 1", "let a = 1"), (3, 2, "let a = 1", "1"), (4, 3, "let x = $a + 2 - $a", "let x = $a + 2 - $a")])
    func theStepLimitAtALetIsReportedAtTheStatementOrItsValue(limit: Int, line: Int, statement: String, reported: String) throws {
        let source = "if true <\n  let a = 1\n  let x = $a + 2 - $a\n>\n"
        let r = run(source, limits: Limits(maxSteps: limit))
        let error = try #require(expectOneError(r, "the evaluation step limit was reached (\(limit) steps)", line: line))
        let start = try #require(source.range(of: statement)).lowerBound
        let range = try #require(source.range(of: reported, range: start..<source.endIndex))
        #expect(error.range?.start == source.utf8.distance(from: source.startIndex, to: range.lowerBound))
        #expect(error.range?.end == source.utf8.distance(from: source.startIndex, to: range.upperBound))
    }

    /// The `let` charged at once binds as before: once per scope (a second is an error), with
    /// the step count of every node (a limit of exactly that many steps is enough).
    @Test func aQuickLetBindsOncePerScopeWithTheSameSteps() {
        let twice = run("if true <\n  let a = 1\n  let a = $a + 1\n>\n")
        expectOneError(twice, "'$a' is already defined in this scope", line: 3)
        // `for`, `range`, `0`, `3`, 3 x (iteration, `let x`, `+`, `+`, `$i`, `$i`, `1`, `print`, `$x`).
        let loop = "for i in range(0, 3) < let x = $i + $i + 1\nprint $x >\n"
        let counted = run(loop, limits: Limits(maxSteps: 4 + 3 * 9))
        #expect(counted.errors.isEmpty, "\(counted.rendered)")
        #expect(counted.printed == ["1", "3", "5"])
        let short = run(loop, limits: Limits(maxSteps: 4 + 3 * 9 - 1))
        expectOneError(short, "the evaluation step limit was reached (\(4 + 3 * 9 - 1) steps)", line: 2)
    }

    /// A loop over range() whose body starts with a quick `let` charges the iteration's step
    /// with the statement's (ForNode.runQuickLets), then runs the rest: a limit passed at any
    /// of an iteration's steps is still reported at its node, after the same number of steps.
    @Test(arguments: 5...24)
    func theStepLimitInALoopIsReportedAtTheIterationOrTheLet(limit: Int) throws {
        // `for`, `range`, `0`, `4`; then per iteration: the body (the iteration), `let x`, `+`, `$i`, `1`.
        let source = "for i in range(0, 4) < let x = $i + 1\nprint $x >\n"
        let iterationSteps = ["< let x = $i + 1\nprint $x >", "let x = $i + 1", "$i + 1", "$i", "1"]
        let r = run(source, limits: Limits(maxSteps: limit))
        // Each iteration runs `print $x` too (2 steps): 7 steps an iteration.
        let step = (limit - 4) % 7
        let reported = step < 5 ? iterationSteps[step] : (step == 5 ? "print $x" : "$x")
        let error = try #require(expectOneError(r, "the evaluation step limit was reached (\(limit) steps)"))
        let body = try #require(source.range(of: "<")).lowerBound
        let range = try #require(source.range(of: reported, range: body..<source.endIndex))
        #expect(error.range?.start == source.utf8.distance(from: source.startIndex, to: range.lowerBound), "\(reported)")
        #expect(error.range?.end == source.utf8.distance(from: source.startIndex, to: range.upperBound), "\(reported)")
        #expect(r.printed.count == (limit - 4) / 7)
    }

    /// A body of quick `let`s alone runs an iteration at once, its slots overwritten by the
    /// next (ForNode.runQuickLets): a limit passed at any step is still reported at its node,
    /// and the steps counted are the same.
    @Test(arguments: 5...40)
    func theStepLimitInALoopOfQuickLetsIsReportedAtItsNode(limit: Int) throws {
        // `for`, `range`, `0`, `4`; then per iteration: the body, `let a`, `+`, `$i`, `1`, `let b`, `-`, `$a`, `$i`.
        let source = "for i in range(0, 4) < let a = $i + 1\nlet b = $a - $i >\n"
        let body = "< let a = $i + 1\nlet b = $a - $i >"
        let iterationSteps = [(0, body.utf8.count), (2, 14), (10, 6), (10, 2), (15, 1), (17, 15), (25, 7), (25, 2), (30, 2)]
        let r = run(source, limits: Limits(maxSteps: limit))
        guard limit < 40 else { return #expect(r.errors.isEmpty, "40 steps in all: \(r.rendered)") }
        let error = try #require(expectOneError(r, "the evaluation step limit was reached (\(limit) steps)"))
        let (offset, length) = iterationSteps[(limit - 4) % 9]
        let start = source.utf8.distance(from: source.startIndex, to: try #require(source.range(of: body)).lowerBound) + offset
        #expect(error.range?.start == start)
        #expect(error.range?.end == start + length)
    }

    /// A long loop of quick `let`s passes many multiples of 1024 steps (where an iteration
    /// goes step by step, to look for a cancel) and a `let` the quick path gives up on: it
    /// counts every step, and the values are those of the slow evaluation.
    @Test func aLongLoopOfQuickLetsCountsEveryStep() {
        // `for`, `range`, `0`, `3000`; 9 steps an iteration; `print`, `$last`.
        let loop = "let last = 0\nfor i in range(0, 3000) < let a = $i + 1\nlet b = $a - $i >\nprint $last\n"
        let steps = 2 + 4 + 3000 * 9 + 2
        #expect(run(loop, limits: Limits(maxSteps: steps)).errors.isEmpty)
        expectOneError(run(loop, limits: Limits(maxSteps: steps - 1)), "the evaluation step limit was reached", line: 4)
        let overflow = run("""
            for i in range(9223372036854775804, 9223372036854775807) < let a = $i + 1
            let b = $a + 1 >
            for i in range(0, 3) < let a = $i + 1
            let b = $a + $i
            print $b >
            """)
        expectOneError(overflow, "integer overflow in '+'", line: 2)
        #expect(overflow.printed == ["1", "3", "5"])
    }

    @Test func arithmeticWithinTheStepLimitRunsToTheEnd() {
        let r = run("if true <\n  let a = 1\n  let x = $a + 2 - $a\n  print $x\n>\n", limits: Limits(maxSteps: 12))
        #expect(r.errors.isEmpty, "\(r.rendered)")
        #expect(r.printed == ["2"])
    }

    /// The quick path gives up on what it cannot compute (an overflow, a string, an unbound
    /// slot): the full evaluation then reports it as before.
    @Test func arithmeticTheQuickPathGivesUpOnIsEvaluatedAsBefore() {
        let overflow = run("for i in [9223372036854775807] < let x = $i + 1 >")
        expectOneError(overflow, "integer overflow in '+'", line: 1)
        let strings = run("for i in [\"a\"] < print $i + \"b\" - 1 >")
        expectOneError(strings, "'-' subtracts integers, got string and integer", line: 1)
        let mixed = run("for i in [1] < print ($i + 1 < 3)\nprint ($i - 1 >= 0) >")
        #expect(mixed.errors.isEmpty, "\(mixed.rendered)")
        #expect(mixed.printed == ["true", "true"])
    }

    /// A call's scope is reused by a later call of its recipe (Interpreter.recycle) only once
    /// nothing holds it: each call still sees only its own names.
    @Test func recursiveAndRepeatedCallsKeepTheirOwnNames() {
        let r = run("""
            recipe walk(n) <
              let here = $n
              if ($n > 0) <
                walk ($n - 1)
                walk ($n - 1)
              >
              print $here
            >
            walk 2
            walk 3
            """)
        func walked(_ n: Int) -> [String] { n > 0 ? walked(n - 1) + walked(n - 1) + ["\(n)"] : ["0"] }
        #expect(r.errors.isEmpty, "\(r.rendered)")
        #expect(r.printed == walked(2) + walked(3))
    }

    @Test func aRecipeDeclaredInACallsBodyIsThatCallsOwn() {
        let r = run("""
            recipe outer(v, call) <
              recipe inner() < print $v >
              if $call < inner >
            >
            outer 1 false
            outer 2 true
            outer 3 true
            """)
        #expect(r.errors.isEmpty, "\(r.rendered)")
        #expect(r.printed == ["2", "3"])
    }

    @Test func bigStringsCostSteps() {
        let r = run("""
            let s = "0123456789012345678901234567890123456789012345678901234567890123"
            recipe grow(x, n) < if $n != 0 < grow ($x + $x) len(range(1, $n)) > >
            grow $s 40
            """, limits: Limits(maxSteps: 100_000, maxStringBytes: .max))
        expectOneError(r, "the evaluation step limit was reached")
    }

    /// 128 recipe calls each inside a few nested blocks need more stack than an ordinary
    /// thread has (this crashed the test process at 8 nested ifs): the interpreter must stop
    /// with a diagnostic on whatever thread the host runs it.
    @Test(arguments: [64, 120])
    func deepRecursionInNestedBlocksIsADiagnosticOnTheCallersThread(blocks: Int) {
        let body = String(repeating: "if true < ", count: blocks) + "down ($d + 1)" + String(repeating: " >", count: blocks)
        let r = run("recipe down(d) < " + body + " >\ndown 0")
        expectOneError(r, "the script nests too deeply for this thread's stack")
    }

    @Test func deepRecursionOnASmallThread() {
        final class Box: @unchecked Sendable { var messages: [String] = [] }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let body = String(repeating: "if true < ", count: 16) + "down ($d + 1)" + String(repeating: " >", count: 16)
            box.messages = run("recipe down(d) < " + body + " >\ndown 0").messages
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        done.wait()
        #expect(box.messages == ["the script nests too deeply for this thread's stack"])
    }

    @Test func cancelStopsARunningEvaluation() throws {
        // A step budget no build runs through in 0.3 s (the loop below takes far longer than any
        // wait), so "evaluation cancelled" can only come from the cancel, however fast evaluation gets.
        let (interpreter, _) = makeInterpreter(limits: Limits(maxSteps: 1_000_000_000))
        let flag = interpreter.cancellation
        // A plain thread, not a Task: the evaluation below blocks its cooperative thread, and
        // with the suite running in parallel on two cores a Task might not run until it ends.
        let cancelled = DispatchSemaphore(value: 0)
        let canceller = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            flag.cancel()
            cancelled.signal()
        }
        canceller.start()
        let outcome = interpreter.run(source: """
            for i in range(0, 20000) < for j in range(0, 20000) < let k = $j > >
            """, name: "spin.mesh")
        cancelled.wait()
        #expect(outcome.diagnostics.map(\.message) == ["evaluation cancelled"])
    }
}
