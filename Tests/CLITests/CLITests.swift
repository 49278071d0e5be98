// The real `meshscript` binary, run as a process with argument arrays and a timeout: malformed
// and hostile inputs end in a diagnostic on stderr and exit 65, never a signal or a hang; the
// examples check clean; plan's JSON parses; help, version and usage errors behave.
import Foundation
import MeshKube
import MeshTestSupport
import Testing

// MARK: - Running the binary

enum CLI {
    /// A small, fixed environment: no colour, no CTX_* or KUBECONFIG from the developer's shell.
    static let environment = cliEnvironment(home: NSTemporaryDirectory(), path: ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")

    /// Run `meshscript` with `arguments` in the package root (examples are named relative to
    /// it); kill it and report a timeout after `timeout`.
    static func run(_ arguments: [String], timeout: Duration = .seconds(60),
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessRun {
        try meshscript(arguments, environment: environment, directory: packageRoot.path, timeout: timeout, sourceLocation: sourceLocation)
    }

    /// Expect a script error: exit 65, not a crash, and `fragment` in a diagnostic on stderr.
    static func expectScriptError(_ run: ProcessRun, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!run.signaled, "crashed: \(run)", sourceLocation: sourceLocation)
        #expect(run.status == 65, "\(run)", sourceLocation: sourceLocation)
        #expect(run.stderr.contains(fragment), "stderr lacks \"\(fragment)\": \(run)", sourceLocation: sourceLocation)
        #expect(run.stderr.contains(": error: ") || run.stderr.hasPrefix("error: "), "no diagnostic line: \(run)", sourceLocation: sourceLocation)
        #expect(run.stderr.contains(" generated\n"), "no summary line: \(run)", sourceLocation: sourceLocation)
    }
}

extension SplitMix {
    /// At least `count` bytes made of pieces drawn from `alphabet` (each piece a byte or a whole character).
    mutating func bytes(_ count: Int, from alphabet: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count + 4)
        while out.count < count { out += alphabet[Int(next() % UInt64(alphabet.count))] }
        return out
    }
}

// MARK: - Malformed input

/// A malformed script case, shown in test logs by its name (the texts are up to 1 MB).
struct MalformedScript: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var fragment: String
    init(_ name: String, _ text: String, _ fragment: String) {
        self.name = name
        self.text = text
        self.fragment = fragment
    }
    var testDescription: String { name }
}

@Suite struct MalformedInput {
    static let deep = 100_000

    static let malformedScripts: [MalformedScript] = [
        ("unterminated-string", "mesh m\ncluster c < context \"kind-c >\n", "unterminated string"),
        ("unterminated-block", "mesh m\ncluster c < trust from root\n", "expected '>' to close the block, found end of input"),
        ("unterminated-list", "let x = [1, 2\n", "expected ']' to close the list, found end of input"),
        ("unterminated-call", "let x = len([1]\n", "expected ')' to close the call to 'len'"),
        ("stray-angle", "mesh m\n>\n", "unexpected '>': it closes no block"),
        ("nested-clusters", String(repeating: "cluster a < ", count: deep), "nesting is too deep"),
        ("raw-angles", String(repeating: "<", count: deep), "expected a statement, found '<'"),
        ("raw-angles-closed", String(repeating: "<", count: deep) + String(repeating: ">", count: deep), "expected a statement, found '<'"),
        ("parens", "let x = " + String(repeating: "(", count: deep), "nesting is too deep"),
        ("brackets", "let x = " + String(repeating: "[", count: deep), "nesting is too deep"),
        ("bare-parens", String(repeating: "(", count: deep), "expected a statement, found '('"),
        ("calls", "let x = " + String(repeating: "len(", count: deep), "nesting is too deep"),
        ("nots", "let x = " + String(repeating: "not ", count: deep) + "true", "nesting is too deep"),
        ("ifs", String(repeating: "if true < ", count: deep), "nesting is too deep"),
        ("else-ifs", String(repeating: "if true < > else ", count: deep) + "< >", "nesting is too deep"),
        ("nested-strings", "let x = " + String(repeating: "\"${", count: deep) + "1" + String(repeating: "}\"", count: deep), "nested too deeply"),
        ("plus-chain", "let x = 1" + String(repeating: " + 1", count: deep), "nesting is too deep"),
        ("and-chain", "let x = true" + String(repeating: " and true", count: deep), "nesting is too deep"),
        ("recursion", "recipe forever(n) < forever $n >\nforever 1\n", "recipe calls are nested too deeply"),
        ("mutual-recursion", "recipe ping() < pong >\nrecipe pong() < ping >\nping\n", "recipe calls are nested too deeply"),
        ("big-range", "for i in range(0, 1000000000) < print $i >\n", "the evaluation step limit was reached"),
        ("nested-loops", "for i in range(0, 100000) < for j in range(0, 100000) < let k = $j > >\n", "the evaluation step limit was reached"),
        ("string-doubling", "recipe grow(s) < grow ($s + $s) >\ngrow \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n", "exceeds the limit of 1048576 bytes (Limits.maxStringBytes)"),
        ("control-characters", "mesh m\u{0}\u{1B}[2J\n", "unexpected control character U+0000"),
    ].map { MalformedScript($0.0, $0.1, $0.2) }

    @Test(arguments: malformedScripts)
    func malformedScriptIsADiagnostic(_ script: MalformedScript) throws {
        let (name, text, fragment) = (script.name, script.text, script.fragment)
        let scratch = try Scratch()
        let path = try scratch.write(name + ".mesh", text)
        let run = try CLI.run(["check", path])
        CLI.expectScriptError(run, fragment)
        #expect(run.stderrBytes < 100_000, "\(run.stderrBytes) bytes of diagnostics")
    }

    @Test func invalidUTF8() throws {
        let scratch = try Scratch()
        let path = try scratch.write("latin1.mesh", bytes: Array("mesh m\ncluster caf".utf8) + [0xE9] + Array(" < >\n".utf8))
        let run = try CLI.run(["check", path])
        CLI.expectScriptError(run, "latin1.mesh:2:12: error: the script is not valid UTF-8 (invalid byte 0xE9)")
    }

    @Test func importCycle() throws {
        let scratch = try Scratch()
        try scratch.write("a.mesh", "import \"b.mesh\"\n")
        try scratch.write("b.mesh", "import \"a.mesh\"\n")
        let main = try scratch.write("main.mesh", "import \"a.mesh\"\n")
        CLI.expectScriptError(try CLI.run(["check", main]), "import cycle: a.mesh → b.mesh → a.mesh")
    }

    @Test func importLeavingTheTree() throws {
        let scratch = try Scratch()
        try scratch.write("secret.mesh", "let token = \"x\"\n")
        let main = try scratch.write("project/main.mesh", "import \"../secret.mesh\"\n")
        CLI.expectScriptError(try CLI.run(["check", main]), "is outside the script's directory tree")
    }

    @Test func importInsideAMeshOrRootBlock() throws {
        let scratch = try Scratch()
        try scratch.write("m.mesh", "mesh other\nroot r2\n")
        let main = try scratch.write("main.mesh", "mesh m < import \"m.mesh\"; istio \"1.6\" >\nroot r < import \"m.mesh\"; org \"A\" >\n")
        let run = try CLI.run(["check", main])
        CLI.expectScriptError(run, "a second mesh 'other' is declared")
        #expect(!run.stderr.contains("Fatal error"))
    }

    /// The harness itself: a run that outlives its timeout is killed and reported.
    @Test func aHangIsKilledAndReported() throws {
        let scratch = try Scratch()
        let path = try scratch.write("slow.mesh", "for i in range(0, 4000000) < let k = $i >\n")
        var run: ProcessRun?
        withKnownIssue("the run is killed after 50 ms") {
            run = try CLI.run(["check", path], timeout: .milliseconds(50))
        }
        #expect(run?.timedOut == true)
        #expect(run?.signaled == true)
    }

    @Test func missingFile() throws {
        let scratch = try Scratch()
        let run = try CLI.run(["check", scratch.url.appendingPathComponent("nope.mesh").path])
        #expect(run.status == 65, "\(run)")
        #expect(!run.signaled)
        #expect(run.stderr.contains("cannot read"), "\(run)")
        #expect(run.stderr.contains("no such file"), "\(run)")
    }

    @Test func directoryInsteadOfAFile() throws {
        let scratch = try Scratch()
        let run = try CLI.run(["check", scratch.url.path])
        #expect(run.status == 65, "\(run)")
        #expect(run.stderr.contains("cannot read"), "\(run)")
    }

    @Test func allErrorsOfSeveralFilesAreReported() throws {
        let scratch = try Scratch()
        let good = try scratch.write("good.mesh", "mesh m\n")
        let bad1 = try scratch.write("bad1.mesh", "emti\n")
        let bad2 = try scratch.write("bad2.mesh", "let = 1\n>\n")
        let run = try CLI.run(["check", good, bad1, bad2])
        CLI.expectScriptError(run, "bad1.mesh:1:1: error: unknown command 'emti'")
        #expect(run.stderr.contains("bad2.mesh:1:5: error:"))
        #expect(run.stderr.contains("bad2.mesh:2:1: error:"))
        #expect(run.stdout.contains("good.mesh: ok"))
    }

    // A megabyte of each kind of input: enough for diagnostics to be capped and long lines cut.
    // The same inputs at 10 MB run in the benchmark (`scripts/bench --only big`), on the release
    // binary, so every test run does not pay for them.
    @Test func aMegabyteValidScript() throws {
        let scratch = try Scratch()
        var text = "mesh mesh1\nnetwork network1\n"
        var clusters = 0
        while text.utf8.count < 1_000_000 {
            text += "cluster cluster-\(clusters) < context \"kind-cluster-\(clusters)\"; trust from root; install network network1"
                + (clusters > 0 ? "; discover from cluster-\(clusters - 1)" : "") + " >\n"
            clusters += 1
        }
        let path = try scratch.write("big.mesh", text)
        let run = try CLI.run(["check", path])
        #expect(!run.signaled && run.status == 0, "\(run)")
        #expect(run.stdout.contains("ok (\(clusters) clusters, \(clusters - 1) discovery links)"), "\(run)")
    }

    @Test(arguments: [
        ("printable", (Array(32...126) + [10]).map { [$0] }),
        ("one-line-printable", Array(32...126).map { [$0] }),
        ("syntax-soup", Array("abc$ <>[](),;=\"{}+!#\\\n\t0123456789-_".utf8).map { [$0] }),
        ("syntax-soup-no-quotes", Array("ab $<>[](),;=+!\n0123-".utf8).map { [$0] }),
        ("any-bytes", Array(0...255).map { [$0] }),
        ("utf8-soup", ["é", "☃", "\u{10FFFF}", "a", "<", ">", "\n", "\"", "${", "}"].map { Array($0.utf8) }),
        ("words", ["cluster ", "mesh ", "trust ", "from ", "root ", "< ", "> ", "let ", "x ", "= ", "$x ", "for ", "in ", "if ",
                   "recipe ", "r(", ") ", "[", "] ", ", ", "\n", "; ", "import ", "\"a.mesh\" ", "else ", "+ ", "not "].map { Array($0.utf8) }),
    ] as [(String, [[UInt8]])])
    func aMegabyteOfGarbage(name: String, alphabet: [[UInt8]]) throws {
        let scratch = try Scratch()
        var noise = SplitMix(state: UInt64(name.utf8.count) &* 7919)
        let path = try scratch.write(name + ".mesh", bytes: noise.bytes(1_000_000, from: alphabet))
        let run = try CLI.run(["check", path])
        #expect(!run.signaled, "crashed: \(run)")
        #expect(run.status == 65, "\(run)")
        #expect(run.stderr.contains("error: "), "\(run)")
        // Diagnostics are capped and long lines cut: the output stays readable.
        #expect(run.stderrBytes < 1_000_000, "\(run.stderrBytes) bytes of diagnostics")
    }

    @Test func aMegabyteOfOperatorsAndNestedStrings() throws {
        let scratch = try Scratch()
        let chain = try scratch.write("chain.mesh", "let x = 1" + String(repeating: " + 1", count: 250_000))
        CLI.expectScriptError(try CLI.run(["check", chain]), "nesting is too deep")
        let strings = try scratch.write("strings.mesh", "let x = " + String(repeating: "\"${", count: 170_000) + "1" + String(repeating: "}\"", count: 170_000))
        CLI.expectScriptError(try CLI.run(["check", strings]), "nested too deeply")
    }
}

// MARK: - Normal use

@Suite struct CommandLineUse {
    static var examples: [String] {
        let root = packageRoot.appendingPathComponent("examples")
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".mesh") { found.append("examples/" + path) }
        }
        return found.sorted()
    }

    @Test func thereAreExamples() {
        #expect(Self.examples.count >= 5)
    }

    @Test(arguments: CommandLineUse.examples)
    func checkExampleExitsZero(_ path: String) throws {
        let run = try CLI.run(["check", path])
        #expect(run.status == 0 && !run.signaled, "\(run)")
        #expect(run.stdout.hasPrefix("\(path): ok ("), "\(run)")
        #expect(run.stderr.isEmpty, "\(run)")
    }

    @Test func checkQuietPrintsNothingForValidFiles() throws {
        let run = try CLI.run(["check", "--quiet", "examples/add-primary.mesh"])
        #expect(run.status == 0 && run.stdout.isEmpty && run.stderr.isEmpty, "\(run)")
    }

    @Test func planJSON() throws {
        let run = try CLI.run(["plan", "--format", "json", "--out", "work", "examples/add-primary.mesh"])
        #expect(run.status == 0, "\(run)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "not a JSON object: \(run)")
        #expect(json["mesh"] as? String == "mesh1")
        #expect(json["workDirectory"] as? String == "work")
        #expect(json["clusters"] as? [String] == ["cluster1", "cluster2"])
        let steps = try #require(json["steps"] as? [[String: Any]])
        let phases = steps.map { "\($0["phase"] as? String ?? "?") \($0["cluster"] as? String ?? "?")" }
        // One primary at a time (trust, then install and readiness), then discovery both ways.
        #expect(phases == [
            "trust cluster1", "trust cluster1", "trust cluster1", "install cluster1", "install cluster1",
            "trust cluster2", "trust cluster2", "trust cluster2", "install cluster2", "install cluster2",
            "discover cluster2", "discover cluster1",
        ])
        #expect(steps.map { $0["number"] as? Int ?? 0 } == Array(1...steps.count))
        let last = try #require(steps.last?["commands"] as? [[String: Any]])
        let pipeline = try #require(last.last?["pipeline"] as? [[String]])
        #expect(pipeline.first?.prefix(3) == ["meshscript", "remote-secret", "--name=cluster2"])
        #expect(pipeline.last?.prefix(4) == ["kubectl", "apply", "-f", "-"])
        let links = try #require(json["links"] as? [[String: String]])
        #expect(Set(links.map { "\($0["source"]!)->\($0["target"]!)" }) == ["cluster1->cluster2", "cluster2->cluster1"])
        // How the tools reach each cluster: no kubeconfig is set here, so the context alone.
        #expect(json["access"] as? [String: [String: String]] == ["cluster1": ["context": "kind-cluster1"], "cluster2": ["context": "kind-cluster2"]])
    }

    @Test func planTextAndGraph() throws {
        let plan = try CLI.run(["plan", "examples/three-primaries.mesh"])
        #expect(plan.status == 0, "\(plan)")
        #expect(plan.stdout.hasPrefix("Plan for mesh 'mesh1' (Istio \(IstioReleases.newest)): 3 clusters, 6 discovery links"), "\(plan)")
        let graph = try CLI.run(["graph", "examples/multi-network.mesh"])
        #expect(graph.status == 0, "\(graph)")
        #expect(graph.stdout.hasPrefix("digraph \"mesh1\" {"))
        #expect(graph.stdout.contains(#""cluster1" -> "cluster2""#))
    }

    @Test func planOfAnInvalidScriptIsExit65() throws {
        let scratch = try Scratch()
        let path = try scratch.write("bad.mesh", "mesh m\ncluster c < trust from rot >\n")
        let run = try CLI.run(["plan", path])
        CLI.expectScriptError(run, "unknown root 'rot'")
        #expect(run.stdout.isEmpty)
    }

    @Test(arguments: [["--help"], ["check", "--help"], ["plan", "--help"], ["graph", "--help"], ["help", "plan"], ["-h"]])
    func helpExitsZero(_ arguments: [String]) throws {
        let run = try CLI.run(arguments)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("USAGE:"), "\(run)")
    }

    @Test func version() throws {
        let run = try CLI.run(["--version"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines).contains(try Regex(#"^\d+\.\d+\.\d+"#)), "\(run)")
    }

    @Test(arguments: [
        ["check", "--bogus", "examples/add-primary.mesh"],
        ["plan", "--format", "yaml", "examples/add-primary.mesh"],
        ["frobnicate"],
        ["check"],
        ["plan"],
        ["plan", "a.mesh", "b.mesh"],
    ])
    func usageErrorsExit64(_ arguments: [String]) throws {
        let run = try CLI.run(arguments)
        #expect(run.status == 64 && !run.signaled, "\(run)")
        #expect(!run.stderr.isEmpty, "\(run)")
    }
}

// MARK: - check --syntax-only

@Suite struct SyntaxOnlyCheck {
    @Test func aScriptThatParsesIsSyntaxOkEvenWhenItWouldFailToRun() throws {
        let scratch = try Scratch()
        // An undefined variable, an unknown command and a missing import: all found only by running.
        let path = try scratch.write("runs-badly.mesh", "import \"missing.mesh\"\nprint $nope\nfrobnicate c1\n")
        let run = try CLI.run(["check", "--syntax-only", path])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "\(path): syntax ok\n")
        let full = try CLI.run(["check", "--no-kubeconfig", path])
        #expect(full.status == 65, "the full check runs it: \(full)")
    }

    @Test func aSyntaxErrorIsReportedWithExit65() throws {
        let scratch = try Scratch()
        let path = try scratch.write("open.mesh", "cluster c1 < install\n")
        CLI.expectScriptError(try CLI.run(["check", "--syntax-only", path]), "expected '>' to close the block")
    }

    @Test func everyExampleIsSyntaxOkQuietly() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("examples").path)
            .filter { $0.hasSuffix(".mesh") }.map { "examples/" + $0 }
        try #require(!examples.isEmpty)
        let run = try CLI.run(["check", "--syntax-only", "--quiet"] + examples)
        #expect(run.status == 0 && run.stdout.isEmpty && run.stderr.isEmpty, "\(run)")
    }

    @Test func anUnreadableFileIsAnError() throws {
        CLI.expectScriptError(try CLI.run(["check", "--syntax-only", "no-such-file.mesh"]), "cannot read 'no-such-file.mesh': no such file")
        CLI.expectScriptError(try CLI.run(["check", "--syntax-only", "examples"]), "cannot read 'examples': it is a directory")
        CLI.expectScriptError(try CLI.run(["check", "--syntax-only", "/dev/zero"], timeout: .seconds(20)), "is a device")
    }

    @Test func invalidUTF8IsASyntaxError() throws {
        let scratch = try Scratch()
        let path = scratch.at("bad.mesh")
        try Data([0x6D, 0x65, 0x73, 0x68, 0x20, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: path))
        CLI.expectScriptError(try CLI.run(["check", "--syntax-only", path]), "the script is not valid UTF-8 (invalid byte 0xFF)")
    }
}
