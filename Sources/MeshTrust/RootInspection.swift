// Checks a root CA pair before MeshScript trusts it (an existing WORK_DIR root, or one brought
// with `root NAME < from "DIR" >`), and computes the fingerprint used to compare the roots of
// linked clusters (the spec's check 2: different roots break cross-cluster mTLS).

import Crypto
import Foundation
import X509

/// Checks a root CA pair before MeshScript trusts it (an existing WORK_DIR root, or one brought
/// with `from "DIR"`), and computes the fingerprint that compares the roots of linked clusters.
public enum RootInspection {
    /// Reads `root-cert.pem` and `root-key.pem` from `directory` and inspects them.
    public static func inspect(directory: String, now: Date) throws(TrustError) -> RootCA {
        let certificatePath = TrustLayout.join(directory, TrustLayout.rootCert)
        let keyPath = TrustLayout.join(directory, TrustLayout.rootKey)
        var problems: [TrustError.Problem] = []
        var certificatePEM: Data?
        var keyPEM: Data?
        do { certificatePEM = try Disk.readExisting(certificatePath) } catch { problems += error.problems }
        do { keyPEM = try Disk.readExisting(keyPath) } catch { problems += error.problems }
        guard let certificatePEM, let keyPEM, problems.isEmpty else { throw TrustError(problems) }
        return try inspect(certificatePEM: certificatePEM, keyPEM: keyPEM, certificatePath: certificatePath, keyPath: keyPath, now: now)
    }

    /// Inspects `directory`'s root pair when either file is there (even a dangling link); nil
    /// when neither is, so a `from "DIR"` not made yet is not an error before render.
    public static func inspectIfPresent(directory: String, now: Date) throws(TrustError) -> RootCA? {
        let paths = [TrustLayout.rootCert, TrustLayout.rootKey].map { TrustLayout.join(directory, $0) }
        guard !paths.allSatisfy(Disk.isMissing) else { return nil }
        return try inspect(directory: directory, now: now)
    }

    /// A root is accepted when it is a self-signed CA that may sign an intermediate CA, signed with
    /// SHA-256 or stronger, currently valid, without an extendedKeyUsage that excludes serverAuth,
    /// with an RSA or ECDSA P-256/P-384 key that matches.
    public static func inspect(certificatePEM: Data, keyPEM: Data, certificatePath: String, keyPath: String, now: Date) throws(TrustError) -> RootCA {
        var problems: [TrustError.Problem] = []
        var certificate: Certificate?
        var key: Certificate.PrivateKey?
        do { certificate = try PEMReading.certificate(certificatePEM, path: certificatePath) } catch { problems += error.problems }
        do { key = try PEMReading.privateKey(keyPEM, path: keyPath) } catch { problems += error.problems }
        guard let certificate, let key else { throw TrustError(problems) }

        problems += certificateProblems(certificate, path: certificatePath, now: now)
        problems += CertificateChecks.keyMatches(certificate, key, certificatePath: certificatePath, keyPath: keyPath)
        let algorithm = KeyAlgorithm(publicKey: certificate.publicKey)
        if algorithm == nil {
            problems.append(.init(message: "has a \(certificate.publicKey) key; MeshScript supports RSA and ECDSA P-256/P-384 roots", path: certificatePath))
        }
        guard problems.isEmpty, let algorithm else { throw TrustError(problems) }
        do {
            return try RootCA(certificate: certificate, privateKey: key, certificatePEM: certificatePEM, keyPEM: keyPEM, keyAlgorithm: algorithm)
        } catch {
            throw TrustError("cannot be re-encoded: \(error)", path: certificatePath)
        }
    }

    /// The root checks that need only the certificate (used for a cacerts set, which has no root key).
    static func certificateProblems(_ certificate: Certificate, path: String, now: Date) -> [TrustError.Problem] {
        CertificateChecks.signatureAlgorithm(certificate, path: path)
            + CertificateChecks.certificateAuthority(certificate, path: path, needsPathLength: 1)
            + CertificateChecks.extendedKeyUsage(certificate, path: path)
            + CertificateChecks.selfSigned(certificate, path: path)
            + CertificateChecks.validity(certificate, now: now, path: path)
    }

    /// Fingerprint of the single certificate in a PEM file, e.g. each cluster's root-cert.pem.
    public static func fingerprint(certificatePEM: Data, path: String) throws(TrustError) -> String {
        let certificate = try PEMReading.certificate(certificatePEM, path: path)
        do {
            return fingerprint(der: try certificate.derBytes())
        } catch {
            throw TrustError("cannot be re-encoded: \(error)", path: path)
        }
    }

    /// SHA-256 over DER, upper-case hex pairs joined by colons, as
    /// `openssl x509 -noout -fingerprint -sha256` prints it (after `sha256 Fingerprint=`).
    public static func fingerprint(der: some DataProtocol) -> String {
        SHA256.hash(data: der).map { hexByte($0) }.joined(separator: ":")
    }

    private static let hexDigits = Array("0123456789ABCDEF")

    private static func hexByte(_ byte: UInt8) -> String {
        String([hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
    }
}
