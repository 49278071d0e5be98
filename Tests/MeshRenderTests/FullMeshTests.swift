// A three-cluster full mesh: N·(N−1) = 6 remote secrets, each in the target's directory,
// each holding the source's credentials under the source's name, never a cluster's own.
import Foundation
import MeshScript
import MeshTestSupport
import Testing
import Yams

@Suite struct FullMeshTests {
    static let clusters = ["c1", "c2", "c3"]
    static func token(_ cluster: String) -> String { KubeContext.reader("tok-\(cluster)-5e1f0b") }
    static func server(_ cluster: String) -> String { "https://\(cluster).api.test:6443" }

    static var kubeconfig: String {
        KubeContext.yaml(clusters.map { KubeContext(name: "ctx-\($0)", server: server($0), auth: .token(token($0))) })
    }

    /// Every pair linked by `discover with`, written once per pair.
    static let script = """
        mesh m1
        network net1
        root root < key ecdsa p256 >
        cluster c1 < context "ctx-c1"; trust from root; install; discover with c2, c3 >
        cluster c2 < context "ctx-c2"; trust from root; install; discover with c3 >
        cluster c3 < context "ctx-c3"; trust from root; install >

        """

    @Test func sixSecretsEachInTheTargetsDirectory() throws {
        let scratch = try Scratch()
        let kubeconfig = try scratch.write("config.yaml", Self.kubeconfig)
        let prepared = try prepare(Self.script, in: scratch, environment: ["KUBECONFIG": kubeconfig])
        #expect(prepared.preflightDiagnostics.isEmpty)
        #expect(prepared.topology.links.count == 6)
        try prepared.rendered()

        let written = try FileManager.default.subpathsOfDirectory(atPath: prepared.out)
            .filter { ($0 as NSString).lastPathComponent.hasPrefix("remote-secret-") }.sorted()
        let expected = Self.clusters.flatMap { target in
            Self.clusters.filter { $0 != target }.map { source in "\(target)/remote-secret-\(source).yaml" }
        }.sorted()
        #expect(written == expected)
        #expect(written.count == 6)

        let plan = prepared.plan
        #expect(plan.steps.filter { $0.phase == .discover }.count == 6)
        for target in Self.clusters {
            #expect(!exists(prepared.layout.remoteSecret(source: target, target: target)), "\(target) has its own secret")
            for source in Self.clusters where source != target {
                let file = prepared.layout.remoteSecret(source: source, target: target)
                #expect(mode(of: file) == 0o600)
                // The source's credentials, not the target's.
                expectRemoteSecret(read(file), source: source, server: Self.server(source), token: Self.token(source))
                let step = try #require(plan.discoverStep(source: source, target: target))
                // A single-file $KUBECONFIG is named on the command line, so the step works without it.
                #expect(step.commands.map(\.pipeline) == [[["kubectl", "apply", "-f", file, "--kubeconfig=\(kubeconfig)", "--context=ctx-\(target)"]]])
            }
        }
    }

    /// The example (a recipe and a for loop) gives the same six secrets from the pre-flight.
    @Test func threePrimariesExampleLinksEveryPair() throws {
        let scratch = try Scratch()
        let kubeconfig = try scratch.write("config.yaml", KubeContext.yaml(Self.clusters.indices.map { index in
            KubeContext(name: "kind-cluster\(index + 1)", server: "https://cluster\(index + 1).api.test:6443", auth: .token(KubeContext.reader("tok-cluster\(index + 1)")))
        }))
        let path = example("three-primaries.mesh")
        let engine = MeshEngine(environment: [:])
        let check = engine.check(file: path)
        #expect(!check.hasErrors)
        let options = RenderOptions(workDirectory: scratch.at("out"), scriptPath: path, environment: ["KUBECONFIG": kubeconfig], home: scratch.home)
        let credentials = MeshRenderer.preflight(engine.topology, options: options)
        #expect(credentials.diagnostics.isEmpty)
        let names = ["cluster1", "cluster2", "cluster3"]
        var count = 0
        for target in names {
            for source in names {
                let secret = credentials.offlineSecrets[DiscoveryLink(source: source, target: target)]
                if source == target {
                    #expect(secret == nil)
                    continue
                }
                count += secret == nil ? 0 : 1
                if let secret {
                    expectRemoteSecret(secret, source: source, server: "https://\(source).api.test:6443", token: KubeContext.reader("tok-\(source)"))
                }
            }
        }
        #expect(count == 6)
        #expect(credentials.offlineSecrets.count == 6)
    }
}
