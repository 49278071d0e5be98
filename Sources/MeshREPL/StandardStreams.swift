// The REPL's output through C stdio: a failed write sets the stream's error flag (which the
// meshscript executable checks at exit) instead of trapping like FileHandle's write.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum StandardStreams {
    /// Writes `text` to stdout and flushes it, so a prompt's answer appears at once.
    static func write(_ text: String) { write(text, to: stdout) }

    /// Writes `text` to stderr.
    static func writeError(_ text: String) { write(text, to: stderr) }

    private static func write(_ text: String, to stream: UnsafeMutablePointer<FILE>) {
        var text = text
        text.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, stream) }
        fflush(stream)
    }
}
