// Flux's objects for a GitOps tree, all in the management cluster's flux-system namespace: the
// repository and Istio's chart repository as sources; per cluster a trust Kustomization, an
// install Kustomization of its HelmReleases (each release depending on the one before), and a
// discovery Kustomization, chained by `dependsOn`; each primary's trust waits for the previous
// primary's install, so primaries roll out one at a time. Workload clusters are reached through
// the kubeconfig Secret `CLUSTER-kubeconfig` (key `value`), as Flux's remote clusters are.
import Yams

/// Flux objects (source.toolkit.fluxcd.io/v1, kustomize.toolkit.fluxcd.io/v1, helm.toolkit.fluxcd.io/v2).
enum Flux {
    static let namespace = "flux-system"
    static let chartRepository = "istio"

    /// `flux/kustomization.yaml` (sources and the clusters' Kustomizations) and, per cluster
    /// with charts, `flux/releases/C/` with its HelmReleases.
    static func files(_ mesh: GitOpsMesh) -> [(path: String, content: String)] {
        var files: [(path: String, content: String)] = [
            ("flux/kustomization.yaml", GitOpsTree.kustomization(resources: ["sources.yaml", "mesh.yaml"], annotations: [])),
            ("flux/sources.yaml", documents([gitRepository(mesh), helmRepository()] + gatewayAPIRepositories(mesh))),
            ("flux/mesh.yaml", documents(kustomizations(mesh))),
        ]
        for cluster in mesh.clusters where !cluster.charts.isEmpty {
            let directory = "flux/releases/\(cluster.name)/"
            files.append((directory + "kustomization.yaml", GitOpsTree.kustomization(resources: ["helmreleases.yaml"], annotations: [])))
            files.append((directory + "helmreleases.yaml", documents(helmReleases(cluster, mesh: mesh))))
        }
        return files
    }

    static func documents(_ nodes: [Node]) -> String { nodes.map(ManifestYAML.emit).joined(separator: "---\n") }

    static func metadata(_ name: String) -> Node {
        ManifestYAML.map(["name": ManifestYAML.string(name), "namespace": ManifestYAML.string(namespace)])
    }

    static func gitRepository(_ mesh: GitOpsMesh) -> Node {
        ManifestYAML.map([
            "apiVersion": ManifestYAML.string("source.toolkit.fluxcd.io/v1"), "kind": ManifestYAML.string("GitRepository"),
            "metadata": metadata(mesh.mesh),
            "spec": ManifestYAML.map(["interval": ManifestYAML.string("5m"), "url": ManifestYAML.string(mesh.repository),
                                      "ref": ManifestYAML.map(["branch": ManifestYAML.string(mesh.revision)])]),
        ])
    }

    /// One GitRepository per Gateway API release the ambient clusters need, named `gateway-api-vX-Y-Z`.
    static func gatewayAPIRepositories(_ mesh: GitOpsMesh) -> [Node] {
        Set(mesh.clusters.compactMap(\.gatewayAPICRDs)).sorted().map { version in
            ManifestYAML.map([
                "apiVersion": ManifestYAML.string("source.toolkit.fluxcd.io/v1"), "kind": ManifestYAML.string("GitRepository"),
                "metadata": metadata(gatewayAPISource(version)),
                "spec": ManifestYAML.map(["interval": ManifestYAML.string("1h"), "url": ManifestYAML.string(GitOpsTree.gatewayAPIRepository),
                                          "ref": ManifestYAML.map(["tag": ManifestYAML.string(version)])]),
            ])
        }
    }

    static func gatewayAPISource(_ version: String) -> String { "gateway-api-" + version.replacingOccurrences(of: ".", with: "-") }

    static func helmRepository() -> Node {
        ManifestYAML.map([
            "apiVersion": ManifestYAML.string("source.toolkit.fluxcd.io/v1"), "kind": ManifestYAML.string("HelmRepository"),
            "metadata": metadata(chartRepository),
            "spec": ManifestYAML.map(["interval": ManifestYAML.string("1h"), "url": ManifestYAML.string(HelmChart.repository)]),
        ])
    }

    static func kubeConfig(_ cluster: String) -> Node {
        ManifestYAML.map(["secretRef": ManifestYAML.map(["name": ManifestYAML.string("\(cluster)-kubeconfig")])])
    }

    static func dependsOn(_ names: [String]) -> [(String, Node)] {
        names.isEmpty ? [] : [("dependsOn", ManifestYAML.seq(names.map { ManifestYAML.map(["name": ManifestYAML.string($0)]) }))]
    }

    /// Per cluster: trust, install (when it has charts), discovery (when it has any), in that order.
    static func kustomizations(_ mesh: GitOpsMesh) -> [Node] {
        var nodes: [Node] = []
        var previousInstall: String?
        for cluster in mesh.clusters {
            let prefix = "\(mesh.mesh)-\(cluster.name)"
            nodes.append(kustomization("\(prefix)-trust", mesh: mesh, path: "clusters/\(cluster.name)/trust", cluster: cluster.name,
                                       after: previousInstall.map { [$0] } ?? []))
            var last = "\(prefix)-trust"
            var installAfter = [last]
            if let version = cluster.gatewayAPICRDs {
                // The CRDs are shared with every Gateway API user of the cluster: never pruned.
                nodes.append(kustomization("\(prefix)-gateway-api", source: gatewayAPISource(version), path: "./config/crd", prune: false,
                                           cluster: cluster.name, after: [last]))
                installAfter.append("\(prefix)-gateway-api")
            }
            if !cluster.charts.isEmpty {
                nodes.append(kustomization("\(prefix)-install", mesh: mesh, path: "flux/releases/\(cluster.name)", cluster: nil, after: installAfter))
                last = "\(prefix)-install"
                previousInstall = last
            }
            if GitOpsTree.hasDiscovery(cluster, mesh: mesh) {
                nodes.append(kustomization("\(prefix)-discovery", mesh: mesh, path: "clusters/\(cluster.name)/discovery", cluster: cluster.name, after: [last]))
            }
        }
        return nodes
    }

    /// A Kustomization of `path` in the mesh's repository, applied to `cluster` (nil: the
    /// management cluster), waiting for its resources to be ready.
    static func kustomization(_ name: String, mesh: GitOpsMesh, path: String, cluster: String?, after: [String]) -> Node {
        kustomization(name, source: mesh.mesh, path: "./" + mesh.inRepository(path), prune: true, cluster: cluster, after: after)
    }

    /// A Kustomization of `path` in the GitRepository `source`.
    static func kustomization(_ name: String, source: String, path: String, prune: Bool, cluster: String?, after: [String]) -> Node {
        var spec: [(String, Node)] = [
            ("interval", ManifestYAML.string("10m")),
            ("sourceRef", ManifestYAML.map(["kind": ManifestYAML.string("GitRepository"), "name": ManifestYAML.string(source)])),
            ("path", ManifestYAML.string(path)),
            ("prune", ManifestYAML.bool(prune)),
            ("wait", ManifestYAML.bool(true)),
        ]
        if let cluster { spec.append(("kubeConfig", kubeConfig(cluster))) }
        spec += dependsOn(after)
        return ManifestYAML.map([
            ("apiVersion", ManifestYAML.string("kustomize.toolkit.fluxcd.io/v1")), ("kind", ManifestYAML.string("Kustomization")),
            ("metadata", metadata(name)), ("spec", ManifestYAML.map(spec)),
        ])
    }

    /// The cluster's charts as HelmReleases into its istio-system, each after the one before.
    static func helmReleases(_ cluster: GitOpsCluster, mesh: GitOpsMesh) -> [Node] {
        var previous: String?
        return cluster.charts.map { chart in
            let name = "\(cluster.name)-\(chart.release)"
            var spec: [(String, Node)] = [
                ("interval", ManifestYAML.string("10m")),
                ("releaseName", ManifestYAML.string(chart.release)),
                ("targetNamespace", ManifestYAML.string("istio-system")),
                ("storageNamespace", ManifestYAML.string("istio-system")),
                ("kubeConfig", kubeConfig(cluster.name)),
                ("chart", ManifestYAML.map(["spec": ManifestYAML.map([
                    "chart": ManifestYAML.string(chart.chart.chart), "version": ManifestYAML.string(mesh.chartVersion),
                    "sourceRef": ManifestYAML.map(["kind": ManifestYAML.string("HelmRepository"), "name": ManifestYAML.string(chartRepository)]),
                ])])),
            ]
            spec += dependsOn(previous.map { [$0] } ?? [])
            spec.append(("values", chart.values.node))
            previous = name
            return ManifestYAML.map([
                ("apiVersion", ManifestYAML.string("helm.toolkit.fluxcd.io/v2")), ("kind", ManifestYAML.string("HelmRelease")),
                ("metadata", metadata(name)), ("spec", ManifestYAML.map(spec)),
            ])
        }
    }
}
