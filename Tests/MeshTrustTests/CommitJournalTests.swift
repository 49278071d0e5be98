// The commit journal: a commit of several files is all or nothing even when the process is killed
// between two renames, because the next run rolls the journal forward; a journal that cannot be
// read is reported and nothing is touched.

import Foundation
import MeshTestSupport
import Testing

@testable import MeshTrust

@Suite("Commit journal")
struct CommitJournalTests {
    /// The state a render killed during `--rotate c1` leaves: the new ca-key.pem is in place, the
    /// new ca-cert.pem, cert-chain.pem and cacerts-secret.yaml are still temporary files, and
    /// the journal names all four. Without the journal the key no longer matches the certificate
    /// and every render refuses; rolled forward, the directory is the rotated one.
    @Test func aHandMadeInterruptedCommitIsRolledForward() throws {
        try withScratch { scratch in
            let work = join(scratch, "work"), rotated = join(scratch, "rotated")
            _ = try TrustRenderer().render(request(work, clusters: ["c1"]))
            try FileManager.default.copyItem(atPath: work, toPath: rotated)
            _ = try TrustRenderer().render(request(rotated, clusters: ["c1"], rotate: ["c1"]))
            let names = ["ca-key.pem", "ca-cert.pem", "cert-chain.pem", "cacerts-secret.yaml"]
            var entries: [String] = []
            for (index, name) in names.enumerated() {
                let temporary = "c1/.\(name).tmp-Ab12C\(index)"
                try FileManager.default.copyItem(atPath: join(rotated, "c1", name), toPath: join(work, temporary))
                entries.append(#"{"temporary": "\#(temporary)", "target": "c1/\#(name)"}"#)
            }
            // The first rename happened before the kill.
            #expect(rename(join(work, "c1/.ca-key.pem.tmp-Ab12C0"), join(work, "c1/ca-key.pem")) == 0)
            try write(#"{"format": "meshscript-commit-journal/1", "started": "2025-03-04T05:06:07Z", "files": [\#(entries.joined(separator: ","))]}"#,
                      to: join(work, CommitJournal.fileName))
            #expect(expectTrustError(request(work, clusters: ["c1"])) != nil, "the mixed directory is refused")

            let recovery = try #require(try CommitJournal.recover(in: work))
            #expect(recovery.note == "completed an interrupted commit of 4 files from 2025-03-04T05:06:07Z")
            #expect(!CommitJournal.exists(in: work))
            for name in names {
                #expect(try contents(join(work, "c1", name)) == contents(join(rotated, "c1", name)), "\(name)")
            }
            #expect(snapshot(work).keys.filter { $0.contains(".tmp-") }.isEmpty)
            let report = try TrustRenderer().render(request(work, clusters: ["c1"]))
            #expect(report.files.allSatisfy { $0.outcome == .reused }, "\(report.files)")
            #expect(try CommitJournal.recover(in: work) == nil, "a completed journal is gone")
        }
    }

    /// A journal that is not one meshscript wrote (torn, empty, another format, a path that
    /// leaves the work directory, a temporary file not named after its target) is an error that
    /// says what to do; nothing is renamed or removed, and nothing crashes.
    @Test(arguments: [
        (#"{"format": "meshscript-commit-journal/1", "started": "2025-03-04T05:06:07Z", "files": [{"tempor"#, "not the JSON meshscript writes"),
        ("", "it is empty"),
        (#"{"format": "other/9", "started": "2025-03-04T05:06:07Z", "files": []}"#, "its format is 'other/9'"),
        (#"{"format": "meshscript-commit-journal/1", "started": "2025-03-04T05:06:07Z", "files": [{"temporary": "../.k.tmp-Ab12Cd", "target": "../k"}]}"#,
         "is not a path inside the work directory"),
        (#"{"format": "meshscript-commit-journal/1", "started": "2025-03-04T05:06:07Z", "files": [{"temporary": "c1/.ca-key.pem.tmp-Ab12Cd", "target": "c1/other"}]}"#,
         "is not a temporary file of 'c1/other'"),
    ])
    func anUnreadableJournalTouchesNothing(journal: String, reason: String) throws {
        try withScratch { scratch in
            try FileManager.default.createDirectory(atPath: join(scratch, "c1"), withIntermediateDirectories: true)
            try write("new key", to: join(scratch, "c1/.ca-key.pem.tmp-Ab12Cd"))
            try write("old key", to: join(scratch, "c1/ca-key.pem"))
            try write(journal, to: join(scratch, CommitJournal.fileName))
            let before = snapshot(scratch)
            do {
                _ = try CommitJournal.recover(in: scratch)
                Issue.record("an unreadable journal was recovered")
            } catch let error as TrustError {
                let problem = try #require(error.problems.first)
                #expect(problem.path == CommitJournal.path(in: scratch))
                #expect(problem.message.contains("is not a commit journal meshscript can read"), "\(problem.message)")
                #expect(problem.message.contains(reason), "\(problem.message)")
                #expect(problem.help?.contains(".NAME.tmp-XXXXXX") == true)
            }
            #expect(snapshot(scratch) == before)
            #expect(CommitJournal.namedTemporaries(in: scratch) == nil, "no temporary file is safe to remove")
        }
    }

    /// A commit of several files leaves its files and nothing else: no journal, no temporary file;
    /// the journal it wrote while renaming was 0600 and named paths only.
    @Test func aCompletedCommitLeavesNoJournal() throws {
        try withScratch { scratch in
            var commit = FileCommit(directory: scratch)
            commit.createDirectory(join(scratch, "c1"))
            commit.add(Data("SECRET-KEY-BYTES".utf8), at: join(scratch, "c1", "ca-key.pem"), mode: 0o600)
            commit.add(Data("cert".utf8), at: join(scratch, "root-cert.pem"), mode: 0o644)
            var seen: [String] = []
            var journalModes: Set<Int> = []
            try commit.commit { path, _, _ in
                if let journal = try? contents(CommitJournal.path(in: scratch)) { seen.append(String(decoding: journal, as: UTF8.self)) }
                if let mode = try? permissions(CommitJournal.path(in: scratch)) { journalModes.insert(mode) }
                seen.append(path)
            }
            #expect(journalModes == [0o600], "the journal is owner-only while the files are renamed")
            #expect(snapshot(scratch).keys.sorted() == ["c1", "c1/ca-key.pem", "root-cert.pem"])
            #expect(try permissions(join(scratch, "c1", "ca-key.pem")) == 0o600)
            let journal = try #require(seen.first)
            #expect(journal.contains(#""target" : "c1\/ca-key.pem""#) && !journal.contains("SECRET"), "\(journal)")
        }
    }

    /// A second commit never starts over a journal that is not complete: that would lose the
    /// record of which files the first one still has to put in place.
    @Test func aCommitDoesNotStartOverAnUnfinishedJournal() throws {
        try withScratch { scratch in
            try write("{}", to: join(scratch, CommitJournal.fileName))
            let before = snapshot(scratch)
            var commit = FileCommit(directory: scratch)
            commit.add(Data("a".utf8), at: join(scratch, "a.pem"), mode: 0o644)
            commit.add(Data("b".utf8), at: join(scratch, "b.pem"), mode: 0o644)
            #expect(throws: TrustError.self) { try commit.commit() }
            #expect(snapshot(scratch) == before)
        }
    }
}
