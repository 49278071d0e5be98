// The third and only effectful phase of a render: compares each planned file with what is on
// disk, stages the ones that differ as complete temporary files, and renames them into place only
// once all of them are staged. Files that are already right are not touched (same bytes, same mtime).

import Foundation
import LocalFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file of the layout with the bytes and mode it must have.
struct PlannedFile {
    var path: String
    var data: Data
    var mode: mode_t
}

enum TrustWriter {
    /// Owner-only: private keys, and the Secret manifest because it embeds the intermediate key.
    static let secretMode: mode_t = 0o600
    static let publicMode: mode_t = 0o644
    static let directoryMode: mode_t = 0o755

    struct Result {
        var files: [TrustReport.File]
        var notes: [String]
    }

    static func write(
        _ planned: [PlannedFile], existing: [String: TrustSurvey.ExistingFile], directories: [String],
        progress: (@Sendable (TrustProgress) -> Void)?
    ) throws(TrustError) -> Result {
        var files: [TrustReport.File] = []
        var pending: [PlannedFile] = []
        var tighten: [(file: PlannedFile, mode: mode_t)] = []
        for file in planned {
            let outcome: TrustReport.Outcome
            if let current = existing[file.path] {
                if current.data == file.data {
                    outcome = .reused
                    // Fixed after the writes: keep the bytes, fix the mode.
                    tighten.append((file, current.mode))
                } else {
                    outcome = .rewritten
                }
            } else {
                outcome = .created
            }
            if outcome != .reused { pending.append(file) }
            files.append(TrustReport.File(path: file.path, outcome: outcome, mode: UInt16(file.mode)))
        }

        let needed = pending.isEmpty ? [] : directories
        let createdDirectories = try createDirectories(needed)
        var staged: [StagedFile] = []
        do {
            for file in pending {
                staged.append(try StagedFile(file.data, for: file.path, mode: file.mode))
            }
        } catch {
            staged.forEach { $0.discard() }
            removeDirectories(createdDirectories)
            throw error
        }

        for (index, file) in staged.enumerated() {
            do {
                try file.commit()
            } catch {
                staged[(index + 1)...].forEach { $0.discard() }
                var problems = error.problems
                let committed = staged[..<index].map(\.target)
                if !committed.isEmpty {
                    problems.append(.init(message: "these files were already replaced: \(committed.joined(separator: ", "))", path: file.target))
                }
                throw TrustError(problems)
            }
            progress?(.wroteFile(path: file.target, completed: index + 1, total: staged.count))
        }
        for directory in Set(staged.map { FilePath.parent(of: $0.target) }).sorted() {
            StagedFile.syncDirectory(directory)
        }

        let notes = tighten.compactMap { AtomicFile.tightenMode(of: $0.file.path, from: $0.mode, to: $0.file.mode) }
        return Result(files: files, notes: notes)
    }

    private static func createDirectories(_ directories: [String]) throws(TrustError) -> [String] {
        var created: [String] = []
        for directory in directories {
            if mkdir(directory, directoryMode) == 0 {
                chmod(directory, directoryMode) // mkdir applied the umask (0777 under umask 000)
                created.append(directory)
            } else if errno != EEXIST {
                let failure = StagedFile.lastError()
                removeDirectories(created)
                throw TrustError("cannot be created: \(failure)", path: directory)
            }
        }
        return created
    }

    /// Undoes `createDirectories` after a failed staging, innermost first (they are empty again by then).
    private static func removeDirectories(_ directories: [String]) {
        for directory in directories.reversed() {
            rmdir(directory)
        }
    }
}
