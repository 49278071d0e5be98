// What a cluster holds of a mesh, as read by the observer: the objects the plan creates,
// reduced to the facts the live plan and `status` compare. No key and no token is kept:
// a cacerts secret is reduced to certificate facts, a remote secret to its source and server.
import Foundation
import MeshTrust

/// One cluster as it was read.
public struct ClusterState: Sendable, Hashable, Codable {
    /// The cluster's name in the script.
    public var cluster: String
    /// The kubeconfig context it was read through.
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
    /// Whether the Gateway API's Gateway CRD is installed (read only where a plan installs it).
    public var gatewayAPICRDs: Bool = false
    /// Whether the `istiod-gateway` Gateway exposing istiod to remotes exists.
    public var exposesIstiod: Bool = false
    /// `global.remotePilotAddress` in the sidecar injector's values: the istiod a remote's
    /// injector points at (nil where none is set, as on a primary).
    public var remotePilotAddress: String?
    /// Seconds the reading took.
    public var elapsed: Double = 0

    /// A cluster with nothing read yet: every object absent.
    public init(cluster: String, context: String) {
        self.cluster = cluster
        self.context = context
    }

    /// Whether kubectl could read the cluster.
    public var isReachable: Bool { unreachable == nil }

    /// The control plane of a revision (nil: the default one).
    public func controlPlane(revision: String?) -> ControlPlaneState? {
        controlPlanes.first { $0.revision == (revision ?? ControlPlaneState.defaultRevision) }
    }

    /// The remote secret that opens `source`'s API server, if the cluster holds one.
    public func remoteSecret(source: String) -> RemoteSecretState? {
        remoteSecrets.first { $0.source == source }
    }
}

/// The `istio-system` namespace as read.
public struct NamespaceState: Sendable, Hashable, Codable {
    /// The `topology.istio.io/network` label.
    public var network: String?
    /// The `topology.istio.io/controlPlaneClusters` annotation (a remote's primary).
    public var controlPlaneClusters: String? = nil
}

/// The `cacerts` secret in `istio-system`, reduced to its certificate facts (never the key).
public struct CacertsState: Sendable, Hashable, Codable {
    /// The certificate facts, or nil when the secret's files could not be read as certificates.
    public var facts: CacertsFacts?
    /// Why `facts` is nil, or which of the four files is missing.
    public var problem: String?
}

/// One istiod deployment (one revision) and what it was installed with.
public struct ControlPlaneState: Sendable, Hashable, Codable {
    /// The revision of an istiod without an `istio.io/rev` label.
    public static let defaultRevision = "default"
    /// The deployment's name in `istio-system`.
    public var deployment: String
    /// The `istio.io/rev` label; "default" when unlabelled.
    public var revision: String
    /// The pilot image's tag, e.g. "1.24.2".
    public var version: String?
    /// Whether it has its wanted number of ready replicas (at least one).
    public var ready: Bool
    /// What the sidecar injector's values say the control plane was installed with.
    public var meshID: String?
    /// `global.multiCluster.clusterName` in the injector's values.
    public var clusterName: String?
    /// `global.network` in the injector's values.
    public var network: String?
}

/// A remote secret (labelled `istio/multiCluster=true`) that gives istiod another cluster's API server.
public struct RemoteSecretState: Sendable, Hashable, Codable {
    /// The secret's name.
    public var name: String
    /// The cluster whose API server it opens (annotation `networking.istio.io/cluster`,
    /// else its single data key).
    public var source: String?
    /// The API server in its embedded kubeconfig.
    public var server: String?
}

/// A deployment read for its readiness and network (the east-west gateway).
public struct WorkloadState: Sendable, Hashable, Codable {
    /// The deployment's name.
    public var name: String
    /// Whether it has its wanted number of ready replicas (at least one).
    public var ready: Bool
    /// Its `topology.istio.io/network` label.
    public var network: String?
}
