// The ambient east-west gateway, compared by value with the Gateway that Istio's guide "Install
// ambient multi-primary on different networks" applies (and `gen-eastwest-gateway.sh --ambient`
// prints) for the same network.
import Foundation
import Testing

@testable import MeshKube

@Suite struct AmbientManifestTests {
    /// The guide's cluster2-ewgateway.yaml, network2; written here as test data.
    static let guideGateway = """
        kind: Gateway
        apiVersion: gateway.networking.k8s.io/v1
        metadata:
          name: istio-eastwestgateway
          namespace: istio-system
          labels:
            topology.istio.io/network: "network2"
        spec:
          gatewayClassName: istio-east-west
          listeners:
          - name: mesh
            port: 15008
            protocol: HBONE
            tls:
              mode: Terminate
              options:
                gateway.istio.io/tls-terminate-mode: ISTIO_MUTUAL
        """

    @Test func eastWestGatewayIsTheGuides() {
        #expect(YAMLValue(yaml: AmbientMulticluster.eastWestGateway(network: "network2")) == YAMLValue(yaml: Self.guideGateway))
        // The network is the one asked for, not a constant.
        #expect(YAMLValue(yaml: AmbientMulticluster.eastWestGateway(network: "network1")) != YAMLValue(yaml: Self.guideGateway))
    }

    @Test func onlyAnUneditedGatewayIsRecognisedAsGenerated() {
        let generated = AmbientMulticluster.eastWestGateway(network: "net-a")
        #expect(AmbientMulticluster.isGeneratedEastWestGateway(generated))
        #expect(!AmbientMulticluster.isGeneratedEastWestGateway(generated.replacingOccurrences(of: "15008", with: "15009")))
        #expect(!AmbientMulticluster.isGeneratedEastWestGateway(Self.guideGateway))
        #expect(!AmbientMulticluster.isGeneratedEastWestGateway("not: [yaml"))
    }
}

/// The ambient control plane as the guide installs it: install.yaml's `profile: ambient` with
/// `components.pilot.k8s.env` AMBIENT_ENABLE_MULTI_NETWORK, and the Helm values of the guide's
/// `helm install istiod ... --set profile=ambient --set env.AMBIENT_ENABLE_MULTI_NETWORK="true"`
/// and `helm install istio-cni istio/cni --set profile=ambient`.
@Suite struct AmbientControlPlaneTests {
    static var spec: InstallSpec {
        var spec = InstallSpec(mesh: "mesh1", cluster: "cluster1", network: "network1", profile: "ambient")
        spec.ambientMultiNetwork = true
        return spec
    }

    /// The guide's cluster1.yaml (its `apiVersion` has a typo, `insall.istio.io`; written here as istioctl reads it).
    static let guideInstall = """
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        spec:
          profile: ambient
          components:
            pilot:
              k8s:
                env:
                  - name: AMBIENT_ENABLE_MULTI_NETWORK
                    value: "true"
          values:
            global:
              meshID: mesh1
              multiCluster:
                clusterName: cluster1
              network: network1
        """

    @Test func installYAMLIsTheGuides() {
        #expect(YAMLValue(yaml: IstioOperatorManifest.install(Self.spec)) == YAMLValue(yaml: Self.guideInstall))
        var sidecar = Self.spec
        sidecar.ambientMultiNetwork = false
        #expect(!IstioOperatorManifest.install(sidecar).contains("AMBIENT_ENABLE_MULTI_NETWORK"))
    }

    @Test func helmValuesAreTheGuides() {
        expectSameYAML(HelmValues.istiod(Self.spec).yaml, HelmValuesTests.guideValues([
            "profile=ambient", "env.AMBIENT_ENABLE_MULTI_NETWORK=true", "global.meshID=mesh1",
            "global.multiCluster.clusterName=cluster1", "global.network=network1"]))
        expectSameYAML(HelmValues.ambientCNI.yaml, HelmValuesTests.guideValues(["profile=ambient"]))
        expectSameYAML(HelmValues.ztunnel(cluster: "cluster1", network: "network1").yaml,
                       HelmValuesTests.guideValues(["multiCluster.clusterName=cluster1", "network=network1"]))
    }
}
