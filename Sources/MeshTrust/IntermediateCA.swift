// A cluster's intermediate CA (Istio's `<cluster>-cacerts` target): the certificate istiod
// signs workload certificates with. One per cluster, all signed by the same RootCA.

import Foundation
import X509

struct IntermediateCA: Sendable {
    let cluster: String
    let certificate: Certificate
    /// The exact bytes of ca-cert.pem / ca-key.pem (an intermediate that is reused keeps its bytes).
    let certificatePEM: Data
    let keyPEM: Data

    init(cluster: String, certificate: Certificate, certificatePEM: Data, keyPEM: Data) {
        self.cluster = cluster
        self.certificate = certificate
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
    }

    /// Subject O=Istio, CN=Intermediate CA, L=<cluster>; SKI and AKI; critical CA:TRUE pathlen:0;
    /// critical keyUsage; SAN DNS:istiod.istio-system.svc; no EKU (istiod checks the chain for
    /// server-auth usage, and an EKU without serverAuth would break it).
    ///
    /// Validity: the root's own span in days (so `days` on the root applies to both, as with
    /// Istio's Makefile), but never past the root's expiry, since a chain is dead once its root is.
    static func issue(cluster: String, key: GeneratedKey, root: RootCA, now: Date) throws -> IntermediateCA {
        let publicKey = key.privateKey.publicKey
        let rootSpan = root.certificate.notValidAfter.timeIntervalSince(root.certificate.notValidBefore)
        let days = max(1, Int((rootSpan / IstioProfile.secondsPerDay).rounded()))
        let (notBefore, uncappedNotAfter) = IstioProfile.validity(now: now, days: days)
        let rootSKI = (try? root.certificate.extensions.subjectKeyIdentifier) ?? SubjectKeyIdentifier(hash: root.certificate.publicKey)
        let rootKeyIdentifier = rootSKI.keyIdentifier
        let certificate = try Certificate(
            version: .v3,
            serialNumber: IstioProfile.randomSerialNumber(),
            publicKey: publicKey,
            notValidBefore: notBefore,
            notValidAfter: min(uncappedNotAfter, root.certificate.notValidAfter),
            // The root's subject as encoded in its certificate, so issuer and subject match byte for byte.
            issuer: root.certificate.subject,
            subject: try IstioProfile.intermediateSubject(cluster: cluster),
            signatureAlgorithm: root.keyAlgorithm.signatureAlgorithm,
            extensions: try Certificate.Extensions {
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: rootKeyIdentifier)
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(IstioProfile.caKeyUsage)
                SubjectAlternativeNames([.dnsName(IstioProfile.istiodDNSName)])
            },
            issuerPrivateKey: root.privateKey
        )
        return IntermediateCA(cluster: cluster, certificate: certificate, certificatePEM: try PEMReading.pem(certificate), keyPEM: key.pem)
    }
}
