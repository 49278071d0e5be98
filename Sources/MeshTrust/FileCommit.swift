// The one way files are committed into a work directory. A commit collects the files that must
// change (in memory), then:
//   1. checks that every directory it writes into is writable, naming the files otherwise;
//   2. creates the directories it was asked to (0755 whatever the umask);
//   3. stages each file as a complete temporary file with its final mode, then makes them all
//      durable with one syncfs (an fsync per file and directory where that is unavailable); a
//      failure here removes everything it made: nothing changed;
//   4. with more than one file, writes the commit journal (CommitJournal) atomically;
//   5. renames every temporary file over its target, fsyncs their directories;
//   6. removes the journal.
// Killed during 5, the journal lets the next run complete the commit instead of leaving a new
// root-cert.pem beside an old root-key.pem. A commit of one file needs no journal: one rename
// is atomic by itself.

import Foundation
import LocalFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Files to replace together in a work directory: all of them, or (after a crash, once the
/// next run completes the journal) all of them; never a mix.
public struct FileCommit: Sendable {
    /// The work directory: the journal's home, and where every file of the commit lives.
    public let directory: String
    private var files: [PlannedFile] = []
    /// Where each path is in `files`: adding many files stays linear.
    private var positions: [String: Int] = [:]
    private var directories: [String] = []

    /// An empty commit into `directory`.
    public init(directory: String) {
        self.directory = directory
    }

    /// Whether the commit has nothing to write.
    public var isEmpty: Bool { files.isEmpty }

    /// The files the commit writes, in the order they are renamed.
    public var paths: [String] { files.map(\.path) }

    /// Adds `data` as the new content of `path`, with permission bits `mode`; a path added
    /// twice keeps its last content.
    public mutating func add(_ data: Data, at path: String, mode: mode_t) {
        let file = PlannedFile(path: path, data: data, mode: mode)
        if let position = positions[path] {
            files[position] = file
        } else {
            positions[path] = files.count
            files.append(file)
        }
    }

    /// Adds `data` for `path` unless the file already holds exactly these bytes; such a file
    /// keeps its bytes and mtime, but permission bits it grants group or others beyond `mode`
    /// are removed now, and `note` says so.
    public mutating func update(_ data: Data, at path: String, mode: mode_t) throws(TrustError) -> (outcome: AtomicFile.Outcome, note: String?) {
        let current = try Disk.readFile(path)
        if let current, current.data == data {
            return (.unchanged, AtomicFile.tightenMode(of: path, from: current.mode, to: mode))
        }
        add(data, at: path, mode: mode)
        return (current == nil ? .created : .rewritten, nil)
    }

    /// Asks for `path` and its missing parents to be created (0755) when the commit writes anything.
    public mutating func createDirectory(_ path: String) {
        var missing: [String] = []
        var candidate = path
        while !candidate.isEmpty, candidate != "/", Disk.isMissing(candidate), !directories.contains(candidate) {
            missing.append(candidate)
            candidate = FilePath.parent(of: candidate)
        }
        directories += missing.reversed()
    }

    /// Writes every file (see the file's header for the steps). Nothing happens without a file.
    /// - Parameter progress: called after each rename with the path, the count done and the total.
    /// - Throws: before any rename, with the work directory as it was; after one, only when a rename
    ///   fails, and the journal then keeps the rest staged for the next run to complete.
    public func commit(progress: ((_ path: String, _ completed: Int, _ total: Int) -> Void)? = nil) throws(TrustError) {
        guard !files.isEmpty else { return }
        try checkWritable()
        let journaled = files.count > 1
        if journaled, CommitJournal.exists(in: directory) {
            throw TrustError(
                "is the journal of an interrupted commit that is not complete yet, so no other commit can start", path: CommitJournal.path(in: directory),
                help: "run meshscript render (or apply) on this work directory: it completes the interrupted commit first"
            )
        }
        let created = try createDirectories()
        let staged = try stage(removingOnFailure: created)
        if journaled {
            do {
                try StagedFile.syncFileSystem(of: directory, staged)
                try CommitJournal.write(staged.map { ($0.temporary, $0.target) }, in: directory)
            } catch {
                staged.forEach { $0.discard() }
                Self.removeDirectories(created)
                throw error
            }
        }
        try rename(staged, journaled: journaled, progress: progress)
        for parent in Set(staged.map { FilePath.parent(of: $0.target) }).sorted() { StagedFile.syncDirectory(parent) }
        if journaled { try CommitJournal.remove(in: directory) }
    }

    /// Every directory the commit writes into must be writable (a read-only mount or a 0555
    /// directory is named with the files that would change); a directory still to be created is
    /// checked through its nearest existing parent. Missing parents not asked for are left to
    /// staging, which names the file.
    private func checkWritable() throws(TrustError) {
        var byDirectory: [String: [String]] = [:]
        for file in files {
            var parent = Self.directory(of: file.path)
            while directories.contains(parent) { parent = Self.directory(of: parent) }
            byDirectory[parent, default: []].append(file.path)
        }
        var problems: [TrustError.Problem] = []
        for (parent, paths) in byDirectory.sorted(by: { $0.key < $1.key }) where !Disk.isMissing(parent) && access(parent, W_OK | X_OK) != 0 {
            problems.append(.init(message: "is not writable (\(StagedFile.lastError())), so render cannot write these files that would change: \(paths.joined(separator: ", "))",
                                  path: parent))
        }
        let journalDirectory = directory.isEmpty ? "." : directory
        if problems.isEmpty, files.count > 1, !Disk.isMissing(journalDirectory), access(journalDirectory, W_OK | X_OK) != 0 {
            problems.append(.init(message: "is not writable (\(StagedFile.lastError())), so render cannot write its commit journal to change \(paths.joined(separator: ", "))",
                                  path: journalDirectory))
        }
        guard !problems.isEmpty else { return }
        problems[problems.count - 1].help = "nothing was written; make the directory writable, or render into another --out directory"
        throw TrustError(problems)
    }

    private func createDirectories() throws(TrustError) -> [String] {
        var created: [String] = []
        for directory in directories {
            if mkdir(directory, 0o755) == 0 {
                chmod(directory, 0o755) // mkdir applied the umask (0777 under umask 000)
                created.append(directory)
            } else if errno != EEXIST {
                let failure = StagedFile.lastError()
                Self.removeDirectories(created)
                throw TrustError("cannot be created: \(failure)", path: directory)
            }
        }
        return created
    }

    private func stage(removingOnFailure created: [String]) throws(TrustError) -> [StagedFile] {
        var staged: [StagedFile] = []
        do {
            for file in files {
                // One file is fsynced as it is written; many are flushed together before the journal.
                staged.append(try StagedFile(file.data, for: file.path, mode: file.mode, sync: files.count == 1))
            }
        } catch {
            staged.forEach { $0.discard() }
            Self.removeDirectories(created)
            throw error
        }
        return staged
    }

    private func rename(_ staged: [StagedFile], journaled: Bool, progress: ((String, Int, Int) -> Void)?) throws(TrustError) {
        for (index, file) in staged.enumerated() {
            guard !journaled else {
                guard systemRename(file.temporary, file.target) == 0 else {
                    let failure = StagedFile.lastError()
                    throw TrustError(
                        "cannot be replaced: \(failure); \(index) of the \(staged.count) files of this commit are in place, the others stay staged",
                        path: file.target,
                        help: "\(CommitJournal.path(in: directory)) records the commit: the next render or apply completes it once this is fixed"
                    )
                }
                progress?(file.target, index + 1, staged.count)
                continue
            }
            try file.commit()
            progress?(file.target, index + 1, staged.count)
        }
    }

    /// The directory `path` is in, "." for a bare name.
    private static func directory(of path: String) -> String {
        let parent = FilePath.parent(of: path)
        return parent.isEmpty ? "." : parent
    }

    /// Undoes `createDirectories` after a failed staging, innermost first (they are empty again by then).
    private static func removeDirectories(_ directories: [String]) {
        for directory in directories.reversed() {
            rmdir(directory)
        }
    }
}

#if canImport(Glibc)
private let systemRename = Glibc.rename
#elseif canImport(Musl)
private let systemRename = Musl.rename
#elseif canImport(Darwin)
private let systemRename = Darwin.rename
#endif
