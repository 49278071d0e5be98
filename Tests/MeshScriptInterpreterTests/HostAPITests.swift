// The host side of the interpreter: values bound before a run, a recipe called with Swift
// values, a parsed program run (twice), the environment as the host's lookup, and a print sink
// that is told where in the script the printed expression is.
import MeshScriptInterpreter
import Testing

@Suite struct HostAPITests {
    @Test func aBoundValueIsAVariableOfTheScript() {
        let (interpreter, recorder) = makeInterpreter()
        interpreter.bind("region", to: .string("europe-west1"))
        interpreter.bind("zones", to: .list([.string("a"), .string("b")]))
        let outcome = interpreter.run(source: "emit \"${region}\"\nfor z in $zones < emit $z >\n", name: "s.mesh")
        #expect(!outcome.diagnostics.hasErrors, "\(outcome.diagnostics)")
        #expect(recorder.log == ["europe-west1", "a", "b"])
        #expect(interpreter.variable("region") == .string("europe-west1"))
    }

    @Test func aRecipeIsCalledWithSwiftValues() {
        let (interpreter, recorder) = makeInterpreter()
        _ = interpreter.run(source: "recipe pair(name, count) <\n  emit \"${name}-${count}\"\n>\n", name: "lib.mesh")
        let called = interpreter.call(recipe: "pair", with: [.string("c\"1 ${x} $y"), .integer(3)])
        #expect(!called.diagnostics.hasErrors, "\(called.diagnostics)")
        #expect(recorder.log == ["c\"1 ${x} $y-3"], "a host's string is a value, never parsed as script text")
        // The arguments were the call's alone.
        #expect(interpreter.variableNames.isEmpty)
        let wrong = interpreter.call(recipe: "pair", with: [.string("x")])
        #expect(wrong.diagnostics.map(\.message) == ["recipe 'pair' takes 2 arguments, got 1"])
        let unknown = interpreter.call(recipe: "pir", with: [])
        #expect(unknown.diagnostics.first?.message.contains("pir") == true && unknown.diagnostics.hasErrors)
    }

    /// A handler reads each given option's values and where its keyword is, in statement order;
    /// an option not given has no entry.
    @Test func aHandlerReadsEachOptionWithWhereItIs() {
        let (interpreter, recorder) = makeInterpreter()
        interpreter.register(CommandSignature("paint", summary: "paint a wall", allowedIn: [.topLevel], parameters: [.init("WALL", .name)],
                                              options: [.init("color", [.init("C", .name)]), .init("coats", [.init("N", .integer)]),
                                                        .init("glossy", [])])) { call, _ in
            let options = call.options
            let ranges = options.keywords.map { keyword in options.range(of: keyword).map { "\($0.start)-\($0.end)" } ?? "?" }
            recorder.log.append("\(options.keywords) \(ranges) color=\(options["color"]?.first?.string ?? "-") coats=\(options["coats"]?.first?.integer ?? 0) "
                + "glossy=\(options["glossy"].map { "\($0.count) values" } ?? "-") size=\(options["size"] == nil ? "-" : "?")")
        }
        let outcome = interpreter.run(source: "paint north coats 2 color red glossy\npaint south\n", name: "p.mesh")
        #expect(!outcome.diagnostics.hasErrors, "\(outcome.diagnostics)")
        #expect(recorder.log == ["[\"coats\", \"color\", \"glossy\"] [\"12-17\", \"20-25\", \"30-36\"] color=red coats=2 glossy=0 values size=-",
                                 "[] [] color=- coats=0 glossy=- size=-"])
        let twice = interpreter.run(source: "paint east color red color blue\n", name: "q.mesh")
        #expect(twice.diagnostics.map(\.message) == ["'color' is given twice"])
        #expect(twice.diagnostics.first?.notes.map { "\($0.range?.start ?? -1)" } == ["11"])
    }

    /// A command registered after scripts ran (its name seen already, as an unknown command) or
    /// registered again is the one the next run calls.
    @Test func aCommandRegisteredLaterOrAgainIsTheOneCalled() {
        let (interpreter, recorder) = makeInterpreter()
        #expect(interpreter.run(source: "frob\n", name: "a.mesh").diagnostics.map(\.message) == ["unknown command 'frob'"])
        interpreter.register(CommandSignature("frob", summary: "frob", allowedIn: [.topLevel])) { _, _ in recorder.log.append("frob 1") }
        interpreter.register(CommandSignature("count", summary: "count", allowedIn: [.topLevel])) { _, _ in recorder.log.append("count 2") }
        let outcome = interpreter.run(source: "frob\ncount\n", name: "b.mesh")
        #expect(!outcome.diagnostics.hasErrors, "\(outcome.diagnostics)")
        #expect(recorder.log == ["frob 1", "count 2"])
        #expect(recorder.counted == 0)
    }

    @Test func aParsedProgramRunsAsOftenAsTheHostWants() {
        let (interpreter, recorder) = makeInterpreter()
        let parsed = interpreter.parse(source: "count\n", name: "p.mesh")
        #expect(parsed.diagnostics.isEmpty)
        for _ in 0..<3 { #expect(interpreter.run(parsed).evaluated) }
        #expect(recorder.counted == 3)
        let broken = interpreter.parse(source: "count <\n", name: "q.mesh")
        #expect(!interpreter.run(broken).evaluated)
        #expect(recorder.counted == 3)
    }

    @Test func theEnvironmentIsTheHostsLookup() {
        let (interpreter, recorder) = makeInterpreter(environment: ["A": "from the dictionary"])
        _ = interpreter.run(source: "emit env(\"A\")\n", name: "a.mesh")
        var asked: [String] = []
        interpreter.environment = { name in
            asked.append(name)
            return name == "TENANT" ? "acme" : nil
        }
        let outcome = interpreter.run(source: "emit env(\"TENANT\")\nemit env(\"A\", \"unset\")\n", name: "b.mesh")
        #expect(!outcome.diagnostics.hasErrors)
        #expect(recorder.log == ["from the dictionary", "acme", "unset"])
        #expect(asked == ["TENANT", "A"])
    }

    @Test func printTellsTheSinkWhereTheExpressionIs() {
        let (interpreter, _) = makeInterpreter()
        var printed: [(String, Int, Int)] = []
        interpreter.output = { text, range in
            let location = interpreter.sources.file(range.file).location(of: range.start)
            printed.append((text, location.line, location.column))
        }
        _ = interpreter.run(source: "let x = 1\n  print \"x is ${x}\"\n", name: "p.mesh")
        #expect(printed.map(\.0) == ["x is 1"])
        #expect(printed.map(\.1) == [2] && printed.map(\.2) == [9])
    }
}
