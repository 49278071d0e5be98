// The history file: round trip (multi-line entries too), size bound, merging with what
// other sessions saved, atomic replacement, and silent failure.
import Foundation
import MeshTestSupport
import Testing
@testable import MeshREPL

@Suite struct HistoryFileTests {
    @Test func savedEntriesAreLoadedByTheNextEditor() throws {
        let directory = try Scratch()
        defer { directory.remove() }
        let file = directory.path + "/history"
        let first = LineEditor(programName: "test", historyFile: file, completer: nil)
        first.addHistory("mesh mesh1")
        first.addHistory("cluster c1 <\n  trust from root\n>\n")
        first.addHistory("   ")
        first.saveHistory()

        let second = LineEditor(programName: "test", historyFile: file, completer: nil)
        #expect(second.historyEntries == ["mesh mesh1", "cluster c1 <\n  trust from root\n>"])
    }

    @Test func theFileKeepsOnlyTheNewestEntries() throws {
        let directory = try Scratch()
        defer { directory.remove() }
        let file = directory.path + "/history"
        let editor = LineEditor(programName: "test", historyFile: file, historyLimit: 5, completer: nil)
        for i in 1...12 { editor.addHistory("print \(i)") }
        editor.saveHistory()
        #expect(editor.historyEntries == (8...12).map { "print \($0)" })
        let reloaded = LineEditor(programName: "test", historyFile: file, historyLimit: 5, completer: nil)
        #expect(reloaded.historyEntries == (8...12).map { "print \($0)" })
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6) // libedit's header line + 5 entries
    }

    @Test func consecutiveDuplicatesAreKeptOnce() throws {
        let directory = try Scratch()
        defer { directory.remove() }
        let file = directory.path + "/history"
        let editor = LineEditor(programName: "test", historyFile: file, completer: nil)
        for entry in ["a", "a", "b", "a"] { editor.addHistory(entry) }
        editor.saveHistory()
        #expect(LineEditor(programName: "test", historyFile: file, completer: nil).historyEntries == ["a", "b", "a"])
    }

    @Test func concurrentSessionsDoNotOverwriteEachOther() throws {
        let directory = try Scratch()
        defer { directory.remove() }
        let file = directory.path + "/history"
        let one = LineEditor(programName: "test", historyFile: file, completer: nil)
        let two = LineEditor(programName: "test", historyFile: file, completer: nil)
        one.addHistory("from one")
        one.saveHistory()
        two.addHistory("from two")
        two.saveHistory()
        one.addHistory("one again")
        one.saveHistory() // only the entry added since the last save is appended
        #expect(LineEditor(programName: "test", historyFile: file, completer: nil).historyEntries
                == ["from one", "from two", "one again"])
    }

    @Test func unicodeSurvivesTheFile() throws {
        let directory = try Scratch()
        defer { directory.remove() }
        let file = directory.path + "/history"
        let editor = LineEditor(programName: "test", historyFile: file, completer: nil)
        editor.addHistory("print \"π ≈ 3.14 ✓\"")
        editor.saveHistory()
        #expect(LineEditor(programName: "test", historyFile: file, completer: nil).historyEntries == ["print \"π ≈ 3.14 ✓\""])
    }

    @Test func theFileIsReplacedAtomicallyAndPrivately() throws {
        let directory = try Scratch()
        defer { directory.remove() }
        let file = directory.path + "/history"
        let editor = LineEditor(programName: "test", historyFile: file, completer: nil)
        editor.addHistory("print 1")
        editor.saveHistory()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["history"]) // no temporary left
        let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }

    @Test func anUnwritableLocationIsSilentAndRetried() throws {
        let directory = try Scratch()
        defer { directory.remove() }
        let file = directory.path + "/missing/history"
        let editor = LineEditor(programName: "test", historyFile: file, completer: nil)
        editor.addHistory("print 1")
        editor.saveHistory() // the directory does not exist: nothing happens
        #expect(!FileManager.default.fileExists(atPath: file))
        try FileManager.default.createDirectory(atPath: directory.path + "/missing", withIntermediateDirectories: false)
        editor.saveHistory() // the unsaved entry is written now
        #expect(LineEditor(programName: "test", historyFile: file, completer: nil).historyEntries == ["print 1"])
    }

    @Test func defaultHistoryFileIsInHome() {
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty {
            #expect(LineEditor.defaultHistoryFile?.hasPrefix(home) == true)
            #expect(LineEditor.defaultHistoryFile?.hasSuffix("/.meshscript_history") == true)
        }
    }
}
