// What the caller asks the certificate authority for: where to write, which root, which clusters.
// These are plain values; all effects happen in TrustRenderer.

import Foundation

/// How to make a root CA. The defaults are Istio's `root-ca` Makefile target.
public struct RootProfile: Sendable, Hashable {
    /// The certificate's organization (O=), `Istio` by default.
    public var organization: String
    /// The certificate's common name (CN=), `Root CA` by default.
    public var commonName: String
    /// Validity of the root; intermediates get the same number of days (capped at the root's expiry).
    public var days: Int
    /// The root key's algorithm, RSA 4096 by default.
    public var key: KeyAlgorithm

    /// A root profile; the defaults are Istio's `root-ca` Makefile target.
    public init(organization: String = "Istio", commonName: String = "Root CA", days: Int = 3650, key: KeyAlgorithm = .rsa(bits: 4096)) {
        self.organization = organization
        self.commonName = commonName
        self.days = days
        self.key = key
    }
}

/// Where the root comes from when WORK_DIR does not have one yet.
public enum RootSource: Sendable, Hashable {
    /// Generate a new root with this profile.
    case generate(RootProfile)
    /// A directory holding `root-cert.pem` and `root-key.pem` made elsewhere (a company CA, an
    /// earlier mesh). It is inspected, then copied byte for byte into WORK_DIR.
    case existing(directory: String)
}

/// What the certificate authority is asked for: where to write, which root, which clusters.
public struct TrustRequest: Sendable {
    /// The spec's WORK_DIR.
    public var workDirectory: String
    /// Where the root comes from when WORK_DIR has none yet.
    public var root: RootSource
    /// DNS-1123 cluster names, already validated by the caller; each becomes `WORK_DIR/<name>/`.
    public var clusters: [String]
    /// Clusters whose intermediate is re-issued even though one already exists.
    public var rotate: Set<String>
    /// The clock, passed in so that rendering is reproducible in tests.
    public var now: Date

    /// A request; see the properties for each argument.
    public init(workDirectory: String, root: RootSource, clusters: [String], rotate: Set<String> = [], now: Date) {
        self.workDirectory = workDirectory
        self.root = root
        self.clusters = clusters
        self.rotate = rotate
        self.now = now
    }
}

/// Progress events, delivered from whichever thread did the work (key generation runs in parallel).
public enum TrustProgress: Sendable, Hashable {
    /// A new root key is being generated (the slow step for RSA 4096, done once).
    case generatingRoot(KeyAlgorithm)
    /// Intermediates to issue in this run; sent before the first `issuedIntermediate`.
    case issuingIntermediates(total: Int)
    /// One cluster's intermediate was issued: `completed` of `total`.
    case issuedIntermediate(cluster: String, completed: Int, total: Int)
    /// A file was committed to disk (files that are already right are not written and not reported).
    case wroteFile(path: String, completed: Int, total: Int)
}
