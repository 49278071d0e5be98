// The live plan: each step marked against the clusters as read, the deletes, trust conflicts.
import Foundation
@testable import MeshLive
import MeshScript
import MeshTestSupport
import Testing

@Suite struct LivePlannerTests {
    @Test func emptyClustersNeedEveryStep() throws {
        let scratch = try Scratch()
        let mesh = try RenderedMesh(addPrimary, in: scratch)
        let states = mesh.plan.clusters.map { ClusterState(cluster: $0, context: "kind-" + $0) }
        let live = LivePlanner.plan(mesh.plan, states: states, local: mesh.local)
        #expect(live.steps.filter { $0.change == .local }.count == 2)
        #expect(live.steps.filter { $0.change != .local }.allSatisfy { $0.change == .create || $0.change == .wait })
        #expect(live.conflicts.isEmpty)
        #expect(live.summary.hasPrefix("\(live.pending.filter { $0.change == .create }.count) to add"))
    }

    @Test func aMeshAsTheScriptDescribesItHasNothingToDo() throws {
        let scratch = try Scratch()
        let mesh = try RenderedMesh(addPrimary, in: scratch)
        let states = [try mesh.applied("cluster1", sources: ["cluster2"]), try mesh.applied("cluster2", sources: ["cluster1"])]
        let live = LivePlanner.plan(mesh.plan, states: states, local: mesh.local)
        #expect(live.pending.isEmpty, "\(live.text)")
        #expect(live.summary == "0 to add, 0 to change, 0 to delete, \(mesh.plan.steps.count - 2) unchanged")
        #expect(MeshStatus(live).inSync)
    }

    @Test func anUnreachableClusterIsUnknownNeverEmpty() throws {
        let scratch = try Scratch()
        let mesh = try RenderedMesh(addPrimary, in: scratch)
        var down = ClusterState(cluster: "cluster2", context: "kind-cluster2")
        down.unreachable = "connection refused"
        let live = LivePlanner.plan(mesh.plan, states: [try mesh.applied("cluster1"), down], local: mesh.local)
        #expect(live.changes("cluster2").filter { $0 != .local }.allSatisfy { $0 == .unknown })
        #expect(live.unreachable.map(\.cluster) == ["cluster2"])
        let status = MeshStatus(live)
        #expect(!status.inSync)
        #expect(status.rows.filter { $0.cluster == "cluster2" }.allSatisfy { $0.verdict == .unreachable })
    }

    @Test func aRemoteSecretTheScriptNoLongerLinksIsDeletedWithTheClustersFlags() throws {
        let scratch = try Scratch()
        let mesh = try RenderedMesh(addPrimary, in: scratch)
        let states = [try mesh.applied("cluster1", sources: ["cluster3"]), try mesh.applied("cluster2", sources: ["cluster1"])]
        let live = LivePlanner.plan(mesh.plan, states: states, local: mesh.local)
        let deletes = live.steps.filter { $0.change == .delete }
        #expect(deletes.count == 1)
        let delete = try #require(deletes.first)
        #expect(delete.step.cluster == "cluster1")
        #expect(delete.step.number == mesh.plan.steps.count + 1)
        #expect(delete.step.commands.map(\.pipeline) == [[["kubectl", "delete", "secret", "istio-remote-secret-cluster3", "--context=kind-cluster1", "-n", "istio-system", "--ignore-not-found"]]])
        #expect(live.summary.contains("1 to delete"))
    }

    @Test func anotherIntermediateOfTheSameRootIsReportedNotReplaced() throws {
        let scratch = try Scratch()
        let mesh = try RenderedMesh(addPrimary, in: scratch)
        var cluster1 = try mesh.applied("cluster1")
        cluster1.cacerts = CacertsState(facts: mesh.local.intermediates["cluster2"], problem: nil)
        let live = LivePlanner.plan(mesh.plan, states: [cluster1, try mesh.applied("cluster2", sources: ["cluster1"])], local: mesh.local)
        let cacerts = try live.step(.cacerts, in: "cluster1")
        #expect(cacerts.change == .unchanged)
        #expect(cacerts.warning?.contains("--rotate cluster1") == true)
        #expect(live.conflicts.isEmpty)
        #expect(MeshStatus(live).rows.first { $0.cluster == "cluster1" && $0.object == "cacerts" }?.verdict == .differs)
    }

    @Test(arguments: [("1.17.3", true), ("1.18.0", false), ("1.24.2", false)])
    func rotationReplacesCacertsAndRestartsOnlyReleasesThatNeedIt(version: String, restarts: Bool) throws {
        let scratch = try Scratch()
        let mesh = try RenderedMesh(addPrimary, in: scratch)
        var cluster1 = try mesh.applied("cluster1", version: version)
        cluster1.cacerts = CacertsState(facts: mesh.local.intermediates["cluster2"], problem: nil)
        let live = LivePlanner.plan(mesh.plan, states: [cluster1, try mesh.applied("cluster2", sources: ["cluster1"])],
                                    local: mesh.local, options: LivePlanOptions(rotate: ["cluster1"]))
        let cacerts = try live.step(.cacerts, in: "cluster1")
        #expect(cacerts.change == .replace)
        let pipeline = try #require(cacerts.step.commands.first?.pipeline)
        #expect(pipeline.count == 2)
        #expect(pipeline[0].suffix(3) == ["--dry-run=client", "-o", "yaml"])
        #expect(pipeline[1] == ["kubectl", "replace", "--context=kind-cluster1", "-f", "-"])
        let restart = cacerts.step.commands.dropFirst().map(\.pipeline)
        #expect(restart == (restarts ? [[["kubectl", "rollout", "restart", "deployment/istiod", "--context=kind-cluster1", "-n", "istio-system"]]] : []))
        #expect(try live.step(.waitReady, in: "cluster1").change == (restarts ? .wait : .unchanged))
    }

    @Test func anotherRootIsAConflictNamingBothFingerprints() throws {
        let scratch = try Scratch()
        let mesh = try RenderedMesh(addPrimary, in: scratch)
        let other = try RenderedMesh(addPrimary, in: Scratch())
        var cluster2 = try mesh.applied("cluster2", sources: ["cluster1"])
        cluster2.cacerts = CacertsState(facts: other.local.intermediates["cluster2"], problem: nil)
        let live = LivePlanner.plan(mesh.plan, states: [try mesh.applied("cluster1"), cluster2], local: mesh.local)
        let conflict = try #require(live.conflicts.first)
        #expect(live.conflicts.count == 1)
        #expect(conflict.cluster == "cluster2")
        #expect(conflict.description.contains(try #require(other.local.rootFingerprint)))
        #expect(conflict.description.contains(try #require(mesh.local.rootFingerprint)))
    }

    @Test func aLostWorkDirectoryIsAConflictWhereverCacertsExists() throws {
        let scratch = try Scratch()
        let mesh = try RenderedMesh(addPrimary, in: scratch)
        let states = [try mesh.applied("cluster1"), ClusterState(cluster: "cluster2", context: "kind-cluster2")]
        let lost = LocalTrust(rootFingerprint: nil, intermediates: [:])
        let live = LivePlanner.plan(mesh.plan, states: states, local: lost)
        #expect(live.conflicts.map(\.cluster) == ["cluster1"])
        #expect(live.conflicts[0].description.contains("a new one would be made"))
    }

    @Test func aControlPlaneInstalledWithAnotherNetworkIsUpdatedAndOneAsWantedIsLeftAlone() throws {
        let scratch = try Scratch()
        let mesh = try RenderedMesh(addPrimary, in: scratch)
        let states = [try mesh.applied("cluster1", network: "network9"), try mesh.applied("cluster2", sources: ["cluster1"])]
        let live = LivePlanner.plan(mesh.plan, states: states, local: mesh.local)
        let install = try live.step(.controlPlane(Plan.ControlPlaneSpec(meshID: "mesh1", clusterName: "cluster1", network: "network1", revision: nil)), in: "cluster1")
        #expect(install.change == .update)
        #expect(install.reason.contains("network network9 -> network1"))
        #expect(try live.step(.waitReady, in: "cluster1").change == .wait)
        #expect(live.changes("cluster2").allSatisfy { $0 == .unchanged || $0 == .local })
    }

    @Test func istioReleasesThatReloadAnIntermediateByThemselves() {
        #expect(!Marker.reloadsIntermediateByItself(version: "1.17.8", istio: "current"))
        #expect(Marker.reloadsIntermediateByItself(version: "1.18.0", istio: "current"))
        #expect(Marker.reloadsIntermediateByItself(version: "1.30.1-distroless", istio: "current"))
        #expect(!Marker.reloadsIntermediateByItself(version: nil, istio: "1.6"))
        #expect(Marker.reloadsIntermediateByItself(version: nil, istio: "current"))
        #expect(!Marker.reloadsIntermediateByItself(version: "1.6.14", istio: "1.6"))
        // plan.json names the targeted release: without a running istiod, it decides.
        #expect(!Marker.reloadsIntermediateByItself(version: nil, istio: "1.17"))
        #expect(Marker.reloadsIntermediateByItself(version: nil, istio: "1.18"))
        #expect(Marker.reloadsIntermediateByItself(version: nil, istio: "\(IstioReleases.newest)"))
    }
}
