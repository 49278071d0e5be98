// Runs one command of a plan: its stages as processes spawned with argument lists (never a
// shell), stdout of each stage piped into stdin of the next, stdin of the first from
// /dev/null. Only the last stage's stdout is kept: an intermediate stage's output (a remote
// secret) goes nowhere but the next process. Every stage's stderr is kept (its tail) for the
// failure report.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a process ended.
public enum Termination: Sendable, Hashable {
    /// The process exited with this status.
    case exited(Int32)
    /// The process was killed by this signal.
    case signaled(Int32)

    /// Whether the process exited with status 0.
    public var succeeded: Bool { self == .exited(0) }
}

/// A program found on PATH, the way a shell finds it (POSIX `execvp`), but from an environment
/// dictionary the host passes in, not from this process's own.
public enum ProgramLocator {
    /// Where `program` runs from: itself when it contains a slash, else the first executable file of that name on PATH; nil when none.
    public static func locate(_ program: String, environment: [String: String]) -> String? {
        if program.contains("/") { return isExecutableFile(program) ? program : nil }
        for directory in (environment["PATH"] ?? "").split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = directory.hasSuffix("/") ? String(directory) + program : String(directory) + "/" + program
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    /// Why `program` is not found: "not found on PATH", or, for a file on PATH that cannot be
    /// executed (a tool downloaded without `chmod +x`), which file that is.
    public static func whyNotFound(_ program: String, environment: [String: String]) -> String {
        let directories = program.contains("/") ? [""] : (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in directories {
            let candidate = directory.isEmpty ? program : (directory.hasSuffix("/") ? directory : directory + "/") + program
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                return "\(candidate) is on PATH but cannot be executed (chmod +x \(candidate))"
            }
        }
        return "not found on PATH"
    }

    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}

struct StageResult: Sendable {
    var program: String
    var termination: Termination
    /// The end of what the process wrote on stderr (bounded).
    var standardError: Data
}

struct PipelineResult: Sendable {
    var stages: [StageResult]
    /// What the last stage wrote on stdout (bounded).
    var output: Data
}

/// Keeps the last `limit` bytes written to it.
struct TailBuffer {
    let limit: Int
    private(set) var data = Data()
    init(limit: Int) { self.limit = limit }
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        data.append(contentsOf: bytes)
        if data.count > limit { data = Data(data.suffix(limit)) }
    }
}

/// The processes of the command now running, so that `cancel` can stop them from any thread.
final class ChildRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var running: Set<pid_t> = []
    private var cancelled = false

    var isCancelled: Bool { lock.withLock { cancelled } }

    /// Registers a spawned child; false when cancellation came first (the caller then stops it).
    func register(_ pid: pid_t) -> Bool {
        lock.withLock {
            running.insert(pid)
            return !cancelled
        }
    }

    /// Called after the child has exited but before it is reaped, so its pid cannot be reused
    /// while `cancel` may still signal it.
    func unregister(_ pid: pid_t) { lock.withLock { _ = running.remove(pid) } }

    /// SIGTERM to every running child; SIGKILL to those still running after `grace` seconds.
    func cancel(grace: Double) {
        let pids: Set<pid_t> = lock.withLock {
            cancelled = true
            return running
        }
        // Each command runs in a process group of its own: the tool and whatever it started.
        for pid in pids { kill(pid, SIGTERM); kill(-pid, SIGTERM) }
        guard !pids.isEmpty else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
            lock.withLock {
                for pid in running.intersection(pids) { kill(pid, SIGKILL); kill(-pid, SIGKILL) }
            }
        }
    }
}

enum PipelineError: Error {
    case launchFailed(program: String, errno: Int32)
    case cancelled
}

enum Pipeline {
    static let outputLimit = 1 << 20
    static let errorLimit = 64 << 10

    /// Spawns every stage, drains their outputs, waits for all of them.
    /// - Parameter stages: resolved executable path, and the argument list (argv[0] first).
    static func run(_ stages: [(path: String, arguments: [String])], environment: [String: String],
                    children: ChildRegistry, outputLimit: Int = outputLimit) throws(PipelineError) -> PipelineResult {
        precondition(!stages.isEmpty)
        if children.isCancelled { throw .cancelled }
        var toClose: [Int32] = []
        defer { for fd in toClose { close(fd) } }

        // Pipes: between stages, the last stage's stdout, and one stderr per stage.
        var links: [(read: Int32, write: Int32)] = []
        for _ in 0..<(stages.count - 1) { links.append(try makePipe(&toClose, stages[0].path)) }
        let output = try makePipe(&toClose, stages[0].path)
        var errors: [(read: Int32, write: Int32)] = []
        for stage in stages { errors.append(try makePipe(&toClose, stage.path)) }

        let environmentList = environment.map { "\($0.key)=\($0.value)" }.sorted()
        var pids: [pid_t] = []
        var launchError: PipelineError?
        for (index, stage) in stages.enumerated() {
            let input: Int32? = index == 0 ? nil : links[index - 1].read
            let stdout = index == stages.count - 1 ? output.write : links[index].write
            let spawned = spawnRetryingBusyText(stage.path, stage.arguments, environmentList, group: pids.first ?? 0,
                                                input: input, output: stdout, error: errors[index].write)
            guard spawned.error == 0 else {
                launchError = .launchFailed(program: stage.arguments.first ?? stage.path, errno: spawned.error)
                break
            }
            pids.append(spawned.pid)
            if !children.register(spawned.pid) { kill(spawned.pid, SIGTERM) }
        }
        // The parent keeps only the read ends it drains; a stage sees EOF once its writers exit.
        for link in links { close(link.read); close(link.write) }
        close(output.write)
        for error in errors { close(error.write) }
        toClose = [output.read] + errors.map(\.read)
        if launchError != nil { for pid in pids { kill(pid, SIGTERM) } }

        var outputBuffer = TailBuffer(limit: outputLimit)
        var errorBuffers = Array(repeating: TailBuffer(limit: errorLimit), count: stages.count)
        drain([output.read] + errors.map(\.read), until: pids) { index, bytes in
            if index == 0 { outputBuffer.append(bytes) } else { errorBuffers[index - 1].append(bytes) }
        }

        var results: [StageResult] = []
        for (index, pid) in pids.enumerated() {
            results.append(StageResult(program: stages[index].arguments.first ?? stages[index].path,
                                       termination: wait(pid, children: children), standardError: errorBuffers[index].data))
        }
        if let launchError { throw launchError }
        return PipelineResult(stages: results, output: outputBuffer.data)
    }

    private static func makePipe(_ toClose: inout [Int32], _ program: String) throws(PipelineError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        // Glibc's pipe2 is not imported into Swift; a process spawned by another thread between
        // these two calls could inherit the pipe (which only delays EOF until that process ends).
        let status = pipe(&fds)
        if status == 0 { for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } }
        guard status == 0 else { throw .launchFailed(program: program, errno: errno) }
        toClose += fds
        return (fds[0], fds[1])
    }

    /// `spawn`, retried for a moment while the executable is busy (ETXTBSY). Linux refuses to run a
    /// file that any process still has open for writing. That is transient when the file was just
    /// written: a process spawned concurrently (by this host or another) can inherit the writer's
    /// descriptor — until it execs, or, when the writer did not set close-on-exec (mkstemp, used
    /// by atomic writes), until it exits. About 1.3 s of back-off in all, then the error stands.
    private static func spawnRetryingBusyText(_ path: String, _ arguments: [String], _ environment: [String], group: pid_t,
                                              input: Int32?, output: Int32, error: Int32) -> (pid: pid_t, error: Int32) {
        var delay: useconds_t = 10_000
        while true {
            let spawned = spawn(path, arguments, environment, group: group, input: input, output: output, error: error)
            guard spawned.error == ETXTBSY, delay <= 640_000 else { return spawned }
            usleep(delay)
            delay *= 2
        }
    }

    /// posix_spawn with the standard descriptors replaced (everything else is close-on-exec),
    /// the signals a terminal sends reset to their defaults (the host may ignore SIGINT while it
    /// waits, and ignored signals are inherited), and an empty signal mask.
    /// - Parameter group: the process group to join; 0 starts a new one led by this process.
    private static func spawn(_ path: String, _ arguments: [String], _ environment: [String], group: pid_t,
                              input: Int32?, output: Int32, error: Int32) -> (pid: pid_t, error: Int32) {
        #if os(Linux)
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, error, 2)

        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        // A process group of its own (the pipeline's first stage leads it), so cancel reaches
        // whatever the tool started too.
        posix_spawnattr_setpgroup(&attributes, group)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        return (status == 0 ? pid : 0, status)
    }

    /// How long the pipes are still read after every stage has exited: a process a tool left
    /// behind (`sleep 100000 &`) holds them open, and must not hang the run.
    static let drainGrace: Double = 0.5

    /// Reads every descriptor until EOF on all of them, or until `processes` have all exited and
    /// `drainGrace` has passed, handing each chunk to `sink`.
    private static func drain(_ descriptors: [Int32], until processes: [pid_t], _ sink: (Int, UnsafeRawBufferPointer) -> Void) {
        var polled = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var remaining = descriptors.count
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        var allExited: Date?
        while remaining > 0 {
            if let allExited, Date().timeIntervalSince(allExited) > drainGrace { return }
            if allExited == nil, processes.allSatisfy(hasExited) { allExited = Date() }
            let ready = poll(&polled, nfds_t(polled.count), 100)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            for index in polled.indices where polled[index].fd >= 0 && polled[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(polled[index].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    buffer.withUnsafeBytes { sink(index, UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    polled[index].fd = -1 // poll ignores negative descriptors
                    // That stream reached EOF or failed: one fewer left to drain.
                    remaining -= 1
                }
            }
        }
    }

    /// Whether `pid` has exited (it is not reaped: `wait` does that).
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return false }
        // With WNOHANG and nothing to report, waitid succeeds and leaves the pid zero.
        #if os(Linux)
        return info._sifields._sigchld.si_pid == pid
        #else
        return info.si_pid == pid
        #endif
    }

    /// Waits for `pid` to exit without reaping it, unregisters it, then reaps it.
    private static func wait(_ pid: pid_t, children: ChildRegistry) -> Termination {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        children.unregister(pid)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG are C macros Swift does not import.
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }
}
