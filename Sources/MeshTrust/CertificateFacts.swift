// What can be said about a `cacerts` secret read back from a cluster, from its three public
// files alone: the key (`ca-key.pem`) is never asked for, so it is never decoded or kept.
// The same facts are read from a work directory, so the two can be compared.

import Foundation
import X509

/// The identity of an intermediate CA and the root above it.
public struct CacertsFacts: Sendable, Hashable, Codable {
    /// SHA-256 of root-cert.pem (as `openssl x509 -fingerprint -sha256` prints it).
    public var rootFingerprint: String
    /// SHA-256 of ca-cert.pem: two intermediates are the same exactly when this is.
    public var intermediateFingerprint: String
    /// The intermediate's subject, e.g. `O=Istio, CN=Intermediate CA, L=cluster1`.
    public var intermediateSubject: String
    /// The intermediate's serial number, hex pairs joined by colons.
    public var intermediateSerial: String
    /// When the intermediate expires (its notAfter).
    public var intermediateNotValidAfter: Date
    /// Whether ca-cert.pem is signed by root-cert.pem, and cert-chain.pem runs from the one
    /// to the other; when not, `problems` says why.
    public var chainVerifies: Bool
    /// Why the chain does not verify; empty when it does.
    public var problems: [String]
}

/// Reads `CacertsFacts` from a cacerts set's public files, in memory or in a work directory.
public enum CertificateFacts {
    /// The facts of a cacerts set from the bytes of its public files.
    /// - Parameter caCertificate: ca-cert.pem, the cluster's intermediate CA certificate.
    /// - Parameter rootCertificate: root-cert.pem, the root CA certificate.
    /// - Parameter chain: cert-chain.pem; nil when the set has none (then the chain does not verify).
    /// - Parameter origin: where the files came from (a directory, a cluster's secret), for the paths in errors.
    /// - Throws: when ca-cert.pem or root-cert.pem is not one readable certificate.
    public static func cacerts(caCertificate: Data, rootCertificate: Data, chain: Data?,
                               origin: String) throws(TrustError) -> CacertsFacts {
        let caCert = try PEMReading.certificate(caCertificate, path: origin + "/ca-cert.pem")
        let root = try PEMReading.certificate(rootCertificate, path: origin + "/root-cert.pem")
        var problems = CertificateChecks.chains(caCert, to: root, path: "ca-cert.pem", rootPath: "root-cert.pem").map(\.message)
        if let chain {
            let certificates = (try? PEMReading.certificates(chain, path: origin + "/cert-chain.pem")) ?? []
            if certificates.first != caCert || certificates.last != root || certificates.count < 2 {
                problems.append("cert-chain.pem does not run from ca-cert.pem to root-cert.pem")
            }
        } else {
            problems.append("cert-chain.pem is missing")
        }
        return CacertsFacts(
            rootFingerprint: try fingerprint(root, origin: origin),
            intermediateFingerprint: try fingerprint(caCert, origin: origin),
            intermediateSubject: IstioProfile.attributes(of: caCert.subject).distinguishedNameText,
            intermediateSerial: caCert.serialNumber.bytes.map { String(format: "%02X", $0) }.joined(separator: ":"),
            intermediateNotValidAfter: caCert.notValidAfter,
            chainVerifies: problems.isEmpty, problems: problems)
    }

    /// The facts of a work directory's cacerts files for one cluster, or nil when they are not there.
    public static func cacerts(directory: String) -> CacertsFacts? {
        func read(_ name: String) -> Data? { try? Disk.read(TrustLayout.join(directory, name)) }
        guard let caCert = read("ca-cert.pem"), let root = read("root-cert.pem") else { return nil }
        return try? cacerts(caCertificate: caCert, rootCertificate: root, chain: read("cert-chain.pem"), origin: directory)
    }

    private static func fingerprint(_ certificate: Certificate, origin: String) throws(TrustError) -> String {
        do {
            return RootInspection.fingerprint(der: try certificate.derBytes())
        } catch {
            throw TrustError("cannot be re-encoded: \(error)", path: origin)
        }
    }
}
