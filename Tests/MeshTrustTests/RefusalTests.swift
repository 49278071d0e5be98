// Bad inputs stop the render with a clear TrustError naming the file, and leave every file as it was.

import Foundation
import Testing

@testable import MeshTrust

@Suite("Refusals leave everything untouched")
struct RefusalTests {
    enum BadRoot: String, CaseIterable, Sendable {
        case corruptPEM, truncatedKey, keyMismatch, notACA, sha1Signed, pathLengthZero, rsaKeyInECDSASlot, clientAuthOnly
    }

    /// Makes the bad root in `directory` with openssl; returns the file and message the error must name.
    static func make(_ bad: BadRoot, in directory: String) throws -> (file: String, message: String) {
        switch bad {
        case .corruptPEM:
            try makeOpensslRoot(in: directory)
            let path = join(directory, "root-cert.pem")
            var text = try String(contentsOfFile: path, encoding: .utf8)
            text = text.replacingOccurrences(of: "\n", with: "\n*!", options: [], range: text.range(of: "\n"))
            try write(text, to: path)
            return ("root-cert.pem", "not a valid PEM certificate")
        case .truncatedKey:
            // A key cut short (a full disk, an interrupted copy): its END line is gone.
            try makeOpensslRoot(in: directory)
            let path = join(directory, "root-key.pem")
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            try write(lines.dropLast(2).joined(separator: "\n") + "\n", to: path)
            return ("root-key.pem", "is not a valid PEM private key")
        case .keyMismatch:
            try makeOpensslRoot(in: directory)
            try FileManager.default.removeItem(atPath: join(directory, "root-key.pem"))
            try makeKey(.ecP256, at: join(directory, "root-key.pem"))
            return ("root-key.pem", "does not belong to")
        case .notACA:
            try makeOpensslRoot(in: directory, config: rootConfig(extensions: ["basicConstraints = critical, CA:false", "keyUsage = critical, digitalSignature"]))
            return ("root-cert.pem", "is not a CA certificate")
        case .sha1Signed:
            try makeOpensslRoot(in: directory, key: .rsa2048, digest: "sha1")
            return ("root-cert.pem", "SHA-256 or stronger is required")
        case .pathLengthZero:
            try makeOpensslRoot(in: directory, config: rootConfig(extensions: ["basicConstraints = critical, CA:true, pathlen:0", "keyUsage = critical, keyCertSign"]))
            return ("root-cert.pem", "pathlen:0")
        case .clientAuthOnly:
            // istiod's util.Verify (Go's x509 Verify, key usage serverAuth) rejects this chain.
            try makeOpensslRoot(in: directory, config: rootConfig(extensions: [
                "basicConstraints = critical, CA:true", "keyUsage = critical, keyCertSign", "extendedKeyUsage = clientAuth",
            ]))
            return ("root-cert.pem", "has an extendedKeyUsage without serverAuth (clientAuth)")
        case .rsaKeyInECDSASlot:
            try makeOpensslRoot(in: directory)
            try FileManager.default.removeItem(atPath: join(directory, "root-key.pem"))
            try makeKey(.rsa2048, at: join(directory, "root-key.pem"))
            return ("root-key.pem", "does not belong to")
        }
    }

    static func expect(_ error: TrustError?, file: String, message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error else { return }
        #expect(
            error.problems.contains { $0.path == file && $0.message.contains(message) },
            "expected '\(message)' about \(file), got:\n\(error)", sourceLocation: sourceLocation
        )
    }

    @Test(arguments: BadRoot.allCases)
    func badExistingRootIsRefused(_ bad: BadRoot) throws {
        try withScratch { scratch in
            let source = join(scratch, "source")
            let (file, message) = try Self.make(bad, in: source)
            let sourceBefore = snapshot(source)
            let work = join(scratch, "work")
            let error = expectTrustError(TrustRequest(workDirectory: work, root: .existing(directory: source), clusters: ["c1"], now: Date()))
            Self.expect(error, file: join(source, file), message: message)
            #expect(!FileManager.default.fileExists(atPath: work))
            #expect(snapshot(source) == sourceBefore)
        }
    }

    /// The same bad roots already sitting in WORK_DIR: an error, never a regeneration.
    @Test(arguments: BadRoot.allCases)
    func badRootInWorkDirectoryIsNotReplaced(_ bad: BadRoot) throws {
        try withScratch { scratch in
            let (file, message) = try Self.make(bad, in: scratch)
            let before = snapshot(scratch)
            let error = expectTrustError(request(scratch, clusters: ["c1"]))
            Self.expect(error, file: join(scratch, file), message: message)
            #expect(snapshot(scratch) == before)
        }
    }

    @Test func expiredRootIsRefused() throws {
        try withScratch { scratch in
            try makeOpensslRoot(in: scratch)
            let later = Date().addingTimeInterval(3651 * 86_400)
            let error = expectTrustError(request(scratch, clusters: ["c1"], now: later))
            Self.expect(error, file: join(scratch, "root-cert.pem"), message: "expired on")
        }
    }

    @Test(arguments: ["root-cert.pem", "root-key.pem"])
    func halfARootIsAnError(missing: String) throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            try FileManager.default.removeItem(atPath: join(scratch, missing))
            let before = snapshot(scratch)
            let error = expectTrustError(request(scratch, clusters: ["c1"]))
            Self.expect(error, file: join(scratch, missing), message: "is missing")
            #expect(error?.problems.first?.help?.contains("never generates a new root") == true)
            #expect(snapshot(scratch) == before)
        }
    }

    /// A root key kept elsewhere through a link (a volume, a secrets mount) that is not there
    /// today: before, the survey saw no root and wrote a new one over the link, a second root.
    @Test(arguments: ["root-key.pem", "root-cert.pem"])
    func aDanglingLinkIsRefusedNotReplaced(link: String) throws {
        try withScratch { scratch in
            let target = join(scratch, "unmounted/" + link)
            #expect(symlink(target, join(scratch, link)) == 0)
            let error = expectTrustError(request(scratch, clusters: ["c1"]))
            Self.expect(error, file: join(scratch, link), message: "is a symbolic link to '\(target)', which does not exist")
            var info = stat()
            #expect(lstat(join(scratch, link), &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "the link was replaced")
            #expect(snapshot(scratch).keys.sorted() == [link], "something was written")
        }
    }

    @Test func aDifferentRootFromElsewhereIsRefused() throws {
        try withScratch { scratch in
            let work = join(scratch, "work")
            _ = try TrustRenderer().render(request(work, clusters: ["c1"]))
            let source = join(scratch, "source")
            try makeOpensslRoot(in: source)
            let before = snapshot(work)
            let error = expectTrustError(TrustRequest(workDirectory: work, root: .existing(directory: source), clusters: ["c1"], now: Date()))
            Self.expect(error, file: join(work, "root-cert.pem"), message: "holds a different root")
            #expect(snapshot(work) == before)
        }
    }

    /// Tests run as root, so permissions cannot make a directory unwritable; a regular file in
    /// the way can.
    @Test func unwritableOutputDirectory() throws {
        try withScratch { scratch in
            let blocker = join(scratch, "not-a-directory")
            try write("x", to: blocker)
            let error = expectTrustError(request(join(blocker, "work"), clusters: ["c1"]))
            Self.expect(error, file: blocker, message: "is not a directory")
            #expect(snapshot(scratch).keys.sorted() == ["not-a-directory"])
        }
    }

    @Test func clusterDirectoryThatIsAFile() throws {
        try withScratch { scratch in
            try write("x", to: join(scratch, "c2"))
            let error = expectTrustError(request(scratch, clusters: ["c1", "c2"]))
            Self.expect(error, file: join(scratch, "c2"), message: "is not a directory")
            #expect(snapshot(scratch).keys.sorted() == ["c2"])
        }
    }

    /// c1's intermediate comes from another mesh: the render stops, names the file, says how to
    /// rotate, and writes nothing (not even c2, which would have been fine).
    @Test func intermediateFromAnotherRootIsRefusedUntilRotated() throws {
        try withScratch { scratch in
            let other = join(scratch, "other")
            _ = try TrustRenderer().render(request(other, clusters: ["c1"]))
            let work = join(scratch, "work")
            _ = try TrustRenderer().render(request(work, clusters: ["c1"]))
            for name in ["ca-cert.pem", "ca-key.pem"] {
                try FileManager.default.removeItem(atPath: join(work, "c1", name))
                try FileManager.default.copyItem(atPath: join(other, "c1", name), toPath: join(work, "c1", name))
            }
            let before = snapshot(work)
            let error = expectTrustError(request(work, clusters: ["c1", "c2"]))
            Self.expect(error, file: join(work, "c1", "ca-cert.pem"), message: "was not signed by the root")
            #expect(error?.problems.allSatisfy { $0.help?.contains("rotation of cluster 'c1'") == true } == true)
            #expect(snapshot(work) == before)

            let rotated = try TrustRenderer().render(request(work, clusters: ["c1", "c2"], rotate: ["c1"]))
            #expect(rotated.outcome(of: join(work, "c1", "ca-cert.pem")) == .rewritten)
            #expect(rotated.outcome(of: join(work, "root-cert.pem")) == .reused)
            try expectOpensslVerifies(join(work, "c1"))
        }
    }

    @Test func swappedIntermediateKeysAreRefused() throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1", "c2"]))
            let key1 = try contents(join(scratch, "c1", "ca-key.pem"))
            try contents(join(scratch, "c2", "ca-key.pem")).write(to: URL(fileURLWithPath: join(scratch, "c1", "ca-key.pem")))
            try key1.write(to: URL(fileURLWithPath: join(scratch, "c2", "ca-key.pem")))
            let before = snapshot(scratch)
            let error = expectTrustError(request(scratch, clusters: ["c1", "c2"]))
            Self.expect(error, file: join(scratch, "c1", "ca-key.pem"), message: "does not belong to")
            Self.expect(error, file: join(scratch, "c2", "ca-key.pem"), message: "does not belong to")
            #expect(snapshot(scratch) == before)
        }
    }

    @Test func intermediateWithWrongSubjectIsRefused() throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            // c1's intermediate put where c2's belongs: it verifies, but it is c1's.
            try FileManager.default.copyItem(atPath: join(scratch, "c1"), toPath: join(scratch, "c2"))
            let error = expectTrustError(request(scratch, clusters: ["c1", "c2"]))
            Self.expect(error, file: join(scratch, "c2", "ca-cert.pem"), message: "expected O=Istio, CN=Intermediate CA, L=c2")
        }
    }

    @Test func sha1IntermediateIsRefused() throws {
        try withScratch { scratch in
            try makeOpensslRoot(in: scratch)
            try makeOpensslIntermediate(cluster: "c1", in: join(scratch, "c1"), rootDirectory: scratch, digest: "sha1")
            let before = snapshot(scratch)
            let error = expectTrustError(request(scratch, clusters: ["c1"]))
            Self.expect(error, file: join(scratch, "c1", "ca-cert.pem"), message: "SHA-256 or stronger is required")
            #expect(snapshot(scratch) == before)
        }
    }

    @Test(arguments: ["ca-cert.pem", "ca-key.pem"])
    func partialIntermediateIsRefused(missing: String) throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            try FileManager.default.removeItem(atPath: join(scratch, "c1", missing))
            let before = snapshot(scratch)
            let error = expectTrustError(request(scratch, clusters: ["c1"]))
            Self.expect(error, file: join(scratch, "c1", missing), message: "is missing")
            #expect(snapshot(scratch) == before)
        }
    }

    /// A damaged key's error names the problem but never quotes the key: SwiftASN1 puts the
    /// whole text of an unterminated PEM block in its error, and render prints errors.
    @Test func aDamagedKeyIsNotQuotedInTheError() throws {
        try withScratch { scratch in
            _ = try Self.make(.truncatedKey, in: scratch)
            let body = try String(contentsOfFile: join(scratch, "root-key.pem"), encoding: .utf8)
                .split(separator: "\n").filter { !$0.hasPrefix("-----") }
            #expect(!body.isEmpty)
            let error = try #require(expectTrustError(request(scratch, clusters: ["c1"])))
            let printed = "\(error)"
            #expect(printed.contains("is not a valid PEM private key"), "\(printed)")
            for line in body {
                #expect(!printed.contains(line), "the error quotes the key: \(printed)")
            }
        }
    }

    /// A corrupt intermediate key is refused with the rotation hint, never silently replaced.
    @Test func corruptIntermediateKeyIsRefusedNotReplaced() throws {
        try withScratch { scratch in
            _ = try TrustRenderer().render(request(scratch, clusters: ["c1"]))
            let key = join(scratch, "c1", "ca-key.pem")
            try write("-----BEGIN EC PRIVATE KEY-----\nbm90IGEga2V5\n-----END EC PRIVATE KEY-----\n", to: key)
            let before = snapshot(scratch)
            let error = expectTrustError(request(scratch, clusters: ["c1"]))
            Self.expect(error, file: key, message: "holds a private key that cannot be read")
            #expect(error?.problems.first { $0.path == key }?.help?.contains("ask for rotation") == true)
            #expect(snapshot(scratch) == before)
        }
    }

    /// Validation runs before any write: a problem in the last cluster stops the files of the first.
    @Test func aLayoutFileThatIsADirectoryStopsEverything() throws {
        try withScratch { scratch in
            try FileManager.default.createDirectory(atPath: join(scratch, "c3", "cert-chain.pem"), withIntermediateDirectories: true)
            let error = expectTrustError(request(scratch, clusters: ["c1", "c2", "c3"]))
            Self.expect(error, file: join(scratch, "c3", "cert-chain.pem"), message: "is not a regular file")
            #expect(snapshot(scratch).keys.sorted() == ["c3", "c3/cert-chain.pem"])
        }
    }

    @Test func requestMistakesAreReportedTogether() throws {
        try withScratch { scratch in
            let bad = TrustRequest(
                workDirectory: scratch, root: .generate(RootProfile(days: 0, key: .rsa(bits: 1024))),
                clusters: ["c1", "c1", "../x"], rotate: ["nope"], now: Date()
            )
            let error = try #require(expectTrustError(bad))
            let messages = error.problems.map(\.message).joined(separator: "\n")
            for fragment in ["listed twice", "cannot be a directory name", "'nope'", "RSA key size 1024", "at least 1 day"] {
                #expect(messages.contains(fragment), "\(fragment) missing from:\n\(messages)")
            }
            #expect(snapshot(scratch).isEmpty)
        }
    }
}
