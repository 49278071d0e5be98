// mesh-host: what a platform team's own tool does with MeshScript.
//   swift run --package-path examples/embedding mesh-host
// 1. registers a command, `label KEY "VALUE"` (labels on the cluster's istio-system, as host
//    data, with a plan step and a rendered label), and a function, `region(name)`;
// 2. checks a script that uses both, and prints its plan, with the label step;
// 3. runs a script that would loop for hours, and cancels it from another Task.
import Foundation
import MeshScript

/// The host's regions, which `region(name)` looks up.
let regions = ["eu-1": "europe-west1", "us-1": "us-central1"]

/// The labels `label` stored on a cluster.
func labels(_ cluster: ClusterDeclaration) -> [String: String] {
    guard case .map(let labels)? = cluster.hostData["labels"] else { return [:] }
    return labels.compactMapValues(\.string)
}

/// A `kubectl label` step after each labelled cluster's trust steps.
let labelStep: PlanHook = { plan, topology in
    for cluster in topology.clusters {
        let wanted = labels(cluster)
        guard !wanted.isEmpty, let access = plan.access[cluster.name.value] else { continue }
        let command = ["kubectl", "label", "namespace", "istio-system", "--overwrite"] + wanted.keys.sorted().map { "\($0)=\(wanted[$0]!)" } + access.flags
        plan.insert(Plan.Step(number: 0, phase: .trust, cluster: cluster.name.value, title: "label istio-system",
                              commands: [Plan.Command(command)], files: [], note: nil, kind: .host(name: "label")),
                    afterLastOf: .trust, in: cluster.name.value)
    }
}

/// The labels in the rendered istio-system manifest too.
let labelManifest: RenderHook = { files, topology, layout in
    for cluster in topology.clusters {
        let wanted = labels(cluster)
        guard !wanted.isEmpty, let index = files.firstIndex(where: { $0.path == layout.namespace(cluster.name.value) }),
              let labelled = ManifestEdit.settingLabels(wanted, in: files[index].content) else { continue }
        files[index].content = labelled
    }
}

/// A handle with the host's command, function and hooks.
func hostMesh(limits: Limits = Limits()) -> Mesh {
    var options = MeshOptions(workDirectory: "out", environment: ProcessInfo.processInfo.environment, limits: limits, readsKubeconfig: false)
    options.planHooks = [labelStep]
    options.renderHooks = [labelManifest]
    let mesh = Mesh(options: options)
    let builder = mesh.engine.builder
    mesh.engine.interpreter.register(CommandSignature("label", summary: "label istio-system: label KEY \"VALUE\"", allowedIn: [.cluster],
                                                      parameters: [.init("KEY", .name), .init("VALUE", .string)])) { call, _ in
        guard case .cluster(let name)? = builder.currentBlock else { return }
        var labels: [String: HostValue] = [:]
        if case .map(let existing)? = builder.topology.hostData(of: .cluster(name))["labels"] { labels = existing }
        labels[call.arguments[0].string ?? ""] = .string(call.arguments[1].string ?? "")
        builder.setHostData("labels", .map(labels), on: .cluster(name))
    }
    mesh.engine.interpreter.register(FunctionSignature("region", summary: "region(name): the cloud region of a cluster", arity: 1...1)) { call in
        let name = call.arguments[0].string ?? ""
        guard let region = regions[name] else { throw CommandError("no region is known for '\(name)'", at: call.arguments[0].range) }
        return .string(region)
    }
    return mesh
}

let script = """
    mesh fleet
    network n1
    for name in ["eu-1", "us-1"] <
      cluster $name < trust from root; install network n1; label region region($name) >
    >
    cluster eu-1-b < trust from root; install network n1; discover with eu-1, us-1 >

    """

let check = hostMesh().check(source: script, name: "fleet.mesh", directory: FileManager.default.currentDirectoryPath)
print(DiagnosticRenderer(sources: check.sources, color: false).render(check.diagnostics), terminator: "")
guard let checked = check.checked else { exit(65) }
print(checked.plan.text, terminator: "")

// A script that would run for hours: cancelled from another Task, it stops with a diagnostic.
let long = hostMesh(limits: Limits(maxSteps: .max))
let run = Task.detached { long.check(source: "for i in range(0, 1000000000) < let x = $i >\n", name: "long.mesh") }
try await Task.sleep(for: .milliseconds(100))
long.cancellation.cancel()
let stopped = await run.value
print("long script: \(stopped.stoppedBy.map { "\($0)" } ?? "not stopped"): " + (stopped.diagnostics.first?.message ?? ""))
