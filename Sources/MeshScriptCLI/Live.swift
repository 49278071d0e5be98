// What status, `plan --live` and apply share: reading every cluster with progress, and the
// live plan against the work directory.
import Foundation
import MeshCommandLine
import MeshScript

/// How long a cluster may take to answer, on every command that reads clusters.
struct ReadOptions {
    /// The option's declaration.
    static let arguments: [ArgumentDeclaration] = [
        .option("timeout", valueName: "SECONDS", help: "Seconds a cluster may take to answer before it is reported unreachable.",
                defaultValue: "20"),
    ]

    /// Seconds per cluster.
    let timeout: Double

    /// The option in `arguments`: more than 0, at most 3600 seconds.
    init(_ arguments: ParsedArguments) throws(UsageError) {
        timeout = try arguments.number("timeout", default: 20)
        guard timeout > 0, timeout <= 3600 else { throw UsageError("--timeout must be between 0 and 3600 seconds") }
    }
}

/// Reads every cluster of the plan, showing which cluster is being read (see Progress).
/// Without kubectl nothing can be read: exit 69 before anything happens.
func observeClusters(_ mesh: CheckedMesh, timeout: Double) throws -> [ClusterState] {
    let environment = mesh.options.environment
    guard ProgramLocator.locate("kubectl", environment: environment) != nil else {
        var stderr = StandardError()
        print("error: kubectl: \(ProgramLocator.whyNotFound("kubectl", environment: environment)); the clusters are read with it, so nothing was run on any cluster (scripts/bootstrap.sh installs it)", to: &stderr)
        throw Exit.clustersRefused
    }
    let progress = Progress()
    let inFlight = InFlight()
    let total = mesh.plan.clusters.count
    let states = mesh.observe(timeout: timeout) { event in
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
