// Running the chosen steps: progress (one line per step, with a running clock on a terminal),
// the journal after every finished step, and what to do after a failure.
import Foundation
import MeshScript

extension Apply {
    func runSteps(_ steps: [LiveStep], plan: Plan, firstStep: Int, environment: [String: String]) throws {
        var stderr = StandardError()
        var toRun = plan
        toRun.steps = steps.map(\.step)
        let changes = Dictionary(steps.map { ($0.step.number, $0.change) }, uniquingKeysWith: { first, _ in first })
        let inProcess = Set(ApplyRunner.inProcessSteps(of: toRun).map(\.number))
        var journal = try openJournal(plan)
        let runner = ApplyRunner(environment: environment, meshscriptExecutable: ownExecutable())
        let interrupts = InterruptHandler { runner.cancel() }
        defer { interrupts.restore() }
        let progress = Progress()
        var journalError: Error?
        if firstStep > 1 { print("starting at step \(firstStep); steps 1 to \(firstStep - 1) are taken as done") }
        do {
            try runner.run(toRun, from: firstStep, doneInProcess: inProcess) { event in
                switch event {
                case .started(let step, let total):
                    print("[\(step.number)/\(total)] \(changes[step.number]?.rawValue ?? "run"): \(step.phase.rawValue) \(step.cluster): \(step.title)")
                    for command in step.commands where !inProcess.contains(step.number) { print("      $ \(command.displayString)") }
                    fflush(nil)
                    progress.begin("      running")
                case .finished(let result, _):
                    progress.clear()
                    report(result)
                    if changes[result.step.number]?.runs == true {
                        do { try journal.record(result.step, change: changes[result.step.number]!, in: out) } catch { journalError = error }
                    }
                }
                fflush(nil)
            }
        } catch {
            progress.clear()
            fflush(nil)
            try explain(error)
        }
        if let journalError { print("warning: the journal could not be written: \(journalError)", to: &stderr) }
    }

    private func openJournal(_ plan: Plan) throws -> ApplyJournal {
        do {
            if resume, let journal = try ApplyJournal.load(from: options.workDirectory) { return journal }
            let journal = try ApplyJournal(plan: plan)
            try journal.save(in: options.workDirectory)
            return journal
        } catch {
            var stderr = StandardError()
            print("error: cannot write \(ApplyJournal.path(in: out)): \(error); nothing was changed in any cluster", to: &stderr)
            throw Exit.stepFailed
        }
    }

    private func report(_ result: StepResult) {
        switch result.outcome {
        case .doneInProcess: print("      done: rendered into \(out)")
        case .alreadyExisted: print("      already exists; left as it is")
        case .succeeded, .skipped: break
        }
        for line in result.output.split(separator: "\n") { print("      \(line)") }
        // stderr of processes that succeeded: warnings worth seeing (marked as in a failure).
        for line in result.standardError.split(separator: "\n") { print("      | \(line)") }
    }

    private func explain(_ error: ApplyFailure) throws -> Never {
        var stderr = StandardError()
        print("error: \(error.description)", to: &stderr)
        let resume = Plan.Command(["meshscript", "apply", file, "--out", out, "--resume"] + (yes ? ["--yes"] : [])).displayString
        if error.reason == .cancelled {
            print("apply interrupted at step \(error.step.number); the step may be half done. To go on: \(resume)", to: &stderr)
            throw ExitCode(130)
        }
        if error.anythingRan {
            print("the steps before \(error.step.number) are done and recorded; fix the cause, then resume with: \(resume)", to: &stderr)
        } else {
            print("nothing was run on any cluster; fix the cause, then run apply again", to: &stderr)
        }
        throw Exit.stepFailed
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
                StandardStreams.writeError("\ninterrupted: stopping the running command\n")
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

/// This process's executable, for the plan's `meshscript remote-secret` stages: /proc/self/exe,
/// else argv[0] when it is a path.
func ownExecutable() -> String? {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
    let first = CommandLine.arguments.first ?? ""
    return first.contains("/") ? first : nil
}
