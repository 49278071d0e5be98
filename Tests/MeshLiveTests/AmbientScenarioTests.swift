// Ambient multicluster against the Kubernetes API emulator, driven by the real kubectl: the live
// plan reads whether the Gateway API CRDs are installed (only where the plan installs them) and
// finds the Deployment Istio runs for the ambient east-west Gateway.
import Foundation
import MeshTestSupport
import Testing

@Suite struct AmbientScenarioTests {
    static func fleet() throws -> PrimaryRemoteFleet {
        var fleet = try PrimaryRemoteFleet()
        fleet.script = try fleet.scratch.write("mesh.mesh", """
            mesh mesh1 < istio "1.28" >
            network network1
            network network2
            root root < key ecdsa p256 >
            kubeconfig "emulator.kubeconfig"
            cluster cluster1 < context "kind-cluster1"; server "https://cluster1.example:6443"; trust from root; install network network1 profile "ambient" >
            cluster cluster2 < context "kind-cluster2"; server "https://cluster2.example:6443"; trust from root; install network network2 profile "ambient"; discover with cluster1 >

            """)
        return fleet
    }

    /// The line of `plan --live` for one cluster's step whose title holds `title`.
    func line(_ output: String, _ title: String, after cluster: String) -> String? {
        output.split(separator: "\n").first { $0.contains(" \(cluster): ") && $0.contains(title) }.map(String.init)
    }

    @Test func theCRDsAndTheAmbientGatewayAreReadFromTheCluster() throws {
        let fleet = try Self.fleet()
        let before = try fleet.meshscript(["plan", fleet.script, "--out", fleet.out, "--live"])
        #expect(before.status == 0, "\(before)")
        #expect(before.stdout.contains("no Gateway API CRDs"), "\(before.stdout)")
        #expect(!before.stdout.contains("the Gateway API CRDs are installed"), "\(before.stdout)")

        // cluster1 gets the CRD and the Deployment Istio's Gateway controller runs for the Gateway.
        try fleet.emulator.put("cluster1", object: [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "gateways.gateway.networking.k8s.io"],
            "spec": ["group": "gateway.networking.k8s.io", "scope": "Namespaced",
                     "names": ["plural": "gateways", "singular": "gateway", "kind": "Gateway", "listKind": "GatewayList"],
                     "versions": [["name": "v1", "served": true, "storage": true]]],
        ])
        try fleet.emulator.put("cluster1", object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "istio-system"]])
        try fleet.emulator.put("cluster1", object: [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "istio-eastwestgateway", "namespace": "istio-system",
                         "labels": ["gateway.networking.k8s.io/gateway-name": "istio-eastwestgateway", "topology.istio.io/network": "network1"]],
            "spec": ["replicas": 1, "template": ["metadata": ["labels": ["gateway.networking.k8s.io/gateway-name": "istio-eastwestgateway"]],
                                                 "spec": ["containers": [["name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.28.0"]]]]],
            "status": ["replicas": 1, "readyReplicas": 1],
        ])
        let after = try fleet.meshscript(["plan", fleet.script, "--out", fleet.out, "--live"])
        #expect(after.status == 0, "\(after)")
        let crds1 = line(after.stdout, "Gateway API CRDs", after: "cluster1"), crds2 = line(after.stdout, "Gateway API CRDs", after: "cluster2")
        #expect(crds1?.contains("the Gateway API CRDs are installed") == true, "\(after.stdout)")
        #expect(crds2?.contains("no Gateway API CRDs") == true, "\(after.stdout)")
        #expect(line(after.stdout, "east-west Gateway (HBONE 15008)", after: "cluster1")?.contains("istio-eastwestgateway exists") == true, "\(after.stdout)")
        #expect(try fleet.emulator.writes() == [])
    }
}
