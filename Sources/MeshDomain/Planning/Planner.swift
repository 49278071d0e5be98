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

    /// The host's changes to every plan, run in order after MeshScript's steps.
    public var hooks: [PlanHook] = []

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
    public func path(_ parts: String...) -> String {
        var path = root
        for part in parts {
            path += "/"
            path += part
        }
        return path
    }
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
    /// The Gateway and VirtualService exposing primary `c`'s istiod to its remotes.
    public func exposeIstiod(_ c: String) -> String { path(c, "expose-istiod.yaml") }
    /// Istio's reader ServiceAccount, ClusterRole/Binding and token Secret for cluster `c`,
    /// applied to `c` when its remote secret carries a token minted there.
    public func readerAccount(_ c: String) -> String { path(c, "reader-service-account.yaml") }
    /// The secret `target` applies so it can read `source`'s API server.
    public func remoteSecret(source: String, target: String) -> String { path(target, "remote-secret-\(source).yaml") }
    /// The values file of `chart` for cluster `c`, in a directory of its own so that
    /// `kubectl apply -f WORK_DIR/C/` never reads it as a manifest.
    public func helmValues(_ c: String, _ chart: HelmChart) -> String { path(c, "helm", "\(chart.rawValue)-values.yaml") }
    /// The plan as JSON, written by render.
    public var planJSON: String { path("plan.json") }
}

/// Turns a valid topology into a ``Plan``; pure, it touches neither files nor clusters.
package enum Planner {
    /// The steps for a valid topology, each kubectl and istioctl command carrying the
    /// ``ClusterAccess/flags`` of the cluster it acts on (``Plan/access``).
    package static func plan(_ topology: Topology, options: PlanOptions) -> Plan {
        var builder = StepList(topology: topology, options: options)
        var plan = builder.outline
        builder.addSteps()
        plan.steps = builder.steps
        for hook in options.hooks { hook(&plan, topology) }
        return plan
    }

    /// The bytes of ``plan(_:options:)``'s ``Plan/json()``, handed to `write` in pieces as the
    /// steps are made, one cluster's (then one link's) at a time: memory holds the topology and
    /// one cluster's steps, never the plan's, which for 100,000 clusters run to gigabytes of
    /// values. A host's ``PlanHook`` may change any step, so with hooks the whole plan is made first.
    package static func writeJSON(_ topology: Topology, options: PlanOptions, _ write: (UnsafeRawBufferPointer) -> Void) {
        guard options.hooks.isEmpty else { return plan(topology, options: options).writeJSON(write) }
        var builder = StepList(topology: topology, options: options)
        builder.outline.writeJSON(write) { json in
            // The builder writes each step as it makes it, then hands the writer back (its
            // drain must not outlive the call: see `withoutActuallyEscaping` in Plan.writeJSON).
            builder.json = json
            builder.addSteps()
            json = builder.json.take()!
        }
    }

    /// Helm's `--version` for the release a script pins with `istio "R"`: a patch release
    /// (`1.24.3`) exactly, a minor release (`1.24`) as `~1.24.0`, its newest patch; nil (the
    /// newest chart) when the script names none.
    package static func helmChartVersion(pin: String?) -> String? {
        guard let pin else { return nil }
        return pin.split(separator: ".").count == 2 ? "~\(pin).0" : pin
    }

    /// The name of the value holding primary `name`'s east-west gateway address: `DISCOVERY_ADDRESS_`
    /// and the name in capitals with `_` for `-` (a DNS label has no `_`, so two names never meet).
    package static func discoveryAddress(of name: String) -> String {
        "DISCOVERY_ADDRESS_" + name.uppercased().split(separator: "-", omittingEmptySubsequences: false).joined(separator: "_")
    }

    /// The cross-network clusters with an ambient profile: ambient multicluster (istiod's
    /// multi-network switch, the double-HBONE east-west Gateway, the Gateway API CRDs first).
    package static func ambientMultiNetworkClusters(_ topology: Topology, _ links: [DiscoveryLink]) -> Set<String> {
        ambientClusters(topology, among: crossNetworkClusters(topology, links))
    }

    /// The clusters of `crossNetwork` with an ambient profile.
    static func ambientClusters(_ topology: Topology, among crossNetwork: Set<String>) -> Set<String> {
        guard !crossNetwork.isEmpty else { return [] }
        return Set(topology.clusters.filter { crossNetwork.contains($0.name.value) && topology.isAmbient($0) }.map(\.name.value))
    }

    /// Clusters linked to a cluster on another network (releases with east-west gateways):
    /// they need an east-west gateway, the cross-network Gateway and (where the release
    /// reads it) the namespace's network label.
    package static func crossNetworkClusters(_ topology: Topology, _ links: [DiscoveryLink]) -> Set<String> {
        guard topology.forms.eastWestGateway else { return [] }
        var result = Set<String>()
        // By name, the first declaration winning; nil for a cluster without a network.
        let networks = Dictionary(topology.clusters.map { ($0.name.value, topology.network(of: $0)) }, uniquingKeysWith: { first, _ in first })
        for link in links {
            guard let netA = networks[link.source] ?? nil, let netB = networks[link.target] ?? nil, netA != netB else { continue }
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
    /// The targeted release's forms (``Topology/forms``), looked up once.
    let forms: IstioForms
    let links: [DiscoveryLink]
    /// Each name's position in the topology's clusters; the first declaration of a name wins.
    let positions: [String: Int]
    let multiNetwork: Set<String>
    /// The clusters of ``multiNetwork`` with an ambient profile.
    let ambientMultiNetwork: Set<String>
    /// By cluster name; the first declaration of a name wins, as in `positions`.
    let access: [String: ClusterAccess]
    /// Each cluster's ``ClusterAccess/flags`` at its position in ``positions``, made once:
    /// every kubectl and istioctl command carries them.
    let accessFlags: [[String]]
    /// `--istio=R` of `meshscript remote-secret`: the release whose forms apply (a release newer
    /// than the table gets the newest's).
    let remoteSecretRelease: String
    /// The same for every cluster: `meshscript render`, which makes the intermediate CAs.
    let render: Plan.Command
    /// The same for every cluster: the root certificate's path.
    let rootCertificate: String
    /// The steps made so far, unless they are written as they are made (see ``json``).
    var steps: [Plan.Step] = []
    /// When set, each step is written here as it is made, and not kept.
    var json: PrettyJSON?
    /// How many steps were made in all: the next one's number is one more.
    var made = 0
    /// Links remote -> primary already planned with their remote (see ``addRemoteSteps(_:primary:)``).
    var attached: Set<DiscoveryLink> = []

    init(topology: Topology, options: PlanOptions) {
        self.topology = topology
        self.options = options
        layout = WorkLayout(options.workDirectory)
        forms = topology.forms
        links = topology.links
        positions = Dictionary(topology.clusters.indices.map { (topology.clusters[$0].name.value, $0) }, uniquingKeysWith: { first, _ in first })
        multiNetwork = Planner.crossNetworkClusters(topology, links)
        ambientMultiNetwork = Planner.ambientClusters(topology, among: multiNetwork)
        access = positions.mapValues { [clusters = topology.clusters, kubeconfig = options.kubeconfig] in
            ClusterAccess(kubeconfig: kubeconfig, context: clusters[$0].contextName)
        }
        var accessFlags = [[String]](repeating: [], count: topology.clusters.count)
        for position in positions.values {
            accessFlags[position] = ClusterAccess(kubeconfig: options.kubeconfig, context: topology.clusters[position].contextName).flags
        }
        self.accessFlags = accessFlags
        remoteSecretRelease = "--istio=\(min(topology.istio, IstioReleases.newest))"
        // render reads the same kubeconfig for the remote secrets it writes; the script's own
        // `kubeconfig` statement still wins over the option, so passing it is always right.
        // A path that starts with '-' would be read as an option: ./ keeps it a path.
        render = Plan.Command(["meshscript", "render", Self.operand(options.scriptPath), "--out", Self.operand(options.workDirectory)]
            + (options.kubeconfig.map { ["--kubeconfig=\($0)"] } ?? []))
        rootCertificate = layout.rootCertificate
    }

    /// The plan without its steps: the mesh, its clusters, how the tools reach them and the links.
    var outline: Plan {
        let gitops = topology.mesh.flatMap { mesh in
            mesh.gitops.map { Plan.GitOps(repository: $0.repository.value, path: $0.path?.value ?? "", revision: $0.revision?.value ?? "main",
                                          secrets: mesh.secrets?.value ?? .apply) }
        }
        let hostData = HostDataSet(topology)
        return Plan(mesh: topology.mesh?.name.value ?? "", istio: topology.istio.description, workDirectory: options.workDirectory,
                    clusters: topology.clusters.map(\.name.value), access: access, links: links, steps: [],
                    gitops: gitops, hostData: hostData.isEmpty ? nil : hostData)
    }

    /// Makes every step, in order: into ``steps``, or written to ``json`` as each is made.
    mutating func addSteps() {
        // A remote's install needs its primary's east-west gateway address: primaries first.
        for cluster in topology.clusters where topology.primary(of: cluster) == nil {
            addClusterSteps(cluster)
        }
        for cluster in topology.clusters where topology.primary(of: cluster) != nil {
            addClusterSteps(cluster)
        }
        for link in links where attached.isEmpty || !attached.contains(link) {
            addDiscoveryStep(link)
        }
    }

    mutating func add(_ kind: Plan.Step.Kind, _ phase: Plan.Phase, _ cluster: String, _ title: String, _ commands: [Plan.Command],
                      files: [String] = [], note: String? = nil, output: String? = nil) {
        made += 1
        let step = Plan.Step(number: made, phase: phase, cluster: cluster, title: title, commands: commands, files: files,
                             note: note, kind: kind, output: output)
        guard json != nil else { return steps.append(step) }
        json!.element()
        step.write(to: &json!)
    }

    /// A relative path as a command's operand: `./-x` for `-x`, which a tool would take for an option.
    static func operand(_ path: String) -> String { path.hasPrefix("-") ? "./" + path : path }

    /// `--kubeconfig=PATH --context=NAME` for the cluster named `name`.
    func flags(_ name: String) -> [String] { positions[name].map { accessFlags[$0] } ?? [] }

    mutating func addClusterSteps(_ cluster: ClusterDeclaration) {
        if let primary = topology.primary(of: cluster) { return addRemoteSteps(cluster, primary: primary) }
        if let trust = cluster.trust { addTrustSteps(cluster, root: trust.root.value) }
        if cluster.install != nil { addInstallSteps(cluster) }
    }

    mutating func addTrustSteps(_ cluster: ClusterDeclaration, root: String) {
        let name = cluster.name.value
        let access = flags(name)
        let certificateFiles = [layout.caCertificate(name), layout.caKey(name), layout.rootCertificateCopy(name), layout.certificateChain(name)]
        add(.intermediateCA, .trust, name, "generate the intermediate CA for \(name), signed by root '\(root)'", [render],
            files: [rootCertificate] + certificateFiles,
            note: "equivalent to Istio's `make -f ../tools/certs/Makefile.selfsigned.mk \(name)-cacerts` (run in a `certs` directory made at the top of the Istio release, as the Plug in CA Certificates task does)")
        add(.namespace, .trust, name, "create namespace istio-system", [Plan.Command(["kubectl", "create", "namespace", "istio-system"] + access)])
        if let network = topology.network(of: cluster), multiNetwork.contains(name), forms.namespaceNetworkLabel {
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
        let helm = topology.installer(of: cluster) == .helm
        let revision = cluster.install?.revision?.value
        let values = topology.installValues(of: cluster).leaves.map { $0.path.joined(separator: ".") + "=" + $0.value.flowText }
        let spec = Plan.ControlPlaneSpec(meshID: topology.mesh?.name.value, clusterName: name, network: network, revision: revision,
                                         installer: helm ? Installer.helm.rawValue : nil, values: values.isEmpty ? nil : values)
        let title = "install the control plane\(helm ? " with Helm" : "") (meshID \(topology.mesh?.name.value ?? "?"), network \(network ?? "?"))"
        let note = cluster.trust == nil ? "no cacerts secret: istiod will use its self-signed CA" : nil
        if ambientMultiNetwork.contains(name) {
            let version = forms.gatewayAPICRDs
            add(.gatewayAPICRDs(version: version), .install, name, "install the Gateway API CRDs \(version), which the ambient east-west Gateway needs",
                [Plan.Command(["kubectl", "apply", "--server-side", "-f", AmbientMulticluster.gatewayAPICRDsURL(version: version)] + access)],
                note: "Istio's ambient multicluster guide installs these CRDs first; they are cluster-wide and shared with other Gateway API users")
        }
        let (commands, files) = controlPlaneCommands(cluster)
        add(.controlPlane(spec), .install, name, title, commands, files: files, note: note)
        add(.waitReady, .install, name, "wait until the control plane is ready",
            [Plan.Command(["kubectl"] + access + ["-n", "istio-system", "wait", "--for=condition=Ready", "pod", "--all", "--timeout=300s"])],
            note: "istiod picks up cacerts only at startup; the next cluster is touched only after this one is ready")
        let servesRemotes = !topology.remotes(of: name).isEmpty
        if multiNetwork.contains(name) || servesRemotes, let network { addEastWestSteps(cluster, network: network) }
        if servesRemotes { addExposeIstiodSteps(name) }
    }

    /// The commands and files that install a primary's control plane: `istioctl install -f
    /// install.yaml` (or 1.6's `manifest apply`), or Helm's base and istiod charts, with ambient's
    /// cni and ztunnel charts for an ambient cluster.
    func controlPlaneCommands(_ cluster: ClusterDeclaration) -> ([Plan.Command], [String]) {
        let name = cluster.name.value, access = flags(name)
        guard topology.installer(of: cluster) == .helm else {
            let install: [String] = switch forms.installCommand {
            case .manifestApply: ["istioctl"] + access + ["manifest", "apply", "-f", layout.install(name)]
            case .install: ["istioctl", "install"] + access + ["-f", layout.install(name), "-y"]
            }
            return ([Plan.Command(install)], [layout.install(name)])
        }
        var charts: [HelmChart] = [.base, .istiod]
        if topology.isAmbient(cluster) { charts += [.cni, .ztunnel] }
        // Without trust no earlier step creates istio-system: the first chart does.
        let commands = charts.map { chart in
            helmCommand(chart, name, revision: chart == .istiod ? cluster.install?.revision?.value : nil,
                        createNamespace: chart == .base && cluster.trust == nil)
        }
        return (commands, charts.map { layout.helmValues(name, $0) })
    }

    /// The east-west gateway, and the cross-network Gateway where the cluster is linked across
    /// networks; for ambient, the double-HBONE Gateway applied with kubectl, and nothing else.
    mutating func addEastWestSteps(_ cluster: ClusterDeclaration, network: String) {
        let name = cluster.name.value
        let access = flags(name)
        if ambientMultiNetwork.contains(name) {
            add(.eastWestGateway(network: network), .install, name, "apply the ambient east-west Gateway (HBONE 15008) for network \(network)",
                [Plan.Command(["kubectl", "apply"] + access + ["-n", "istio-system", "-f", layout.eastWestGateway(name)])],
                files: [layout.eastWestGateway(name)],
                note: "ambient exposes a service to other networks when it is labelled istio.io/global=true")
            return
        }
        if topology.installer(of: cluster) == .helm {
            add(.eastWestGateway(network: network), .install, name, "install the east-west gateway for network \(network) with Helm",
                [helmCommand(.gateway, name, revision: cluster.install?.revision?.value)], files: [layout.helmValues(name, .gateway)])
        } else {
            add(.eastWestGateway(network: network), .install, name, "install the east-west gateway for network \(network)",
                [Plan.Command(["istioctl", "install"] + access + ["-f", layout.eastWestGateway(name), "-y"])],
                files: [layout.eastWestGateway(name)])
        }
        guard multiNetwork.contains(name) else { return }
        add(.crossNetworkGateway, .install, name, "expose services through the east-west gateway",
            [Plan.Command(["kubectl", "apply"] + access + ["-n", "istio-system", "-f", layout.crossNetworkGateway(name)])],
            files: [layout.crossNetworkGateway(name)])
    }

    /// A primary with remotes: istiod exposed on the east-west gateway, then the gateway's
    /// address read, for the remotes' `remotePilotAddress` (the guide's DISCOVERY_ADDRESS).
    mutating func addExposeIstiodSteps(_ name: String) {
        let access = flags(name)
        add(.exposeIstiod, .install, name, "expose istiod to the remotes through the east-west gateway",
            [Plan.Command(["kubectl", "apply"] + access + ["-n", "istio-system", "-f", layout.exposeIstiod(name)])],
            files: [layout.exposeIstiod(name)])
        // The guide reads `.ip`; a load balancer that has a DNS name instead (AWS) sets `.hostname`,
        // which remotePilotAddress takes as well. kubectl's jsonpath prints a missing field as nothing.
        add(.discoveryAddress, .install, name, "read the east-west gateway's address, the remotes' remotePilotAddress",
            [Plan.Command(["kubectl"] + access + ["-n", "istio-system", "get", "service", "istio-eastwestgateway",
                                                   "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}"])],
            note: "apply keeps what this prints as \(Plan.reference(Planner.discoveryAddress(of: name))); it fails while the load balancer has no address",
            output: Planner.discoveryAddress(of: name))
    }

    /// A remote of `primary` (Istio's "Configure cluster2 as a remote"): istio-system annotated
    /// with its primary (and labelled with its network across networks), `profile: remote`
    /// installed with the primary's gateway address, and no wait: no istiod runs here. Then the
    /// remote is attached (the primary gets its remote secret) and, across networks, gets its
    /// own east-west gateway.
    mutating func addRemoteSteps(_ cluster: ClusterDeclaration, primary: String) {
        let name = cluster.name.value
        let access = flags(name)
        let network = topology.network(of: cluster)
        add(.namespace, .trust, name, "create namespace istio-system", [Plan.Command(["kubectl", "create", "namespace", "istio-system"] + access)])
        add(.controlPlaneClusters(primary: primary), .trust, name, "annotate istio-system: its control plane is \(primary)'s istiod",
            [Plan.Command(["kubectl", "annotate", "namespace", "istio-system", "topology.istio.io/controlPlaneClusters=\(primary)", "--overwrite"] + access)],
            files: [layout.namespace(name)])
        if let network, multiNetwork.contains(name) {
            add(.networkLabel(network: network), .trust, name, "label istio-system with network \(network)",
                [Plan.Command(["kubectl", "label", "namespace", "istio-system", "topology.istio.io/network=\(network)", "--overwrite"] + access)],
                files: [layout.namespace(name)])
        }
        let address = Plan.reference(Planner.discoveryAddress(of: primary))
        let helm = topology.installer(of: cluster) == .helm
        // The address is known only at apply: passed with --set, never written into a file.
        let commands = helm
            ? [helmCommand(.base, name, revision: nil),
               Plan.Command(helmCommand(.istiod, name, revision: nil).pipeline[0] + ["--set", "\(PrimaryRemoteValues.remotePilotAddress)=\(address)"])]
            : [Plan.Command(["istioctl", "install"] + access + ["-f", layout.install(name)]
                + PrimaryRemoteValues.istioctlSet(PrimaryRemoteValues.remotePilotAddress, address) + ["-y"])]
        add(.remoteControlPlane(primary: primary, network: network), .install, name,
            "install the remote profile\(helm ? " with Helm" : ""), pointed at \(primary)'s istiod", commands,
            files: helm ? [layout.helmValues(name, .base), layout.helmValues(name, .istiod)] : [layout.install(name)],
            note: "\(address) is the address apply reads from \(primary)'s east-west gateway; no istiod runs here, so nothing waits for one")
        // Attached before anything is injected here: the primary's istiod manages the remote's
        // injection webhook only once it holds the remote's secret (the guide's order).
        let link = DiscoveryLink(source: name, target: primary)
        addDiscoveryStep(link)
        attached.insert(link)
        if multiNetwork.contains(name), let network { addEastWestSteps(cluster, network: network) }
    }

    /// `helm upgrade --install RELEASE CHART --repo ISTIO [--version V] --namespace istio-system
    /// [--create-namespace] --values FILE --kubeconfig=PATH --kube-context=NAME`: the chart from
    /// Istio's repository by URL (no `helm repo add`), pinned when the script names a release.
    func helmCommand(_ chart: HelmChart, _ cluster: String, revision: String?, createNamespace: Bool = false) -> Plan.Command {
        var arguments = ["helm", "upgrade", "--install", chart.release(revision: revision), chart.chart, "--repo", HelmChart.repository]
        if let version = Planner.helmChartVersion(pin: topology.mesh?.istioPin) { arguments += ["--version", version] }
        arguments += ["--namespace", "istio-system"] + (createNamespace ? ["--create-namespace"] : [])
        arguments += ["--values", layout.helmValues(cluster, chart)] + (access[cluster]?.helmFlags ?? [])
        return Plan.Command(arguments)
    }

    /// The target applies the source's remote secret: the file render wrote; or, for the releases
    /// MeshScript mints tokens for, the reader account applied to the source and
    /// `meshscript remote-secret` (which reads its token there) piped into the target; or what
    /// `istioctl create-remote-secret` prints from the source (source's access for the source
    /// side, target's for `kubectl apply`). The token never appears in the plan.
    mutating func addDiscoveryStep(_ link: DiscoveryLink) {
        guard let sourceIndex = positions[link.source], let targetIndex = positions[link.target] else { return }
        let title = "give \(link.target) the remote secret of \(link.source)"
        let sourceServer = topology.clusters[sourceIndex].server?.value
        let kind = Plan.Step.Kind.remoteSecret(source: link.source, server: sourceServer)
        let server = sourceServer.map { ["--server=\($0)"] } ?? []
        let sourceFlags = accessFlags[sourceIndex], targetFlags = accessFlags[targetIndex]
        let apply = ["kubectl", "apply", "-f", "-"] + targetFlags
        if !options.offlineRemoteSecrets.isEmpty, options.offlineRemoteSecrets.contains(link) {
            let file = layout.remoteSecret(source: link.source, target: link.target)
            add(kind, .discover, link.target, title, [Plan.Command(["kubectl", "apply", "-f", file] + targetFlags)], files: [file],
                note: "written by meshscript render from the kubeconfig context '\(topology.clusters[sourceIndex].contextName)'")
        } else if forms.mintsReaderToken {
            let reader = layout.readerAccount(link.source)
            let create = ["meshscript", "remote-secret", "--name=\(link.source)"] + server + [remoteSecretRelease] + sourceFlags
            add(kind, .discover, link.target, title,
                [Plan.Command(["kubectl", "apply", "-f", reader] + sourceFlags), Plan.Command(pipeline: [create, apply])],
                files: [reader],
                note: "the token is that of \(ReaderAccount.serviceAccountName) in \(link.source), read from its token Secret by meshscript and never printed")
        } else {
            // istioctl embeds the kubeconfig's address unless told the one the script names.
            let create = ["istioctl"] + forms.createRemoteSecret + sourceFlags + ["--name=\(link.source)"] + server
            add(kind, .discover, link.target, title, [Plan.Command(pipeline: [create, apply])])
        }
    }
}
