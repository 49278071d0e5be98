// A bare Interpreter with a few toy commands, so the generic layer is tested without any
// Istio knowledge: `emit VALUE` logs a value, `box NAME < ... >` opens a `box` block in which
// `tick` is valid, `greet NAME [with N]` has a keyword option, `count` counts its runs, and the
// function `probe(x)` returns x and counts its calls (to observe short-circuiting).
import Foundation
import Testing

import MeshScriptInterpreter

extension BlockKind {
    static let box = BlockKind("box")
}

/// What the toy commands and `print` leave behind.
final class Recorder {
    var log: [String] = []
    var printed: [String] = []
    var counted = 0
    var probes = 0
}

struct Run {
    var interpreter: Interpreter
    var recorder: Recorder
    var outcome: Interpreter.Outcome

    var diagnostics: [Diagnostic] { outcome.diagnostics }
    var errors: [Diagnostic] { outcome.diagnostics.filter { $0.severity == .error } }
    var messages: [String] { errors.map(\.message) }
    var printed: [String] { recorder.printed }
    var log: [String] { recorder.log }

    /// The 1-based line of a diagnostic's primary range.
    func line(_ diagnostic: Diagnostic) -> Int? {
        guard let range = diagnostic.range else { return nil }
        return interpreter.sources.file(range.file).location(of: range.start).line
    }

    func location(_ diagnostic: Diagnostic) -> MeshScriptInterpreter.SourceLocation? {
        guard let range = diagnostic.range else { return nil }
        return interpreter.sources.file(range.file).location(of: range.start)
    }

    var rendered: String { DiagnosticRenderer(sources: interpreter.sources, color: false).render(diagnostics) }
}

func makeInterpreter(loader: ScriptLoader = InMemoryLoader([:]), environment: [String: String] = [:],
                     limits: Limits = Limits()) -> (Interpreter, Recorder) {
    let interpreter = Interpreter(limits: limits, loader: loader, environment: environment)
    let recorder = Recorder()
    interpreter.output = { text, _ in recorder.printed.append(text) }
    interpreter.register(CommandSignature("emit", summary: "log a value", allowedIn: [.topLevel, .box],
                                          parameters: [.init("VALUE", .any)])) { call, _ in
        recorder.log.append(call.arguments[0].value.text)
    }
    interpreter.register(CommandSignature("box", summary: "open a box", allowedIn: [.topLevel],
                                          parameters: [.init("NAME", .name)], body: .required(.box))) { call, context in
        recorder.log.append("box \(call.arguments[0].string ?? "?") <")
        try context.evaluateBlock()
        recorder.log.append(">")
    }
    interpreter.register(CommandSignature("tick", summary: "only inside a box", allowedIn: [.box])) { _, _ in
        recorder.log.append("tick")
    }
    interpreter.register(CommandSignature("greet", summary: "greet someone", allowedIn: [.topLevel, .box],
                                          parameters: [.init("NAME", .name)], options: [.init("with", [.init("N", .integer)])])) { call, _ in
        let times = call.options["with"]?.first?.integer ?? 1
        recorder.log.append("hello \(call.arguments[0].string ?? "?") x\(times)")
    }
    interpreter.register(CommandSignature("count", summary: "count runs", allowedIn: [.topLevel, .box])) { _, _ in
        recorder.counted += 1
    }
    interpreter.register(FunctionSignature("probe", summary: "probe(x): x, counting calls", arity: 1...1)) { call in
        recorder.probes += 1
        return call.arguments[0].value
    }
    return (interpreter, recorder)
}

/// Evaluate `source` as a REPL-style entry named `test.mesh`.
func run(_ source: String, environment: [String: String] = [:], limits: Limits = Limits()) -> Run {
    let (interpreter, recorder) = makeInterpreter(environment: environment, limits: limits)
    let outcome = interpreter.run(source: source, name: "test.mesh")
    return Run(interpreter: interpreter, recorder: recorder, outcome: outcome)
}

/// Evaluate the file `main` through `loader` (imports resolve relative to it).
func runFile(_ main: String, loader: ScriptLoader, configure: (Interpreter) -> Void = { _ in }) -> Run {
    let (interpreter, recorder) = makeInterpreter(loader: loader)
    configure(interpreter)
    let outcome = interpreter.runFile(main)
    return Run(interpreter: interpreter, recorder: recorder, outcome: outcome)
}

/// Expect no errors, printing them if there are some.
func expectClean(_ run: Run, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(run.errors.isEmpty, "unexpected errors:\n\(run.rendered)", sourceLocation: sourceLocation)
}

/// Expect exactly one error whose message contains `fragment`, on `line` when given.
@discardableResult
func expectOneError(_ run: Run, _ fragment: String, line: Int? = nil, help: String? = nil,
                    sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Diagnostic? {
    guard run.errors.count == 1, let error = run.errors.first else {
        Issue.record("expected exactly one error containing \"\(fragment)\", got \(run.errors.count):\n\(run.rendered)",
                     sourceLocation: sourceLocation)
        return nil
    }
    #expect(error.message.contains(fragment), "message: \(error.message)", sourceLocation: sourceLocation)
    if let line {
        #expect(run.line(error) == line, "reported on line \(run.line(error) ?? -1), expected \(line)", sourceLocation: sourceLocation)
    }
    if let help {
        #expect(error.help == help, "help: \(error.help ?? "nil")", sourceLocation: sourceLocation)
    }
    return error
}

/// "LINE:COLUMN", for comparing positions (SourceLocation has no public initializer).
func lineColumn(_ location: MeshScriptInterpreter.SourceLocation) -> String { "\(location.line):\(location.column)" }
