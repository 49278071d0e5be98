// InterruptMonitor in this process: SIGINT goes to the innermost running monitor only,
// and the process's own disposition comes back when the last one stops. (A broken relay
// makes kill(getpid(), SIGINT) terminate the test process, which fails the run loudly.)
import Foundation
import MeshREPL
import Synchronization
import Testing

@Suite(.serialized) struct InterruptMonitorTests {
    @Test func theInnermostMonitorGetsEachInterrupt() async throws {
        let before = sigintHandlerBits()
        let outer = Counter(), inner = Counter()
        let outerMonitor = InterruptMonitor { outer.increment() }
        let innerMonitor = InterruptMonitor { inner.increment() }
        #expect(outerMonitor.start())
        #expect(innerMonitor.start())
        #expect(sigintHandlerBits() != before)

        kill(getpid(), SIGINT)
        try await waitUntil { inner.value == 1 }
        innerMonitor.stop()
        #expect(!innerMonitor.isRunning)

        kill(getpid(), SIGINT)
        try await waitUntil { outer.value == 1 }
        #expect(inner.value == 1)
        outerMonitor.stop()
        #expect(sigintHandlerBits() == before)
    }

    @Test func startAndStopAreIdempotent() {
        let monitor = InterruptMonitor {}
        #expect(monitor.start())
        #expect(monitor.start())
        #expect(monitor.isRunning)
        monitor.stop()
        monitor.stop()
        #expect(!monitor.isRunning)
        #expect(monitor.start()) // its channel went back to the pool; a new one is taken
        monitor.stop()
    }
}

private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .sequentiallyConsistent) }
    var value: Int { count.load(ordering: .sequentiallyConsistent) }
}

private func waitUntil(_ condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within 5 seconds", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// The current SIGINT handler as bits, to compare dispositions.
private func sigintHandlerBits() -> Int {
    var action = sigaction()
    sigaction(SIGINT, nil, &action)
    return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
}
