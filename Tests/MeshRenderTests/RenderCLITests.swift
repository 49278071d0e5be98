// `meshscript render` end to end through the real binary: certificates verified by openssl,
// a second render that changes nothing, and the refusals (exit codes, messages, and nothing
// created or touched).
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct RenderCLITests {
    static let addPrimary = example("add-primary.mesh")

    @Test(.enabled(if: executableOnPath("openssl") != nil, "openssl is not installed"))
    func certificatesVerifyAndASecondRenderChangesNothing() throws {
        let scratch = try Scratch()
        let out = scratch.at("work")
        let environment = cliEnvironment(home: scratch.home)

        let first = try meshscript(["render", Self.addPrimary, "--out", out], environment: environment)
        try #require(first.status == 0, "\(first.output)")
        #expect(first.stdout.contains("created"))
        for cluster in ["cluster1", "cluster2"] {
            let verify = try runProcess(executableOnPath("openssl")!, ["verify", "-CAfile", out + "/root-cert.pem", out + "/\(cluster)/ca-cert.pem"],
                                        environment: cliEnvironment(home: scratch.home))
            #expect(verify.status == 0 && verify.stdout == "\(out)/\(cluster)/ca-cert.pem: OK\n", "\(cluster): \(verify.output)")
            #expect(read(out + "/\(cluster)/root-cert.pem") == read(out + "/root-cert.pem"))
            #expect(read(out + "/\(cluster)/cert-chain.pem") == read(out + "/\(cluster)/ca-cert.pem") + read(out + "/root-cert.pem"))
            #expect(mode(of: out + "/\(cluster)/ca-key.pem") == 0o600)
        }
        #expect(mode(of: out + "/root-key.pem") == 0o600)

        let before = TreeSnapshot(out)
        #expect(before.entries.count > 15)
        let second = try meshscript(["render", Self.addPrimary, "--out", out], environment: environment)
        #expect(second.status == 0, "\(second.output)")
        #expect(!second.stdout.contains("created") && !second.stdout.contains("rewritten"), "\(second.stdout)")
        #expect(second.stdout.contains("reused") && second.stdout.contains("unchanged"), "\(second.stdout)")
        let after = TreeSnapshot(out)
        #expect(after == before, "changed by the second render: \(after.differences(from: before))")
    }

    /// Two runs into one work directory would write two roots: the second stops (75) while the
    /// first holds the directory, or waits for it with --wait-lock.
    @Test func aSecondRunIntoABusyWorkDirectoryStopsOrWaits() throws {
        let scratch = try Scratch()
        let environment = cliEnvironment(home: scratch.home)
        let out = scratch.at("work")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let held = Held(try #require(try WorkDirectoryLock.acquire(out, wait: false)))
        let busy = try meshscript(["render", Self.addPrimary, "--out", out], environment: environment)
        #expect(busy.status == 75, "\(busy.output)")
        #expect(busy.stderr.contains("is in use by another meshscript render or apply"), "\(busy.stderr)")
        // Who holds it: this test process, found in /proc/locks.
        #expect(busy.stderr.contains("(process \(getpid()): "), "\(busy.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)

        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { held.release() }
        let waited = try meshscript(["render", Self.addPrimary, "--out", out, "--wait-lock"], environment: environment)
        #expect(waited.status == 0, "\(waited.output)")
        #expect(exists(out + "/root-key.pem"))
        // A directory that does not exist yet is held through its parent.
        let parentHeld = try #require(try WorkDirectoryLock.acquire(scratch.at("new/deeper"), wait: false))
        let fresh = try meshscript(["render", Self.addPrimary, "--out", scratch.at("new/deeper")], environment: environment)
        #expect(fresh.status == 75, "\(fresh.output)")
        withExtendedLifetime(parentHeld) {}
    }

    /// mkdir applies the umask: under `umask 000` every directory used to be 0777, one holding
    /// keys among them (a cluster without trust, and the work directory's parents).
    @Test func underUmask000DirectoriesAre0755AndKeys0600() throws {
        let scratch = try Scratch()
        let script = try scratch.write("mesh.mesh", """
            mesh m1
            network n1
            root root < key ecdsa p256 >
            cluster c1 < trust from root; install network n1 >
            cluster c2 < install network n1 >
            """)
        let out = scratch.at("deep/work")
        let run = try runProcess("/bin/sh", ["-c", "umask 000; exec \"$@\"", "sh", try requireMeshscript(), "render", script, "--out", out],
                                 environment: cliEnvironment(home: scratch.home))
        #expect(run.status == 0, "\(run)")
        for directory in [scratch.at("deep"), out, out + "/c1", out + "/c2"] {
            #expect(mode(of: directory) == 0o755, "\(directory): \(String(mode(of: directory) ?? 0, radix: 8))")
        }
        #expect(mode(of: out + "/root-key.pem") == 0o600)
        #expect(mode(of: out + "/c1/ca-key.pem") == 0o600)
    }

    /// A render killed between staging and renaming leaves `.ca-key.pem.tmp-XXXXXX` behind,
    /// a private key nobody cleans: the next render removes it, whatever its age (no other run
    /// can be writing the directory while this one holds it), and names it.
    @Test func staleTemporaryFilesAreRemovedAndNamed() throws {
        let scratch = try Scratch()
        let environment = cliEnvironment(home: scratch.home)
        let out = scratch.at("work")
        #expect(try meshscript(["render", Self.addPrimary, "--out", out], environment: environment).status == 0)
        let stale = out + "/cluster1/.ca-key.pem.tmp-Ab3dE9"
        let fresh = out + "/cluster1/.ca-key.pem.tmp-Zy8xW7"
        let other = out + "/cluster1/.notes.tmp-x"
        for path in [stale, fresh, other] { try "-----BEGIN PRIVATE KEY-----\n".write(toFile: path, atomically: false, encoding: .utf8) }
        var old = [timeval(tv_sec: time(nil) - 7200, tv_usec: 0), timeval(tv_sec: time(nil) - 7200, tv_usec: 0)]
        #expect(utimes(stale, &old) == 0 && utimes(other, &old) == 0)
        let second = try meshscript(["render", Self.addPrimary, "--out", out], environment: environment)
        #expect(second.status == 0, "\(second.output)")
        #expect(!exists(stale))
        #expect(!exists(fresh), "a temporary file only seconds old is no running render's: this one holds the directory")
        #expect(exists(other), "only mkstemp's names are touched")
        for path in [stale, fresh] {
            #expect(second.stdout.contains("removed \(path): a temporary file an interrupted render left behind"), "\(second.stdout)")
        }
    }

    @Test func outputUnderARegularFileIsRefusedAndNothingIsCreated() throws {
        let scratch = try Scratch()
        let environment = cliEnvironment(home: scratch.home)
        try scratch.write("occupied", "a regular file\n")
        let before = TreeSnapshot(scratch.path)
        let result = try meshscript(["render", Self.addPrimary, "--out", scratch.at("occupied/work")], environment: environment)
        #expect(result.status == 65)
        #expect(result.stderr.contains("is not a directory"), "\(result.stderr)")
        #expect(result.stderr.contains(scratch.at("occupied")))
        // The message reads with its path as the subject, as a compiler's `file: error` does.
        #expect(result.stderr.hasPrefix("error: \(scratch.at("occupied")): is not a directory, so "), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(TreeSnapshot(scratch.path) == before, "changed: \(TreeSnapshot(scratch.path).differences(from: before))")
    }

    @Test func rotatingAnUnknownClusterIsAUsageError() throws {
        let scratch = try Scratch()
        let result = try meshscript(["render", Self.addPrimary, "--out", scratch.at("work"), "--rotate", "cluster9"],
                                    environment: cliEnvironment(home: scratch.home))
        #expect(result.status == 64)
        #expect(result.stderr.contains("no cluster named 'cluster9'"), "\(result.stderr)")
        #expect(!exists(scratch.at("work")))
    }

    @Test func rotatingAKnownClusterReissuesOnlyThatIntermediate() throws {
        let scratch = try Scratch()
        let path = try scratch.write("mesh.mesh", """
            mesh m1
            network net1
            root root < key ecdsa p256 >
            cluster a < trust from root; install >
            cluster b < trust from root; install >

            """)
        let out = scratch.at("work")
        let environment = cliEnvironment(home: scratch.home)
        try #require(try meshscript(["render", path, "--out", out], environment: environment).status == 0)
        let before = TreeSnapshot(out)
        let rotate = try meshscript(["render", path, "--out", out, "--rotate", "a"], environment: environment)
        #expect(rotate.status == 0, "\(rotate.output)")
        let changed = Set(TreeSnapshot(out).differences(from: before))
        // The directory "a" itself changes too: its entries were replaced by rename.
        #expect(changed == ["a", "a/ca-cert.pem", "a/ca-key.pem", "a/cert-chain.pem", "a/cacerts-secret.yaml"], "\(changed.sorted())")
    }

    /// A root brought with `root root < from "DIR" >`: a corrupt one stops render before any file
    /// is touched, both in a fresh output directory and in one rendered before with the good root.
    @Test func corruptRootFromADirectoryIsRefusedAndTouchesNothing() throws {
        let scratch = try Scratch()
        let environment = cliEnvironment(home: scratch.home)
        // A good root to bring in, made by a first render.
        let seed = try scratch.write("seed.mesh", "mesh m1\nroot root < key ecdsa p256 >\ncluster x < trust from root >\n")
        try #require(try meshscript(["render", seed, "--out", scratch.at("seed")], environment: environment).status == 0)
        let corporate = scratch.at("corp")
        try FileManager.default.createDirectory(atPath: corporate, withIntermediateDirectories: true)
        for file in ["root-cert.pem", "root-key.pem"] {
            try FileManager.default.copyItem(atPath: scratch.at("seed/\(file)"), toPath: corporate + "/" + file)
        }
        let path = try scratch.write("mesh.mesh", """
            mesh m1
            network net1
            root root < from "corp" >
            cluster a < trust from root; install >
            cluster b < trust from root; install; discover with a >

            """)
        let out = scratch.at("work")
        let good = try meshscript(["render", path, "--out", out], environment: environment)
        try #require(good.status == 0, "\(good.output)")
        #expect(read(out + "/root-cert.pem") == read(corporate + "/root-cert.pem"))

        // Corrupt certificate.
        let goodCertificate = read(corporate + "/root-cert.pem")
        try "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n".write(toFile: corporate + "/root-cert.pem", atomically: true, encoding: .utf8)
        let before = TreeSnapshot(out)
        let existing = try meshscript(["render", path, "--out", out], environment: environment)
        #expect(existing.status == 65, "\(existing.output)")
        #expect(existing.stderr.contains("corp/root-cert.pem"), "\(existing.stderr)")
        #expect(TreeSnapshot(out) == before, "touched: \(TreeSnapshot(out).differences(from: before))")
        let fresh = try meshscript(["render", path, "--out", scratch.at("fresh")], environment: environment)
        #expect(fresh.status == 65, "\(fresh.output)")
        #expect(fresh.stderr.contains("corp/root-cert.pem"), "\(fresh.stderr)")
        #expect(!exists(scratch.at("fresh")))

        // A key that does not belong to the certificate.
        try goodCertificate.write(toFile: corporate + "/root-cert.pem", atomically: true, encoding: .utf8)
        let other = try scratch.write("other.mesh", "mesh m1\nroot root < key ecdsa p256 >\ncluster x < trust from root >\n")
        try #require(try meshscript(["render", other, "--out", scratch.at("other")], environment: environment).status == 0)
        try FileManager.default.removeItem(atPath: corporate + "/root-key.pem")
        try FileManager.default.copyItem(atPath: scratch.at("other/root-key.pem"), toPath: corporate + "/root-key.pem")
        let mismatched = try meshscript(["render", path, "--out", scratch.at("fresh")], environment: environment)
        #expect(mismatched.status == 65, "\(mismatched.output)")
        #expect(mismatched.stderr.contains("corp/root-"), "\(mismatched.stderr)")
        #expect(!exists(scratch.at("fresh")))
    }

    /// Validation treats two root declarations bringing the same directory as one root; render
    /// must too (it used to refuse them as "two roots").
    @Test func twoRootNamesForOneExistingDirectoryRenderAsOneRoot() throws {
        let scratch = try Scratch()
        let seed = try prepare("mesh m1\nroot root < key ecdsa p256 >\ncluster x < trust from root >\n", in: scratch, name: "seed.mesh",
                               out: scratch.at("corp"))
        try seed.rendered()
        let prepared = try prepare("""
            mesh m1
            network net1
            root red < from "corp" >
            root blue < from "corp" >
            cluster a < trust from red; install >
            cluster b < trust from blue; install; discover with a >

            """, in: scratch)
        let summary = try prepared.rendered()
        #expect(read(prepared.out + "/root-cert.pem") == read(scratch.at("corp/root-cert.pem")))
        #expect(summary.trust?.clusters.keys.sorted() == ["a", "b"])
    }

    @Test func twoUnlinkedRootsAreRefusedWithTheDocumentedError() throws {
        let scratch = try Scratch()
        let path = try scratch.write("mesh.mesh", """
            mesh m1
            network net1
            root red < key ecdsa p256 >
            root blue < key ecdsa p256 >
            cluster a < trust from red; install >
            cluster b < trust from blue; install >

            """)
        let environment = cliEnvironment(home: scratch.home)
        let check = try meshscript(["check", path], environment: environment)
        #expect(check.status == 0, "unlinked clusters may trust different roots: \(check.output)")
        let result = try meshscript(["render", path, "--out", scratch.at("work")], environment: environment)
        #expect(result.status == 65)
        #expect(result.stderr.contains("one work directory holds one root, but a trusts 'red', b trusts 'blue'"), "\(result.stderr)")
        #expect(result.stderr.contains("their own --out directory"))
        #expect(!exists(scratch.at("work")))
    }
}

/// A lock another thread releases.
final class Held: @unchecked Sendable {
    private let guardLock = NSLock()
    private var lock: WorkDirectoryLock?
    init(_ lock: WorkDirectoryLock) { self.lock = lock }
    func release() { guardLock.withLock { lock = nil } }
}
