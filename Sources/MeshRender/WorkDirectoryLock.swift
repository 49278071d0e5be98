// One meshscript at a time per work directory: render and apply hold an exclusive flock(2) on
// the work directory itself while they write it (and, for apply, while they change the
// clusters), so two runs can never write two roots or mix their files. The lock writes nothing
// and ends with the process, so a killed run never leaves a stale lock. A work directory that
// does not exist yet is locked through its nearest existing parent until it does.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive flock(2) on a work directory, released when the object is freed.
public final class WorkDirectoryLock: Sendable {
    /// Why the lock could not be taken.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Another process holds the lock.
        case held(directory: String)
        case unusable(directory: String, reason: String)

        /// The failure as a one-line message for the user.
        public var description: String {
            switch self {
            case .held(let directory):
                "\(directory) is in use by another meshscript render or apply; wait for it to finish, or pass --wait-lock to wait"
            case .unusable(let directory, let reason):
                "cannot lock \(directory): \(reason)"
            }
        }
    }

    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Locks `directory` (or, while it does not exist, its nearest existing parent).
    /// - Parameter wait: block until the holder is done, instead of failing with `.held`.
    /// - Returns: nil when no parent exists to lock (the render that follows reports the path).
    public static func acquire(_ directory: String, wait: Bool) throws(Failure) -> WorkDirectoryLock? {
        guard let existing = nearestDirectory(directory) else { return nil }
        let descriptor = open(existing, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unusable(directory: existing, reason: String(cString: strerror(errno))) }
        while flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { throw .held(directory: directory) }
            throw .unusable(directory: existing, reason: String(cString: strerror(code)))
        }
        return WorkDirectoryLock(descriptor: descriptor)
    }

    /// `path` itself when it is a directory, else its nearest ancestor that is one.
    static func nearestDirectory(_ path: String) -> String? {
        var candidate = path.isEmpty ? "." : path
        while true {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) { return isDirectory.boolValue ? candidate : nil }
            guard let slash = candidate.lastIndex(of: "/") else { return "." }
            candidate = slash == candidate.startIndex ? "/" : String(candidate[..<slash])
        }
    }
}
