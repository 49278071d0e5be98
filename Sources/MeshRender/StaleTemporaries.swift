// Temporary files an interrupted render left behind (`.ca-key.pem.tmp-XXXXXX`, staged by a
// FileCommit before its renames): they may hold a private key, so they are removed, and named.
// The run that takes the work directory removes them whatever their age (no other run can be
// writing it then), once an interrupted commit's journal is completed; render itself also removes
// those older than a minute, for a library caller that renders without the lock.
import Foundation
import LocalFiles
import MeshTrust

extension MeshRenderer {
    /// Older than this, a temporary file belongs to no running render (a render stages and
    /// renames its files within seconds).
    static let staleTemporaryAge: TimeInterval = 60

    /// Removes `.NAME.tmp-XXXXXX` files older than `staleTemporaryAge` from the work directory
    /// and each cluster's directory; each removal is named in the summary's notes. A temporary
    /// file named by a commit journal is never removed: it is the only copy of a file that
    /// journal's commit is still to put in place (and with a journal that cannot be read,
    /// none is removed).
    static func removeStaleTemporaries(in directories: [String], now: Date, summary: inout RenderSummary) {
        guard let workDirectory = directories.first else { return }
        let removed = removeTemporaries(in: directories, journalDirectory: workDirectory, olderThan: now.addingTimeInterval(-staleTemporaryAge))
        summary.notes += removed.map(temporaryRemovalNote)
    }

    /// The note naming a temporary file that was removed.
    static func temporaryRemovalNote(_ path: String) -> String {
        "removed \(path): a temporary file an interrupted render left behind"
    }

    /// Removes the `.NAME.tmp-XXXXXX` regular files in `directories` last modified before `cutoff`
    /// (any age when nil), except those the commit journal of `journalDirectory` names.
    /// - Returns: the paths removed.
    static func removeTemporaries(in directories: [String], journalDirectory: String, olderThan cutoff: Date?) -> [String] {
        guard let named = CommitJournal.namedTemporaries(in: journalDirectory) else { return [] }
        var removed: [String] = []
        for directory in directories {
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for name in entries.sorted() where isTemporaryName(name) {
                let path = FilePath.join(directory, name)
                var info = stat()
                guard !named.contains(path), lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
                if let cutoff, Double(info.st_mtim.tv_sec) >= cutoff.timeIntervalSince1970 { continue }
                if unlink(path) == 0 { removed.append(path) }
            }
        }
        return removed
    }

    /// `.NAME.tmp-` followed by mkstemp's six characters.
    static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards) else { return false }
        return name.distance(from: marker.upperBound, to: name.endIndex) == 6 && marker.lowerBound > name.index(after: name.startIndex)
    }
}
