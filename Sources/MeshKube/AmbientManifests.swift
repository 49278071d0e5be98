// What ambient multicluster adds to a cluster, as Istio's guide "Install ambient multi-primary on
// different networks" writes it: the east-west Gateway that carries double-HBONE between networks
// (`samples/multicluster/gen-eastwest-gateway.sh --network NET --ambient`), and istiod's switch
// for multi-network ambient. The Gateway API CRDs it needs are a plan step, not a file.
import Yams

/// The pieces of Istio's ambient multicluster procedure that MeshScript writes.
public enum AmbientMulticluster {
    /// istiod's environment variable that turns multi-network ambient on (pilot/pkg/features/ambient.go).
    public static let multiNetworkVariable = "AMBIENT_ENABLE_MULTI_NETWORK"
    /// The GatewayClass Istio provides for ambient east-west gateways.
    public static let gatewayClassName = "istio-east-west"
    /// The east-west gateway's name, the same as the sidecar model's Service.
    public static let gatewayName = "istio-eastwestgateway"
    /// The label Istio's Gateway controller puts on the Deployment it runs for a Gateway.
    public static let gatewayNameLabel = "gateway.networking.k8s.io/gateway-name"
    /// The CRD whose presence says the Gateway API is installed.
    public static let gatewayCRD = "gateways.gateway.networking.k8s.io"
    /// Where the Gateway API's standard CRDs of `version` are published (the guide installs the
    /// same CRDs with `kubectl kustomize github.com/kubernetes-sigs/gateway-api/config/crd?ref=VERSION`).
    public static func gatewayAPICRDsURL(version: String) -> String {
        "https://github.com/kubernetes-sigs/gateway-api/releases/download/\(version)/standard-install.yaml"
    }
    /// The HBONE port the east-west gateway listens on.
    public static let hbonePort = 15008

    /// `WORK_DIR/<cluster>/eastwest-gateway.yaml` for an ambient cluster on `network`: the Gateway
    /// that `gen-eastwest-gateway.sh --network NETWORK --ambient` prints, applied with `kubectl apply`.
    ///
    /// ```
    /// apiVersion: gateway.networking.k8s.io/v1
    /// kind: Gateway
    /// metadata:
    ///   name: istio-eastwestgateway
    ///   namespace: istio-system
    ///   labels:
    ///     topology.istio.io/network: NETWORK
    /// spec:
    ///   gatewayClassName: istio-east-west
    ///   listeners:
    ///   - name: mesh
    ///     port: 15008
    ///     protocol: HBONE
    ///     tls:
    ///       mode: Terminate
    ///       options:
    ///         gateway.istio.io/tls-terminate-mode: ISTIO_MUTUAL
    /// ```
    public static func eastWestGateway(network: String) -> String {
        let listener = ManifestYAML.map([
            "name": ManifestYAML.string("mesh"),
            "port": ManifestYAML.int(hbonePort),
            "protocol": ManifestYAML.string("HBONE"),
            "tls": ManifestYAML.map([
                // Terminate here means double HBONE: the outer tunnel ends at the gateway.
                "mode": ManifestYAML.string("Terminate"),
                "options": ManifestYAML.map(["gateway.istio.io/tls-terminate-mode": ManifestYAML.string("ISTIO_MUTUAL")]),
            ]),
        ])
        return ManifestYAML.emit(
            ManifestYAML.map([
                "apiVersion": ManifestYAML.string("gateway.networking.k8s.io/v1"),
                "kind": ManifestYAML.string("Gateway"),
                "metadata": ManifestYAML.map([
                    "name": ManifestYAML.string(gatewayName),
                    "namespace": ManifestYAML.string("istio-system"),
                    "labels": ManifestYAML.map([(IstioSystemNamespace.networkLabel, ManifestYAML.string(network))]),
                ]),
                "spec": ManifestYAML.map([
                    "gatewayClassName": ManifestYAML.string(gatewayClassName),
                    "listeners": ManifestYAML.seq([listener]),
                ]),
            ]))
    }

    /// Whether `text` is, byte for byte, a gateway ``eastWestGateway(network:)`` writes, so that
    /// render may remove it once the cluster no longer needs it (a file edited by hand is kept).
    public static func isGeneratedEastWestGateway(_ text: String) -> Bool {
        guard let document = try? Yams.compose(yaml: text),
              let network = document["metadata"]?["labels"]?[Node(IstioSystemNamespace.networkLabel)]?.string
        else { return false }
        return text == eastWestGateway(network: network)
    }
}
