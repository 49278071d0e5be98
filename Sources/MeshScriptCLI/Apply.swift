// `meshscript apply`: render, then run the plan's steps against the clusters, one primary at a time.
import ArgumentParser
import Foundation
import MeshScript

struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Carry out the plan against the clusters: render the work directory, then run each step's kubectl and istioctl commands.",
        discussion: """
            Validates the script (exit 65 on errors), checks the kubeconfig, renders into --out exactly as `render` \
            does, then runs the plan's steps in order with kubectl and istioctl from PATH, stopping at the first \
            failure (exit 70; resume with --from-step N). On a terminal apply shows the plan and asks first; \
            otherwise pass --yes (or --dry-run), or it exits 64. Declining the prompt exits 1 and changes nothing. \
            Re-running is safe: `kubectl create` answering AlreadyExists (the namespace or cacerts secret from an \
            earlier run) counts as done and leaves the object as it is; after `render --rotate`, delete the \
            cluster's cacerts secret first. Ctrl-C stops the running command and exits 130.
            """)

    @ArgumentParser.Argument(help: "The .mesh script.")
    var file: String

    @Option(name: .long, help: "The work directory to render into and apply from (the seed's WORK_DIR).")
    var out: String

    @Flag(name: .long, help: "Print the commands that would run; write nothing and run nothing.")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Start at this step (after a failure); earlier steps are taken as done.", valueName: "N"))
    var fromStep: Int = 1

    @Flag(name: .shortAndLong, help: "Do not ask for confirmation (required when stdin is not a terminal).")
    var yes = false

    @OptionGroup var limitOptions: LimitOptions

    func run() throws {
        var stderr = StandardError()
        let interactive = isatty(0) == 1
        if !yes && !dryRun && !interactive {
            print("error: apply changes clusters and stdin is not a terminal to confirm it; pass --yes to apply, or --dry-run to see what would run", to: &stderr)
            throw ExitCode(64)
        }
        let engine = try loadValidated(file, limits: limitOptions.limits)
        let topology = engine.topology
        let options = renderOptions(file, out: out)
        let environment = options.environment
        let credentials = try preflight(engine, options: options)
        let plan = Planner.plan(topology, options: MeshRenderer.planOptions(options, credentials: credentials))
        guard !plan.steps.isEmpty else {
            print("nothing to apply: no cluster has trust, install or discover")
            return
        }
        guard (1...plan.steps.count).contains(fromStep) else {
            print("error: --from-step \(fromStep): the plan has steps 1 to \(plan.steps.count)", to: &stderr)
            throw ExitCode(64)
        }
        // The steps render (below) carries out in-process: shown, but never run as commands.
        let inProcess = Set(ApplyRunner.inProcessSteps(of: plan).map(\.number))

        if dryRun {
            printDryRun(plan, inProcess: inProcess, environment: environment)
            return
        }
        if !yes {
            print(plan.text)
            let contexts = topology.clusters.map(\.contextName)
            let count = plan.steps.count - fromStep + 1
            print("Apply \(count) step\(count == 1 ? "" : "s") to the kube contexts \(contexts.joined(separator: ", "))? [y/N] ", terminator: "")
            fflush(nil)
            let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            guard answer == "y" || answer == "yes" else {
                print("nothing applied")
                throw ExitCode(1)
            }
        }

        // Render first, in-process: the trust steps' `meshscript render` and every file the
        // cluster steps read. Render is idempotent, so it also runs on a resumed apply.
        do {
            let summary = try MeshRenderer.render(topology, options: options, credentials: credentials)
            for remark in summary.remarks { print(remark) }
            print("rendered \(out): " + summary.counts)
        } catch {
            printRenderFailure(error)
            print("apply stopped before any cluster step: render failed", to: &stderr)
            throw Exit.scriptErrors
        }

        let runner = ApplyRunner(environment: environment)
        let interrupts = InterruptHandler { runner.cancel() }
        defer { interrupts.restore() }
        if fromStep > 1 { print("resuming at step \(fromStep) of \(plan.steps.count); steps 1 to \(fromStep - 1) are taken as done") }
        do {
            try runner.run(plan, from: fromStep, doneInProcess: inProcess) { event in
                switch event {
                case .started(let step, let total):
                    print("[\(step.number)/\(total)] \(step.phase.rawValue) \(step.cluster): \(step.title)")
                    for command in step.commands where !inProcess.contains(step.number) {
                        print("      $ \(command.displayString)")
                    }
                case .finished(let result, _):
                    switch result.outcome {
                    case .doneInProcess: print("      done: rendered into \(out)")
                    case .alreadyExisted: print("      already exists (from an earlier run); left as it is")
                    case .succeeded, .skipped: break
                    }
                    for line in result.output.split(separator: "\n") { print("      \(line)") }
                    // stderr of processes that succeeded: warnings worth seeing (marked as in a failure).
                    for line in result.standardError.split(separator: "\n") { print("      | \(line)") }
                }
                fflush(nil)
            }
        } catch {
            fflush(nil)
            print("error: \(error.description)", to: &stderr)
            let resume = Plan.Command(["meshscript", "apply", file, "--out", out, "--from-step", String(error.step.number)] + (yes ? ["--yes"] : [])).displayString
            if error.reason == .cancelled {
                print("apply interrupted at step \(error.step.number); the step may be half done. To go on: \(resume)", to: &stderr)
                throw ExitCode(130)
            }
            if error.anythingRan {
                print("steps before \(error.step.number) are done; fix the cause, then resume with: \(resume)", to: &stderr)
            } else {
                print("nothing was run on any cluster; fix the cause, then run apply again", to: &stderr)
            }
            throw Exit.stepFailed
        }
        print("applied \(plan.steps.count - fromStep + 1) step\(plan.steps.count - fromStep == 0 ? "" : "s"): mesh '\(plan.mesh)' is set up")
        print("verify: " + topology.clusters.map { "istioctl remote-clusters --context=\($0.contextName)" }.joined(separator: "; "))
    }

    private func printDryRun(_ plan: Plan, inProcess: Set<Int>, environment: [String: String]) {
        print("dry run: nothing is written and nothing is run")
        var missing: [String] = []
        for step in plan.steps where step.number >= fromStep {
            print("[\(step.number)/\(plan.steps.count)] \(step.phase.rawValue) \(step.cluster): \(step.title)")
            if inProcess.contains(step.number) {
                print("      done by meshscript itself: render into \(out)")
                continue
            }
            for command in step.commands {
                print("      $ \(command.displayString)")
                for program in command.pipeline.compactMap(\.first)
                where !missing.contains(program) && ProgramLocator.locate(program, environment: environment) == nil {
                    missing.append(program)
                }
            }
        }
        var stderr = StandardError()
        for program in missing { print("warning: \(program): not found on PATH", to: &stderr) }
    }
}

/// While apply runs commands, Ctrl-C (and SIGTERM) stop them instead of killing meshscript, so
/// the message can say which step was interrupted. The children get the default dispositions back.
final class InterruptHandler: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private static let signals = [SIGINT, SIGTERM]

    init(_ handler: @escaping @Sendable () -> Void) {
        for signalNumber in Self.signals {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("\ninterrupted: stopping the running command\n".utf8))
                handler()
            }
            source.resume()
            sources.append(source)
        }
    }

    func restore() {
        for source in sources { source.cancel() }
        for signalNumber in Self.signals { signal(signalNumber, SIG_DFL) }
    }
}
