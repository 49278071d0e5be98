// Bounds that keep any script, however hostile, from crashing or hanging the host.
import Synchronization

public struct Limits: Sendable, Hashable {
    /// Syntactic nesting: blocks, lists, parentheses, interpolations.
    public var maxNestingDepth: Int
    /// Recipe calls and imports in progress at once.
    public var maxCallDepth: Int
    /// Statements run, expressions evaluated, plus the size of values built.
    public var maxSteps: Int

    public init(maxNestingDepth: Int = 256, maxCallDepth: Int = 128, maxSteps: Int = 5_000_000) {
        self.maxNestingDepth = maxNestingDepth
        self.maxCallDepth = maxCallDepth
        self.maxSteps = maxSteps
    }
}

/// Lets another thread (a Ctrl-C handler, a UI) stop a running evaluation. Thread-safe.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public func reset() { flag.store(false, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
