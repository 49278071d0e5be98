// install.yaml per cluster, read back with Yams and compared field by field with
// istio-artifacts.md "Install (IstioOperator)", in both Istio modes, and the plan's install
// and discover commands for each mode.
import Foundation
import MeshScript
import MeshTestSupport
import Testing
import Yams

@Suite struct InstallTests {
    enum Mode: String, CaseIterable, Sendable { case current, legacy16 }

    /// alpha: plain install; beta: revision and profile. No kubeconfig: discovery stays istioctl's.
    static func script(_ mode: Mode) -> String {
        """
        mesh m1\(mode == .legacy16 ? " < istio \"1.6\" >" : "")
        network net1
        root root < key ecdsa p256 >
        cluster alpha < context "ctx-alpha"; trust from root; install >
        cluster beta < context "ctx-beta"; trust from root; install network net1 revision "1-24-0" profile "minimal"; discover with alpha >

        """
    }

    @Test(arguments: Mode.allCases)
    func installYAMLMatchesTheSpec(mode: Mode) throws {
        let scratch = try Scratch()
        let prepared = try prepare(Self.script(mode), in: scratch)
        #expect(prepared.topology.istio == (mode == .legacy16 ? IstioRelease(1, 6) : IstioReleases.newest))
        try prepared.rendered()

        for (cluster, revision, profile) in [("alpha", nil, nil), ("beta", "1-24-0", "minimal")] as [(String, String?, String?)] {
            let path = prepared.layout.install(cluster)
            let text = read(path)
            let document = try #require(yaml(text))
            #expect(document.keys == ["apiVersion", "kind", "spec"], "\(cluster): top-level keys \(document.keys)")
            #expect(document["apiVersion"]?.string == "install.istio.io/v1alpha1")
            #expect(document["kind"]?.string == "IstioOperator")
            let spec = try #require(document["spec"])
            #expect(Set(spec.keys) == Set(["values"] + (revision == nil ? [] : ["revision"]) + (profile == nil ? [] : ["profile"])),
                    "\(cluster): spec keys \(spec.keys)")
            #expect(spec["revision"]?.string == revision, "\(cluster): spec.revision")
            #expect(spec["profile"]?.string == profile, "\(cluster): spec.profile")
            #expect(spec.at("values")?.keys == ["global"])

            let global = try #require(spec.at("values", "global"))
            #expect(global["meshID"]?.string == "m1")
            #expect(global.at("multiCluster")?.keys == ["clusterName"])
            #expect(global.at("multiCluster", "clusterName")?.string == cluster)
            #expect(global["network"]?.string == "net1")

            switch mode {
            case .current:
                // Current Istio: neither meshNetworks nor meshExpansion (meshExpansion was removed in 1.9).
                #expect(global.keys == ["meshID", "multiCluster", "network"], "\(cluster): global keys \(global.keys)")
                #expect(!text.contains("meshExpansion") && !text.contains("meshNetworks"))
            case .legacy16:
                // The seed document's order and values.
                #expect(global.keys == ["meshID", "multiCluster", "network", "meshNetworks", "meshExpansion"], "\(cluster): global keys \(global.keys)")
                let network = try #require(global.at("meshNetworks", "net1"))
                #expect(global.at("meshNetworks")?.keys == ["net1"])
                #expect(network.keys == ["endpoints", "gateways"])
                #expect(network["endpoints"]?.sequence?.count == 1)
                #expect(network.at("endpoints", 0)?.keys == ["fromRegistry"])
                #expect(network.at("endpoints", 0, "fromRegistry")?.string == "Kubernetes")
                #expect(network["gateways"]?.sequence?.count == 1)
                let gateway = try #require(network.at("gateways", 0))
                #expect(gateway.keys == ["registry_service_name", "port"])
                #expect(gateway["registry_service_name"]?.string == "istio-ingressgateway.istio-system.svc.cluster.local")
                #expect(gateway["port"]?.resolvedTag == .int && gateway["port"]?.int == 443, "port must be the integer 443")
                #expect(global.at("meshExpansion")?.keys == ["enabled"])
                #expect(global.at("meshExpansion", "enabled")?.resolvedTag == .bool && global.at("meshExpansion", "enabled")?.bool == true,
                        "meshExpansion.enabled must be the boolean true")
            }
        }
    }

    @Test(arguments: Mode.allCases)
    func planUsesTheReleasesInstallAndDiscoverCommands(mode: Mode) throws {
        let scratch = try Scratch()
        let prepared = try prepare(Self.script(mode), in: scratch)
        let plan = prepared.plan
        let out = prepared.out
        for (cluster, context) in [("alpha", "ctx-alpha"), ("beta", "ctx-beta")] {
            let file = "\(out)/\(cluster)/install.yaml"
            let install = plan.steps(.install, cluster).flatMap(\.commands).flatMap(\.pipeline).filter { $0.first == "istioctl" }
            let expected: [String] = mode == .current
                ? ["istioctl", "install", "--context=\(context)", "-f", file, "-y"]
                : ["istioctl", "--context=\(context)", "manifest", "apply", "-f", file]
            #expect(install == [expected], "\(cluster): \(install)")
        }

        // Current Istio mints the reader account's token; 1.6 keeps `istioctl x create-remote-secret`.
        for (source, target) in [("alpha", "beta"), ("beta", "alpha")] {
            let step = try #require(plan.discoverStep(source: source, target: target), "no discover step \(source) -> \(target)")
            let apply = ["kubectl", "apply", "-f", "-", "--context=ctx-\(target)"]
            let expected: [[[String]]] = mode == .current
                ? [[["kubectl", "apply", "-f", "\(out)/\(source)/reader-service-account.yaml", "--context=ctx-\(source)"]],
                   [["meshscript", "remote-secret", "--name=\(source)", "--istio=1.30", "--context=ctx-\(source)"], apply]]
                : [[["istioctl", "x", "create-remote-secret", "--context=ctx-\(source)", "--name=\(source)"], apply]]
            #expect(step.commands.map(\.pipeline) == expected)
        }
        // Never the other release's forms.
        let all = plan.commandLines
        switch mode {
        case .current:
            #expect(!all.contains { $0.contains("manifest") || ($0.first == "istioctl" && $0.dropFirst().first == "x") })
        case .legacy16:
            #expect(!all.contains { $0.first == "istioctl" && $0.contains("install") })
        }
        #expect(plan.istio == (mode == .current ? "\(IstioReleases.newest)" : "1.6"))
    }

    @Test func trailingSlashOnTheWorkDirectoryDoesNotDoubleSlashes() throws {
        let scratch = try Scratch()
        let prepared = try prepare(Self.script(.current), in: scratch, out: scratch.at("out") + "//")
        #expect(prepared.out == scratch.at("out"))
        let paths = prepared.plan.commandLines.joined().filter { $0.contains(scratch.path) } + prepared.plan.steps.flatMap(\.files)
        #expect(!paths.isEmpty)
        #expect(!paths.contains { $0.contains("//") }, "\(paths.filter { $0.contains("//") })")
    }

    @Test func planJSONWrittenByRenderIsThePlan() throws {
        let scratch = try Scratch()
        let prepared = try prepare(Self.script(.legacy16), in: scratch)
        try prepared.rendered()
        let written = try JSONDecoder().decode(Plan.self, from: Data(read(prepared.layout.planJSON).utf8))
        #expect(written == prepared.plan)
    }
}
