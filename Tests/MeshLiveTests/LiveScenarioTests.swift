// apply, `plan --live` and status as a user runs them: the real meshscript binary, the real
// kubectl talking to the Kubernetes API emulator on loopback through the script's kubeconfig,
// and the istioctl stand-in keeping its state in the same emulator.
import Foundation
import MeshTestSupport
import Testing

/// A scratch directory with an emulator for cluster1..N and a script naming its kubeconfig.
struct Fleet {
    let scratch: Scratch
    let emulator: KubeEmulator
    let out: String
    var script: String

    init(clusters: Int = 2) throws {
        scratch = try Scratch()
        emulator = try KubeEmulator(clusters: (1...clusters).map { ("cluster\($0)", "kind-cluster\($0)") }, in: scratch)
        out = scratch.at("out")
        script = ""
        try write(clusters: clusters)
    }

    /// A multi-primary mesh on one network: every cluster discovers every earlier one.
    mutating func write(clusters: Int, extra: String = "", root: String = "root root < key ecdsa p256 >") throws {
        var text = "mesh mesh1\nnetwork network1\n\(root)\nkubeconfig \"emulator.kubeconfig\"\n"
        for index in 1...clusters {
            let peers = (1..<index).map { "discover with cluster\($0); " }.joined()
            text += "cluster cluster\(index) < context \"kind-cluster\(index)\"; server \"https://cluster\(index).example:6443\"; trust from root; install network network1; \(peers)>\n"
        }
        script = try scratch.write("mesh.mesh", text + extra)
    }

    var environment: [String: String] { emulator.environment(home: scratch.home) }

    func meshscript(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessRun {
        try MeshTestSupport.meshscript(arguments, environment: environment, sourceLocation: sourceLocation)
    }

    func apply(_ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessRun {
        try meshscript(["apply", script, "--out", out, "--yes"] + extra, sourceLocation: sourceLocation)
    }

    func status(_ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessRun {
        try meshscript(["status", script, "--out", out] + extra, sourceLocation: sourceLocation)
    }

    /// The root fingerprint recorded in a cluster's cacerts, through `status --format json`.
    func statusJSON(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let run = try status(["--format", "json"], sourceLocation: sourceLocation)
        return try #require((try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) as? [String: Any], "\(run)", sourceLocation: sourceLocation)
    }

    func installs() -> [String] {
        emulator.istioctlCalls.filter { $0.first == "install" }.compactMap { call in call.first { $0.hasPrefix("--context=") } }
    }
}

@Suite struct LiveScenarioTests {
    @Test func aFreshMeshIsAppliedAndThenInSync() throws {
        let fleet = try Fleet()
        let run = try fleet.apply()
        #expect(run.status == 0, "\(run)")
        #expect(fleet.installs() == ["--context=kind-cluster1", "--context=kind-cluster2"])
        for call in fleet.emulator.istioctlCalls {
            #expect(call.contains("--kubeconfig=\(fleet.emulator.kubeconfig)"), "\(call)")
        }
        let cacerts = try #require(try fleet.emulator.object("cluster2", "secrets/istio-system/cacerts"))
        #expect((cacerts["data"] as? [String: String])?.keys.sorted() == ["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"])
        #expect(try fleet.emulator.object("cluster2", "secrets/istio-system/istio-remote-secret-cluster1") != nil)

        let status = try fleet.status()
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("in sync: the mesh is as the script describes it"))
        #expect(!status.stdout.contains("PRIVATE KEY") && !status.stdout.contains("emulator-token"))
    }

    @Test func aSecondApplyWithNothingToDoChangesNothing() throws {
        let fleet = try Fleet()
        #expect(try fleet.apply().status == 0)
        try fleet.emulator.clearRequests()
        fleet.emulator.clearIstioctlCalls()
        let run = try fleet.apply()
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("nothing to apply"), "\(run.stdout)")
        #expect(try fleet.emulator.writes() == [])
        #expect(fleet.emulator.istioctlCalls.isEmpty)
    }

    @Test func aThirdClusterRunsOnlyItsOwnStepsAndLinks() throws {
        var fleet = try Fleet(clusters: 3)
        try fleet.write(clusters: 2)
        #expect(try fleet.apply().status == 0)
        try fleet.write(clusters: 3)
        try fleet.emulator.clearRequests()
        fleet.emulator.clearIstioctlCalls()
        let run = try fleet.apply()
        #expect(run.status == 0, "\(run)")
        #expect(fleet.installs() == ["--context=kind-cluster3"])
        // cluster1 and cluster2 only receive cluster3's remote secret (the new links).
        let writes = try fleet.emulator.writes()
        #expect(writes.filter { !$0.hasPrefix("cluster3 ") }.sorted() == [
            "cluster1 POST /api/v1/namespaces/istio-system/secrets", "cluster2 POST /api/v1/namespaces/istio-system/secrets",
        ], "\(writes)")
        #expect(try fleet.emulator.object("cluster1", "secrets/istio-system/istio-remote-secret-cluster3") != nil)
        #expect(try fleet.emulator.object("cluster2", "secrets/istio-system/istio-remote-secret-cluster3") != nil)
        #expect(try fleet.emulator.object("cluster3", "secrets/istio-system/istio-remote-secret-cluster2") != nil)
    }

    @Test func aRemovedClusterIsPrunedOnlyWithPrune() throws {
        var fleet = try Fleet(clusters: 3)
        #expect(try fleet.apply().status == 0)
        try fleet.write(clusters: 2)
        let plan = try fleet.meshscript(["plan", fleet.script, "--out", fleet.out, "--live"])
        #expect(plan.stdout.contains("delete"), "\(plan)")
        #expect(plan.stdout.contains("2 to delete"), "\(plan.stdout)")

        let without = try fleet.apply()
        #expect(without.status == 0, "\(without)")
        #expect(without.stdout.contains("not run (pass --prune"), "\(without.stdout)")
        #expect(try fleet.emulator.object("cluster1", "secrets/istio-system/istio-remote-secret-cluster3") != nil)

        try fleet.emulator.clearRequests()
        let pruned = try fleet.apply(["--prune"])
        #expect(pruned.status == 0, "\(pruned)")
        #expect(try fleet.emulator.writes().sorted() == [
            "cluster1 DELETE /api/v1/namespaces/istio-system/secrets/istio-remote-secret-cluster3",
            "cluster2 DELETE /api/v1/namespaces/istio-system/secrets/istio-remote-secret-cluster3",
        ])
    }

    /// On a terminal the deletes are a question of their own: no deletes them, yes runs them.
    @Test(arguments: ["n", "y"]) func onATerminalDeletesAreAskedFor(answer: String) throws {
        var fleet = try Fleet(clusters: 3)
        #expect(try fleet.apply().status == 0)
        try fleet.write(clusters: 2)
        try fleet.emulator.clearRequests()
        let run = try onATerminal([meshscriptBinary, "apply", fleet.script, "--out", fleet.out], environment: fleet.environment, answers: [answer])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("Delete what the script no longer describes (cluster1: delete the remote secret istio-remote-secret-cluster3; cluster2: delete the remote secret istio-remote-secret-cluster3)? [y/N]"), "\(run.output)")
        #expect(!run.output.contains("Apply 0 changes"))
        #expect(try fleet.emulator.writes().count == (answer == "y" ? 2 : 0))
    }

    @Test func aLostWorkDirectoryIsRefusedAndNoClusterChanges() throws {
        let fleet = try Fleet()
        #expect(try fleet.apply().status == 0)
        try FileManager.default.removeItem(atPath: fleet.out)
        try fleet.emulator.clearRequests()
        let run = try fleet.apply()
        #expect(run.status == 69, "\(run)")
        #expect(run.stderr.contains("trust would split: cluster cluster1 (context kind-cluster1) holds root"), "\(run.stderr)")
        #expect(run.stderr.contains("root root < from \"DIR\" >"))
        #expect(try fleet.emulator.writes() == [])
        #expect(!FileManager.default.fileExists(atPath: fleet.out + "/root-key.pem"))
    }

    /// The recovery the refusal names: the mesh's root brought back with `from "DIR"` is the
    /// root the clusters hold, so apply goes on, changing nothing; the clusters' intermediates
    /// (lost with the work directory) are reported, and --rotate is the way to converge.
    @Test func aLostWorkDirectoryRecoversWithTheRootBroughtBack() throws {
        var fleet = try Fleet()
        #expect(try fleet.apply().status == 0)
        let backup = fleet.scratch.at("backup")
        try FileManager.default.createDirectory(atPath: backup, withIntermediateDirectories: true)
        for name in ["root-cert.pem", "root-key.pem"] {
            try FileManager.default.copyItem(atPath: fleet.out + "/" + name, toPath: backup + "/" + name)
        }
        try FileManager.default.removeItem(atPath: fleet.out)
        try fleet.write(clusters: 2, root: "root root < from \"backup\" >")
        try fleet.emulator.clearRequests()
        let run = try fleet.apply()
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("cacerts holds an intermediate of the mesh's root that the work directory does not have"), "\(run.stdout)")
        #expect(run.stdout.contains("--rotate cluster1"), "\(run.stdout)")
        #expect(try fleet.emulator.writes() == [])
        let rotated = try fleet.apply(["--rotate", "cluster1", "--rotate", "cluster2"])
        #expect(rotated.status == 0, "\(rotated)")
        #expect(try fleet.status().status == 0)
    }

    @Test func rotationReplacesTheIntermediateInTheCluster() throws {
        let fleet = try Fleet()
        #expect(try fleet.apply().status == 0)
        let before = try #require(try fleet.emulator.object("cluster2", "secrets/istio-system/cacerts")?["data"] as? [String: String])
        let run = try fleet.apply(["--rotate", "cluster2"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("replace: trust cluster2"), "\(run.stdout)")
        let after = try #require(try fleet.emulator.object("cluster2", "secrets/istio-system/cacerts")?["data"] as? [String: String])
        #expect(after["ca-cert.pem"] != before["ca-cert.pem"])
        #expect(after["root-cert.pem"] == before["root-cert.pem"])
        #expect(try fleet.status().status == 0)
    }

    @Test func anUnreachableClusterStopsApplyBeforeAnyChange() throws {
        let fleet = try Fleet()
        try fleet.emulator.down("cluster2")
        let run = try fleet.apply(["--timeout", "5"])
        #expect(run.status == 69, "\(run)")
        #expect(run.stderr.contains("cluster cluster2 (context kind-cluster2) could not be read"), "\(run.stderr)")
        #expect(try fleet.emulator.writes() == [])
        let status = try fleet.status(["--timeout", "5"])
        #expect(status.status == 1)
        #expect(status.stdout.contains("unreachable"), "\(status.stdout)")
    }

    @Test func aClusterOnAnotherRootIsRefusedNamingBothRoots() throws {
        let fleet = try Fleet()
        let other = try Fleet()
        #expect(try other.apply().status == 0)
        let foreign = try #require(try other.emulator.object("cluster2", "secrets/istio-system/cacerts"))
        var copied: [String: Any] = ["apiVersion": "v1", "kind": "Secret", "type": "Opaque", "data": foreign["data"]!]
        copied["metadata"] = ["name": "cacerts", "namespace": "istio-system"]
        try fleet.emulator.put("cluster2", object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "istio-system"]])
        try fleet.emulator.put("cluster2", object: copied)
        try fleet.emulator.clearRequests()
        let run = try fleet.apply()
        #expect(run.status == 69, "\(run)")
        #expect(run.stderr.contains("cluster cluster2 (context kind-cluster2) holds root"), "\(run.stderr)")
        #expect(try fleet.emulator.writes() == [])
    }

    @Test func statusSeesARemoteSecretDeletedBehindItsBack() throws {
        let fleet = try Fleet()
        #expect(try fleet.apply().status == 0)
        #expect(try fleet.status(["--verify"]).status == 0)
        try fleet.emulator.delete("cluster2", "secrets/istio-system/istio-remote-secret-cluster1")
        let status = try fleet.status()
        #expect(status.status == 1)
        #expect(status.stdout.contains("missing      link cluster1 -> cluster2: remote secret"), "\(status.stdout)")
        let json = try fleet.statusJSON()
        #expect(json["inSync"] as? Bool == false)
    }

    @Test func aFailedApplyResumesFromItsJournalAndRefusesAnotherPlan() throws {
        var fleet = try Fleet()
        let failing = fleet.emulator.environment(home: fleet.scratch.home, ["ISTIOCTL_STANDIN_FAIL": "--context=kind-cluster2 -f"])
        let failed = try MeshTestSupport.meshscript(["apply", fleet.script, "--out", fleet.out, "--yes"], environment: failing)
        #expect(failed.status == 70, "\(failed)")
        #expect(failed.stderr.contains("--resume"), "\(failed.stderr)")
        let journal = String(decoding: try #require(FileManager.default.contents(atPath: fleet.out + "/apply-journal.json")), as: UTF8.self)
        #expect(journal.contains("\"planHash\""))
        #expect(journal.contains("create the cacerts secret"))
        #expect(!journal.contains("install the control plane (meshID mesh1, network network1)\",\n      \"step\" : 9"))

        fleet.emulator.clearIstioctlCalls()
        let resumed = try fleet.apply(["--resume"])
        #expect(resumed.status == 0, "\(resumed)")
        #expect(resumed.stdout.contains("resuming after step"), "\(resumed.stdout)")
        #expect(fleet.installs() == ["--context=kind-cluster2"])

        try fleet.write(clusters: 2, extra: "cluster cluster3 < context \"kind-cluster3\" >\n")
        let refused = try fleet.apply(["--resume"])
        #expect(refused.status == 64, "\(refused)")
        #expect(refused.stderr.contains("the plan is not the one"), "\(refused.stderr)")

        try "{ not a journal".write(toFile: fleet.out + "/apply-journal.json", atomically: true, encoding: .utf8)
        let unreadable = try fleet.apply(["--resume"])
        #expect(unreadable.status == 64, "\(unreadable)")
        #expect(unreadable.stderr.contains("apply-journal.json cannot be read"), "\(unreadable.stderr)")
    }
}

/// The least-privilege remote secret end to end: the emulator's kubeconfig users are not Istio's
/// reader account, so render writes the reader account, apply sends it to the source cluster
/// with the real kubectl, `meshscript remote-secret` reads the token the token controller put in
/// its Secret, and the target gets a remote secret carrying that token, never the user's own.
@Suite struct MintedRemoteSecretScenarioTests {
    @Test func applyFetchesTheReaderTokenAndNeverPrintsIt() throws {
        let fleet = try Fleet()
        let run = try fleet.apply()
        #expect(run.status == 0, "\(run)")
        // The reader account and its RBAC reached the source cluster.
        #expect(try fleet.emulator.object("cluster1", "serviceaccounts/istio-system/istio-reader-service-account") != nil)
        #expect(try fleet.emulator.object("cluster1", "clusterroles/istio-reader-clusterrole-istio-system") != nil)
        #expect(try fleet.emulator.object("cluster1", "clusterrolebindings/istio-reader-clusterrole-istio-system") != nil)
        let tokenSecret = try #require(try fleet.emulator.object("cluster1", "secrets/istio-system/istio-reader-service-account-istio-remote-secret-token"))
        let encoded = try #require((tokenSecret["data"] as? [String: String])?["token"])
        let token = try #require(Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) })
        #expect(token.hasPrefix("emulator-sa-token.cluster1.istio-system.istio-reader-service-account."))

        // cluster2's remote secret of cluster1 carries exactly that token, with the script's server.
        let secret = try #require(try fleet.emulator.object("cluster2", "secrets/istio-system/istio-remote-secret-cluster1"))
        let data = try #require((secret["data"] as? [String: String])?["cluster1"])
        let kubeconfig = String(decoding: try #require(Data(base64Encoded: data)), as: UTF8.self)
        #expect(kubeconfig.contains("token: \(token)\n"), "\(kubeconfig)")
        #expect(kubeconfig.contains("server: https://cluster1.example:6443\n"))
        #expect(!kubeconfig.contains("emulator-token-cluster1"), "the kubeconfig user's own token must not be copied")
        #expect((secret["metadata"] as? [String: Any]).flatMap { $0["labels"] as? [String: String] }?["istio/multiCluster"] == "true")

        // Neither the terminal nor the plan nor the work directory's plan.json ever holds it.
        let plan = try fleet.meshscript(["plan", fleet.script, "--out", fleet.out, "--format", "json"])
        for text in [run.stdout, run.stderr, plan.stdout, try String(contentsOfFile: fleet.out + "/plan.json", encoding: .utf8)] {
            #expect(!text.contains(token))
        }
        #expect(run.stdout.contains("meshscript remote-secret --name=cluster1"), "\(run.stdout)")
        #expect(FileManager.default.fileExists(atPath: fleet.out + "/cluster1/reader-service-account.yaml"))
        #expect(!FileManager.default.fileExists(atPath: fleet.out + "/cluster2/remote-secret-cluster1.yaml"))
    }

    @Test func tokenFromKubeconfigWithoutCADataIsAnErrorAtTheOptIn() throws {
        let fleet = try Fleet()
        // cluster1 opts in to its kubeconfig user's token, which render would write itself.
        let text = try String(contentsOfFile: fleet.script, encoding: .utf8)
            .replacingOccurrences(of: "cluster cluster1 < ", with: "cluster cluster1 < token from kubeconfig; ")
        try text.write(toFile: fleet.script, atomically: true, encoding: .utf8)
        let run = try fleet.apply()
        // The emulator serves plain http on loopback: a kubeconfig-token secret is refused there,
        // with the opt-in named, before anything is changed.
        #expect(run.status == 65, "\(run)")
        #expect(run.stderr.contains("has no CA data"), "\(run.stderr)")
        #expect(run.stderr.contains("remove `token from kubeconfig`"), "\(run.stderr)")
        #expect(try fleet.emulator.writes() == [])
    }
}
