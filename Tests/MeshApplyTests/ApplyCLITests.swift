// `meshscript apply` as a user runs it: the real binary, stdin not a terminal, stand-in
// kubectl and istioctl first on PATH. Exit codes, the messages, what ran, what did not, and
// that no secret reaches the terminal.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct ApplyCLITests {

    @Test func addPrimaryAppliesThePlanAfterRendering() throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        let standIns = try StandIns(in: scratch)
        let out = scratch.at("out")
        let run = try meshscript(["apply", addPrimary, "--out", out, "--yes"], environment: cliEnvironment(home: scratch.home, path: standIns.path))
        #expect(run.status == 0, "\(run)")

        let plan = try plan(addPrimary, out: out, home: scratch.home)
        let recorded = standIns.invocations
        #expect(recorded.map(\.argv) == plan.processes())
        // The files the cluster steps read were rendered before they ran.
        let fromFiles = recorded.flatMap(\.arguments).filter { $0.hasPrefix("--from-file=") }.map { String($0.dropFirst("--from-file=".count)) }
        #expect(fromFiles.count == 8)
        #expect(fromFiles.allSatisfy { FileManager.default.fileExists(atPath: $0) }, "\(fromFiles)")
        let installs = recorded.filter { $0.argv.starts(with: ["istioctl", "install"]) }
        #expect(installs.map { $0.arguments[3] } == ["\(out)/cluster1/install.yaml", "\(out)/cluster2/install.yaml"])
        #expect(installs.allSatisfy { FileManager.default.fileExists(atPath: $0.arguments[3]) })
        // Each kubectl apply -f - read the remote secret `meshscript remote-secret` built from the
        // reader token in the (stand-in) token Secret, never the kubeconfig user's token.
        let applied = recorded.filter { $0.stdin != nil }
        #expect(applied.count == 2)
        for secret in applied {
            #expect(secret.stdin?.contains("token: \(StandIns.token)\n") == true, "\(secret.stdin ?? "")")
            #expect(secret.stdin?.contains("user-token-of-") == false)
        }
        #expect(!run.stdout.contains(StandIns.token) && !run.stderr.contains(StandIns.token))
        // Progress names each step the way the plan does.
        let cacerts = try plan.step { $0.pipeline[0].starts(with: ["kubectl", "create", "secret"]) }
        #expect(run.stdout.contains("[\(cacerts.number)/12] create: trust cluster1: create the cacerts secret\n"))
        #expect(run.stdout.contains("[1/12] local: trust cluster1: generate the intermediate CA for cluster1"))
        #expect(run.stdout.contains("applied 10 changes"))
    }

    @Test func aFailingStepExits70NamesItAndResumingRunsOnlyTheRest() throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        let standIns = try StandIns(in: scratch, rules: [StandInRule(match: "istioctl install --context=kind-cluster2", status: 2, stderr: "Error: the server has asked for the client to provide credentials")])
        let out = scratch.at("out")
        let environment = cliEnvironment(home: scratch.home, path: standIns.path)
        let plan = try plan(addPrimary, out: out, home: scratch.home)
        let failing = try plan.step { $0.pipeline[0].starts(with: ["istioctl", "install", "--context=kind-cluster2"]) }

        let run = try meshscript(["apply", addPrimary, "--out", out, "--yes"], environment: environment)
        #expect(run.status == 70, "\(run)")
        #expect(run.stderr.contains("step \(failing.number)/12 (install cluster2: install the control plane"))
        #expect(run.stderr.contains("$ " + failing.commands[0].displayString))
        #expect(run.stderr.contains("istioctl exited with status 2"))
        #expect(run.stderr.contains("Error: the server has asked for the client to provide credentials"))
        #expect(run.stderr.contains("the steps before \(failing.number) are done and recorded"))
        #expect(run.stderr.contains("--resume"))
        #expect(!run.stdout.contains("[\(failing.number + 1)/12]"))
        let through = plan.processes().count - plan.processes(from: failing.number + 1).count
        #expect(standIns.invocations.map(\.argv) == Array(plan.processes().prefix(through)))

        try standIns.setRules([])
        standIns.clearLog()
        let resumed = try meshscript(["apply", addPrimary, "--out", out, "--yes", "--from-step", String(failing.number)], environment: environment)
        #expect(resumed.status == 0, "\(resumed)")
        #expect(standIns.invocations.map(\.argv) == plan.processes(from: failing.number))
        #expect(resumed.stdout.contains("starting at step \(failing.number); steps 1 to \(failing.number - 1) are taken as done"))
    }

    @Test func alreadyExistsFromAnEarlierRunIsNotAFailure() throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        // Created by someone else between apply's reading and its step: kubectl's own words for each.
        let standIns = try StandIns(in: scratch, rules: [
            StandInRule(match: "kubectl create namespace istio-system", stderr: #"Error from server (AlreadyExists): namespaces "istio-system" already exists"#),
            StandInRule(match: "kubectl create secret generic cacerts", stderr: #"error: failed to create secret secrets "cacerts" already exists"#),
        ])
        let run = try meshscript(["apply", addPrimary, "--out", scratch.at("out"), "--yes"], environment: cliEnvironment(home: scratch.home, path: standIns.path))
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.components(separatedBy: "already exists; left as it is").count == 5)
        #expect(standIns.invocations.count == 12)
    }

    /// What a process that succeeded wrote on stderr (a deprecation warning) is shown under its
    /// step; the AlreadyExists error a re-run tolerates is not repeated there.
    @Test func warningsFromSucceedingStepsAreShownUnderTheirStep() throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        let warning = "! values.global.jwtPolicy is deprecated; use Values.global.jwtPolicy"
        let standIns = try StandIns(in: scratch, rules: [
            StandInRule(match: "istioctl install --context=kind-cluster2", status: 0, stderr: warning),
            StandInRule(match: "kubectl create namespace istio-system --context=kind-cluster1",
                        stderr: #"Error from server (AlreadyExists): namespaces "istio-system" already exists"#),
        ])
        let run = try meshscript(["apply", addPrimary, "--out", scratch.at("out"), "--yes"], environment: cliEnvironment(home: scratch.home, path: standIns.path))
        #expect(run.status == 0, "\(run)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let shown = try #require(lines.firstIndex(of: "      | " + warning), "\(run.stdout)")
        let step = try #require(lines[..<shown].last { $0.hasPrefix("[") })
        #expect(step.hasPrefix("[9/12] create: install cluster2: install the control plane"), "\(step)")
        #expect(lines.filter { $0.hasPrefix("      | ") } == ["      | " + warning], "\(run.stdout)")
    }

    @Test func dryRunWritesAndRunsNothingAndPrintsTheCommands() throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        let standIns = try StandIns(in: scratch)
        let out = scratch.at("out")
        let run = try meshscript(["apply", addPrimary, "--out", out, "--dry-run"], environment: cliEnvironment(home: scratch.home, path: standIns.path))
        #expect(run.status == 0, "\(run)")
        #expect(standIns.invocations.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out))
        let plan = try plan(addPrimary, out: out, home: scratch.home)
        for step in plan.steps where step.commands[0].pipeline[0][0] != "meshscript" {
            #expect(run.stdout.contains("$ " + step.commands[0].displayString), "\(step.commands[0].displayString)")
        }
    }

    @Test func withoutYesAndWithoutATerminalNothingHappens() throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        let standIns = try StandIns(in: scratch)
        let out = scratch.at("out")
        let run = try meshscript(["apply", addPrimary, "--out", out], environment: cliEnvironment(home: scratch.home, path: standIns.path))
        #expect(run.status == 64, "\(run)")
        #expect(run.stderr.contains("stdin is not a terminal"))
        #expect(run.stderr.contains("--yes"))
        #expect(standIns.invocations.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aMissingKubectlExits69BeforeAnyClusterIsTouched() throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        let standIns = try StandIns(in: scratch, programs: ["istioctl"])
        // Only the stand-ins: /usr/bin may hold a real kubectl.
        let run = try meshscript(["apply", addPrimary, "--out", scratch.at("out"), "--yes"], environment: cliEnvironment(home: scratch.home, path: standIns.directory))
        #expect(run.status == 69, "\(run)")
        #expect(run.stderr.contains("kubectl: not found on PATH"))
        #expect(run.stderr.contains("nothing was run on any cluster"))
        #expect(!FileManager.default.fileExists(atPath: scratch.at("out")))
        #expect(standIns.invocations.isEmpty)
    }

    @Test(arguments: [nil, "kubectl apply -f - --context=kind-cluster2"])
    func theRemoteSecretNeverReachesTheTerminal(failing: String?) throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        let rules = failing.map { [StandInRule(match: $0, stderr: "error: unable to recognize \"STDIN\"")] } ?? []
        let standIns = try StandIns(in: scratch, rules: rules)
        let run = try meshscript(["apply", addPrimary, "--out", scratch.at("out"), "--yes"], environment: cliEnvironment(home: scratch.home, path: standIns.path))
        #expect(run.status == (failing == nil ? 0 : 70), "\(run)")
        // The token did flow (istioctl printed it, kubectl read it) ...
        #expect(standIns.invocations.contains { $0.program == "kubectl" && $0.stdin?.contains(StandIns.token) == true })
        // ... but only through the pipe.
        #expect(!run.output.contains(StandIns.token))
        #expect(!run.output.contains("istio-remote-secret-"))
    }

    @Test func ctrlCStopsTheRunningCommandAndExits130() throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        let standIns = try StandIns(in: scratch, rules: [StandInRule(match: "istioctl install --context=kind-cluster1", sleep: 60)])
        // The step sleeps 60 s: only the interrupt ends the run before the harness's 40 s kill.
        let run = try meshscript(["apply", addPrimary, "--out", scratch.at("out"), "--yes"], environment: cliEnvironment(home: scratch.home, path: standIns.path),
                                 timeout: .seconds(40), interruptWhen: { standIns.invocations.contains { $0.program == "istioctl" } })
        #expect(!run.timedOut, "\(run)")
        #expect(run.status == 130, "\(run)")
        #expect(run.stderr.contains("interrupted"))
        #expect(run.stderr.contains("apply interrupted at step 4"))
        #expect(run.stderr.contains("--resume"))
        #expect(standIns.invocations.last?.program == "istioctl")
        #expect(standIns.invocations.last?.finished == false)
        // The stand-in was stopped, not left behind: it never records its end.
        usleep(300_000)
        #expect(standIns.invocations.last?.finished == false)
    }

    /// `timeout -s INT` and a terminal's Ctrl-C signal the whole process group: the tool may die
    /// of SIGINT before apply's own handler runs. That is an interruption (130), not a failed step.
    @Test func aToolKilledBySIGINTIsAnInterruptionNotAFailure() throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        let standIns = try StandIns(in: scratch, rules: [StandInRule(match: "istioctl install", signal: SIGINT)])
        let run = try meshscript(["apply", addPrimary, "--out", scratch.at("out"), "--yes"], environment: cliEnvironment(home: scratch.home, path: standIns.path))
        #expect(run.status == 130, "\(run)")
        #expect(run.stderr.contains("apply interrupted at step 4"), "\(run.stderr)")
        #expect(!run.stderr.contains("killed by signal"))
    }

    /// A tool that echoes what it was given (here on stderr and stdout of a failing and a
    /// succeeding step) must not put a token or a key on the terminal or in a CI log.
    @Test(arguments: [0, 1]) func whatToolsPrintIsShownWithTokensAndKeysRedacted(status: Int) throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZWFkZXIifQ.c2lnbmF0dXJl"
        let echoed = "error: the server rejected: users:\n- name: c1\n  user:\n    token: \(StandIns.token)\nAuthorization: Bearer \(jwt)\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
        let standIns = try StandIns(in: scratch, rules: [StandInRule(match: "istioctl install", status: status, stderr: echoed)])
        let run = try meshscript(["apply", addPrimary, "--out", scratch.at("out"), "--yes"], environment: cliEnvironment(home: scratch.home, path: standIns.path))
        #expect(run.status == (status == 0 ? 0 : 70), "\(run)")
        #expect(run.output.contains("token: [redacted]"), "\(run.output)")
        for secret in [StandIns.token, jwt, "MIIEowIBAAKCAQEA"] {
            #expect(!run.output.contains(secret), "\(secret) reached the terminal")
        }
    }

    /// A tool that leaves a process behind holding its pipes (`sleep 100000 &`) must not hang
    /// apply; and Ctrl-C stops what the tool started too, not only the tool.
    @Test func aProcessLeftBehindByAToolDoesNotHangApply() throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        let standIns = try StandIns(in: scratch, rules: [StandInRule(match: "istioctl install", status: 0, background: true)])
        // The stand-in leaves a `sleep 100000` holding its output: apply must not wait for it (the
        // harness kills a run after 60 s).
        let run = try meshscript(["apply", addPrimary, "--out", scratch.at("out"), "--yes"], environment: cliEnvironment(home: scratch.home, path: standIns.path),
                                 timeout: .seconds(60))
        #expect(!run.timedOut && run.status == 0, "\(run)")
        #expect(run.stdout.contains("applied 10 changes"), "\(run.stdout)")
        let leftovers = String(decoding: FileManager.default.contents(atPath: standIns.directory + "/background.pid") ?? Data(), as: UTF8.self)
        for pid in leftovers.split(separator: "\n").compactMap({ pid_t($0) }) { kill(pid, SIGKILL) }
        #expect(leftovers.split(separator: "\n").count == 2)
    }

    @Test func scriptErrorsExit65AndABadFromStepExits64() throws {
        let scratch = try Scratch()
        let addPrimary = try exampleWithECDSARoot("add-primary.mesh", in: scratch)
        let standIns = try StandIns(in: scratch)
        let environment = cliEnvironment(home: scratch.home, path: standIns.path)
        let script = scratch.at("broken.mesh")
        try "mesh m1\ncluster c1 < install network nowhere >\n".write(toFile: script, atomically: true, encoding: .utf8)
        let broken = try meshscript(["apply", script, "--out", scratch.at("out"), "--yes"], environment: environment)
        #expect(broken.status == 65, "\(broken)")
        let range = try meshscript(["apply", addPrimary, "--out", scratch.at("out"), "--yes", "--from-step", "13"], environment: environment)
        #expect(range.status == 64, "\(range)")
        #expect(range.stderr.contains("--from-step 13: the plan has steps 1 to 12"))
        // Below the range too; and a bad --from-step stops before render writes anything.
        let zero = try meshscript(["apply", addPrimary, "--out", scratch.at("out"), "--yes", "--from-step", "0"], environment: environment)
        #expect(zero.status == 64, "\(zero)")
        #expect(zero.stderr.contains("--from-step 0: the plan has steps 1 to 12"))
        #expect(!FileManager.default.fileExists(atPath: scratch.at("out")))
        #expect(standIns.invocations.isEmpty)
    }
}

/// On a terminal, apply shows the plan and asks first. The terminal is util-linux `script`'s
/// pseudo-terminal; the answer is written to its stdin.
@Suite struct ApplyConfirmationTests {
    func applyOnATerminal(answer: String, scratch: Scratch, standIns: StandIns) throws -> (status: Int32, output: String) {
        try onATerminal([meshscriptBinary, "apply", try exampleWithECDSARoot("add-primary.mesh", in: scratch), "--out", scratch.at("out")],
                        environment: cliEnvironment(home: scratch.home, path: standIns.path), answers: [answer])
    }

    @Test func declining() throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch)
        let run = try applyOnATerminal(answer: "n", scratch: scratch, standIns: standIns)
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("Live plan for mesh 'mesh1'"))
        #expect(run.output.contains("8 to add, 0 to change, 0 to delete, 0 unchanged, 2 readiness waits"))
        #expect(run.output.contains("Apply 10 changes to the kube contexts kind-cluster1, kind-cluster2? [y/N]"))
        #expect(run.output.contains("nothing applied"))
        #expect(standIns.invocations.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: scratch.at("out")))
    }

    @Test func accepting() throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch)
        let run = try applyOnATerminal(answer: "y", scratch: scratch, standIns: standIns)
        #expect(run.status == 0, "\(run.output)")
        #expect(standIns.invocations.count == 12)
    }
}
