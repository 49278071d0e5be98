// plan.json against its JSON Schema (schema/plan.schema.json): the plan of every example and of
// generated meshes (primary-remote, Helm, ambient, a kubeconfig file) fits it, as `plan --format
// json` prints it and as render writes it; and the schema refuses a plan that is wrong.
import Foundation
import MeshTestSupport
import Testing

@Suite struct PlanSchemaTests {
    /// `meshscript plan SCRIPT --format json ARGS` in `directory`, its stdout saved as NAME.json in `scratch`.
    static func planFile(_ script: String, _ name: String, in scratch: Scratch, directory: String = packageRoot.path,
                         _ arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let run = try meshscript(["plan", script, "--format", "json", "--out", "work"] + arguments,
                                 environment: cliEnvironment(home: scratch.home), directory: directory, sourceLocation: sourceLocation)
        try #require(run.status == 0, "plan \(script): \(run)", sourceLocation: sourceLocation)
        return try scratch.write(name + ".json", run.stdout)
    }

    @Test func everyExamplesPlanFitsTheSchema() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let examples = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("examples").path)
            .filter { $0.hasSuffix(".mesh") }.sorted()
        #expect(examples.count >= 9, "\(examples)")
        let plans = try examples.map { try Self.planFile("examples/" + $0, $0, in: scratch) }
        let run = try checkPlanSchema(plans)
        #expect(run.status == 0, "\(run)")
    }

    /// render's WORK_DIR/plan.json, with the version on top.
    @Test func renderedPlanFitsTheSchema() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try meshscript(["render", try exampleWithECDSARoot("primary-remote-multi-network.mesh", in: scratch), "--out", "out"],
                                 environment: cliEnvironment(home: scratch.home), directory: scratch.path)
        try #require(run.status == 0, "\(run)")
        let plan = scratch.at("out/plan.json")
        #expect(try String(contentsOfFile: plan, encoding: .utf8).contains("\n  \"formatVersion\" : 1,\n"))
        let check = try checkPlanSchema([plan])
        #expect(check.status == 0, "\(check)")
    }

    static let generated: [(name: String, script: String)] = [
        ("primary-remote", """
            mesh gen
            network n0
            network n1
            cluster p0 < context "ctx-p0"; server "https://10.0.0.1:6443"; trust from root; install network n0 >
            cluster r0 < context "ctx-r0"; install remote of p0 network n1 >
            cluster r1 < context "ctx-r1"; install remote of p0 network n0 >
            cluster p1 < context "ctx-p1"; trust from root; install network n1; discover with p0 >
            cluster r2 < context "ctx-r2"; install remote of p1 network n1 >

            """),
        ("helm", """
            mesh gen < installer helm; istio "1.24" >
            network n0
            network n1
            cluster c0 < context "ctx-0"; trust from root; install network n0 revision "1-24"; values "pilot.autoscaleMin" 2 >
            cluster c1 < context "ctx-1"; trust from root; install network n1; discover with c0 >
            cluster c2 < context "ctx-2"; trust from root; install network n1 installer istioctl; discover from c0, c1 >

            """),
        ("ambient", """
            mesh gen < istio "1.28" >
            network n0
            network n1
            cluster c0 < context "ctx-0"; trust from root; install network n0 profile "ambient" >
            cluster c1 < context "ctx-1"; trust from root; install network n1 profile "ambient"; discover with c0 >
            cluster c2 < context "ctx-2"; trust from root; install network n1 profile "ambient"; discover with c0, c1 >

            """),
        ("gitops-external", """
            mesh gen < istio "1.28"; gitops repo "ssh://git@git.example.com/fleet.git" path "meshes/gen" revision "prod"; secrets external store "vault" >
            network n0
            cluster c0 < context "ctx-0"; trust from root; install network n0 >
            cluster c1 < context "ctx-1"; trust from root; install network n0; discover with c0 >

            """),
    ]

    @Test func generatedMeshesPlansFitTheSchema() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var plans: [String] = []
        for (name, script) in Self.generated {
            let path = try scratch.write(name + ".mesh", script)
            plans.append(try Self.planFile(path, name, in: scratch, directory: scratch.path))
            // The same mesh through a kubeconfig file: `access` then names it.
            let contexts = script.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 && $0.element.hasPrefix("ctx-") }
            try scratch.write(name + "-kube.yaml", KubeconfigOption.kubeconfig(contexts.map { (String($0.element), "https://\($0.element).test:6443") }))
            plans.append(try Self.planFile(path, name + "-kubeconfig", in: scratch, directory: scratch.path, ["--kubeconfig", name + "-kube.yaml"]))
        }
        #expect(try String(contentsOfFile: plans[1], encoding: .utf8).contains("\"kubeconfig\" : \"\(scratch.path)/primary-remote-kube.yaml\""))
        let run = try checkPlanSchema(plans)
        #expect(run.status == 0, "\(run)")
    }

    /// A valid plan (add-primary's), changed by `change`, refused with `message` at `pointer`.
    static func expectRefused(_ what: String, at pointer: String, _ message: String,
                              sourceLocation: SourceLocation = #_sourceLocation,
                              _ change: (inout [String: Any]) throws -> Void) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let valid = try planFile("examples/add-primary.mesh", "valid", in: scratch, sourceLocation: sourceLocation)
        var plan = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: valid))) as? [String: Any])
        try change(&plan)
        let wrong = try scratch.write("wrong.json", bytes: Array(try JSONSerialization.data(withJSONObject: plan)))
        let run = try checkPlanSchema([valid, wrong], sourceLocation: sourceLocation)
        #expect(run.status == 1, "\(what) passed the schema: \(run)", sourceLocation: sourceLocation)
        #expect(!run.stdout.contains(valid + ":"), "the valid plan was refused: \(run)", sourceLocation: sourceLocation)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("\(wrong): at \(pointer): ") && $0.contains(message) },
                "\(what): no \"\(message)\" at \(pointer): \(run)", sourceLocation: sourceLocation)
    }

    /// The steps of `plan`, changed by `change` at step `index`.
    static func changeStep(_ plan: inout [String: Any], _ index: Int, _ change: (inout [String: Any]) -> Void) throws {
        var steps = try #require(plan["steps"] as? [[String: Any]])
        change(&steps[index])
        plan["steps"] = steps
    }

    @Test func aPlanWithoutARequiredMemberIsRefused() throws {
        try Self.expectRefused("no steps", at: "/", "'steps' is a required property") { $0["steps"] = nil }
        try Self.expectRefused("a step without kind", at: "/steps/2", "'kind' is a required property") { plan in
            try Self.changeStep(&plan, 2) { $0["kind"] = nil }
        }
        try Self.expectRefused("no formatVersion", at: "/", "'formatVersion' is a required property") { $0["formatVersion"] = nil }
    }

    @Test func aMemberOfTheWrongTypeIsRefused() throws {
        try Self.expectRefused("a step number as a string", at: "/steps/0/number", "'1' is not of type 'integer'") { plan in
            try Self.changeStep(&plan, 0) { $0["number"] = "1" }
        }
        try Self.expectRefused("a command as one string", at: "/steps/1/commands/0/pipeline/0", "is not of type 'array'") { plan in
            try Self.changeStep(&plan, 1) { $0["commands"] = [["pipeline": ["kubectl create namespace istio-system"]]] }
        }
        try Self.expectRefused("an unknown phase", at: "/steps/0/phase", "'verify' is not one of ['trust', 'install', 'discover']") { plan in
            try Self.changeStep(&plan, 0) { $0["phase"] = "verify" }
        }
    }

    @Test func anUnknownStepKindOrMemberIsRefused() throws {
        try Self.expectRefused("an unknown step kind", at: "/steps/3/kind", "('rebootCluster' was unexpected)") { plan in
            try Self.changeStep(&plan, 3) { $0["kind"] = ["rebootCluster": [String: Any]()] }
        }
        try Self.expectRefused("two kinds in one step", at: "/steps/3/kind", "has too many properties") { plan in
            try Self.changeStep(&plan, 3) { $0["kind"] = ["namespace": [String: Any](), "cacerts": [String: Any]()] }
        }
        try Self.expectRefused("a member the form lacks", at: "/", "('secrets' was unexpected)") { $0["secrets"] = ["c1": "key"] }
    }

    /// `gitops` names its store exactly when the secrets come from one.
    @Test func aGitOpsRecordMustNameItsStoreExactlyForExternalSecrets() throws {
        let gitops: [String: Any] = ["repository": "https://git.example.com/f.git", "path": "", "revision": "main", "secrets": "external"]
        try Self.expectRefused("external secrets without a store", at: "/gitops", "'store' is a required property") { $0["gitops"] = gitops }
        var withStore = gitops
        (withStore["secrets"], withStore["store"]) = ("apply", "vault")
        try Self.expectRefused("a store with secrets apply", at: "/gitops", "should not be valid") { $0["gitops"] = withStore }
    }

    /// A plan of another version is not this schema's, even if nothing else changed.
    @Test func anotherFormatVersionIsRefused() throws {
        try Self.expectRefused("formatVersion 2", at: "/formatVersion", "1 was expected") { $0["formatVersion"] = 2 }
    }
}
