// Every gate of IstioReleases.table, tested at both ends of its range through what `plan`
// and `render` produce for a script with `istio "X.Y"`, not through the table itself.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct ReleaseGateTests {
    /// Two linked clusters; on two networks when `networks` is 2. No kubeconfig: every remote
    /// secret comes from `istioctl create-remote-secret`.
    static func script(_ release: String, networks: Int = 1) -> String {
        """
        mesh m1 < istio "\(release)" >
        network net1
        network net2
        root root < key ecdsa p256 >
        cluster alpha < trust from root; install network net1; discover with beta >
        cluster beta < trust from root; install network net\(networks) >

        """
    }

    func plan(_ release: String, networks: Int = 1) throws -> (Prepared, Plan) {
        let prepared = try prepare(Self.script(release, networks: networks), in: try Scratch())
        return (prepared, prepared.plan)
    }

    /// The plan's commands with the scratch directory written as `S`, to compare plans of two scratches.
    func commands(_ prepared: Prepared, _ plan: Plan) -> [[String]] {
        let scratch = (prepared.out as NSString).deletingLastPathComponent
        return plan.commandLines.map { $0.map { $0.replacingOccurrences(of: scratch, with: "S") } }
    }

    func istioctl(_ plan: Plan, _ kind: Plan.Phase) -> [[String]] {
        plan.steps.filter { $0.phase == kind }.flatMap { $0.commands.flatMap(\.pipeline) }.filter { $0.first == "istioctl" }
    }

    @Test func manifestApplyOnlyIn1_6() throws {
        let (_, old) = try plan("1.6")
        let (_, new) = try plan("1.7")
        #expect(istioctl(old, .install).allSatisfy { $0.contains("manifest") && $0.contains("apply") && !$0.contains("install") })
        #expect(istioctl(new, .install).allSatisfy { $0[1] == "install" && !$0.contains("manifest") })
        #expect(!istioctl(old, .install).isEmpty && !istioctl(new, .install).isEmpty)
    }

    /// `create-remote-secret` outside `x` from 1.12 (1.12.0's istioctl/cmd/root.go).
    @Test func createRemoteSecretLeavesXIn1_12() throws {
        let (_, old) = try plan("1.11")
        let (_, new) = try plan("1.12")
        #expect(Set(istioctl(old, .discover).map { Array($0.prefix(3)) }) == [["istioctl", "x", "create-remote-secret"]])
        #expect(Set(istioctl(new, .discover).map { Array($0.prefix(2)) }) == [["istioctl", "create-remote-secret"]])
    }

    @Test func seedMeshNetworksOnlyIn1_6AndMeshExpansionUntil1_8() throws {
        for (release, meshNetworks, meshExpansion) in [("1.6", true, true), ("1.7", false, true), ("1.8", false, true), ("1.9", false, false)] {
            let (prepared, _) = try plan(release)
            try prepared.rendered()
            let text = read(prepared.layout.install("alpha"))
            #expect(text.contains("meshNetworks:") == meshNetworks, "\(release):\n\(text)")
            #expect(text.contains("meshExpansion:") == meshExpansion, "\(release):\n\(text)")
        }
    }

    /// `samples/multicluster` (east-west gateway, cross-network Gateway) first ships in 1.8:
    /// before, clusters on two networks cannot be linked.
    @Test func eastWestGatewaysFrom1_8() throws {
        let old = try prepare(Self.script("1.7", networks: 2), in: try Scratch(), expectCheckErrors: true)
        old.expectCheckDiagnostic(.error, containing: "which Istio 1.7's procedure does not support", line: 5, column: 70,
                                  help: "target Istio 1.8 or newer")
        let (prepared, new) = try plan("1.8", networks: 2)
        #expect(new.steps.contains { $0.kind == .eastWestGateway(network: "net1") })
        #expect(new.steps.contains { $0.kind == .crossNetworkGateway })
        try prepared.rendered()
        #expect(FileManager.default.fileExists(atPath: prepared.layout.eastWestGateway("beta")))
    }

    /// istiod reads istio-system's `topology.istio.io/network` label from 1.10.
    @Test func namespaceNetworkLabelFrom1_10() throws {
        let (oldPrepared, old) = try plan("1.9", networks: 2)
        let (newPrepared, new) = try plan("1.10", networks: 2)
        let isLabel: (Plan.Step) -> Bool = { if case .networkLabel = $0.kind { true } else { false } }
        #expect(!old.steps.contains(where: isLabel))
        #expect(new.steps.filter(isLabel).count == 2)
        try oldPrepared.rendered()
        try newPrepared.rendered()
        #expect(!read(oldPrepared.layout.namespace("alpha")).contains("topology.istio.io/network"))
        #expect(read(newPrepared.layout.namespace("alpha")).contains("topology.istio.io/network: net1"))
    }

    /// The east-west gateway as each release's gen-eastwest-gateway.sh prints it: port names
    /// tls-* from 1.9 (mtls/tcp-* in 1.8), the injection template from 1.11, and until 1.11
    /// the sni-dnat router mode and the mesh values (meshID, clusterName).
    @Test func eastWestGatewayFollowsTheReleasesScript() throws {
        var gateways: [String: String] = [:]
        for release in ["1.8", "1.9", "1.10", "1.11", "1.12"] {
            let (prepared, _) = try plan(release, networks: 2)
            try prepared.rendered()
            gateways[release] = read(prepared.layout.eastWestGateway("beta"))
        }
        func has(_ release: String, _ text: String) -> Bool { gateways[release]?.contains(text) == true }
        #expect(has("1.8", "name: mtls\n") && !has("1.8", "name: tls\n"))
        #expect(has("1.9", "name: tls\n") && has("1.9", "name: tls-istiod\n") && !has("1.9", "mtls"))
        #expect(!has("1.10", "injectionTemplate") && has("1.11", "injectionTemplate: gateway"))
        for release in ["1.8", "1.9", "1.10", "1.11"] {
            #expect(has(release, "value: sni-dnat") && has(release, "meshID: m1") && has(release, "clusterName: beta"), "\(release):\n\(gateways[release] ?? "")")
        }
        #expect(!has("1.12", "ISTIO_META_ROUTER_MODE") && !has("1.12", "meshID") && !has("1.12", "clusterName"), "\(gateways["1.12"] ?? "")")
        #expect(has("1.12", "network: net2"))
    }

    @Test func gatewayAPIVersionV1From1_22() throws {
        for (release, apiVersion) in [("1.21", "networking.istio.io/v1beta1"), ("1.22", "networking.istio.io/v1")] {
            let (prepared, _) = try plan(release, networks: 2)
            try prepared.rendered()
            let text = read(prepared.layout.crossNetworkGateway("alpha"))
            #expect(text.hasPrefix("apiVersion: \(apiVersion)\n"), "\(release):\n\(text)")
        }
    }

    /// A release newer than the table: the newest forms and a warning; plan.json names the
    /// release the script targets.
    @Test func aNewerReleaseGetsTheNewestFormsAndAWarning() throws {
        let newer = "\(IstioReleases.newest.major).\(IstioReleases.newest.minor + 1)"
        let prepared = try prepare(Self.script(newer), in: try Scratch())
        prepared.expectCheckDiagnostic(.warning, containing: "is newer than the newest release MeshScript knows", line: 1, column: 11)
        let (newestPrepared, newest) = try plan("\(IstioReleases.newest)")
        #expect(commands(prepared, prepared.plan) == commands(newestPrepared, newest))
        #expect(prepared.plan.istio == newer)
        #expect(newest.istio == "\(IstioReleases.newest)")
    }

    /// Without `istio`, the newest release the table knows.
    @Test func withoutIstioTheNewestRelease() throws {
        let script = Self.script("1.6").replacingOccurrences(of: " < istio \"1.6\" >", with: "")
        let prepared = try prepare(script, in: try Scratch())
        #expect(prepared.plan.istio == "\(IstioReleases.newest)")
        let (newestPrepared, newest) = try plan("\(IstioReleases.newest)")
        #expect(commands(prepared, prepared.plan) == commands(newestPrepared, newest))
    }

    /// istioctl takes `--server` (istioctl/pkg/multicluster/remote_secret.go: `flagset.StringVar(&o.ServerOverride,
    /// "server", ...)`): the script's address must reach the remote secret istioctl creates.
    @Test func serverOverrideReachesIstioctl() throws {
        let script = Self.script("1.12").replacingOccurrences(of: "cluster beta < trust from root;", with: "cluster beta < server \"https://203.0.113.7:6443\"; trust from root;")
        let prepared = try prepare(script, in: try Scratch())
        let step = try #require(prepared.plan.discoverStep(source: "beta", target: "alpha"))
        #expect(step.commands.map(\.pipeline).first?.first == [
            "istioctl", "create-remote-secret", "--context=beta", "--name=beta", "--server=https://203.0.113.7:6443",
        ])
    }

    /// Istio's certificate Makefile is tools/certs/Makefile.selfsigned.mk (since 2020; there
    /// is no tools/certs/Makefile), run from a directory next to tools/ as the docs do.
    @Test func theTrustNoteNamesIstiosCertificateMakefile() throws {
        let (_, plan) = try plan("\(IstioReleases.newest)")
        let notes = plan.steps.filter { $0.kind == .intermediateCA }.compactMap(\.note)
        #expect(notes.count == 2)
        #expect(notes.contains { $0.contains("`make -f ../tools/certs/Makefile.selfsigned.mk alpha-cacerts`") }, "\(notes)")
        #expect(!notes.contains { $0.contains("tools/certs/Makefile ") || $0.contains("tools/certs/Makefile`") })
    }
}
