// Argo CD's ApplicationSet for a GitOps tree: a list generator with one element per cluster,
// one Application per cluster whose sources are the cluster's kustomization and Istio's charts
// (with the values from the same repository), sync waves trust (-1) < charts (0) < discovery
// (1), and a RollingSync strategy that takes one cluster per step, so primaries roll out one
// at a time as Istio's procedure does.
import Yams

/// Argo CD objects (argoproj.io/v1alpha1).
enum ArgoCD {
    /// The label whose value is a cluster's rollout step.
    static let stepLabel = "meshscript/rollout-step"

    static func applicationSet(_ mesh: GitOpsMesh) -> String {
        let elements = mesh.clusters.enumerated().map { index, cluster in
            ManifestYAML.map([
                "cluster": ManifestYAML.string(cluster.name),
                "step": ManifestYAML.string(String(index + 1)),
                // "" when the cluster needs no Gateway API CRDs: the template tests it.
                "gatewayAPI": ManifestYAML.string(cluster.gatewayAPICRDs ?? ""),
                "charts": ManifestYAML.seq(cluster.charts.map { chart in
                    ManifestYAML.map(["chart": ManifestYAML.string(chart.chart.chart), "release": ManifestYAML.string(chart.release)])
                }),
            ])
        }
        let steps = mesh.clusters.indices.map { index in
            ManifestYAML.map(["matchExpressions": ManifestYAML.seq([ManifestYAML.map([
                "key": ManifestYAML.string(stepLabel), "operator": ManifestYAML.string("In"),
                "values": ManifestYAML.seq([ManifestYAML.string(String(index + 1))]),
            ])])])
        }
        return ManifestYAML.emit(ManifestYAML.map([
            "apiVersion": ManifestYAML.string("argoproj.io/v1alpha1"),
            "kind": ManifestYAML.string("ApplicationSet"),
            "metadata": ManifestYAML.map(["name": ManifestYAML.string(mesh.mesh), "namespace": ManifestYAML.string("argocd")]),
            "spec": ManifestYAML.map([
                "goTemplate": ManifestYAML.bool(true),
                "goTemplateOptions": ManifestYAML.seq([ManifestYAML.string("missingkey=error")]),
                "generators": ManifestYAML.seq([ManifestYAML.map(["list": ManifestYAML.map(["elements": ManifestYAML.seq(elements)])])]),
                "strategy": ManifestYAML.map(["type": ManifestYAML.string("RollingSync"),
                                              "rollingSync": ManifestYAML.map(["steps": ManifestYAML.seq(steps)])]),
                "template": template(mesh),
                "templatePatch": ManifestYAML.string(sources(mesh)),
            ]),
        ]))
    }

    /// The Application of one cluster, except its sources (``sources(_:)``).
    static func template(_ mesh: GitOpsMesh) -> Node {
        ManifestYAML.map([
            "metadata": ManifestYAML.map([
                "name": ManifestYAML.string("\(mesh.mesh)-{{ .cluster }}"),
                "labels": ManifestYAML.map([
                    "meshscript/mesh": ManifestYAML.string(mesh.mesh),
                    "meshscript/cluster": ManifestYAML.string("{{ .cluster }}"),
                    stepLabel: ManifestYAML.string("{{ .step }}"),
                ]),
            ]),
            "spec": ManifestYAML.map([
                "project": ManifestYAML.string("default"),
                "destination": ManifestYAML.map(["name": ManifestYAML.string("{{ .cluster }}"), "namespace": ManifestYAML.string("istio-system")]),
                // istiod rewrites its validating webhook's failurePolicy once it is ready.
                "ignoreDifferences": ManifestYAML.seq([ManifestYAML.map([
                    "group": ManifestYAML.string("admissionregistration.k8s.io"),
                    "kind": ManifestYAML.string("ValidatingWebhookConfiguration"),
                    "jqPathExpressions": ManifestYAML.seq([ManifestYAML.string(".webhooks[]?.failurePolicy")]),
                ])]),
                "syncPolicy": ManifestYAML.map(["syncOptions": ManifestYAML.seq([ManifestYAML.string("RespectIgnoreDifferences=true")])]),
            ]),
        ])
    }

    /// The `templatePatch` giving each Application its sources: the cluster's kustomization,
    /// the repository again as `$values`, and one Helm source per chart of the element.
    static func sources(_ mesh: GitOpsMesh) -> String {
        let repository = quoted(mesh.repository), revision = quoted(mesh.revision)
        let clusters = mesh.inRepository("clusters")
        return """
            spec:
              sources:
              - repoURL: \(repository)
                targetRevision: \(revision)
                path: \(quoted(clusters + "/{{ .cluster }}"))
              - repoURL: \(repository)
                targetRevision: \(revision)
                ref: values
            {{- if .gatewayAPI }}
              - repoURL: \(quoted(GitOpsTree.gatewayAPIRepository))
                targetRevision: "{{ .gatewayAPI }}"
                path: config/crd
            {{- end }}
            {{- range .charts }}
              - repoURL: \(quoted(HelmChart.repository))
                chart: "{{ .chart }}"
                targetRevision: \(quoted(mesh.chartVersion))
                helm:
                  releaseName: "{{ .release }}"
                  valueFiles:
                  - \(quoted("$values/" + clusters + "/{{ $.cluster }}/helm/{{ .chart }}-values.yaml"))
            {{- end }}

            """
    }

    /// A YAML double-quoted scalar (JSON's string syntax) of `text`.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
