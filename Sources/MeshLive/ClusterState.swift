// What a cluster holds of a mesh, as read by the observer: the objects the plan creates,
// reduced to the facts the live plan and `status` compare. No key and no token is kept:
// a cacerts secret is reduced to certificate facts, a remote secret to its source and server.
import Foundation
import MeshTrust

/// One cluster as it was read.
public struct ClusterState: Sendable, Hashable, Codable {
    public var cluster: String
    public var context: String
    /// Why the cluster could not be read (connection refused, timeout, forbidden, unknown
    /// context). An unreachable cluster is never taken as empty: every other field is unknown.
    public var unreachable: String?
    /// Namespace `istio-system`, or nil when it does not exist.
    public var namespace: NamespaceState?
    /// The `cacerts` secret, or nil when it does not exist.
    public var cacerts: CacertsState?
    /// Every istiod deployment, one per revision.
    public var controlPlanes: [ControlPlaneState] = []
    /// Secrets labelled `istio/multiCluster=true`, by name.
    public var remoteSecrets: [RemoteSecretState] = []
    /// The east-west gateway deployment (`istio=eastwestgateway`), or nil.
    public var eastWestGateway: WorkloadState?
    /// Whether the `cross-network-gateway` Gateway exists.
    public var crossNetworkGateway: Bool = false
    /// Seconds the reading took.
    public var elapsed: Double = 0

    public init(cluster: String, context: String) {
        self.cluster = cluster
        self.context = context
    }

    public var isReachable: Bool { unreachable == nil }

    /// The control plane of a revision (nil: the default one).
    public func controlPlane(revision: String?) -> ControlPlaneState? {
        controlPlanes.first { $0.revision == (revision ?? ControlPlaneState.defaultRevision) }
    }

    public func remoteSecret(source: String) -> RemoteSecretState? {
        remoteSecrets.first { $0.source == source }
    }
}

public struct NamespaceState: Sendable, Hashable, Codable {
    /// The `topology.istio.io/network` label.
    public var network: String?
}

public struct CacertsState: Sendable, Hashable, Codable {
    /// The certificate facts, or nil when the secret's files could not be read as certificates.
    public var facts: CacertsFacts?
    /// Why `facts` is nil, or which of the four files is missing.
    public var problem: String?
}

public struct ControlPlaneState: Sendable, Hashable, Codable {
    public static let defaultRevision = "default"
    public var deployment: String
    /// The `istio.io/rev` label; "default" when unlabelled.
    public var revision: String
    /// The pilot image's tag, e.g. "1.24.2".
    public var version: String?
    public var ready: Bool
    /// What the sidecar injector's values say the control plane was installed with.
    public var meshID: String?
    public var clusterName: String?
    public var network: String?
}

public struct RemoteSecretState: Sendable, Hashable, Codable {
    public var name: String
    /// The cluster whose API server it opens (annotation `networking.istio.io/cluster`,
    /// else its single data key).
    public var source: String?
    /// The API server in its embedded kubeconfig.
    public var server: String?
}

public struct WorkloadState: Sendable, Hashable, Codable {
    public var name: String
    public var ready: Bool
    public var network: String?
}
