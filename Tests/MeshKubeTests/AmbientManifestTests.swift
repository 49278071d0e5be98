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
