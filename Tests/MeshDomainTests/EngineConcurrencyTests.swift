// MeshEngine for a host that runs scripts on Tasks: the result crosses a Task boundary
// (it is Sendable: these tests would not compile otherwise), a cancel from another Task stops
// a run and is not lost when it comes first, a stopped run is not validated, and two
// engines running at once share nothing.
import Foundation
import MeshDomain
import MeshScriptInterpreter
import MeshTestSupport
import Testing

/// A script whose topology validation rejects (an unknown cluster), then a loop.
private let invalidThenSpin = """
    mesh mesh1
    network network1
    cluster cluster1 < trust from root; install; discover with nowhere >
    for i in range(0, 1000000000) < let k = $i >
    """

@Suite struct EngineConcurrency {
    @Test func aResultCrossesATaskBoundary() async {
        let result: MeshEngine.Result = await Task.detached {
            let engine = MeshEngine(loader: InMemoryLoader(["/m/t.mesh": "mesh mesh1\nnetwork n1\ncluster c1 < trust from root; install >"]))
            return engine.check(file: "/m/t.mesh")
        }.value
        #expect(result.diagnostics.isEmpty)
        #expect(result.topology.clusters.map(\.name.value) == ["c1"])
        #expect(result.stoppedBy == nil)
    }

    @Test func aCancelledRunIsNotValidated() throws {
        let engine = MeshEngine(loader: InMemoryLoader(["/m/t.mesh": invalidThenSpin]))
        engine.cancellation.cancel()
        let result = engine.check(file: "/m/t.mesh")
        #expect(result.diagnostics.map(\.message) == ["evaluation cancelled"])
        #expect(result.diagnostics.first?.notes.map(\.message) == ["the mesh was not validated: the script stopped before its end"])
        #expect(result.stoppedBy == .cancelled)
    }

    @Test func aRunStoppedByALimitIsNotValidated() {
        // Before, "unknown cluster 'nowhere'" came after the step limit: validation of the half
        // of the mesh declared before the stop.
        let engine = MeshEngine(loader: InMemoryLoader(["/m/t.mesh": invalidThenSpin]), limits: Limits(maxSteps: 10_000))
        let result = engine.check(file: "/m/t.mesh")
        #expect(result.diagnostics.map(\.message) == ["the evaluation step limit was reached (10000 steps)"])
        #expect(result.stoppedBy == .limit)
    }

    @Test func aRunToItsEndIsValidated() {
        let engine = MeshEngine(loader: InMemoryLoader(["/m/t.mesh": invalidThenSpin.replacingOccurrences(of: "1000000000", with: "3")]))
        let result = engine.check(file: "/m/t.mesh")
        #expect(result.diagnostics.map(\.message) == ["unknown cluster 'nowhere'"])
        #expect(result.stoppedBy == nil)
    }

    // One engine spins until cancelled from this Task while another, at the same time, checks
    // a script of its own: the cancel stops only the first, and neither sees the other's mesh.
    @Test(.timeLimit(.minutes(2)))
    func twoEnginesOnTasksShareNothing() async {
        let spinning = CancellationFlag()
        let (started, starting) = AsyncStream<Void>.makeStream()
        async let spin = onThread {
            defer { starting.finish() } // a run that fails early must not leave the wait below hanging
            let engine = MeshEngine(loader: InMemoryLoader(["/m/spin.mesh": "cluster a < >\nlet s = started()\n" + invalidThenSpin]),
                                    limits: Limits(maxSteps: .max), cancellation: spinning)
            engine.interpreter.register(FunctionSignature("started", summary: "the loop starts", arity: 0...0)) { _ in
                starting.yield()
                return .boolean(true)
            }
            return engine.check(file: "/m/spin.mesh")
        }
        for await _ in started { break }
        let other = await Task.detached {
            let engine = MeshEngine(loader: InMemoryLoader(["/m/t.mesh": "mesh mesh1\nnetwork n1\ncluster b < trust from root; install >"]))
            return engine.check(file: "/m/t.mesh")
        }.value
        await Task { spinning.cancel() }.value
        let stopped: MeshEngine.Result = await spin
        #expect(other.diagnostics.isEmpty)
        #expect(other.topology.clusters.map(\.name.value) == ["b"])
        #expect(stopped.diagnostics.map(\.message) == ["evaluation cancelled"])
        #expect(stopped.topology.clusters.map(\.name.value) == ["a", "cluster1"])
    }
}
