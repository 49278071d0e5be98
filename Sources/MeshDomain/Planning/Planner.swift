// From a valid topology to ordered steps: per cluster, one primary at a time, trust
// (intermediate CA, namespace, cacerts) then install and readiness; then discovery links.
// The commands are the seed document's and istio-artifacts.md's, for the targeted release.
import MeshKube

/// What the planner needs beyond the topology: the work directory, the script and the kubeconfig.
public struct PlanOptions: Sendable {
    /// The seed's ${WORK_DIR}.
    public var workDirectory: String
    /// The script, so the trust step can name the command that generates the certificates.
    public var scriptPath: String
    /// Links whose remote secret `render` writes itself (from kubeconfig credentials); the
    /// others keep the seed's `istioctl create-remote-secret | kubectl apply` step.
    public var offlineRemoteSecrets: Set<DiscoveryLink>

    /// The kubeconfig file every kubectl and istioctl command names (`--kubeconfig=`), as
    /// MeshRender resolved it; nil: none, the tools read their own default.
    public var kubeconfig: String?

    /// Options for planning into `workDirectory`; by default every remote secret comes from istioctl.
    public init(workDirectory: String, scriptPath: String, offlineRemoteSecrets: Set<DiscoveryLink> = [], kubeconfig: String? = nil) {
        self.workDirectory = workDirectory
        self.scriptPath = scriptPath
        self.offlineRemoteSecrets = offlineRemoteSecrets
        self.kubeconfig = kubeconfig
    }
}

/// Where `render` puts each file; the planner and the renderer share these names.
public struct WorkLayout: Sendable {
    /// The work directory (WORK_DIR) every path is under.
    public var root: String
    /// The layout of the work directory `root`.
    public init(_ root: String) { self.root = root }

    /// `parts` joined under the work directory.
    public func path(_ parts: String...) -> String { ([root] + parts).joined(separator: "/") }
    /// The mesh root CA certificate.
    public var rootCertificate: String { path("root-cert.pem") }
    /// The root CA's private key.
    public var rootKey: String { path("root-key.pem") }
    /// Cluster `c`'s intermediate CA certificate.
    public func caCertificate(_ c: String) -> String { path(c, "ca-cert.pem") }
    /// Cluster `c`'s intermediate CA private key.
    public func caKey(_ c: String) -> String { path(c, "ca-key.pem") }
    /// The root certificate as cluster `c`'s cacerts carries it.
    public func rootCertificateCopy(_ c: String) -> String { path(c, "root-cert.pem") }
    /// Cluster `c`'s chain: its intermediate, then the root.
    public func certificateChain(_ c: String) -> String { path(c, "cert-chain.pem") }
    /// The `cacerts` Secret manifest for cluster `c`'s istio-system.
    public func cacertsSecret(_ c: String) -> String { path(c, "cacerts-secret.yaml") }
    /// The istio-system Namespace manifest for cluster `c` (with its network label when needed).
    public func namespace(_ c: String) -> String { path(c, "istio-system-namespace.yaml") }
    /// The IstioOperator that `istioctl install` applies to cluster `c`.
    public func install(_ c: String) -> String { path(c, "install.yaml") }
    /// The IstioOperator for cluster `c`'s east-west gateway.
    public func eastWestGateway(_ c: String) -> String { path(c, "eastwest-gateway.yaml") }
    /// The Gateway exposing cluster `c`'s services on the east-west gateway.
    public func crossNetworkGateway(_ c: String) -> String { path(c, "cross-network-gateway.yaml") }
    /// Istio's reader ServiceAccount, ClusterRole/Binding and token Secret for cluster `c`,
    /// applied to `c` when its remote secret carries a token minted there.
    public func readerAccount(_ c: String) -> String { path(c, "reader-service-account.yaml") }
    /// The secret `target` applies so it can read `source`'s API server.
    public func remoteSecret(source: String, target: String) -> String { path(target, "remote-secret-\(source).yaml") }
    /// The plan as JSON, written by render.
    public var planJSON: String { path("plan.json") }
}

/// Turns a valid topology into a ``Plan``; pure, it touches neither files nor clusters.
public enum Planner {
    /// The steps for a valid topology, each kubectl and istioctl command carrying the
    /// ``ClusterAccess/flags`` of the cluster it acts on (``Plan/access``).
    public static func plan(_ topology: Topology, options: PlanOptions) -> Plan {
        var builder = StepList(topology: topology, options: options)
        for cluster in topology.clusters {
            builder.addClusterSteps(cluster)
        }
        for link in builder.links {
            builder.addDiscoveryStep(link)
        }
        return Plan(mesh: topology.mesh?.name.value ?? "", istio: topology.istio.label, workDirectory: options.workDirectory,
                    clusters: topology.clusters.map(\.name.value), access: builder.access, links: builder.links, steps: builder.steps)
    }

    /// Clusters linked to a cluster on another network (current Istio): they need the
    /// network label, an east-west gateway and the cross-network Gateway.
    public static func crossNetworkClusters(_ topology: Topology, _ links: [DiscoveryLink]) -> Set<String> {
        guard topology.istio == .current else { return [] }
        var result = Set<String>()
        let byName = Dictionary(topology.clusters.map { ($0.name.value, $0) }, uniquingKeysWith: { first, _ in first })
        for link in links {
            guard let a = byName[link.source], let b = byName[link.target],
                  let netA = topology.network(of: a), let netB = topology.network(of: b), netA != netB else { continue }
            result.insert(link.source)
            result.insert(link.target)
        }
        return result
    }
}

/// The plan's steps as they are added, numbered in order, with what every step needs to know:
/// the layout, the links, the clusters by name and how the tools reach each cluster.
private struct StepList {
    let topology: Topology
    let options: PlanOptions
    let layout: WorkLayout
    let links: [DiscoveryLink]
    let byName: [String: ClusterDeclaration]
    let multiNetwork: Set<String>
    /// By cluster name; the first declaration of a name wins, as in `byName`.
    let access: [String: ClusterAccess]
    var steps: [Plan.Step] = []

    init(topology: Topology, options: PlanOptions) {
        self.topology = topology
        self.options = options
        layout = WorkLayout(options.workDirectory)
        links = topology.links
        byName = Dictionary(topology.clusters.map { ($0.name.value, $0) }, uniquingKeysWith: { first, _ in first })
        multiNetwork = Planner.crossNetworkClusters(topology, links)
        access = byName.mapValues { ClusterAccess(kubeconfig: options.kubeconfig, context: $0.contextName) }
    }

    mutating func add(_ kind: Plan.Step.Kind, _ phase: Plan.Phase, _ cluster: String, _ title: String, _ commands: [Plan.Command],
                      files: [String] = [], note: String? = nil) {
        steps.append(Plan.Step(number: steps.count + 1, phase: phase, cluster: cluster, title: title, commands: commands, files: files,
                               note: note, kind: kind))
    }

    /// A relative path as a command's operand: `./-x` for `-x`, which a tool would take for an option.
    static func operand(_ path: String) -> String { path.hasPrefix("-") ? "./" + path : path }

    /// `--kubeconfig=PATH --context=NAME` for the cluster named `name`.
    func flags(_ name: String) -> [String] { access[name]?.flags ?? [] }

    mutating func addClusterSteps(_ cluster: ClusterDeclaration) {
        if let trust = cluster.trust { addTrustSteps(cluster, root: trust.root.value) }
        if cluster.install != nil { addInstallSteps(cluster) }
    }

    mutating func addTrustSteps(_ cluster: ClusterDeclaration, root: String) {
        let name = cluster.name.value
        let access = flags(name)
        let certificateFiles = [layout.caCertificate(name), layout.caKey(name), layout.rootCertificateCopy(name), layout.certificateChain(name)]
        // render reads the same kubeconfig for the remote secrets it writes; the script's own
        // `kubeconfig` statement still wins over the option, so passing it is always right.
        // A path that starts with '-' would be read as an option: ./ keeps it a path.
        let render = ["meshscript", "render", Self.operand(options.scriptPath), "--out", Self.operand(options.workDirectory)]
            + (options.kubeconfig.map { ["--kubeconfig=\($0)"] } ?? [])
        add(.intermediateCA, .trust, name, "generate the intermediate CA for \(name), signed by root '\(root)'", [Plan.Command(render)],
            files: [layout.rootCertificate] + certificateFiles,
            note: "equivalent to Istio's `make -f tools/certs/Makefile \(name)-cacerts`")
        add(.namespace, .trust, name, "create namespace istio-system", [Plan.Command(["kubectl", "create", "namespace", "istio-system"] + access)])
        if let network = topology.network(of: cluster), multiNetwork.contains(name) {
            add(.networkLabel(network: network), .trust, name, "label istio-system with network \(network)",
                [Plan.Command(["kubectl", "label", "namespace", "istio-system", "topology.istio.io/network=\(network)", "--overwrite"] + access)],
                files: [layout.namespace(name)])
        }
        add(.cacerts, .trust, name, "create the cacerts secret",
            [Plan.Command(["kubectl", "create", "secret", "generic", "cacerts"] + access + ["-n", "istio-system"]
                + certificateFiles.map { "--from-file=\($0)" })],
            files: certificateFiles)
    }

    mutating func addInstallSteps(_ cluster: ClusterDeclaration) {
        let name = cluster.name.value
        let access = flags(name)
        let network = topology.network(of: cluster)
        let installCommand: [String] = topology.istio == .legacy16
            ? ["istioctl"] + access + ["manifest", "apply", "-f", layout.install(name)]
            : ["istioctl", "install"] + access + ["-f", layout.install(name), "-y"]
        let spec = Plan.ControlPlaneSpec(meshID: topology.mesh?.name.value, clusterName: name, network: network,
                                         revision: cluster.install?.revision?.value)
        add(.controlPlane(spec), .install, name, "install the control plane (meshID \(topology.mesh?.name.value ?? "?"), network \(network ?? "?"))",
            [Plan.Command(installCommand)], files: [layout.install(name)],
            note: cluster.trust == nil ? "no cacerts secret: istiod will use its self-signed CA" : nil)
        add(.waitReady, .install, name, "wait until the control plane is ready",
            [Plan.Command(["kubectl"] + access + ["-n", "istio-system", "wait", "--for=condition=Ready", "pod", "--all", "--timeout=300s"])],
            note: "istiod picks up cacerts only at startup; the next cluster is touched only after this one is ready")
        if multiNetwork.contains(name), let network {
            add(.eastWestGateway(network: network), .install, name, "install the east-west gateway for network \(network)",
                [Plan.Command(["istioctl", "install"] + access + ["-f", layout.eastWestGateway(name), "-y"])],
                files: [layout.eastWestGateway(name)])
            add(.crossNetworkGateway, .install, name, "expose services through the east-west gateway",
                [Plan.Command(["kubectl", "apply"] + access + ["-n", "istio-system", "-f", layout.crossNetworkGateway(name)])],
                files: [layout.crossNetworkGateway(name)])
        }
    }

    /// The target applies the source's remote secret: the file render wrote; or, for the releases
    /// MeshScript mints tokens for, the reader account applied to the source and
    /// `meshscript remote-secret` (which reads its token there) piped into the target; or what
    /// `istioctl create-remote-secret` prints from the source (source's access for the source
    /// side, target's for `kubectl apply`). The token never appears in the plan.
    mutating func addDiscoveryStep(_ link: DiscoveryLink) {
        guard let source = byName[link.source], byName[link.target] != nil else { return }
        let title = "give \(link.target) the remote secret of \(link.source)"
        let kind = Plan.Step.Kind.remoteSecret(source: link.source, server: source.server?.value)
        let server = source.server.map { ["--server=\($0.value)"] } ?? []
        let apply = ["kubectl", "apply", "-f", "-"] + flags(link.target)
        if options.offlineRemoteSecrets.contains(link) {
            let file = layout.remoteSecret(source: link.source, target: link.target)
            add(kind, .discover, link.target, title, [Plan.Command(["kubectl", "apply", "-f", file] + flags(link.target))], files: [file],
                note: "written by meshscript render from the kubeconfig context '\(source.contextName)'")
        } else if topology.remoteSecretRelease.mintsReaderToken {
            let reader = layout.readerAccount(link.source)
            let create = ["meshscript", "remote-secret", "--name=\(link.source)"] + server + ["--istio=\(topology.istio.label)"] + flags(link.source)
            add(kind, .discover, link.target, title,
                [Plan.Command(["kubectl", "apply", "-f", reader] + flags(link.source)), Plan.Command(pipeline: [create, apply])],
                files: [reader],
                note: "the token is that of \(ReaderAccount.serviceAccountName) in \(link.source), read from its token Secret by meshscript and never printed")
        } else {
            var create = ["istioctl"]
            if topology.istio == .legacy16 { create.append("x") }
            // istioctl embeds the kubeconfig's address unless told the one the script names.
            create += ["create-remote-secret"] + flags(link.source) + ["--name=\(link.source)"] + server
            add(kind, .discover, link.target, title, [Plan.Command(pipeline: [create, apply])])
        }
    }
}
