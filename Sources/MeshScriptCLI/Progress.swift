// Progress of long work (reading clusters, running steps). On a terminal one line shows what
// is being done and the seconds elapsed, redrawn in place; without a terminal each finished
// item is one plain line, so logs stay readable.
import Foundation

final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private let onTerminal: Bool
    private var label: String?
    private var started = Date()
    private var timer: DispatchSourceTimer?

    /// Progress goes to stderr, so stdout stays the command's output.
    /// - Parameter quiet: show nothing while working (finished lines still print).
    init(quiet: Bool = false) {
        onTerminal = !quiet && isatty(2) == 1 && getenv("TERM").map { String(cString: $0) } != "dumb"
        guard onTerminal else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 0.2, repeating: 0.2)
        timer.setEventHandler { [weak self] in self?.redraw() }
        timer.resume()
        self.timer = timer
    }

    /// What is being done now (shown with its elapsed time on a terminal only).
    func begin(_ text: String) {
        lock.withLock {
            label = text
            started = Date()
        }
        redraw()
    }

    /// A finished item: always one line.
    func finish(_ line: String) {
        lock.withLock {
            label = nil
            write((onTerminal ? "\r\u{1B}[K" : "") + line + "\n")
        }
    }

    deinit { timer?.cancel() }

    /// Clears the line; call before printing anything else on the terminal.
    func clear() {
        lock.withLock {
            label = nil
            if onTerminal { write("\r\u{1B}[K") }
        }
    }

    private func redraw() {
        lock.withLock {
            guard onTerminal, let label else { return }
            write("\r\u{1B}[K\(label) \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }

    /// A failed write (a closed pipe, a full disk) loses progress, never the command.
    private func write(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Foundation.write(2, $0.baseAddress, $0.count) }
    }
}
