// The live plan: the offline plan's steps, each marked with what it would change in the
// cluster as it was read (create, update, replace, delete, no change), plus the deletes of
// what a cluster holds and the script no longer describes. Pure: it compares a Plan, the
// observed ClusterStates and the work directory's certificate facts.
import Foundation
import LocalFiles
import MeshDomain
import MeshTrust

/// What a step does to its cluster.
public enum Change: String, Sendable, Hashable, Codable {
    /// The step creates the object, changes it in place, replaces it, or deletes it.
    case create, update, replace, delete
    /// A readiness wait after a control plane was created, updated or restarted: it changes nothing.
    case wait
    /// The cluster already holds what the step would make: nothing to do.
    case unchanged = "no change"
    /// Done by meshscript on this machine (render); touches no cluster.
    case local
    /// The cluster could not be read, so nothing can be said (and nothing is done).
    case unknown

    /// Whether apply runs the step.
    public var runs: Bool { self == .create || self == .update || self == .replace || self == .delete || self == .wait }
}

/// A plan step marked with what it would change in its cluster as read.
public struct LiveStep: Sendable, Hashable, Codable {
    /// The offline plan's step (for a delete, one the live plan adds).
    public var step: Plan.Step
    /// What running it would change.
    public var change: Change
    /// Why, in the words `plan --live` and `status` print: what is there next to what is wanted.
    public var reason: String
    /// Something the user must know that does not stop the run (another intermediate of the same root).
    public var warning: String?
}

/// The work directory's certificate facts the live plan compares clusters with.
public struct LocalTrust: Sendable, Hashable {
    /// The root every cluster must trust (work directory, else the root brought with `from`);
    /// nil when none exists yet (render would make a new one).
    public var rootFingerprint: String?
    /// Each cluster's intermediate in the work directory, when rendered.
    public var intermediates: [String: CacertsFacts]

    /// The given root fingerprint and intermediates, by cluster.
    public init(rootFingerprint: String?, intermediates: [String: CacertsFacts]) {
        self.rootFingerprint = rootFingerprint
        self.intermediates = intermediates
    }
}

/// Choices that change how steps are marked (`apply --rotate`).
public struct LivePlanOptions: Sendable, Hashable {
    /// Clusters whose cacerts are replaced by the work directory's (new) intermediate.
    public var rotate: Set<String>
    /// Options rotating the intermediates of the clusters in `rotate` (none by default).
    public init(rotate: Set<String> = []) { self.rotate = rotate }
}

/// The offline plan marked against the clusters as read, with the deletes and any trust conflicts.
public struct LivePlan: Sendable, Hashable, Codable {
    /// The mesh's name in the script.
    public var mesh: String
    /// The plan's steps in order, then the deletes.
    public var steps: [LiveStep]
    /// Clusters whose trust would split the mesh: when not empty, nothing may be applied.
    public var conflicts: [TrustConflict]
    /// Every cluster as it was read, reachable or not.
    public var clusters: [ClusterState]

    /// The clusters that could not be read.
    public var unreachable: [ClusterState] { clusters.filter { !$0.isReachable } }

    /// The steps apply runs.
    public var pending: [LiveStep] { steps.filter { $0.change.runs } }

    /// "2 to add, 1 to change, 1 to delete, 9 unchanged" (replace counts as a change), then the
    /// readiness waits and the unknown steps when there are any.
    public var summary: String {
        func count(_ changes: Set<Change>) -> Int { steps.filter { changes.contains($0.change) }.count }
        var parts = ["\(count([.create])) to add", "\(count([.update, .replace])) to change",
                     "\(count([.delete])) to delete", "\(count([.unchanged])) unchanged"]
        let waits = count([.wait])
        if waits > 0 { parts.append("\(waits) readiness wait\(waits == 1 ? "" : "s")") }
        let unknown = count([.unknown])
        if unknown > 0 { parts.append("\(unknown) unknown (cluster unreachable)") }
        return parts.joined(separator: ", ")
    }
}

extension LocalTrust {
    /// The work directory's facts: its root (else the root a script brings with `from DIR`),
    /// and each cluster's intermediate as rendered.
    public static func read(workDirectory: String, clusters: [String], rootFrom: String? = nil) -> LocalTrust {
        let roots = [workDirectory] + (rootFrom.map { [$0] } ?? [])
        let root = roots.lazy.compactMap { try? Data(RegularFile.read($0 + "/root-cert.pem", limit: 1 << 20)) }.first
        let fingerprint = root.flatMap { try? RootInspection.fingerprint(certificatePEM: $0, path: "root-cert.pem") }
        var intermediates: [String: CacertsFacts] = [:]
        for cluster in clusters {
            intermediates[cluster] = CertificateFacts.cacerts(directory: workDirectory + "/" + cluster)
        }
        return LocalTrust(rootFingerprint: fingerprint, intermediates: intermediates)
    }
}
