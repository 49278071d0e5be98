// The cacerts manifest render writes must be what the reference command prints for the same
// four files (istio-artifacts.md "The cacerts secret"):
//   kubectl create secret generic cacerts -n istio-system --from-file=... --dry-run=client -o yaml
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct CacertsKubectlTests {
    enum Root: String, CaseIterable, Sendable { case istioDefault, ecdsa }

    @Test(.enabled(if: RealKubectl.isInstalled, Comment(rawValue: "the offline reference for the cacerts manifest is missing: " + (RealKubectl.absence ?? ""))),
          arguments: Root.allCases)
    func cacertsManifestEqualsKubectlDryRun(root: Root) throws {
        let scratch = try Scratch()
        let prepared = try prepare("""
            mesh m1
            network net1
            \(root == .ecdsa ? "root root < key ecdsa p256 >" : "")
            cluster one < trust from root; install >
            cluster two < trust from root; install; discover with one >

            """, in: scratch)
        try prepared.rendered()
        for cluster in ["one", "two"] {
            let directory = prepared.out + "/" + cluster
            let files = ["ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"].map { "--from-file=\(directory)/\($0)" }
            // Offline: an empty HOME and a kubeconfig that does not exist; --dry-run=client never dials.
            let kubectl = try runProcess(try #require(RealKubectl.path),
                                         ["create", "secret", "generic", "cacerts", "-n", "istio-system"] + files + ["--dry-run=client", "-o", "yaml"],
                                         environment: cliEnvironment(home: scratch.home, ["KUBECONFIG": scratch.at("no-kubeconfig")]),
                                         timeout: .seconds(60))
            try #require(kubectl.status == 0, "kubectl failed: \(kubectl.output)")
            let written = read(directory + "/cacerts-secret.yaml")
            #expect(written == kubectl.stdout, "\(cluster): cacerts-secret.yaml differs from kubectl's output")
            #expect(mode(of: directory + "/cacerts-secret.yaml") == 0o600, "the manifest embeds the intermediate key")
            // And the manifest the plan would create is the one for this cluster's own files.
            let document = try #require(yaml(written))
            #expect(document.at("data")?.keys == ["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"])
            #expect(document.at("data", "ca-key.pem")?.string == Data(read(directory + "/ca-key.pem").utf8).base64EncodedString())
        }
    }
}
