// What one fuzz input goes through: the whole public pipeline a host runs, from lexing to
// planning, then every text the CLI can print from it — diagnostics with and without colour,
// the plan as text, JSON and shell, the graph as DOT and Mermaid, the install manifests. A
// crash, a hang or a broken invariant (checked below; a failure stops the process) is a finding.
import Foundation
import MeshScript

/// Small enough that any input runs in milliseconds, large enough for real meshes and loops.
let fuzzLimits = Limits(maxNestingDepth: 256, maxCallDepth: 64, maxSteps: 50_000)

/// Runs one input: the main script as `check` runs a file (imports served from memory), then
/// as the REPL evaluates an entry. Stops the process when an invariant breaks. True when the
/// script was valid, so it was planned and rendered.
@discardableResult
func fuzzOne(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let input = FuzzInput(bytes)
    let loader = FuzzLoader(files: input.files)
    let engine = MeshEngine(environment: [:], loader: loader, limits: fuzzLimits)
    var printed = 0
    engine.interpreter.output = { text, _ in printed &+= text.utf8.count }
    let result = engine.check(file: FuzzInput.mainPath)
    renderDiagnostics(result.diagnostics, sources: engine.sources)
    if !result.hasErrors {
        invariant(!engine.validate().hasErrors, "validate() finds errors that check(file:) did not report")
        renderEverything(engine.topology)
    }
    evaluateAsEntry(input.main, loader: loader)
    return !result.hasErrors
}

/// The main script as one REPL entry: `evaluate(source:name:directory:)`, then `validate()`.
private func evaluateAsEntry(_ main: [UInt8], loader: FuzzLoader) {
    guard let text = String(validating: main, as: UTF8.self) else { return }
    let engine = MeshEngine(environment: [:], loader: loader, limits: fuzzLimits)
    engine.interpreter.output = { _, _ in }
    let result = engine.evaluate(source: text, name: "<entry>", directory: FuzzInput.root)
    if result.needsMoreInput { return } // the REPL would ask for another line
    renderDiagnostics(result.hasErrors ? result.diagnostics : engine.validate(), sources: engine.sources)
}

/// Every diagnostic rendered plain, coloured, and cut after one; plain text carries no control
/// character but line feed and tab, and every error is shown.
func renderDiagnostics(_ diagnostics: [Diagnostic], sources: SourceMap) {
    guard !diagnostics.isEmpty else { return }
    let plain = DiagnosticRenderer(sources: sources, color: false).render(diagnostics)
    let controls = plain.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F...0x9F).contains($0.value) }
    invariant(controls.isEmpty, "a rendered diagnostic carries a control character: \(controls.map(\.value))")
    let shown = diagnostics.prefix(200).filter { $0.severity == .error }.count
    invariant(plain.components(separatedBy: "error:").count - 1 >= shown, "fewer 'error:' lines than errors")
    _ = DiagnosticRenderer(sources: sources, color: true).render(diagnostics)
    _ = DiagnosticRenderer(sources: sources, color: false, limit: 1).render(diagnostics)
    for diagnostic in diagnostics {
        if let range = diagnostic.range { _ = DiagnosticRenderer(sources: sources, color: false).position(range) }
    }
}

/// The plan (with and without a kubeconfig and offline remote secrets) in every format, the
/// graph in both formats, and each cluster's manifests, as `plan`, `graph` and `render` make them.
func renderEverything(_ topology: Topology) {
    let plain = Planner.plan(topology, options: PlanOptions(workDirectory: "out", scriptPath: FuzzInput.mainPath))
    let offline = PlanOptions(workDirectory: "/fuzz/work dir", scriptPath: FuzzInput.mainPath,
                              offlineRemoteSecrets: Set(topology.links), kubeconfig: "/fuzz/kube config's")
    for plan in [plain, Planner.plan(topology, options: offline)] {
        checkPlan(plan)
        _ = plan.text
        _ = plan.shellScript
    }
    let dot = topology.dot
    invariant(dot.hasSuffix("}\n"), "the DOT graph is not closed")
    invariant(dot.components(separatedBy: "[label=\"remote secret\"]").count - 1 == topology.links.count,
              "the DOT graph's edges are not the discovery links")
    _ = topology.mermaid
    renderManifests(topology, links: plain.links)
}

/// Steps numbered 1...n in order, and the JSON decodes back to the same plan.
private func checkPlan(_ plan: Plan) {
    for (index, step) in plan.steps.enumerated() {
        invariant(step.number == index + 1, "step \(index + 1) is numbered \(step.number)")
    }
    do {
        let json = plan.json()
        let decoded = try JSONDecoder().decode(Plan.self, from: Data(json.utf8))
        invariant(decoded == plan, "the plan's JSON does not decode to the same plan")
    } catch {
        invariant(false, "the plan's JSON does not round-trip: \(error)")
    }
}

/// The namespace, install and gateway manifests `render` writes for each cluster.
private func renderManifests(_ topology: Topology, links: [DiscoveryLink]) {
    let crossNetwork = Planner.crossNetworkClusters(topology, links)
    for cluster in topology.clusters {
        let name = cluster.name.value
        let network = topology.network(of: cluster)
        _ = IstioSystemNamespace.manifest(network: crossNetwork.contains(name) ? network : nil)
        guard let install = cluster.install, let mesh = topology.mesh, let network else { continue }
        _ = IstioOperatorManifest.install(InstallSpec(mesh: mesh.name.value, cluster: name, network: network,
                                                      revision: install.revision?.value, profile: install.profile?.value, forms: topology.forms,
                                                      overlay: topology.installValues(of: cluster)))
        if crossNetwork.contains(name) {
            _ = IstioOperatorManifest.eastWestGateway(cluster: name, network: network, mesh: mesh.name.value, revision: install.revision?.value,
                                                     forms: topology.forms)
        }
    }
}

/// Stops the process, naming the broken invariant, when `condition` is false: the fuzzer
/// records the input as a crash.
func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("fuzz invariant: " + message()) }
}
