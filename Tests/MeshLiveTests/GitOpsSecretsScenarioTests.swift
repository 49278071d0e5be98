// `apply --secrets-only`, the half of a GitOps tree that is not in git, as a user runs it: the
// real meshscript and kubectl against the Kubernetes API emulator. Before the controller's first
// sync it puts istio-system and cacerts into every cluster and nothing else; a remote secret
// waits until its source runs a control plane (its reader account belongs to Istio's charts).
import Foundation
import MeshTestSupport
import Testing

@Suite struct GitOpsSecretsScenarioTests {
    @Test func secretsOnlyPushesCacertsFirstAndRemoteSecretsOnceTheirSourceIsInstalled() throws {
        var fleet = try Fleet()
        let text = read(fleet.script).replacingOccurrences(of: "mesh mesh1\n", with: "mesh mesh1 < gitops repo \"https://git.example.com/fleet.git\" >\n")
        fleet.script = try fleet.scratch.write("mesh.mesh", text)
        let render = try fleet.meshscript(["render", fleet.script, "--out", fleet.out, "--gitops", "argocd"])
        #expect(render.status == 0, "\(render)")
        #expect(render.stdout.contains("--secrets-only"), "render names the next step: \(render.stdout)")

        let first = try fleet.apply(["--secrets-only"])
        #expect(first.status == 0, "\(first)")
        for cluster in ["cluster1", "cluster2"] {
            #expect(try fleet.emulator.object(cluster, "secrets/istio-system/cacerts") != nil, "\(cluster) has no cacerts")
            #expect(try fleet.emulator.object(cluster, "serviceaccounts/istio-system/istio-reader-service-account") == nil,
                    "the reader account is the charts' to create")
        }
        #expect(fleet.emulator.istioctlCalls.isEmpty, "apply --secrets-only installed something: \(fleet.emulator.istioctlCalls)")
        #expect(try fleet.emulator.object("cluster2", "secrets/istio-system/istio-remote-secret-cluster1") == nil)
        #expect(first.stdout.contains("not yet, cluster1 has no control plane"), "\(first.stdout)")

        // The controller installs cluster1's control plane (here the istioctl stand-in does it).
        let install = try runProcess("/usr/bin/env", ["istioctl", "install", "--kubeconfig=\(fleet.emulator.kubeconfig)", "--context=kind-cluster1",
                                                      "-f", fleet.out + "/cluster1/install.yaml", "-y"], environment: fleet.environment)
        #expect(install.status == 0, "\(install)")
        fleet.emulator.clearIstioctlCalls()

        let second = try fleet.apply(["--secrets-only"])
        #expect(second.status == 0, "\(second)")
        #expect(try fleet.emulator.object("cluster2", "secrets/istio-system/istio-remote-secret-cluster1") != nil)
        #expect(try fleet.emulator.object("cluster1", "secrets/istio-system/istio-remote-secret-cluster2") == nil)
        #expect(second.stdout.contains("not yet, cluster2 has no control plane"), "\(second.stdout)")
        #expect(fleet.emulator.istioctlCalls.isEmpty, "\(fleet.emulator.istioctlCalls)")
        for secret in ["emulator-token", "emulator-sa-token"] { #expect(!second.stdout.contains(secret) && !second.stderr.contains(secret)) }
    }

    @Test func secretsOnlyAndPruneAreRefusedTogether() throws {
        let fleet = try Fleet()
        let run = try fleet.apply(["--secrets-only", "--prune"])
        #expect(run.status == 64, "\(run)")
        #expect(run.stderr.contains("--secrets-only runs no delete"))
    }
}

private func read(_ path: String) -> String { String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
