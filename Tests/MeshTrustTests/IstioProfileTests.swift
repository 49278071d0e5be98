// The certificates a render writes, checked with openssl against Istio's profiles in the spec.

import Foundation
import Testing

@testable import MeshTrust

@Suite("Certificates match Istio's profiles")
struct IstioProfileTests {
    /// Istio's exact default: RSA 4096 root and intermediates, SHA-256. Two clusters only,
    /// because RSA 4096 key generation is the slow part.
    @Test func defaultProfileIsIstios() throws {
        try withScratch { scratch in
            let work = join(scratch, "work")
            let now = Date()
            let request = TrustRequest(workDirectory: work, root: .generate(RootProfile()), clusters: ["cluster1", "cluster2"], now: now)
            let report = try TrustRenderer().render(request)

            let rootText = try x509Text(join(work, "root-cert.pem"))
            #expect(rootText.contains("Subject: O = Istio, CN = Root CA\n"))
            #expect(rootText.contains("Issuer: O = Istio, CN = Root CA\n"))
            #expect(rootText.contains("Public-Key: (4096 bit)"))
            #expect(rootText.contains("Signature Algorithm: sha256WithRSAEncryption"))
            #expect(rootText.contains("X509v3 Basic Constraints: critical\n                CA:TRUE\n"))
            #expect(rootText.contains("X509v3 Key Usage: critical\n                Digital Signature, Non Repudiation, Key Encipherment, Certificate Sign\n"))
            #expect(rootText.contains("X509v3 Subject Key Identifier"))
            #expect(!rootText.contains("Extended Key Usage"))
            #expect(!rootText.contains("Subject Alternative Name"))
            #expect(!rootText.contains("pathlen"))

            let (rootNotBefore, rootNotAfter) = try opensslDates(join(work, "root-cert.pem"))
            #expect(rootNotBefore == Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down) - 60))
            #expect(rootNotAfter.timeIntervalSince(rootNotBefore) == 3650 * 86_400)

            let rootBytes = try contents(join(work, "root-cert.pem"))
            let fingerprint = try openssl("x509", "-in", join(work, "root-cert.pem"), "-noout", "-fingerprint", "-sha256")
            #expect(fingerprint == "sha256 Fingerprint=\(report.rootFingerprint)\n")
            #expect(report.rootKeyAlgorithm == .rsa(bits: 4096))

            var serials: Set<String> = [try openssl("x509", "-in", join(work, "root-cert.pem"), "-noout", "-serial")]
            for cluster in ["cluster1", "cluster2"] {
                let directory = join(work, cluster)
                try expectOpensslVerifies(directory)
                let text = try x509Text(join(directory, "ca-cert.pem"))
                #expect(text.contains("Subject: O = Istio, CN = Intermediate CA, L = \(cluster)\n"))
                #expect(text.contains("Issuer: O = Istio, CN = Root CA\n"))
                #expect(text.contains("Public-Key: (4096 bit)"))
                #expect(text.contains("Signature Algorithm: sha256WithRSAEncryption"))
                #expect(text.contains("X509v3 Basic Constraints: critical\n                CA:TRUE, pathlen:0\n"))
                #expect(text.contains("X509v3 Key Usage: critical\n                Digital Signature, Non Repudiation, Key Encipherment, Certificate Sign\n"))
                #expect(text.contains("X509v3 Subject Alternative Name: \n                DNS:istiod.istio-system.svc\n"))
                #expect(text.contains("X509v3 Subject Key Identifier"))
                #expect(!text.contains("Extended Key Usage"))
                let (notBefore, notAfter) = try opensslDates(join(directory, "ca-cert.pem"))
                #expect(notBefore == rootNotBefore)
                #expect(notAfter.timeIntervalSince(notBefore) == 3650 * 86_400)

                // Random, positive, 20-byte serials: 40 hex digits, first digit 4...7.
                let serial = try openssl("x509", "-in", join(directory, "ca-cert.pem"), "-noout", "-serial")
                #expect(serial.count == "serial=".count + 40 + 1)
                #expect("4567".contains(serial.dropFirst("serial=".count).first!))
                serials.insert(serial)

                // The key belongs to the certificate, as openssl sees it.
                let keyPublic = try openssl("pkey", "-in", join(directory, "ca-key.pem"), "-pubout")
                let certificatePublic = try openssl("x509", "-in", join(directory, "ca-cert.pem"), "-noout", "-pubkey")
                #expect(keyPublic == certificatePublic)

                #expect(try contents(join(directory, "root-cert.pem")) == rootBytes)
                #expect(try contents(join(directory, "cert-chain.pem")) == (try contents(join(directory, "ca-cert.pem"))) + rootBytes)
                let files = try #require(report.clusters[cluster])
                #expect(files.cacertsSecret == join(directory, "cacerts-secret.yaml"))
            }
            #expect(serials.count == 3)
        }
    }

    @Test func layoutAndModes() throws {
        try withScratch { scratch in
            let work = join(scratch, "nested", "work")
            let report = try TrustRenderer().render(request(work, clusters: ["east", "west"]))
            #expect(try permissions(join(work, "root-key.pem")) == 0o600)
            #expect(try permissions(join(work, "root-cert.pem")) == 0o644)
            for cluster in ["east", "west"] {
                #expect(try permissions(join(work, cluster, "ca-key.pem")) == 0o600)
                #expect(try permissions(join(work, cluster, "cacerts-secret.yaml")) == 0o600)
                for name in ["ca-cert.pem", "root-cert.pem", "cert-chain.pem"] {
                    #expect(try permissions(join(work, cluster, name)) == 0o644)
                }
            }
            #expect(report.files.count == 2 + 2 * 5)
            #expect(report.files.allSatisfy { $0.outcome == .created })
            // Only the layout: no temporaries, CSRs or serial files left behind.
            #expect(Set(snapshot(work).keys) == [
                "root-cert.pem", "root-key.pem", "east", "west",
                "east/ca-cert.pem", "east/ca-key.pem", "east/root-cert.pem", "east/cert-chain.pem", "east/cacerts-secret.yaml",
                "west/ca-cert.pem", "west/ca-key.pem", "west/root-cert.pem", "west/cert-chain.pem", "west/cacerts-secret.yaml",
            ])
        }
    }

    @Test(arguments: [
        (KeyAlgorithm.ecdsaP256, "ecdsa-with-SHA256", "prime256v1"),
        (KeyAlgorithm.ecdsaP384, "ecdsa-with-SHA384", "secp384r1"),
        (KeyAlgorithm.rsa(bits: 2048), "sha256WithRSAEncryption", "(2048 bit)"),
    ])
    func intermediatesFollowTheRootKey(key: KeyAlgorithm, signature: String, keyMarker: String) throws {
        try withScratch { scratch in
            let report = try TrustRenderer().render(request(scratch, clusters: ["a", "b", "c"], key: key))
            #expect(report.rootKeyAlgorithm == key)
            let rootText = try x509Text(join(scratch, "root-cert.pem"))
            #expect(rootText.contains("Signature Algorithm: \(signature)"))
            #expect(rootText.contains(keyMarker))
            for cluster in ["a", "b", "c"] {
                try expectOpensslVerifies(join(scratch, cluster))
                let text = try x509Text(join(scratch, cluster, "ca-cert.pem"))
                #expect(text.contains("Signature Algorithm: \(signature)"))
                #expect(text.contains(keyMarker))
            }
        }
    }

    @Test func rootOptionsApplyToRootAndDaysToIntermediates() throws {
        try withScratch { scratch in
            let profile = RootProfile(organization: "Acme", commonName: "Mesh Root", days: 365, key: .ecdsaP256)
            _ = try TrustRenderer().render(TrustRequest(workDirectory: scratch, root: .generate(profile), clusters: ["c1"], now: Date()))
            let rootText = try x509Text(join(scratch, "root-cert.pem"))
            #expect(rootText.contains("Subject: O = Acme, CN = Mesh Root\n"))
            let text = try x509Text(join(scratch, "c1", "ca-cert.pem"))
            #expect(text.contains("Issuer: O = Acme, CN = Mesh Root\n"))
            #expect(text.contains("Subject: O = Istio, CN = Intermediate CA, L = c1\n"))
            for path in [join(scratch, "root-cert.pem"), join(scratch, "c1", "ca-cert.pem")] {
                let (notBefore, notAfter) = try opensslDates(path)
                #expect(notAfter.timeIntervalSince(notBefore) == 365 * 86_400)
            }
            try expectOpensslVerifies(join(scratch, "c1"))
        }
    }

    @Test func progressIsReported() throws {
        try withScratch { scratch in
            let log = ProgressLog()
            let clusters = (1...6).map { "c\($0)" }
            _ = try TrustRenderer().render(request(scratch, clusters: clusters)) { log.record($0) }
            let events = log.events
            #expect(events.first == .generatingRoot(.ecdsaP256))
            #expect(events.contains(.issuingIntermediates(total: 6)))
            var issued: [String] = []
            var completions: [Int] = []
            var writes = 0
            for event in events {
                switch event {
                case .issuedIntermediate(let cluster, let completed, let total):
                    issued.append(cluster)
                    completions.append(completed)
                    #expect(total == 6)
                case .wroteFile(_, let completed, let total):
                    writes += 1
                    #expect(completed == writes && total == 2 + 6 * 5)
                default:
                    break
                }
            }
            #expect(Set(issued) == Set(clusters) && issued.count == 6)
            #expect(completions.sorted() == Array(1...6))
            #expect(writes == 2 + 6 * 5)
        }
    }
}
