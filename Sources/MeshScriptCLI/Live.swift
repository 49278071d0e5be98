// What status, `plan --live` and apply share: reading every cluster with progress, and the
// live plan against the work directory.
import ArgumentParser
import Foundation
import MeshScript

/// How long a cluster may take to answer, on every command that reads clusters.
struct ReadOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Seconds a cluster may take to answer before it is reported unreachable.", valueName: "SECONDS"))
    var timeout: Double = 20

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
    }
}

/// Reads every cluster of the plan, showing which cluster is being read (see Progress).
/// Without kubectl nothing can be read: exit 69 before anything happens.
func observeClusters(_ plan: Plan, environment: [String: String], timeout: Double) throws -> [ClusterState] {
    guard ProgramLocator.locate("kubectl", environment: environment) != nil else {
        var stderr = StandardError()
        print("error: kubectl: \(ProgramLocator.whyNotFound("kubectl", environment: environment)); the clusters are read with it, so nothing was run on any cluster (scripts/bootstrap.sh installs it)", to: &stderr)
        throw Exit.clustersRefused
    }
    let progress = Progress()
    let inFlight = InFlight()
    let total = plan.clusters.count
    let states = Observer(environment: environment, timeout: timeout).observe(plan) { event in
        switch event {
        case .reading(let cluster, _):
            progress.begin(inFlight.start(cluster, total: total))
        case .read(let state):
            let line = state.unreachable.map { "\(state.cluster) (context \(state.context)): unreachable: \($0)" }
                ?? "read \(state.cluster) (context \(state.context)) in \(String(format: "%.1f", state.elapsed)) s"
            let label = inFlight.end(state.cluster, total: total)
            progress.finish(line)
            if let label { progress.begin(label) }
        }
    }
    progress.clear()
    return states
}

/// The clusters being read now, for the progress line.
private final class InFlight: @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []
    private var done = 0

    func start(_ cluster: String, total: Int) -> String {
        lock.withLock {
            names.append(cluster)
            return label(total)
        }
    }

    func end(_ cluster: String, total: Int) -> String? {
        lock.withLock {
            names.removeAll { $0 == cluster }
            done += 1
            return names.isEmpty ? nil : label(total)
        }
    }

    private func label(_ total: Int) -> String { "reading \(names.joined(separator: ", ")) (\(done) of \(total) read)" }
}

/// A checked script with its pre-flight and its offline plan: what plan, status and apply
/// start from (exit 65 when the script or the pre-flight has errors).
struct PlannedScript {
    let engine: MeshEngine
    let options: RenderOptions
    let credentials: DiscoveryCredentials
    let plan: Plan

    init(_ file: String, options: RenderOptions, limits: Limits) throws {
        engine = try loadValidated(file, limits: limits)
        self.options = options
        credentials = try preflight(engine, options: options)
        plan = Planner.plan(engine.topology, options: MeshRenderer.planOptions(options, credentials: credentials))
    }

    /// Every `--rotate` name must be a cluster with a cacerts secret; otherwise exit 64, with
    /// a did-you-mean.
    func checkRotate(_ rotate: [String], file: String) throws {
        let trusted = plan.steps.filter { $0.kind == .cacerts }.map(\.cluster)
        for name in rotate where !trusted.contains(name) {
            let suggestion = Suggestions.closest(to: name, in: trusted).map { "; did you mean '\($0)'?" } ?? ""
            var stderr = StandardError()
            print("error: --rotate \(name): no cluster named '\(name)' with a cacerts secret in \(file)\(suggestion)", to: &stderr)
            throw ExitCode(64)
        }
    }

    /// Every cluster as read now (see `observeClusters`).
    func observe(timeout: Double) throws -> [ClusterState] {
        try observeClusters(plan, environment: options.environment, timeout: timeout)
    }

    /// The live plan: the clusters as read, against the work directory as it is now.
    func live(_ states: [ClusterState], rotate: Set<String> = []) -> LivePlan {
        let local = LocalTrust.read(workDirectory: options.workDirectory, clusters: plan.clusters,
                                    rootFrom: MeshRenderer.rootSource(engine.topology, options: options))
        return LivePlanner.plan(plan, states: states, local: local, options: LivePlanOptions(rotate: rotate))
    }
}
