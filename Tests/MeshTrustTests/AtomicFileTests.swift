// Atomic writes, and the all-or-nothing commit of a render's files.

import Foundation
import Testing

@testable import MeshTrust

@Suite("Atomic writes")
struct AtomicFileTests {
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
                _ = try TrustWriter.write(planned, existing: existing, directories: [join(scratch, "new")], progress: nil)
            }
            #expect(snapshot(scratch) == before)
        }
    }
}
