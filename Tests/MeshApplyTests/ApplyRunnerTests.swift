// ApplyRunner through the library, against stand-in kubectl and istioctl: the processes it
// starts and their order, pipes between the stages of a pipeline, the first failure stopping
// the run (and which process it blames), resuming, AlreadyExists, missing programs, cancel.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct ApplyRunnerTests {
    /// Runs `plan` with the stand-ins first on PATH; the in-process (render) steps count as done.
    func apply(_ plan: Plan, with standIns: StandIns, from first: Int = 1, runner: ApplyRunner? = nil,
               events: (inout [ApplyEvent]) -> Void = { _ in }) -> (report: ApplyReport?, failure: ApplyFailure?) {
        let runner = runner ?? ApplyRunner(environment: ["PATH": standIns.path])
        let done = Set(ApplyRunner.inProcessSteps(of: plan).map(\.number))
        do throws(ApplyFailure) {
            return (try runner.run(plan, from: first, doneInProcess: done), nil)
        } catch {
            return (nil, error)
        }
    }

    @Test func addPrimaryRunsThePlansCommandsInOrderWithPipes() throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch)
        let out = scratch.at("out")
        let plan = try plan(example("add-primary.mesh"), out: out, home: scratch.home)
        var events: [String] = []
        let report = try ApplyRunner(environment: ["PATH": standIns.path])
            .run(plan, doneInProcess: Set(ApplyRunner.inProcessSteps(of: plan).map(\.number))) { event in
                switch event {
                case .started(let step, let total): events.append("start \(step.number)/\(total)")
                case .finished(let result, _): events.append("finish \(result.step.number) \(result.outcome)")
                }
            }

        let recorded = standIns.invocations
        #expect(recorded.map(\.argv) == plan.processes(standInMeshscript: true))
        // The seed's commands, literally (not only "whatever the planner said").
        let expected: [[String]] = [
            ["kubectl", "create", "namespace", "istio-system", "--context=kind-cluster1"],
            ["kubectl", "create", "secret", "generic", "cacerts", "--context=kind-cluster1", "-n", "istio-system",
             "--from-file=\(out)/cluster1/ca-cert.pem", "--from-file=\(out)/cluster1/ca-key.pem",
             "--from-file=\(out)/cluster1/root-cert.pem", "--from-file=\(out)/cluster1/cert-chain.pem"],
            ["istioctl", "install", "--context=kind-cluster1", "-f", "\(out)/cluster1/install.yaml", "-y"],
            ["kubectl", "--context=kind-cluster1", "-n", "istio-system", "wait", "--for=condition=Ready", "pod", "--all", "--timeout=300s"],
        ]
        #expect(Array(recorded.prefix(4).map(\.argv)) == expected)
        let discovery = Array(recorded.suffix(6))
        #expect(discovery.map(\.argv) == [
            ["kubectl", "apply", "-f", "\(out)/cluster1/reader-service-account.yaml", "--context=kind-cluster1"],
            ["meshscript", "remote-secret", "--name=cluster1", "--istio=1.30", "--context=kind-cluster1"],
            ["kubectl", "apply", "-f", "-", "--context=kind-cluster2"],
            ["kubectl", "apply", "-f", "\(out)/cluster2/reader-service-account.yaml", "--context=kind-cluster2"],
            ["meshscript", "remote-secret", "--name=cluster2", "--istio=1.30", "--context=kind-cluster2"],
            ["kubectl", "apply", "-f", "-", "--context=kind-cluster1"],
        ])
        // kubectl apply read exactly what `meshscript remote-secret` printed, and that holds the token.
        for pair in [(discovery[1], discovery[2]), (discovery[4], discovery[5])] {
            #expect(pair.0.stdout?.contains(StandIns.token) == true)
            #expect(pair.1.stdin == pair.0.stdout)
        }
        // Steps in order, each started then finished; render steps done in-process.
        #expect(events == plan.steps.flatMap { step in
            let outcome = step.commands.first?.pipeline.first?.first == "meshscript" ? "doneInProcess" : "succeeded"
            return ["start \(step.number)/\(plan.steps.count)", "finish \(step.number) \(outcome)"]
        })
        #expect(report.results.count == plan.steps.count)
        // The last process's stdout is kept; the Secret istioctl printed is not.
        #expect(report.results.allSatisfy { !$0.output.contains(StandIns.token) })
        // (the reader account's `kubectl apply`, then the pipeline's)
        #expect(report.results.last?.output == "kubectl: done\nkubectl: done\n")
    }

    @Test func istio16UsesManifestApplyAndExperimentalRemoteSecret() throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch)
        let out = scratch.at("out")
        let plan = try plan(example("istio-1.6.mesh"), out: out, home: scratch.home)
        let result = apply(plan, with: standIns)
        #expect(result.failure == nil)
        let recorded = standIns.invocations.map(\.argv)
        #expect(recorded == plan.processes(standInMeshscript: true))
        #expect(recorded.contains(["istioctl", "--context=kind-cluster1", "manifest", "apply", "-f", "\(out)/cluster1/install.yaml"]))
        #expect(recorded.contains(["istioctl", "--context=kind-cluster2", "manifest", "apply", "-f", "\(out)/cluster2/install.yaml"]))
        #expect(recorded.contains(["istioctl", "x", "create-remote-secret", "--context=kind-cluster1", "--name=cluster1"]))
        #expect(recorded.contains(["istioctl", "x", "create-remote-secret", "--context=kind-cluster2", "--name=cluster2"]))
        #expect(!recorded.contains { $0.starts(with: ["istioctl", "install"]) || $0.starts(with: ["istioctl", "create-remote-secret"]) })
        #expect(standIns.invocations.filter { $0.program == "kubectl" && $0.stdin != nil }.allSatisfy { $0.stdin?.contains(StandIns.token) == true })
    }

    @Test func theFirstFailureStopsTheRunAndResumingRunsOnlyTheRest() throws {
        let scratch = try Scratch()
        let message = "Error: failed to install the control plane: context deadline exceeded"
        let standIns = try StandIns(in: scratch, rules: [StandInRule(match: "istioctl install --context=kind-cluster2", stderr: message)])
        let plan = try plan(example("add-primary.mesh"), out: scratch.at("out"), home: scratch.home)
        let failing = try plan.step { $0.pipeline == [["istioctl", "install", "--context=kind-cluster2", "-f", scratch.at("out") + "/cluster2/install.yaml", "-y"]] }

        let failure = try #require(apply(plan, with: standIns).failure)
        #expect(failure.step.number == failing.number)
        #expect(failure.reason == .exited(program: "istioctl", status: 1))
        #expect(failure.command == failing.commands[0])
        #expect(failure.standardErrorTail == message)
        #expect(failure.anythingRan)
        #expect(failure.description.contains("step \(failing.number)/\(plan.steps.count)"))
        #expect(failure.description.contains(failing.commands[0].displayString))
        // Everything up to and including the failing command ran; nothing after it.
        let upToFailure = plan.steps.filter { $0.number <= failing.number }.flatMap { $0.commands.flatMap(\.pipeline) }.filter { $0.first != "meshscript" }
        #expect(standIns.invocations.map(\.argv) == upToFailure)

        try standIns.setRules([])
        standIns.clearLog()
        let resumed = apply(plan, with: standIns, from: failing.number)
        #expect(resumed.failure == nil)
        #expect(standIns.invocations.map(\.argv) == plan.processes(from: failing.number, standInMeshscript: true))
        #expect(resumed.report?.results.filter { $0.outcome == .skipped }.map(\.step.number) == Array(1..<failing.number))
    }

    @Test func aFailingRemoteSecretIsBlamedOnMeshscriptNotOnTheKubectlItFeeds() throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch, rules: [StandInRule(match: "remote-secret --name=cluster1", stderr: "error: cannot read the reader account's credentials")])
        let plan = try plan(example("add-primary.mesh"), out: scratch.at("out"), home: scratch.home)
        let failure = try #require(apply(plan, with: standIns).failure)
        #expect(failure.reason == .exited(program: "meshscript", status: 1))
        #expect(failure.standardErrorTail == "error: cannot read the reader account's credentials")
        #expect(failure.step.phase == .discover)
        // kubectl did run (and failed on an empty stdin), and the next link was not started.
        #expect(standIns.invocations.suffix(2).map(\.program) == ["meshscript", "kubectl"])
        #expect(standIns.invocations.last?.stdin == "")
    }

    @Test func alreadyExistsFromKubectlCreateCountsAsDone() throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch, rules: [
            StandInRule(match: "kubectl create namespace istio-system --context=kind-cluster1",
                        stderr: #"Error from server (AlreadyExists): namespaces "istio-system" already exists"#),
        ])
        let plan = try plan(example("add-primary.mesh"), out: scratch.at("out"), home: scratch.home)
        let result = apply(plan, with: standIns)
        #expect(result.failure == nil)
        #expect(standIns.invocations.map(\.argv) == plan.processes(standInMeshscript: true))
        let namespace = try plan.step { $0.pipeline == [["kubectl", "create", "namespace", "istio-system", "--context=kind-cluster1"]] }
        #expect(result.report?.results.first { $0.step.number == namespace.number }?.outcome == .alreadyExisted)
    }

    @Test(arguments: [
        // Any other error from kubectl create is a failure,
        ("kubectl create namespace istio-system --context=kind-cluster1", #"Error from server (Forbidden): namespaces is forbidden"#),
        // and AlreadyExists is tolerated only from `kubectl create`.
        ("istioctl install --context=kind-cluster1", #"Error from server (AlreadyExists): something already exists"#),
    ])
    func otherErrorsAreNotTolerated(match: String, stderr: String) throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch, rules: [StandInRule(match: match, stderr: stderr)])
        let plan = try plan(example("add-primary.mesh"), out: scratch.at("out"), home: scratch.home)
        let failure = try #require(apply(plan, with: standIns).failure)
        #expect(failure.standardErrorTail == stderr)
        #expect(standIns.invocations.last?.description.hasPrefix(match) == true)
    }

    @Test func aMissingProgramStopsTheRunBeforeAnythingRuns() throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch, programs: ["istioctl"])
        let plan = try plan(example("add-primary.mesh"), out: scratch.at("out"), home: scratch.home)
        // Only the stand-ins' directory: /usr/bin may hold a real kubectl.
        let runner = ApplyRunner(environment: ["PATH": standIns.directory])
        let failure = try #require(apply(plan, with: standIns, runner: runner).failure)
        #expect(failure.reason == .notFound(program: "kubectl", why: "not found on PATH"))
        #expect(failure.description.contains("kubectl: not found on PATH"))
        #expect(failure.step.number == 2) // the first kubectl step, after render
        #expect(!failure.anythingRan)
        #expect(standIns.invocations.isEmpty)
    }

    /// A tool downloaded without `chmod +x` is on PATH: "not found" would send the user looking
    /// in the wrong place.
    @Test func aToolThatIsNotExecutableIsNamedAsSuch() throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch, programs: ["istioctl"])
        let kubectl = standIns.directory + "/kubectl"
        try "#!/bin/sh\n".write(toFile: kubectl, atomically: true, encoding: .utf8)
        #expect(chmod(kubectl, 0o644) == 0)
        let plan = try plan(example("add-primary.mesh"), out: scratch.at("out"), home: scratch.home)
        let runner = ApplyRunner(environment: ["PATH": standIns.directory])
        let failure = try #require(apply(plan, with: standIns, runner: runner).failure)
        #expect(failure.description.contains("kubectl: \(kubectl) is on PATH but cannot be executed (chmod +x \(kubectl))"), "\(failure.description)")
        #expect(!failure.anythingRan)
    }

    /// Linux will not execute a file some process holds open for writing (ETXTBSY). A writer's
    /// descriptor inherited by a concurrently spawned process makes that transient; the runner
    /// waits it out instead of failing the step (CI once failed exactly so).
    @Test func anExecutableBusyBeingWrittenIsWaitedForNotBlamed() throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch)
        let plan = try plan(example("add-primary.mesh"), out: scratch.at("out"), home: scratch.home)
        let writer = open(standIns.directory + "/kubectl", O_WRONLY | O_CLOEXEC)
        try #require(writer >= 0)
        let released = Thread { usleep(150_000); close(writer) }
        released.start()
        let result = apply(plan, with: standIns)
        #expect(result.failure == nil, "\(result.failure.map(String.init(describing:)) ?? "")")
        #expect(standIns.invocations.map(\.argv) == plan.processes(standInMeshscript: true))
    }

    @Test func aMeshscriptStepTheHostDidNotDoIsAFailureAndNeverSpawned() throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch, programs: ["kubectl", "istioctl", "meshscript"])
        let plan = try plan(example("add-primary.mesh"), out: scratch.at("out"), home: scratch.home)
        let failure: ApplyFailure
        do {
            try ApplyRunner(environment: ["PATH": standIns.path]).run(plan)
            Issue.record("run succeeded")
            return
        } catch {
            failure = error
        }
        #expect(failure.step.number == 1)
        #expect(failure.reason == .notDoneInProcess)
        #expect(standIns.invocations.isEmpty)
    }

    @Test func cancelStopsTheRunningProcessAndTheRun() throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch, rules: [StandInRule(match: "istioctl install --context=kind-cluster1", sleep: 30)])
        let plan = try plan(example("add-primary.mesh"), out: scratch.at("out"), home: scratch.home)
        let runner = ApplyRunner(environment: ["PATH": standIns.path])
        let started = Date()
        let canceller = Thread {
            while !standIns.invocations.contains(where: { $0.program == "istioctl" }) && Date().timeIntervalSince(started) < 20 { usleep(20_000) }
            usleep(200_000)
            runner.cancel()
        }
        canceller.start()
        let failure = try #require(apply(plan, with: standIns, runner: runner).failure)
        // The step sleeps 30 s and records its end: a cancel that waited for it would show that end.
        #expect(failure.reason == .cancelled)
        #expect(failure.step.commands.first?.pipeline.first?.prefix(2) == ["istioctl", "install"])
        #expect(standIns.invocations.last?.program == "istioctl")
        #expect(standIns.invocations.last?.finished == false)
    }
}
