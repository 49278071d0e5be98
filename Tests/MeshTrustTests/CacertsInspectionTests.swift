// Checking a set of cacerts files before it goes to a cluster (spec checks 4, 5 and 6), and
// comparing roots by fingerprint (check 2).

import Foundation
import Testing

@testable import MeshTrust

@Suite("cacerts inspection and root fingerprints")
struct CacertsInspectionTests {
    @Test func renderedSetPasses() throws {
        try withScratch { scratch in
            let report = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            let summary = try CacertsInspection.inspect(directory: join(scratch, "c1"), now: Date())
            #expect(summary.rootFingerprint == report.rootFingerprint)
            #expect(summary.intermediateSubject == "O=Istio, CN=Intermediate CA, L=c1")
        }
    }

    @Test func partialSetIsRefused() throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            try FileManager.default.removeItem(atPath: join(scratch, "c1", "cert-chain.pem"))
            do {
                _ = try CacertsInspection.inspect(directory: join(scratch, "c1"), now: Date())
                Issue.record("a partial set passed")
            } catch let error as TrustError {
                #expect(error.problems.contains { $0.message.contains("partial cacerts set: cert-chain.pem missing") })
            }
        }
    }

    @Test func chainInTheWrongOrderIsRefused() throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            let directory = join(scratch, "c1")
            let reversed = try contents(join(directory, "root-cert.pem")) + contents(join(directory, "ca-cert.pem"))
            try reversed.write(to: URL(fileURLWithPath: join(directory, "cert-chain.pem")))
            #expect(throws: TrustError.self) { try CacertsInspection.inspect(directory: directory, now: Date()) }
        }
    }

    @Test func nonCAIntermediateIsRefused() throws {
        try withScratch { scratch in
            try makeOpensslRoot(in: scratch)
            let directory = join(scratch, "c1")
            try makeOpensslIntermediate(cluster: "c1", in: directory, rootDirectory: scratch, basicConstraints: "critical, CA:false")
            try FileManager.default.copyItem(atPath: join(scratch, "root-cert.pem"), toPath: join(directory, "root-cert.pem"))
            try (contents(join(directory, "ca-cert.pem")) + contents(join(scratch, "root-cert.pem")))
                .write(to: URL(fileURLWithPath: join(directory, "cert-chain.pem")))
            do {
                _ = try CacertsInspection.inspect(directory: directory, now: Date())
                Issue.record("a non-CA intermediate passed")
            } catch let error as TrustError {
                #expect(error.problems.map(\.message) == ["is not a CA certificate (basicConstraints CA:TRUE is missing)"])
                #expect(error.problems.first?.path == join(directory, "ca-cert.pem"))
            }
        }
    }

    @Test func fingerprintMatchesOpenssl() throws {
        try withScratch { scratch in
            try makeOpensslRoot(in: scratch, key: .rsa2048)
            let path = join(scratch, "root-cert.pem")
            let ours = try RootInspection.fingerprint(certificatePEM: contents(path), path: path)
            #expect(try openssl("x509", "-in", path, "-noout", "-fingerprint", "-sha256") == "sha256 Fingerprint=\(ours)\n")
        }
    }

    /// Two renders with their own roots: the fingerprints differ, which is what the domain layer
    /// compares to refuse linking such clusters.
    @Test func separateRootsHaveDifferentFingerprints() throws {
        try withScratch { scratch in
            let a = try TrustRenderer().render(request(join(scratch, "a"), clusters: ["c1"]))
            let b = try TrustRenderer().render(request(join(scratch, "b"), clusters: ["c2"]))
            #expect(a.rootFingerprint != b.rootFingerprint)
            let copy = join(scratch, "a", "c1", "root-cert.pem")
            #expect(try RootInspection.fingerprint(certificatePEM: contents(copy), path: copy) == a.rootFingerprint)
        }
    }
}
