// install.yaml, the east-west gateway, the cross-network Gateway and the
// istio-system Namespace, each parsed back and compared with the forms in
// /work/shared/spec/istio-artifacts.md, the seed and Istio's samples.
import Foundation
import MeshTestSupport
import Testing

@testable import MeshKube

@Suite struct InstallManifestTests {
    // spec "Install (IstioOperator)", current Istio.
    static let currentForm = """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        spec:
          values:
            global:
              meshID: mesh1
              multiCluster:
                clusterName: cluster2
              network: network1

        """

    // The seed's install.yaml (add-a-primary-cluster.txt), ${MESH} ${CLUSTER_2}
    // ${NETWORK_1} substituted, comments dropped: the current form plus meshNetworks and meshExpansion.
    static let seedForm = currentForm + """

              meshNetworks:
                network1:
                  endpoints:
                  - fromRegistry: Kubernetes
                  gateways:
                  - registry_service_name: istio-ingressgateway.istio-system.svc.cluster.local
                    port: 443
              meshExpansion:
                enabled: true

        """

    @Test func currentIstio() {
        let yaml = IstioOperatorManifest.install(InstallSpec(mesh: "mesh1", cluster: "cluster2", network: "network1"))
        expectSameYAML(yaml, Self.currentForm)
        #expect(!yaml.contains("meshExpansion"), "meshExpansion was removed in Istio 1.9")
        #expect(!yaml.contains("meshNetworks"))
    }

    @Test func istio1_6IsTheSeedForm() {
        let yaml = IstioOperatorManifest.install(
            InstallSpec(mesh: "mesh1", cluster: "cluster2", network: "network1", forms: IstioReleases.forms(for: IstioRelease(1, 6))!))
        expectSameYAML(yaml, Self.seedForm)
    }

    @Test(arguments: [IstioReleases.newest, IstioRelease(1, 6)])
    func revisionAndProfile(release: IstioRelease) {
        let yaml = IstioOperatorManifest.install(
            InstallSpec(
                mesh: "mesh1", cluster: "cluster2", network: "network1", revision: "1-24-0", profile: "minimal",
                forms: IstioReleases.forms(for: release)!))
        let base = release == IstioReleases.newest ? Self.currentForm : Self.seedForm
        let expected = base.replacingOccurrences(
            of: "spec:\n  values:", with: "spec:\n  profile: minimal\n  revision: 1-24-0\n  values:")
        expectSameYAML(yaml, expected)
    }

    /// Values YAML would read as another type stay strings (a mesh called "true",
    /// a network called "443").
    @Test func valuesThatLookLikeOtherTypesStayStrings() {
        let yaml = IstioOperatorManifest.install(InstallSpec(mesh: "true", cluster: "null", network: "443"))
        let value = YAMLValue(yaml: yaml)
        let global = value["spec"]?["values"]?["global"]
        #expect(global?["meshID"] == .string("true"))
        #expect(global?["multiCluster"]?["clusterName"] == .string("null"))
        #expect(global?["network"] == .string("443"))
    }

    /// Key order as written in the spec and the docs (kubectl's alphabetical order
    /// here too), two-space indentation.
    @Test func currentFormText() {
        let yaml = IstioOperatorManifest.install(InstallSpec(mesh: "mesh1", cluster: "cluster2", network: "network1"))
        #expect(yaml == Self.currentForm.replacingOccurrences(of: "\n\n", with: "\n"))
    }
}

@Suite struct MultiNetworkManifestTests {
    // What Istio's samples/multicluster/gen-eastwest-gateway.sh --network network2
    // prints (istio/istio master, commit 7adf6095), comments dropped.
    static let eastWestForm = """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata:
          name: eastwest
        spec:
          profile: empty
          components:
            ingressGateways:
              - name: istio-eastwestgateway
                label:
                  istio: eastwestgateway
                  app: istio-eastwestgateway
                  topology.istio.io/network: network2
                enabled: true
                k8s:
                  env:
                    - name: ISTIO_META_REQUESTED_NETWORK_VIEW
                      value: network2
                  service:
                    ports:
                      - name: status-port
                        port: 15021
                        targetPort: 15021
                      - name: tls
                        port: 15443
                        targetPort: 15443
                      - name: tls-istiod
                        port: 15012
                        targetPort: 15012
                      - name: tls-webhook
                        port: 15017
                        targetPort: 15017
          values:
            gateways:
              istio-ingressgateway:
                injectionTemplate: gateway
            global:
              network: network2

        """

    @Test func eastWestGateway() {
        let yaml = IstioOperatorManifest.eastWestGateway(cluster: "cluster2", network: "network2", mesh: "mesh1", revision: nil)
        expectSameYAML(yaml, Self.eastWestForm)
    }

    @Test func eastWestGatewayWithRevision() {
        let yaml = IstioOperatorManifest.eastWestGateway(
            cluster: "cluster2", network: "network2", mesh: "mesh1", revision: "canary")
        expectSameYAML(yaml, Self.eastWestForm.replacingOccurrences(of: "spec:\n", with: "spec:\n  revision: canary\n"))
    }

    /// The network label on the gateway, its env and values.global.network agree
    /// (spec check 10).
    /// Render removes a gateway it wrote for any release (a script may change its `istio`), and
    /// only such a file.
    @Test func aGatewayOfEveryReleaseIsRecognisedAsGenerated() {
        for forms in IstioReleases.table where forms.eastWestGateway {
            let yaml = IstioOperatorManifest.eastWestGateway(cluster: "c2", network: "net2", mesh: "m1", revision: "canary", forms: forms)
            #expect(IstioOperatorManifest.isGeneratedEastWestGateway(yaml), "\(forms.releases)")
            #expect(!IstioOperatorManifest.isGeneratedEastWestGateway(yaml + "# edited\n"), "\(forms.releases)")
        }
    }

    @Test func eastWestGatewayNetworkAgreesEverywhere() {
        let value = YAMLValue(
            yaml: IstioOperatorManifest.eastWestGateway(cluster: "c", network: "net-x", mesh: "m", revision: nil))
        let gateway = value["spec"]?["components"]?["ingressGateways"]?[0]
        #expect(gateway?["label"]?["topology.istio.io/network"] == .string("net-x"))
        #expect(gateway?["k8s"]?["env"]?[0]?["value"] == .string("net-x"))
        #expect(value["spec"]?["values"]?["global"]?["network"] == .string("net-x"))
    }

    // Istio's samples/multicluster/expose-services.yaml, applied with -n istio-system.
    @Test func crossNetworkGateway() {
        let yaml = CrossNetworkGateway.manifest(IstioReleases.forms(for: IstioReleases.newest)!)
        expectSameYAML(
            yaml,
            """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata:
              name: cross-network-gateway
              namespace: istio-system
            spec:
              selector:
                istio: eastwestgateway
              servers:
                - port:
                    number: 15443
                    name: tls
                    protocol: TLS
                  tls:
                    mode: AUTO_PASSTHROUGH
                  hosts:
                    - "*.local"

            """)
        // `*` starts an alias in YAML, so the host must be quoted.
        #expect(yaml.contains("- '*.local'"))
    }

    @Test func namespaceWithoutNetwork() {
        expectSameYAML(
            IstioSystemNamespace.manifest(network: nil),
            """
            apiVersion: v1
            kind: Namespace
            metadata:
              creationTimestamp: null
              name: istio-system
            spec: {}
            status: {}

            """)
    }

    /// Byte-identical to `kubectl create namespace istio-system --dry-run=client -o yaml`,
    /// piped through `kubectl label --local ... topology.istio.io/network=NET`.
    @Test(.enabled(if: Kubectl.isInstalled, Comment(rawValue: Kubectl.absence)), arguments: [nil, "network1"] as [String?])
    func namespaceMatchesKubectl(network: String?) throws {
        let home = try Scratch()
        let created = try Kubectl.run(
            ["create", "namespace", "istio-system", "--dry-run=client", "-o", "yaml"], home: home.path)
        try #require(created.status == 0, "\(created.stderr)")
        var reference = created.stdout
        if let network {
            let labeled = try Kubectl.run(
                ["label", "--local", "-f", "-", "topology.istio.io/network=\(network)", "-o", "yaml"],
                stdin: created.stdout, home: home.path)
            try #require(labeled.status == 0, "\(labeled.stderr)")
            reference = labeled.stdout
        }
        #expect(IstioSystemNamespace.manifest(network: network) == reference)
    }
}
