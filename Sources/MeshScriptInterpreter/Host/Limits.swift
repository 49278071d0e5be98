// Bounds that keep any script, however hostile, from crashing or hanging the host. Each is
// checked on its own: raising one (say `maxSteps` to `.max`, so that cancellation is the real
// bound on time) leaves the others holding, and each ends the run with a diagnostic.
import Synchronization

/// The bounds every run of an ``Interpreter`` is held to. Passing the nesting limit stops
/// parsing the file; passing any other stops the whole run with one diagnostic.
public struct Limits: Sendable, Hashable {
    /// Syntactic nesting: blocks, lists, parentheses, interpolations.
    public var maxNestingDepth: Int
    /// Recipe calls and imports in progress at once.
    public var maxCallDepth: Int
    /// Statements run, expressions evaluated, plus the size of values built.
    public var maxSteps: Int
    /// The longest string a run may build, in UTF-8 bytes: by `+`, interpolation, `str()`,
    /// `print`, an `assert` message, or read by `env()` or returned by a host function.
    public var maxStringBytes: Int
    /// The most items a list may have when it is built (a literal, `+`, a host function's
    /// result). `range()` builds nothing until it must become a list, so `for` over
    /// `range(0, 1000000000)` is not refused: its loop runs until a step limit or a cancel.
    public var maxListCount: Int
    /// The total bytes of strings, list storage and imported source one run may build,
    /// counted as they are built (a value dropped later is not refunded): the bound on the
    /// memory a run takes, whatever `maxSteps` is.
    public var maxValueBytes: Int
    /// The most errors one run may report before it stops (a loop failing at every
    /// iteration would otherwise fill memory with diagnostics).
    public var maxErrors: Int

    /// Bounds no ordinary mesh script comes near; each may be raised by the host.
    public init(maxNestingDepth: Int = 256, maxCallDepth: Int = 128, maxSteps: Int = 5_000_000,
                maxStringBytes: Int = 1 << 20, maxListCount: Int = 1 << 20, maxValueBytes: Int = 256 << 20,
                maxErrors: Int = 10_000) {
        self.maxNestingDepth = maxNestingDepth
        self.maxCallDepth = maxCallDepth
        self.maxSteps = maxSteps
        self.maxStringBytes = maxStringBytes
        self.maxListCount = maxListCount
        self.maxValueBytes = maxValueBytes
        self.maxErrors = maxErrors
    }
}

/// Stops a running evaluation from another thread or Task (a Ctrl-C handler, a UI, a
/// `withTaskCancellationHandler`). Sendable: take it from ``Interpreter/cancellation`` (or
/// `MeshEngine.cancellation`) before handing the run to its own Task, and call `cancel()`
/// from anywhere.
///
/// A cancel is sticky. Issued while a run is going, it stops that run at its next step with
/// the diagnostic "evaluation cancelled". Issued before a run starts, it holds: the run stops
/// at its first step. It keeps holding, for every later run, until ``reset()`` clears it; a
/// host that cancels one run and wants to start another calls `reset()` in between.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    /// A flag not yet cancelled.
    public init() {}

    /// Stop the running evaluation, and every later one until ``reset()``. Safe from any thread.
    public func cancel() { flag.store(true, ordering: .relaxed) }

    /// Clear a cancel, so the next run goes ahead.
    public func reset() { flag.store(false, ordering: .relaxed) }

    /// Whether a cancel holds.
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
