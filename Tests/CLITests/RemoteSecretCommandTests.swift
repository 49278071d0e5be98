// `meshscript remote-secret`, the plan's token fetcher, on its own: what it refuses before
// reading any cluster, and that its errors never carry the token it was after.
import Foundation
import MeshTestSupport
import Testing

@Suite struct RemoteSecretCommandTests {
    /// Text that is no release, and a release older than the table, are usage errors.
    @Test(arguments: ["2.x", "1.5"])
    func anUnknownReleaseIsAUsageError(release: String) throws {
        let scratch = try Scratch()
        let run = try meshscript(["remote-secret", "--name=east", "--context=ctx-east", "--istio=\(release)"],
                                 environment: cliEnvironment(home: scratch.home))
        #expect(run.status == 64, "\(run)")
        #expect(run.stderr.contains("unsupported Istio release \"\(release)\""), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    /// A loopback server would be embedded for peers that cannot reach it: refused as render does,
    /// before kubectl runs (there is none on this PATH).
    @Test func aLoopbackServerIsRefusedBeforeAnyClusterIsRead() throws {
        let scratch = try Scratch()
        let kubeconfig = try scratch.write("kube.yaml", KubeconfigOption.kubeconfig([("ctx-east", "https://127.0.0.1:6443")]))
        let run = try meshscript(["remote-secret", "--name=east", "--kubeconfig=\(kubeconfig)", "--context=ctx-east"],
                                 environment: cliEnvironment(home: scratch.home, path: scratch.at("no-bin")))
        #expect(run.status == 69, "\(run)")
        #expect(run.stderr.contains("loopback"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    @Test func withoutKubectlItSaysSo() throws {
        let scratch = try Scratch()
        let kubeconfig = try scratch.write("kube.yaml", KubeconfigOption.kubeconfig([("ctx-east", "https://east.test:6443")]))
        let run = try meshscript(["remote-secret", "--name=east", "--kubeconfig=\(kubeconfig)", "--context=ctx-east"],
                                 environment: cliEnvironment(home: scratch.home, path: scratch.at("no-bin")))
        #expect(run.status == 69, "\(run)")
        #expect(run.stderr.contains("kubectl: not found on PATH"), "\(run.stderr)")
        #expect(!run.stderr.contains("tok-ctx-east") && run.stdout.isEmpty)
    }
}
