// Checks a directory holding the four cacerts files before they are pushed to a cluster, whoever
// made them: the spec's checks 4 (SHA-1), 5 (ca-cert not a CA, not chaining to the root, key
// mismatch) and 6 (a partial set).

import Foundation
import X509

/// Checks a directory holding the four cacerts files before they are pushed to a cluster, whoever
/// made them: a partial set, SHA-1, a ca-cert that is not a CA, does not chain to the root or does
/// not match its key, and a cert-chain.pem that is not the intermediate then the root.
public enum CacertsInspection {
    /// What a directory that passed every check holds.
    public struct Summary: Sendable, Hashable {
        /// Fingerprint of root-cert.pem, to compare with the clusters this one is linked to.
        public var rootFingerprint: String
        /// The intermediate's subject, e.g. `O=Istio, CN=Intermediate CA, L=cluster1`.
        public var intermediateSubject: String
        /// When the intermediate expires.
        public var intermediateNotValidAfter: Date
    }

    /// Inspects `directory` (all four files, read and checked at `now`).
    /// - Throws: ``TrustError`` with every problem found.
    public static func inspect(directory: String, now: Date) throws(TrustError) -> Summary {
        var problems: [TrustError.Problem] = []
        var contents: [String: Data] = [:]
        for name in CacertsSecret.fileNames {
            let path = TrustLayout.join(directory, name)
            do {
                if let data = try Disk.read(path) { contents[name] = data }
            } catch {
                problems += error.problems
            }
        }
        let missing = CacertsSecret.fileNames.filter { contents[$0] == nil }
        if !missing.isEmpty {
            problems.append(
                .init(
                    message: "holds a partial cacerts set: \(missing.joined(separator: ", ")) missing; istiod needs all four files",
                    path: directory, help: "provide \(CacertsSecret.fileNames.joined(separator: ", "))"
                )
            )
        }
        guard problems.isEmpty else { throw TrustError(problems) }

        let caCertPath = TrustLayout.join(directory, "ca-cert.pem")
        let caKeyPath = TrustLayout.join(directory, "ca-key.pem")
        let rootPath = TrustLayout.join(directory, "root-cert.pem")
        let chainPath = TrustLayout.join(directory, "cert-chain.pem")
        var caCert: Certificate?
        var caKey: Certificate.PrivateKey?
        var root: Certificate?
        var chain: [Certificate]?
        do { caCert = try PEMReading.certificate(contents["ca-cert.pem"]!, path: caCertPath) } catch { problems += error.problems }
        do { caKey = try PEMReading.privateKey(contents["ca-key.pem"]!, path: caKeyPath) } catch { problems += error.problems }
        do { root = try PEMReading.certificate(contents["root-cert.pem"]!, path: rootPath) } catch { problems += error.problems }
        do { chain = try PEMReading.certificates(contents["cert-chain.pem"]!, path: chainPath) } catch { problems += error.problems }
        guard let caCert, let caKey, let root, let chain else { throw TrustError(problems) }

        problems += RootInspection.certificateProblems(root, path: rootPath, now: now)
        problems += CertificateChecks.intermediate(
            caCert, key: caKey, root: root, now: now, certificatePath: caCertPath, keyPath: caKeyPath, rootPath: rootPath
        )
        if chain.first != caCert || chain.last != root || chain.count < 2 {
            problems.append(
                .init(message: "must hold ca-cert.pem first and root-cert.pem last", path: chainPath, help: "cat ca-cert.pem root-cert.pem > cert-chain.pem")
            )
        }
        guard problems.isEmpty else { throw TrustError(problems) }
        do {
            return Summary(
                rootFingerprint: RootInspection.fingerprint(der: try root.derBytes()),
                intermediateSubject: IstioProfile.attributes(of: caCert.subject).distinguishedNameText,
                intermediateNotValidAfter: caCert.notValidAfter
            )
        } catch {
            throw TrustError("cannot be re-encoded: \(error)", path: rootPath)
        }
    }
}
