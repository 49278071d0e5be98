// `meshscript status`: for each cluster and each link, what the script wants next to what is
// there, with a verdict. It is the live plan read the other way round: a step with nothing
// to do is in sync, a create is missing, an update/replace/delete differs.
import Foundation
import MeshDomain

/// What `meshscript status` reports: per cluster and link, what the script wants next to what is there.
public struct MeshStatus: Sendable, Hashable, Codable {
    /// How an object compares with what the script wants.
    public enum Verdict: String, Sendable, Hashable, Codable {
        /// `in sync`: the cluster holds what the script wants; `missing`: it holds nothing; `differs`:
        /// it holds something else; `unreachable`: the cluster could not be read.
        case inSync = "in sync", missing, differs, unreachable
    }

    /// One object in one cluster, or one discovery link.
    public struct Row: Sendable, Hashable, Codable {
        /// The cluster the object lives in.
        public var cluster: String
        /// For a discovery link: the cluster whose API server the secret opens.
        public var linkSource: String?
        /// What the object is: "cacerts", "control plane", "remote secret", ...
        public var object: String
        /// What the script wants of it.
        public var want: String
        /// What the cluster holds (the live step's reason).
        public var have: String
        /// How the two compare.
        public var verdict: Verdict
        /// `istioctl remote-clusters` on the target (with --verify): synced, or what it said.
        public var verified: String?
    }

    /// The mesh's name in the script.
    public var mesh: String
    /// One row per step that touches a cluster, in plan order.
    public var rows: [Row]
    /// Clusters whose cacerts root is not the mesh's: trust would split.
    public var conflicts: [TrustConflict]
    /// Every cluster as it was read.
    public var clusters: [ClusterState]

    /// The mesh is as the script describes it.
    public var inSync: Bool { conflicts.isEmpty && rows.allSatisfy { $0.verdict == .inSync && ($0.verified == nil || $0.verified == "synced") } }

    /// The status read off a live plan: each cluster step becomes a row with a verdict.
    public init(_ plan: LivePlan) {
        mesh = plan.mesh
        conflicts = plan.conflicts
        clusters = plan.clusters
        let withoutIstiod = Set(plan.clusters.filter { $0.isReachable && $0.controlPlanes.isEmpty }.map(\.cluster))
        rows = plan.steps.compactMap { Self.row($0, istiodMissing: withoutIstiod.contains($0.step.cluster)) }
    }

    static func row(_ live: LiveStep, istiodMissing: Bool) -> Row? {
        let verdict: Verdict
        switch live.change {
        case .local: return nil
        case _ where live.step.output != nil: return nil // a read, not something the cluster holds
        case .unknown: verdict = .unreachable
        case .create: verdict = .missing
        case .wait: verdict = istiodMissing ? .missing : .differs
        case .update, .replace, .delete: verdict = .differs
        case .unchanged: verdict = live.warning == nil ? .inSync : .differs
        }
        let step = live.step
        var source: String?
        if case .remoteSecret(let from, _) = step.kind { source = from }
        return Row(cluster: step.cluster, linkSource: source, object: Self.object(step.kind), want: Self.want(step.kind),
                   have: live.reason, verdict: verdict)
    }

    static func object(_ kind: Plan.Step.Kind) -> String {
        switch kind {
        case .intermediateCA: "intermediate CA"
        case .namespace: "namespace"
        case .networkLabel: "network label"
        case .cacerts: "cacerts"
        case .controlPlane: "control plane"
        case .waitReady: "readiness"
        case .eastWestGateway: "east-west gateway"
        case .crossNetworkGateway: "cross-network Gateway"
        case .remoteSecret: "remote secret"
        case .controlPlaneClusters: "control plane annotation"
        case .exposeIstiod: "istiod exposed"
        case .gatewayAPICRDs: "Gateway API CRDs"
        case .discoveryAddress: "east-west address"
        case .remoteControlPlane: "remote install"
        case .deleteRemoteSecret(let name): "remote secret \(name)"
        case .deleteEastWestGateway: "east-west gateway"
        case .deleteExposeIstiod: "istiod exposed"
        case .host(let name): "host step \(name)"
        }
    }

    static func want(_ kind: Plan.Step.Kind) -> String {
        switch kind {
        case .intermediateCA: "rendered"
        case .namespace: "istio-system"
        case .networkLabel(let network): "network \(network)"
        case .cacerts: "the work directory's intermediate"
        case .controlPlane(let spec): "istiod revision \(spec.revision ?? "default"): meshID \(spec.meshID ?? "-"), cluster \(spec.clusterName ?? "-"), network \(spec.network ?? "-")"
        case .waitReady: "istiod ready"
        case .eastWestGateway(let network): "istio-eastwestgateway for network \(network)"
        case .crossNetworkGateway: "cross-network-gateway"
        case .remoteSecret(let source, let server): "the remote secret of \(source)" + (server.map { " opening \($0)" } ?? "")
        case .controlPlaneClusters(let primary): "controlPlaneClusters \(primary)"
        case .exposeIstiod: "istiod-gateway and istiod-vs"
        case .gatewayAPICRDs(let version): "gateways.gateway.networking.k8s.io (Gateway API \(version))"
        case .discoveryAddress: "read by apply"
        case .remoteControlPlane(let primary, _): "profile remote, pointed at \(primary)'s istiod (no istiod here)"
        case .deleteRemoteSecret, .deleteEastWestGateway, .deleteExposeIstiod: "none"
        case .host: "as the host's hook makes it"
        }
    }
}
