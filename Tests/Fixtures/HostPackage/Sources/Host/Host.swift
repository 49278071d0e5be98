// What a host does with the engine across Tasks. Each function compiles only if the public
// API is usable under Swift 6 strict concurrency: the results leave the Task that made them,
// the cancellation handle is shared with another Task, and limits are plain values.
import MeshScript

/// Checks the script at `path` on a Task of its own, cancelling it from another Task once
/// `deadline` has passed: the host's bound on time, with the steps unbounded.
public func check(_ path: String, deadline: Duration) async -> MeshEngine.Result {
    let cancellation = CancellationFlag()
    let run = Task.detached {
        MeshEngine(limits: Limits(maxSteps: .max), cancellation: cancellation).check(file: path)
    }
    let watchdog = Task {
        try? await Task.sleep(for: deadline)
        cancellation.cancel()
    }
    let result = await run.value
    watchdog.cancel()
    return result
}

/// Runs `source` with a bare interpreter on a Task; the outcome comes back across it.
public func evaluate(_ source: String) async -> Interpreter.Outcome {
    await Task.detached {
        Interpreter(limits: Limits(maxStringBytes: 4096, maxListCount: 100)).run(source: source, name: "host.mesh")
    }.value
}

/// An actor keeping results, as a server handling several scripts would.
public actor Results {
    private var byPath: [String: MeshEngine.Result] = [:]

    /// An empty store.
    public init() {}

    /// Check `path` (on another Task) and keep what it gave.
    public func check(_ path: String) async -> [Diagnostic] {
        let result = await Host.check(path, deadline: .seconds(10))
        byPath[path] = result
        return result.diagnostics
    }

    /// Whether the run for `path` was stopped before its end.
    public func wasStopped(_ path: String) -> Bool { byPath[path]?.stoppedBy != nil }
}
