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

/// Turns a valid topology into a ``Plan``; pure, it touches neither files nor clusters.
package enum Planner {
    /// The steps for a valid topology, each kubectl and istioctl command carrying the
    /// ``ClusterAccess/flags`` of the cluster it acts on (``Plan/access``).
    package static func plan(_ topology: Topology, options: PlanOptions) -> Plan {
        let list = StepList(topology: topology, options: options)
        var plan = list.outline
        var steps = PlanSteps(layout: list.layout)
        list.addSteps(&steps)
        plan.steps = steps.steps
        for hook in options.hooks { hook(&plan, topology) }
        return plan
    }

    /// The bytes of ``plan(_:options:)``'s ``Plan/json()``, handed to `write` in pieces as the
    /// steps are made, one cluster's (then one link's) at a time: memory holds the topology and
    /// one cluster's steps, never the plan's, which for 100,000 clusters run to gigabytes of
    /// values. A host's ``PlanHook`` may change any step, so with hooks the whole plan is made first.
    package static func writeJSON(_ topology: Topology, options: PlanOptions, _ write: (UnsafeRawBufferPointer) -> Void) {
        guard options.hooks.isEmpty else { return plan(topology, options: options).writeJSON(write) }
        let list = StepList(topology: topology, options: options)
        list.outline.writeJSON(write) { json in
            // The steps are written as they are made, from their parts, then the writer is
            // handed back (its drain must not outlive the call: see `withoutActuallyEscaping`
            // in Plan.writeJSON).
            var steps = JSONSteps(json, root: list.layout.root)
            list.addSteps(&steps)
            json = steps.json
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
    /// (A scalar at a time: `joined(separator:)` over the name's pieces is generic here, and its
    /// first call made the runtime search every conformance record in the binary.)
    package static func discoveryAddress(of name: String) -> String {
        var address = "DISCOVERY_ADDRESS_"
        for scalar in name.uppercased().unicodeScalars { address.unicodeScalars.append(scalar == "-" ? "_" : scalar) }
        return address
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
        // Every cluster on one network (or none): no link crosses networks.
        let first = topology.clusters.first.flatMap { topology.network(of: $0) }
        guard topology.clusters.contains(where: { topology.network(of: $0) != first }) else { return [] }
        var result = Set<String>()
        // By name, the first declaration winning; nil for a cluster without a network. (Read
        // through the positions: a Dictionary made from an array of (name, network) pairs had
        // the pair type made at run time: about 70,000 instructions, a fifth of
        // planning ambient-multi-network.mesh.)
        let positions = Topology.firstPositions(of: topology.clusters)
        func network(_ name: String) -> String? { positions[name].flatMap { topology.network(of: topology.clusters[$0]) } }
        for link in links {
            guard let netA = network(link.source), let netB = network(link.target), netA != netB else { continue }
            result.insert(link.source)
            result.insert(link.target)
        }
        return result
    }
}

/// What every step maker needs to know: the layout, the links, the clusters by name and how the
/// tools reach each cluster. The makers put each step into a ``StepSink``, which numbers them.
///
/// The makers are generic, not the class: a class generic over `Sink: StepSink` has its metadata
/// made at run time, and checking its requirement searches every conformance record in the
/// binary (about 430,000 instructions, a sixth of a small plan).
private final class StepList {
    let topology: Topology
    let options: PlanOptions
    let layout: WorkLayout
    /// The targeted release's forms (``Topology/forms``), looked up once.
    let forms: IstioForms
    let links: [DiscoveryLink]
    /// The positions of each link's ends in the topology's clusters, in the order of `links`.
    let linkEnds: [LinkEnds]
    /// Each name's position in the topology's clusters; the first declaration of a name wins.
    let positions: [String: Int]
    let multiNetwork: Set<String>
    /// The clusters of ``multiNetwork`` with an ambient profile.
    let ambientMultiNetwork: Set<String>
    /// By cluster name; the first declaration of a name wins, as in `positions`.
    let access: [String: ClusterAccess]
    /// Each cluster's ``ClusterAccess/flags`` (those of the first declaration of its name), by position in the topology's clusters, made once: every
    /// kubectl and istioctl command carries them, and the makers read them by position.
    let accessFlags: [[String]]
    /// `--istio=R` of `meshscript remote-secret`: the release whose forms apply (a release newer
    /// than the table gets the newest's).
    let remoteSecretRelease: String
    /// The same for every cluster: `meshscript render`, which makes the intermediate CAs.
    let render: [String]
    /// Whether some cluster is a remote: then each link remote -> primary is planned with its
    /// remote (see ``addRemoteSteps(_:primary:access:_:)``), not as a discovery step.
    let hasRemotes: Bool

    init(topology: Topology, options: PlanOptions) {
        self.topology = topology
        self.options = options
        layout = WorkLayout(options.workDirectory)
        forms = topology.forms
        links = topology.links
        linkEnds = topology.linkEnds
        positions = Topology.firstPositions(of: topology.clusters)
        multiNetwork = Planner.crossNetworkClusters(topology, links)
        ambientMultiNetwork = Planner.ambientClusters(topology, among: multiNetwork)
        access = positions.mapValues { [clusters = topology.clusters, kubeconfig = options.kubeconfig] in
            ClusterAccess(kubeconfig: kubeconfig, context: clusters[$0].contextName)
        }
        var accessFlags = [[String]](repeating: [], count: topology.clusters.count)
        for position in positions.values {
            accessFlags[position] = ClusterAccess(kubeconfig: options.kubeconfig, context: topology.clusters[position].contextName).flags
        }
        // A name declared twice (validation's error) takes its first declaration's flags.
        if positions.count != topology.clusters.count {
            for (position, cluster) in topology.clusters.enumerated() where positions[cluster.name.value] != position {
                accessFlags[position] = positions[cluster.name.value].map { accessFlags[$0] } ?? []
            }
        }
        self.accessFlags = accessFlags
        remoteSecretRelease = "--istio=\(min(topology.istio, IstioReleases.newest))"
        // render reads the same kubeconfig for the remote secrets it writes; the script's own
        // `kubeconfig` statement still wins over the option, so passing it is always right.
        // A path that starts with '-' would be read as an option: ./ keeps it a path.
        render = ["meshscript", "render", Self.operand(options.scriptPath), "--out", Self.operand(options.workDirectory)]
            + (options.kubeconfig.map { ["--kubeconfig=\($0)"] } ?? [])
        hasRemotes = topology.clusters.contains { topology.primary(of: $0) != nil }
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

    /// Makes every step, in order, into `out`.
    func addSteps<Sink: StepSink>(_ out: inout Sink) {
        // A remote's install needs its primary's east-west gateway address: primaries first.
        // The clusters are read in place, by position: a copy of each declaration would retain
        // and release every one of its fields.
        topology.clusters.withUnsafeBufferPointer { clusters in
            for position in clusters.indices where topology.primary(of: clusters[position]) == nil {
                addClusterSteps(clusters[position], access: accessFlags[position], &out)
            }
            for position in clusters.indices where topology.primary(of: clusters[position]) != nil {
                addClusterSteps(clusters[position], access: accessFlags[position], &out)
            }
        }
        // By index, not zip: a Zip2Sequence's metadata is made at run time, with a search of the
        // conformance records for its requirements.
        for index in links.indices where !hasRemotes || !isAttached(links[index], linkEnds[index]) {
            addDiscoveryStep(links[index], linkEnds[index], &out)
        }
    }

    /// Whether `link` (whose ends are `ends`) goes from a remote to its primary. (Not a
    /// `Set<DiscoveryLink>`: the first use of a Set of them searches every conformance record in
    /// the binary for `Hashable`.)
    private func isAttached(_ link: DiscoveryLink, _ ends: LinkEnds) -> Bool {
        topology.primary(of: topology.clusters[ends.source]) == link.target
    }

    /// One step: `commands` gives its commands, then its files (see ``StepSink``).
    func add<Sink: StepSink>(_ out: inout Sink, _ kind: Plan.Step.Kind, _ phase: Plan.Phase, _ cluster: String, _ title: StepText,
             note: StepText? = nil, output: String? = nil, _ commands: (inout Sink) -> Void) {
        out.beginStep(cluster: cluster)
        commands(&out)
        out.endStep(kind: kind, phase: phase, title: title, note: note, output: output)
    }

    /// An install value as the control plane's kind lists it: the dotted `path`, `=`, the value's
    /// flow text. Joined by hand: `joined(separator:)` is not specialized for `[String]` here,
    /// and its first call made the runtime search every conformance record in the binary.
    static func setting(_ path: [String], _ value: ValueTree) -> String {
        var text = ""
        for index in path.indices {
            if index > 0 { text += "." }
            text += path[index]
        }
        return text + "=" + value.flowText
    }

    /// A relative path as a command's operand: `./-x` for `-x`, which a tool would take for an option.
    static func operand(_ path: String) -> String { path.hasPrefix("-") ? "./" + path : path }

    /// The steps of `cluster`, whose kubectl and istioctl commands carry `access` (its ``accessFlags``).
    func addClusterSteps<Sink: StepSink>(_ cluster: ClusterDeclaration, access: [String], _ out: inout Sink) {
        if let primary = topology.primary(of: cluster) { return addRemoteSteps(cluster, primary: primary, access: access, &out) }
        if let trust = cluster.trust { addTrustSteps(cluster, root: trust.root.value, access: access, &out) }
        if cluster.install != nil { addInstallSteps(cluster, access: access, &out) }
    }

    func addTrustSteps<Sink: StepSink>(_ cluster: ClusterDeclaration, root: String, access: [String], _ out: inout Sink) {
        let name = cluster.name.value
        let certificateFiles = WorkFile.certificates(name)
        add(&out, .intermediateCA, .trust, name, "generate the intermediate CA for \(name), signed by root '\(root)'",
            note: "equivalent to Istio's `make -f ../tools/certs/Makefile.selfsigned.mk \(name)-cacerts` (run in a `certs` directory made at the top of the Istio release, as the Plug in CA Certificates task does)") { out in
            out.command { $0.arguments(render) }
            out.file(.rootCertificate)
            for file in certificateFiles { out.file(file) }
        }
        addNamespaceStep(name, access: access, &out)
        if let network = topology.network(of: cluster), multiNetwork.contains(name), forms.namespaceNetworkLabel {
            addNetworkLabelStep(name, network: network, access: access, &out)
        }
        add(&out, .cacerts, .trust, name, "create the cacerts secret") { out in
            out.command {
                $0.arguments("kubectl", "create", "secret", "generic", "cacerts")
                $0.arguments(access)
                $0.arguments("-n", "istio-system")
                for file in certificateFiles { $0.argument("--from-file=", file: file) }
            }
            for file in certificateFiles { out.file(file) }
        }
    }

    func addNamespaceStep<Sink: StepSink>(_ name: String, access: [String], _ out: inout Sink) {
        add(&out, .namespace, .trust, name, "create namespace istio-system") { out in
            out.command {
                $0.arguments("kubectl", "create", "namespace", "istio-system")
                $0.arguments(access)
            }
        }
    }

    func addNetworkLabelStep<Sink: StepSink>(_ name: String, network: String, access: [String], _ out: inout Sink) {
        add(&out, .networkLabel(network: network), .trust, name, "label istio-system with network \(network)") { out in
            out.command {
                $0.arguments("kubectl", "label", "namespace", "istio-system")
                $0.argument("topology.istio.io/network=\(network)")
                $0.arguments("--overwrite")
                $0.arguments(access)
            }
            out.file(.namespace(name))
        }
    }

    func addInstallSteps<Sink: StepSink>(_ cluster: ClusterDeclaration, access: [String], _ out: inout Sink) {
        let name = cluster.name.value
        let network = topology.network(of: cluster)
        let helm = topology.installer(of: cluster) == .helm
        let revision = cluster.install?.revision?.value
        let values = topology.installValues(of: cluster).leaves.map { Self.setting($0.path, $0.value) }
        let spec = Plan.ControlPlaneSpec(meshID: topology.mesh?.name.value, clusterName: name, network: network, revision: revision,
                                         installer: helm ? Installer.helm.rawValue : nil, values: values.isEmpty ? nil : values)
        if ambientMultiNetwork.contains(name) {
            let version = forms.gatewayAPICRDs
            add(&out, .gatewayAPICRDs(version: version), .install, name, "install the Gateway API CRDs \(version), which the ambient east-west Gateway needs",
                note: "Istio's ambient multicluster guide installs these CRDs first; they are cluster-wide and shared with other Gateway API users") { out in
                out.command {
                    $0.arguments("kubectl", "apply", "--server-side", "-f")
                    $0.argument(string: AmbientMulticluster.gatewayAPICRDsURL(version: version))
                    $0.arguments(access)
                }
            }
        }
        add(&out, .controlPlane(spec), .install, name,
            "install the control plane\(helm ? " with Helm" : "") (meshID \(topology.mesh?.name.value ?? "?"), network \(network ?? "?"))",
            note: cluster.trust == nil ? "no cacerts secret: istiod will use its self-signed CA" : nil) { out in
            for file in controlPlaneCommands(cluster, access: access, &out) { out.file(file) }
        }
        add(&out, .waitReady, .install, name, "wait until the control plane is ready",
            note: "istiod picks up cacerts only at startup; the next cluster is touched only after this one is ready") { out in
            out.command {
                $0.arguments("kubectl")
                $0.arguments(access)
                $0.arguments("-n", "istio-system", "wait", "--for=condition=Ready", "pod", "--all", "--timeout=300s")
            }
        }
        let servesRemotes = !topology.remotes(of: name).isEmpty
        if multiNetwork.contains(name) || servesRemotes, let network { addEastWestSteps(cluster, network: network, access: access, &out) }
        if servesRemotes { addExposeIstiodSteps(name, access: access, &out) }
    }

    /// Puts the commands that install a primary's control plane into `out`: `istioctl install -f
    /// install.yaml` (or 1.6's `manifest apply`), or Helm's base and istiod charts, with ambient's
    /// cni and ztunnel charts for an ambient cluster; returns the files they read.
    func controlPlaneCommands<Sink: StepSink>(_ cluster: ClusterDeclaration, access: [String], _ out: inout Sink) -> [WorkFile] {
        let name = cluster.name.value
        guard topology.installer(of: cluster) == .helm else {
            let file = WorkFile.install(name)
            out.command {
                switch forms.installCommand {
                case .manifestApply:
                    $0.arguments("istioctl")
                    $0.arguments(access)
                    $0.arguments("manifest", "apply", "-f")
                    $0.argument(file: file)
                case .install:
                    $0.arguments("istioctl", "install")
                    $0.arguments(access)
                    $0.arguments("-f")
                    $0.argument(file: file)
                    $0.arguments("-y")
                }
            }
            return [file]
        }
        var charts: [HelmChart] = [.base, .istiod]
        if topology.isAmbient(cluster) { charts += [.cni, .ztunnel] }
        // Without trust no earlier step creates istio-system: the first chart does.
        for chart in charts {
            out.command {
                helmArguments(chart, name, revision: chart == .istiod ? cluster.install?.revision?.value : nil,
                              createNamespace: chart == .base && cluster.trust == nil, &$0)
            }
        }
        return charts.map { .helmValues(name, $0) }
    }

    /// The east-west gateway, and the cross-network Gateway where the cluster is linked across
    /// networks; for ambient, the double-HBONE Gateway applied with kubectl, and nothing else.
    func addEastWestSteps<Sink: StepSink>(_ cluster: ClusterDeclaration, network: String, access: [String], _ out: inout Sink) {
        let name = cluster.name.value
        if ambientMultiNetwork.contains(name) {
            add(&out, .eastWestGateway(network: network), .install, name, "apply the ambient east-west Gateway (HBONE 15008) for network \(network)",
                note: "ambient exposes a service to other networks when it is labelled istio.io/global=true") { out in
                out.command {
                    $0.arguments("kubectl", "apply")
                    $0.arguments(access)
                    $0.arguments("-n", "istio-system", "-f")
                    $0.argument(file: .eastWestGateway(name))
                }
                out.file(.eastWestGateway(name))
            }
            return
        }
        if topology.installer(of: cluster) == .helm {
            add(&out, .eastWestGateway(network: network), .install, name, "install the east-west gateway for network \(network) with Helm") { out in
                out.command { helmArguments(.gateway, name, revision: cluster.install?.revision?.value, &$0) }
                out.file(.helmValues(name, .gateway))
            }
        } else {
            add(&out, .eastWestGateway(network: network), .install, name, "install the east-west gateway for network \(network)") { out in
                out.command {
                    $0.arguments("istioctl", "install")
                    $0.arguments(access)
                    $0.arguments("-f")
                    $0.argument(file: .eastWestGateway(name))
                    $0.arguments("-y")
                }
                out.file(.eastWestGateway(name))
            }
        }
        guard multiNetwork.contains(name) else { return }
        add(&out, .crossNetworkGateway, .install, name, "expose services through the east-west gateway") { out in
            out.command {
                $0.arguments("kubectl", "apply")
                $0.arguments(access)
                $0.arguments("-n", "istio-system", "-f")
                $0.argument(file: .crossNetworkGateway(name))
            }
            out.file(.crossNetworkGateway(name))
        }
    }

    /// A primary with remotes: istiod exposed on the east-west gateway, then the gateway's
    /// address read, for the remotes' `remotePilotAddress` (the guide's DISCOVERY_ADDRESS).
    func addExposeIstiodSteps<Sink: StepSink>(_ name: String, access: [String], _ out: inout Sink) {
        add(&out, .exposeIstiod, .install, name, "expose istiod to the remotes through the east-west gateway") { out in
            out.command {
                $0.arguments("kubectl", "apply")
                $0.arguments(access)
                $0.arguments("-n", "istio-system", "-f")
                $0.argument(file: .exposeIstiod(name))
            }
            out.file(.exposeIstiod(name))
        }
        // The guide reads `.ip`; a load balancer that has a DNS name instead (AWS) sets `.hostname`,
        // which remotePilotAddress takes as well. kubectl's jsonpath prints a missing field as nothing.
        let output = Planner.discoveryAddress(of: name)
        add(&out, .discoveryAddress, .install, name, "read the east-west gateway's address, the remotes' remotePilotAddress",
            note: "apply keeps what this prints as \(Plan.reference(output)); it fails while the load balancer has no address", output: output) { out in
            out.command {
                $0.arguments("kubectl")
                $0.arguments(access)
                $0.arguments("-n", "istio-system", "get", "service", "istio-eastwestgateway",
                             "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}")
            }
        }
    }

    /// A remote of `primary` (Istio's "Configure cluster2 as a remote"): istio-system annotated
    /// with its primary (and labelled with its network across networks), `profile: remote`
    /// installed with the primary's gateway address, and no wait: no istiod runs here. Then the
    /// remote is attached (the primary gets its remote secret) and, across networks, gets its
    /// own east-west gateway.
    func addRemoteSteps<Sink: StepSink>(_ cluster: ClusterDeclaration, primary: String, access: [String], _ out: inout Sink) {
        let name = cluster.name.value
        let network = topology.network(of: cluster)
        addNamespaceStep(name, access: access, &out)
        add(&out, .controlPlaneClusters(primary: primary), .trust, name, "annotate istio-system: its control plane is \(primary)'s istiod") { out in
            out.command {
                $0.arguments("kubectl", "annotate", "namespace", "istio-system")
                $0.argument("topology.istio.io/controlPlaneClusters=\(primary)")
                $0.arguments("--overwrite")
                $0.arguments(access)
            }
            out.file(.namespace(name))
        }
        if let network, multiNetwork.contains(name) { addNetworkLabelStep(name, network: network, access: access, &out) }
        addRemoteControlPlaneStep(cluster, primary: primary, network: network, access: access, &out)
        // Attached before anything is injected here: the primary's istiod manages the remote's
        // injection webhook only once it holds the remote's secret (the guide's order).
        if let source = positions[name], let target = positions[primary] {
            addDiscoveryStep(DiscoveryLink(source: name, target: primary), LinkEnds(source: source, target: target), &out)
        }
        if multiNetwork.contains(name), let network { addEastWestSteps(cluster, network: network, access: access, &out) }
    }

    /// A remote's install: `profile: remote`, pointed at `primary`'s istiod.
    func addRemoteControlPlaneStep<Sink: StepSink>(_ cluster: ClusterDeclaration, primary: String, network: String?, access: [String], _ out: inout Sink) {
        let name = cluster.name.value
        let address = Plan.reference(Planner.discoveryAddress(of: primary))
        let helm = topology.installer(of: cluster) == .helm
        add(&out, .remoteControlPlane(primary: primary, network: network), .install, name,
            "install the remote profile\(helm ? " with Helm" : ""), pointed at \(primary)'s istiod",
            note: "\(address) is the address apply reads from \(primary)'s east-west gateway; no istiod runs here, so nothing waits for one") { out in
            // The address is known only at apply: passed with --set, never written into a file.
            if helm {
                out.command { helmArguments(.base, name, revision: nil, &$0) }
                out.command {
                    helmArguments(.istiod, name, revision: nil, &$0)
                    $0.arguments("--set")
                    $0.argument("\(PrimaryRemoteValues.remotePilotAddress)=\(address)")
                }
                out.file(.helmValues(name, .base))
                out.file(.helmValues(name, .istiod))
            } else {
                out.command {
                    $0.arguments("istioctl", "install")
                    $0.arguments(access)
                    $0.arguments("-f")
                    $0.argument(file: .install(name))
                    $0.arguments(PrimaryRemoteValues.istioctlSet(PrimaryRemoteValues.remotePilotAddress, address))
                    $0.arguments("-y")
                }
                out.file(.install(name))
            }
        }
    }

    /// `helm upgrade --install RELEASE CHART --repo ISTIO [--version V] --namespace istio-system
    /// [--create-namespace] --values FILE --kubeconfig=PATH --kube-context=NAME`: the chart from
    /// Istio's repository by URL (no `helm repo add`), pinned when the script names a release.
    func helmArguments<Sink: StepSink>(_ chart: HelmChart, _ cluster: String, revision: String?, createNamespace: Bool = false, _ out: inout Sink) {
        out.arguments("helm", "upgrade", "--install")
        out.argument(string: chart.release(revision: revision))
        out.argument(string: chart.chart)
        out.arguments("--repo")
        out.argument(string: HelmChart.repository)
        if let version = Planner.helmChartVersion(pin: topology.mesh?.istioPin) {
            out.arguments("--version")
            out.argument(string: version)
        }
        out.arguments("--namespace", "istio-system")
        if createNamespace { out.arguments("--create-namespace") }
        out.arguments("--values")
        out.argument(file: .helmValues(cluster, chart))
        out.arguments(access[cluster]?.helmFlags ?? [])
    }

    /// The target applies the source's remote secret: the file render wrote; or, for the releases
    /// MeshScript mints tokens for, the reader account applied to the source and
    /// `meshscript remote-secret` (which reads its token there) piped into the target; or what
    /// `istioctl create-remote-secret` prints from the source (source's access for the source
    /// side, target's for `kubectl apply`). The token never appears in the plan. `ends` are where
    /// the link's clusters are declared.
    func addDiscoveryStep<Sink: StepSink>(_ link: DiscoveryLink, _ ends: LinkEnds, _ out: inout Sink) {
        let sourceIndex = ends.source, targetIndex = ends.target
        let title: StepText = "give \(link.target) the remote secret of \(link.source)"
        let server = topology.clusters[sourceIndex].server?.value
        let kind = Plan.Step.Kind.remoteSecret(source: link.source, server: server)
        let sourceFlags = accessFlags[sourceIndex], targetFlags = accessFlags[targetIndex]
        func apply(_ out: inout Sink) {
            out.arguments("kubectl", "apply", "-f", "-")
            out.arguments(targetFlags)
        }
        func serverFlag(_ out: inout Sink) {
            if let server { out.argument("--server=\(server)") }
        }
        if !options.offlineRemoteSecrets.isEmpty, options.offlineRemoteSecrets.contains(link) {
            let file = WorkFile.remoteSecret(source: link.source, target: link.target)
            add(&out, kind, .discover, link.target, title,
                note: "written by meshscript render from the kubeconfig context '\(topology.clusters[sourceIndex].contextName)'") { out in
                out.command {
                    $0.arguments("kubectl", "apply", "-f")
                    $0.argument(file: file)
                    $0.arguments(targetFlags)
                }
                out.file(file)
            }
        } else if forms.mintsReaderToken {
            let reader = WorkFile.readerAccount(link.source)
            add(&out, kind, .discover, link.target, title,
                note: "the token is that of \(ReaderAccount.serviceAccountName) in \(link.source), read from its token Secret by meshscript and never printed") { out in
                out.command {
                    $0.arguments("kubectl", "apply", "-f")
                    $0.argument(file: reader)
                    $0.arguments(sourceFlags)
                }
                out.pipeline({
                    $0.arguments("meshscript", "remote-secret")
                    $0.argument("--name=\(link.source)")
                    serverFlag(&$0)
                    $0.argument(string: remoteSecretRelease)
                    $0.arguments(sourceFlags)
                }, into: apply)
                out.file(reader)
            }
        } else {
            // istioctl embeds the kubeconfig's address unless told the one the script names.
            add(&out, kind, .discover, link.target, title) { out in
                out.pipeline({
                    $0.arguments("istioctl")
                    $0.arguments(forms.createRemoteSecret)
                    $0.arguments(sourceFlags)
                    $0.argument("--name=\(link.source)")
                    serverFlag(&$0)
                }, into: apply)
            }
        }
    }
}
