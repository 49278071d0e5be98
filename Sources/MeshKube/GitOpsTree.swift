// The git-ready tree `render --gitops` writes: per cluster a kustomization of its plain
// resources (trust first, discovery last) and the values of its Istio charts, and the objects
// of the GitOps controller that rolls them out (ArgoCD.swift, Flux.swift). No key, cacerts or
// token is ever in it: those come from `meshscript apply --secrets-only` or from ExternalSecrets.
import Yams

/// How keys, cacerts and remote secrets reach the clusters of a GitOps tree, which never holds them.
public enum SecretDelivery: Sendable, Hashable {
    /// Left out of git (a `.gitignore` keeps them out); `meshscript apply --secrets-only` pushes them.
    case apply
    /// `ExternalSecret`s that the External Secrets Operator fills from the ClusterSecretStore `store`.
    case externalSecrets(store: String)

    /// One line for the plan.
    public var summary: String {
        switch self {
        case .apply: "left out of git; `meshscript apply --secrets-only` pushes cacerts and remote secrets to the clusters"
        case .externalSecrets(let store): "ExternalSecrets in git, filled from the ClusterSecretStore '\(store)' (keys \(GitOpsTree.storeKey)MESH/CLUSTER/...)"
        }
    }
}

/// The GitOps controller a tree is written for.
public enum GitOpsController: String, CaseIterable, Sendable {
    /// Argo CD (`argocd`) or Flux (`flux`).
    case argocd, flux
}

/// One Helm release of a cluster's control plane in a GitOps tree.
public struct GitOpsChart: Sendable, Hashable {
    /// The chart in Istio's repository.
    public var chart: HelmChart
    /// The Helm release name (as `helm upgrade --install` uses it).
    public var release: String
    /// The chart's values, as render writes them for `helm`.
    public var values: ValueTree

    /// A release of `chart` named `release`, with `values`.
    public init(chart: HelmChart, release: String, values: ValueTree) {
        self.chart = chart
        self.release = release
        self.values = values
    }
}

/// What a GitOps tree holds for one cluster.
public struct GitOpsCluster: Sendable {
    /// The cluster's name: its directory, and its name in Argo CD and in Flux's kubeconfig Secret.
    public var name: String
    /// The istio-system Namespace manifest (with the network label and annotations render writes).
    public var namespace: String
    /// Whether the cluster gets a cacerts secret (it has `trust`).
    public var cacerts: Bool
    /// The control plane's charts, in install order (none for a cluster without `install`).
    public var charts: [GitOpsChart]
    /// Manifests applied after the control plane, by file name: gateways, expose-istiod, the reader token.
    public var discovery: [(file: String, content: String)]
    /// The clusters whose remote secret this cluster gets.
    public var remoteSecretSources: [String]
    /// The Gateway API release whose CRDs ambient's east-west Gateway needs (`v1.4.0`), installed
    /// before the discovery part; nil when the cluster needs none.
    public var gatewayAPICRDs: String?

    /// A cluster's part of the tree.
    public init(name: String, namespace: String, cacerts: Bool, charts: [GitOpsChart],
                discovery: [(file: String, content: String)], remoteSecretSources: [String], gatewayAPICRDs: String? = nil) {
        (self.name, self.namespace, self.cacerts, self.charts) = (name, namespace, cacerts, charts)
        (self.discovery, self.remoteSecretSources, self.gatewayAPICRDs) = (discovery, remoteSecretSources, gatewayAPICRDs)
    }

}

/// Everything a GitOps tree is made from.
public struct GitOpsMesh: Sendable {
    /// The mesh ID, which names the controller's objects.
    public var mesh: String
    /// The repository URL, the tree's directory in it ("" for its top) and the branch followed.
    public var repository: String, path: String, revision: String
    /// Istio's chart version (a semver constraint such as `~1.30.0`, or an exact release).
    public var chartVersion: String
    /// How secrets reach the clusters.
    public var secrets: SecretDelivery
    /// The clusters, in rollout order: one primary at a time, as the script declares them.
    public var clusters: [GitOpsCluster]

    /// A tree's inputs.
    public init(mesh: String, repository: String, path: String, revision: String, chartVersion: String,
                secrets: SecretDelivery, clusters: [GitOpsCluster]) {
        (self.mesh, self.repository, self.path, self.revision) = (mesh, repository, path, revision)
        (self.chartVersion, self.secrets, self.clusters) = (chartVersion, secrets, clusters)
    }

    /// `relative` inside the repository: under ``path`` when there is one.
    func inRepository(_ relative: String) -> String { path.isEmpty ? relative : path + "/" + relative }
}

/// The files of a GitOps tree, by path relative to its top.
public enum GitOpsTree {
    /// The Gateway API's repository, whose `config/crd` kustomization holds the standard CRDs
    /// (what Istio's ambient guide applies with `kubectl kustomize`).
    public static let gatewayAPIRepository = "https://github.com/kubernetes-sigs/gateway-api"

    /// The first line of every file the tree holds: render removes a file it no longer writes
    /// only when it starts with this line.
    public static let header = "# Generated by meshscript render --gitops: edit the mesh script, not this file.\n"
    /// The secret store keys' prefix: `meshscript/MESH/CLUSTER/cacerts`, `meshscript/MESH/CLUSTER/remote-secret`.
    public static let storeKey = "meshscript/"
    /// Argo CD's sync waves: the namespace and cacerts before the charts (wave 0), then discovery.
    static let trustWave = "-1", discoveryWave = "1"

    /// Every file of the tree for `controller`: the clusters' kustomizations and values, the
    /// controller's objects and a `.gitignore` that keeps secrets out.
    public static func files(_ mesh: GitOpsMesh, controller: GitOpsController) -> [(path: String, content: String)] {
        var files: [(path: String, content: String)] = [(".gitignore", gitignore)]
        for cluster in mesh.clusters { files += clusterFiles(cluster, mesh: mesh) }
        switch controller {
        case .argocd: files.append(("argocd/applicationset.yaml", ArgoCD.applicationSet(mesh)))
        case .flux: files += Flux.files(mesh)
        }
        return files.map { ($0.path, header + $0.content) }
    }

    /// Ignores what must never be committed, should a key or a secret be copied into the tree.
    static let gitignore = """
        # Keys, certificates and credentials never go into git: meshscript apply --secrets-only
        # or the External Secrets Operator puts them into the clusters.
        *.pem
        *.key
        *.p12
        cacerts*.yaml
        remote-secret-*.yaml
        reader-token*
        kubeconfig*

        """

    /// `clusters/C/`: the kustomization of its trust and discovery parts, each part's resources,
    /// and `helm/CHART-values.yaml` per chart.
    static func clusterFiles(_ cluster: GitOpsCluster, mesh: GitOpsMesh) -> [(path: String, content: String)] {
        let directory = "clusters/\(cluster.name)/"
        var files = part(directory + "trust/", trustResources(cluster, mesh: mesh), annotations: [("argocd.argoproj.io/sync-wave", trustWave)])
        var parts = ["trust"]
        let discovery = discoveryResources(cluster, mesh: mesh)
        if !discovery.isEmpty {
            parts.append("discovery")
            // Istio's kinds exist only once the base chart ran: Argo CD must not dry-run them first.
            files += part(directory + "discovery/", discovery, annotations: [("argocd.argoproj.io/sync-wave", discoveryWave),
                                                                              ("argocd.argoproj.io/sync-options", "SkipDryRunOnMissingResource=true")])
        }
        files.append((directory + "kustomization.yaml", kustomization(resources: parts, annotations: [])))
        for chart in cluster.charts {
            files.append((directory + "helm/\(chart.chart.rawValue)-values.yaml", chart.values.yaml))
        }
        return files
    }

    /// istio-system, and the ExternalSecret of its cacerts when the store delivers them.
    static func trustResources(_ cluster: GitOpsCluster, mesh: GitOpsMesh) -> [(file: String, content: String)] {
        var resources = [(file: "istio-system-namespace.yaml", content: cluster.namespace)]
        if cluster.cacerts, case .externalSecrets(let store) = mesh.secrets {
            resources.append(("cacerts-externalsecret.yaml", ExternalSecretManifest.cacerts(mesh: mesh.mesh, cluster: cluster.name, store: store)))
        }
        return resources
    }

    /// The cluster's discovery manifests, and the ExternalSecrets of its remote secrets when the
    /// store delivers them.
    static func discoveryResources(_ cluster: GitOpsCluster, mesh: GitOpsMesh) -> [(file: String, content: String)] {
        var resources = cluster.discovery
        if case .externalSecrets(let store) = mesh.secrets {
            for source in cluster.remoteSecretSources {
                resources.append(("remote-secret-\(source)-externalsecret.yaml", ExternalSecretManifest.remoteSecret(mesh: mesh.mesh, source: source, store: store)))
            }
        }
        return resources
    }

    /// Whether the cluster has a discovery part (so a `discovery/` kustomization).
    static func hasDiscovery(_ cluster: GitOpsCluster, mesh: GitOpsMesh) -> Bool { !discoveryResources(cluster, mesh: mesh).isEmpty }

    /// One part's resources and the kustomization listing them.
    static func part(_ directory: String, _ resources: [(file: String, content: String)], annotations: [(String, String)]) -> [(path: String, content: String)] {
        resources.map { (directory + $0.file, $0.content) } + [(directory + "kustomization.yaml", kustomization(resources: resources.map(\.file), annotations: annotations))]
    }

    /// A kustomize `Kustomization` (kustomize.config.k8s.io/v1beta1) of `resources`, with
    /// `commonAnnotations` when there are any.
    static func kustomization(resources: [String], annotations: [(String, String)]) -> String {
        var fields: [(String, Node)] = [("apiVersion", ManifestYAML.string("kustomize.config.k8s.io/v1beta1")), ("kind", ManifestYAML.string("Kustomization"))]
        if !annotations.isEmpty { fields.append(("commonAnnotations", ManifestYAML.map(annotations.map { ($0.0, ManifestYAML.string($0.1)) }))) }
        fields.append(("resources", ManifestYAML.seq(resources.map(ManifestYAML.string))))
        return ManifestYAML.emit(ManifestYAML.map(fields))
    }
}

/// ExternalSecrets (external-secrets.io/v1) that recreate cacerts and remote secrets from a store.
enum ExternalSecretManifest {
    /// istio-system's `cacerts`, its four files from the store key `meshscript/MESH/CLUSTER/cacerts`.
    static func cacerts(mesh: String, cluster: String, store: String) -> String {
        let key = "\(GitOpsTree.storeKey)\(mesh)/\(cluster)/cacerts"
        let data = ["ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"].map { file in
            ManifestYAML.map(["secretKey": ManifestYAML.string(file), "remoteRef": ManifestYAML.map(["key": ManifestYAML.string(key), "property": ManifestYAML.string(file)])])
        }
        return manifest(name: "cacerts", store: store, template: nil, data: data)
    }

    /// `istio-remote-secret-SOURCE` as istioctl shapes it (label, annotation, the data key named
    /// after the source), its kubeconfig from the store key `meshscript/MESH/SOURCE/remote-secret`.
    static func remoteSecret(mesh: String, source: String, store: String) -> String {
        let key = "\(GitOpsTree.storeKey)\(mesh)/\(source)/remote-secret"
        let template = ManifestYAML.map(["metadata": ManifestYAML.map([
            "labels": ManifestYAML.map(["istio/multiCluster": ManifestYAML.string("true")]),
            "annotations": ManifestYAML.map(["networking.istio.io/cluster": ManifestYAML.string(source)]),
        ])])
        let data = [ManifestYAML.map(["secretKey": ManifestYAML.string(source),
                                      "remoteRef": ManifestYAML.map(["key": ManifestYAML.string(key), "property": ManifestYAML.string("kubeconfig")])])]
        return manifest(name: "istio-remote-secret-\(source)", store: store, template: template, data: data)
    }

    private static func manifest(name: String, store: String, template: Node?, data: [Node]) -> String {
        var target: [(String, Node)] = [("name", ManifestYAML.string(name)), ("creationPolicy", ManifestYAML.string("Owner"))]
        if let template { target.append(("template", template)) }
        return ManifestYAML.emit(ManifestYAML.map([
            "apiVersion": ManifestYAML.string("external-secrets.io/v1"),
            "kind": ManifestYAML.string("ExternalSecret"),
            "metadata": ManifestYAML.map(["name": ManifestYAML.string(name), "namespace": ManifestYAML.string("istio-system")]),
            "spec": ManifestYAML.map([
                "refreshInterval": ManifestYAML.string("1h"),
                "secretStoreRef": ManifestYAML.map(["kind": ManifestYAML.string("ClusterSecretStore"), "name": ManifestYAML.string(store)]),
                "target": ManifestYAML.map(target),
                "data": ManifestYAML.seq(data),
            ]),
        ]))
    }
}
