// `render --gitops argocd|flux`: the git-ready tree under WORK_DIR/gitops/, beside the work
// directory's files, written in the same commit. Istio goes in through its Helm charts whatever
// the script's installer, with the values render writes for `helm`; nothing secret is in it.
import Foundation
import LocalFiles
import MeshDomain
import MeshKube
import MeshScriptInterpreter

extension WorkLayout {
    /// The top of the GitOps tree `render --gitops` writes.
    public var gitOps: String { path("gitops") }
}

extension MeshRenderer {
    /// What stops a GitOps tree, as diagnostics at the statement responsible: no `gitops repo`,
    /// a release without Istio's charts, a model whose values are only known at apply time.
    package static func gitOpsDiagnostics(_ topology: Topology, controller: GitOpsController) -> [Diagnostic] {
        guard let mesh = topology.mesh else {
            return [.error("render --gitops needs a mesh: the controller's objects are named after it", at: nil,
                           help: "add: mesh NAME < gitops repo \"https://git.example.com/fleet.git\" >")]
        }
        var diagnostics: [Diagnostic] = []
        if mesh.gitops == nil {
            diagnostics.append(.error("render --gitops needs the Git repository the controller reads the tree from", at: mesh.name.range,
                                      help: "add to mesh '\(mesh.name.value)': gitops repo \"https://git.example.com/fleet.git\" path \"meshes/\(mesh.name.value)\""))
        } else if controller == .flux, let repository = mesh.gitops?.repository, !["https://", "http://", "ssh://"].contains(where: repository.value.hasPrefix) {
            // Flux's GitRepository CRD: `url` must match ^(http|https|ssh)://.
            diagnostics.append(.error("Flux's GitRepository takes http, https or ssh URLs, not '\(repository.value)'", at: repository.range,
                                      help: "write the scp-like address as ssh://git@HOST/ORG/REPO.git"))
        }
        if !topology.forms.helmCharts {
            diagnostics.append(.error("a GitOps tree installs Istio with its Helm charts, which start with Istio 1.12; this script targets \(topology.istio)",
                                      at: mesh.istio?.range ?? mesh.name.range, help: "target istio \"1.12\" or newer"))
        }
        for cluster in topology.clusters {
            if cluster.name.value == "gitops" {
                diagnostics.append(.error("a cluster named 'gitops' would share WORK_DIR/gitops/ with the GitOps tree", at: cluster.name.range,
                                          help: "rename the cluster"))
            }
            if let remoteOf = cluster.install?.remoteOf {
                diagnostics.append(.error("a GitOps tree cannot hold remote '\(cluster.name.value)': its istiod address is read from the east-west gateway of '\(remoteOf.value)' when the plan runs",
                                          at: cluster.install!.statement, help: "render this mesh without --gitops and use meshscript apply"))
            }
        }
        return diagnostics
    }

    /// The tree's inputs, from a topology without ``gitOpsDiagnostics(_:)``.
    static func gitOpsMesh(_ topology: Topology, plan: Plan) -> GitOpsMesh {
        let mesh = topology.mesh!, gitops = mesh.gitops!
        let crossNetwork = Planner.crossNetworkClusters(topology, plan.links)
        let ambient = Planner.ambientMultiNetworkClusters(topology, plan.links)
        let version = Planner.helmChartVersion(pin: mesh.istioPin) ?? "~\(min(topology.istio, IstioReleases.newest)).0"
        let clusters = topology.clusters.filter { $0.trust != nil || $0.install != nil }.map { cluster in
            let name = cluster.name.value
            let crosses = crossNetwork.contains(name), ambientGateway = ambient.contains(name)
            let network = topology.network(of: cluster)
            // Ambient's east-west Gateway (a Gateway API object) replaces the gateway chart and the cross-network Gateway.
            let discovery: [(file: String, content: String)] = if ambientGateway, let network {
                [("eastwest-gateway.yaml", AmbientMulticluster.eastWestGateway(network: network))]
            } else if crosses {
                [("cross-network-gateway.yaml", CrossNetworkGateway.manifest(topology.forms))]
            } else { [] }
            return GitOpsCluster(
                name: name,
                namespace: IstioSystemNamespace.manifest(network: crosses && topology.forms.namespaceNetworkLabel ? network : nil),
                cacerts: cluster.trust != nil,
                charts: gitOpsCharts(cluster, topology: topology, crossNetwork: crosses, ambientMultiNetwork: ambientGateway),
                discovery: discovery,
                remoteSecretSources: plan.links.filter { $0.target == name }.map(\.source),
                gatewayAPICRDs: ambientGateway ? topology.forms.gatewayAPICRDs : nil)
        }
        return GitOpsMesh(mesh: mesh.name.value, repository: gitops.repository.value, path: gitops.path?.value ?? "",
                          revision: gitops.revision?.value ?? "main", chartVersion: version,
                          secrets: mesh.secrets?.value ?? .apply, clusters: clusters)
    }

    /// A primary's charts with the values render writes for Helm: base, istiod, ambient's cni and
    /// ztunnel, and the east-west gateway where a sidecar cluster is linked across networks.
    static func gitOpsCharts(_ cluster: ClusterDeclaration, topology: Topology, crossNetwork: Bool, ambientMultiNetwork: Bool) -> [GitOpsChart] {
        guard let install = cluster.install, let mesh = topology.mesh, let network = topology.network(of: cluster) else { return [] }
        let revision = install.revision?.value
        var spec = InstallSpec(mesh: mesh.name.value, cluster: cluster.name.value, network: network, revision: revision,
                               profile: install.profile?.value, forms: topology.forms, overlay: topology.installValues(of: cluster))
        spec.ambientMultiNetwork = ambientMultiNetwork
        var charts = [GitOpsChart(chart: .base, release: HelmChart.base.release(revision: nil), values: HelmValues.base(spec)),
                      GitOpsChart(chart: .istiod, release: HelmChart.istiod.release(revision: revision), values: HelmValues.istiod(spec))]
        if topology.isAmbient(cluster) {
            return charts + [GitOpsChart(chart: .cni, release: HelmChart.cni.release(revision: nil), values: HelmValues.ambientCNI),
                             GitOpsChart(chart: .ztunnel, release: HelmChart.ztunnel.release(revision: nil),
                                         values: HelmValues.ztunnel(cluster: cluster.name.value, network: network))]
        }
        if crossNetwork {
            charts.append(GitOpsChart(chart: .gateway, release: HelmChart.gateway.release(revision: revision),
                                      values: HelmValues.eastWestGateway(network: network, revision: revision)))
        }
        return charts
    }

    /// The tree's files as work directory manifests (WORK_DIR/gitops/...), all 0644.
    static func gitOpsManifests(_ topology: Topology, controller: GitOpsController, plan: Plan,
                                layout: WorkLayout) -> [(path: String, content: String, mode: mode_t)] {
        GitOpsTree.files(gitOpsMesh(topology, plan: plan), controller: controller).map { (layout.gitOps + "/" + $0.path, $0.content, 0o644) }
    }

    /// Files of the tree an earlier `render --gitops` wrote and this one does not (a cluster
    /// removed, the other controller) are removed, with the directories they leave empty; a file
    /// without the tree's header is someone else's and is left alone.
    static func removeStaleGitOpsFiles(keeping wanted: Set<String>, layout: WorkLayout, summary: inout RenderSummary) {
        guard let enumerator = FileManager.default.enumerator(atPath: layout.gitOps) else { return }
        var directories: [String] = []
        let header = Data(GitOpsTree.header.utf8)
        for case let relative as String in enumerator {
            let path = layout.gitOps + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR { directories.append(path); continue }
            guard info.st_mode & S_IFMT == S_IFREG, !wanted.contains(path),
                  let bytes = try? RegularFile.read(path, limit: 1 << 20), Data(bytes).starts(with: header) else { continue }
            if unlink(path) == 0 {
                summary.files.append((path, .removed))
            } else {
                summary.notes.append("\(path) is a file of the GitOps tree this render no longer writes, and it could not be removed")
            }
        }
        // Deepest first; rmdir leaves any directory that still holds something.
        for directory in directories.sorted(by: { $0.count > $1.count }) { rmdir(directory) }
    }
}
