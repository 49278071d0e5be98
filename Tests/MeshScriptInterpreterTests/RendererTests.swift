// Rendered diagnostics compared as exact text: position line, numbered source line, marker,
// notes and help. Columns count Unicode characters.
import Foundation
import Testing

import MeshScriptInterpreter

@Suite struct RenderedDiagnostics {
    @Test func errorWithNoteAndHelp() {
        let r = run("let x = 1\nlet x = 2\n")
        #expect(r.rendered == """
            test.mesh:2:5: error: '$x' is already defined in this scope
              |
            2 | let x = 2
              |     ^
            test.mesh:1:5: note: first defined here
              |
            1 | let x = 1
              |     ^
              = help: to change its value, write: set x = VALUE

            """)
    }

    /// A script's strings reach messages ("undefined variable" quotes the name): ESC and BEL
    /// must not reach the terminal, and a huge name is cut.
    @Test func messagesShowNoControlCharactersAndCutHugeWords() {
        let hostile = Diagnostic.error("unknown cluster 'a\u{1B}[2Jb\u{07}c\u{9B}d'", at: nil, help: "did you mean '\u{1B}]0;x\u{07}'?")
        let rendered = DiagnosticRenderer(sources: SourceMap(), color: false).render(hostile)
        #expect(!rendered.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B }, "\(rendered.debugDescription)")
        #expect(rendered.contains("unknown cluster 'a\u{FFFD}[2Jb\u{FFFD}c\u{FFFD}d'"))

        let name = String(repeating: "x", count: 1_000_000)
        let long = DiagnosticRenderer(sources: SourceMap(), color: false).render(Diagnostic.error("unknown cluster '\(name)'", at: nil))
        #expect(long.count < 300, "\(long.count) characters")
        #expect(long.contains("…(1000002 characters)…"))
    }

    @Test func columnsCountCharactersNotBytes() {
        let r = run("print \"héllo ☃ ${$nope}\"\n")
        #expect(r.rendered == """
            test.mesh:1:18: error: undefined variable '$nope'
              |
            1 | print "héllo ☃ ${$nope}"
              |                  ^~~~~
              = help: bind it first with: let nope = VALUE

            """)
    }

    @Test func tabsAreKeptInThePaddingSoTheMarkerLinesUp() {
        let r = run("box b <\n\tbox\tc < >\n>\n")
        #expect(r.rendered == """
            test.mesh:2:2: error: 'box' is only valid at the top level
              |
            2 | \tbox\tc < >
              | \t^~~
              = help: usage: box NAME < box statements >

            """)
    }

    @Test func wideLineNumbersWidenTheGutter() {
        let r = run(String(repeating: "\n", count: 11) + "emit 1 2\n")
        #expect(r.rendered == """
            test.mesh:12:8: error: unexpected value '2' in 'emit'
               |
            12 | emit 1 2
               |        ^
              = help: usage: emit VALUE

            """)
    }

    @Test func aMultiLineRangeIsMarkedToTheEndOfItsFirstLine() {
        let r = run("assert [1,\n  2] == [], \"lists differ\"\n")
        #expect(r.rendered == """
            test.mesh:1:1: error: lists differ
              |
            1 | assert [1,
              | ^~~~~~~~~~

            """)
    }

    @Test func markerAtTheEndOfTheLineForAMissingToken() {
        let (result, file) = parse("let x = [1, 2\n")
        let sources = SourceMap()
        _ = sources.add(file)
        #expect(DiagnosticRenderer(sources: sources, color: false).render(result.diagnostics) == """
            parse.mesh:1:14: error: expected ']' to close the list, found end of input
              |
            1 | let x = [1, 2
              |              ^
            parse.mesh:1:9: note: the list opens here
              |
            1 | let x = [1, 2
              |         ^

            """)
    }

    @Test func aVeryLongLineIsShownAsAWindowAroundTheMarker() {
        let filler = String(repeating: "a ", count: 500)
        let r = run("emit " + filler + "{ x\n")
        let lines = r.rendered.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "test.mesh:1:1006: error: unexpected character '{'")
        #expect(r.rendered.utf8.count < 600, "\(r.rendered.utf8.count) bytes")
        // The marker sits under the '{' of the shown window.
        let source = String(lines[2].dropFirst(4))
        let marker = String(lines[3].dropFirst(4))
        #expect(source.hasPrefix("…"))
        let markerColumn = marker.firstIndex(of: "^").map { marker.distance(from: marker.startIndex, to: $0) }
        let braceColumn = source.firstIndex(of: "{").map { source.distance(from: source.startIndex, to: $0) }
        #expect(markerColumn != nil && markerColumn == braceColumn, "\(lines[2])\n\(lines[3])")
    }

    @Test func controlCharactersAreNotPrintedRaw() {
        let r = run("emit 1 \u{1B}[31m\n")
        #expect(r.messages == ["unexpected control character U+001B"])
        #expect(!r.rendered.contains("\u{1B}"))
        #expect(r.rendered.contains("1 | emit 1 \u{FFFD}[31m\n"))
    }

    @Test func diagnosticWithoutAPosition() {
        let r = runFile("/missing.mesh", loader: InMemoryLoader([:]))
        #expect(r.rendered == "error: cannot read '/missing.mesh': no such file\n")
    }

    @Test func colourOnlyWhenAsked() throws {
        let r = run("emti 1")
        let plain = DiagnosticRenderer(sources: r.interpreter.sources, color: false).render(r.diagnostics)
        let coloured = DiagnosticRenderer(sources: r.interpreter.sources, color: true).render(r.diagnostics)
        #expect(!plain.contains("\u{1B}["))
        #expect(coloured.contains("\u{1B}[1;31merror:\u{1B}[0m"))
        let escape = try Regex("\u{1B}\\[[0-9;]*m")
        #expect(coloured.replacing(escape, with: "") == plain)
    }

    @Test func tooManyDiagnosticsAreCounted() {
        let r = run(String(repeating: "emti\n", count: 5))
        let text = DiagnosticRenderer(sources: r.interpreter.sources, color: false, limit: 2).render(r.diagnostics)
        #expect(text.components(separatedBy: "error: unknown command").count - 1 == 2)
        #expect(text.hasSuffix("3 more diagnostics not shown\n"))
    }
}
