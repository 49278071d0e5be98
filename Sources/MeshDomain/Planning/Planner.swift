// From a valid topology to ordered steps: per cluster, one primary at a time, trust
// (intermediate CA, namespace, cacerts) then install and readiness; then discovery links.
// The commands are the seed document's and istio-artifacts.md's, for the targeted release.

public struct PlanOptions: Sendable {
    /// The seed's ${WORK_DIR}.
    public var workDirectory: String
    /// The script, so the trust step can name the command that generates the certificates.
    public var scriptPath: String
    /// Links whose remote secret `render` writes itself (from kubeconfig credentials); the
    /// others keep the seed's `istioctl create-remote-secret | kubectl apply` step.
    public var offlineRemoteSecrets: Set<DiscoveryLink>

    public init(workDirectory: String, scriptPath: String, offlineRemoteSecrets: Set<DiscoveryLink> = []) {
        self.workDirectory = workDirectory
        self.scriptPath = scriptPath
        self.offlineRemoteSecrets = offlineRemoteSecrets
    }
}

/// Where `render` puts each file; the planner and the renderer share these names.
public struct WorkLayout: Sendable {
    public var root: String
    public init(_ root: String) { self.root = root }

    public func path(_ parts: String...) -> String { ([root] + parts).joined(separator: "/") }
    public var rootCertificate: String { path("root-cert.pem") }
    public var rootKey: String { path("root-key.pem") }
    public func caCertificate(_ c: String) -> String { path(c, "ca-cert.pem") }
    public func caKey(_ c: String) -> String { path(c, "ca-key.pem") }
    public func rootCertificateCopy(_ c: String) -> String { path(c, "root-cert.pem") }
    public func certificateChain(_ c: String) -> String { path(c, "cert-chain.pem") }
    public func cacertsSecret(_ c: String) -> String { path(c, "cacerts-secret.yaml") }
    public func namespace(_ c: String) -> String { path(c, "istio-system-namespace.yaml") }
    public func install(_ c: String) -> String { path(c, "install.yaml") }
    public func eastWestGateway(_ c: String) -> String { path(c, "eastwest-gateway.yaml") }
    public func crossNetworkGateway(_ c: String) -> String { path(c, "cross-network-gateway.yaml") }
    /// The secret `target` applies so it can read `source`'s API server.
    public func remoteSecret(source: String, target: String) -> String { path(target, "remote-secret-\(source).yaml") }
    public var planJSON: String { path("plan.json") }
}

public enum Planner {
    public static func plan(_ topology: Topology, options: PlanOptions) -> Plan {
        let layout = WorkLayout(options.workDirectory)
        let istio = topology.istio
        let links = topology.links
        let byName = Dictionary(topology.clusters.map { ($0.name.value, $0) }, uniquingKeysWith: { first, _ in first })
        let multiNetwork = crossNetworkClusters(topology, links)
        var steps: [Plan.Step] = []
        func add(_ phase: Plan.Phase, _ cluster: String, _ title: String, _ commands: [Plan.Command], files: [String] = [], note: String? = nil) {
            steps.append(Plan.Step(number: steps.count + 1, phase: phase, cluster: cluster, title: title, commands: commands, files: files, note: note))
        }

        for cluster in topology.clusters {
            let name = cluster.name.value
            let context = "--context=\(cluster.contextName)"
            let network = topology.network(of: cluster)
            if let trust = cluster.trust {
                let certificateFiles = [layout.caCertificate(name), layout.caKey(name), layout.rootCertificateCopy(name), layout.certificateChain(name)]
                add(.trust, name, "generate the intermediate CA for \(name), signed by root '\(trust.root.value)'",
                    [Plan.Command(["meshscript", "render", options.scriptPath, "--out", options.workDirectory])],
                    files: [layout.rootCertificate] + certificateFiles,
                    note: "equivalent to Istio's `make -f tools/certs/Makefile \(name)-cacerts`")
                add(.trust, name, "create namespace istio-system", [Plan.Command(["kubectl", "create", "namespace", "istio-system", context])])
                if let network, multiNetwork.contains(name) {
                    add(.trust, name, "label istio-system with network \(network)",
                        [Plan.Command(["kubectl", "label", "namespace", "istio-system", "topology.istio.io/network=\(network)", context])],
                        files: [layout.namespace(name)])
                }
                add(.trust, name, "create the cacerts secret",
                    [Plan.Command(["kubectl", "create", "secret", "generic", "cacerts", context, "-n", "istio-system"]
                        + certificateFiles.map { "--from-file=\($0)" })],
                    files: certificateFiles)
            }
            if cluster.install != nil {
                let installCommand: [String] = istio == .legacy16
                    ? ["istioctl", context, "manifest", "apply", "-f", layout.install(name)]
                    : ["istioctl", "install", context, "-f", layout.install(name), "-y"]
                add(.install, name, "install the control plane (meshID \(topology.mesh?.name.value ?? "?"), network \(network ?? "?"))",
                    [Plan.Command(installCommand)], files: [layout.install(name)],
                    note: cluster.trust == nil ? "no cacerts secret: istiod will use its self-signed CA" : nil)
                add(.install, name, "wait until the control plane is ready",
                    [Plan.Command(["kubectl", context, "-n", "istio-system", "wait", "--for=condition=Ready", "pod", "--all", "--timeout=300s"])],
                    note: "istiod picks up cacerts only at startup; the next cluster is touched only after this one is ready")
                if multiNetwork.contains(name), let network {
                    add(.install, name, "install the east-west gateway for network \(network)",
                        [Plan.Command(["istioctl", "install", context, "-f", layout.eastWestGateway(name), "-y"])],
                        files: [layout.eastWestGateway(name)])
                    add(.install, name, "expose services through the east-west gateway",
                        [Plan.Command(["kubectl", "apply", context, "-n", "istio-system", "-f", layout.crossNetworkGateway(name)])],
                        files: [layout.crossNetworkGateway(name)])
                }
            }
        }

        for link in links {
            guard let source = byName[link.source], let target = byName[link.target] else { continue }
            let title = "give \(link.target) the remote secret of \(link.source)"
            if options.offlineRemoteSecrets.contains(link) {
                let file = layout.remoteSecret(source: link.source, target: link.target)
                add(.discover, link.target, title,
                    [Plan.Command(["kubectl", "apply", "-f", file, "--context=\(target.contextName)"])], files: [file],
                    note: "written by meshscript render from the kubeconfig context '\(source.contextName)'")
            } else {
                var create = ["istioctl"]
                if istio == .legacy16 { create.append("x") }
                create += ["create-remote-secret", "--context=\(source.contextName)", "--name=\(link.source)"]
                add(.discover, link.target, title,
                    [Plan.Command(pipeline: [create, ["kubectl", "apply", "-f", "-", "--context=\(target.contextName)"]])])
            }
        }
        return Plan(mesh: topology.mesh?.name.value ?? "", istio: istio.label, workDirectory: options.workDirectory,
                    clusters: topology.clusters.map(\.name.value), links: links, steps: steps)
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
