// The `cacerts` Secret istiod reads its plugged-in CA from, as a manifest. It is the exact
// document `kubectl create secret generic cacerts -n istio-system --from-file=ca-cert.pem
// --from-file=ca-key.pem --from-file=root-cert.pem --from-file=cert-chain.pem --dry-run=client -o yaml`
// prints for the same files, so applying either one gives the same object.

import Foundation
import Yams

/// The `cacerts` Secret in `istio-system` that istiod reads its plugged-in CA from.
public enum CacertsSecret {
    /// The Secret's name, `cacerts`.
    public static let name = "cacerts"
    /// Its namespace, `istio-system`.
    public static let namespace = "istio-system"
    /// All four are required: since Istio 1.27 a partial set stops istiod.
    public static let fileNames = ["ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"]

    /// The Secret as the YAML document `kubectl create secret generic cacerts -n istio-system
    /// --from-file=... --dry-run=client -o yaml` prints for the same four files.
    public static func manifest(caCert: Data, caKey: Data, rootCert: Data, certChain: Data) -> String {
        let files = ["ca-cert.pem": caCert, "ca-key.pem": caKey, "root-cert.pem": rootCert, "cert-chain.pem": certChain]
        // kubectl marshals through JSON maps, so every mapping comes out with its keys sorted,
        // and `type` is omitted (the API server defaults it to Opaque).
        let data = files.keys.sorted().map { key in
            (Node(key), stringNode(files[key]!.base64EncodedString()))
        }
        let document = Node([
            (Node("apiVersion"), Node("v1")),
            (Node("data"), Node(data)),
            (Node("kind"), Node("Secret")),
            (
                Node("metadata"),
                Node([
                    (Node("creationTimestamp"), Node("null")),
                    (Node("name"), Node(name)),
                    (Node("namespace"), Node(namespace)),
                ])
            ),
        ])
        do {
            // width -1: never fold, a long base64 value stays on one line as kubectl prints it.
            return try Yams.serialize(node: document, width: -1)
        } catch {
            // The document has a fixed shape of plain ASCII scalars; libyaml cannot refuse it.
            preconditionFailure("emitting the cacerts manifest failed: \(error)")
        }
    }

    /// A string scalar quoted the way kubectl's YAML encoder does: plain unless a reader would take
    /// the plain form for something else (`""`, `"1234"`, `"true"`, `"1e10"` are all valid base64).
    private static func stringNode(_ value: String) -> Node {
        Resolver.default.resolveTag(of: Node(value)) == .str ? Node(value) : Node(value, .implicit, .doubleQuoted)
    }
}
