// The least-privilege identity a remote secret carries: Istio's reader service account, the
// read-only ClusterRole bound to it, and the token Secret Kubernetes fills with its token.
// `istioctl create-remote-secret` creates these (the first three rendered from the base and
// istiod charts, the Secret by hand) when the account is missing; MeshScript writes the same
// objects into a file `kubectl apply` sends to the source cluster, then reads the token back.
import Yams

/// Istio's reader account, as the charts of the targeted release render it with default values
/// (revision "", namespace istio-system) and as istioctl creates its token Secret.
public enum ReaderAccount {
    /// `constants.DefaultServiceAccountName`.
    public static let serviceAccountName = "istio-reader-service-account"
    /// `istio-reader-clusterrole-{{ .Release.Namespace }}`, for the default revision.
    public static let clusterRoleName = "istio-reader-clusterrole-" + RemoteSecret.namespace
    /// istioctl's `tokenSecretName`: the account name, `-istio-remote-secret-token`.
    public static let tokenSecretName = serviceAccountName + "-istio-remote-secret-token"
    /// The `sub` claim of the account's tokens.
    public static let subject = "system:serviceaccount:\(RemoteSecret.namespace):\(serviceAccountName)"

    /// The ServiceAccount, ClusterRole, ClusterRoleBinding and token Secret, as one
    /// multi-document YAML file for `kubectl apply -f`. Holds no secret: Kubernetes fills the
    /// token in. The chart's version labels (`app.kubernetes.io/version`, `helm.sh/chart`)
    /// name a patch release and are left out; `kubectl apply` leaves labels it did not set alone.
    public static func manifests(forms: IstioForms) -> String {
        [serviceAccount(), clusterRole(forms: forms), clusterRoleBinding(), tokenSecret()]
            .map(ManifestYAML.emit).joined(separator: "---\n")
    }

    /// The chart labels of a reader object rendered from the Helm release `helmRelease`
    /// (`base` for the account, `istiod` for the role and binding), without the version ones.
    static func labels(helmRelease: String) -> Node {
        ManifestYAML.map([
            ("app", ManifestYAML.string("istio-reader")),
            ("release", ManifestYAML.string(helmRelease)),
            ("app.kubernetes.io/name", ManifestYAML.string("istio-reader")),
            ("app.kubernetes.io/managed-by", ManifestYAML.string("Helm")),
            ("app.kubernetes.io/instance", ManifestYAML.string(helmRelease)),
            ("app.kubernetes.io/part-of", ManifestYAML.string("istio")),
        ])
    }

    /// manifests/charts/base/templates/reader-serviceaccount.yaml.
    static func serviceAccount() -> Node {
        ManifestYAML.map([
            ("apiVersion", ManifestYAML.string("v1")),
            ("kind", ManifestYAML.string("ServiceAccount")),
            ("metadata", ManifestYAML.map([
                ("name", ManifestYAML.string(serviceAccountName)),
                ("namespace", ManifestYAML.string(RemoteSecret.namespace)),
                ("labels", labels(helmRelease: "base")),
            ])),
        ])
    }

    /// manifests/charts/istio-control/istio-discovery/templates/reader-clusterrole.yaml, with
    /// `istiodRemote.enabled` false and the default MCS API group.
    static func clusterRole(forms: IstioForms) -> Node {
        let read = ["get", "list", "watch"]
        var core = ["endpoints", "pods", "services", "nodes", "replicationcontrollers", "namespaces", "secrets"]
        if forms.readerRoleReadsConfigMaps { core.append("configmaps") }
        let rules: [(groups: [String], resources: [String], verbs: [String])] = [
            (["config.istio.io", "security.istio.io", "networking.istio.io", "authentication.istio.io", "rbac.istio.io",
              "telemetry.istio.io", "extensions.istio.io"], ["*"], read),
            ([""], core, read),
            (["networking.istio.io"], ["workloadentries"], ["get", "watch", "list"]),
            (["networking.x-k8s.io", "gateway.networking.k8s.io"], ["gateways"], ["get", "watch", "list"]),
            (["apiextensions.k8s.io"], ["customresourcedefinitions"], read),
            (["discovery.k8s.io"], ["endpointslices"], read),
            (["multicluster.x-k8s.io"], ["serviceexports"], read + ["create", "delete"]),
            (["multicluster.x-k8s.io"], ["serviceimports"], read),
            (["apps"], ["replicasets"], read),
            (["authentication.k8s.io"], ["tokenreviews"], ["create"]),
            (["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
        ]
        let strings = { (values: [String]) in ManifestYAML.seq(values.map(ManifestYAML.string)) }
        return ManifestYAML.map([
            ("apiVersion", ManifestYAML.string("rbac.authorization.k8s.io/v1")),
            ("kind", ManifestYAML.string("ClusterRole")),
            ("metadata", ManifestYAML.map([("name", ManifestYAML.string(clusterRoleName)), ("labels", labels(helmRelease: "istiod"))])),
            ("rules", ManifestYAML.seq(rules.map { rule in
                ManifestYAML.map([("apiGroups", strings(rule.groups)), ("resources", strings(rule.resources)), ("verbs", strings(rule.verbs))])
            })),
        ])
    }

    /// manifests/charts/istio-control/istio-discovery/templates/reader-clusterrolebinding.yaml.
    static func clusterRoleBinding() -> Node {
        ManifestYAML.map([
            ("apiVersion", ManifestYAML.string("rbac.authorization.k8s.io/v1")),
            ("kind", ManifestYAML.string("ClusterRoleBinding")),
            ("metadata", ManifestYAML.map([("name", ManifestYAML.string(clusterRoleName)), ("labels", labels(helmRelease: "istiod"))])),
            ("roleRef", ManifestYAML.map([
                ("apiGroup", ManifestYAML.string("rbac.authorization.k8s.io")),
                ("kind", ManifestYAML.string("ClusterRole")),
                ("name", ManifestYAML.string(clusterRoleName)),
            ])),
            ("subjects", ManifestYAML.seq([ManifestYAML.map([
                ("kind", ManifestYAML.string("ServiceAccount")),
                ("name", ManifestYAML.string(serviceAccountName)),
                ("namespace", ManifestYAML.string(RemoteSecret.namespace)),
            ])])),
        ])
    }

    /// The Secret istioctl's `getOrCreateServiceAccountSecret` creates on Kubernetes 1.24+, which
    /// the token controller fills with `token` and `ca.crt`.
    static func tokenSecret() -> Node {
        ManifestYAML.map([
            ("apiVersion", ManifestYAML.string("v1")),
            ("kind", ManifestYAML.string("Secret")),
            ("metadata", ManifestYAML.map([
                ("annotations", ManifestYAML.map([("kubernetes.io/service-account.name", ManifestYAML.string(serviceAccountName))])),
                ("name", ManifestYAML.string(tokenSecretName)),
                ("namespace", ManifestYAML.string(RemoteSecret.namespace)),
            ])),
            ("type", ManifestYAML.string("kubernetes.io/service-account-token")),
        ])
    }
}
