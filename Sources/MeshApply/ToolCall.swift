// One read-only tool call with a deadline: how the observer runs `kubectl get ... -o json`.
// The process is spawned from an argument list like every step of a plan; past the deadline
// it is stopped (SIGTERM, then SIGKILL), so one hung API server cannot hang a whole run.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a tool call ended.
public struct ToolCallResult: Sendable {
    /// How the process ended.
    public var termination: Termination
    /// Everything the process wrote on stdout (up to `ToolCall.outputLimit`).
    public var output: Data
    /// The last lines it wrote on stderr, with tokens and keys redacted.
    public var standardError: String
    /// The deadline passed and the process was stopped.
    public var timedOut: Bool
    /// stdout was longer than `ToolCall.outputLimit` and was cut: it cannot be parsed.
    public var truncated: Bool

    /// Exited 0, within the deadline, with its whole stdout.
    public var succeeded: Bool { termination.succeeded && !timedOut && !truncated }
}

/// Runs one read-only tool call (`kubectl get`, `istioctl remote-clusters`) with a deadline.
public enum ToolCall {
    /// The most stdout a call may produce (a list of every secret of a namespace).
    public static let outputLimit = 64 << 20

    /// Why the process could not be started at all.
    public enum Failure: Error, Sendable {
        /// The program is not on the environment's PATH.
        case notFound(program: String)
        /// The program was found but could not be started.
        case launchFailed(program: String, message: String)
    }

    /// Runs `arguments` (argv[0] looked up on the environment's PATH) with stdin from /dev/null.
    /// - Parameter arguments: the program and its arguments.
    /// - Parameter environment: the process's whole environment.
    /// - Parameter timeout: seconds before the process is stopped.
    public static func run(_ arguments: [String], environment: [String: String], timeout: Double) throws(Failure) -> ToolCallResult {
        guard let program = arguments.first, let path = ProgramLocator.locate(program, environment: environment) else {
            throw .notFound(program: arguments.first ?? "")
        }
        let children = ChildRegistry()
        let deadline = DispatchWorkItem { children.cancel(grace: 1) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        defer { deadline.cancel() }
        let result: PipelineResult
        do throws(PipelineError) {
            result = try Pipeline.run([(path, arguments)], environment: environment, children: children, outputLimit: outputLimit + 1)
        } catch {
            switch error {
            case .launchFailed(let program, let code): throw .launchFailed(program: program, message: String(cString: strerror(code)))
            case .cancelled: return ToolCallResult(termination: .signaled(SIGTERM), output: Data(), standardError: "", timedOut: true, truncated: false)
            }
        }
        let stage = result.stages[0]
        return ToolCallResult(termination: stage.termination, output: result.output,
                              standardError: Redaction.redact(ApplyRunner.tail(String(decoding: stage.standardError, as: UTF8.self))),
                              timedOut: children.isCancelled, truncated: result.output.count > outputLimit)
    }
}
