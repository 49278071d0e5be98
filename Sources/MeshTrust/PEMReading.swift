// Reading certificates and keys from PEM files written by MeshScript, by Istio's Makefile
// (`openssl genrsa`, PKCS#8) or by hand (`openssl ecparam -genkey`, which puts an
// `EC PARAMETERS` block before the `EC PRIVATE KEY`). Every failure names the file.

import Foundation
import SwiftASN1
import X509

enum PEMReading {
    /// The private-key block types istiod reads: PKCS#1, SEC1 and PKCS#8.
    private static let keyBlockTypes: Set<String> = ["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY"]

    /// - Parameter isSecret: the file holds a key, so errors must not quote its text.
    static func documents(_ data: Data, path: String, what: String, isSecret: Bool = false) throws(TrustError) -> [PEMDocument] {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: String(decoding: data, as: UTF8.self))
        } catch {
            throw TrustError("is not a valid PEM \(what): \(isSecret ? withoutInput(error) : "\(error)")", path: path)
        }
        guard !documents.isEmpty else {
            throw TrustError("contains no PEM block (expected a \(what))", path: path)
        }
        return documents
    }

    /// The file's only certificate. A second certificate is refused rather than ignored:
    /// a ca-cert.pem or root-cert.pem holding a bundle is a mistake Istio does not forgive.
    static func certificate(_ data: Data, path: String) throws(TrustError) -> Certificate {
        let all = try certificates(data, path: path)
        guard all.count == 1 else {
            throw TrustError("holds \(all.count) certificates; expected exactly one", path: path)
        }
        return all[0]
    }

    /// Every certificate in the file, in order (for cert-chain.pem).
    static func certificates(_ data: Data, path: String) throws(TrustError) -> [Certificate] {
        let blocks = try documents(data, path: path, what: "certificate").filter { $0.discriminator == "CERTIFICATE" }
        guard !blocks.isEmpty else {
            throw TrustError("contains no CERTIFICATE block", path: path)
        }
        var certificates: [Certificate] = []
        for block in blocks {
            do {
                certificates.append(try Certificate(derEncoded: block.derBytes))
            } catch {
                // swift-certificates cannot even parse some obsolete algorithms (ecdsa-with-SHA1):
                // name the real problem rather than a parse error.
                if let weak = CertificateChecks.weakSignatureAlgorithmName(certificateDER: block.derBytes) {
                    throw TrustError([CertificateChecks.weakSignatureProblem(algorithm: weak, path: path)])
                }
                throw TrustError("holds a certificate that cannot be parsed: \(error)", path: path)
            }
        }
        return certificates
    }

    static func privateKey(_ data: Data, path: String) throws(TrustError) -> Certificate.PrivateKey {
        let blocks = try documents(data, path: path, what: "private key", isSecret: true)
        if blocks.contains(where: { $0.discriminator == "ENCRYPTED PRIVATE KEY" }) {
            throw TrustError(
                "is an encrypted private key; istiod and MeshScript need it unencrypted", path: path,
                help: "decrypt a copy with `openssl pkey -in \(path) -out DECRYPTED.pem` and use that"
            )
        }
        let keys = blocks.filter { keyBlockTypes.contains($0.discriminator) }
        guard keys.count == 1 else {
            throw TrustError(
                keys.isEmpty ? "contains no private key block (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)"
                    : "holds \(keys.count) private keys; expected exactly one",
                path: path
            )
        }
        do {
            return try Certificate.PrivateKey(pemDocument: keys[0])
        } catch {
            throw TrustError("holds a private key that cannot be read (RSA keys must be at least 2048 bits): \(withoutInput(error))", path: path)
        }
    }

    /// What went wrong reading a key, without the key: SwiftASN1's error descriptions quote the
    /// PEM text they failed on (an unterminated block is printed whole), and for a key that text
    /// is the secret itself.
    private static func withoutInput(_ error: any Error) -> String {
        if let error = error as? ASN1Error { return "ASN1Error.\(error.code)" }
        return "\(type(of: error))"
    }

    /// PEM text for a certificate, with the trailing newline openssl writes.
    static func pem(_ certificate: Certificate) throws -> Data {
        Data((try certificate.serializeAsPEM().pemString + "\n").utf8)
    }
}
