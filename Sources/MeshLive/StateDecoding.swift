// `kubectl get ... -o json` output, decoded into ClusterState. Pure: the observer runs the
// commands, this reads their bytes. Key material is dropped here: `ca-key.pem` is never
// decoded, and a remote secret's kubeconfig is read for its server only.
import Foundation
import MeshKube
import MeshTrust

enum StateDecoding {
    typealias Object = [String: Any]

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// The JSON object kubectl printed (`List` or a single object), or nil for empty output
    /// (`--ignore-not-found` and nothing there).
    static func object(_ data: Data, what: String) throws(Malformed) -> Object? {
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? Object else {
            throw Malformed(description: "kubectl's answer for \(what) is not a JSON object")
        }
        return object
    }

    static func items(_ list: Object?) -> [Object] { list?["items"] as? [Object] ?? [] }

    static func namespace(_ object: Object?) -> NamespaceState? {
        guard let object else { return nil }
        return NamespaceState(network: labels(object)[IstioSystemNamespace.networkLabel],
                              controlPlaneClusters: annotations(object)[PrimaryRemoteValues.controlPlaneClustersAnnotation])
    }

    /// Fills in what a list of secrets, deployments and configmaps of istio-system says.
    static func apply(_ list: Object?, to state: inout ClusterState) {
        let objects = items(list)
        let configMaps = objects.filter { $0["kind"] as? String == "ConfigMap" }
        for object in objects {
            switch object["kind"] as? String {
            case "Secret": secret(object, into: &state)
            case "Deployment": deployment(object, configMaps: configMaps, into: &state)
            default: break
            }
        }
        state.remoteSecrets.sort { $0.name < $1.name }
        state.controlPlanes.sort { $0.revision < $1.revision }
        // A remote's injector (profile remote) names the primary's address in its values.
        state.remotePilotAddress = configMaps.lazy.filter { name($0).hasPrefix("istio-sidecar-injector") }
            .compactMap { ((injectorValues($0)?["global"] as? Object)?["remotePilotAddress"] as? String).flatMap { $0.isEmpty ? nil : $0 } }.first
    }

    static func gateways(_ list: Object?) -> Bool {
        items(list).contains { name($0) == CrossNetworkGateway.name }
    }

    /// Whether the list holds the Gateway that exposes istiod to remotes.
    static func exposesIstiod(_ list: Object?) -> Bool {
        items(list).contains { name($0) == ExposeIstiod.gatewayName }
    }

    private static func secret(_ object: Object, into state: inout ClusterState) {
        let data = object["data"] as? [String: String] ?? [:]
        if name(object) == "cacerts" {
            state.cacerts = cacerts(data, origin: "secret cacerts (context \(state.context))")
        } else if labels(object)[RemoteSecret.multiClusterLabel] == "true" {
            let source = annotations(object)[RemoteSecret.clusterAnnotation] ?? (data.count == 1 ? data.keys.first : nil)
            let server = source.flatMap { data[$0] }.flatMap { Data(base64Encoded: $0) }.flatMap { embeddedServer($0) }
            state.remoteSecrets.append(RemoteSecretState(name: name(object), source: source, server: server))
        }
    }

    /// The certificate facts of a cacerts secret's data; `ca-key.pem` is only checked for presence.
    static func cacerts(_ data: [String: String], origin: String) -> CacertsState {
        let missing = ["ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"].filter { data[$0] == nil }
        let decoded = { (key: String) in data[key].flatMap { Data(base64Encoded: $0) } }
        guard let caCert = decoded("ca-cert.pem"), let root = decoded("root-cert.pem") else {
            return CacertsState(facts: nil, problem: "holds no ca-cert.pem or root-cert.pem (missing: \(missing.joined(separator: ", ")))")
        }
        do {
            let facts = try CertificateFacts.cacerts(caCertificate: caCert, rootCertificate: root, chain: decoded("cert-chain.pem"), origin: origin)
            return CacertsState(facts: facts, problem: missing.isEmpty ? nil : "missing \(missing.joined(separator: ", "))")
        } catch {
            return CacertsState(facts: nil, problem: error.problems.map(\.message).joined(separator: "; "))
        }
    }

    private static func embeddedServer(_ kubeconfig: Data) -> String? {
        let yaml = String(decoding: kubeconfig, as: UTF8.self)
        return (try? Kubeconfig.parse(yaml: yaml, path: "remote secret").currentCredentials())?.server
    }

    private static func deployment(_ object: Object, configMaps: [Object], into state: inout ClusterState) {
        let labels = labels(object)
        // istioctl's and the gateway chart's label; ambient's Gateway names its Deployment's.
        if labels["istio"] == "eastwestgateway" || labels[AmbientMulticluster.gatewayNameLabel] == AmbientMulticluster.gatewayName {
            // istioctl labels the Deployment with its network; Istio's gateway chart
            // (`networkGateway`) labels only the pods, so their template is read too.
            let network = labels[IstioSystemNamespace.networkLabel] ?? podTemplateLabels(object)[IstioSystemNamespace.networkLabel]
            state.eastWestGateway = WorkloadState(name: name(object), ready: isReady(object), network: network)
            return
        }
        guard labels["app"] == "istiod" else { return }
        let revision = labels["istio.io/rev"] ?? ControlPlaneState.defaultRevision
        var plane = ControlPlaneState(deployment: name(object), revision: revision, version: version(object), ready: isReady(object))
        let injector = revision == ControlPlaneState.defaultRevision ? "istio-sidecar-injector" : "istio-sidecar-injector-" + revision
        if let values = configMaps.first(where: { name($0) == injector }).flatMap(injectorValues) {
            let global = values["global"] as? Object ?? [:]
            plane.meshID = global["meshID"] as? String
            plane.network = global["network"] as? String
            plane.clusterName = (global["multiCluster"] as? Object)?["clusterName"] as? String
        }
        state.controlPlanes.append(plane)
    }

    private static func injectorValues(_ configMap: Object) -> Object? {
        guard let text = (configMap["data"] as? [String: String])?["values"] else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? Object
    }

    /// The tag of the first container's image (`docker.io/istio/pilot:1.24.2` -> 1.24.2).
    static func version(_ deployment: Object) -> String? {
        let spec = (deployment["spec"] as? Object)?["template"] as? Object
        let containers = (spec?["spec"] as? Object)?["containers"] as? [Object]
        guard let image = containers?.first?["image"] as? String, !image.contains("@"),
              let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") else { return nil }
        return String(image[image.index(after: colon)...])
    }

    private static func isReady(_ deployment: Object) -> Bool {
        let status = deployment["status"] as? Object ?? [:]
        let ready = status["readyReplicas"] as? Int ?? 0
        let wanted = (deployment["spec"] as? Object)?["replicas"] as? Int ?? 1
        return ready >= 1 && ready >= wanted
    }

    private static func name(_ object: Object) -> String { (object["metadata"] as? Object)?["name"] as? String ?? "" }
    private static func podTemplateLabels(_ object: Object) -> [String: String] {
        ((object["spec"] as? Object)?["template"] as? Object).map(labels) ?? [:]
    }
    private static func labels(_ object: Object) -> [String: String] { (object["metadata"] as? Object)?["labels"] as? [String: String] ?? [:] }
    private static func annotations(_ object: Object) -> [String: String] { (object["metadata"] as? Object)?["annotations"] as? [String: String] ?? [:] }
}
