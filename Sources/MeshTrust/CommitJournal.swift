// The commit journal: while a commit renames its staged files into place, the work directory holds
// `.meshscript-commit.json`, which names each staged temporary file and its target (paths only,
// relative to the work directory; never a byte of what they hold). A run killed between two
// renames leaves the journal behind, and the next run that holds the work directory rolls the
// commit forward: every temporary file still there is renamed over its target (one that is gone
// was renamed already). The journal is itself written by temporary file, fsync and rename, so a
// journal that exists is complete; one that cannot be read was not written by meshscript, and is
// reported without anything being touched.

import Foundation
import LocalFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The journal of a multi-file commit into a work directory, and the roll-forward of one that a
/// killed run left behind.
public enum CommitJournal {
    /// The journal's file name in the work directory.
    public static let fileName = ".meshscript-commit.json"
    /// What the journal's `format` field says; any other value is refused.
    static let format = "meshscript-commit-journal/1"
    /// A journal names paths; a larger file is not one.
    static let maxSize = 1 << 20

    /// One staged file: the temporary file and the file it replaces, relative to the work directory.
    struct Entry: Codable, Equatable {
        var temporary: String
        var target: String
    }

    /// The journal as written: when the commit started and what it renames.
    struct Contents: Codable, Equatable {
        var format: String
        var started: Date
        var files: [Entry]
    }

    /// What a roll-forward did, for the one line the user reads about it.
    public struct Recovery: Sendable, Equatable {
        /// The number of files the interrupted commit was writing.
        public var files: Int
        /// When the interrupted commit started.
        public var started: Date
        /// Targets that were neither renamed nor staged any more (someone removed the temporary
        /// file); the run that follows re-checks them like any file.
        public var lost: [String]

        /// "completed an interrupted commit of 6 files from 2025-01-02T03:04:05Z".
        public var note: String {
            var line = "completed an interrupted commit of \(files) file\(files == 1 ? "" : "s") from \(ISO8601DateFormatter().string(from: started))"
            if !lost.isEmpty { line += "; its temporary files for \(lost.joined(separator: ", ")) were gone" }
            return line
        }
    }

    /// Where the journal of `directory` lives.
    public static func path(in directory: String) -> String {
        FilePath.join(directory.isEmpty ? "." : directory, fileName)
    }

    /// Whether `directory` holds a journal (complete or not readable).
    public static func exists(in directory: String) -> Bool {
        var info = stat()
        return lstat(path(in: directory), &info) == 0
    }

    /// Writes the journal for `files` (temporary, target) atomically, mode 0600, and makes it durable.
    static func write(_ files: [(temporary: String, target: String)], in directory: String, now: Date = Date()) throws(TrustError) {
        var entries: [Entry] = []
        for file in files {
            guard let temporary = relative(file.temporary, to: directory), let target = relative(file.target, to: directory) else {
                throw TrustError("is outside the work directory \(directory), so its commit cannot be journaled", path: file.target)
            }
            entries.append(Entry(temporary: temporary, target: target))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data: Data
        do {
            data = try encoder.encode(Contents(format: format, started: now, files: entries))
        } catch {
            throw TrustError("cannot be encoded: \(error)", path: path(in: directory))
        }
        let staged = try StagedFile(data, for: path(in: directory), mode: 0o600)
        try staged.commit()
        StagedFile.syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// Removes the journal once every rename of its commit is durable.
    static func remove(in directory: String) throws(TrustError) {
        let journal = path(in: directory)
        guard unlink(journal) == 0 || errno == ENOENT else {
            throw TrustError("cannot be removed after its commit completed: \(StagedFile.lastError())", path: journal)
        }
        StagedFile.syncDirectory(directory.isEmpty ? "." : directory)
    }

    /// The journal in `directory`, or nil when there is none; a journal that is not one meshscript
    /// wrote (unreadable, not JSON, another format, a path leaving the work directory, a
    /// temporary file not named after its target) is an error that says what to do.
    static func load(in directory: String) throws(TrustError) -> Contents? {
        let journal = path(in: directory)
        guard exists(in: directory) else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(journal, limit: maxSize)
        } catch {
            throw unreadable(journal, because: error.message)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let contents: Contents
        do {
            contents = try decoder.decode(Contents.self, from: Data(bytes))
        } catch {
            throw unreadable(journal, because: bytes.isEmpty ? "it is empty" : "it is not the JSON meshscript writes")
        }
        guard contents.format == format else {
            throw unreadable(journal, because: "its format is '\(contents.format)', not '\(format)'")
        }
        for entry in contents.files {
            if let reason = invalidity(of: entry) { throw unreadable(journal, because: reason) }
        }
        return contents
    }

    /// The absolute (work-directory-joined) temporary files a journal in `directory` names: empty
    /// without a journal, nil when there is one that cannot be read (then no temporary file is
    /// safe to remove).
    public static func namedTemporaries(in directory: String) -> Set<String>? {
        guard let contents = try? load(in: directory) else { return exists(in: directory) ? nil : [] }
        return Set(contents.files.map { FilePath.join(directory, $0.temporary) })
    }

    private static func unreadable(_ journal: String, because reason: String) -> TrustError {
        TrustError(
            "is not a commit journal meshscript can read (\(reason)); an interrupted render or apply may have left its files half replaced, so nothing was changed",
            path: journal,
            help: "a temporary file .NAME.tmp-XXXXXX beside a file NAME holds that file's complete new version: move the ones that belong into place (or keep the old files), then remove this journal"
        )
    }

    /// Why `entry` is not one a commit writes, or nil: both paths relative and inside the work
    /// directory, in one directory, the temporary named `.TARGET.tmp-` and six characters.
    static func invalidity(of entry: Entry) -> String? {
        for path in [entry.temporary, entry.target] {
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            if path.hasPrefix("/") || components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
                return "'\(path)' is not a path inside the work directory"
            }
        }
        let name = FilePath.lastComponent(of: entry.target)
        let temporaryName = FilePath.lastComponent(of: entry.temporary)
        let prefix = "." + name + ".tmp-"
        guard FilePath.parent(of: entry.temporary) == FilePath.parent(of: entry.target), temporaryName.hasPrefix(prefix),
              temporaryName.utf8.count == prefix.utf8.count + 6 else {
            return "'\(entry.temporary)' is not a temporary file of '\(entry.target)'"
        }
        return nil
    }

    /// `path` relative to `directory`, or nil when it is not under it.
    static func relative(_ path: String, to directory: String) -> String? {
        if directory.isEmpty || directory == "." {
            let inside = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
            return inside.hasPrefix("/") || inside.hasPrefix("../") || inside.isEmpty ? nil : inside
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        guard path.hasPrefix(prefix), path.count > prefix.count else { return nil }
        return String(path.dropFirst(prefix.count))
    }
}

extension CommitJournal {
    /// Rolls forward the commit a killed run left in `directory`: each temporary file the journal
    /// names that is still there is renamed over its target, the renames are fsynced, and the
    /// journal is removed. Call it only while holding the work directory (`WorkDirectoryLock`
    /// in MeshRender), before anything else reads or cleans the directory.
    /// - Returns: nil when there was no journal.
    /// - Throws: when the journal cannot be read, or a rename fails (the journal then stays, for
    ///   the next run); nothing is removed either way.
    public static func recover(in directory: String) throws(TrustError) -> Recovery? {
        guard let contents = try load(in: directory) else { return nil }
        var lost: [String] = []
        var directories: Set<String> = []
        for entry in contents.files {
            let temporary = FilePath.join(directory, entry.temporary)
            let target = FilePath.join(directory, entry.target)
            var info = stat()
            if lstat(temporary, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFREG else {
                    throw TrustError("is named by \(path(in: directory)) as a staged file, but it is not a regular file; nothing was renamed", path: temporary)
                }
                guard rename(temporary, target) == 0 else {
                    throw TrustError(
                        "cannot be put in place to complete an interrupted commit: \(StagedFile.lastError())", path: target,
                        help: "\(path(in: directory)) is kept, so the next render or apply completes the commit once this is fixed"
                    )
                }
                directories.insert(FilePath.parent(of: target))
            } else if lstat(target, &info) != 0 {
                lost.append(target)
            }
        }
        for parent in directories.sorted() { StagedFile.syncDirectory(parent.isEmpty ? "." : parent) }
        try remove(in: directory)
        return Recovery(files: contents.files.count, started: contents.started, lost: lost)
    }
}
