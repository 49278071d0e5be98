// Bounds a host cannot switch off by raising another: the step budget raised to the maximum
// (so that cancellation is the real bound on time), each of the others must still stop a
// script that builds too much, with a diagnostic and not a crash. And `range()` builds
// nothing, so a loop over a billion integers takes no memory and a cancel stops it.
import Foundation
import MeshTestSupport
import Testing

import MeshScriptInterpreter

/// Every bound at its maximum except `keep`, which keeps its default.
private func hostile(keeping keep: PartialKeyPath<Limits>, _ adjust: (inout Limits) -> Void = { _ in }) -> Limits {
    var limits = Limits()
    let defaults = limits
    limits.maxSteps = .max
    limits.maxStringBytes = .max
    limits.maxListCount = .max
    limits.maxValueBytes = .max
    limits.maxErrors = .max
    switch keep {
    case \Limits.maxStringBytes: limits.maxStringBytes = defaults.maxStringBytes
    case \Limits.maxListCount: limits.maxListCount = defaults.maxListCount
    case \Limits.maxValueBytes: limits.maxValueBytes = defaults.maxValueBytes
    case \Limits.maxErrors: limits.maxErrors = defaults.maxErrors
    default: break
    }
    adjust(&limits)
    return limits
}

@Suite struct StringBound {
    // Each doubled a 64-byte string until the process ran out of memory (with the steps at
    // the maximum nothing else stopped it).
    @Test(arguments: [
        "recipe grow(x) < grow ($x + $x) >",
        "recipe grow(x) < grow \"${x}${x}\" >",
        "recipe grow(x) < grow str([$x, $x]) >",
    ])
    func doublingAStringStopsAtTheLimit(recipe: String) {
        let r = run(recipe + "\ngrow \"0123456789012345678901234567890123456789012345678901234567890123\"\nprint \"after\"",
                    limits: hostile(keeping: \Limits.maxStringBytes))
        let error = expectOneError(r, "exceeds the limit of 1048576 bytes (Limits.maxStringBytes)", line: 1,
                                   help: "build smaller strings, or let the host raise Limits.maxStringBytes")
        #expect(error?.message.hasPrefix("a string of ") == true)
        #expect(r.printed == ["after"])
    }

    @Test func writingAHugeSharedListStopsAtTheLimit() {
        // 2^40 items in 41 small lists: the text of it would be terabytes.
        let lets = (1...40).map { "let a\($0) = [$a\($0 - 1), $a\($0 - 1)]" }.joined(separator: "\n")
        for statement in ["print $a40", "let s = str($a40)", "let s = \"${a40}\"", "assert false, $a40"] {
            let r = run("let a0 = [1]\n" + lets + "\n" + statement, limits: hostile(keeping: \Limits.maxStringBytes))
            expectOneError(r, "a string of more than 1048576 bytes exceeds the limit", line: 42)
            #expect(r.printed.isEmpty)
        }
    }

    @Test func anEnvironmentValueOverTheLimitIsRefused() {
        let big = String(repeating: "x", count: 2 << 20)
        let r = run("let x = env(\"BIG\")\nprint len($x)", environment: ["BIG": big], limits: hostile(keeping: \Limits.maxStringBytes))
        expectOneError(r, "a string of 2097152 bytes exceeds the limit of 1048576 bytes", line: 1)
    }

    @Test func aStringAtTheLimitIsAllowed() {
        let r = run("print len(\"abc\" + \"de\")", limits: Limits(maxStringBytes: 5))
        expectClean(r)
        #expect(r.printed == ["5"])
        expectOneError(run("print \"abc\" + \"def\"", limits: Limits(maxStringBytes: 5)), "a string of 6 bytes exceeds the limit of 5 bytes")
    }
}

@Suite struct ListBound {
    @Test func doublingAListStopsAtTheLimit() {
        let r = run("recipe grow(l) < grow ($l + $l) >\ngrow [1]\nprint \"after\"", limits: hostile(keeping: \Limits.maxListCount))
        expectOneError(r, "a list of 2097152 items exceeds the limit of 1048576 items (Limits.maxListCount)", line: 1)
        #expect(r.printed == ["after"])
    }

    @Test func aHugeRangeBecomingAListIsRefusedBeforeItIsBuilt() {
        // `+` must build the items: the range's billion would take 24 GB.
        let r = run("let l = range(0, 1000000000) + [1]", limits: hostile(keeping: \Limits.maxListCount))
        expectOneError(r, "a list of 1000000001 items exceeds the limit of 1048576 items", line: 1)
    }

    @Test func aHostFunctionReturningAListOverTheLimitIsRefused() {
        let (interpreter, recorder) = makeInterpreter(limits: Limits(maxListCount: 3))
        interpreter.register(FunctionSignature("four", summary: "four items", arity: 0...0)) { _ in
            .list([.integer(1), .integer(2), .integer(3), .integer(4)])
        }
        let outcome = interpreter.run(source: "let x = four()\nprint [1, 2, 3]\nprint [1, 2, 3, 4]", name: "test.mesh")
        #expect(outcome.diagnostics.map(\.message) == [
            "a list of 4 items exceeds the limit of 3 items (Limits.maxListCount)",
            "a list of 4 items exceeds the limit of 3 items (Limits.maxListCount)",
        ])
        #expect(recorder.printed == ["[1, 2, 3]"])
    }
}

@Suite struct ValueBudget {
    @Test func buildingManyStringsStopsTheRun() {
        // Each string is small, and each is dropped at the next iteration: only the total
        // built is bounded, so a run cannot spend memory faster than the host allows.
        let r = run("""
            for i in range(0, 1000000000) < let s = "a string long enough to add up quickly: ${i}" >
            print "never"
            """, limits: hostile(keeping: \Limits.maxValueBytes) { $0.maxValueBytes = 1 << 20 })
        expectOneError(r, "the run built more than 1048576 bytes of strings, lists and imported files (Limits.maxValueBytes)", line: 1)
        #expect(r.outcome.stoppedBy == .limit)
        #expect(r.printed.isEmpty)
    }

    @Test func doublingAStringWithTheStringBoundRaisedStopsTheRun() {
        let r = run("recipe grow(x) < grow ($x + $x) >\ngrow \"0123456789\"\nprint \"never\"",
                    limits: hostile(keeping: \Limits.maxValueBytes) { $0.maxValueBytes = 1 << 20 })
        expectOneError(r, "bytes of strings, lists and imported files (Limits.maxValueBytes)", line: 1)
        #expect(r.printed.isEmpty)
    }

    @Test func importedFilesCount() {
        let loader = InMemoryLoader(["/m/main.mesh": "import \"big.mesh\"\nprint \"never\"",
                                     "/m/big.mesh": "# " + String(repeating: "x", count: 2000) + "\nlet b = 1"])
        let (interpreter, recorder) = makeInterpreter(loader: loader, limits: hostile(keeping: \Limits.maxValueBytes) { $0.maxValueBytes = 1000 })
        let outcome = interpreter.runFile("/m/main.mesh")
        #expect(outcome.diagnostics.map(\.message) == ["the run built more than 1000 bytes of strings, lists and imported files (Limits.maxValueBytes)"])
        #expect(recorder.printed.isEmpty)
    }
}

@Suite struct ErrorBound {
    @Test func aLoopFailingAtEveryIterationStops() {
        // A billion diagnostics were kept, one per failed assert.
        let r = run("for i in range(0, 1000000000) < assert false >", limits: hostile(keeping: \Limits.maxErrors))
        #expect(r.errors.count == 10_001)
        #expect(r.errors.last?.message == "the run reported 10000 errors, the limit (Limits.maxErrors); it stops here")
        #expect(r.outcome.stoppedBy == .limit)
    }
}

@Suite struct LazyRange {
    @Test func aBillionIntegersTakeNoMemory() {
        let r = run("""
            let r = range(0, 1000000000)
            print len($r)
            print $r == range(0, 1000000000)
            print [$r] == [range(0, 1000000000)]
            print range(0, 1000000000) == range(1, 1000000000)
            """, limits: hostile(keeping: \Limits.maxListCount))
        expectClean(r)
        #expect(r.printed == ["1000000000", "true", "true", "false"])
    }

    @Test func aRangeBehavesAsTheList() {
        let r = run("""
            print range(2, 5)
            print range(3) == [0, 1, 2]
            print [0, 1, 2] == range(0, 3)
            print range(4, 2) == []
            print range(0, 2) + [7]
            print "${range(1, 3)}"
            for i in range(5, 7) < print $i >
            let two = range(0, 2)
            """)
        expectClean(r)
        #expect(r.printed == ["[2, 3, 4]", "true", "true", "true", "[0, 1, 7]", "[1, 2]", "5", "6"])
        // A host sees the list it stands for: equal, and hashed alike.
        let built = Value.list([.integer(0), .integer(1)])
        #expect(r.interpreter.variable("two") == built)
        #expect(r.interpreter.variable("two")?.hashValue == built.hashValue)
        guard case .list(let list) = r.interpreter.variable("two") else { return }
        #expect(list.items == [.integer(0), .integer(1)])
    }

    @Test func aRangeTooLongToCountIsAnError() {
        // The language has no negative literals: a host function gives the lowest integer.
        let (interpreter, _) = makeInterpreter()
        interpreter.register(FunctionSignature("lowest", summary: "Int.min", arity: 0...0)) { _ in .integer(.min) }
        let outcome = interpreter.run(source: "let r = range(lowest(), 1)", name: "test.mesh")
        #expect(outcome.diagnostics.map(\.message) == ["range(-9223372036854775808, 1) has more than 9223372036854775807 items"])
    }
}

@Suite struct Cancellation {
    /// An interpreter whose function `started()` calls `started`.
    private static func interpreter(limits: Limits, cancellation: CancellationFlag, started: @escaping @Sendable () -> Void) -> Interpreter {
        let interpreter = Interpreter(limits: limits, loader: InMemoryLoader([:]), cancellation: cancellation)
        interpreter.register(FunctionSignature("started", summary: "tells the test the loop starts", arity: 0...0)) { _ in
            started()
            return .boolean(true)
        }
        return interpreter
    }

    // The loop neither allocates (range is lazy) nor runs out of steps (at the maximum): only
    // the cancel, from another Task, stops it. A regression fails by the time limit.
    @Test(.timeLimit(.minutes(2)))
    func aCancelFromATaskStopsABillionIterationLoop() async {
        let flag = CancellationFlag()
        let (started, starting) = AsyncStream<Void>.makeStream()
        async let run = onThread {
            defer { starting.finish() } // a run that fails early must not leave the wait below hanging
            let interpreter = Self.interpreter(limits: Limits(maxSteps: .max), cancellation: flag) { starting.yield() }
            return interpreter.run(source: "let s = started()\nfor i in range(0, 1000000000) < let k = $i >\nprint \"never\"", name: "spin.mesh")
        }
        for await _ in started { break }
        await Task { flag.cancel() }.value
        let outcome: Interpreter.Outcome = await run
        #expect(outcome.diagnostics.map(\.message) == ["evaluation cancelled"])
        #expect(outcome.stoppedBy == .cancelled)
    }

    @Test func aCancelBeforeTheRunHoldsUntilItIsCleared() {
        let (interpreter, recorder) = makeInterpreter()
        interpreter.cancellation.cancel()
        let first = interpreter.run(source: "print 1", name: "a.mesh")
        #expect(first.diagnostics.map(\.message) == ["evaluation cancelled"])
        #expect(first.stoppedBy == .cancelled)
        let second = interpreter.run(source: "print 2", name: "b.mesh")
        #expect(second.diagnostics.map(\.message) == ["evaluation cancelled"])
        #expect(recorder.printed.isEmpty)
        interpreter.cancellation.reset()
        let third = interpreter.run(source: "print 3", name: "c.mesh")
        #expect(third.diagnostics.isEmpty)
        #expect(third.stoppedBy == nil)
        #expect(recorder.printed == ["3"])
    }

    @Test func theCancelDiagnosticPointsAtTheFirstStatement() throws {
        let (interpreter, _) = makeInterpreter()
        interpreter.cancellation.cancel()
        let outcome = interpreter.run(source: "\n\nprint 1", name: "a.mesh")
        let error = try #require(outcome.diagnostics.first)
        let range = try #require(error.range)
        #expect(interpreter.sources.file(range.file).location(of: range.start).line == 3)
        #expect(error.help == "the host cancelled the run; a cancel holds until the host clears it (CancellationFlag.reset())")
    }
}
