// Ambient multicluster in the plan, as Istio's guide "Install ambient multi-primary on different
// networks" runs it: the Gateway API CRDs first (the release's own Gateway API version), istiod
// with AMBIENT_ENABLE_MULTI_NETWORK, the double-HBONE east-west Gateway applied with kubectl, no
// cross-network Gateway; with Helm, the cni and ztunnel charts beside base and istiod.
import MeshDomain
import MeshKube
import Testing

@Suite struct AmbientPlans {
    static func script(_ release: String, installer: String = "istioctl") -> String {
        """
        mesh mesh1 < istio "\(release)"; installer \(installer) >
        network network1
        network network2
        cluster cluster1 < trust from root; install network network1 profile "ambient" >
        cluster cluster2 < trust from root; install network network2 profile "ambient"; discover with cluster1 >
        """
    }

    func kinds(_ plan: Plan, _ cluster: String) -> [Plan.Step.Kind] { plan.steps.filter { $0.cluster == cluster }.map(\.kind) }

    @Test func theGuidesStepsInTheGuidesOrder() throws {
        let plan = try #require(HelmPlans().makePlan(Self.script("1.27")))
        #expect(kinds(plan, "cluster1") == [.intermediateCA, .namespace, .networkLabel(network: "network1"), .cacerts,
                                           .gatewayAPICRDs(version: "v1.3.0"), .controlPlane(.init(meshID: "mesh1", clusterName: "cluster1", network: "network1", revision: nil)),
                                           .waitReady, .eastWestGateway(network: "network1"), .remoteSecret(source: "cluster2", server: nil)])
        let crds = try #require(plan.steps.first { $0.cluster == "cluster1" && $0.kind == .gatewayAPICRDs(version: "v1.3.0") })
        #expect(crds.commands.map(\.pipeline) == [[["kubectl", "apply", "--server-side", "-f",
                                                    "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml", "--context=cluster1"]]])
        let gateway = try #require(plan.steps.first { $0.cluster == "cluster2" && $0.kind == .eastWestGateway(network: "network2") })
        #expect(gateway.commands.map(\.pipeline) == [[["kubectl", "apply", "--context=cluster2", "-n", "istio-system", "-f", "out/cluster2/eastwest-gateway.yaml"]]])
        #expect(!plan.steps.contains { $0.kind == .crossNetworkGateway })
    }

    /// The CRDs are those of the Gateway API version each release's go.mod names.
    @Test(arguments: [("1.27", "v1.3.0"), ("1.28", "v1.4.0"), ("1.29", "v1.4.0"), ("1.30", "v1.5.1")])
    func theCRDsFollowTheRelease(release: String, version: String) throws {
        let plan = try #require(HelmPlans().makePlan(Self.script(release)))
        #expect(plan.steps.filter { $0.kind == .gatewayAPICRDs(version: version) }.count == 2)
    }

    @Test func withHelmTheAmbientChartsFollowIstiod() throws {
        let plan = try #require(HelmPlans().makePlan(Self.script("1.28", installer: "helm")))
        let install = try #require(plan.steps.first { if case .controlPlane = $0.kind { $0.cluster == "cluster1" } else { false } })
        #expect(install.commands.map { Array($0.pipeline[0].prefix(5)) } == [
            ["helm", "upgrade", "--install", "istio-base", "base"], ["helm", "upgrade", "--install", "istiod", "istiod"],
            ["helm", "upgrade", "--install", "istio-cni", "cni"], ["helm", "upgrade", "--install", "ztunnel", "ztunnel"],
        ])
        #expect(install.files == ["base", "istiod", "cni", "ztunnel"].map { "out/cluster1/helm/\($0)-values.yaml" })
        // The east-west Gateway is kubectl's with either installer: it is a Gateway, not a chart.
        #expect(plan.steps.contains { $0.kind == .eastWestGateway(network: "network1") && $0.commands[0].pipeline[0].first == "kubectl" })
    }

    /// A sidecar cluster on the same mesh keeps the sidecar model's gateways.
    @Test func onlyAmbientClustersGetTheAmbientForms() throws {
        let plan = try #require(HelmPlans().makePlan("""
            mesh mesh1 < istio "1.28" >
            network network1
            network network2
            cluster cluster1 < trust from root; install network network1 >
            cluster cluster2 < trust from root; install network network2; discover with cluster1 >
            cluster cluster3 < trust from root; install network network1 profile "ambient" >
            """))
        #expect(!plan.steps.contains { if case .gatewayAPICRDs = $0.kind { true } else { false } })
        #expect(plan.steps.filter { $0.kind == .crossNetworkGateway }.count == 2)
    }
}
