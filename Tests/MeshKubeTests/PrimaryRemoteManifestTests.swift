// The primary-remote artifacts, parsed back and compared field by field with what Istio's
// guides ("Install Primary-Remote", "... on different networks") and samples/multicluster
// produce for the same inputs (cluster1 primary on network1, cluster2 its remote).
import Foundation
import MeshTestSupport
import Testing

@testable import MeshKube

@Suite struct PrimaryRemoteManifestTests {
    // The guide's cluster1.yaml (current Istio: `values.global.externalIstiod: true`).
    static let primaryForm = """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        spec:
          values:
            global:
              meshID: mesh1
              multiCluster:
                clusterName: cluster1
              network: network1
              externalIstiod: true

        """

    // The older guides' `istioctl install --set values.pilot.env.EXTERNAL_ISTIOD=true -f cluster1.yaml`, as one file.
    static let primaryEnvForm = """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        spec:
          values:
            global:
              meshID: mesh1
              multiCluster:
                clusterName: cluster1
              network: network1
            pilot:
              env:
                EXTERNAL_ISTIOD: true

        """

    // The guide's cluster2.yaml, with ${DISCOVERY_ADDRESS} = 192.0.2.10 (one network: net/network1).
    static func remoteForm(network: String) -> String {
        """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        spec:
          profile: remote
          values:
            istiodRemote:
              injectionPath: /inject/cluster/cluster2/net/\(network)
            global:
              remotePilotAddress: 192.0.2.10

        """
    }

    @Test func primaryWithRemotesSetsExternalIstiod() {
        let spec = InstallSpec(mesh: "mesh1", cluster: "cluster1", network: "network1")
        var current = spec
        current.overlay = PrimaryRemoteValues.primary(globalExternalIstiod: true)
        expectSameYAML(IstioOperatorManifest.install(current), Self.primaryForm)
        var older = spec
        older.overlay = PrimaryRemoteValues.primary(globalExternalIstiod: false)
        expectSameYAML(IstioOperatorManifest.install(older), Self.primaryEnvForm)
        // Without remotes nothing changes.
        #expect(!IstioOperatorManifest.install(spec).contains("EXTERNAL_ISTIOD") && !IstioOperatorManifest.install(spec).contains("externalIstiod"))
    }

    /// install.yaml plus the `--set values.global.remotePilotAddress=ADDR` apply adds is the guide's cluster2.yaml.
    @Test(arguments: ["network1", "network2"])
    func remoteIsTheGuidesClusterTwo(network: String) throws {
        let file = IstioOperatorManifest.remote(cluster: "cluster2", network: network)
        #expect(!file.contains("remotePilotAddress"), "the address is known only at apply time")
        let set = PrimaryRemoteValues.istioctlSet(PrimaryRemoteValues.remotePilotAddress, "192.0.2.10")
        #expect(set == ["--set", "values.global.remotePilotAddress=192.0.2.10"])
        // What istioctl builds from the file and the --set.
        let path = try #require(set[1].split(separator: "=").first).split(separator: ".").dropFirst().map(String.init)
        let values = PrimaryRemoteValues.remote(cluster: "cluster2", network: network).merging(.at(path, .string("192.0.2.10")))
        let merged = """
            apiVersion: install.istio.io/v1alpha1
            kind: IstioOperator
            spec:
              profile: remote

            """ + indent(ManifestYAMLProbe.values(values), by: 2, under: "values")
        expectSameYAML(merged, Self.remoteForm(network: network))
        expectSameYAML(file, Self.remoteForm(network: network).replacingOccurrences(of: "    global:\n      remotePilotAddress: 192.0.2.10\n", with: ""))
    }

    // samples/multicluster/expose-istiod.yaml, namespace written in.
    static let exposeIstiodGateway = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata:
          name: istiod-gateway
          namespace: istio-system
        spec:
          selector:
            istio: eastwestgateway
          servers:
            - port:
                name: tls-istiod
                number: 15012
                protocol: tls
              tls:
                mode: PASSTHROUGH
              hosts:
                - "*"
            - port:
                name: tls-istiodwebhook
                number: 15017
                protocol: tls
              tls:
                mode: PASSTHROUGH
              hosts:
                - "*"

        """

    static func exposeIstiodVirtualService(name: String, host: String, sniHosts: [String]) -> String {
        let sni = sniHosts.map { "      - \"\($0)\"" }.joined(separator: "\n")
        return """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: \(name)
              namespace: istio-system
            spec:
              hosts:
              - "*"
              gateways:
              - istiod-gateway
              tls:
              - match:
                - port: 15012
                  sniHosts:
            \(sni)
                route:
                - destination:
                    host: \(host)
                    port:
                      number: 15012
              - match:
                - port: 15017
                  sniHosts:
            \(sni)
                route:
                - destination:
                    host: \(host)
                    port:
                      number: 443

            """
    }

    @Test func exposeIstiodIsTheSample() throws {
        let documents = ExposeIstiod.manifest(revision: nil).components(separatedBy: "---\n")
        try #require(documents.count == 2)
        expectSameYAML(documents[0], Self.exposeIstiodGateway)
        expectSameYAML(documents[1], Self.exposeIstiodVirtualService(name: "istiod-vs", host: "istiod.istio-system.svc.cluster.local", sniHosts: ["*"]))
    }

    /// expose-istiod-rev.yaml.tmpl with {{.Revision}} = 1-30.
    @Test func exposeIstiodForARevisionIsTheTemplate() throws {
        let documents = ExposeIstiod.manifest(revision: "1-30").components(separatedBy: "---\n")
        try #require(documents.count == 2)
        expectSameYAML(documents[0], Self.exposeIstiodGateway)
        expectSameYAML(documents[1], Self.exposeIstiodVirtualService(
            name: "istiod-vs-1-30", host: "istiod-1-30.istio-system.svc.cluster.local",
            sniHosts: ["istiod-1-30.istio-system.svc", "istiod-1-30.istio-system.svc.cluster.local"]))
    }

    /// `kubectl create namespace istio-system --dry-run=client -o yaml` after the guide's
    /// `kubectl annotate namespace istio-system topology.istio.io/controlPlaneClusters=cluster1`
    /// (and, across networks, its `label ... topology.istio.io/network=network2`).
    @Test func remoteNamespaceNamesItsPrimary() {
        expectSameYAML(IstioSystemNamespace.manifest(network: nil, controlPlaneClusters: "cluster1"), """
            apiVersion: v1
            kind: Namespace
            metadata:
              annotations:
                topology.istio.io/controlPlaneClusters: cluster1
              creationTimestamp: null
              name: istio-system
            spec: {}
            status: {}

            """)
        expectSameYAML(IstioSystemNamespace.manifest(network: "network2", controlPlaneClusters: "cluster1"), """
            apiVersion: v1
            kind: Namespace
            metadata:
              annotations:
                topology.istio.io/controlPlaneClusters: cluster1
              creationTimestamp: null
              labels:
                topology.istio.io/network: network2
              name: istio-system
            spec: {}
            status: {}

            """)
    }

    private func indent(_ yaml: String, by spaces: Int, under key: String) -> String {
        let pad = String(repeating: " ", count: spaces)
        return pad + key + ":\n" + yaml.split(separator: "\n").map { pad + "  " + $0 }.joined(separator: "\n") + "\n"
    }
}

/// The `values` mapping as YAML, alone.
enum ManifestYAMLProbe {
    static func values(_ values: ValueTree) -> String { values.yaml }
}
