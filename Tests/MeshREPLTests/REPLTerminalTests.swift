// `meshscript repl` on a real pseudo-terminal: each test runs a scenario from
// scripts/pty/repl_scenarios.py (python3 + pexpect) against the built `meshscript`
// binary, with a fresh HOME (history file) that is also the working directory.
import Foundation
import MeshTestSupport
import Testing

@Suite(.serialized) struct REPLTerminalTests {
    @Test func statementsThenShow() throws { try runREPLScenario("statements-then-show") }
    @Test func multiLineBlockOnContinuationPrompts() throws { try runREPLScenario("multi-line-block") }
    @Test func tabCompletesNamesCommandsAndColonCommands() throws { try runREPLScenario("tab-completion") }
    @Test func historyIsRecalledAfterARestart() throws { try runREPLScenario("history-after-restart") }
    @Test func aHeldIfAndTheStatementAfterItAreTwoHistoryEntries() throws { try runREPLScenario("held-if-history") }
    @Test func anErrorLeavesTheSessionUnchanged() throws { try runREPLScenario("error-keeps-state") }
    @Test func planListsTheOrderedSteps() throws { try runREPLScenario("plan") }
    @Test func saveThenLoadGivesTheSamePlan() throws { try runREPLScenario("save-then-load") }
    @Test func ctrlCCancelsAnEvaluationOrALine() throws { try runREPLScenario("ctrl-c") }
    @Test func ctrlCWorksWhenStartedWithSignalsBlocked() throws { try runREPLScenario("ctrl-c-signals-blocked") }
    @Test func ctrlDExitsWithStatusZero() throws { try runREPLScenario("ctrl-d") }
    @Test(.enabled(if: executableOnPath("dot") != nil, "graphviz `dot` is not installed"))
    func graphIsDOTThatGraphvizAccepts() throws { try runREPLScenario("graph") }
    @Test func checkShowsDiagnosticsAndRenderWritesCertificates() throws { try runREPLScenario("check-and-render") }
    @Test func undoAfterAClusterAndAfterAFailedEntry() throws { try runREPLScenario("undo") }
    @Test func aClusterDeclaredAgainIsAnErrorThatSaysHowToReplaceIt() throws { try runREPLScenario("redeclared-cluster") }
    @Test func loadAfterAnEditPutsTheNewValuesInEffect() throws { try runREPLScenario("load-after-edit") }
    @Test func aClusterNamedBeforeItIsDeclaredGetsANote() throws { try runREPLScenario("dangling-reference") }

    /// TERM dumb: libedit does not edit keys, the terminal's own line editing applies; entries,
    /// errors and Ctrl-C behave the same.
    @Test(arguments: ["multi-line-block", "error-keeps-state", "ctrl-c"])
    func dumbTerminal(scenario: String) throws { try runREPLScenario(scenario, term: "dumb") }
}

/// Runs one scenario of scripts/pty/repl_scenarios.py against the built `meshscript repl`,
/// with colour as a user's terminal has it.
private func runREPLScenario(_ name: String, term: String = "xterm", sourceLocation: SourceLocation = #_sourceLocation) throws {
    let binary = try requireMeshscript(sourceLocation: sourceLocation)
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "NO_COLOR")
    try runPTYScenario("repl_scenarios.py", name, program: [binary, "repl"], term: term, environment: environment,
                       sourceLocation: sourceLocation)
}
