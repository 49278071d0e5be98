// Trust can never split: before anything is written, the root in every cluster's live
// cacerts is compared with the root the work directory holds (or would make). A mismatch
// stops the run before any cluster changes.
import Foundation
import MeshDomain

/// A cluster whose live cacerts does not chain to the mesh's root.
public struct TrustConflict: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The cluster's name in the script.
    public var cluster: String
    /// The kubeconfig context it was read through.
    public var context: String
    /// The root fingerprint in the cluster's cacerts (nil: the secret could not be read as certificates).
    public var clusterRoot: String?
    /// The work directory's root; nil when there is none and render would make a new one.
    public var expectedRoot: String?
    /// What is wrong with the cacerts secret (unreadable or a file missing), if anything.
    public var detail: String?

    /// The conflict in one sentence: the cluster's root next to the work directory's.
    public var description: String {
        let found = clusterRoot.map { "holds root \($0)" } ?? "holds a cacerts secret that cannot be read (\(detail ?? "unreadable"))"
        let wanted = expectedRoot.map { "the work directory's root is \($0)" } ?? "the work directory has no root, so a new one would be made"
        return "cluster \(cluster) (context \(context)) \(found), but \(wanted)"
    }
}

/// Finds the clusters whose live cacerts would split the mesh's trust, before anything is applied.
public enum TrustGuard {
    /// The clusters that would end up on another root than `local`'s. Only clusters the plan
    /// gives a cacerts secret are compared; unreachable ones are reported by the caller.
    public static func conflicts(_ plan: Plan, states: [ClusterState], local: LocalTrust) -> [TrustConflict] {
        let trusted = Set(plan.steps.filter { $0.kind == .cacerts }.map(\.cluster))
        return states.compactMap { state -> TrustConflict? in
            guard trusted.contains(state.cluster), let cacerts = state.cacerts else { return nil }
            let root = cacerts.facts?.rootFingerprint
            guard root == nil || root != local.rootFingerprint else { return nil }
            return TrustConflict(cluster: state.cluster, context: state.context, clusterRoot: root,
                                 expectedRoot: local.rootFingerprint, detail: cacerts.problem)
        }
    }

    /// What the user can do, printed under the conflicts.
    public static let recovery = """
        nothing was changed in any cluster. The mesh already trusts another root: bring that root back \
        rather than making a second one. Put its root-cert.pem and root-key.pem in a directory and declare \
        it in the script with: root root < from "DIR" >  (or restore the work directory from a backup). \
        A cluster that really must move to a new root has to be re-joined by hand: delete its cacerts secret first.
        """
}
