// Read-only looks at the file system: what exists, what it holds, whether a directory can be
// created and written. Used by the survey that runs before anything is written.

import Foundation
import LocalFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum Disk {
    enum Entry {
        case missing
        case file(mode: mode_t)
        case directory
        case other
    }

    static func entry(_ path: String) -> Entry {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file(mode: info.st_mode & 0o7777)
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Whether nothing at all (not even a dangling symbolic link) is at `path`.
    static func isMissing(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) != 0 && errno == ENOENT
    }

    /// Where the symbolic link at `path` points when that does not exist; nil for anything else.
    static func danglingLinkTarget(_ path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK, stat(path, &info) != 0, errno == ENOENT else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return "?" }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The largest certificate or key file read; a PEM file is a few kilobytes.
    static let maxFileSize = 64 << 20

    /// The file's bytes and permission bits, or nil when it does not exist. Anything else
    /// unreadable is an error; a FIFO or a device is refused without being opened.
    static func readFile(_ path: String) throws(TrustError) -> (data: Data, mode: mode_t)? {
        switch entry(path) {
        case .missing:
            if let target = danglingLinkTarget(path) {
                // Perhaps a key kept on a volume that is not mounted: writing a new one through
                // (or over) the link could give the mesh a second root.
                throw TrustError("is a symbolic link to '\(target)', which does not exist", path: path,
                                 help: "mount or restore what it points to, or remove the link to start afresh")
            }
            return nil
        case .directory, .other:
            throw TrustError("is not a regular file", path: path)
        case .file(let mode):
            do {
                return (Data(try RegularFile.read(path, limit: maxFileSize)), mode)
            } catch {
                throw TrustError(error.message, path: path)
            }
        }
    }

    /// The file's bytes, or nil when it does not exist. Anything else unreadable is an error.
    static func read(_ path: String) throws(TrustError) -> Data? {
        try readFile(path)?.data
    }

    static func readExisting(_ path: String) throws(TrustError) -> Data {
        guard let data = try read(path) else { throw TrustError("does not exist", path: path) }
        return data
    }

    /// The directories to create so that `path` exists, outermost first; or a problem when it
    /// cannot exist as a directory (a component is a file, or the work directory must be created
    /// in a directory that is not writable). Checked up front so that an unusable WORK_DIR fails
    /// before any work. An existing directory need not be writable: a render that finds every
    /// file right writes nothing, and the commit names what it would change otherwise.
    static func directoriesToCreate(_ path: String) throws(TrustError) -> [String] {
        var missing: [String] = []
        var current = path
        while true {
            switch entry(current) {
            case .directory:
                guard missing.isEmpty || access(current, W_OK | X_OK) == 0 else {
                    throw TrustError("is not writable, so \(path) cannot be created", path: current)
                }
                return missing.reversed()
            case .file, .other:
                throw TrustError(
                    "is not a directory, so \(path) cannot be created there", path: current,
                    help: "choose another output directory"
                )
            case .missing:
                missing.append(current)
                let parent = FilePath.parent(of: current)
                if parent.isEmpty || parent == current {
                    // A relative path whose first component is missing: it goes in the current directory.
                    guard access(".", W_OK | X_OK) == 0 else {
                        throw TrustError("is not writable, so \(path) cannot be created", path: Directory.current)
                    }
                    return missing.reversed()
                }
                current = parent
            }
        }
    }
}
