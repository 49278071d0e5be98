// The documentation's promises: every public declaration in Sources/ has a `///` comment, and
// every Swift sample in the DocC catalog (Sources/MeshScript/MeshScript.docc) is code that
// compiles and works, because the same code is in this file and the tests below run it.
// (That the catalog builds without warnings is scripts/docs.sh's check, a step of scripts/test.sh.)
import Foundation
import MeshScript
import MeshTestSupport
import Testing

// MARK: - The samples of "Embedding MeshScript" (Embedding.md), verbatim

/// Checks the script `main.mesh` held in memory and plans it: the plan, or the rendered diagnostics.
func planInMemory(_ text: String) -> Result<Plan, ScriptError> {
    let loader = InMemoryLoader(["/scripts/main.mesh": text])
    let engine = MeshEngine(environment: [:], loader: loader, limits: Limits(maxSteps: 100_000))
    let result = engine.check(file: "/scripts/main.mesh")
    if result.hasErrors {
        return .failure(ScriptError(diagnostics: result.diagnostics, sources: engine.sources))
    }
    let options = PlanOptions(workDirectory: "work", scriptPath: "/scripts/main.mesh")
    return .success(Planner.plan(result.topology, options: options))
}

// MARK: - The samples of "Adding a host command" (AddingAHostCommand.md), verbatim

/// The labels a script gives its clusters: by cluster, then by key, each value with the
/// statement that gave it.
final class ClusterLabels {
    var byCluster: [String: [String: Located<String>]] = [:]
}

/// `label KEY "VALUE"` in a cluster block: gives the cluster a label, once per key.
func registerLabelCommand(on engine: MeshEngine, labels: ClusterLabels) {
    let signature = CommandSignature(
        "label", summary: "a label of this cluster, for the host",
        allowedIn: [.cluster],
        parameters: [.init("KEY", .name), .init("VALUE", .string)])
    let builder = engine.builder
    engine.interpreter.register(signature) { call, _ in
        // A `cluster` statement declares its cluster before it runs its block, so the
        // block being run belongs to the last cluster declared.
        guard let cluster = builder.topology.clusters.last?.name.value,
              let key = call.arguments[0].string, let value = call.arguments[1].string else { return }
        if let earlier = labels.byCluster[cluster]?[key] {
            throw CommandError("label '\(key)' is given twice in cluster '\(cluster)'", at: call.statementRange,
                               help: "keep one 'label \(key)' statement",
                               notes: [.init("first given here", at: earlier.range)])
        }
        labels.byCluster[cluster, default: [:]][key] = Located(value, call.statementRange)
    }
}

/// `labels(CLUSTER)`: the cluster's labels as a list of `KEY=VALUE` strings, sorted by key.
func registerLabelsFunction(on engine: MeshEngine, labels: ClusterLabels) {
    let signature = FunctionSignature("labels", summary: "labels(CLUSTER): the cluster's labels, as KEY=VALUE", arity: 1...1)
    engine.interpreter.register(signature) { call in
        guard let cluster = call.arguments[0].string else {
            throw CommandError("labels() takes a cluster name, got \(call.arguments[0].value.typeName)",
                               at: call.arguments[0].range)
        }
        let pairs = (labels.byCluster[cluster] ?? [:]).sorted { $0.key < $1.key }
        return .list(pairs.map { .string("\($0.key)=\($0.value.value)") })
    }
}

/// Checks the script at `path` with `label` and `labels()` registered, and warns about every
/// cluster without a `team` label.
func checkLabelled(_ path: String) -> (engine: MeshEngine, labels: ClusterLabels, result: MeshEngine.Result) {
    let engine = MeshEngine(environment: ProcessInfo.processInfo.environment)
    let labels = ClusterLabels()
    registerLabelCommand(on: engine, labels: labels)
    registerLabelsFunction(on: engine, labels: labels)
    var result = engine.check(file: path)
    for cluster in result.topology.clusters where labels.byCluster[cluster.name.value]?["team"] == nil {
        result.diagnostics.append(.warning("cluster '\(cluster.name.value)' has no 'team' label", at: cluster.name.range,
                                           help: "add 'label team \"NAME\"' to its block"))
    }
    return (engine, labels, result)
}

@Suite struct DocumentationTests {
    static let catalog = packageRoot.appendingPathComponent("Sources/MeshScript/MeshScript.docc")

    static let fleet = """
        mesh fleet
        network net1
        cluster east < context kind-east; trust from root; install network net1; label team "payments"; label tier "gold" >
        cluster west < context kind-west; trust from root; install network net1; discover with east >
        assert len(labels("east")) == 2, "east has a team and a tier"

        """

    static let plain = """
        mesh fleet
        network net1
        cluster east < context kind-east; trust from root; install network net1 >
        cluster west < context kind-west; trust from root; install network net1; discover with east >

        """

    // MARK: Samples

    @Test func plansAScriptHeldInMemory() throws {
        let plan = try planInMemory(Self.plain).get()
        #expect(plan.mesh == "fleet")
        #expect(plan.clusters == ["east", "west"])
        #expect(plan.steps.contains { $0.phase == .discover })

        guard case .failure(let error) = planInMemory("cluster east < trust from nowhere >\n") else {
            Issue.record("a script naming an unknown root planned")
            return
        }
        #expect(error.description.contains("main.mesh:1:"), "\(error)")
        #expect(error.description.contains("nowhere"), "\(error)")
    }

    @Test func theLabelHostRecordsLabelsAndAnswersLabels() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = try scratch.write("fleet.mesh", Self.fleet)
        let (engine, labels, result) = checkLabelled(path)
        var printed: [String] = []
        engine.interpreter.output = { printed.append($0) }
        #expect(!result.hasErrors, "\(DiagnosticRenderer(sources: engine.sources, color: false).render(result.diagnostics))")
        #expect(labels.byCluster["east"]?["team"]?.value == "payments")
        #expect(labels.byCluster["east"]?["tier"]?.value == "gold")
        #expect(labels.byCluster["west"] == nil)
        // The host's own check: west has no team label, a warning at its name.
        let warnings = result.diagnostics.filter { $0.severity == .warning && $0.message.contains("'team' label") }
        #expect(warnings.map(\.message) == ["cluster 'west' has no 'team' label"])
        // labels() through the same interpreter, as a REPL entry would call it.
        let probe = engine.evaluate(source: "print labels(\"east\")\nprint labels(\"west\")", name: "probe")
        #expect(!probe.hasErrors)
        #expect(printed == ["[\"team=payments\", \"tier=gold\"]", "[]"], "\(printed)")
    }

    @Test func theLabelCommandRefusesAKeyGivenTwiceAndAStatementOutsideACluster() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = try scratch.write("twice.mesh", """
            cluster east < trust from root; label team "a"; label team "b" >
            label team "c"

            """)
        let (engine, _, result) = checkLabelled(path)
        let text = DiagnosticRenderer(sources: engine.sources, color: false).render(result.diagnostics)
        // As AddingAHostCommand.md shows it.
        #expect(text.contains("twice.mesh:1:49: error: label 'team' is given twice in cluster 'east'\n"), "\(text)")
        #expect(text.contains("note: first given here"), "\(text)")
        #expect(text.contains("help: keep one 'label team' statement"), "\(text)")
        // allowedIn: [.cluster] is enforced before the handler runs.
        #expect(text.contains("twice.mesh:2:1: error:"), "\(text)")
    }

    /// Every ```swift block of the catalog's pages is code of this file (compared line by line,
    /// leading blanks aside), so the documentation shows only code that compiles and is tested.
    @Test func everySwiftSampleInTheCatalogIsInThisFile() throws {
        let this = try String(contentsOfFile: #filePath, encoding: .utf8)
        let normalizedThis = Self.lines(this)
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.catalog.path).filter { $0.hasSuffix(".md") }
        #expect(pages.count >= 3, "\(pages)")
        var samples = 0
        for page in pages {
            let text = try String(contentsOf: Self.catalog.appendingPathComponent(page), encoding: .utf8)
            for block in Self.swiftBlocks(text) {
                samples += 1
                let sample = Self.lines(block).filter { !$0.isEmpty && $0 != "import MeshScript" && $0 != "import Foundation" }
                let found = Self.contains(normalizedThis, sample)
                #expect(found, "a Swift sample of \(page) is not in DocumentationTests.swift:\n\(block)")
            }
        }
        #expect(samples >= 4)
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func swiftBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = [], current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```swift" { current = [] } else if current != nil, trimmed == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else if current != nil { current!.append(line) }
        }
        return blocks
    }

    /// Whether `sample`'s non-empty lines occur in `haystack` in order, consecutively apart from empty lines.
    static func contains(_ haystack: [String], _ sample: [String]) -> Bool {
        guard let first = sample.first else { return true }
        let body = haystack.filter { !$0.isEmpty }
        for start in body.indices where body[start] == first {
            if body[start...].starts(with: sample) { return true }
        }
        return false
    }

    // MARK: Doc comments

    /// Every `public` or `open` declaration in Sources/ has a `///` comment directly above it
    /// (attributes may stand between), so the documentation has something to say about it.
    @Test func everyPublicDeclarationHasADocComment() throws {
        let sources = packageRoot.appendingPathComponent("Sources")
        var missing: [String] = []
        let files = FileManager.default.enumerator(atPath: sources.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(files.count > 50)
        for file in files.sorted() {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            missing += Self.undocumentedDeclarations(text).map { "Sources/\(file):\($0.line): \($0.text)" }
        }
        #expect(missing.isEmpty, "public declarations without a /// comment:\n\(missing.joined(separator: "\n"))")
    }

    @Test func theDocCommentCheckFindsWhatItShould() {
        let text = """
            /// Documented.
            public struct A {
                @discardableResult
                public func undocumented() -> Int { 0 }
                /// Documented, through an attribute.
                @inline(__always) public static func b() {}
                var open = 1
                func f() { open.removeLast() }
                public init() {}
            }
            // A plain comment is not documentation.
            public enum C {}
            @_exported import Foundation
            open class D {}
            """
        #expect(Self.undocumentedDeclarations(text).map(\.line) == [4, 9, 12, 14])
    }

    /// The lines (1-based) of `public`/`open` declarations with no `///` comment above them.
    static func undocumentedDeclarations(_ text: String) -> [(line: Int, text: String)] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var result: [(Int, String)] = []
        for (index, line) in lines.enumerated() where isPublicDeclaration(line) {
            var above = index - 1
            while above >= 0, lines[above].hasPrefix("@"), !isPublicDeclaration(lines[above]) { above -= 1 }
            if above < 0 || !lines[above].hasPrefix("///") { result.append((index + 1, line)) }
        }
        return result
    }

    /// Whether a line declares something `public` or `open` (not `@_exported import`).
    static func isPublicDeclaration(_ line: String) -> Bool {
        var words = line.split(separator: " ").map(String.init)
        while let first = words.first, first.hasPrefix("@") || ["final", "nonisolated", "static", "class", "override",
              "convenience", "required", "indirect", "mutating", "nonmutating"].contains(first) {
            words.removeFirst()
        }
        guard let first = words.first, words.count > 1 else { return false }
        if first == "public" || first.hasPrefix("public(") { return words[1] != "import" }
        let declarations = ["class", "func", "var", "let", "subscript", "init", "static", "override", "extension"]
        return first == "open" && declarations.contains(words[1])
    }
}
