// Running a program the way a user's shell would not: with an argument array (never through a
// shell), a chosen environment, a bound on how long it may take, and its output captured.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a finished (or killed) process ended, and what it wrote.
public struct ProcessRun: CustomStringConvertible, Sendable {
    public var status: Int32
    /// Ended by a signal (a crash, or the kill after a timeout); `status` is then the signal.
    public var signaled: Bool
    public var timedOut: Bool
    public var stdout: String
    public var stderr: String
    /// The size of stderr as written, before it was decoded as UTF-8.
    public var stderrBytes: Int
    public var elapsed: Duration

    /// stdout, then stderr.
    public var output: String { stdout + stderr }

    /// For failure messages: how it ended, and the start of each stream (some runs write megabytes).
    public var description: String {
        "exit \(status)\(signaled ? " (signal)" : "")\(timedOut ? " (timed out)" : "") after \(elapsed)\n"
            + "stdout:\n\(stdout.prefix(4000))\nstderr:\n\(stderr.prefix(4000))"
    }
}

/// What a process reads on stdin.
public enum ProcessInput: Sendable {
    /// /dev/null: not a terminal, and nothing to read.
    case nothing
    /// The text, written through a pipe, which is then closed.
    case text(String)
    /// A file, as a shell's `< path` gives it.
    case file(String)
}

/// Runs `executable` with `arguments` in `directory`, with `environment` (nil: this process's).
/// stdout and stderr go to files, so neither pipe can fill up and block the child (or its
/// children). After `timeout` the process is killed (SIGKILL); `interruptWhen` sends one SIGINT
/// once it holds. `mergingStderr` sends stderr into stdout, interleaved as a terminal shows them.
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                       directory: String? = nil, input: ProcessInput = .nothing, mergingStderr: Bool = false,
                       timeout: Duration = .seconds(120), interruptWhen: (() -> Bool)? = nil) throws -> ProcessRun {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let outPath = try scratch.write("out", ""), errPath = try scratch.write("err", "")
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    process.standardOutput = out
    process.standardError = mergingStderr ? out : err
    let stdinPipe = Pipe()
    switch input {
    case .nothing: process.standardInput = FileHandle.nullDevice
    case .text: process.standardInput = stdinPipe
    case .file(let path): process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    }

    // Woken when the child exits: a poll would add its interval to every run of the suite.
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    let start = ContinuousClock.now
    try process.run()
    if case .text(let text) = input {
        // From another thread: a child that reads slowly must not block this one.
        let writer = stdinPipe.fileHandleForWriting
        DispatchQueue.global().async {
            try? writer.write(contentsOf: Data(text.utf8))
            try? writer.close()
        }
    }
    let timedOut = !waitForExit(process, exited, until: start + timeout, interruptWhen: interruptWhen)
    process.waitUntilExit()
    let elapsed = ContinuousClock.now - start
    try out.close()
    try err.close()
    let stdout = FileManager.default.contents(atPath: outPath) ?? Data()
    let stderr = FileManager.default.contents(atPath: errPath) ?? Data()
    return ProcessRun(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                      timedOut: timedOut, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self), stderrBytes: stderr.count, elapsed: elapsed)
}

/// Waits for `exited` (signalled by the process's termination handler) until `deadline`, then kills
/// the process (SIGKILL) and returns false. While `interruptWhen` is given, it is asked every 20 ms
/// and one SIGINT is sent once it holds.
private func waitForExit(_ process: Process, _ exited: DispatchSemaphore, until deadline: ContinuousClock.Instant,
                         interruptWhen: (() -> Bool)?) -> Bool {
    var interrupted = interruptWhen == nil
    while true {
        let now = ContinuousClock.now
        if now >= deadline { break }
        let wait = interrupted ? deadline - now : min(deadline - now, .milliseconds(20))
        let (seconds, attoseconds) = wait.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        if exited.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success { return true }
        if !interrupted, let interruptWhen, interruptWhen() {
            interrupted = true
            process.interrupt()
        }
    }
    kill(process.processIdentifier, SIGKILL)
    return false
}

/// A program on this process's PATH (openssl, kubectl, dot), or nil when it is not installed.
public func executableOnPath(_ name: String) -> String? {
    let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
    return directories.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// `body`'s result, computed on a thread of its own: an evaluation that spins until it is
/// cancelled would otherwise hold one of the few threads of the Task pool, and the Task that
/// cancels it might never run.
public func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
