// `meshscript apply` with Istio's Helm charts: the real binary, stand-in kubectl, istioctl and
// helm first on PATH. What ran is the plan's argument lists, helm's with --kube-context, and
// every values file a helm command names was rendered before it ran.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct HelmApplyTests {
    let script = example("helm-multi-network.mesh")

    @Test func helmInstallsAreAppliedEndToEnd() throws {
        let scratch = try Scratch()
        let standIns = try StandIns(in: scratch, programs: ["kubectl", "istioctl", "helm"])
        let out = scratch.at("out")
        let run = try meshscript(["apply", script, "--out", out, "--yes"], environment: cliEnvironment(home: scratch.home, path: standIns.path))
        #expect(run.status == 0, "\(run)")

        let plan = try plan(script, out: out, home: scratch.home)
        let recorded = standIns.invocations
        #expect(recorded.map(\.argv) == plan.processes())
        let helm = recorded.filter { $0.program == "helm" }
        #expect(helm.map { $0.arguments[2] } == ["istio-base", "istiod", "istio-eastwestgateway", "istio-base", "istiod", "istio-eastwestgateway"])
        #expect(!recorded.contains { $0.argv.starts(with: ["istioctl", "install"]) })
        for command in helm {
            #expect(command.arguments.prefix(2) == ["upgrade", "--install"])
            #expect(command.arguments.contains("--kube-context=kind-cluster1") || command.arguments.contains("--kube-context=kind-cluster2"))
            #expect(!command.arguments.contains { $0.hasPrefix("--context") })
            #expect(command.arguments.contains("https://istio-release.storage.googleapis.com/charts"))
            #expect(command.arguments.contains("~1.24.0"))
            // Each cluster has trust, so istio-system exists before the first chart.
            #expect(!command.arguments.contains("--create-namespace"))
            let values = try #require(command.arguments.firstIndex(of: "--values").map { command.arguments[$0 + 1] })
            #expect(FileManager.default.fileExists(atPath: values), "\(values)")
        }
        let istiod = try String(contentsOfFile: out + "/cluster1/helm/istiod-values.yaml", encoding: .utf8)
        #expect(istiod == """
            global:
              meshID: mesh1
              multiCluster:
                clusterName: cluster1
              network: network1
            pilot:
              env:
                PILOT_TRACE_SAMPLING: "1.0"
              autoscaleMin: 2
            meshConfig:
              accessLogFile: /dev/stdout

            """)
        #expect(!FileManager.default.fileExists(atPath: out + "/cluster1/install.yaml"))
        #expect(!FileManager.default.fileExists(atPath: out + "/cluster1/eastwest-gateway.yaml"))
    }
}
