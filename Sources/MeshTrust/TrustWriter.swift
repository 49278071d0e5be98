// The third and only effectful phase of a render: compares each planned file with what is on
// disk and adds the ones that differ to the work directory's commit (FileCommit, which stages
// them as complete temporary files and renames them into place only once all of them are staged,
// under its journal). Files that are already right are not touched (same bytes, same mtime).

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

    /// What the writing will do, decided before anything is written.
    struct Changes {
        /// Each planned file with its outcome.
        var files: [TrustReport.File]
        /// Files already right whose mode grants more than planned: fixed after the commit.
        var tighten: [(file: PlannedFile, mode: mode_t)]
    }

    /// Adds every planned file that differs from `existing` to `commit`, with `directories` to
    /// create when anything is written.
    static func stage(
        _ planned: [PlannedFile], existing: [String: TrustSurvey.ExistingFile], directories: [String], into commit: inout FileCommit
    ) -> Changes {
        var changes = Changes(files: [], tighten: [])
        for file in planned {
            let outcome: TrustReport.Outcome
            if let current = existing[file.path] {
                if current.data == file.data {
                    outcome = .reused
                    changes.tighten.append((file, current.mode))
                } else {
                    outcome = .rewritten
                }
            } else {
                outcome = .created
            }
            if outcome != .reused { commit.add(file.data, at: file.path, mode: file.mode) }
            changes.files.append(TrustReport.File(path: file.path, outcome: outcome, mode: UInt16(file.mode)))
        }
        directories.forEach { commit.createDirectory($0) }
        return changes
    }

    /// After the commit: keeps the bytes of reused files, fixes their modes; the notes say so.
    static func tightenModes(_ changes: Changes) -> [String] {
        changes.tighten.compactMap { AtomicFile.tightenMode(of: $0.file.path, from: $0.mode, to: $0.file.mode) }
    }

    /// Stages and commits `planned` on its own (one commit into `workDirectory`).
    static func write(
        _ planned: [PlannedFile], existing: [String: TrustSurvey.ExistingFile], directories: [String], workDirectory: String,
        progress: (@Sendable (TrustProgress) -> Void)?
    ) throws(TrustError) -> (files: [TrustReport.File], notes: [String]) {
        var commit = FileCommit(directory: workDirectory)
        let changes = stage(planned, existing: existing, directories: directories, into: &commit)
        try commit.commit { path, completed, total in progress?(.wroteFile(path: path, completed: completed, total: total)) }
        return (changes.files, tightenModes(changes))
    }
}
