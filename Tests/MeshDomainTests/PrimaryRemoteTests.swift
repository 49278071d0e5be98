// `install remote of C`: the plan of Istio's primary-remote guides, on one network and on
// several, and the value a step reads (the primary's gateway address) used by a later step.
import Foundation
import Testing

import MeshDomain
import MeshScriptInterpreter

@Suite struct PrimaryRemoteTests {
    static func source(remoteFirst: Bool = false, network2: String = "network1") -> String {
        let primary = "cluster cluster1 < trust from root; install network network1 >\n"
        let remote = "cluster cluster2 < install remote of cluster1 network \(network2) >\n"
        return "mesh mesh1\nnetwork network1\nnetwork network2\n" + (remoteFirst ? remote + primary : primary + remote)
    }

    func plan(_ source: String) throws -> Plan {
        let checked = check(source)
        try #require(checked.errors.isEmpty, "script has errors:\n\(checked.rendered)")
        return Planner.plan(checked.topology, options: PlanOptions(workDirectory: "w", scriptPath: "s.mesh"))
    }

    func kinds(_ plan: Plan, _ cluster: String) -> [String] {
        plan.steps.filter { $0.cluster == cluster }.map { "\($0.kind)".components(separatedBy: "(").first! }
    }

    @Test(arguments: [false, true]) func oneNetwork(remoteFirst: Bool) throws {
        let plan = try plan(Self.source(remoteFirst: remoteFirst))
        #expect(kinds(plan, "cluster1") == ["intermediateCA", "namespace", "cacerts", "controlPlane", "waitReady", "eastWestGateway",
                                            "exposeIstiod", "discoveryAddress", "remoteSecret"])
        #expect(kinds(plan, "cluster2") == ["namespace", "controlPlaneClusters", "remoteControlPlane"], "no cacerts, no wait for istiod")
        // The primary's steps come first whatever the declaration order: the remote needs its address.
        let read = try #require(plan.steps.first { $0.kind == .discoveryAddress })
        let install = try #require(plan.steps.first { $0.kind == .remoteControlPlane(primary: "cluster1", network: "network1") })
        #expect(read.number < install.number)
        #expect(read.output == "DISCOVERY_ADDRESS_CLUSTER1")
        #expect(read.commands == [Plan.Command(["kubectl", "--context=cluster1", "-n", "istio-system", "get", "service", "istio-eastwestgateway",
                                                "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}"])])
        #expect(install.commands == [Plan.Command(["istioctl", "install", "--context=cluster2", "-f", "w/cluster2/install.yaml",
                                                   "--set", "values.global.remotePilotAddress=${DISCOVERY_ADDRESS_CLUSTER1}", "-y"])])
        #expect(plan.steps.contains { $0.kind == .controlPlaneClusters(primary: "cluster1") && $0.commands == [Plan.Command(
            ["kubectl", "annotate", "namespace", "istio-system", "topology.istio.io/controlPlaneClusters=cluster1", "--overwrite", "--context=cluster2"])] })
        // The remote is attached: the primary gets its remote secret.
        #expect(plan.links == [DiscoveryLink(source: "cluster2", target: "cluster1")])
        #expect(!plan.steps.contains { $0.kind == .crossNetworkGateway }, "one network: no cross-network Gateway")
    }

    @Test func severalNetworks() throws {
        let plan = try plan(Self.source(network2: "network2"))
        #expect(kinds(plan, "cluster1") == ["intermediateCA", "namespace", "networkLabel", "cacerts", "controlPlane", "waitReady", "eastWestGateway",
                                            "crossNetworkGateway", "exposeIstiod", "discoveryAddress", "remoteSecret"])
        #expect(kinds(plan, "cluster2") == ["namespace", "controlPlaneClusters", "networkLabel", "remoteControlPlane", "eastWestGateway", "crossNetworkGateway"])
        // The remote is attached before its east-west gateway is injected (by the primary's istiod).
        let attach = try #require(plan.steps.first { $0.kind == .remoteSecret(source: "cluster2", server: nil) })
        let gateway = try #require(plan.steps.first { $0.cluster == "cluster2" && $0.kind == .eastWestGateway(network: "network2") })
        let install = try #require(plan.steps.first { $0.kind == .remoteControlPlane(primary: "cluster1", network: "network2") })
        #expect(install.number < attach.number && attach.number < gateway.number)
        #expect(attach.cluster == "cluster1")
    }

    /// The shell script keeps the address in a variable and bash expands it where the runner substitutes it.
    @Test func theShellScriptReadsTheAddressIntoAVariable() throws {
        let script = try plan(Self.source()).shellScript
        #expect(script.contains("DISCOVERY_ADDRESS_CLUSTER1=\"$(kubectl --context=cluster1 -n istio-system get service istio-eastwestgateway -o 'jsonpath={.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}')\"\n"), "\(script)")
        let line = try #require(script.split(separator: "\n").first { $0.hasPrefix("istioctl install --context=cluster2") })
        #expect(line.contains("--set \"values.global.remotePilotAddress=${DISCOVERY_ADDRESS_CLUSTER1}\""), "\(line)")
        let word = Plan.Command(["a=${DISCOVERY_ADDRESS_CLUSTER1} $HOME `id` \"q\" \\"]).shellLine(references: ["DISCOVERY_ADDRESS_CLUSTER1"])
        let bash = Process()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.arguments = ["-c", "DISCOVERY_ADDRESS_CLUSTER1=192.0.2.10; printf '%s' \(word)"]
        let pipe = Pipe()
        bash.standardOutput = pipe
        try bash.run()
        bash.waitUntilExit()
        #expect(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "a=192.0.2.10 $HOME `id` \"q\" \\")
    }

    @Test func resolvingReplacesOnlyReadValues() {
        let command = Plan.Command(["x", "--set", "v=${A}", "${B}"])
        #expect(command.resolving(["A": "1.2.3.4"]) == Plan.Command(["x", "--set", "v=1.2.3.4", "${B}"]))
        #expect(command.references(among: ["A", "B", "C"]) == ["A", "B"])
    }

    /// Another primary may read a remote's API server: the remote's trust is its primary's.
    @Test func aRemoteSharesItsPrimarysTrust() {
        expectClean(check(Self.source() + "cluster cluster3 < trust from root; install network network1; discover from cluster2 >\n"))
        let other = check(Self.source() + "root other\ncluster cluster3 < trust from other; install network network1; discover from cluster2 >\n")
        #expect(other.messages.contains { $0.contains("trust different roots") }, "\(other.rendered)")
    }

    @Test func theExamplesCheckClean() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["primary-remote.mesh", "primary-remote-multi-network.mesh"] {
            let text = try String(contentsOf: root.appendingPathComponent("examples/" + name), encoding: .utf8)
            let checked = check(text)
            expectClean(checked)
            #expect(checked.topology.primary(of: checked.topology.cluster(named: "cluster2")!) == "cluster1")
        }
    }
}
