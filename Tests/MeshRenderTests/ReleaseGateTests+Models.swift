// The deployment-model gates of IstioReleases.table (primary-remote, externalIstiod), tested at
// both ends of their range through what `render` writes for a script with `istio "X.Y"`.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

extension ReleaseGateTests {
    /// A primary (alpha) and a remote of it (beta).
    static func primaryRemoteScript(_ release: String) -> String {
        """
        mesh m1 < istio "\(release)" >
        network net1
        root root < key ecdsa p256 >
        cluster alpha < trust from root; install network net1 >
        cluster beta < install remote of alpha >

        """
    }

    /// A primary with remotes gets `values.pilot.env.EXTERNAL_ISTIOD` through 1.23 and
    /// `values.global.externalIstiod` from 1.24.
    @Test func externalIstiodMovesToGlobalIn1_24() throws {
        for (release, inGlobal) in [("1.23", false), ("1.24", true)] {
            let prepared = try prepare(Self.primaryRemoteScript(release), in: try Scratch())
            try prepared.rendered()
            let text = read(prepared.layout.install("alpha"))
            #expect(text.contains("externalIstiod: true") == inGlobal, "\(release):\n\(text)")
            #expect(text.contains("EXTERNAL_ISTIOD") == !inGlobal, "\(release):\n\(text)")
        }
    }
}

extension ReleaseGateTests {
    /// Istio's primary-remote model (EXTERNAL_ISTIOD and a remote's injection path) starts with 1.8.
    @Test func primaryRemoteFrom1_8() throws {
        let old = try prepare(Self.primaryRemoteScript("1.7"), in: try Scratch(), expectCheckErrors: true)
        old.expectCheckDiagnostic(.error, containing: "Istio 1.7 has no primary-remote model", line: 5, column: 16)
        let new = try prepare(Self.primaryRemoteScript("1.8"), in: try Scratch())
        #expect(new.plan.steps.contains { $0.kind == .exposeIstiod && $0.cluster == "alpha" })
        #expect(new.plan.steps.contains { if case .remoteControlPlane(primary: "alpha", _) = $0.kind { $0.cluster == "beta" } else { false } })
    }

    /// With Helm, the primary's istiod values carry the same gate as the IstioOperator:
    /// `pilot.env.EXTERNAL_ISTIOD` through 1.23, `global.externalIstiod` from 1.24. A 1.23 remote
    /// is installed with istioctl (the chart's remote profile starts with 1.24).
    @Test func externalIstiodInTheHelmValuesMovesToGlobalIn1_24() throws {
        for (release, inGlobal) in [("1.23", false), ("1.24", true)] {
            let script = Self.primaryRemoteScript(release)
                .replacingOccurrences(of: "install network net1 >", with: "install network net1 installer helm >")
            let prepared = try prepare(script, in: try Scratch())
            try prepared.rendered()
            let values = try #require(yamlFile(prepared.layout.helmValues("alpha", .istiod)))
            #expect(values.at("global", "externalIstiod")?.bool == (inGlobal ? true : nil), "\(release)")
            #expect(values.at("pilot", "env", "EXTERNAL_ISTIOD")?.string == (inGlobal ? nil : "true"), "\(release)")
        }
    }

    /// Helm installs from 1.12 (Istio's chart repository and its gateway chart); 1.11 is an
    /// error at `installer helm`.
    @Test func helmChartsFrom1_12() throws {
        let script = { (release: String) in Self.script(release).replacingOccurrences(of: "mesh m1 < istio \"\(release)\" >", with: "mesh m1 < istio \"\(release)\"; installer helm >") }
        let old = try prepare(script("1.11"), in: try Scratch(), expectCheckErrors: true)
        old.expectCheckDiagnostic(.error, containing: "Istio 1.11 is not installed with Helm here", line: 1, column: 35, help: "target istio \"1.12\" or newer")
        let new = try prepare(script("1.12"), in: try Scratch())
        let helm = new.plan.commandLines.filter { $0.first == "helm" }
        #expect(helm.contains { $0.starts(with: ["helm", "upgrade", "--install", "istio-base", "base", "--repo"]) && $0.contains("~1.12.0") }, "\(helm)")
        #expect(helm.contains { $0.starts(with: ["helm", "upgrade", "--install", "istiod", "istiod", "--repo"]) }, "\(helm)")
        #expect(!new.plan.commandLines.contains { $0.first == "istioctl" && $0.contains("install") })
    }

    /// A remote installed with Helm uses the istiod chart's `profile: remote` from 1.24; 1.23 is
    /// an error at the remote's `installer helm`.
    @Test func helmRemoteProfileFrom1_24() throws {
        let script = { (release: String) in
            Self.primaryRemoteScript(release).replacingOccurrences(of: "install remote of alpha >", with: "install remote of alpha installer helm >")
        }
        let old = try prepare(script("1.23"), in: try Scratch(), expectCheckErrors: true)
        old.expectCheckDiagnostic(.error, containing: "a remote of Istio 1.23 is not installed with Helm by MeshScript", line: 5, column: 50,
                                  help: "target istio \"1.24\" or newer")
        let new = try prepare(script("1.24"), in: try Scratch())
        try new.rendered()
        let istiod = try #require(new.plan.commandLines.first { $0.first == "helm" && $0.starts(with: ["helm", "upgrade", "--install", "istiod", "istiod"]) && $0.contains("--kube-context=beta") })
        #expect(istiod.contains("--set") && istiod.contains { $0.hasPrefix("global.remotePilotAddress=") }, "\(istiod)")
        #expect(yamlFile(new.layout.helmValues("beta", .istiod))?.at("profile")?.string == "remote")
    }
}

/// The remote secret's gates, at both ends, through what render writes and the plan runs for a
/// kubeconfig whose user is a cluster admin (minted) or Istio's reader account (written offline).
extension ReleaseGateTests {
    static func kubeconfigScript(_ release: String) -> String {
        """
        mesh m1 < istio "\(release)" >
        network net1
        root root < key ecdsa p256 >
        cluster east < context "ctx-east"; trust from root; install >
        cluster west < context "ctx-west"; trust from root; install; discover from east >

        """
    }

    func preparedWithKubeconfig(_ release: String, eastToken: String, eastTLSServerName: String? = nil) throws -> Prepared {
        let scratch = try Scratch()
        let east = KubeContext(name: "ctx-east", server: "https://10.1.2.3:6443", auth: .token(eastToken))
        let west = KubeContext(name: "ctx-west", server: "https://10.1.2.4:6443", auth: .token(KubeContext.reader("west")))
        var text = KubeContext.yaml([east, west])
        if let eastTLSServerName {
            text = text.replacingOccurrences(of: "    server: https://10.1.2.3:6443\n", with: "    server: https://10.1.2.3:6443\n    tls-server-name: \(eastTLSServerName)\n")
        }
        let kubeconfig = try scratch.write("config.yaml", text)
        return try prepare(Self.kubeconfigScript(release), in: scratch, environment: ["KUBECONFIG": kubeconfig])
    }

    /// With a cluster admin's kubeconfig, 1.23 falls back to `istioctl create-remote-secret`;
    /// from 1.24 render writes the reader account and the plan pipes `meshscript remote-secret`.
    @Test func theReaderTokenIsMintedFrom1_24() throws {
        let old = try preparedWithKubeconfig("1.23", eastToken: KubeContext.adminToken)
        try old.rendered()
        let oldStep = try #require(old.plan.discoverStep(source: "east", target: "west"))
        #expect(oldStep.commands.flatMap(\.pipeline).first?.prefix(2) == ["istioctl", "create-remote-secret"])
        #expect(!exists(old.layout.readerAccount("east")))
        let new = try preparedWithKubeconfig("1.24", eastToken: KubeContext.adminToken)
        try new.rendered()
        let newStep = try #require(new.plan.discoverStep(source: "east", target: "west"))
        #expect(newStep.commands.flatMap(\.pipeline).map { Array($0.prefix(2)) } == [["kubectl", "apply"], ["meshscript", "remote-secret"], ["kubectl", "apply"]])
        #expect(newStep.commands.flatMap(\.pipeline).contains { $0.contains("--istio=1.24") })
        #expect(exists(new.layout.readerAccount("east")))
        for prepared in [old, new] {
            #expect(!exists(prepared.layout.remoteSecret(source: "east", target: "west")), "an admin's token is never written")
        }
    }

    /// The kubeconfig's tls-server-name reaches the offline secret from 1.26.
    @Test func tlsServerNameFrom1_26() throws {
        for (release, carried) in [("1.25", false), ("1.26", true)] {
            let prepared = try preparedWithKubeconfig(release, eastToken: KubeContext.reader("east"), eastTLSServerName: "api.east.internal")
            try prepared.rendered()
            let text = read(prepared.layout.remoteSecret(source: "east", target: "west"))
            #expect(text.contains("tls-server-name: api.east.internal\n") == carried, "\(release):\n\(text)")
        }
    }

    /// From 1.28 (client-go 0.34) the secret has no `creationTimestamp: null` and no `preferences: {}`.
    @Test func remoteSecretOmitsEmptyFieldsFrom1_28() throws {
        for (release, omits) in [("1.27", false), ("1.28", true)] {
            let prepared = try preparedWithKubeconfig(release, eastToken: KubeContext.reader("east"))
            try prepared.rendered()
            let text = read(prepared.layout.remoteSecret(source: "east", target: "west"))
            #expect(text.contains("creationTimestamp: null") == !omits, "\(release):\n\(text)")
            #expect(text.contains("preferences: {}") == !omits, "\(release):\n\(text)")
        }
    }

    /// The reader ClusterRole reads ConfigMaps in 1.26, not in 1.27 and 1.28, and again from 1.29;
    /// 1.24 and 1.25 did not.
    @Test func readerRoleReadsConfigMapsIn1_26AndFrom1_29() throws {
        for (release, reads) in [("1.25", false), ("1.26", true), ("1.27", false), ("1.28", false), ("1.29", true)] {
            let prepared = try preparedWithKubeconfig(release, eastToken: KubeContext.adminToken)
            try prepared.rendered()
            let text = read(prepared.layout.readerAccount("east"))
            #expect(text.contains("- configmaps") == reads, "\(release):\n\(text)")
        }
    }

    /// `istio "current"` and the newest release give the same plan.
    @Test func currentIsTheNewestRelease() throws {
        let current = try prepare(Self.script("current"), in: try Scratch())
        let (newestPrepared, newest) = try plan("\(IstioReleases.newest)")
        #expect(commands(current, current.plan) == commands(newestPrepared, newest))
        #expect(current.plan.istio == "\(IstioReleases.newest)")
    }
}
