// render for primary-remote: every file the guides' procedure needs, byte for byte as the
// golden copies in PrimaryRemoteGolden/ (reviewed field by field against Istio's guides and
// samples/multicluster in MeshKubeTests' PrimaryRemoteManifestTests); a remote gets no
// certificates; files the model no longer needs are removed.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct PrimaryRemoteRenderTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("PrimaryRemoteGolden")

    /// The manifests under `directory` (relative paths), certificates, keys and plan.json left out.
    func manifests(in directory: String) -> [String] {
        let all = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
        return all.filter { $0.hasSuffix(".yaml") && !$0.contains("cacerts-secret") }.sorted()
    }

    @Test(arguments: ["primary-remote", "primary-remote-multi-network"])
    func renderWritesTheGuidesFiles(name: String) throws {
        let scratch = try Scratch()
        let out = scratch.at("out")
        _ = try renderScript(try exampleWithECDSARoot(name + ".mesh", in: scratch), into: out, home: scratch.home)
        let expected = Self.golden.appendingPathComponent(name).path
        #expect(manifests(in: out) == manifests(in: expected))
        for file in manifests(in: expected) {
            let want = try String(contentsOfFile: expected + "/" + file, encoding: .utf8)
            let have = try String(contentsOfFile: out + "/" + file, encoding: .utf8)
            #expect(have == want, "\(file) differs:\n--- rendered\n\(have)--- golden\n\(want)")
        }
        // A remote gets no cacerts and no intermediate CA.
        let remoteFiles = (try? FileManager.default.contentsOfDirectory(atPath: out + "/cluster2")) ?? []
        #expect(!remoteFiles.contains { $0.hasSuffix(".pem") || $0.contains("cacerts") }, "\(remoteFiles)")
    }

    @Test func aPrimaryWithoutRemotesLosesWhatOnlyRemotesNeed() throws {
        let scratch = try Scratch()
        let out = scratch.at("out")
        let script = try scratch.write("mesh.mesh", "mesh mesh1\nnetwork network1\nroot root < key ecdsa p256 >\ncluster cluster1 < trust from root; install >\ncluster cluster2 < install remote of cluster1 >\n")
        _ = try renderScript(script, into: out, home: scratch.home)
        #expect(FileManager.default.fileExists(atPath: out + "/cluster1/expose-istiod.yaml"))
        #expect(FileManager.default.fileExists(atPath: out + "/cluster1/eastwest-gateway.yaml"))
        _ = try scratch.write("mesh.mesh", "mesh mesh1\nnetwork network1\nroot root < key ecdsa p256 >\ncluster cluster1 < trust from root; install >\n")
        let summary = try renderScript(script, into: out, home: scratch.home)
        #expect(summary.files.filter { $0.outcome == .removed }.map(\.path).sorted() == [
            out + "/cluster1/eastwest-gateway.yaml", out + "/cluster1/expose-istiod.yaml",
        ])
        let install = try String(contentsOfFile: out + "/cluster1/install.yaml", encoding: .utf8)
        #expect(!install.contains("externalIstiod"))
    }
}
