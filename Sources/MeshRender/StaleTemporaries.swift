// Temporary files an interrupted render left behind (`.ca-key.pem.tmp-XXXXXX`, written by
// AtomicFile before its rename): they may hold a private key, so render removes them, and says so.
import Foundation
import LocalFiles

extension MeshRenderer {
    /// Older than this, a temporary file belongs to no running render (a render stages and
    /// renames its files within seconds).
    static let staleTemporaryAge: TimeInterval = 60

    /// Removes `.NAME.tmp-XXXXXX` files older than `staleTemporaryAge` from the work directory
    /// and each cluster's directory; each removal is named in the summary's notes.
    static func removeStaleTemporaries(in directories: [String], now: Date, summary: inout RenderSummary) {
        for directory in directories {
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for name in entries.sorted() where isTemporaryName(name) {
                let path = FilePath.join(directory, name)
                var info = stat()
                guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
                      now.timeIntervalSince1970 - Double(info.st_mtim.tv_sec) > staleTemporaryAge else { continue }
                if unlink(path) == 0 {
                    summary.notes.append("removed \(path): a temporary file an interrupted render left behind")
                }
            }
        }
    }

    /// `.NAME.tmp-` followed by mkstemp's six characters.
    static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards) else { return false }
        return name.distance(from: marker.upperBound, to: name.endIndex) == 6 && marker.lowerBound > name.index(after: name.startIndex)
    }
}
