// render with Istio's Helm charts: a values file per chart under WORK_DIR/C/helm/, and the
// IstioOperators of istioctl removed when a cluster moves to Helm (they are render's own files).
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct HelmRenderTests {
    @Test func movingAClusterToHelmReplacesItsIstioOperatorsWithValuesFiles() throws {
        let scratch = try Scratch()
        let out = scratch.at("out")
        let script = try exampleWithECDSARoot("multi-network.mesh", in: scratch)
        let istioctl = try String(contentsOfFile: script, encoding: .utf8)
        _ = try renderScript(script, into: out, home: scratch.home)
        let layout = WorkLayout(out)
        #expect(FileManager.default.fileExists(atPath: layout.eastWestGateway("cluster1")))

        _ = try scratch.write("multi-network.mesh", istioctl.replacingOccurrences(of: "mesh mesh1\n", with: "mesh mesh1 < installer helm >\n"))
        let summary = try renderScript(script, into: out, home: scratch.home)
        for cluster in ["cluster1", "cluster2"] {
            #expect(summary.files.contains { $0.path == layout.eastWestGateway(cluster) && $0.outcome == .removed })
            for chart in [HelmChart.base, .istiod, .gateway] {
                #expect(summary.files.contains { $0.path == layout.helmValues(cluster, chart) && $0.outcome == .created })
            }
            // ambient's charts only for an ambient cluster
            #expect(!summary.files.contains { $0.path == layout.helmValues(cluster, .cni) || $0.path == layout.helmValues(cluster, .ztunnel) })
        }
        #expect(try String(contentsOfFile: layout.helmValues("cluster2", .gateway), encoding: .utf8)
            == "name: istio-eastwestgateway\nnetworkGateway: network2\n")
        #expect(try String(contentsOfFile: layout.helmValues("cluster2", .base), encoding: .utf8) == "{}\n")
        // plan.json records the installer.
        let plan = try String(contentsOfFile: layout.planJSON, encoding: .utf8)
        #expect(plan.contains("\"installer\" : \"helm\""))
    }
}
