// Inputs and outputs a hostile review used to crash or hang the binary (issue 9): one-character
// paths (swift-corelibs-foundation's NSString path methods trap on them), FIFOs and devices
// given as scripts, and standard streams that cannot be written.
import Foundation
import MeshTestSupport
import Testing

@Suite struct OneCharacterPaths {
    @Test func renderIntoAOneCharacterOutputDirectory() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try meshscript(["render", try exampleWithECDSARoot("add-primary.mesh", in: scratch), "--out", "o"], environment: CLI.environment,
                                 directory: scratch.path)
        #expect(!run.signaled && run.status == 0, "\(run)")
        #expect(FileManager.default.fileExists(atPath: scratch.at("o/root-cert.pem")))
    }

    @Test func checkAOneCharacterScriptName() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try scratch.write("m", try String(contentsOfFile: example("add-primary.mesh"), encoding: .utf8))
        let run = try meshscript(["check", "--no-kubeconfig", "m"], environment: CLI.environment, directory: scratch.path)
        #expect(!run.signaled && run.status == 0, "\(run)")
    }
}

@Suite struct SpecialFilesAsScripts {
    @Test func aDeviceIsRefusedNotReadForever() throws {
        let run = try CLI.run(["check", "--no-kubeconfig", "/dev/zero"], timeout: .seconds(20))
        #expect(!run.signaled && run.status == 65, "\(run)")
        #expect(run.stderr.contains("is a device, not a regular file"), "\(run)")
    }

    /// A /proc file reports size 0 and is read to its end (it was NSCocoaErrorDomain 256); its
    /// text is then just a script with syntax errors.
    @Test func aProcFileIsReadAsAScript() throws {
        let run = try CLI.run(["check", "--no-kubeconfig", "/proc/self/status"], timeout: .seconds(20))
        #expect(!run.signaled && run.status == 65, "\(run)")
        #expect(run.stderr.contains("/proc/self/status:1:"), "\(run)")
        #expect(!run.stderr.contains("NSCocoaErrorDomain") && !run.stderr.contains("cannot read"), "\(run)")
    }

    /// A symbolic link loop was reported as "no such file".
    @Test func aSymbolicLinkLoopIsNamed() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(symlink("b.mesh", scratch.at("a.mesh")) == 0 && symlink("a.mesh", scratch.at("b.mesh")) == 0)
        let run = try meshscript(["check", "--no-kubeconfig", "a.mesh"], environment: CLI.environment, directory: scratch.path)
        #expect(!run.signaled && run.status == 65, "\(run)")
        #expect(run.stderr.contains("cannot read 'a.mesh': it cannot be read: a symbolic link loop"), "\(run)")
    }

    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(mkfifo(scratch.at("pipe.mesh"), 0o600) == 0)
        let run = try meshscript(["check", "--no-kubeconfig", "pipe.mesh"], environment: CLI.environment,
                                 directory: scratch.path, timeout: .seconds(20))
        #expect(!run.signaled && run.status == 65, "\(run)")
        #expect(run.stderr.contains("is a FIFO, not a regular file"), "\(run)")
    }
}

@Suite struct RemovedWorkingDirectory {
    /// Run from a directory that no longer exists: an absolute path still checks, a relative
    /// one is a clear "cannot read" (getcwd fails, so nothing is joined to it), never a crash.
    @Test func scriptsAreStillFoundByAbsolutePath() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let script = try scratch.write("ok.mesh", "mesh m\nnetwork n\ncluster c < trust from root; install network n >\n")
        let binary = try requireMeshscript()
        let gone = scratch.at("gone")
        let shell = "mkdir \"$1\" && cd \"$1\" && rmdir \"$1\" && shift && exec \"$@\""
        let absolute = try runProcess("/bin/sh", ["-c", shell, "sh", gone, binary, "check", "--no-kubeconfig", script],
                                      environment: CLI.environment, directory: scratch.path, timeout: .seconds(60))
        #expect(!absolute.signaled && absolute.status == 0, "\(absolute)")
        let relative = try runProcess("/bin/sh", ["-c", shell, "sh", gone, binary, "check", "--no-kubeconfig", "ok.mesh"],
                                      environment: CLI.environment, directory: scratch.path, timeout: .seconds(60))
        #expect(!relative.signaled && relative.status == 65, "\(relative)")
        #expect(relative.stderr.contains("ok.mesh"), "\(relative)")
    }
}

@Suite struct UnwritableStandardStreams {
    /// Runs meshscript through sh with `redirection` applied, in the package root.
    static func run(_ arguments: [String], _ redirection: String) throws -> ProcessRun {
        let binary = try requireMeshscript()
        return try runProcess("/bin/sh", ["-c", "exec \"$0\" \"$@\" " + redirection, binary] + arguments,
                              environment: CLI.environment, directory: packageRoot.path, timeout: .seconds(60))
    }

    @Test func diagnosticsToAFullStandardError() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bad = try scratch.write("bad.mesh", "mesh m\ncluster c < nonsense >\n")
        let run = try Self.run(["check", "--no-kubeconfig", bad], "2>/dev/full")
        #expect(!run.signaled && run.status == 74, "\(run)")
    }

    @Test func aShellPlanToAFullStandardOutput() throws {
        let run = try Self.run(["plan", "--format", "shell", "examples/add-primary.mesh"], ">/dev/full")
        #expect(!run.signaled && run.status == 74, "\(run)")
    }

    /// plan.json is streamed in 64 KiB pieces: a failed piece still ends in 74, and the pieces
    /// joined are the whole document.
    @Test func aStreamedJSONPlanToAFullStandardOutputAndWhole() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let clusters = (0..<60).map { "cluster c\($0) < trust from root; install network n; discover with c\(($0 + 59) % 60) >" }
        let ring = try scratch.write("ring.mesh", (["mesh m", "network n"] + clusters).joined(separator: "\n") + "\n")
        let full = try Self.run(["plan", "--format", "json", ring], ">/dev/full")
        #expect(!full.signaled && full.status == 74, "\(full)")
        let whole = try Self.run(["plan", "--format", "json", ring], "")
        #expect(whole.status == 0 && whole.stdout.utf8.count > 4 << 16, "\(whole.stdout.utf8.count) bytes")
        let object = try JSONSerialization.jsonObject(with: Data(whole.stdout.utf8)) as? [String: Any]
        #expect((object?["steps"] as? [Any])?.count ?? 0 > 60 * 5)
        #expect(whole.stdout.hasSuffix("}\n"))
    }

    @Test func helpToAFullStandardOutput() throws {
        let run = try Self.run(["plan", "--help"], ">/dev/full")
        #expect(!run.signaled && run.status == 74, "\(run)")
    }

    /// A reader that goes away ends meshscript by SIGPIPE (status 141 in a shell), like any Unix
    /// filter, or with 74 when SIGPIPE is ignored; never by a trap.
    @Test func aPlanIntoAClosedPipe() throws {
        let binary = try requireMeshscript()
        let script = "(\"$0\" \"$@\"; echo \"status $?\" >&2) | head -c1 >/dev/null"
        let run = try runProcess("/bin/sh", ["-c", script, binary, "plan", "--format", "shell", "examples/add-primary.mesh"],
                                 environment: CLI.environment, directory: packageRoot.path, timeout: .seconds(60))
        let status = run.stderr.components(separatedBy: "status ").last?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(["0", "141", "74"].contains(status ?? ""), "\(run)")
    }
}
