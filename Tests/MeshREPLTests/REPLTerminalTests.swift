// `meshscript repl` on a real pseudo-terminal: each test runs a scenario from
// scripts/pty/repl_scenarios.py (python3 + pexpect) against the built `meshscript`
// binary, with a fresh HOME (history file) that is also the working directory.
import Foundation
import Testing

@Suite(.serialized) struct REPLTerminalTests {
    @Test func statementsThenShow() throws { try runREPLScenario("statements-then-show") }
    @Test func multiLineBlockOnContinuationPrompts() throws { try runREPLScenario("multi-line-block") }
    @Test func tabCompletesNamesCommandsAndColonCommands() throws { try runREPLScenario("tab-completion") }
    @Test func historyIsRecalledAfterARestart() throws { try runREPLScenario("history-after-restart") }
    @Test func anErrorLeavesTheSessionUnchanged() throws { try runREPLScenario("error-keeps-state") }
    @Test func planListsTheOrderedSteps() throws { try runREPLScenario("plan") }
    @Test func saveThenLoadGivesTheSamePlan() throws { try runREPLScenario("save-then-load") }
    @Test func ctrlCCancelsAnEvaluationOrALine() throws { try runREPLScenario("ctrl-c") }
    @Test func ctrlCWorksWhenStartedWithSignalsBlocked() throws { try runREPLScenario("ctrl-c-signals-blocked") }
    @Test func ctrlDExitsWithStatusZero() throws { try runREPLScenario("ctrl-d") }
    @Test(.enabled(if: MeshScriptBinary.graphvizDot != nil, "graphviz `dot` is not installed"))
    func graphIsDOTThatGraphvizAccepts() throws { try runREPLScenario("graph") }
    @Test func checkShowsDiagnosticsAndRenderWritesCertificates() throws { try runREPLScenario("check-and-render") }

    /// TERM dumb: libedit does not edit keys, the terminal's own line editing applies; entries,
    /// errors and Ctrl-C behave the same.
    @Test(arguments: ["multi-line-block", "error-keeps-state", "ctrl-c"])
    func dumbTerminal(scenario: String) throws { try runREPLScenario(scenario, term: "dumb") }
}

enum MeshScriptBinary {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `meshscript` built beside this test binary (same configuration), else .build/debug's.
    static var path: String? {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = besideTests.deletingLastPathComponent()
        // On macOS the test binary sits inside a .xctest bundle.
        while directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS" || directory.lastPathComponent == "Contents" {
            directory.deleteLastPathComponent()
        }
        for candidate in [directory.appendingPathComponent("meshscript").path, repository.appendingPathComponent(".build/debug/meshscript").path]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }

    static var graphvizDot: String? { executableInPath("dot") }

    static func executableInPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Runs one scenario; a failure carries the scenario's transcript. The whole scenario is
/// bounded (each expectation in it has its own timeout too).
private func runREPLScenario(_ name: String, term: String = "xterm", timeout: Duration = .seconds(180),
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
    guard let binary = MeshScriptBinary.path else {
        Issue.record("no meshscript binary beside the tests or in .build/debug: run `swift build` first", sourceLocation: sourceLocation)
        return
    }
    let home = try TemporaryDirectory()
    defer { home.remove() }
    let script = MeshScriptBinary.repository.appendingPathComponent("scripts/pty/repl_scenarios.py").path

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script, name, "--home", home.path, "--term", term, "--", binary, "repl"]
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "NO_COLOR")
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let watchdog = DispatchWorkItem { [process] in if process.isRunning { process.terminate() } }
    DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(timeout.components.seconds)), execute: watchdog)
    let transcript = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    watchdog.cancel()
    if process.terminationReason == .uncaughtSignal {
        Issue.record("pty scenario \(name) was stopped after \(timeout):\n\(transcript)", sourceLocation: sourceLocation)
        return
    }
    #expect(process.terminationStatus == 0, "pty scenario \(name) (TERM=\(term)) failed:\n\(transcript)", sourceLocation: sourceLocation)
}
