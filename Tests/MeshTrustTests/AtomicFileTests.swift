// Atomic writes, and the all-or-nothing commit of a render's files.

import Foundation
import Testing

@testable import MeshTrust

@Suite("Atomic writes")
struct AtomicFileTests {
    /// A root-key.pem that is a symbolic link to a file elsewhere: its target is never re-moded.
    @Test func aSymbolicLinkIsReportedNotReModed() throws {
        try withScratch { scratch in
            let target = join(scratch, "elsewhere.pem")
            try AtomicFile.write(Data("key".utf8), to: target, mode: 0o644)
            let link = join(scratch, "root-key.pem")
            #expect(symlink(target, link) == 0)
            let note = AtomicFile.tightenMode(of: link, from: 0o644, to: 0o600)
            #expect(note?.contains("symbolic link") == true, "\(note ?? "no note")")
            #expect(try permissions(target) == 0o644)
            // A regular file is still tightened.
            #expect(AtomicFile.tightenMode(of: target, from: 0o644, to: 0o600) != nil)
            #expect(try permissions(target) == 0o600)
        }
    }

    @Test func writesWithModeAndLeavesNoTemporaries() throws {
        try withScratch { scratch in
            let path = join(scratch, "key.pem")
            try AtomicFile.write(Data("one".utf8), to: path, mode: 0o600)
            #expect(try contents(path) == Data("one".utf8))
            #expect(try permissions(path) == 0o600)
            try AtomicFile.write(Data("two".utf8), to: path, mode: 0o644)
            #expect(try contents(path) == Data("two".utf8))
            #expect(try permissions(path) == 0o644)
            #expect(snapshot(scratch).keys.sorted() == ["key.pem"])
        }
    }

    @Test func missingDirectoryIsAnErrorNamingTheFile() throws {
        try withScratch { scratch in
            let path = join(scratch, "absent", "key.pem")
            do {
                try AtomicFile.write(Data("x".utf8), to: path, mode: 0o600)
                Issue.record("write into a missing directory succeeded")
            } catch let error as TrustError {
                #expect(error.problems.first?.path == path)
            }
            #expect(snapshot(scratch).isEmpty)
        }
    }

    /// `update` writes only what differs: same bytes leave the file alone (same inode and mtime)
    /// except for permissions looser than asked, which are tightened with a note.
    @Test func updateWritesOnlyWhatDiffers() throws {
        try withScratch { scratch in
            let path = join(scratch, "secret.yaml")
            let first = try AtomicFile.update(Data("one".utf8), at: path, mode: 0o600)
            #expect(first.outcome == .created && first.note == nil)
            #expect(try permissions(path) == 0o600)

            let before = snapshot(scratch)
            let same = try AtomicFile.update(Data("one".utf8), at: path, mode: 0o600)
            #expect(same.outcome == .unchanged && same.note == nil)
            #expect(snapshot(scratch) == before)

            // Looser than asked: tightened in place, bytes and inode kept, and named in the note.
            #expect(chmod(path, 0o644) == 0)
            let loose = try AtomicFile.update(Data("one".utf8), at: path, mode: 0o600)
            #expect(loose.outcome == .unchanged)
            #expect(loose.note?.contains(path) == true && loose.note?.contains("its mode is now 600") == true, "\(loose.note ?? "no note")")
            #expect(try permissions(path) == 0o600)
            #expect(snapshot(scratch)["secret.yaml"]?.inode == before["secret.yaml"]?.inode)

            // Stricter than asked is left alone: only group and other bits are ever removed.
            #expect(chmod(path, 0o400) == 0)
            let strict = try AtomicFile.update(Data("one".utf8), at: path, mode: 0o644)
            #expect(strict.outcome == .unchanged && strict.note == nil)
            #expect(try permissions(path) == 0o400)

            let changed = try AtomicFile.update(Data("two".utf8), at: path, mode: 0o644)
            #expect(changed.outcome == .rewritten && changed.note == nil)
            #expect(try contents(path) == Data("two".utf8))
            #expect(try permissions(path) == 0o644)
            #expect(snapshot(scratch).keys.sorted() == ["secret.yaml"])
        }
    }

    @Test func updateRefusesADirectoryInTheWay() throws {
        try withScratch { scratch in
            let path = join(scratch, "install.yaml")
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            do {
                _ = try AtomicFile.update(Data("x".utf8), at: path, mode: 0o644)
                Issue.record("update over a directory succeeded")
            } catch let error as TrustError {
                #expect(error.problems.first?.path == path)
                #expect(error.problems.first?.message.contains("is not a regular file") == true, "\(error)")
            }
            #expect(snapshot(scratch).keys.sorted() == ["install.yaml"])
        }
    }

    /// A file that cannot be staged (its directory vanished) aborts the whole commit: earlier
    /// files are not renamed into place, temporaries are removed, created directories too.
    @Test func failedStagingCommitsNothing() throws {
        try withScratch { scratch in
            try write("old", to: join(scratch, "existing.pem"))
            let before = snapshot(scratch)
            let planned = [
                PlannedFile(path: join(scratch, "new", "a.pem"), data: Data("a".utf8), mode: 0o600),
                PlannedFile(path: join(scratch, "existing.pem"), data: Data("changed".utf8), mode: 0o644),
                PlannedFile(path: join(scratch, "missing", "b.pem"), data: Data("b".utf8), mode: 0o600),
            ]
            let existing = [join(scratch, "existing.pem"): TrustSurvey.ExistingFile(data: Data("old".utf8), mode: 0o644)]
            #expect(throws: TrustError.self) {
                _ = try TrustWriter.write(planned, existing: existing, directories: [join(scratch, "new")], workDirectory: scratch, progress: nil)
            }
            #expect(snapshot(scratch) == before)
        }
    }
}
