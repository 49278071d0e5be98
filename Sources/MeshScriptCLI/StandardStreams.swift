// Standard output and standard error through C stdio, so that a failed write (a full disk,
// /dev/full, a reader that went away with SIGPIPE ignored) is recorded in the stream's error
// flag instead of trapping, and the run ends with EX_IOERR rather than 0 with truncated output.
// A closed pipe on stdout with SIGPIPE at its default ends the process by SIGPIPE, as for
// any Unix filter (a shell reports 141).
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum StandardStreams {
    /// EX_IOERR from sysexits.h: some output could not be written.
    static let outputFailed: Int32 = 74

    /// Makes every exit (usage errors and help included) flush stdout and check both streams
    /// first: after a failed write the exit code becomes ``outputFailed`` whatever it was.
    /// Like gnulib's close_stdout, the check runs at exit and leaves with `_exit`.
    static func checkWritesAtExit() {
        atexit {
            if StandardStreams.writeFailed() { _exit(StandardStreams.outputFailed) }
        }
    }

    /// Whether any write to stdout or stderr failed, flushing stdout first.
    static func writeFailed() -> Bool {
        let flushFailed = fflush(stdout) != 0
        return flushFailed || ferror(stdout) != 0 || ferror(stderr) != 0
    }

    /// Writes `bytes` to stdout (buffered); a failure is left for the exit check.
    static func writeOutput(_ bytes: UnsafeRawBufferPointer) {
        _ = fwrite(bytes.baseAddress, 1, bytes.count, stdout)
    }

    /// Writes `text` to stderr (unbuffered); a failure is left for the exit check.
    static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, stderr) }
    }
}

/// stderr as a `TextOutputStream` for `print(..., to:)`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { StandardStreams.writeError(string) }
}
