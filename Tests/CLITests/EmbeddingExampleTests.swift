// examples/embedding, a host package, built (Swift 6 language mode: strict concurrency) and run
// as its README says: its command and function work, the plan shows the label step, and the
// long script is cancelled from another Task.
import Foundation
import MeshTestSupport
import Testing

@Suite struct EmbeddingExampleTests {
    @Test func theExampleHostBuildsWithoutWarningsAndRuns() throws {
        let swift = try #require(executableOnPath("swift"), "swift is not on PATH")
        let package = packageRoot.appendingPathComponent("examples/embedding").path
        // Its own build directory, kept between runs (.build-* is ignored by git).
        let scratch = packageRoot.appendingPathComponent(".build-embedding").path
        // scripts/test.sh has built the library there already: touching the host's source makes
        // this build compile the host again, so its own warnings are printed whatever is cached.
        let host = package + "/Sources/mesh-host/main.swift"
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: host)
        // SwiftPM and the driver leave a few /tmp/TemporaryDirectory.* behind on every build: give
        // them a temporary directory of their own, removed with the test's.
        let temporary = try Scratch()
        defer { temporary.remove() }
        let environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary.path]) { _, new in new }
        let build = try runProcess(swift, ["build", "--package-path", package, "--scratch-path", scratch], environment: environment,
                                   mergingStderr: true, timeout: .seconds(1800))
        #expect(build.status == 0, "\(build)")
        let warnings = build.stdout.split(separator: "\n").filter { $0.contains("warning:") && $0.contains("examples/embedding") }
        #expect(warnings.isEmpty, "the host's own code has warnings:\n\(warnings.joined(separator: "\n"))")

        let work = try Scratch()
        defer { work.remove() }
        let run = try runProcess(scratch + "/debug/mesh-host", [], directory: work.path, timeout: .seconds(120))
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("trust: label istio-system\n       $ kubectl label namespace istio-system --overwrite region=europe-west1 --context=eu-1\n"), "\(run.stdout)")
        #expect(run.stdout.contains("region=us-central1 --context=us-1"))
        #expect(run.stdout.hasSuffix("long script: cancelled: evaluation cancelled\n"), "\(run.stdout.suffix(300))")
    }
}
