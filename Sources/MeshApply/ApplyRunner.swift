// `apply`: carries out a plan's steps in order against the clusters, by running each step's
// commands (kubectl, istioctl) as processes. The first failure stops the run and says which
// step, which command, how it ended and what it printed on stderr, so the run can be resumed
// from that step. Steps the host does in-process (`meshscript render`) are never spawned.
import Foundation
import LocalFiles
import MeshDomain

/// What happened to one step.
public enum StepOutcome: Sendable, Hashable {
    /// Every command exited 0.
    case succeeded
    /// `kubectl create` said AlreadyExists: the object is there from an earlier run. The seed's
    /// `kubectl create` commands are kept as the plan shows them (not rewritten into an
    /// idempotent form), so a re-run tolerates this one error. The object is left as it is.
    case alreadyExisted
    /// The host did it in-process before any cluster step (`meshscript render`).
    case doneInProcess
    /// Before the first step of this run (`--from-step`): taken as done by an earlier run.
    case skipped
}

/// One step of a run and how it ended.
public struct StepResult: Sendable {
    /// The plan's step.
    public var step: Plan.Step
    /// How it ended.
    public var outcome: StepOutcome
    /// What the last process of each command printed on stdout (kubectl's `secret/cacerts
    /// created`), with tokens and keys redacted. A pipeline's intermediate output never appears here.
    public var output: String
    /// What the step's processes wrote on stderr although every one succeeded (istioctl's and
    /// kubectl's warnings, such as a deprecated field), the last lines of each process in order.
    /// The AlreadyExists error a `kubectl create` step tolerates is not repeated here.
    public var standardError: String = ""
}

/// What the runner reports as a run goes, for progress output.
public enum ApplyEvent: Sendable {
    /// A step is about to run: the step, and how many steps the run has.
    case started(Plan.Step, total: Int)
    /// A step finished: its result, and how many steps the run has.
    case finished(StepResult, total: Int)
}

/// Why a run stopped.
public struct ApplyFailure: Error, Sendable, CustomStringConvertible {
    /// How the failing command ended, or why the run stopped without one.
    public enum Reason: Sendable, Hashable {
        /// The command exited with a non-zero status.
        case exited(program: String, status: Int32)
        /// The command was killed by a signal.
        case signaled(program: String, signal: Int32)
        /// `why`: not on PATH, or on PATH but not executable (see `ProgramLocator.whyNotFound`).
        case notFound(program: String, why: String)
        /// The program was found but could not be started.
        case launchFailed(program: String, message: String)
        /// `cancel()` was called (Ctrl-C) while this step ran or before it started.
        case cancelled
        /// A `meshscript` step the host did not report as done in-process.
        case notDoneInProcess
        /// A step that reads a value (``/MeshDomain/Plan/Step/output``) printed nothing.
        case noValue(name: String)
        /// An argument uses a value (`${NAME}`) that no step of this run read.
        case unresolvedValue(name: String)
    }

    /// The step that failed.
    public var step: Plan.Step
    /// How many steps the plan has, for "step N/M".
    public var totalSteps: Int
    /// The command that failed (for display: `command.displayString`).
    public var command: Plan.Command?
    /// Why it failed.
    public var reason: Reason
    /// The last lines the failing process wrote on stderr.
    public var standardErrorTail: String
    /// Whether any process ran in this run before the failure; when none did, the clusters are
    /// untouched (a missing program is found before the first step).
    public var anythingRan: Bool

    /// The reason in words, e.g. "kubectl exited with status 1".
    public var reasonDescription: String {
        switch reason {
        case .exited(let program, let status): "\(program) exited with status \(status)"
        case .signaled(let program, let signal): "\(program) was killed by signal \(signal)"
        case .notFound(let program, let why): "\(program): \(why)"
        case .launchFailed(let program, let message): "\(program) could not be started: \(message)"
        case .cancelled: "interrupted"
        case .notDoneInProcess: "this step is done by meshscript itself, and it was not done before the cluster steps"
        case .noValue(let name): "it printed nothing, so \(name) is unknown (is the load balancer's address assigned yet?)"
        case .unresolvedValue(let name): "\(Plan.reference(name)) was not read by an earlier step of this run"
        }
    }

    /// The failed step, its command, the reason and the stderr tail, as printed to the user.
    public var description: String {
        var text = "step \(step.number)/\(totalSteps) (\(step.phase.rawValue) \(step.cluster): \(step.title)) failed: \(reasonDescription)"
        if let command { text += "\n  $ \(command.displayString)" }
        if !standardErrorTail.isEmpty { text += "\n" + standardErrorTail.split(separator: "\n", omittingEmptySubsequences: false).map { "  | " + $0 }.joined(separator: "\n") }
        return text
    }
}

/// What a run that got through every step did.
public struct ApplyReport: Sendable {
    /// Each step's result, in plan order.
    public var results: [StepResult]
}

/// Runs a plan's steps with an environment the host passes in (PATH decides which kubectl and
/// istioctl run; tests put stand-ins first). `cancel()` may be called from any thread.
public final class ApplyRunner: Sendable {
    /// The program of steps the host performs in-process instead of spawning.
    public static let inProcessProgram = "meshscript"
    /// How many lines of a failing process's stderr the failure keeps.
    public static let standardErrorTailLines = 20

    /// The environment every process runs with (PATH decides which kubectl and istioctl).
    public let environment: [String: String]
    /// Seconds between SIGTERM and SIGKILL when cancelled.
    public let terminationGrace: Double
    /// The executable a pipeline's `meshscript` stage runs (`meshscript remote-secret`): the
    /// host's own, so it need not be on PATH; nil: looked up on PATH like any other program.
    public let meshscriptExecutable: String?
    private let children = ChildRegistry()

    /// A runner spawning processes with `environment`; `terminationGrace` is seconds from SIGTERM to SIGKILL on cancel.
    public init(environment: [String: String], terminationGrace: Double = 3, meshscriptExecutable: String? = nil) {
        self.environment = environment
        self.terminationGrace = terminationGrace
        self.meshscriptExecutable = meshscriptExecutable
    }

    /// The steps whose commands are all `meshscript ...`: the host does them in-process (render)
    /// before the cluster steps, and passes their numbers to `run` as done.
    public static func inProcessSteps(of plan: Plan) -> [Plan.Step] {
        plan.steps.filter { step in
            !step.commands.isEmpty && step.commands.allSatisfy { $0.pipeline.first?.first == inProcessProgram }
        }
    }

    /// Stops the running processes (SIGTERM, then SIGKILL after the grace period); the run then
    /// fails with `.cancelled` at the step it was on.
    public func cancel() { children.cancel(grace: terminationGrace) }

    /// Runs the steps numbered `firstStep` and after, in order, and stops at the first failure.
    /// - Parameters:
    ///   - plan: the plan to run.
    ///   - firstStep: the number of the first step to run (1: from the start; a resumed apply gives a later one).
    ///   - doneInProcess: the numbers of the steps the host has already done itself (see
    ///     `inProcessSteps(of:)`); a `meshscript` step missing from it fails the run.
    ///   - progress: called on the calling thread when a step starts and when it finishes.
    @discardableResult
    public func run(_ plan: Plan, from firstStep: Int = 1, doneInProcess: Set<Int> = [],
                    progress: (ApplyEvent) -> Void = { _ in }) throws(ApplyFailure) -> ApplyReport {
        // A plan may hold a selection of steps (those a live plan says change something): the
        // progress counts against the highest step number.
        let total = plan.steps.map(\.number).max() ?? 0
        let inProcess = Set(Self.inProcessSteps(of: plan).map(\.number))
        var report = ApplyReport(results: [])
        // A step that reads a value changes nothing: it runs even before `firstStep`, so that the
        // steps after it have the value.
        let pending = plan.steps.filter { $0.number >= firstStep || $0.output != nil }
        var values: [String: String] = [:]
        for step in plan.steps where step.number < firstStep && step.output == nil {
            report.results.append(StepResult(step: step, outcome: .skipped, output: ""))
        }

        // Every program is looked up before the first step, so a missing istioctl stops the run
        // before it has touched any cluster rather than half-way.
        var locations: [String: String] = [:]
        for step in pending where !inProcess.contains(step.number) {
            for command in step.commands {
                for program in command.pipeline.compactMap(\.first) where locations[program] == nil {
                    if program == Self.inProcessProgram, let own = meshscriptExecutable {
                        locations[program] = own
                        continue
                    }
                    guard let path = ProgramLocator.locate(program, environment: environment) else {
                        throw ApplyFailure(step: step, totalSteps: total, command: command,
                                           reason: .notFound(program: program, why: ProgramLocator.whyNotFound(program, environment: environment)),
                                           standardErrorTail: "", anythingRan: false)
                    }
                    locations[program] = path
                }
            }
        }

        var anythingRan = false
        for step in pending {
            if children.isCancelled {
                throw ApplyFailure(step: step, totalSteps: total, command: nil, reason: .cancelled, standardErrorTail: "", anythingRan: anythingRan)
            }
            progress(.started(step, total: total))
            if inProcess.contains(step.number) {
                guard doneInProcess.contains(step.number) else {
                    throw ApplyFailure(step: step, totalSteps: total, command: step.commands.first, reason: .notDoneInProcess,
                                       standardErrorTail: "", anythingRan: anythingRan)
                }
                let result = StepResult(step: step, outcome: .doneInProcess, output: "")
                report.results.append(result)
                progress(.finished(result, total: total))
                continue
            }
            var result = StepResult(step: step, outcome: .succeeded, output: "")
            for (index, planned) in step.commands.enumerated() {
                let command = planned.resolving(values)
                if let name = command.references(among: plan.outputs).first {
                    throw ApplyFailure(step: step, totalSteps: total, command: planned, reason: .unresolvedValue(name: name),
                                       standardErrorTail: "", anythingRan: anythingRan)
                }
                let stages = command.pipeline.map { (path: locations[$0[0]]!, arguments: $0) }
                let outcome: PipelineResult
                do throws(PipelineError) {
                    anythingRan = true
                    outcome = try Pipeline.run(stages, environment: environment, children: children)
                } catch {
                    let reason: ApplyFailure.Reason = switch error {
                    case .cancelled: .cancelled
                    case .launchFailed(let program, let code): .launchFailed(program: program, message: String(cString: strerror(code)))
                    }
                    throw ApplyFailure(step: step, totalSteps: total, command: command, reason: reason, standardErrorTail: "", anythingRan: anythingRan)
                }
                result.output += Redaction.redact(String(decoding: outcome.output, as: UTF8.self))
                guard let failed = Self.failedStage(outcome) else {
                    for stage in outcome.stages where !stage.standardError.isEmpty {
                        result.standardError += Redaction.redact(Self.tail(String(decoding: stage.standardError, as: UTF8.self))) + "\n"
                    }
                    if let name = step.output, index == step.commands.count - 1 {
                        // What the reading printed, trimmed; nothing at all is no value.
                        guard let value = Self.value(printed: outcome.output) else {
                            throw ApplyFailure(step: step, totalSteps: total, command: command, reason: .noValue(name: name),
                                               standardErrorTail: "", anythingRan: anythingRan)
                        }
                        values[name] = value
                    }
                    continue
                }
                let stderr = String(decoding: failed.standardError, as: UTF8.self)
                if Self.isAlreadyExists(command, failed, stderr: stderr) {
                    result.outcome = .alreadyExisted
                    continue
                }
                let reason: ApplyFailure.Reason
                if children.isCancelled {
                    reason = .cancelled
                } else {
                    switch failed.termination {
                    case .exited(let status): reason = .exited(program: failed.program, status: status)
                    // Ctrl-C on a terminal (or `timeout -s INT`) reaches the whole process group:
                    // a tool killed by SIGINT was interrupted, whether or not cancel() ran first.
                    case .signaled(let signal): reason = signal == SIGINT ? .cancelled : .signaled(program: failed.program, signal: signal)
                    }
                }
                throw ApplyFailure(step: step, totalSteps: total, command: command, reason: reason,
                                   standardErrorTail: Redaction.redact(Self.tail(stderr)), anythingRan: anythingRan)
            }
            report.results.append(result)
            progress(.finished(result, total: total))
        }
        return report
    }

    /// The stage to blame when a pipeline fails (any stage failing fails it, like `pipefail`):
    /// the first one that failed on its own. A stage killed by SIGPIPE only lost its reader.
    static func failedStage(_ result: PipelineResult) -> StageResult? {
        let failed = result.stages.filter { !$0.termination.succeeded }
        return failed.first { $0.termination != .signaled(SIGPIPE) } ?? failed.first
    }

    /// `kubectl create ...` (a single process) that failed only because the object exists. kubectl
    /// says so in two ways: `Error from server (AlreadyExists): namespaces "istio-system" already
    /// exists` (create namespace), and `error: failed to create secret secrets "cacerts" already
    /// exists` (create secret generic, which drops the reason).
    static func isAlreadyExists(_ command: Plan.Command, _ stage: StageResult, stderr: String) -> Bool {
        guard command.pipeline.count == 1, let arguments = command.pipeline.first,
              (arguments.first.map { FilePath.lastComponent(of: $0) }) == "kubectl",
              arguments.dropFirst().first(where: { !$0.hasPrefix("-") }) == "create",
              stage.termination == .exited(1) else { return false }
        return stderr.contains("(AlreadyExists)") || stderr.hasPrefix("error: failed to create ") && stderr.contains(" already exists")
    }

    /// A reading step's stdout without surrounding whitespace; nil when that leaves nothing.
    static func value(printed output: Data) -> String? {
        let value = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    static func tail(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.suffix(standardErrorTailLines).joined(separator: "\n")
    }
}
