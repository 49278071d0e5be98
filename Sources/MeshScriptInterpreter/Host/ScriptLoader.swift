// How `import` and the host read scripts. The evaluator itself never touches the file
// system: the host passes a loader in (tests pass an in-memory one).
import Foundation
import LocalFiles

/// Why a script could not be read.
public struct LoaderError: Error, Sendable {
    /// The reason, shown after `cannot read 'PATH': ` or `cannot import 'PATH': `.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
}

/// Resolves and reads script files for the host and for `import`.
public protocol ScriptLoader: Sendable {
    /// A canonical absolute path (symlinks resolved where possible), used for caching and confinement.
    func canonicalPath(_ path: String, relativeTo directory: String?) -> String
    /// The bytes of the script at `canonicalPath` (one returned by ``canonicalPath(_:relativeTo:)``).
    /// - Throws: ``LoaderError`` when it cannot be read.
    func read(_ canonicalPath: String) throws(LoaderError) -> [UInt8]
}

extension ScriptLoader {
    /// The directory holding `path`: its base for relative imports.
    public func directory(of path: String) -> String {
        FilePath.parent(of: path)
    }
}

/// Reads scripts from the local file system.
public struct FileSystemLoader: ScriptLoader {
    /// Scripts larger than this are refused rather than read into memory.
    public var maxFileSize: Int

    /// A loader refusing files over `maxFileSize` bytes (64 MiB by default).
    public init(maxFileSize: Int = 64 << 20) { self.maxFileSize = maxFileSize }

    /// `path` made absolute and normalized, then with symlinks resolved when it exists.
    public func canonicalPath(_ path: String, relativeTo directory: String?) -> String {
        let joined = FilePath.normalized(FilePath.join(directory ?? Directory.current, path))
        guard let resolved = realpath(joined, nil) else { return joined }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The script's bytes: only a regular file is opened (a FIFO or a device is refused),
    /// and at most ``maxFileSize`` bytes are read.
    public func read(_ path: String) throws(LoaderError) -> [UInt8] {
        do {
            return try RegularFile.read(path, limit: maxFileSize)
        } catch {
            throw LoaderError(error.kind == .missing ? "no such file" : "it " + error.message)
        }
    }
}

/// Scripts held in memory by path: for tests and hosts that keep scripts elsewhere.
public struct InMemoryLoader: ScriptLoader {
    /// Script text by canonical (absolute, normalized) path.
    public var files: [String: String]
    /// A loader serving `files`.
    public init(_ files: [String: String]) { self.files = files }

    /// `path` joined to `directory` when relative, then normalized; no symlinks here.
    public func canonicalPath(_ path: String, relativeTo directory: String?) -> String {
        FilePath.normalized(path.hasPrefix("/") ? path : (directory ?? "") + "/" + path)
    }

    /// The UTF-8 bytes of the script at `path`.
    public func read(_ path: String) throws(LoaderError) -> [UInt8] {
        guard let text = files[path] else { throw LoaderError("no such file") }
        return Array(text.utf8)
    }
}
