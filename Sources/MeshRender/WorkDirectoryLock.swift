// One meshscript at a time per work directory: render and apply hold an exclusive flock(2) on
// the work directory itself while they write it (and, for apply, while they change the
// clusters), so two runs can never write two roots or mix their files. The lock writes nothing
// and ends with the process, so a killed run never leaves a stale lock. A work directory that
// does not exist yet is locked through its nearest existing parent until it does. The lock is
// taken on a descriptor opened O_RDONLY, so a read-only work directory is locked without a write.
//
// The run that holds the lock first finishes what a killed run left: the commit journal (rolled
// forward) and the temporary files nobody will rename any more.
import Foundation
import LocalFiles
import MeshTrust
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive flock(2) on a work directory, released when the object is freed.
public final class WorkDirectoryLock: Sendable {
    /// Why the lock could not be taken.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Another process holds the lock; `holder` names it when /proc/locks shows it
        /// ("process 4242: meshscript render mesh.mesh --out work").
        case held(directory: String, holder: String?)
        /// The lock file cannot be opened or locked; `reason` says why.
        case unusable(directory: String, reason: String)

        /// The failure as a one-line message for the user.
        public var description: String {
            switch self {
            case .held(let directory, let holder):
                "\(directory) is in use by another meshscript render or apply\(holder.map { " (\($0))" } ?? ""); wait for it to finish, or pass --wait-lock to wait"
            case .unusable(let directory, let reason):
                "cannot lock \(directory): \(reason)"
            }
        }
    }

    private let descriptor: Int32
    /// The work directory asked for (which may not exist yet).
    public let directory: String

    private init(descriptor: Int32, directory: String) {
        self.descriptor = descriptor
        self.directory = directory
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Locks `directory` (or, while it does not exist, its nearest existing parent).
    /// - Parameter directory: the work directory.
    /// - Parameter wait: block until the holder is done, instead of failing with `.held`.
    /// - Returns: nil when no parent exists to lock (the render that follows reports the path).
    public static func acquire(_ directory: String, wait: Bool) throws(Failure) -> WorkDirectoryLock? {
        guard let existing = nearestDirectory(directory) else { return nil }
        let descriptor = open(existing, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unusable(directory: existing, reason: String(cString: strerror(errno))) }
        while flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let code = errno
            defer { close(descriptor) }
            if code == EWOULDBLOCK { throw .held(directory: directory, holder: LockHolder.describe(lockedBy: descriptor)) }
            throw .unusable(directory: existing, reason: String(cString: strerror(code)))
        }
        return WorkDirectoryLock(descriptor: descriptor, directory: directory)
    }

    /// Finishes what an interrupted render or apply left in the work directory: completes its
    /// commit journal (``/MeshTrust/CommitJournal/recover(in:)``), then removes every `.NAME.tmp-XXXXXX`
    /// file in it and in its cluster directories, whatever its age, since no other run can be
    /// writing while this one holds the lock. Writes nothing when nothing was left.
    /// - Returns: one line for each thing done, for the user.
    /// - Throws: when the journal cannot be read or completed (nothing is removed then).
    public func recoverInterruptedWork() throws(TrustError) -> [String] {
        guard Self.isDirectory(directory, following: true) else { return [] }
        var notes: [String] = []
        if let recovery = try CommitJournal.recover(in: directory) { notes.append(recovery.note) }
        let subdirectories = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
            .map { FilePath.join(directory, $0) }
            .filter { Self.isDirectory($0, following: false) }
        let removed = MeshRenderer.removeTemporaries(in: [directory] + subdirectories, journalDirectory: directory, olderThan: nil)
        return notes + removed.map(MeshRenderer.temporaryRemovalNote)
    }

    /// Whether `path` is a directory; without `following`, a symbolic link to one is not.
    private static func isDirectory(_ path: String, following: Bool) -> Bool {
        var info = stat()
        let found = following ? stat(path, &info) : lstat(path, &info)
        return found == 0 && info.st_mode & S_IFMT == S_IFDIR
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

/// Who holds a flock, read from Linux's /proc/locks: best effort, for the message only.
enum LockHolder {
    /// "process PID: COMMAND LINE" of the process holding a flock on the file open as
    /// `descriptor`, or nil when /proc does not say (another PID namespace, not Linux).
    static func describe(lockedBy descriptor: Int32) -> String? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, let pid = holderPID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)) else { return nil }
        let command = ((try? RegularFile.read("/proc/\(pid)/cmdline", limit: 4096)) ?? [])
            .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        let shown = String(command.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }.prefix(160))
        return shown.isEmpty ? "process \(pid)" : "process \(pid): \(shown)"
    }

    /// The PID of the FLOCK holder (not a waiter, "->") on DEVICE:INODE in /proc/locks, whose
    /// lines read `1: FLOCK  ADVISORY  WRITE 4242 00:2e:1234567 0 EOF` (major and minor in hex).
    static func holderPID(device: UInt64, inode: UInt64) -> Int? {
        guard let bytes = try? RegularFile.read("/proc/locks", limit: 4 << 20) else { return nil }
        let major = ((device >> 8) & 0xFFF) | ((device >> 32) & ~0xFFF)
        let minor = (device & 0xFF) | ((device >> 12) & ~0xFF)
        let wanted = String(format: "%02llx:%02llx:%llu", major, minor, inode)
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where !line.contains("->") {
            let fields = line.split(separator: " ")
            guard fields.count > 5, fields[1] == "FLOCK", fields[5] == wanted, let pid = Int(fields[4]), pid > 0 else { continue }
            return pid
        }
        return nil
    }
}
