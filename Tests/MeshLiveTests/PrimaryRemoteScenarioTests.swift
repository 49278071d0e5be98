// Primary-remote against the Kubernetes API emulator, driven by the real kubectl and the
// istioctl stand-in: apply reads the primary's east-west gateway address and installs the
// remote's profile with it; --dry-run shows that address as pending; the remote never waits
// for an istiod and status does not expect one there.
import Foundation
import MeshTestSupport
import Testing

struct PrimaryRemoteFleet {
    let scratch: Scratch
    let emulator: KubeEmulator
    let out: String
    var script: String

    init(multiNetwork: Bool = false) throws {
        scratch = try Scratch()
        emulator = try KubeEmulator(clusters: [("cluster1", "kind-cluster1"), ("cluster2", "kind-cluster2")], in: scratch)
        out = scratch.at("out")
        let network2 = multiNetwork ? "network2" : "network1"
        script = try scratch.write("mesh.mesh", """
            mesh mesh1
            network network1
            network network2
            root root < key ecdsa p256 >
            kubeconfig "emulator.kubeconfig"
            cluster cluster1 < context "kind-cluster1"; server "https://cluster1.example:6443"; trust from root; install network network1 >
            cluster cluster2 < context "kind-cluster2"; server "https://cluster2.example:6443"; install remote of cluster1 network \(network2) >

            """)
    }

    func meshscript(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessRun {
        try MeshTestSupport.meshscript(arguments, environment: emulator.environment(home: scratch.home), sourceLocation: sourceLocation)
    }

    func apply(_ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessRun {
        try meshscript(["apply", script, "--out", out, "--yes"] + extra, sourceLocation: sourceLocation)
    }

    /// The address the istioctl stand-in gave cluster1's east-west gateway Service.
    func gatewayAddress() throws -> String? {
        let service = try emulator.object("cluster1", "services/istio-system/istio-eastwestgateway")
        let ingress = ((service?["status"] as? [String: Any])?["loadBalancer"] as? [String: Any])?["ingress"] as? [[String: Any]]
        return ingress?.first?["ip"] as? String
    }
}

@Suite struct PrimaryRemoteScenarioTests {
    @Test func dryRunShowsTheAddressAsPendingAndChangesNothing() throws {
        let fleet = try PrimaryRemoteFleet()
        let run = try fleet.apply(["--dry-run"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("read the east-west gateway's address"), "\(run.stdout)")
        #expect(run.stdout.contains("pending: read when apply runs"), "\(run.stdout)")
        #expect(run.stdout.contains("--set 'values.global.remotePilotAddress=${DISCOVERY_ADDRESS_CLUSTER1}'"), "\(run.stdout)")
        #expect(try fleet.emulator.writes() == [])
        #expect(fleet.emulator.istioctlCalls.isEmpty)
    }

    @Test(arguments: [false, true]) func applyInstallsTheRemoteWithThePrimarysGatewayAddress(multiNetwork: Bool) throws {
        let fleet = try PrimaryRemoteFleet(multiNetwork: multiNetwork)
        let run = try fleet.apply()
        #expect(run.status == 0, "\(run)")
        let address = try #require(try fleet.gatewayAddress(), "cluster1 has an east-west gateway with an address")
        let remoteInstall = try #require(fleet.emulator.istioctlCalls.first { $0.first == "install" && $0.contains("--context=kind-cluster2") && $0.contains { $0.hasSuffix("cluster2/install.yaml") } })
        #expect(remoteInstall.contains("values.global.remotePilotAddress=\(address)"), "\(remoteInstall)")
        // No istiod on the remote, and nothing waited for one there.
        let state = try fleet.emulator.state()
        #expect(state["cluster2"]?.keys.contains { $0.hasPrefix("deployments/istio-system/istiod") } == false, "\(state["cluster2"]?.keys.sorted() ?? [])")
        #expect(!run.stdout.contains("cluster2: wait until the control plane is ready"), "\(run.stdout)")
        // The remote names its primary; the primary exposes istiod and holds the remote's secret.
        let namespace = try #require(try fleet.emulator.object("cluster2", "namespaces/istio-system"))
        let annotations = (namespace["metadata"] as? [String: Any])?["annotations"] as? [String: String]
        #expect(annotations?["topology.istio.io/controlPlaneClusters"] == "cluster1")
        let labels = (namespace["metadata"] as? [String: Any])?["labels"] as? [String: String]
        #expect(labels?["topology.istio.io/network"] == (multiNetwork ? "network2" : nil))
        #expect(state["cluster1"]?["gateways/istio-system/istiod-gateway"] != nil, "\(state["cluster1"]?.keys.sorted() ?? [])")
        #expect(state["cluster1"]?["virtualservices/istio-system/istiod-vs"] != nil)
        #expect(try fleet.emulator.object("cluster1", "secrets/istio-system/istio-remote-secret-cluster2") != nil)
        #expect(state["cluster2"]?.keys.contains { $0.hasPrefix("secrets/istio-system/cacerts") } == false, "a remote gets no cacerts")

        // status does not expect istiod on the remote, and a second apply has nothing to do.
        let status = try fleet.meshscript(["status", fleet.script, "--out", fleet.out])
        #expect(status.status == 0, "\(status)")
        fleet.emulator.clearIstioctlCalls()
        try fleet.emulator.clearRequests()
        let again = try fleet.apply()
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains("nothing to apply"), "\(again.stdout)")
        #expect(try fleet.emulator.writes() == [])
    }

    @Test func aGatewayWithoutAnAddressStopsApplyBeforeTheRemotesInstall() throws {
        let fleet = try PrimaryRemoteFleet()
        #expect(try fleet.apply().status == 0)
        // The remote's install is gone, and the primary's load balancer has no address (yet).
        try fleet.emulator.delete("cluster2", "configmaps/istio-system/istio-sidecar-injector")
        try fleet.emulator.put("cluster1", object: [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": "istio-eastwestgateway", "namespace": "istio-system"],
            "spec": ["type": "LoadBalancer", "ports": [["name": "tls-istiod", "port": 15012]]],
        ])
        fleet.emulator.clearIstioctlCalls()
        let run = try fleet.apply()
        #expect(run.status == 70, "\(run)")
        #expect(run.stderr.contains("it printed nothing, so DISCOVERY_ADDRESS_CLUSTER1 is unknown"), "\(run.stderr)")
        #expect(!fleet.emulator.istioctlCalls.contains { $0.contains("--context=kind-cluster2") }, "\(fleet.emulator.istioctlCalls)")
    }

    @Test func aPrimaryWithoutRemotesStopsExposingIstiodOnlyWithPrune() throws {
        let fleet = try PrimaryRemoteFleet()
        #expect(try fleet.apply().status == 0)
        #expect(try fleet.emulator.object("cluster1", "gateways/istio-system/istiod-gateway") != nil)
        _ = try fleet.scratch.write("mesh.mesh", """
            mesh mesh1
            network network1
            root root < key ecdsa p256 >
            kubeconfig "emulator.kubeconfig"
            cluster cluster1 < context "kind-cluster1"; server "https://cluster1.example:6443"; trust from root; install network network1 >

            """)
        let plan = try fleet.meshscript(["plan", fleet.script, "--out", fleet.out, "--live"])
        #expect(plan.stdout.contains("delete the Gateway and VirtualService exposing istiod"), "\(plan.stdout)")
        let pruned = try fleet.apply(["--prune"])
        #expect(pruned.status == 0, "\(pruned)")
        #expect(try fleet.emulator.object("cluster1", "gateways/istio-system/istiod-gateway") == nil)
        #expect(try fleet.emulator.object("cluster1", "virtualservices/istio-system/istiod-vs") == nil)
    }

    /// A load balancer with a DNS name and no IP (AWS): its name is the remote's remotePilotAddress.
    @Test func aHostnameLoadBalancerGivesItsName() throws {
        let fleet = try PrimaryRemoteFleet()
        #expect(try fleet.apply().status == 0)
        try fleet.emulator.delete("cluster2", "configmaps/istio-system/istio-sidecar-injector")
        var service = try #require(try fleet.emulator.object("cluster1", "services/istio-system/istio-eastwestgateway"))
        service["status"] = ["loadBalancer": ["ingress": [["hostname": "eastwest.elb.example"]]]]
        try fleet.emulator.put("cluster1", object: service)
        fleet.emulator.clearIstioctlCalls()
        let run = try fleet.apply()
        #expect(run.status == 0, "\(run)")
        let remoteInstall = try #require(fleet.emulator.istioctlCalls.first { $0.first == "install" && $0.contains("--context=kind-cluster2") })
        #expect(remoteInstall.contains("values.global.remotePilotAddress=eastwest.elb.example"), "\(remoteInstall)")
    }
}
