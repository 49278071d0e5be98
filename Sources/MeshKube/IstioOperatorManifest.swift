// IstioOperator documents MeshScript writes for `istioctl install -f` (install.yaml
// and the east-west gateway), plus the two small manifests multi-network needs:
// the istio-system Namespace with its network label and the cross-network Gateway.
// Forms follow /work/shared/spec/istio-artifacts.md and Istio's own samples.
import Yams

/// What goes into one cluster's install.yaml.
public struct InstallSpec: Sendable, Hashable {
    /// `values.global.meshID`.
    public var mesh: String
    /// `values.global.multiCluster.clusterName`.
    public var cluster: String
    /// `values.global.network`.
    public var network: String
    /// `spec.revision` (the istiod chart's `revision`); nil: the default revision.
    public var revision: String?
    /// `spec.profile` (the istiod chart's `profile`); nil: the installer's default.
    public var profile: String?
    /// The targeted release's forms (meshExpansion, the seed's meshNetworks).
    public var forms: IstioForms
    /// What the model adds (EXTERNAL_ISTIOD on a primary with remotes, see ``PrimaryRemoteValues``),
    /// then the script's `values` overlays in statement order, merged over what MeshScript sets.
    public var overlay: ValueTree
    /// Ambient multicluster: istiod's `AMBIENT_ENABLE_MULTI_NETWORK` (``AmbientMulticluster``).
    public var ambientMultiNetwork = false

    /// The spec of one cluster's control plane; `forms` defaults to the newest release's.
    public init(
        mesh: String, cluster: String, network: String,
        revision: String? = nil, profile: String? = nil, forms: IstioForms = IstioReleases.table[IstioReleases.table.count - 1],
        overlay: ValueTree = .empty
    ) {
        self.mesh = mesh
        self.cluster = cluster
        self.network = network
        self.revision = revision
        self.profile = profile
        self.forms = forms
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
        if forms.seedMeshNetworks {
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
        }
        if forms.meshExpansion {
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

/// The IstioOperator document `istioctl install -f` takes: a cluster's `install.yaml`.
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
    /// Releases up to 1.8 append `meshExpansion` under `global`, and 1.6 the seed's
    /// `meshNetworks` before it, in the seed document's order (``IstioForms``).
    public static func install(_ spec: InstallSpec) -> String {
        var specPairs: [(String, Node)] = []
        if let profile = spec.profile { specPairs.append(("profile", ManifestYAML.string(profile))) }
        if let revision = spec.revision { specPairs.append(("revision", ManifestYAML.string(revision))) }
        if spec.ambientMultiNetwork {
            // The ambient guide sets the variable on the pilot component, not under values.
            let variable = ManifestYAML.map(["name": ManifestYAML.string(AmbientMulticluster.multiNetworkVariable), "value": ManifestYAML.string("true")])
            specPairs.append(("components", ManifestYAML.map(["pilot": ManifestYAML.map(["k8s": ManifestYAML.map(["env": ManifestYAML.seq([variable])])])])))
        }
        specPairs.append(("values", spec.values.node))
        return ManifestYAML.emit(
            ManifestYAML.map([
                "apiVersion": ManifestYAML.string(apiVersion),
                "kind": ManifestYAML.string("IstioOperator"),
                "spec": ManifestYAML.map(specPairs),
            ]))
    }

    /// The east-west gateway IstioOperator, as the targeted release's
    /// `samples/multicluster/gen-eastwest-gateway.sh --network NETWORK [--revision R]
    /// [--mesh MESH --cluster CLUSTER]` prints it (`metadata.name: eastwest`, `profile: empty`,
    /// ports status-port and 15443/15012/15017; what changed between releases is in
    /// ``IstioForms``: the sni-dnat router mode, the injection template, the port names, and
    /// the mesh values, which the script stopped writing in 1.12 ("No longer does anything":
    /// the injector supplies them)). `revision` is written only when given (the script writes
    /// `revision: ""` otherwise, which means the same).
    public static func eastWestGateway(cluster: String, network: String, mesh: String, revision: String?,
                                       forms: IstioForms = IstioReleases.table[IstioReleases.table.count - 1]) -> String {
        func port(_ name: String, _ number: Int) -> Node {
            ManifestYAML.map([
                "name": ManifestYAML.string(name),
                "port": ManifestYAML.int(number),
                "targetPort": ManifestYAML.int(number),
            ])
        }
        func variable(_ name: String, _ value: String) -> Node {
            ManifestYAML.map(["name": ManifestYAML.string(name), "value": ManifestYAML.string(value)])
        }
        // Traffic through this gateway is routed inside the network.
        let env = (forms.eastWestGatewaySNIDNAT ? [variable("ISTIO_META_ROUTER_MODE", "sni-dnat")] : [])
            + [variable("ISTIO_META_REQUESTED_NETWORK_VIEW", network)]
        let names = forms.eastWestGatewayPortNames
        let gateway = ManifestYAML.map([
            "name": ManifestYAML.string("istio-eastwestgateway"),
            "label": ManifestYAML.map([
                "istio": ManifestYAML.string("eastwestgateway"),
                "app": ManifestYAML.string("istio-eastwestgateway"),
                "topology.istio.io/network": ManifestYAML.string(network),
            ]),
            "enabled": ManifestYAML.bool(true),
            "k8s": ManifestYAML.map([
                "env": ManifestYAML.seq(env),
                "service": ManifestYAML.map([
                    "ports": ManifestYAML.seq([
                        port("status-port", 15021), port(names[0], 15443), port(names[1], 15012), port(names[2], 15017),
                    ])
                ]),
            ]),
        ])
        var values: [(String, Node)] = []
        if forms.eastWestGatewayInjectionTemplate {
            values.append(("gateways", ManifestYAML.map([
                "istio-ingressgateway": ManifestYAML.map(["injectionTemplate": ManifestYAML.string("gateway")])
            ])))
        }
        values.append(("global", forms.eastWestGatewayMeshValues
            ? ManifestYAML.map([("meshID", ManifestYAML.string(mesh)), ("network", ManifestYAML.string(network)),
                                ("multiCluster", ManifestYAML.map(["clusterName": ManifestYAML.string(cluster)]))])
            : ManifestYAML.map(["network": ManifestYAML.string(network)])))
        var specPairs: [(String, Node)] = []
        if let revision { specPairs.append(("revision", ManifestYAML.string(revision))) }
        specPairs += [
            ("profile", ManifestYAML.string("empty")),
            ("components", ManifestYAML.map(["ingressGateways": ManifestYAML.seq([gateway])])),
            ("values", ManifestYAML.map(values)),
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
    /// Whether `text` is, byte for byte, an east-west gateway ``eastWestGateway(cluster:network:mesh:revision:forms:)``
    /// writes for some release (with the network, revision, mesh and cluster it names). Render removes such a file once the
    /// cluster is no longer on a network of its own; a file edited by hand is not recognised
    /// and is left alone.
    public static func isGeneratedEastWestGateway(_ text: String) -> Bool {
        guard let document = try? Yams.compose(yaml: text),
              let spec = document["spec"],
              let network = spec["values"]?["global"]?["network"]?.string
        else { return false }
        let revision = spec["revision"]?.string
        let global = spec["values"]?["global"]
        let mesh = global?["meshID"]?.string ?? "", cluster = global?["multiCluster"]?["clusterName"]?.string ?? ""
        return IstioReleases.table.contains { forms in
            forms.eastWestGateway && text == eastWestGateway(cluster: cluster, network: network, mesh: mesh, revision: revision, forms: forms)
        }
    }
}

/// The Gateway that exposes a network's services to other networks through the
/// east-west gateway (Istio's `samples/multicluster/expose-services.yaml`, which the
/// docs apply with `-n istio-system`; here the namespace is written in).
public enum CrossNetworkGateway {
    /// The Gateway's name, `cross-network-gateway`.
    public static let name = "cross-network-gateway"

    /// The Gateway with the `apiVersion` of the targeted release (``IstioForms/gatewayAPIVersion``).
    public static func manifest(_ forms: IstioForms) -> String {
        manifest(apiVersion: forms.gatewayAPIVersion)
    }

    /// Whether `text` is, byte for byte, the Gateway some release's render writes.
    public static func isGenerated(_ text: String) -> Bool {
        IstioReleases.gatewayAPIVersions.contains { text == manifest(apiVersion: $0) }
    }

    static func manifest(apiVersion: String) -> String {
        ManifestYAML.emit(
            ManifestYAML.map([
                "apiVersion": ManifestYAML.string(apiVersion),
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
    /// The namespace's name, `istio-system`.
    public static let name = "istio-system"
    /// The label that puts a cluster's namespace on a network (Istio's `topology.istio.io/network`).
    public static let networkLabel = "topology.istio.io/network"

    /// `controlPlaneClusters`: the primary whose istiod manages this cluster (a remote's
    /// `topology.istio.io/controlPlaneClusters` annotation, as `kubectl annotate` adds it).
    public static func manifest(network: String?, controlPlaneClusters: String? = nil) -> String {
        var metadata: [(String, Node)] = []
        if let controlPlaneClusters {
            metadata.append(("annotations", ManifestYAML.map([(PrimaryRemoteValues.controlPlaneClustersAnnotation, ManifestYAML.string(controlPlaneClusters))])))
        }
        metadata.append(("creationTimestamp", ManifestYAML.null))
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
