// Istio's primary-remote model (istio.io "Install Primary-Remote", on one network and on
// several): what a primary that serves remotes and what a remote are installed with, as data
// both installers read (istioctl's IstioOperator here; a Helm values file elsewhere), and the
// manifests only this model needs: the Gateway and VirtualService that expose istiod on the
// east-west gateway (`samples/multicluster/expose-istiod.yaml`, `expose-istiod-rev.yaml.tmpl`).
import Yams

/// The values of Istio's primary-remote model, in one place for every installer: values of the
/// istiod chart, which istioctl takes under `spec.values` (or as `--set values.PATH=VALUE`) and
/// Helm as they are (`--set PATH=VALUE`); the remote's profile is `spec.profile: remote` for
/// istioctl and the chart value `profile: remote` for Helm.
public enum PrimaryRemoteValues {
    /// The chart value that points a remote's injector webhook and proxies at the primary's
    /// istiod (through its east-west gateway); known only once that gateway has an address.
    public static let remotePilotAddress = "global.remotePilotAddress"

    /// The profile of a remote: the injector webhook and base resources, no istiod.
    public static let remoteProfile = "remote"

    /// The namespace annotation on a remote's istio-system that names the cluster whose istiod
    /// manages it (`kubectl annotate namespace istio-system topology.istio.io/controlPlaneClusters=PRIMARY`).
    public static let controlPlaneClustersAnnotation = "topology.istio.io/controlPlaneClusters"

    /// What a primary with remotes adds to its install: EXTERNAL_ISTIOD, so its istiod also
    /// serves the remotes. `global.externalIstiod: true` where the chart reads it (Istio 1.24
    /// and later, today's guide), `pilot.env.EXTERNAL_ISTIOD: true` before (the older guides'
    /// `--set values.pilot.env.EXTERNAL_ISTIOD=true`).
    public static func primary(globalExternalIstiod: Bool) -> ValueTree {
        globalExternalIstiod ? .at(["global", "externalIstiod"], .boolean(true)) : .at(["pilot", "env", "EXTERNAL_ISTIOD"], .boolean(true))
    }

    /// What a remote is installed with besides `profile: remote` and the primary's address: the
    /// injection path that tells the primary's istiod which cluster and network a pod is in.
    public static func remote(cluster: String, network: String) -> ValueTree {
        .at(["istiodRemote", "injectionPath"], .string("/inject/cluster/\(cluster)/net/\(network)"))
    }

    /// `--set values.PATH=VALUE` for istioctl (the address a plan step reads at apply time).
    public static func istioctlSet(_ path: String, _ value: String) -> [String] {
        ["--set", "values.\(path)=\(value)"]
    }
}

extension IstioOperatorManifest {
    /// A remote's install.yaml, as the guide's `cluster2.yaml` without `remotePilotAddress`
    /// (which apply passes with `--set values.global.remotePilotAddress=ADDR`, once read):
    /// ```
    /// spec:
    ///   profile: remote
    ///   values:
    ///     istiodRemote:
    ///       injectionPath: /inject/cluster/CLUSTER/net/NETWORK
    /// ```
    public static func remote(cluster: String, network: String, overlay: ValueTree = .empty) -> String {
        ManifestYAML.emit(
            ManifestYAML.map([
                "apiVersion": ManifestYAML.string(apiVersion),
                "kind": ManifestYAML.string("IstioOperator"),
                "spec": ManifestYAML.map([
                    ("profile", ManifestYAML.string(PrimaryRemoteValues.remoteProfile)),
                    ("values", PrimaryRemoteValues.remote(cluster: cluster, network: network).merging(overlay).node),
                ]),
            ]))
    }
}

extension HelmValues {
    /// `istio/base` on a remote: the chart's remote profile (the istiod chart's remote profile
    /// says both charts "must be deployed with this profile").
    public static var remoteBase: ValueTree { .map([.init("profile", .string(PrimaryRemoteValues.remoteProfile))]) }

    /// `istio/istiod` on a remote, as the Helm primary-remote guide's `--set profile=remote
    /// --set global.multiCluster.clusterName=C --set global.network=NET --set istiodRemote.injectionPath=...`;
    /// `global.remotePilotAddress` is passed with `--set` once apply has read it.
    public static func remoteIstiod(cluster: String, network: String, overlay: ValueTree) -> ValueTree {
        ValueTree.map([
            .init("profile", .string(PrimaryRemoteValues.remoteProfile)),
            .init("global", .map([.init("multiCluster", .map([.init("clusterName", .string(cluster))])), .init("network", .string(network))])),
        ]).merging(PrimaryRemoteValues.remote(cluster: cluster, network: network)).merging(overlay)
    }
}

/// The Gateway and VirtualService that expose a primary's istiod on its east-west gateway, so
/// that its remotes reach discovery (15012) and the injection webhook (15017): Istio's
/// `samples/multicluster/expose-istiod.yaml`, or `expose-istiod-rev.yaml.tmpl` for a revision,
/// with the namespace written in (the guide applies them with `-n istio-system`).
public enum ExposeIstiod {
    /// The Gateway's name.
    public static let gatewayName = "istiod-gateway"

    /// Both documents, `---` between them; `revision` routes to `istiod-REVISION`.
    public static func manifest(revision: String?) -> String {
        gateway() + "---\n" + virtualService(revision: revision)
    }

    static func gateway() -> String {
        func server(_ name: String, _ number: Int) -> Node {
            ManifestYAML.map([
                "port": ManifestYAML.map([
                    "name": ManifestYAML.string(name),
                    "number": ManifestYAML.int(number),
                    "protocol": ManifestYAML.string("tls"),
                ]),
                "tls": ManifestYAML.map(["mode": ManifestYAML.string("PASSTHROUGH")]),
                "hosts": ManifestYAML.seq([ManifestYAML.string("*")]),
            ])
        }
        return ManifestYAML.emit(
            ManifestYAML.map([
                "apiVersion": ManifestYAML.string("networking.istio.io/v1"),
                "kind": ManifestYAML.string("Gateway"),
                "metadata": ManifestYAML.map(["name": ManifestYAML.string(gatewayName), "namespace": ManifestYAML.string("istio-system")]),
                "spec": ManifestYAML.map([
                    "selector": ManifestYAML.map(["istio": ManifestYAML.string("eastwestgateway")]),
                    "servers": ManifestYAML.seq([server("tls-istiod", 15012), server("tls-istiodwebhook", 15017)]),
                ]),
            ]))
    }

    static func virtualService(revision: String?) -> String {
        let service = revision.map { "istiod-\($0)" } ?? "istiod"
        let sniHosts = revision == nil ? ["*"] : ["\(service).istio-system.svc", "\(service).istio-system.svc.cluster.local"]
        func route(_ port: Int, to target: Int) -> Node {
            ManifestYAML.map([
                "match": ManifestYAML.seq([
                    ManifestYAML.map(["port": ManifestYAML.int(port), "sniHosts": ManifestYAML.seq(sniHosts.map(ManifestYAML.string))])
                ]),
                "route": ManifestYAML.seq([
                    ManifestYAML.map([
                        "destination": ManifestYAML.map([
                            "host": ManifestYAML.string("\(service).istio-system.svc.cluster.local"),
                            "port": ManifestYAML.map(["number": ManifestYAML.int(target)]),
                        ])
                    ])
                ]),
            ])
        }
        return ManifestYAML.emit(
            ManifestYAML.map([
                "apiVersion": ManifestYAML.string("networking.istio.io/v1"),
                "kind": ManifestYAML.string("VirtualService"),
                "metadata": ManifestYAML.map([
                    "name": ManifestYAML.string(revision.map { "istiod-vs-\($0)" } ?? "istiod-vs"),
                    "namespace": ManifestYAML.string("istio-system"),
                ]),
                "spec": ManifestYAML.map([
                    "hosts": ManifestYAML.seq([ManifestYAML.string("*")]),
                    "gateways": ManifestYAML.seq([ManifestYAML.string(gatewayName)]),
                    "tls": ManifestYAML.seq([route(15012, to: 15012), route(15017, to: 443)]),
                ]),
            ]))
    }
}
