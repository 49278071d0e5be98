// Helpers for the mesh-domain tests: run a script through MeshEngine from memory or disk.
import Foundation
import Testing

import MeshDomain
import MeshScriptInterpreter

/// A checked script: its diagnostics, topology and the engine (for sources and rendering).
struct Checked {
    var engine: MeshEngine
    var result: MeshEngine.Result

    var errors: [Diagnostic] { result.diagnostics.filter { $0.severity == .error } }
    var messages: [String] { errors.map(\.message) }
    var topology: Topology { result.topology }
    var rendered: String { DiagnosticRenderer(sources: engine.sources, color: false).render(result.diagnostics) }

    func line(_ diagnostic: Diagnostic) -> Int? {
        diagnostic.range.map { engine.sources.file($0.file).location(of: $0.start).line }
    }
}

/// Check `source` as the file /mesh/<name>, with `others` beside it.
func check(_ source: String, name: String = "test.mesh", others: [String: String] = [:],
           environment: [String: String] = [:]) -> Checked {
    var files = ["/mesh/" + name: source]
    for (path, text) in others { files["/mesh/" + path] = text }
    let engine = MeshEngine(environment: environment, loader: InMemoryLoader(files))
    engine.interpreter.output = { _, _ in }
    return Checked(engine: engine, result: engine.check(file: "/mesh/" + name))
}

func expectClean(_ checked: Checked, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(checked.errors.isEmpty, "unexpected errors:\n\(checked.rendered)", sourceLocation: sourceLocation)
}

/// "LINE:COLUMN", for comparing positions (SourceLocation has no public initializer).
func lineColumn(_ location: MeshScriptInterpreter.SourceLocation) -> String { "\(location.line):\(location.column)" }
