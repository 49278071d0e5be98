// The individual checks behind RootInspection, intermediate reuse and CacertsInspection.
// Each returns problems instead of throwing, so one run reports everything wrong with a file set.
// These are the spec's checks 4 (SHA-1) and 5 (not a CA, does not chain, key mismatch), and
// what istiod's own check adds: security/pkg/pki/util/keycertbundle.go `Verify` runs Go's
// x509 `Certificate.Verify` over ca-cert -> cert-chain -> root-cert with the default key
// usage, serverAuth, so every certificate of the chain that lists extended key usages must
// list serverAuth (or anyExtendedKeyUsage); then `tls.X509KeyPair` matches key and certificate.

import Foundation
import SwiftASN1
import X509

enum CertificateChecks {
    /// Signature algorithms istiod accepts. SHA-1 (and anything older) is refused by istiod,
    /// so it is refused here before it can reach a cluster.
    static let acceptedSignatureAlgorithms: Set<Certificate.SignatureAlgorithm> = [
        .sha256WithRSAEncryption, .sha384WithRSAEncryption, .sha512WithRSAEncryption,
        .ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512,
    ]

    static func signatureAlgorithm(_ certificate: Certificate, path: String) -> [TrustError.Problem] {
        guard !acceptedSignatureAlgorithms.contains(certificate.signatureAlgorithm) else { return [] }
        return [weakSignatureProblem(algorithm: "\(certificate.signatureAlgorithm)", path: path)]
    }

    static func weakSignatureProblem(algorithm: String, path: String) -> TrustError.Problem {
        .init(
            message: "is signed with \(algorithm), which istiod rejects; SHA-256 or stronger is required",
            path: path, help: "re-issue the certificate with `-sha256` (or let MeshScript generate it)"
        )
    }

    /// Obsolete signature algorithms, by OID, for certificates swift-certificates refuses to parse.
    private static let weakSignatureAlgorithms: [ASN1ObjectIdentifier: String] = [
        [1, 2, 840, 113549, 1, 1, 5]: "sha1WithRSAEncryption",
        [1, 2, 840, 10045, 4, 1]: "ecdsa-with-SHA1",
        [1, 2, 840, 113549, 1, 1, 4]: "md5WithRSAEncryption",
        [1, 2, 840, 10040, 4, 3]: "dsaWithSHA1",
        [1, 3, 14, 3, 2, 29]: "sha1WithRSASignature",
    ]

    /// Reads only the outer `signatureAlgorithm` of a DER certificate
    /// (Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }).
    static func weakSignatureAlgorithmName(certificateDER: [UInt8]) -> String? {
        guard let root = try? DER.parse(certificateDER), case .constructed(let parts) = root.content else { return nil }
        var iterator = parts.makeIterator()
        _ = iterator.next()
        guard let algorithm = iterator.next(), case .constructed(let fields) = algorithm.content,
            let oidNode = fields.first(where: { _ in true }),
            let oid = try? ASN1ObjectIdentifier(derEncoded: oidNode)
        else { return nil }
        return weakSignatureAlgorithms[oid]
    }

    /// CA:TRUE, and keyCertSign when keyUsage is present. `needsPathLength` is the number of CA
    /// certificates that must be allowed below this one (1 for a root: the intermediate).
    static func certificateAuthority(_ certificate: Certificate, path: String, needsPathLength: Int) -> [TrustError.Problem] {
        var problems: [TrustError.Problem] = []
        switch try? certificate.extensions.basicConstraints {
        case .isCertificateAuthority(let maxPathLength):
            if let maxPathLength, maxPathLength < needsPathLength {
                problems.append(.init(message: "has basicConstraints pathlen:\(maxPathLength), which forbids the intermediate CA below it", path: path))
            }
        case .notCertificateAuthority, .none:
            problems.append(
                .init(
                    message: "is not a CA certificate (basicConstraints CA:TRUE is missing)", path: path,
                    help: "a certificate authority needs `basicConstraints = critical, CA:true`"
                )
            )
        }
        if let keyUsage = try? certificate.extensions.keyUsage, !keyUsage.keyCertSign {
            problems.append(.init(message: "has a keyUsage without keyCertSign, so it may not sign certificates", path: path))
        }
        return problems
    }

    /// An extendedKeyUsage, when present, includes serverAuth or anyExtendedKeyUsage: Go's
    /// x509 verification in istiod's `util.Verify` rejects the chain otherwise (istiod then
    /// refuses the cacerts secret and does not start its CA).
    static func extendedKeyUsage(_ certificate: Certificate, path: String) -> [TrustError.Problem] {
        let usages: ExtendedKeyUsage
        do {
            guard let present = try certificate.extensions.extendedKeyUsage else { return [] }
            usages = present
        } catch {
            return [.init(message: "has an extendedKeyUsage extension that cannot be read: \(error)", path: path)]
        }
        guard !usages.contains(.serverAuth), !usages.contains(.any) else { return [] }
        let listed = usages.map { "\($0)" }.joined(separator: ", ")
        return [
            .init(
                message: "has an extendedKeyUsage without serverAuth (\(listed.isEmpty ? "empty" : listed)), which istiod's certificate verification rejects",
                path: path, help: "re-issue it without extendedKeyUsage (as Istio's Makefile does), or with serverAuth in it"
            )
        ]
    }

    static func keyMatches(_ certificate: Certificate, _ key: Certificate.PrivateKey, certificatePath: String, keyPath: String) -> [TrustError.Problem] {
        guard key.publicKey != certificate.publicKey else { return [] }
        return [.init(message: "does not belong to \(certificatePath) (the public keys differ)", path: keyPath)]
    }

    static func selfSigned(_ certificate: Certificate, path: String) -> [TrustError.Problem] {
        if certificate.issuer == certificate.subject, certificate.publicKey.isValidSignature(certificate.signature, for: certificate) {
            return []
        }
        return [
            .init(
                message: "is not a self-signed root (issuer \(IstioProfile.attributes(of: certificate.issuer).distinguishedNameText), subject \(IstioProfile.attributes(of: certificate.subject).distinguishedNameText))",
                path: path, help: "`openssl verify -CAfile root-cert.pem ca-cert.pem` needs the top of the chain as root-cert.pem"
            )
        ]
    }

    static func chains(_ certificate: Certificate, to root: Certificate, path: String, rootPath: String) -> [TrustError.Problem] {
        if certificate.issuer == root.subject, root.publicKey.isValidSignature(certificate.signature, for: certificate) {
            return []
        }
        return [
            .init(
                message: "was not signed by the root in \(rootPath) (issuer \(IstioProfile.attributes(of: certificate.issuer).distinguishedNameText))",
                path: path
            )
        ]
    }

    static func validity(_ certificate: Certificate, now: Date, path: String) -> [TrustError.Problem] {
        if now > certificate.notValidAfter {
            return [.init(message: "expired on \(certificate.notValidAfter.formatted(.iso8601))", path: path)]
        }
        if now.addingTimeInterval(IstioProfile.clockSkewAllowance) < certificate.notValidBefore {
            return [.init(message: "is not valid before \(certificate.notValidBefore.formatted(.iso8601)) (check this machine's clock)", path: path)]
        }
        return []
    }

    /// Everything an intermediate needs to be usable as istiod's CA under `root`.
    static func intermediate(
        _ certificate: Certificate, key: Certificate.PrivateKey?, root: Certificate, now: Date,
        certificatePath: String, keyPath: String, rootPath: String
    ) -> [TrustError.Problem] {
        var problems = signatureAlgorithm(certificate, path: certificatePath)
        problems += certificateAuthority(certificate, path: certificatePath, needsPathLength: 0)
        problems += extendedKeyUsage(certificate, path: certificatePath)
        problems += chains(certificate, to: root, path: certificatePath, rootPath: rootPath)
        problems += validity(certificate, now: now, path: certificatePath)
        if let key {
            problems += keyMatches(certificate, key, certificatePath: certificatePath, keyPath: keyPath)
        }
        return problems
    }
}
