// One example per model (the README's "Models and installers" table), each planned by the real
// binary: its plan.json holds the steps that make it that model, so an example that drifted into
// another model (or stopped planning) fails here.
import Foundation
import MeshTestSupport
import Testing

@Suite struct ModelExampleTests {
    /// The example, the step kinds its plan must hold, and a command word it must use.
    static let models: [(example: String, kinds: [String], command: String)] = [
        ("add-primary.mesh", ["cacerts", "controlPlane", "remoteSecret"], "istioctl"),
        ("multi-network.mesh", ["networkLabel", "eastWestGateway", "crossNetworkGateway"], "istioctl"),
        ("helm-multi-network.mesh", ["controlPlane", "eastWestGateway", "crossNetworkGateway"], "helm"),
        ("primary-remote.mesh", ["exposeIstiod", "discoveryAddress", "controlPlaneClusters", "remoteControlPlane"], "istioctl"),
        ("primary-remote-multi-network.mesh", ["exposeIstiod", "discoveryAddress", "remoteControlPlane", "crossNetworkGateway"], "istioctl"),
        ("ambient-multi-network.mesh", ["gatewayAPICRDs", "controlPlane", "eastWestGateway"], "istioctl"),
    ]

    @Test(arguments: models.map(\.example))
    func theExamplePlansItsModel(example: String) throws {
        let model = try #require(Self.models.first { $0.example == example })
        let run = try CLI.run(["plan", "--format", "json", "--out", "work", "examples/" + example])
        try #require(run.status == 0, "\(run)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let steps = try #require(plan["steps"] as? [[String: Any]])
        let kinds = Set(steps.compactMap { ($0["kind"] as? [String: Any])?.keys.first })
        for kind in model.kinds { #expect(kinds.contains(kind), "\(example) has no \(kind) step: \(kinds.sorted())") }
        let programs = Set(steps.flatMap { ($0["commands"] as? [[String: Any]] ?? []).flatMap { ($0["pipeline"] as? [[String]] ?? []).compactMap(\.first) } })
        #expect(programs.contains(model.command), "\(example) runs \(programs.sorted())")
        if example.hasPrefix("ambient") { #expect(!kinds.contains("crossNetworkGateway"), "ambient has no cross-network Gateway") }
    }

    /// Every model in the README's table has its example here.
    @Test func theReadmeTableNamesTheseExamples() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let table = try #require(readme.range(of: "### Models and installers")).upperBound
        for model in Self.models { #expect(readme[table...].contains("`\(model.example)`"), "README's table lacks \(model.example)") }
    }
}
