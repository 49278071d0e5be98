// Bounds that keep any script, however hostile, from crashing or hanging the host.
import Synchronization

/// Bounds on one evaluation, so that no script can crash or hang the host: exceeding one is an error diagnostic.
public struct Limits: Sendable, Hashable {
    /// Syntactic nesting: blocks, lists, parentheses, interpolations.
    public var maxNestingDepth: Int
    /// Recipe calls and imports in progress at once.
    public var maxCallDepth: Int
    /// Statements run, expressions evaluated, plus the size of values built.
    public var maxSteps: Int

    /// Limits with the given bounds; the defaults suit the CLI.
    public init(maxNestingDepth: Int = 256, maxCallDepth: Int = 128, maxSteps: Int = 5_000_000) {
        self.maxNestingDepth = maxNestingDepth
        self.maxCallDepth = maxCallDepth
        self.maxSteps = maxSteps
    }
}

/// Lets another thread (a Ctrl-C handler, a UI) stop a running evaluation. Thread-safe.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    /// A flag that is not set.
    public init() {}
    /// Asks the running evaluation to stop at its next step.
    public func cancel() { flag.store(true, ordering: .relaxed) }
    /// Clears the flag, for the next evaluation.
    public func reset() { flag.store(false, ordering: .relaxed) }
    /// Whether ``cancel()`` was called since the last ``reset()``.
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
