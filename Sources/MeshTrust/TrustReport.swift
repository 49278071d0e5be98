// What a render did, file by file, so the CLI can print a summary and tests can assert idempotence.

public struct TrustReport: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable {
        /// The file did not exist and was written.
        case created
        /// The file already had the right content and was left alone (not even rewritten).
        case reused
        /// The file existed with other content and was replaced (a rotated intermediate, or a
        /// derived file such as cert-chain.pem that no longer matched its sources).
        case rewritten
    }

    public struct File: Sendable, Hashable {
        public var path: String
        public var outcome: Outcome
        public var mode: UInt16
    }

    /// The spec's per-cluster layout.
    public struct ClusterFiles: Sendable, Hashable {
        public var directory: String
        public var caCert: String
        public var caKey: String
        public var rootCert: String
        public var certChain: String
        public var cacertsSecret: String

        init(workDirectory: String, cluster: String) {
            directory = TrustLayout.join(workDirectory, cluster)
            caCert = TrustLayout.join(directory, "ca-cert.pem")
            caKey = TrustLayout.join(directory, "ca-key.pem")
            rootCert = TrustLayout.join(directory, "root-cert.pem")
            certChain = TrustLayout.join(directory, "cert-chain.pem")
            cacertsSecret = TrustLayout.join(directory, "cacerts-secret.yaml")
        }
    }

    /// Every file of the layout, in the order they are committed (root first).
    public var files: [File]
    public var rootCertificate: String
    public var rootKey: String
    /// SHA-256 of the root certificate's DER, `AB:CD:...` like `openssl x509 -fingerprint -sha256`.
    public var rootFingerprint: String
    public var rootKeyAlgorithm: KeyAlgorithm
    public var clusters: [String: ClusterFiles]
    /// Things worth telling the user that are not errors (a reused root whose profile differs
    /// from the requested one, a key file whose permissions were tightened).
    public var notes: [String]

    public func outcome(of path: String) -> Outcome? {
        files.first { $0.path == path }?.outcome
    }

    /// True when the run wrote nothing at all.
    public var changedNothing: Bool {
        files.allSatisfy { $0.outcome == .reused }
    }
}

/// File names and path joining for the spec's WORK_DIR layout.
enum TrustLayout {
    static let rootCert = "root-cert.pem"
    static let rootKey = "root-key.pem"

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
