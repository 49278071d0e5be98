// Istio's Helm charts as MeshScript installs them: one values file per chart, with the keys
// Istio's Helm multicluster guides set (manifests/charts/{base,istio-control/istio-discovery,
// gateway}/values.yaml), and the release and chart names the guides use.

/// One of Istio's charts, from Istio's chart repository.
public enum HelmChart: String, Sendable, Hashable, CaseIterable {
    /// `istio/base`: the CRDs and cluster roles, installed first.
    case base
    /// `istio/istiod`: the control plane.
    case istiod
    /// `istio/gateway`, here as the east-west gateway of a network.
    case gateway
    /// `istio/cni`: ambient's node agent.
    case cni
    /// `istio/ztunnel`: ambient's per-node proxy.
    case ztunnel

    /// Istio's chart repository, named with `--repo` on each command so that no `helm repo add`
    /// (helm's global state) is needed.
    public static let repository = "https://istio-release.storage.googleapis.com/charts"

    /// The chart's name in the repository.
    public var chart: String { rawValue }

    /// The Helm release name, as Istio's guides name it: `istio-base`, `istiod` (`istiod-R` for
    /// revision R, as the canary guide does), `istio-eastwestgateway`.
    public func release(revision: String?) -> String {
        switch self {
        case .base: "istio-base"
        case .istiod: revision.map { "istiod-\($0)" } ?? "istiod"
        case .gateway: HelmValues.eastWestGatewayName
        case .cni: "istio-cni"
        case .ztunnel: "ztunnel"
        }
    }
}

/// The values file of each chart for one cluster.
public enum HelmValues {
    /// The east-west gateway's name: its Deployment and Service, and (without the `istio-`
    /// prefix) its `istio: eastwestgateway` label the cross-network Gateway selects.
    public static let eastWestGatewayName = "istio-eastwestgateway"

    /// `istio/base`: nothing beyond the chart's defaults, as the guide's
    /// `helm install istio-base istio/base -n istio-system`; on a primary with remotes the same
    /// `global.externalIstiod` as istiod, as the primary-remote guide passes to both charts.
    public static func base(_ spec: InstallSpec) -> ValueTree {
        let path = ["global", "externalIstiod"]
        return spec.overlay.leaves.first { $0.path == path }.map { .at(path, $0.value) } ?? .empty
    }

    /// `istio/istiod` for ambient multicluster adds `env.AMBIENT_ENABLE_MULTI_NETWORK: "true"`, as
    /// the ambient guide's `--set env.AMBIENT_ENABLE_MULTI_NETWORK="true"`.
    static func ambientEnvironment(_ spec: InstallSpec) -> ValueTree {
        spec.ambientMultiNetwork ? .at(["env", AmbientMulticluster.multiNetworkVariable], .string("true")) : .empty
    }

    /// `istio/cni` for ambient: the guide's `--set profile=ambient`.
    public static var ambientCNI: ValueTree { .map([.init("profile", .string("ambient"))]) }

    /// `istio/ztunnel`: the cluster and network ztunnel reports (the chart's `multiCluster.clusterName`
    /// and `network`, which istioctl's ambient profile fills from `values.global`; the guide's
    /// bare `helm install ztunnel` leaves them empty, which only a single-cluster mesh can afford).
    public static func ztunnel(cluster: String, network: String) -> ValueTree {
        .map([.init("multiCluster", .map([.init("clusterName", .string(cluster))])), .init("network", .string(network))])
    }

    /// `istio/istiod`: `profile` and `revision` when given, then the control plane's
    /// ``InstallSpec/values`` (meshID, clusterName, network, overlays), as the guide's
    /// `--set global.meshID=mesh1 --set global.multiCluster.clusterName=cluster1 --set global.network=network1`.
    public static func istiod(_ spec: InstallSpec) -> ValueTree {
        var top: [ValueTree.Member] = []
        if let profile = spec.profile.flatMap(chartProfile) { top.append(.init("profile", .string(profile))) }
        if let revision = spec.revision { top.append(.init("revision", .string(revision))) }
        return ValueTree.map(top).merging(ambientEnvironment(spec)).merging(spec.values)
    }

    /// The istiod chart's `profile` for an istioctl profile name: none for `default` and
    /// `minimal`, which are the chart's own defaults (the chart has no `profile-default.yaml`
    /// and fails on a profile it lacks); any other name (`demo`, `preview`, `remote`,
    /// `ambient`, ...) as it is.
    public static func chartProfile(_ profile: String) -> String? {
        profile == "default" || profile == "minimal" ? nil : profile
    }

    /// `istio/gateway` as the network's east-west gateway, as the guide's
    /// `--set name=istio-eastwestgateway --set networkGateway=network1` (the chart then opens
    /// the status-port, tls, tls-istiod and tls-webhook ports); `revision` when given.
    public static func eastWestGateway(network: String, revision: String?) -> ValueTree {
        var members: [ValueTree.Member] = [.init("name", .string(eastWestGatewayName)), .init("networkGateway", .string(network))]
        if let revision { members.append(.init("revision", .string(revision))) }
        return .map(members)
    }
}
