// The scripts scripts/bench measures are real programs: every kind it generates (the parse file,
// rings and full meshes, the language rows, the REPL's statements) checks clean, so a benchmark
// never times a run that stops at its first error.
import Foundation
import MeshTestSupport
import Testing

@Suite struct BenchGeneratorTests {
    @Test func everyGeneratedScriptChecksClean() throws {
        _ = try requireMeshscript()
        let scratch = try Scratch()
        defer { scratch.remove() }
        let emitted = try runProcess("/usr/bin/env", ["python3", packageRoot.path + "/scripts/bench", "--emit", scratch.path])
        try #require(emitted.status == 0, "scripts/bench --emit failed: \(emitted)")
        let scripts = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasSuffix(".mesh") }.sorted()
        // One of each kind; a generator that silently stopped writing would shrink this list.
        #expect(scripts == ["empty.mesh", "full-mesh-6.mesh", "list.mesh", "loop.mesh", "parse.mesh", "recipe.mesh",
                            "repl-20.mesh", "ring-1.mesh", "ring-12.mesh"])
        for script in scripts {
            // The language rows run a million steps, as the benchmark lets them.
            let run = try CLI.run(["check", "--no-kubeconfig", "--max-steps", "1000000000", scratch.at(script)], timeout: .seconds(300))
            #expect(run.status == 0 && run.stderr.isEmpty, "\(script) does not check clean: \(run)")
        }
        let ring = try String(contentsOfFile: scratch.at("ring-12.mesh"), encoding: .utf8)
        #expect(ring.contains("cluster c11 <") && ring.contains("discover with c10"), "the ring is not the one measured: \(ring)")
    }
}
