// How `import` and the host read scripts. The evaluator itself never touches the file
// system: the host passes a loader in (tests pass an in-memory one).
import Foundation

public struct LoaderError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

public protocol ScriptLoader: Sendable {
    /// A canonical absolute path (symlinks resolved where possible), used for caching and confinement.
    func canonicalPath(_ path: String, relativeTo directory: String?) -> String
    func read(_ canonicalPath: String) throws(LoaderError) -> [UInt8]
}

extension ScriptLoader {
    public func directory(of path: String) -> String {
        (path as NSString).deletingLastPathComponent
    }
}

public struct FileSystemLoader: ScriptLoader {
    /// Scripts larger than this are refused rather than read into memory.
    public var maxFileSize: Int

    public init(maxFileSize: Int = 64 << 20) { self.maxFileSize = maxFileSize }

    public func canonicalPath(_ path: String, relativeTo directory: String?) -> String {
        let joined = path.hasPrefix("/") ? path : (directory ?? FileManager.default.currentDirectoryPath) + "/" + path
        let standardized = (joined as NSString).standardizingPath
        return URL(fileURLWithPath: standardized).resolvingSymlinksInPath().path
    }

    public func read(_ path: String) throws(LoaderError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LoaderError("no such file")
        }
        if isDirectory.boolValue { throw LoaderError("it is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw LoaderError("permission denied") }
        defer { try? handle.close() }
        do {
            let size = try handle.seekToEnd()
            if size > UInt64(maxFileSize) { throw LoaderError("the file is \(size) bytes; the limit is \(maxFileSize)") }
            try handle.seek(toOffset: 0)
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch let error as LoaderError {
            throw error
        } catch {
            throw LoaderError(error.localizedDescription)
        }
    }
}

/// Scripts held in memory by path: for tests and hosts that keep scripts elsewhere.
public struct InMemoryLoader: ScriptLoader {
    public var files: [String: String]
    public init(_ files: [String: String]) { self.files = files }

    public func canonicalPath(_ path: String, relativeTo directory: String?) -> String {
        let joined = path.hasPrefix("/") ? path : (directory ?? "") + "/" + path
        return (joined as NSString).standardizingPath
    }

    public func read(_ path: String) throws(LoaderError) -> [UInt8] {
        guard let text = files[path] else { throw LoaderError("no such file") }
        return Array(text.utf8)
    }
}
