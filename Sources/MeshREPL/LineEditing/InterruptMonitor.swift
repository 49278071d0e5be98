// Delivers Ctrl-C (SIGINT) to the REPL while it evaluates, so it can call the
// interpreter's thread-safe cancel(). The signal handler itself (in CEditLine's interrupt
// relay) only writes a byte to a pipe; a dispatch source reads it and calls back here.
import CEditLine
import Dispatch
import Synchronization

/// Calls `onInterrupt` on a private serial queue each time SIGINT arrives while it is
/// running (several signals arriving together may produce one call).
///
/// Receivers nest: SIGINT goes to the innermost one only, that is the `LineEditor` while
/// `readLine` runs, else the most recently started monitor, else whatever the process
/// had before (by default, termination). So a REPL can start one monitor for its whole
/// session: Ctrl-C at the prompt cancels the line, Ctrl-C during an evaluation reaches
/// the monitor. Or it can start/stop one around each evaluation. A Ctrl-C racing `stop()`
/// may be delivered or not. At most 16 receivers can be open at once in a process.
public final class InterruptMonitor: Sendable {
    private struct Running {
        let channel: Int32
        let source: any DispatchSourceRead
    }

    private let onInterrupt: @Sendable () -> Void
    private let queue = DispatchQueue(label: "MeshREPL.InterruptMonitor")
    private let running = Mutex<Running?>(nil)

    /// A monitor that calls `onInterrupt` once started; it does nothing until ``start()``.
    public init(onInterrupt: @escaping @Sendable () -> Void) {
        self.onInterrupt = onInterrupt
    }

    deinit { stop() }

    /// Whether the monitor is receiving SIGINT (between ``start()`` and ``stop()``).
    public var isRunning: Bool { running.withLock { $0 != nil } }

    /// Starts receiving SIGINT (idempotent). Returns false if no channel could be opened
    /// (too many receivers, or no pipe), in which case SIGINT keeps its old disposition.
    @discardableResult
    public func start() -> Bool {
        running.withLock { running in
            if running != nil { return true }
            let channel = meshedit_interrupt_channel_open(0)
            guard channel >= 0 else { return false }
            let source = DispatchSource.makeReadSource(fileDescriptor: meshedit_interrupt_channel_fd(channel), queue: queue)
            let onInterrupt = self.onInterrupt
            source.setEventHandler {
                if meshedit_interrupt_channel_drain(channel, nil) > 0 { onInterrupt() }
            }
            // The channel goes back to the pool only once the source can no longer read it.
            source.setCancelHandler { meshedit_interrupt_channel_release(channel) }
            source.activate()
            running = Running(channel: channel, source: source)
            return true
        }
    }

    /// Stops receiving (idempotent): from its return on, SIGINT goes to the next receiver
    /// out, or to the disposition the process had before the first one started.
    public func stop() {
        running.withLock { running in
            guard let current = running else { return }
            meshedit_interrupt_channel_stop(current.channel)
            current.source.cancel()
            running = nil
        }
    }
}
