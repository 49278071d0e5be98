// kubectl's JSON, decoded into ClusterState: what is kept, and that no key or token is.
import Foundation
@testable import MeshLive
import MeshScript
import MeshTestSupport
import Testing

@Suite struct StateDecodingTests {
    static let token = "reader-token-5b1e9c0d7a"

    func base64(_ path: String) throws -> String { try #require(FileManager.default.contents(atPath: path)).base64EncodedString() }

    func json(_ object: Any) throws -> Data { try JSONSerialization.data(withJSONObject: object) }

    func istioSystem(_ out: String) throws -> [String: Any] {
        let kubeconfig = """
            apiVersion: v1
            kind: Config
            clusters:
            - cluster: {server: "https://cluster1.example:6443"}
              name: cluster1
            contexts:
            - context: {cluster: cluster1, user: cluster1}
              name: cluster1
            current-context: cluster1
            users:
            - name: cluster1
              user: {token: \(Self.token)}
            """
        let items: [[String: Any]] = [
            ["kind": "Secret", "metadata": ["name": "cacerts"], "data": [
                "ca-cert.pem": try base64(out + "/cluster2/ca-cert.pem"), "root-cert.pem": try base64(out + "/cluster2/root-cert.pem"),
                "cert-chain.pem": try base64(out + "/cluster2/cert-chain.pem"), "ca-key.pem": "not base64 and never decoded %%%"]],
            ["kind": "Secret", "metadata": ["name": "istio-remote-secret-cluster1", "labels": ["istio/multiCluster": "true"],
                                            "annotations": ["networking.istio.io/cluster": "cluster1"]],
             "data": ["cluster1": Data(kubeconfig.utf8).base64EncodedString()]],
            ["kind": "Secret", "metadata": ["name": "unrelated"], "data": ["password": "c2VjcmV0"]],
            ["kind": "Deployment", "metadata": ["name": "istiod", "labels": ["app": "istiod", "istio.io/rev": "default"]],
             "spec": ["replicas": 1, "template": ["spec": ["containers": [["name": "discovery", "image": "docker.io/istio/pilot:1.24.2"]]]]],
             "status": ["replicas": 1, "readyReplicas": 1]],
            ["kind": "ConfigMap", "metadata": ["name": "istio-sidecar-injector"], "data": [
                "values": #"{"global":{"meshID":"mesh1","network":"network1","multiCluster":{"clusterName":"cluster2"}},"revision":""}"#]],
            ["kind": "Deployment", "metadata": ["name": "istio-eastwestgateway", "labels": ["istio": "eastwestgateway", "topology.istio.io/network": "network1"]],
             "spec": ["replicas": 1, "template": ["spec": ["containers": [["image": "docker.io/istio/proxyv2:1.24.2"]]]]], "status": [:]],
        ]
        return ["kind": "List", "apiVersion": "v1", "items": items]
    }

    @Test func aClusterSetUpByApplyIsReadBackWithoutItsKeyOrToken() throws {
        let scratch = try Scratch()
        let mesh = try RenderedMesh(addPrimary, in: scratch)
        var state = ClusterState(cluster: "cluster2", context: "kind-cluster2")
        state.namespace = StateDecoding.namespace(try StateDecoding.object(try json(["kind": "Namespace", "metadata": ["name": "istio-system", "labels": ["topology.istio.io/network": "network1"]]]), what: "ns"))
        StateDecoding.apply(try StateDecoding.object(try json(try istioSystem(mesh.out)), what: "list"), to: &state)

        #expect(state.namespace?.network == "network1")
        #expect(state.cacerts?.facts == mesh.local.intermediates["cluster2"])
        #expect(state.cacerts?.facts?.chainVerifies == true)
        #expect(state.controlPlanes == [ControlPlaneState(deployment: "istiod", revision: "default", version: "1.24.2", ready: true,
                                                          meshID: "mesh1", clusterName: "cluster2", network: "network1")])
        #expect(state.remoteSecrets == [RemoteSecretState(name: "istio-remote-secret-cluster1", source: "cluster1", server: "https://cluster1.example:6443")])
        #expect(state.eastWestGateway == WorkloadState(name: "istio-eastwestgateway", ready: false, network: "network1"))
        let encoded = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        #expect(!encoded.contains(Self.token))
        #expect(!encoded.contains("PRIVATE KEY"))
        #expect(!encoded.contains("never decoded"))
    }

    /// Istio's gateway chart (`networkGateway: network2`) labels the pods with the network, not
    /// the Deployment: the network is read from the pod template, so a Helm-installed east-west
    /// gateway compares like istioctl's.
    @Test func theGatewayChartsNetworkIsReadFromItsPods() throws {
        let gateway: [String: Any] = [
            "kind": "Deployment",
            "metadata": ["name": "istio-eastwestgateway", "labels": ["app": "istio-eastwestgateway", "istio": "eastwestgateway"]],
            "spec": ["replicas": 1, "template": [
                "metadata": ["labels": ["app": "istio-eastwestgateway", "istio": "eastwestgateway", "topology.istio.io/network": "network2"]],
                "spec": ["containers": [["image": "docker.io/istio/proxyv2:1.24.2"]]]]],
            "status": ["replicas": 1, "readyReplicas": 1],
        ]
        var state = ClusterState(cluster: "cluster2", context: "kind-cluster2")
        StateDecoding.apply(try StateDecoding.object(try json(["kind": "List", "apiVersion": "v1", "items": [gateway]]), what: "list"), to: &state)
        #expect(state.eastWestGateway == WorkloadState(name: "istio-eastwestgateway", ready: true, network: "network2"))
    }

    @Test func nothingThereIsEmptyAndGarbageIsAnError() throws {
        #expect(try StateDecoding.object(Data(" \n".utf8), what: "x") == nil)
        #expect(throws: StateDecoding.Malformed.self) { try StateDecoding.object(Data("error: nope".utf8), what: "x") }
        #expect(StateDecoding.namespace(nil) == nil)
    }

    @Test func aCacertsSecretThatIsNotCertificatesSaysWhy() {
        let state = StateDecoding.cacerts(["ca-cert.pem": Data("junk".utf8).base64EncodedString(), "root-cert.pem": "", "ca-key.pem": "x"], origin: "secret cacerts")
        #expect(state.facts == nil)
        #expect(state.problem?.isEmpty == false)
        let partial = StateDecoding.cacerts(["ca-key.pem": "x"], origin: "secret cacerts")
        #expect(partial.problem?.contains("ca-cert.pem") == true)
    }

    @Test(arguments: [("docker.io/istio/pilot:1.24.2", "1.24.2"), ("registry:5000/istio/pilot", nil), ("gcr.io/istio-release/pilot:1.20.0-distroless", "1.20.0-distroless"),
                      ("docker.io/istio/pilot@sha256:abcd", nil)])
    func theVersionIsTheImageTag(image: String, version: String?) {
        let deployment: [String: Any] = ["spec": ["template": ["spec": ["containers": [["image": image]]]]]]
        #expect(StateDecoding.version(deployment) == version)
    }

    @Test func remoteClustersTableWithAnEmptySecretColumn() {
        let table = """
            NAME         SECRET                                        STATUS     ISTIOD
            cluster2                                                   synced     istiod-7b74b5b4f5-kbqjs
            cluster1     istio-system/istio-remote-secret-cluster1     timeout    istiod-7b74b5b4f5-kbqjs
            """
        #expect(RemoteClusters.parse(table) == ["cluster2": "synced", "cluster1": "timeout"])
    }
}
