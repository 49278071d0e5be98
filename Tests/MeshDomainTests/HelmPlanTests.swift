// The plan for Helm installs and `values` overlays: the argument lists of each chart's
// `helm upgrade --install`, and the overlays the plan shows.
import Foundation
import MeshTestSupport
import Testing

import MeshDomain
import MeshScriptInterpreter

@Suite struct HelmPlans {
    func makePlan(_ source: String, kubeconfig: String? = nil) -> Plan? {
        let checked = check(source)
        guard checked.errors.isEmpty else {
            Issue.record("script has errors:\n\(checked.rendered)")
            return nil
        }
        return Planner.plan(checked.topology, options: PlanOptions(workDirectory: "out", scriptPath: "s.mesh", kubeconfig: kubeconfig))
    }

    static let repo = "https://istio-release.storage.googleapis.com/charts"

    @Test func chartsFromIstiosRepositoryWithKubeContext() throws {
        let plan = try #require(makePlan("""
            mesh mesh1 < installer helm >
            network n1
            network n2
            cluster c1 < context kind-c1; trust from root; install network n1 >
            cluster c2 < install network n2 revision "1-24" >
            cluster c3 < trust from root; install network n2; discover from c1 >
            """, kubeconfig: "/k/config"))
        let c1 = plan.steps.filter { $0.cluster == "c1" }
        let install = try #require(c1.first { if case .controlPlane = $0.kind { true } else { false } })
        #expect(install.commands.map(\.pipeline) == [
            [["helm", "upgrade", "--install", "istio-base", "base", "--repo", Self.repo, "--namespace", "istio-system",
              "--values", "out/c1/helm/base-values.yaml", "--kubeconfig=/k/config", "--kube-context=kind-c1"]],
            [["helm", "upgrade", "--install", "istiod", "istiod", "--repo", Self.repo, "--namespace", "istio-system",
              "--values", "out/c1/helm/istiod-values.yaml", "--kubeconfig=/k/config", "--kube-context=kind-c1"]],
        ])
        #expect(install.files == ["out/c1/helm/base-values.yaml", "out/c1/helm/istiod-values.yaml"])
        guard case .controlPlane(let spec) = install.kind else { return }
        #expect(spec == Plan.ControlPlaneSpec(meshID: "mesh1", clusterName: "c1", network: "n1", revision: nil, installer: "helm", values: nil))
        let gateway = try #require(c1.first { if case .eastWestGateway = $0.kind { true } else { false } })
        #expect(gateway.commands.map(\.pipeline) == [[["helm", "upgrade", "--install", "istio-eastwestgateway", "gateway", "--repo", Self.repo,
                                                       "--namespace", "istio-system", "--values", "out/c1/helm/gateway-values.yaml",
                                                       "--kubeconfig=/k/config", "--kube-context=kind-c1"]]])
        // c2 has no trust, so nothing created istio-system before its first chart; its istiod is the revision's release.
        let c2 = try #require(plan.steps.first { $0.cluster == "c2" && $0.phase == .install })
        #expect(c2.commands[0].pipeline[0].contains("--create-namespace"))
        #expect(!c2.commands[1].pipeline[0].contains("--create-namespace"))
        #expect(c2.commands[1].pipeline[0].prefix(5) == ["helm", "upgrade", "--install", "istiod-1-24", "istiod"])
        #expect(!plan.steps.flatMap(\.commands).flatMap(\.pipeline).contains { $0.first == "istioctl" && $0.contains("install") })
        #expect(plan.shellScript.contains("names its cluster's --context= (helm's: --kube-context=) and reads"))
    }

    @Test func aPinnedReleaseIsTheChartVersion() throws {
        let minor = try #require(makePlan("mesh m < installer helm; istio \"1.24\" >\nnetwork n\ncluster a < trust from root; install >"))
        #expect(minor.steps.flatMap(\.commands).filter { $0.pipeline[0][0] == "helm" }.allSatisfy { command in
            command.pipeline[0].split(separator: "--version").count == 2 && command.pipeline[0].contains("~1.24.0")
        })
        let patch = try #require(makePlan("mesh m < installer helm; istio \"1.24.3\" >\nnetwork n\ncluster a < trust from root; install >"))
        #expect(patch.steps.flatMap(\.commands).contains { $0.pipeline[0].contains("1.24.3") })
        let unpinned = try #require(makePlan("mesh m < installer helm >\nnetwork n\ncluster a < trust from root; install >"))
        #expect(!unpinned.steps.flatMap(\.commands).contains { $0.pipeline[0].contains("--version") })
    }

    @Test func perClusterInstallerOverridesTheMesh() throws {
        let plan = try #require(makePlan("""
            mesh m < installer helm >
            network n
            cluster a < trust from root; install installer istioctl >
            cluster b < trust from root; install >
            """))
        let installs = plan.steps.filter { if case .controlPlane = $0.kind { true } else { false } }
        #expect(installs.map { $0.commands[0].pipeline[0][0] } == ["istioctl", "helm"])
    }

    @Test func thePlanShowsTheMergedOverlays() throws {
        let plan = try #require(makePlan("""
            mesh m
            network n
            cluster a <
              trust from root
              install
              values "pilot.env.PILOT_TRACE_SAMPLING" "0.5"
              values "pilot.autoscaleMin" 2
              values "pilot.env.PILOT_TRACE_SAMPLING" "1.0"
              values "meshConfig.enableTracing" false
            >
            """))
        let install = try #require(plan.steps.first { if case .controlPlane = $0.kind { true } else { false } })
        guard case .controlPlane(let spec) = install.kind else { return }
        #expect(spec.values == ["pilot.env.PILOT_TRACE_SAMPLING=\"1.0\"", "pilot.autoscaleMin=2", "meshConfig.enableTracing=false"])
        #expect(spec.installer == nil)
        #expect(plan.text.contains("       values: pilot.env.PILOT_TRACE_SAMPLING=\"1.0\", pilot.autoscaleMin=2, meshConfig.enableTracing=false\n"))
        #expect(plan.json().contains("\"values\" : ["))
        let decoded = try JSONDecoder().decode(Plan.self, from: Data(plan.json().utf8))
        #expect(decoded == plan)
    }
}

@Suite struct ValuesStatements {
    /// A recipe in an imported file reads its `values file` next to that file, not next to the
    /// main script; the overlays of each cluster merge in statement order.
    @Test func aValuesFileIsReadRelativeToTheFileThatNamesIt() throws {
        let scratch = try Scratch()
        _ = try scratch.write("lib/istiod.yaml", "pilot:\n  env:\n    FROM_LIB: \"yes\"\n")
        _ = try scratch.write("istiod.yaml", "pilot:\n  env:\n    FROM_MAIN: \"yes\"\n")
        _ = try scratch.write("lib/recipes.mesh", """
            recipe primary(name) <
              cluster $name < trust from root; install; values file "istiod.yaml"; values "pilot.env.FROM_LIB" "no" >
            >
            """)
        let main = try scratch.write("main.mesh", """
            import "lib/recipes.mesh"
            mesh m
            network n
            primary("a")
            cluster b < trust from root; install installer helm; values file "istiod.yaml" >
            """)
        let engine = MeshEngine()
        engine.interpreter.output = { _, _ in }
        let result = engine.check(file: main)
        #expect(!result.hasErrors, "\(DiagnosticRenderer(sources: engine.sources, color: false).render(result.diagnostics))")
        let a = try #require(result.topology.cluster(named: "a"))
        #expect(a.overlay.leaves.map { $0.path.joined(separator: ".") + "=" + $0.value.flowText } == ["pilot.env.FROM_LIB=\"no\""], "no is quoted: YAML 1.1 reads it as false")
        let b = try #require(result.topology.cluster(named: "b"))
        #expect(b.overlay.leaves.map { $0.path.joined(separator: ".") } == ["pilot.env.FROM_MAIN"])
        #expect(result.topology.installer(of: a) == .istioctl)
        #expect(result.topology.installer(of: b) == .helm)
    }

    /// Lists (of lists too) are values; `file` needs a path string.
    @Test func aValuesFileNeedsAPath() {
        let checked = check("""
            mesh m
            network n
            cluster a < trust from root; install; values "pilot.env" [["a"], 1] ; values file 3 >
            """)
        #expect(checked.messages == ["'values file' needs the path of a YAML file, got integer 3"])
    }
}

/// Primary-remote installed with Helm: the remote's charts on the remote profile, the address
/// apply reads passed with `--set`, never written into a values file.
@Suite struct HelmPrimaryRemotePlans {
    @Test func theRemoteGetsBaseAndIstiodOnTheRemoteProfileWithTheAddress() throws {
        let plan = try #require(HelmPlans().makePlan("""
            mesh mesh1 < istio "1.24"; installer helm >
            network n1
            cluster c1 < trust from root; install network n1 >
            cluster c2 < install remote of c1 >
            """))
        let remote = try #require(plan.steps.first { if case .remoteControlPlane = $0.kind { true } else { false } })
        let address = "${" + Planner.discoveryAddress(of: "c1") + "}"
        #expect(remote.commands.map(\.pipeline) == [
            [["helm", "upgrade", "--install", "istio-base", "base", "--repo", HelmPlans.repo, "--version", "~1.24.0", "--namespace", "istio-system",
              "--values", "out/c2/helm/base-values.yaml", "--kube-context=c2"]],
            [["helm", "upgrade", "--install", "istiod", "istiod", "--repo", HelmPlans.repo, "--version", "~1.24.0", "--namespace", "istio-system",
              "--values", "out/c2/helm/istiod-values.yaml", "--kube-context=c2", "--set", "global.remotePilotAddress=\(address)"]],
        ])
        #expect(remote.files == ["out/c2/helm/base-values.yaml", "out/c2/helm/istiod-values.yaml"])
        // The primary's control plane carries EXTERNAL_ISTIOD, shown with the values.
        let primary = try #require(plan.steps.first { if case .controlPlane = $0.kind { $0.cluster == "c1" } else { false } })
        guard case .controlPlane(let spec) = primary.kind else { return }
        #expect(spec.values == ["global.externalIstiod=true"])
        // Its east-west gateway is the gateway chart.
        #expect(plan.steps.contains { $0.cluster == "c1" && $0.commands.first?.pipeline[0].prefix(4) == ["helm", "upgrade", "--install", "istio-eastwestgateway"] })
    }
}
