// The scenarios of scripts/pty (python3 + pexpect) drive a program on a real pseudo-terminal;
// a test runs one and reports its transcript when it fails.
import Foundation
import MeshTestSupport
import Testing

/// Runs scenario `name` of scripts/pty/SCRIPT against `program`, with TERM `term` and a fresh
/// HOME (which the REPL scenarios also use as the working directory). The whole scenario is
/// bounded by `timeout`; each expectation in it has its own timeout too.
func runPTYScenario(_ script: String, _ name: String, program: [String], term: String, environment: [String: String]? = nil,
                    timeout: Duration = .seconds(180), sourceLocation: SourceLocation = #_sourceLocation) throws {
    let home = try Scratch()
    defer { home.remove() }
    let path = packageRoot.appendingPathComponent("scripts/pty/" + script).path
    let run = try runProcess("/usr/bin/env", ["python3", path, name, "--home", home.path, "--term", term, "--"] + program,
                             environment: environment, mergingStderr: true, timeout: timeout)
    if run.timedOut {
        Issue.record("pty scenario \(name) was stopped after \(timeout):\n\(run.stdout)", sourceLocation: sourceLocation)
        return
    }
    #expect(run.status == 0, "pty scenario \(name) (TERM=\(term)) failed:\n\(run.stdout)", sourceLocation: sourceLocation)
}
