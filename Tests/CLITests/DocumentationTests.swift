// The documentation's promises: every public declaration in Sources/ has a `///` comment, and
// every Swift sample in the DocC catalog (Sources/MeshScript/MeshScript.docc) is code that
// compiles and works, because the same code is in this file and the tests below run it.
// (That the catalog builds without warnings is scripts/docs.sh's check, a step of scripts/test.sh.)
import Foundation
import MeshScript
import MeshTestSupport
import Testing

// MARK: - The samples of "Embedding MeshScript" (Embedding.md), verbatim

/// Checks the script `main.mesh` held in memory and plans it: the plan when it checks clean,
/// and the diagnostics rendered as the CLI prints them.
func planInMemory(_ text: String) -> (plan: Plan?, diagnostics: String) {
    let loader = InMemoryLoader(["/scripts/main.mesh": text])
    let options = MeshOptions(workDirectory: "work", limits: Limits(maxSteps: 100_000), readsKubeconfig: false)
    let check = Mesh(options: options, loader: loader).check(file: "/scripts/main.mesh")
    let diagnostics = DiagnosticRenderer(sources: check.sources, color: false).render(check.diagnostics)
    return (check.checked?.plan, diagnostics)
}

// MARK: - The samples of "Adding a host command" (AddingAHostCommand.md), verbatim

/// The labels `label` gave a cluster, by key.
func labels(of cluster: ClusterDeclaration) -> [String: String] {
    guard case .map(let labels)? = cluster.hostData["labels"] else { return [:] }
    return labels.compactMapValues(\.string)
}

/// `label KEY "VALUE"` in a cluster block: gives the cluster a label, once per key.
func registerLabelCommand(on engine: MeshEngine) {
    let signature = CommandSignature(
        "label", summary: "a label of this cluster, for the host",
        allowedIn: [.cluster],
        parameters: [.init("KEY", .name), .init("VALUE", .string)])
    let builder = engine.builder
    engine.interpreter.register(signature) { call, _ in
        guard case .cluster(let cluster)? = builder.currentBlock,
              let key = call.arguments[0].string, let value = call.arguments[1].string else { return }
        var labels: [String: HostValue] = [:]
        if case .map(let given)? = builder.topology.hostData(of: .cluster(cluster))["labels"] { labels = given }
        if labels[key] != nil {
            throw CommandError("label '\(key)' is given twice in cluster '\(cluster)'", at: call.statementRange,
                               help: "keep one 'label \(key)' statement")
        }
        labels[key] = .string(value)
        builder.setHostData("labels", .map(labels), on: .cluster(cluster))
    }
}

/// `labels(CLUSTER)`: the cluster's labels as a list of `KEY=VALUE` strings, sorted by key.
func registerLabelsFunction(on engine: MeshEngine) {
    let signature = FunctionSignature("labels", summary: "labels(CLUSTER): the cluster's labels, as KEY=VALUE", arity: 1...1)
    let builder = engine.builder
    engine.interpreter.register(signature) { call in
        guard let name = call.arguments[0].string, let cluster = builder.topology.cluster(named: name) else {
            throw CommandError("labels() takes the name of a cluster declared before", at: call.arguments[0].range)
        }
        return .list(labels(of: cluster).sorted { $0.key < $1.key }.map { .string("\($0.key)=\($0.value)") })
    }
}

/// A `kubectl label` step for each labelled cluster, after its trust steps.
let labelStep: PlanHook = { plan, topology in
    for cluster in topology.clusters {
        let wanted = labels(of: cluster)
        guard !wanted.isEmpty, let access = plan.access[cluster.name.value] else { continue }
        let command = ["kubectl", "label", "namespace", "istio-system", "--overwrite"]
            + wanted.keys.sorted().map { "\($0)=\(wanted[$0]!)" } + access.flags
        plan.insert(Plan.Step(number: 0, phase: .trust, cluster: cluster.name.value, title: "label istio-system",
                              commands: [Plan.Command(command)], files: [], note: nil, kind: .host(name: "label")),
                    afterLastOf: .trust, in: cluster.name.value)
    }
}

/// The labels in each labelled cluster's rendered istio-system manifest too.
let labelManifest: RenderHook = { files, topology, layout in
    for cluster in topology.clusters {
        let wanted = labels(of: cluster)
        guard !wanted.isEmpty, let index = files.firstIndex(where: { $0.path == layout.namespace(cluster.name.value) }),
              let labelled = ManifestEdit.settingLabels(wanted, in: files[index].content) else { continue }
        files[index].content = labelled
    }
}

/// Checks the script at `path` with `label`, `labels()` and their hooks; the check, and a
/// warning for every cluster without a `team` label.
func checkLabelled(_ path: String, out: String = "out") -> (check: MeshCheck, warnings: [Diagnostic]) {
    var options = MeshOptions(workDirectory: out, environment: ProcessInfo.processInfo.environment, readsKubeconfig: false)
    options.planHooks = [labelStep]
    options.renderHooks = [labelManifest]
    let mesh = Mesh(options: options)
    registerLabelCommand(on: mesh.engine)
    registerLabelsFunction(on: mesh.engine)
    let check = mesh.check(file: path)
    let warnings = check.topology.clusters.filter { labels(of: $0)["team"] == nil }.map { cluster in
        Diagnostic.warning("cluster '\(cluster.name.value)' has no 'team' label", at: cluster.name.range,
                           help: "add 'label team \"NAME\"' to its block")
    }
    return (check, warnings)
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
        let (plan, diagnostics) = planInMemory(Self.plain)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(plan?.mesh == "fleet")
        #expect(plan?.clusters == ["east", "west"])
        #expect(plan?.steps.contains { $0.phase == .discover } == true)

        let refused = planInMemory("cluster east < trust from nowhere >\n")
        #expect(refused.plan == nil)
        #expect(refused.diagnostics.contains("main.mesh:1:"), "\(refused.diagnostics)")
        #expect(refused.diagnostics.contains("nowhere"), "\(refused.diagnostics)")
    }

    @Test func theLabelHostRecordsLabelsReachesThePlanAndTheFilesAndWarns() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // The catalog's script, with an ECDSA root: its labels are the subject, not RSA 4096 keys.
        let path = try scratch.write("fleet.mesh", Self.fleet + "root root < key ecdsa p256 >\n")
        let (check, warnings) = checkLabelled(path, out: scratch.at("out"))
        #expect(!check.hasErrors, "\(DiagnosticRenderer(sources: check.sources, color: false).render(check.diagnostics))")
        let east = try #require(check.topology.cluster(named: "east"))
        #expect(labels(of: east) == ["team": "payments", "tier": "gold"])
        #expect(labels(of: try #require(check.topology.cluster(named: "west"))).isEmpty)
        // The host's own check: west has no team label, a warning at its name.
        #expect(warnings.map(\.message) == ["cluster 'west' has no 'team' label"])
        // The hooks: a label step for east only, and east's rendered namespace labelled.
        let checked = try #require(check.checked)
        let steps = checked.plan.steps.filter { $0.kind == .host(name: "label") }
        #expect(steps.map(\.cluster) == ["east"])
        #expect(steps.first?.commands.first?.pipeline.first == ["kubectl", "label", "namespace", "istio-system", "--overwrite",
                                                                "team=payments", "tier=gold", "--context=kind-east"])
        _ = try checked.render()
        let namespace = try String(contentsOfFile: scratch.at("out/east/istio-system-namespace.yaml"), encoding: .utf8)
        #expect(namespace.contains("    team: payments\n    tier: gold\n"), "\(namespace)")
    }

    @Test func theLabelCommandRefusesAKeyGivenTwiceAndAStatementOutsideACluster() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = try scratch.write("twice.mesh", """
            cluster east < trust from root; label team "a"; label team "b" >

            """)
        let (check, _) = checkLabelled(path)
        let text = DiagnosticRenderer(sources: check.sources, color: false).render(check.diagnostics)
        // As AddingAHostCommand.md shows it.
        #expect(text.contains("twice.mesh:1:49: error: label 'team' is given twice in cluster 'east'\n"), "\(text)")
        #expect(text.contains("help: keep one 'label team' statement"), "\(text)")
        // allowedIn: [.cluster] is enforced before the script runs, by the resolve pass.
        let outside = try scratch.write("outside.mesh", "label team \"c\"\n")
        let (misplaced, _) = checkLabelled(outside)
        let misplacedText = DiagnosticRenderer(sources: misplaced.sources, color: false).render(misplaced.diagnostics)
        #expect(misplacedText.contains("outside.mesh:1:1: error: 'label' is only valid inside a cluster block"), "\(misplacedText)")
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
