// What a hostile script can make of shared list storage. Building `[$a, $a]` copies nothing,
// so a few statements make a value of 2^40 elements: printing, comparing or stringifying it
// must run into the step limit, not hang; and a value nested deeper than the nesting limit is
// refused where it is built.
import Testing

import MeshScriptInterpreter

/// `let a0 = [1]`, then `let aN = [$aN-1, $aN-1]` up to `$a<levels>`: 2^levels elements in
/// `levels + 1` small lists.
private func doubling(_ levels: Int, name: String = "a") -> String {
    (1...levels).map { "let \(name)\($0) = [$\(name)\($0 - 1), $\(name)\($0 - 1)]" }
        .joined(separator: "\n")
        .prepending("let \(name)0 = [1]\n")
}

private extension String {
    func prepending(_ prefix: String) -> String { prefix + self }
}

@Suite struct SharedValueCosts {
    // Each of these walked the whole 2^20-element value without charging a step: with the
    // step limit at 100,000 they finished without a diagnostic (and at 2^40 never finished).
    @Test(arguments: ["print $a20", "print str($a20)", "print \"${a20}\"", "assert false, $a20"])
    func writingAHugeSharedValueHitsTheStepLimit(statement: String) {
        let r = run(doubling(20) + "\n" + statement, limits: Limits(maxSteps: 100_000))
        expectOneError(r, "the evaluation step limit was reached (100000 steps)", line: 22)
        #expect(r.printed.isEmpty)
    }

    @Test func comparingHugeEqualValuesHitsTheStepLimit() {
        // Built twice, so no list of one shares storage with the other: equality must look inside.
        let r = run(doubling(20) + "\n" + doubling(20, name: "b") + "\nprint $a20 == $b20", limits: Limits(maxSteps: 100_000))
        expectOneError(r, "the evaluation step limit was reached (100000 steps)", line: 43)
    }

    @Test func aWalkStopsSoonAfterTheBudgetIsSpent() {
        // 2^40 elements: a walk that finished before charging would never end.
        for statement in ["print $a40", "print str($a40)", "print $a40 == $b40"] {
            let r = run(doubling(40) + "\n" + doubling(40, name: "b") + "\n" + statement, limits: Limits(maxSteps: 100_000))
            expectOneError(r, "the evaluation step limit was reached (100000 steps)", line: 83)
        }
    }

    @Test func sharedStorageComparesWithoutALookInside() {
        let r = run(doubling(40) + "\nprint $a40 == $a40\nprint [$a40] != [$a40]", limits: Limits(maxSteps: 10_000))
        expectClean(r)
        #expect(r.printed == ["true", "false"])
    }

    @Test func aRecipeDoublingASharedListEnds() {
        // Each call checked every argument for an invalid value by walking it whole: 2^40.
        let r = run("""
            recipe d(s, l) < if len($l) == 40 < print 1 > else < d [$s, $s] ($l + [1]) > >
            d [1] []
            """, limits: Limits(maxSteps: 100_000))
        expectClean(r)
        #expect(r.printed == ["1"])
    }

    @Test func comparingAndPrintingSmallValuesIsUnchanged() {
        let r = run("""
            print [1, "a", [true, []]] == [1, "a", [true, []]]
            print [1, [2]] == [1, [3]]
            print [[1]] == [1]
            print [1, "x\\"y", [true]]
            print "${[1, [2, "b"]]}"
            """)
        expectClean(r)
        #expect(r.printed == ["true", "false", "false", "[1, \"x\\\"y\", [true]]", "[1, [2, \"b\"]]"])
    }

    @Test func aDiagnosticQuotesAHugeValueCut() throws {
        // 2^20 items: the message quoted all of them (at 2^40 it never came).
        let r = run(doubling(20) + "\nif $a20 < print 1 >", limits: Limits(maxSteps: 100_000))
        let error = try #require(expectOneError(r, "the condition of 'if' needs true or false, got list [[[["))
        #expect(error.message.count < 200)
        #expect(error.message.hasSuffix("…"))
    }

    @Test func aListHoldingAnInvalidValueIsInvalid() {
        // One message for the typo; the list built from it is invalid as a whole, so the loop
        // over it does not run at all.
        let r = run("let a = $nope\nlet l = [$a, 1]\nfor x in $l < count >\nprint $l")
        expectOneError(r, "undefined variable '$nope'", line: 1)
        #expect(r.recorder.counted == 0)
        #expect(r.printed.isEmpty)
        #expect(Value.list([.integer(1), .poison]).isPoison)
    }
}

@Suite struct ValueNesting {
    @Test func aListNestedPastTheLimitIsRefusedWhereItIsBuilt() {
        // Each `let` nests 3 levels; the syntax of each stays well under the limit of 8.
        let r = run("""
            let a = [[[1]]]
            let b = [[[$a]]]
            let c = [[[$b]]]
            print "unreached"
            """, limits: Limits(maxNestingDepth: 8))
        expectOneError(r, "the list is nested too deeply (the limit is 8 levels)", line: 3)
        #expect(r.printed == ["unreached"])
    }

    @Test func theLimitItselfIsAllowed() {
        let r = run("let a = [[[[1]]]]\nlet b = [[[[$a]]]]\nprint $b", limits: Limits(maxNestingDepth: 8))
        expectClean(r)
        #expect(r.printed == ["[[[[[[[[1]]]]]]]]"])
    }

    @Test func aRecursiveRecipeCannotNestPastTheLimit() {
        // With the call depth raised, this wrapped the list 10,000 times and overflowed the
        // stack printing it.
        let r = run("""
            recipe wrap(x, n) < if $n == 0 < print $x > else < wrap [$x] len(range(1, $n)) > >
            wrap 1 10000
            """, limits: Limits(maxCallDepth: 20_000))
        expectOneError(r, "the list is nested too deeply (the limit is 256 levels)", line: 1)
        #expect(r.printed.isEmpty)
    }

    @Test func concatenationKeepsTheDeeperNesting() {
        let r = run("let a = [[[1]]]\nlet b = [1] + $a\nlet c = [[[[[[$b]]]]]]", limits: Limits(maxNestingDepth: 8))
        expectOneError(r, "the list is nested too deeply (the limit is 8 levels)", line: 3)
    }

    @Test func aHostFunctionReturningATooDeepValueIsRefused() {
        let (interpreter, _) = makeInterpreter(limits: Limits(maxNestingDepth: 4))
        interpreter.register(FunctionSignature("deep", summary: "a deep list", arity: 0...0)) { _ in
            (0..<10).reduce(Value.integer(0)) { inner, _ in .list([inner]) }
        }
        let outcome = interpreter.run(source: "let x = deep()", name: "test.mesh")
        #expect(outcome.diagnostics.map(\.message) == ["the list is nested too deeply (the limit is 4 levels)"])
    }
}
