// Re-running a render keeps what is right: the root is never replaced, intermediates that verify
// are kept, and an unchanged WORK_DIR is not written at all (same bytes, same mtimes, same inodes).

import Foundation
import Testing

@testable import MeshTrust

@Suite("Reuse, idempotence and rotation")
struct ReuseTests {
    @Test func secondRenderChangesNothing() throws {
        try withScratch { scratch in
            let clusters = ["c1", "c2", "c3"]
            let first = try TrustRenderer().render(request(scratch, clusters: clusters))
            let before = snapshot(scratch)
            let log = ProgressLog()
            let second = try TrustRenderer().render(request(scratch, clusters: clusters, now: Date().addingTimeInterval(3600))) { log.record($0) }
            #expect(snapshot(scratch) == before)
            #expect(second.changedNothing)
            #expect(second.files.count == first.files.count)
            #expect(second.rootFingerprint == first.rootFingerprint)
            #expect(log.events.isEmpty)
        }
    }

    @Test func addingAClusterKeepsTheOthers() throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            let before = snapshot(scratch)
            let report = try TrustRenderer().render(request(scratch, clusters: ["c1", "c2"]))
            let after = snapshot(scratch)
            for (path, state) in before {
                #expect(after[path] == state, "\(path) changed")
            }
            #expect(report.outcome(of: join(scratch, "c2", "ca-cert.pem")) == .created)
            #expect(report.outcome(of: join(scratch, "c1", "ca-cert.pem")) == .reused)
            #expect(report.outcome(of: join(scratch, "root-key.pem")) == .reused)
            try expectOpensslVerifies(join(scratch, "c2"))
        }
    }

    @Test func rotationReissuesOnlyThatCluster() throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1", "c2"]))
            let before = snapshot(scratch)
            let report = try TrustRenderer().render(request(scratch, clusters: ["c1", "c2"], rotate: ["c1"]))
            let after = snapshot(scratch)
            for name in ["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "cacerts-secret.yaml"] {
                #expect(report.outcome(of: join(scratch, "c1", name)) == .rewritten)
                #expect(after["c1/\(name)"]?.data != before["c1/\(name)"]?.data)
                #expect(after["c2/\(name)"] == before["c2/\(name)"])
            }
            #expect(report.outcome(of: join(scratch, "c1", "root-cert.pem")) == .reused)
            #expect(after["root-key.pem"] == before["root-key.pem"])
            #expect(after["root-cert.pem"] == before["root-cert.pem"])
            try expectOpensslVerifies(join(scratch, "c1"))
            #expect(try permissions(join(scratch, "c1", "ca-key.pem")) == 0o600)
        }
    }

    @Test func derivedFilesAreRepairedNotTheKeys() throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            let chain = join(scratch, "c1", "cert-chain.pem")
            let expected = try contents(chain)
            try write("stale\n", to: chain)
            try FileManager.default.removeItem(atPath: join(scratch, "c1", "root-cert.pem"))
            let report = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            #expect(report.outcome(of: chain) == .rewritten)
            #expect(report.outcome(of: join(scratch, "c1", "root-cert.pem")) == .created)
            #expect(report.outcome(of: join(scratch, "c1", "ca-key.pem")) == .reused)
            #expect(try contents(chain) == expected)
        }
    }

    @Test func looseKeyPermissionsAreTightened() throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            let key = join(scratch, "c1", "ca-key.pem")
            chmod(key, 0o644)
            let bytes = try contents(key)
            let report = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            #expect(try permissions(key) == 0o600)
            #expect(try contents(key) == bytes)
            #expect(report.outcome(of: key) == .reused)
            #expect(report.notes.contains { $0.contains(key) })
        }
    }

    /// An existing root whose options differ from the script's is still reused (never replaced),
    /// and the report says so.
    @Test func existingRootWinsOverADifferentProfile() throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1"], key: .ecdsaP256))
            let before = snapshot(scratch)
            let other = TrustRequest(
                workDirectory: scratch, root: .generate(RootProfile(organization: "Other", key: .ecdsaP384)), clusters: ["c1", "c2"], now: Date()
            )
            let report = try TrustRenderer().render(other)
            #expect(snapshot(scratch)["root-key.pem"] == before["root-key.pem"])
            #expect(report.rootKeyAlgorithm == .ecdsaP256)
            #expect(report.notes.contains { $0.contains("O=Other") })
            #expect(try x509Text(join(scratch, "c2", "ca-cert.pem")).contains("prime256v1"))
        }
    }

    /// Intermediates get the root's validity in days, but never outlive the root.
    @Test func laterIntermediatesEndWithTheRoot() throws {
        try withScratch { scratch in
            let then = Date().addingTimeInterval(-30 * 86_400)
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1"], now: then))
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1", "c2"]))
            let root = try opensslDates(join(scratch, "root-cert.pem"))
            let late = try opensslDates(join(scratch, "c2", "ca-cert.pem"))
            #expect(late.notAfter == root.notAfter)
            #expect(late.notBefore > root.notBefore)
            try expectOpensslVerifies(join(scratch, "c2"))
        }
    }

    /// A root made elsewhere (here by openssl, as Istio's Makefile does) is inspected, copied byte
    /// for byte, and signs the intermediates; its RSA 2048 key type carries over.
    @Test(arguments: [FixtureKey.rsa2048, .ecP256WithParameters])
    func existingRootIsAdoptedVerbatim(key: FixtureKey) throws {
        try withScratch { scratch in
            let source = join(scratch, "company-ca")
            try makeOpensslRoot(in: source, key: key)
            let work = join(scratch, "work")
            let report = try TrustRenderer().render(TrustRequest(workDirectory: work, root: .existing(directory: source), clusters: ["c1"], now: Date()))
            #expect(try contents(join(work, "root-cert.pem")) == (try contents(join(source, "root-cert.pem"))))
            #expect(try contents(join(work, "root-key.pem")) == (try contents(join(source, "root-key.pem"))))
            #expect(try permissions(join(work, "root-key.pem")) == 0o600)
            #expect(report.outcome(of: join(work, "root-key.pem")) == .created)
            try expectOpensslVerifies(join(work, "c1"))
            #expect(report.rootKeyAlgorithm == (key == .rsa2048 ? .rsa(bits: 2048) : .ecdsaP256))

            // Same source again: WORK_DIR's copy is the same root, nothing changes.
            let before = snapshot(work)
            let again = try TrustRenderer().render(TrustRequest(workDirectory: work, root: .existing(directory: source), clusters: ["c1"], now: Date()))
            #expect(again.changedNothing)
            #expect(snapshot(work) == before)
        }
    }

    /// Intermediates made by Istio's Makefile recipe (openssl) under the same root are reused.
    @Test func opensslIntermediateIsReused() throws {
        try withScratch { scratch in
            try makeOpensslRoot(in: scratch)
            try makeOpensslIntermediate(cluster: "c1", in: join(scratch, "c1"), rootDirectory: scratch)
            let certificate = try contents(join(scratch, "c1", "ca-cert.pem"))
            let report = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            #expect(report.outcome(of: join(scratch, "c1", "ca-cert.pem")) == .reused)
            #expect(report.outcome(of: join(scratch, "c1", "cert-chain.pem")) == .created)
            #expect(try contents(join(scratch, "c1", "ca-cert.pem")) == certificate)
        }
    }

    /// istiod's util.Verify accepts an extendedKeyUsage only with serverAuth (or any) in it:
    /// an imported intermediate with clientAuth alone is refused, with serverAuth it is reused,
    /// and a root with serverAuth passes too.
    @Test(arguments: [("extendedKeyUsage = clientAuth", false), ("extendedKeyUsage = serverAuth, clientAuth", true),
                      ("extendedKeyUsage = anyExtendedKeyUsage", true)])
    func importedIntermediateNeedsServerAuthWhenItHasAnExtendedKeyUsage(extensionLine: String, accepted: Bool) throws {
        try withScratch { scratch in
            try makeOpensslRoot(in: scratch, config: rootConfig(extensions: [
                "basicConstraints = critical, CA:true", "keyUsage = critical, keyCertSign", "extendedKeyUsage = serverAuth",
            ]))
            try makeOpensslIntermediate(cluster: "c1", in: join(scratch, "c1"), rootDirectory: scratch, extraExtensions: [extensionLine])
            if accepted {
                let report = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
                #expect(report.outcome(of: join(scratch, "c1", "ca-cert.pem")) == .reused)
            } else {
                let error = expectTrustError(request(scratch, clusters: ["c1"]))
                RefusalTests.expect(error, file: join(scratch, "c1", "ca-cert.pem"), message: "has an extendedKeyUsage without serverAuth (clientAuth)")
            }
        }
    }
}
