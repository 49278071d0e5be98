// What a render did, file by file, so the CLI can print a summary and tests can assert idempotence.

/// What a trust render did, file by file: the root's files and each cluster's cacerts files,
/// whether each was created, reused or rewritten, and the root's fingerprint.
public struct TrustReport: Sendable, Hashable {
    /// What happened to one file.
    public enum Outcome: String, Sendable, Hashable {
        /// The file did not exist and was written.
        case created
        /// The file already had the right content and was left alone (not even rewritten).
        case reused
        /// The file existed with other content and was replaced (a rotated intermediate, or a
        /// derived file such as cert-chain.pem that no longer matched its sources).
        case rewritten
    }

    /// One file of the layout and what happened to it.
    public struct File: Sendable, Hashable {
        /// The file's path.
        public var path: String
        /// Created, reused or rewritten.
        public var outcome: Outcome
        /// Its permission bits (0o600 for keys, 0o644 for certificates).
        public var mode: UInt16
    }

    /// The spec's per-cluster layout.
    public struct ClusterFiles: Sendable, Hashable {
        /// The cluster's directory, `WORK_DIR/CLUSTER`.
        public var directory: String
        /// `ca-cert.pem`: the cluster's intermediate CA certificate.
        public var caCert: String
        /// `ca-key.pem`: the intermediate's private key (mode 0600).
        public var caKey: String
        /// `root-cert.pem`: the root certificate, as the cluster's copy.
        public var rootCert: String
        /// `cert-chain.pem`: the intermediate followed by the root.
        public var certChain: String
        /// `cacerts-secret.yaml`: the `cacerts` Secret for `istio-system`, holding the four files above.
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
    /// The path of the root certificate, `WORK_DIR/root-cert.pem`.
    public var rootCertificate: String
    /// The path of the root's private key, `WORK_DIR/root-key.pem`.
    public var rootKey: String
    /// SHA-256 of the root certificate's DER, `AB:CD:...` like `openssl x509 -fingerprint -sha256`.
    public var rootFingerprint: String
    /// The root key's algorithm.
    public var rootKeyAlgorithm: KeyAlgorithm
    /// Each trusting cluster's files, by cluster name.
    public var clusters: [String: ClusterFiles]
    /// Things worth telling the user that are not errors (a reused root whose profile differs
    /// from the requested one, a key file whose permissions were tightened).
    public var notes: [String]

    /// What happened to the file at `path`, nil when it is not part of the layout.
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
