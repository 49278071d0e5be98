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
