// The history file: round trip (multi-line entries too), size bound, merging with what
// other sessions saved, atomic replacement, and silent failure.
import Foundation
import MeshTestSupport
import Testing
@testable import MeshREPL

@Suite struct HistoryFileTests {
    /// This test's own directory (Swift Testing makes a suite value per test), removed after it.
    let directory: Scratch
    var file: String { directory.at("history") }

    init() throws { directory = try Scratch() }

    /// An editor keeping its history in `file` (or `path`), without completion.
    func newEditor(at path: String? = nil) -> LineEditor {
        LineEditor(programName: "test", historyFile: path ?? file, completer: nil)
    }

    /// libedit reads the terminal database into global buffers while it sets up: editors made
    /// on several threads at once (parallel tests, an embedding host) crashed in el_init. 2,000
    /// editors at once crashed (SIGSEGV) every run without the lock, and take 0.2 s with it.
    @Test func editorsMadeOnManyThreadsAtOnce() {
        let file = self.file
        DispatchQueue.concurrentPerform(iterations: 2000) { index in
            let editor = LineEditor(programName: "test", historyFile: file + "-\(index)", completer: nil)
            editor.addHistory("entry \(index)")
            #expect(editor.historyEntries == ["entry \(index)"])
        }
    }

    @Test func savedEntriesAreLoadedByTheNextEditor() throws {
        let first = newEditor()
        first.addHistory("mesh mesh1")
        first.addHistory("cluster c1 <\n  trust from root\n>\n")
        first.addHistory("   ")
        first.saveHistory()

        let second = newEditor()
        #expect(second.historyEntries == ["mesh mesh1", "cluster c1 <\n  trust from root\n>"])
    }

    @Test func theFileKeepsOnlyTheNewestEntries() throws {
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
        let editor = newEditor()
        for entry in ["a", "a", "b", "a"] { editor.addHistory(entry) }
        editor.saveHistory()
        #expect(newEditor().historyEntries == ["a", "b", "a"])
    }

    @Test func concurrentSessionsDoNotOverwriteEachOther() throws {
        let one = newEditor()
        let two = newEditor()
        one.addHistory("from one")
        one.saveHistory()
        two.addHistory("from two")
        two.saveHistory()
        one.addHistory("one again")
        one.saveHistory() // only the entry added since the last save is appended
        #expect(newEditor().historyEntries
                == ["from one", "from two", "one again"])
    }

    @Test func unicodeSurvivesTheFile() throws {
        let editor = newEditor()
        editor.addHistory("print \"π ≈ 3.14 ✓\"")
        editor.saveHistory()
        #expect(newEditor().historyEntries == ["print \"π ≈ 3.14 ✓\""])
    }

    @Test func theFileIsReplacedAtomicallyAndPrivately() throws {
        let editor = newEditor()
        editor.addHistory("print 1")
        editor.saveHistory()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["history"]) // no temporary left
        let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }

    @Test func anUnwritableLocationIsSilentAndRetried() throws {
        let file = directory.path + "/missing/history"
        let editor = newEditor(at: file)
        editor.addHistory("print 1")
        editor.saveHistory() // the directory does not exist: nothing happens
        #expect(!FileManager.default.fileExists(atPath: file))
        try FileManager.default.createDirectory(atPath: directory.path + "/missing", withIntermediateDirectories: false)
        editor.saveHistory() // the unsaved entry is written now
        #expect(newEditor(at: file).historyEntries == ["print 1"])
    }

    @Test func defaultHistoryFileIsInHome() {
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty {
            #expect(LineEditor.defaultHistoryFile?.hasPrefix(home) == true)
            #expect(LineEditor.defaultHistoryFile?.hasSuffix("/.meshscript_history") == true)
        }
    }
}
