// Multi-network (current Istio, istio-artifacts.md "Multi-network"): the namespace label, the
// east-west gateway and the cross-network Gateway for both clusters, on disk and in the plan;
// and the same topology is an error in Istio 1.6 mode.
import Foundation
import MeshScript
import MeshTestSupport
import Testing
import Yams

@Suite struct MultiNetworkTests {
    static let multiNetwork = example("multi-network.mesh")
    static let clusters = [("cluster1", "network1", "kind-cluster1"), ("cluster2", "network2", "kind-cluster2")]

    @Test func exampleWritesGatewaysAndLabelsForBothClusters() throws {
        let scratch = try Scratch()
        let multiNetwork = try exampleWithECDSARoot("multi-network.mesh", in: scratch)
        let engine = MeshEngine(environment: [:])
        let check = engine.check(file: multiNetwork)
        #expect(!check.hasErrors)
        let options = RenderOptions(workDirectory: scratch.at("out"), scriptPath: multiNetwork, environment: [:], home: scratch.home)
        let credentials = MeshRenderer.preflight(engine.topology, options: options)
        let summary: RenderSummary
        do throws(RenderFailure) {
            summary = try MeshRenderer.render(engine.topology, options: options, credentials: credentials)
        } catch {
            Issue.record("render failed: \(error)")
            return
        }
        let layout = WorkLayout(options.workDirectory)
        let plan = summary.plan

        for (cluster, network, context) in Self.clusters {
            // istio-system carries the network label.
            let namespace = try #require(yamlFile(layout.namespace(cluster)))
            #expect(namespace["kind"]?.string == "Namespace")
            #expect(namespace.at("metadata", "name")?.string == "istio-system")
            let label = namespace.at("metadata", "labels", "topology.istio.io/network")?.string
            #expect(label == network, "\(cluster): namespace label \(label ?? "none")")

            // The control plane is on the same network.
            let install = try #require(yamlFile(layout.install(cluster)))
            #expect(install.at("spec", "values", "global", "network")?.string == network)

            // The east-west gateway IstioOperator.
            let eastWest = try #require(yamlFile(layout.eastWestGateway(cluster)))
            #expect(eastWest["apiVersion"]?.string == "install.istio.io/v1alpha1")
            #expect(eastWest["kind"]?.string == "IstioOperator")
            #expect(eastWest.at("spec", "profile")?.string == "empty")
            #expect(eastWest.at("spec", "components", "ingressGateways")?.sequence?.count == 1)
            let gateway = try #require(eastWest.at("spec", "components", "ingressGateways", 0))
            #expect(gateway["name"]?.string == "istio-eastwestgateway")
            #expect(gateway["enabled"]?.bool == true)
            #expect(gateway.at("label", "istio")?.string == "eastwestgateway")
            let gatewayNetwork = gateway.at("label", "topology.istio.io/network")?.string
            #expect(gatewayNetwork == network)
            let env = gateway.at("k8s", "env")?.sequence ?? []
            #expect(env.contains { $0["name"]?.string == "ISTIO_META_REQUESTED_NETWORK_VIEW" && $0["value"]?.string == network },
                    "\(cluster): env \(env)")
            let ports = (gateway.at("k8s", "service", "ports")?.sequence ?? []).map { ($0["name"]?.string ?? "?", $0["port"]?.int ?? 0) }
            #expect(ports.map(\.0) == ["status-port", "tls", "tls-istiod", "tls-webhook"])
            #expect(ports.map(\.1) == [15021, 15443, 15012, 15017])
            #expect(eastWest.at("spec", "values", "global", "network")?.string == network)
            // Spec check 10: the label, the install's network and the gateway's label agree.
            #expect(label == gatewayNetwork && label == install.at("spec", "values", "global", "network")?.string)

            // The cross-network Gateway.
            let expose = try #require(yamlFile(layout.crossNetworkGateway(cluster)))
            #expect(expose["kind"]?.string == "Gateway")
            #expect(expose.at("metadata", "name")?.string == "cross-network-gateway")
            #expect(expose.at("metadata", "namespace")?.string == "istio-system")
            #expect(expose.at("spec", "selector")?.keys == ["istio"])
            #expect(expose.at("spec", "selector", "istio")?.string == "eastwestgateway")
            #expect(expose.at("spec", "servers")?.sequence?.count == 1)
            let server = try #require(expose.at("spec", "servers", 0))
            #expect(server.at("port", "number")?.int == 15443)
            #expect(server.at("port", "protocol")?.string == "TLS")
            #expect(server.at("tls", "mode")?.string == "AUTO_PASSTHROUGH")
            #expect(server["hosts"]?.sequence?.compactMap(\.string) == ["*.local"])

            // The plan: label before cacerts, gateway after the control plane is ready, then expose.
            let commands = plan.steps.filter { $0.cluster == cluster }.flatMap { $0.commands.flatMap(\.pipeline) }
            let labelIndex = commands.firstIndex(of: ["kubectl", "label", "namespace", "istio-system", "topology.istio.io/network=\(network)", "--overwrite", "--context=\(context)"])
            let cacertsIndex = commands.firstIndex { $0.starts(with: ["kubectl", "create", "secret", "generic", "cacerts"]) }
            let installIndex = commands.firstIndex(of: ["istioctl", "install", "--context=\(context)", "-f", layout.install(cluster), "-y"])
            let waitIndex = commands.firstIndex { $0.contains("wait") }
            let eastWestIndex = commands.firstIndex(of: ["istioctl", "install", "--context=\(context)", "-f", layout.eastWestGateway(cluster), "-y"])
            let exposeIndex = commands.firstIndex(of: ["kubectl", "apply", "--context=\(context)", "-n", "istio-system", "-f", layout.crossNetworkGateway(cluster)])
            let order = [labelIndex, cacertsIndex, installIndex, waitIndex, eastWestIndex, exposeIndex]
            #expect(order.allSatisfy { $0 != nil }, "\(cluster): missing plan steps \(order) in \(commands)")
            let found = order.compactMap { $0 }
            #expect(found == found.sorted(), "\(cluster): steps out of order \(order)")
        }
        #expect(read(layout.namespace("cluster1")) != read(layout.namespace("cluster2")))
    }

    /// One network: none of the multi-network pieces.
    @Test func singleNetworkHasNoGatewaysOrLabels() throws {
        let scratch = try Scratch()
        let prepared = try prepare("""
            mesh m1
            network network1
            root root < key ecdsa p256 >
            cluster cluster1 < trust from root; install >
            cluster cluster2 < trust from root; install; discover with cluster1 >

            """, in: scratch)
        try prepared.rendered()
        for cluster in ["cluster1", "cluster2"] {
            #expect(!exists(prepared.layout.eastWestGateway(cluster)))
            #expect(!exists(prepared.layout.crossNetworkGateway(cluster)))
            #expect(yamlFile(prepared.layout.namespace(cluster))?.at("metadata", "labels") == nil)
        }
        #expect(!prepared.plan.commandLines.contains { $0.contains("label") || $0.contains { $0.hasSuffix("eastwest-gateway.yaml") } })
    }

    /// A mesh that stops being multi-network: the gateways an earlier render wrote are removed
    /// (`kubectl apply -f WORK_DIR/C/` would still apply them); one edited by hand stays, named.
    @Test func gatewaysAnEarlierRenderWroteGoWhenNoLongerNeeded() throws {
        let scratch = try Scratch()
        let mesh = { (secondNetwork: String) in """
            mesh m1
            network network1
            network network2
            root root < key ecdsa p256 >
            cluster cluster1 < trust from root; install network network1 >
            cluster cluster2 < trust from root; install network \(secondNetwork); discover with cluster1 >

            """ }
        let twoNetworks = try prepare(mesh("network2"), in: scratch)
        try twoNetworks.rendered()
        let layout = twoNetworks.layout
        for cluster in ["cluster1", "cluster2"] {
            #expect(exists(layout.eastWestGateway(cluster)) && exists(layout.crossNetworkGateway(cluster)))
        }
        let edited = layout.eastWestGateway("cluster2")
        try (read(edited) + "# tuned by hand\n").write(toFile: edited, atomically: true, encoding: .utf8)

        let summary = try prepare(mesh("network1"), in: scratch).rendered()
        let removed = Set(summary.files.filter { $0.1 == .removed }.map(\.0))
        #expect(removed == [layout.eastWestGateway("cluster1"), layout.crossNetworkGateway("cluster1"), layout.crossNetworkGateway("cluster2")])
        for path in removed {
            #expect(!exists(path))
            #expect(summary.remarks.contains("removed \(path): render no longer writes it"), "\(summary.remarks)")
        }
        #expect(read(edited).hasSuffix("# tuned by hand\n"))
        #expect(summary.notes.contains { $0.hasPrefix(edited) && $0.contains("left alone") }, "\(summary.notes)")
        // Nothing else was touched: the installs, namespaces and plan remain.
        #expect(exists(layout.install("cluster1")) && exists(layout.namespace("cluster2")))
    }

    static let legacyScript: String = {
        let text = (try? String(contentsOfFile: multiNetwork, encoding: .utf8)) ?? ""
        return text.replacingOccurrences(of: "mesh mesh1\n", with: "mesh mesh1 < istio \"1.6\" >\n")
    }()

    @Test func legacyModeRejectsTwoNetworks() throws {
        let scratch = try Scratch()
        #expect(Self.legacyScript.contains("istio \"1.6\""))
        let prepared = try prepare(Self.legacyScript, in: scratch, expectCheckErrors: true)
        let errors = prepared.check.diagnostics.filter { $0.severity == .error }
        #expect(errors.count == 1, "\(errors.map(\.message))")
        let error = try #require(errors.first)
        #expect(error.message.contains("different networks ('network2' and 'network1')") || error.message.contains("different networks ('network1' and 'network2')"),
                "\(error.message)")
        let at = locate("discover with cluster1", in: Self.legacyScript)
        let position = prepared.position(error)
        #expect(position?.line == at.line && position?.column == at.column + "discover with ".count, "at \(String(describing: position))")
    }

    @Test func legacyModeTwoNetworksExits65FromCheckAndRender() throws {
        let scratch = try Scratch()
        let path = try scratch.write("legacy.mesh", Self.legacyScript)
        let environment = cliEnvironment(home: scratch.home)
        let check = try meshscript(["check", path], environment: environment)
        #expect(check.status == 65)
        let at = locate("cluster1 >", in: Self.legacyScript)
        #expect(check.stderr.contains("\(path):\(at.line):\(at.column): error: clusters 'cluster2' and 'cluster1' are on different networks"),
                "\(check.stderr)")
        let render = try meshscript(["render", path, "--out", scratch.at("out")], environment: environment)
        #expect(render.status == 65)
        #expect(!exists(scratch.at("out")))
    }
}
