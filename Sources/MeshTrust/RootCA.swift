// The mesh's root certificate authority: either freshly issued with Istio's root-ca profile,
// or an existing pair that passed RootInspection. Everything downstream signs with it.

import Crypto
import Foundation
import SwiftASN1
import X509

/// The mesh's root certificate authority, freshly issued with Istio's root-ca profile or an
/// existing pair that passed inspection; it signs every cluster's intermediate.
public struct RootCA: Sendable {
    let certificate: Certificate
    let privateKey: Certificate.PrivateKey
    /// The exact bytes of root-cert.pem / root-key.pem: an existing root is copied byte for byte.
    public let certificatePEM: Data
    /// The exact bytes of root-key.pem.
    public let keyPEM: Data
    /// The type of key the root has, which its intermediates get too.
    public let keyAlgorithm: KeyAlgorithm
    /// SHA-256 of the certificate's DER, `AB:CD:...` (openssl's format).
    public let fingerprint: String

    /// The certificate's subject, such as `O=Istio, CN=Root CA`.
    public var subject: String { IstioProfile.attributes(of: certificate.subject).distinguishedNameText }
    /// When the certificate expires.
    public var notValidAfter: Date { certificate.notValidAfter }

    init(certificate: Certificate, privateKey: Certificate.PrivateKey, certificatePEM: Data, keyPEM: Data, keyAlgorithm: KeyAlgorithm) throws {
        self.certificate = certificate
        self.privateKey = privateKey
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
        self.keyAlgorithm = keyAlgorithm
        self.fingerprint = RootInspection.fingerprint(der: try certificate.derBytes())
    }

    /// Istio's root-ca target: self-signed, SKI, critical CA:TRUE without pathlen, critical
    /// keyUsage; no EKU, no SAN. Pure apart from the random serial number.
    static func issue(profile: RootProfile, key: GeneratedKey, now: Date) throws -> RootCA {
        let subject = try IstioProfile.rootSubject(organization: profile.organization, commonName: profile.commonName)
        let publicKey = key.privateKey.publicKey
        let (notBefore, notAfter) = IstioProfile.validity(now: now, days: profile.days)
        let certificate = try Certificate(
            version: .v3,
            serialNumber: IstioProfile.randomSerialNumber(),
            publicKey: publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: subject,
            subject: subject,
            signatureAlgorithm: profile.key.signatureAlgorithm,
            extensions: try Certificate.Extensions {
                SubjectKeyIdentifier(hash: publicKey)
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(IstioProfile.caKeyUsage)
            },
            issuerPrivateKey: key.privateKey
        )
        return try RootCA(
            certificate: certificate, privateKey: key.privateKey,
            certificatePEM: try PEMReading.pem(certificate), keyPEM: key.pem, keyAlgorithm: profile.key
        )
    }
}

extension Certificate {
    func derBytes() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }
}
