// Istio's primary-remote model (istio.io "Install Primary-Remote", on one network and on
// several): what a primary that serves remotes and what a remote are installed with, as data
// both installers read (istioctl's IstioOperator here; a Helm values file elsewhere), and the
// manifests only this model needs: the Gateway and VirtualService that expose istiod on the
// east-west gateway (`samples/multicluster/expose-istiod.yaml`, `expose-istiod-rev.yaml.tmpl`).
import Yams

/// One install value: a dotted path under the IstioOperator's `spec.values` (a Helm chart
/// value, `--set PATH=VALUE`) and what it is set to.
public struct InstallValue: Sendable, Hashable {
    /// A string or a boolean, as the chart reads it.
    public enum Value: Sendable, Hashable {
        case string(String)
        case bool(Bool)
    }
    /// Dotted path, e.g. `global.remotePilotAddress`.
    public var path: String
    /// The value at `path`.
    public var value: Value
    /// `path` set to `value`.
    public init(_ path: String, _ value: Value) {
        self.path = path
        self.value = value
    }
}

/// The values of Istio's primary-remote model, in one place for every installer. Each
/// ``InstallValue`` path is a value of the istiod chart: istioctl takes it under `spec.values`
/// (or as `--set values.PATH=VALUE`), Helm as `--set PATH=VALUE`; the remote's profile is
/// `spec.profile: remote` for istioctl and the chart value `profile=remote` for Helm.
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
    public static func primary(globalExternalIstiod: Bool) -> [InstallValue] {
        [globalExternalIstiod ? InstallValue("global.externalIstiod", .bool(true)) : InstallValue("pilot.env.EXTERNAL_ISTIOD", .bool(true))]
    }

    /// What a remote is installed with besides `profile: remote` and the primary's address: the
    /// injection path that tells the primary's istiod which cluster and network a pod is in.
    public static func remote(cluster: String, network: String) -> [InstallValue] {
        [InstallValue("istiodRemote.injectionPath", .string("/inject/cluster/\(cluster)/net/\(network)"))]
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
    public static func remote(cluster: String, network: String) -> String {
        ManifestYAML.emit(
            ManifestYAML.map([
                "apiVersion": ManifestYAML.string(apiVersion),
                "kind": ManifestYAML.string("IstioOperator"),
                "spec": ManifestYAML.map([
                    ("profile", ManifestYAML.string(PrimaryRemoteValues.remoteProfile)),
                    ("values", values(PrimaryRemoteValues.remote(cluster: cluster, network: network))),
                ]),
            ]))
    }

    /// `values` as nested mappings, keys in the order the paths first name them.
    static func values(_ values: [InstallValue], into base: [(String, Node)] = []) -> Node {
        var pairs = base
        for value in values {
            insert(value.path.split(separator: ".").map(String.init), node(value.value), into: &pairs)
        }
        return ManifestYAML.map(pairs)
    }

    private static func node(_ value: InstallValue.Value) -> Node {
        switch value {
        case .string(let text): ManifestYAML.string(text)
        case .bool(let flag): ManifestYAML.bool(flag)
        }
    }

    private static func insert(_ path: [String], _ leaf: Node, into pairs: inout [(String, Node)]) {
        guard let key = path.first else { return }
        guard path.count > 1 else {
            pairs.removeAll { $0.0 == key }
            pairs.append((key, leaf))
            return
        }
        var inner: [(String, Node)] = []
        if let index = pairs.firstIndex(where: { $0.0 == key }) {
            inner = pairs[index].1.mapping.map { $0.map { ($0.key.string ?? "", $0.value) } } ?? []
            insert(Array(path.dropFirst()), leaf, into: &inner)
            pairs[index].1 = ManifestYAML.map(inner)
        } else {
            insert(Array(path.dropFirst()), leaf, into: &inner)
            pairs.append((key, ManifestYAML.map(inner)))
        }
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
