// A render killed (SIGKILL, injected by strace at a chosen rename) while it puts its files in
// place is completed by the next one, from the commit journal; a render killed earlier leaves no
// temporary file holding a key after the next run; and a read-only work directory whose files are
// all right renders without a single write.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

/// strace, when it is installed and ptrace is permitted here (`strace -o /dev/null true` works).
let usableStrace: String? = {
    guard let strace = executableOnPath("strace"),
          let probe = try? runProcess(strace, ["-o", "/dev/null", "true"], timeout: .seconds(30)),
          probe.status == 0, !probe.signaled else { return nil }
    return strace
}()

/// Whether this process can make a read-only bind mount in a mount namespace of its own (root,
/// or a user namespace allowing it): a write there fails with EROFS whatever the permission bits.
let readOnlyMountsWork: Bool = {
    guard let unshare = executableOnPath("unshare"), let scratch = try? Scratch() else { return false }
    defer { scratch.remove() }
    let probe = try? runProcess(unshare, ["-m", "/bin/sh", "-c", "mount --bind -o ro \"$0\" \"$0\" && touch \"$0/probe\"", scratch.path],
                                timeout: .seconds(30))
    return probe?.stderr.contains("Read-only file system") == true && !FileManager.default.fileExists(atPath: scratch.at("probe"))
}()

@Suite struct InterruptedCommitTests {
    static let script = """
        mesh m1
        network n1
        root root < key ecdsa p256 >
        cluster c1 < trust from root; install network n1 >
        cluster c2 < trust from root; install network n1 >
        """

    /// `meshscript ARGS` under strace, killed with SIGKILL at its `n`th rename (whichever of
    /// rename, renameat, renameat2 the C library uses here).
    static func killedAtRename(_ n: Int, _ arguments: [String], environment: [String: String]) throws -> ProcessRun {
        try runProcess(usableStrace!, ["-f", "-o", "/dev/null", "-e", "inject=/^rename(at2?)?$:signal=SIGKILL:when=\(n)", try requireMeshscript()] + arguments,
                       environment: environment, timeout: .seconds(120))
    }

    /// The `.NAME.tmp-XXXXXX` files under `directory`.
    static func temporaries(_ directory: String) -> [String] {
        let all = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
        return all.filter { $0.split(separator: "/").last.map { $0.hasPrefix(".") && $0.contains(".tmp-") } ?? false }.sorted()
    }

    /// Whether the private key at `key` is the one `certificate` certifies (openssl compares).
    static func keyMatches(_ key: String, _ certificate: String, environment: [String: String]) throws -> Bool {
        let openssl = try #require(executableOnPath("openssl"))
        let fromKey = try runProcess(openssl, ["pkey", "-in", key, "-pubout"], environment: environment)
        let fromCertificate = try runProcess(openssl, ["x509", "-in", certificate, "-noout", "-pubkey"], environment: environment)
        return fromKey.status == 0 && fromCertificate.status == 0 && fromKey.stdout == fromCertificate.stdout && !fromKey.stdout.isEmpty
    }

    /// Every key of the work directory matches its certificate, and each intermediate verifies.
    static func expectConsistent(_ out: String, environment: [String: String], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        #expect(try keyMatches(out + "/root-key.pem", out + "/root-cert.pem", environment: environment), sourceLocation: sourceLocation)
        for cluster in ["c1", "c2"] {
            #expect(try keyMatches(out + "/\(cluster)/ca-key.pem", out + "/\(cluster)/ca-cert.pem", environment: environment),
                    "\(cluster)", sourceLocation: sourceLocation)
            let verify = try runProcess(executableOnPath("openssl")!, ["verify", "-CAfile", out + "/root-cert.pem", out + "/\(cluster)/ca-cert.pem"],
                                        environment: environment)
            #expect(verify.status == 0, "\(verify)", sourceLocation: sourceLocation)
            #expect(read(out + "/\(cluster)/root-cert.pem") == read(out + "/root-cert.pem"), sourceLocation: sourceLocation)
        }
    }

    /// A render of ten clusters (about 80 files in 11 directories) flushes the staged files with
    /// one syncfs, then each directory once after the renames, plus the journal: not an fsync
    /// per file (before: one per file and two per directory).
    @Test(.enabled(if: usableStrace != nil, "strace is not installed, or ptrace is not permitted here (`strace -o /dev/null true` failed)"))
    func aRenderFlushesOncePerDirectoryNotPerFile() throws {
        let scratch = try Scratch()
        let clusters = (1...10).map { "cluster c\($0) < trust from root; install network n1 >" }
        let script = try scratch.write("mesh.mesh", (["mesh m1", "network n1", "root root < key ecdsa p256 >"] + clusters).joined(separator: "\n"))
        let out = scratch.at("work"), log = scratch.at("strace.log")
        let traced = try runProcess(usableStrace!, ["-f", "-o", log, "-e", "trace=fsync,fdatasync,syncfs,rename,renameat,renameat2",
                                                    try requireMeshscript(), "render", script, "--out", out],
                                    environment: cliEnvironment(home: scratch.home), timeout: .seconds(120))
        try #require(traced.status == 0, "\(traced)")
        // "1234  fsync(7) = 0": the name after the process ID.
        let calls = read(log).split(separator: "\n").map { String($0.drop { $0.isNumber }.drop { $0 == " " }.prefix { $0 != "(" }) }
        let fsyncs = calls.filter { $0 == "fsync" || $0 == "fdatasync" }.count
        let renames = calls.filter { $0.hasPrefix("rename") }.count
        #expect(renames >= 70, "\(renames) files renamed into place")
        #expect(calls.filter { $0 == "syncfs" }.count == 1)
        #expect(fsyncs <= 11 + 4, "\(fsyncs) fsyncs for 11 directories")
    }

    /// A first render killed after root-key.pem is renamed into place and before root-cert.pem
    /// is: without the journal every later render refused ("restore it from a backup") while the
    /// certificate sat complete in `.root-cert.pem.tmp-XXXXXX`. The next render completes the
    /// commit, says so, and leaves a consistent directory with no temporary file.
    @Test(.enabled(if: usableStrace != nil, "strace is not installed, or ptrace is not permitted here (`strace -o /dev/null true` failed)"),
          .enabled(if: executableOnPath("openssl") != nil, "openssl is not installed"))
    func aRenderKilledBetweenRenamesIsCompletedByTheNext() throws {
        let scratch = try Scratch()
        let environment = cliEnvironment(home: scratch.home)
        let script = try scratch.write("mesh.mesh", Self.script)
        let out = scratch.at("work")
        var mixed = false
        for n in 1...8 where !mixed {
            try? FileManager.default.removeItem(atPath: out)
            let killed = try Self.killedAtRename(n, ["render", script, "--out", out], environment: environment)
            try #require(killed.status != 0 || killed.signaled, "render finished without reaching the state under test: \(killed)")
            mixed = exists(out + "/root-key.pem") && !exists(out + "/root-cert.pem")
        }
        try #require(mixed, "no rename left root-key.pem in place without root-cert.pem")
        #expect(exists(out + "/" + CommitJournal.fileName), "the journal of the interrupted commit is there")
        #expect(!Self.temporaries(out).isEmpty)

        let next = try meshscript(["render", script, "--out", out], environment: environment)
        #expect(next.status == 0, "\(next)")
        #expect(next.stdout.contains("note: completed an interrupted commit of "), "\(next.stdout)")
        #expect(Self.temporaries(out).isEmpty, "\(Self.temporaries(out))")
        #expect(!exists(out + "/" + CommitJournal.fileName))
        try Self.expectConsistent(out, environment: environment)
        let again = try meshscript(["render", script, "--out", out], environment: environment)
        #expect(again.status == 0 && !again.stdout.contains("created") && !again.stdout.contains("rewritten"), "\(again)")
    }

    /// `--rotate c1` killed after the new ca-key.pem is in place and before the new ca-cert.pem
    /// is: the key no longer matched the certificate and render refused. The next render (without
    /// --rotate) completes the rotation instead.
    @Test(.enabled(if: usableStrace != nil, "strace is not installed, or ptrace is not permitted here (`strace -o /dev/null true` failed)"),
          .enabled(if: executableOnPath("openssl") != nil, "openssl is not installed"))
    func aRotationKilledBetweenRenamesIsCompletedByTheNextRender() throws {
        let scratch = try Scratch()
        let environment = cliEnvironment(home: scratch.home)
        let script = try scratch.write("mesh.mesh", Self.script)
        let baseline = scratch.at("baseline")
        try #require(try meshscript(["render", script, "--out", baseline], environment: environment).status == 0)
        let oldKey = read(baseline + "/c1/ca-key.pem"), oldCertificate = read(baseline + "/c1/ca-cert.pem")
        var out = ""
        for n in 1...8 where out.isEmpty {
            let attempt = scratch.at("attempt\(n)")
            try FileManager.default.copyItem(atPath: baseline, toPath: attempt)
            let killed = try Self.killedAtRename(n, ["render", script, "--out", attempt, "--rotate", "c1"], environment: environment)
            try #require(killed.status != 0 || killed.signaled, "render finished without reaching the state under test: \(killed)")
            if read(attempt + "/c1/ca-key.pem") != oldKey && read(attempt + "/c1/ca-cert.pem") == oldCertificate { out = attempt }
        }
        try #require(!out.isEmpty, "no rename left a new ca-key.pem beside the old ca-cert.pem")
        #expect(try !Self.keyMatches(out + "/c1/ca-key.pem", out + "/c1/ca-cert.pem", environment: environment))

        let next = try meshscript(["render", script, "--out", out], environment: environment)
        #expect(next.status == 0, "\(next)")
        #expect(next.stdout.contains("note: completed an interrupted commit of "), "\(next.stdout)")
        #expect(read(out + "/c1/ca-cert.pem") != oldCertificate, "the rotation is complete")
        #expect(Self.temporaries(out).isEmpty, "\(Self.temporaries(out))")
        try Self.expectConsistent(out, environment: environment)
    }

    /// Killed before any file is in place (at the first rename), a render leaves every staged
    /// file behind, private keys among them, seconds old: the next render removes each one,
    /// names it, and writes the directory.
    @Test(.enabled(if: usableStrace != nil, "strace is not installed, or ptrace is not permitted here (`strace -o /dev/null true` failed)"))
    func aRenderKilledWhileStagingLeavesNoKeyAfterTheNextRun() throws {
        let scratch = try Scratch()
        let environment = cliEnvironment(home: scratch.home)
        let script = try scratch.write("mesh.mesh", Self.script)
        let out = scratch.at("work")
        let killed = try Self.killedAtRename(1, ["render", script, "--out", out], environment: environment)
        try #require(killed.status != 0 || killed.signaled, "\(killed)")
        let left = Self.temporaries(out)
        try #require(left.contains { $0.hasPrefix("c1/.ca-key.pem.tmp-") }, "\(left)")
        #expect(!exists(out + "/root-key.pem"))

        let next = try meshscript(["render", script, "--out", out], environment: environment)
        #expect(next.status == 0, "\(next)")
        #expect(Self.temporaries(out).isEmpty, "\(Self.temporaries(out))")
        for path in left {
            #expect(next.stdout.contains("removed \(out)/\(path): a temporary file an interrupted render left behind"), "\(path): \(next.stdout)")
        }
        #expect(exists(out + "/root-key.pem") && exists(out + "/c1/ca-key.pem"))
    }

    /// A journal that cannot be read stops the run before anything else, with a diagnostic
    /// naming it; the temporary file it may name is not removed, however old.
    @Test func anUnreadableJournalStopsTheRenderAndKeepsTheTemporaries() throws {
        let scratch = try Scratch()
        let environment = cliEnvironment(home: scratch.home)
        let script = try scratch.write("mesh.mesh", Self.script)
        let out = scratch.at("work")
        try #require(try meshscript(["render", script, "--out", out], environment: environment).status == 0)
        let staged = out + "/c1/.ca-key.pem.tmp-Ab12Cd"
        try "-----BEGIN PRIVATE KEY-----\n".write(toFile: staged, atomically: false, encoding: .utf8)
        var old = [timeval(tv_sec: time(nil) - 7200, tv_usec: 0), timeval(tv_sec: time(nil) - 7200, tv_usec: 0)]
        #expect(utimes(staged, &old) == 0)
        try #"{"format": "meshscript-commit-journal/1", "files": [{"temporary": "c1/.ca-k"#.write(toFile: out + "/" + CommitJournal.fileName,
                                                                                                   atomically: false, encoding: .utf8)
        let before = TreeSnapshot(out)
        let run = try meshscript(["render", script, "--out", out], environment: environment)
        #expect(run.status == 65 && !run.signaled, "\(run)")
        #expect(run.stderr.contains("error: \(out)/\(CommitJournal.fileName): is not a commit journal meshscript can read"), "\(run.stderr)")
        #expect(TreeSnapshot(out) == before, "changed: \(TreeSnapshot(out).differences(from: before))")
    }

    /// `chmod -R a-w` after a render, on a read-only mount (root ignores permission bits): the
    /// same render succeeds and writes nothing, not even a lock file; one that must change files
    /// stops with a diagnostic naming the directory and the files.
    @Test(.enabled(if: readOnlyMountsWork, "cannot make a read-only bind mount here (`unshare -m` and `mount --bind -o ro` are needed)"))
    func aReadOnlyWorkDirectoryThatIsRightNeedsNoWrite() throws {
        let scratch = try Scratch()
        let environment = cliEnvironment(home: scratch.home)
        let script = try scratch.write("mesh.mesh", Self.script)
        let out = scratch.at("work")
        try #require(try meshscript(["render", script, "--out", out], environment: environment).status == 0)
        #expect(try runProcess("/bin/chmod", ["-R", "a-w", out]).status == 0)
        defer { _ = try? runProcess("/bin/chmod", ["-R", "u+w", out]) }
        let before = TreeSnapshot(out)
        func readOnly(_ arguments: [String]) throws -> ProcessRun {
            try runProcess(executableOnPath("unshare")!, ["-m", "/bin/sh", "-c", "mount --bind -o ro \"$0\" \"$0\" && exec \"$@\"", out,
                                                          try requireMeshscript()] + arguments, environment: environment)
        }

        let same = try readOnly(["render", script, "--out", out])
        #expect(same.status == 0, "\(same)")
        #expect(same.stdout.contains("reused") && !same.stdout.contains("created") && !same.stdout.contains("rewritten"), "\(same.stdout)")
        #expect(TreeSnapshot(out) == before, "changed: \(TreeSnapshot(out).differences(from: before))")

        let rotate = try readOnly(["render", script, "--out", out, "--rotate", "c1"])
        #expect(rotate.status == 65, "\(rotate)")
        #expect(rotate.stderr.contains("error: \(out)/c1: is not writable (Read-only file system), so render cannot write these files that would change: \(out)/c1/ca-key.pem"),
                "\(rotate.stderr)")
        #expect(TreeSnapshot(out) == before, "changed: \(TreeSnapshot(out).differences(from: before))")
    }
}
