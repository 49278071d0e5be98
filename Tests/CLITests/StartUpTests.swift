// What start-up depends on (BENCHMARKS.md, "Start-up"): on Linux the binary is linked static, so no
// dynamic loader relocates it at every start; the command line is read from declarations
// (MeshCommandLine), not by argument-parser's reflection; `check` shares the limit and kubeconfig
// options with the other commands; `check --syntax-only` parses on the main thread when its stack
// limit allows, and on the large-stack thread otherwise.
import Foundation
import MeshTestSupport
import Testing

@Suite struct StartUp {
    #if os(Linux)
    /// The ELF program header types of `path` (64-bit little-endian, as every Linux target Swift builds for here).
    static func programHeaderTypes(_ path: String) throws -> [UInt32] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        func integer<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
            data.subdata(in: offset..<(offset + MemoryLayout<T>.size)).withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
        }
        try #require(data.prefix(4) == Data([0x7F, 0x45, 0x4C, 0x46]) && data[4] == 2, "not a 64-bit ELF file: \(path)")
        let (offset, size, count) = (Int(integer(0x20, UInt64.self)), Int(integer(0x36, UInt16.self)), Int(integer(0x38, UInt16.self)))
        return (0..<count).map { integer(offset + $0 * size, UInt32.self) }
    }

    @Test func theBinaryHasNoDynamicLoader() throws {
        let types = try Self.programHeaderTypes(try requireMeshscript())
        let interpreter: UInt32 = 3, dynamic: UInt32 = 2  // PT_INTERP, PT_DYNAMIC
        #expect(!types.isEmpty)
        #expect(!types.contains(interpreter), "meshscript names a dynamic loader (PT_INTERP): it is not linked static")
        #expect(!types.contains(dynamic), "meshscript has a dynamic section: it is not linked static")
    }
    #endif

    /// swift-argument-parser read the command line by reflection: at every start it scanned the
    /// binary's protocol conformances and built its argument sets through Mirror (58% of a start
    /// of `check --syntax-only`). Every Swift symbol and type name of that module carries its
    /// mangled name, `14ArgumentParser`.
    @Test func theBinaryCarriesNoArgumentParser() throws {
        let binary = try Data(contentsOf: URL(fileURLWithPath: try requireMeshscript()), options: .alwaysMapped)
        #expect(binary.range(of: Data("14ArgumentParser".utf8)) == nil, "meshscript links swift-argument-parser")
    }

    #if os(Linux)
    /// `check --syntax-only` parses on the main thread only when that thread's stack may grow to
    /// 8 MiB (the usual limit); under a smaller RLIMIT_STACK it parses on the large-stack thread,
    /// so the deepest nesting still ends in the nesting diagnostic, never a crash.
    @Test(arguments: ["262144", "8388608", "unlimited"])
    func syntaxOnlyReportsDeepNestingWhateverTheStackLimit(_ stack: String) throws {
        let prlimit = try #require(executableOnPath("prlimit"), "prlimit (util-linux) sets the stack limit")
        let scratch = try Scratch()
        let depth = 100_000
        let path = try scratch.write("deep.mesh", "let x = " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth) + "\n")
        let run = try runProcess(prlimit, ["--stack=\(stack)", try requireMeshscript(), "check", "--syntax-only", path],
                                 environment: CLI.environment)
        CLI.expectScriptError(run, "nesting is too deep (the limit is 256 levels)")
    }
    #endif

    @Test(arguments: [["check", "--max-steps", "0", "examples/add-primary.mesh"], ["check", "--max-call-depth", "0", "examples/add-primary.mesh"],
                      ["plan", "--max-steps", "0", "examples/add-primary.mesh"], ["repl", "--max-steps", "0"]])
    func nonPositiveLimitsAreUsageErrors(_ arguments: [String]) throws {
        let run = try CLI.run(arguments)
        #expect(run.status == 64 && !run.signaled, "\(run)")
        #expect(run.stderr.contains("limits must be positive"), "\(run)")
    }

    @Test func checkPassesItsLimitsToTheInterpreter() throws {
        let scratch = try Scratch()
        let loop = try scratch.write("loop.mesh", "for i in range(0, 1000) < let k = $i >\n")
        #expect(try CLI.run(["check", "--no-kubeconfig", "--quiet", loop]).status == 0)
        CLI.expectScriptError(try CLI.run(["check", "--no-kubeconfig", "--max-steps", "50", loop]), "the evaluation step limit was reached")
        let calls = try scratch.write("calls.mesh", "recipe a() < b >\nrecipe b() < c >\nrecipe c() < d >\nrecipe d() < >\na\n")
        #expect(try CLI.run(["check", "--no-kubeconfig", "--quiet", "--max-call-depth", "4", calls]).status == 0)
        CLI.expectScriptError(try CLI.run(["check", "--no-kubeconfig", "--max-call-depth", "3", calls]), "recipe calls are nested too deeply (the limit is 3)")
    }

    /// `repl --max-steps` bounds every entry of the session (here piped, so it reads line by line).
    @Test func replPassesItsLimitsToTheSession() throws {
        let loop = "for i in range(0, 1000) < let k = $i >\n"
        func repl(_ options: [String]) throws -> ProcessRun {
            try runProcess(try requireMeshscript(), ["repl"] + options, environment: CLI.environment, input: .text(loop))
        }
        #expect(try repl([]).status == 0)
        let limited = try repl(["--max-steps", "50"])
        #expect(limited.status == 65 && !limited.signaled, "\(limited)")
        #expect(limited.stderr.contains("the evaluation step limit was reached (50 steps)"), "\(limited)")
    }

    @Test func checkAndPlanDescribeTheSharedOptionsAlike() throws {
        /// The help of --kubeconfig, --max-steps and --max-call-depth, from `command --help`.
        func sharedOptions(_ command: String) throws -> [String] {
            let run = try CLI.run([command, "--help"])
            let lines = run.stdout.components(separatedBy: "\n")
            let start = try #require(lines.firstIndex { $0.hasPrefix("  --kubeconfig <path>") }, "\(run)")
            let last = try #require(lines.firstIndex { $0.hasPrefix("  --max-call-depth <max-call-depth>") }, "\(run)")
            try #require(start < last, "\(run)")
            return Array(lines[start...(last + 2)])
        }
        let check = try sharedOptions("check")
        #expect(check.joined(separator: "\n").contains("(default: "), "\(check)")
        #expect(check == (try sharedOptions("plan")))
    }
}
