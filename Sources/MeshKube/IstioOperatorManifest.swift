// IstioOperator documents MeshScript writes for `istioctl install -f` (install.yaml
// and the east-west gateway), plus the two small manifests multi-network needs:
// the istio-system Namespace with its network label and the cross-network Gateway.
// Forms follow /work/shared/spec/istio-artifacts.md and Istio's own samples.
import Yams

/// Which Istio's install forms to produce.
public enum IstioRelease: Sendable, Hashable {
    /// Current Istio: plain `values.global` (no meshNetworks, no meshExpansion).
    case current
    /// Istio 1.6, the seed document's form: adds `meshNetworks` and `meshExpansion`
    /// (applied with `istioctl manifest apply`, removed in 1.7 / 1.9).
    case v1_6
}

/// What goes into one cluster's install.yaml.
public struct InstallSpec: Sendable, Hashable {
    public var mesh: String
    public var cluster: String
    public var network: String
    public var revision: String?
    public var profile: String?
    public var release: IstioRelease
    /// The script's `values` overlays, merged in statement order over what MeshScript sets.
    public var overlay: ValueTree

    public init(
        mesh: String, cluster: String, network: String,
        revision: String? = nil, profile: String? = nil, release: IstioRelease = .current, overlay: ValueTree = .empty
    ) {
        self.mesh = mesh
        self.cluster = cluster
        self.network = network
        self.revision = revision
        self.profile = profile
        self.release = release
        self.overlay = overlay
    }

    /// The control plane's values, the one place both installers take them from: the
    /// IstioOperator's `spec.values` and the istiod Helm chart's values. MeshScript's own keys
    /// first (`global.meshID`, `global.multiCluster.clusterName`, `global.network`, and for 1.6
    /// `meshNetworks` and `meshExpansion` in the seed document's order), then ``overlay``
    /// merged over them.
    public var values: ValueTree {
        var global: [ValueTree.Member] = [
            .init("meshID", .string(mesh)),
            .init("multiCluster", .map([.init("clusterName", .string(cluster))])),
            .init("network", .string(network)),
        ]
        if release == .v1_6 {
            // Seed: "Always use 'Kubernetes' as the registry name for endpoints that
            // reside on the same network as this instance of the Istio control plane."
            let meshNetwork = ValueTree.map([
                .init("endpoints", .list([.map([.init("fromRegistry", .string("Kubernetes"))])])),
                .init("gateways", .list([.map([
                    .init("registry_service_name", .string("istio-ingressgateway.istio-system.svc.cluster.local")),
                    .init("port", .integer(443)),
                ])])),
            ])
            global.append(.init("meshNetworks", .map([.init(network, meshNetwork)])))
            global.append(.init("meshExpansion", .map([.init("enabled", .boolean(true))])))
        }
        return ValueTree.map([.init("global", .map(global))]).merging(overlay)
    }

    /// The dotted paths of the values MeshScript sets itself, which an overlay may not change:
    /// the three multicluster values, and `revision` and `profile` (the istiod chart's, which
    /// `install revision R profile P` sets, and the plan and status read).
    public static let ownedPaths: [[String]] = [["global", "meshID"], ["global", "multiCluster", "clusterName"], ["global", "network"],
                                                ["revision"], ["profile"]]
}

public enum IstioOperatorManifest {
    static let apiVersion = "install.istio.io/v1alpha1"

    /// `WORK_DIR/<cluster>/install.yaml`.
    ///
    /// Current form (spec "Install (IstioOperator)"):
    /// ```
    /// apiVersion: install.istio.io/v1alpha1
    /// kind: IstioOperator
    /// spec:
    ///   profile: PROFILE        # only when given
    ///   revision: REVISION      # only when given
    ///   values:
    ///     global:
    ///       meshID: MESH
    ///       multiCluster:
    ///         clusterName: CLUSTER
    ///       network: NETWORK
    /// ```
    /// The 1.6 form appends `meshNetworks` and `meshExpansion` under `global`, in the
    /// seed document's order.
    public static func install(_ spec: InstallSpec) -> String {
        var specPairs: [(String, Node)] = []
        if let profile = spec.profile { specPairs.append(("profile", ManifestYAML.string(profile))) }
        if let revision = spec.revision { specPairs.append(("revision", ManifestYAML.string(revision))) }
        specPairs.append(("values", spec.values.node))
        return ManifestYAML.emit(
            ManifestYAML.map([
                "apiVersion": ManifestYAML.string(apiVersion),
                "kind": ManifestYAML.string("IstioOperator"),
                "spec": ManifestYAML.map(specPairs),
            ]))
    }

    /// The east-west gateway IstioOperator, as Istio's
    /// `samples/multicluster/gen-eastwest-gateway.sh --network NETWORK [--revision R]`
    /// prints it (current script: `metadata.name: eastwest`, `profile: empty`,
    /// `injectionTemplate: gateway`, ports status-port/tls/tls-istiod/tls-webhook).
    ///
    /// `cluster` and `mesh` are accepted for symmetry with ``install(_:)`` but do not
    /// appear: the current script ignores its `--cluster` and `--mesh` flags ("No
    /// longer does anything"), the gateway takes both from the injector. `revision`
    /// is written only when given (the script writes `revision: ""` otherwise, which
    /// means the same).
    public static func eastWestGateway(cluster: String, network: String, mesh: String, revision: String?) -> String {
        func port(_ name: String, _ number: Int) -> Node {
            ManifestYAML.map([
                "name": ManifestYAML.string(name),
                "port": ManifestYAML.int(number),
                "targetPort": ManifestYAML.int(number),
            ])
        }
        let gateway = ManifestYAML.map([
            "name": ManifestYAML.string("istio-eastwestgateway"),
            "label": ManifestYAML.map([
                "istio": ManifestYAML.string("eastwestgateway"),
                "app": ManifestYAML.string("istio-eastwestgateway"),
                "topology.istio.io/network": ManifestYAML.string(network),
            ]),
            "enabled": ManifestYAML.bool(true),
            "k8s": ManifestYAML.map([
                // Traffic through this gateway is routed inside the network.
                "env": ManifestYAML.seq([
                    ManifestYAML.map([
                        "name": ManifestYAML.string("ISTIO_META_REQUESTED_NETWORK_VIEW"),
                        "value": ManifestYAML.string(network),
                    ])
                ]),
                "service": ManifestYAML.map([
                    "ports": ManifestYAML.seq([
                        port("status-port", 15021),
                        port("tls", 15443),
                        port("tls-istiod", 15012),
                        port("tls-webhook", 15017),
                    ])
                ]),
            ]),
        ])
        var specPairs: [(String, Node)] = []
        if let revision { specPairs.append(("revision", ManifestYAML.string(revision))) }
        specPairs += [
            ("profile", ManifestYAML.string("empty")),
            ("components", ManifestYAML.map(["ingressGateways": ManifestYAML.seq([gateway])])),
            (
                "values",
                ManifestYAML.map([
                    "gateways": ManifestYAML.map([
                        "istio-ingressgateway": ManifestYAML.map(["injectionTemplate": ManifestYAML.string("gateway")])
                    ]),
                    "global": ManifestYAML.map(["network": ManifestYAML.string(network)]),
                ])
            ),
        ]
        return ManifestYAML.emit(
            ManifestYAML.map([
                "apiVersion": ManifestYAML.string(apiVersion),
                "kind": ManifestYAML.string("IstioOperator"),
                "metadata": ManifestYAML.map(["name": ManifestYAML.string("eastwest")]),
                "spec": ManifestYAML.map(specPairs),
            ]))
    }
}

extension IstioOperatorManifest {
    /// Whether `text` is, byte for byte, an east-west gateway ``eastWestGateway(cluster:network:mesh:revision:)``
    /// writes (for the network and revision it names). Render removes such a file once the
    /// cluster is no longer on a network of its own; a file edited by hand is not recognised
    /// and is left alone.
    public static func isGeneratedEastWestGateway(_ text: String) -> Bool {
        guard let document = try? Yams.compose(yaml: text),
              let spec = document["spec"],
              let network = spec["values"]?["global"]?["network"]?.string
        else { return false }
        let revision = spec["revision"]?.string
        return text == eastWestGateway(cluster: "", network: network, mesh: "", revision: revision)
    }
}

/// The Gateway that exposes a network's services to other networks through the
/// east-west gateway (Istio's `samples/multicluster/expose-services.yaml`, which the
/// docs apply with `-n istio-system`; here the namespace is written in).
public enum CrossNetworkGateway {
    public static let name = "cross-network-gateway"

    public static func manifest() -> String {
        ManifestYAML.emit(
            ManifestYAML.map([
                "apiVersion": ManifestYAML.string("networking.istio.io/v1"),
                "kind": ManifestYAML.string("Gateway"),
                "metadata": ManifestYAML.map([
                    "name": ManifestYAML.string(name),
                    "namespace": ManifestYAML.string("istio-system"),
                ]),
                "spec": ManifestYAML.map([
                    "selector": ManifestYAML.map(["istio": ManifestYAML.string("eastwestgateway")]),
                    "servers": ManifestYAML.seq([
                        ManifestYAML.map([
                            "port": ManifestYAML.map([
                                "number": ManifestYAML.int(15443),
                                "name": ManifestYAML.string("tls"),
                                "protocol": ManifestYAML.string("TLS"),
                            ]),
                            "tls": ManifestYAML.map(["mode": ManifestYAML.string("AUTO_PASSTHROUGH")]),
                            "hosts": ManifestYAML.seq([ManifestYAML.string("*.local")]),
                        ])
                    ]),
                ]),
            ]))
    }
}

/// The `istio-system` Namespace exactly as
/// `kubectl create namespace istio-system --dry-run=client -o yaml` prints it, with
/// the label `kubectl label namespace istio-system topology.istio.io/network=NET`
/// adds when a network is given.
public enum IstioSystemNamespace {
    public static let name = "istio-system"
    public static let networkLabel = "topology.istio.io/network"

    public static func manifest(network: String?) -> String {
        var metadata: [(String, Node)] = [("creationTimestamp", ManifestYAML.null)]
        if let network {
            metadata.append(("labels", ManifestYAML.map([(networkLabel, ManifestYAML.string(network))])))
        }
        metadata.append(("name", ManifestYAML.string(name)))
        return ManifestYAML.emit(
            ManifestYAML.map([
                "apiVersion": ManifestYAML.string("v1"),
                "kind": ManifestYAML.string("Namespace"),
                "metadata": ManifestYAML.map(metadata),
                "spec": ManifestYAML.emptyMap,
                "status": ManifestYAML.emptyMap,
            ]))
    }
}
