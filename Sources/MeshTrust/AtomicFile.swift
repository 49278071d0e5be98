// Writing files so that a reader (or a crash) never sees half of one: the bytes go to a temporary
// file in the same directory, are fsynced and given their final mode, and only then renamed over
// the target. Rendering stages every file first and renames them all at the end (FileCommit, with
// its journal), so a failure while staging leaves WORK_DIR exactly as it was.

import CFileSystem
import Foundation
import LocalFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes by temporary file, fsync and rename, so no one sees half a file.
public enum AtomicFile {
    /// Replaces (or creates) `path` with `data` and permission bits `mode`, atomically.
    /// A commit of one file (``FileCommit``), which needs no journal: one rename is atomic.
    public static func write(_ data: Data, to path: String, mode: mode_t) throws(TrustError) {
        var commit = FileCommit(directory: FilePath.parent(of: path))
        commit.add(data, at: path, mode: mode)
        try commit.commit()
    }

    /// What `update` did to the file.
    public enum Outcome: Sendable {
        /// The file was created, replaced because its bytes differed, or left alone because they matched.
        case created, rewritten, unchanged
    }

    /// Writes `data` to `path` (as `write` does) unless the file already holds exactly these bytes;
    /// such a file keeps its bytes and mtime, but permission bits it grants group or others beyond
    /// `mode` are removed, and `note` says so.
    public static func update(_ data: Data, at path: String, mode: mode_t) throws(TrustError) -> (outcome: Outcome, note: String?) {
        var commit = FileCommit(directory: FilePath.parent(of: path))
        let result = try commit.update(data, at: path, mode: mode)
        try commit.commit()
        return result
    }

    /// A key (or a file embedding one) left group- or world-readable by hand or by an older tool:
    /// the note for the user, or nil when `current` grants nothing `mode` does not.
    static func tightenMode(of path: String, from current: mode_t, to mode: mode_t) -> String? {
        guard current & ~mode & 0o077 != 0 else { return nil }
        // chmod follows a symbolic link: its target may be anywhere, so it is only reported.
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            return "\(path) is a symbolic link to a file readable by others; its target's mode was left as it is (make it \(String(mode, radix: 8)) yourself)"
        }
        guard chmod(path, mode) == 0 else {
            return "\(path) is readable by others and its mode could not be changed: \(StagedFile.lastError())"
        }
        return "\(path) was readable by others; its mode is now \(String(mode, radix: 8))"
    }
}

/// A complete temporary file waiting to be renamed over its target.
struct StagedFile: Sendable {
    let target: String
    let temporary: String

    /// Writes `data` to a new temporary file beside `target`, with `mode`; fsynced unless `sync`
    /// is false (a commit of many files flushes them all at once, with ``syncFileSystem(of:_:)``).
    init(_ data: Data, for target: String, mode: mode_t, sync: Bool = true) throws(TrustError) {
        let directory = FilePath.parent(of: target)
        let name = FilePath.lastComponent(of: target)
        var template = Array(TrustLayout.join(directory.isEmpty ? "." : directory, ".\(name).tmp-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw TrustError("cannot be written: \(Self.lastError())", path: target)
        }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // mkstemp creates the file 0600, so a key is never readable by others, even briefly.
        var failure: String?
        if !Self.writeAll(data, to: descriptor) {
            failure = Self.lastError()
        } else if fchmod(descriptor, mode) != 0 || (sync && fsync(descriptor) != 0) {
            failure = Self.lastError()
        }
        if close(descriptor) != 0, failure == nil {
            failure = Self.lastError()
        }
        if let failure {
            unlink(temporary)
            throw TrustError("cannot be written: \(failure)", path: target)
        }
        self.target = target
        self.temporary = temporary
    }

    func commit() throws(TrustError) {
        guard rename(temporary, target) == 0 else {
            let failure = Self.lastError()
            discard()
            throw TrustError("cannot be replaced: \(failure)", path: target)
        }
    }

    func discard() {
        unlink(temporary)
    }

    /// Makes `staged` durable, contents and directory entries, with one syncfs(2) of the file
    /// system holding `directory`; where that is unavailable or fails, with an fsync per file
    /// and per directory. Throws when a file cannot be flushed.
    static func syncFileSystem(of directory: String, _ staged: [StagedFile]) throws(TrustError) {
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            defer { close(descriptor) }
            if meshscript_syncfs(descriptor) == 0 { return }
        }
        for file in staged {
            let fileDescriptor = open(file.temporary, O_RDONLY | O_CLOEXEC)
            let synced = fileDescriptor >= 0 && fsync(fileDescriptor) == 0
            let failure = lastError()
            if fileDescriptor >= 0 { close(fileDescriptor) }
            guard synced else { throw TrustError("cannot be written: \(failure)", path: file.target) }
        }
        for parent in Set(staged.map { FilePath.parent(of: $0.temporary) }).sorted() { syncDirectory(parent) }
    }

    /// Makes the renames themselves durable. Best effort: some file systems refuse fsync on a directory.
    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private static func writeAll(_ data: Data, to descriptor: Int32) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Musl)
private let systemWrite = Musl.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
