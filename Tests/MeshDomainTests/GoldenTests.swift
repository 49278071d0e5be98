// Golden scripts with inline expectations (starlark-go's chunkedfile). In any file a run
// loads (the script and what it imports), a comment
//     ### error: REGEXP
// says an error whose message matches REGEXP is reported on that line; `### help: REGEXP`
// and `### note: REGEXP` after it constrain that error's help and one of its notes. Every
// error must be expected and every expectation met; a file without expectations checks clean.
// Only the top level of Golden/ is run; Golden/lib holds files the scripts import.
import Foundation
import MeshTestSupport
import Testing

import MeshDomain
import MeshScriptInterpreter

struct Expectation: CustomStringConvertible {
    var severity: Diagnostic.Severity
    var line: Int
    var message: String
    var help: String?
    var note: String?
    var met = false

    var description: String {
        "line \(line): \(severity.rawValue): \(message)" + (help.map { " (help: \($0))" } ?? "") + (note.map { " (note: \($0))" } ?? "")
    }

    /// All expectations written in `text`.
    static func parse(_ text: String) -> [Expectation] {
        var result: [Expectation] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let parts = line.components(separatedBy: "###").dropFirst()
            for part in parts {
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                guard let colon = trimmed.firstIndex(of: ":") else { continue }
                let key = trimmed[..<colon]
                let pattern = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                switch key {
                case "error": result.append(Expectation(severity: .error, line: index + 1, message: pattern))
                case "warning": result.append(Expectation(severity: .warning, line: index + 1, message: pattern))
                case "help" where result.last?.line == index + 1: result[result.count - 1].help = pattern
                case "note" where result.last?.line == index + 1: result[result.count - 1].note = pattern
                default: continue
                }
            }
        }
        return result
    }

    func matches(_ diagnostic: Diagnostic) -> Bool {
        guard diagnostic.severity == severity, Self.search(message, in: diagnostic.message) else { return false }
        if let help, !Self.search(help, in: diagnostic.help ?? "") { return false }
        if let note, !diagnostic.notes.contains(where: { Self.search(note, in: $0.message) }) { return false }
        return true
    }

    static func search(_ pattern: String, in text: String) -> Bool {
        guard let regex = try? Regex(pattern) else {
            Issue.record("invalid expectation regex: \(pattern)")
            return false
        }
        return text.contains(regex)
    }
}

enum GoldenFiles {
    /// The Golden directory copied into the test bundle (nil if the resource is missing,
    /// which `thereAreGoldenFiles` reports).
    static var directory: URL? { Bundle.module.url(forResource: "Golden", withExtension: nil) }

    static var all: [String] {
        guard let directory else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".mesh") }.sorted()
    }
}

@Suite struct Golden {
    @Test func thereAreGoldenFiles() {
        #expect(GoldenFiles.all.count >= 30, "\(GoldenFiles.all)")
    }

    @Test(arguments: GoldenFiles.all)
    func golden(_ name: String) throws {
        let path = try #require(GoldenFiles.directory).appendingPathComponent(name).path
        let engine = MeshEngine(environment: [:])
        engine.interpreter.output = { _, _ in }
        let result = engine.check(file: path)
        let rendered = DiagnosticRenderer(sources: engine.sources, color: false).render(result.diagnostics)

        // Expectations of every loaded file, by file.
        var expectations: [FileID: [Expectation]] = [:]
        for index in 0..<engine.sources.count {
            let file = engine.sources.file(FileID(index: index))
            expectations[FileID(index: index)] = Expectation.parse(String(decoding: file.bytes, as: UTF8.self))
        }
        #expect(engine.sources.count >= 1, "\(name) was not loaded:\n\(rendered)")

        for diagnostic in result.diagnostics where diagnostic.severity != .note {
            guard let range = diagnostic.range else {
                Issue.record("unexpected \(diagnostic.severity.rawValue) without a position: \(diagnostic.message)")
                continue
            }
            let file = engine.sources.file(range.file)
            let line = file.location(of: range.start).line
            if let index = expectations[range.file]?.firstIndex(where: { !$0.met && $0.line == line && $0.matches(diagnostic) }) {
                expectations[range.file]![index].met = true
            } else {
                Issue.record("unexpected diagnostic:\n\(DiagnosticRenderer(sources: engine.sources, color: false).render(diagnostic))")
            }
        }
        for (fileID, list) in expectations {
            for expectation in list where !expectation.met {
                Issue.record("\(engine.sources.file(fileID).path): expected, not reported: \(expectation)\nreported:\n\(rendered)")
            }
        }
    }

    /// The harness must be able to fail both ways.
    @Test func harnessNoticesMissingAndExtraErrors() throws {
        let scratch = try Scratch()
        let script = scratch.url.appendingPathComponent("probe.mesh")
        try """
            mesh mesh1
            cluster c1 < trust from rot >   ### error: unknown root 'rot'
            cluster c2 < trust from root >  ### error: this is never reported
            cluster c3 < trust frm root >
            """.write(to: script, atomically: true, encoding: .utf8)
        let engine = MeshEngine()
        let result = engine.check(file: script.path)
        var expectations = Expectation.parse(try String(contentsOf: script, encoding: .utf8))
        #expect(expectations.map(\.line) == [2, 3])
        var unexpected = 0
        for diagnostic in result.diagnostics {
            let line = engine.sources.file(diagnostic.range!.file).location(of: diagnostic.range!.start).line
            if let index = expectations.firstIndex(where: { !$0.met && $0.line == line && $0.matches(diagnostic) }) {
                expectations[index].met = true
            } else {
                unexpected += 1
            }
        }
        #expect(unexpected == 1)
        #expect(expectations.filter { !$0.met }.map(\.line) == [3])
    }

    @Test func expectationsAreParsedWithHelpAndNote() {
        let parsed = Expectation.parse("x\ny ### error: a.b ### help: c ### note: d ### error: e\n### warning: w")
        #expect(parsed.count == 3)
        #expect(parsed[0].line == 2 && parsed[0].message == "a.b" && parsed[0].help == "c" && parsed[0].note == "d")
        #expect(parsed[1].message == "e" && parsed[1].help == nil)
        #expect(parsed[2].severity == .warning && parsed[2].line == 3)
    }
}
