// Test support for the live layer: a mesh rendered into a scratch work directory, and cluster
// states built as the observer would read them from a cluster set up by that work directory.
import Foundation
@testable import MeshLive
import MeshScript
import MeshTestSupport
import Testing

/// A script rendered into `scratch/out`, with its plan.
struct RenderedMesh {
    let plan: Plan
    let out: String
    let local: LocalTrust

    init(_ source: String, in scratch: Scratch, rotate: Set<String> = [], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let script = try scratch.write("mesh.mesh", source)
        let engine = MeshEngine(environment: [:])
        try #require(!engine.check(file: script).hasErrors, "the script does not check", sourceLocation: sourceLocation)
        out = scratch.at("out")
        let options = RenderOptions(workDirectory: out, scriptPath: script, rotate: rotate, environment: [:], home: scratch.home)
        let credentials = MeshRenderer.preflight(engine.topology, options: options)
        _ = try MeshRenderer.render(engine.topology, options: options, credentials: credentials)
        plan = Planner.plan(engine.topology, options: MeshRenderer.planOptions(options, credentials: credentials))
        local = LocalTrust.read(workDirectory: out, clusters: plan.clusters)
    }

    /// A cluster as apply leaves it: namespace, this work directory's cacerts, a ready istiod
    /// installed with `network`, and the remote secrets of `sources`.
    func applied(_ cluster: String, network: String = "network1", sources: [String] = [], version: String = "1.24.2") throws -> ClusterState {
        var state = ClusterState(cluster: cluster, context: plan.access[cluster]?.context ?? cluster)
        state.namespace = NamespaceState(network: nil)
        let facts: CacertsFacts = try #require(local.intermediates[cluster])
        state.cacerts = CacertsState(facts: facts, problem: nil)
        state.controlPlanes = [ControlPlaneState(deployment: "istiod", revision: "default", version: version, ready: true,
                                                 meshID: plan.mesh, clusterName: cluster, network: network)]
        state.remoteSecrets = sources.map { RemoteSecretState(name: "istio-remote-secret-" + $0, source: $0, server: "https://\($0).example:6443") }
        return state
    }
}

/// The seed's two primaries, with an ECDSA root (RSA 4096 keys take seconds each).
let addPrimary = """
    mesh mesh1
    network network1
    root root < key ecdsa p256 >
    cluster cluster1 < context "kind-cluster1"; trust from root; install network network1 >
    cluster cluster2 < context "kind-cluster2"; trust from root; install network network1; discover with cluster1 >
    """

extension LivePlan {
    func changes(_ cluster: String) -> [Change] { steps.filter { $0.step.cluster == cluster }.map(\.change) }
    func step(_ kind: Plan.Step.Kind, in cluster: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> LiveStep {
        try #require(steps.first { $0.step.kind == kind && $0.step.cluster == cluster }, "no \(kind) step for \(cluster)", sourceLocation: sourceLocation)
    }
}
