// LineEditor on a real pseudo-terminal. Each test runs a scenario from
// scripts/pty/lineeditor_scenarios.py (python3 + pexpect), whose program is this very
// test binary re-run with MESHSCRIPT_LINEEDITOR_ECHO=1 and a filter selecting
// `echoLoop`, which is skipped in every other run.
import Foundation
import MeshREPL
import Synchronization
import Testing

@Suite(.serialized) struct PseudoTerminalTests {
    @Test func typingALineAndEnter() throws { try runScenario("type-line") }
    @Test func emacsKeys() throws { try runScenario("emacs-keys") }
    @Test func tabCompletesAUniqueCandidate() throws { try runScenario("complete-one") }
    @Test func tabCompletesACommonPrefixAndListsCandidates() throws { try runScenario("complete-many") }
    @Test func upRecallsHistoryFromAnEarlierSession() throws { try runScenario("history-across-sessions") }
    @Test func upRecallsAMultiLineEntryWhole() throws { try runScenario("multiline-history") }
    @Test func ctrlCCancelsTheLine() throws { try runScenario("ctrl-c-cancels-line") }
    @Test func ctrlDDeletesOrEndsInput() throws { try runScenario("ctrl-d") }
    @Test func unicodeText() throws { try runScenario("unicode") }
    @Test func resizingWhileEditingKeepsTheLine() throws { try runScenario("resize") }
    @Test func resumingAfterSuspensionRestoresRawMode() throws { try runScenario("suspend-and-resume") }
    @Test func interruptMonitorGetsCtrlCOnlyOutsideTheEditor() throws { try runScenario("interrupt-monitor") }
    @Test func dumbTerminal() throws { try runScenario("plain-terminal", term: "dumb") }
    @Test func unsetTerminal() throws { try runScenario("plain-terminal", term: "") }

    /// The program the scenarios drive; runs only in the child started by `runScenario`.
    @Test(.enabled(if: EchoLoop.isRequested)) func echoLoop() { EchoLoop.run() }
}

private func runScenario(_ name: String, term: String = "xterm", sourceLocation: SourceLocation = #_sourceLocation) throws {
    // This binary, asked to run only the echo loop with Swift Testing.
    let child = [CommandLine.arguments[0], "--testing-library", "swift-testing", "--filter", "echoLoop"]
    try runPTYScenario("lineeditor_scenarios.py", name, program: child, term: term, sourceLocation: sourceLocation)
}

/// A stand-in REPL: echo lines, keep history in $HOME, complete a few words, and simulate
/// an evaluation that Ctrl-C cancels through an InterruptMonitor running all session.
/// Special lines: "evaluate" (wait up to 10 s for the monitor), "add-multiline-entry".
enum EchoLoop {
    static var isRequested: Bool { ProcessInfo.processInfo.environment["MESHSCRIPT_LINEEDITOR_ECHO"] == "1" }

    static func run() {
        let cancelled = Atomic<Bool>(false)
        let monitor = InterruptMonitor {
            print("monitor: interrupt")
            cancelled.store(true, ordering: .sequentiallyConsistent)
        }
        monitor.start()
        defer { monitor.stop() }

        let editor = LineEditor(programName: "meshscript-test", historyFile: LineEditor.defaultHistoryFile,
                                completer: WordCompleter())
        print("line editor ready")
        while true {
            switch editor.readLine(prompt: "> ") {
            case .line("evaluate"):
                cancelled.store(false, ordering: .sequentiallyConsistent)
                print("evaluating")
                let deadline = ContinuousClock.now + .seconds(10)
                while !cancelled.load(ordering: .sequentiallyConsistent), ContinuousClock.now < deadline {
                    Thread.sleep(forTimeInterval: 0.01)
                }
                print(cancelled.load(ordering: .sequentiallyConsistent) ? "evaluation cancelled" : "evaluation not cancelled")
            case .line("add-multiline-entry"):
                editor.addHistory("cluster c1 <\n  trust from root\n>")
                print("added")
            case .line(let line):
                editor.addHistory(line)
                editor.saveHistory()
                print("got: [\(line)]")
            case .interrupted:
                print("interrupted")
            case .endOfInput:
                print("eof")
                return
            }
        }
    }
}

/// Completes the identifier before the cursor from a fixed word list.
final class WordCompleter: LineCompleter {
    static let words = ["cluster1", "cluster2", "context", "mesh", "network"]

    func completions(line: String, cursor: Int) -> (replaceFrom: Int, candidates: [String]) {
        let bytes = Array(line.utf8)
        var start = cursor
        while start > 0, Self.isIdentifierByte(bytes[start - 1]) { start -= 1 }
        let word = String(decoding: bytes[start..<cursor], as: UTF8.self)
        return (start, Self.words.filter { $0.hasPrefix(word) })
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }
}
