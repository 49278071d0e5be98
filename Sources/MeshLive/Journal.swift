// The apply journal: `WORK_DIR/apply-journal.json` records every finished step with a hash
// of the plan, so `apply --resume` continues after the last finished step and refuses a plan
// that is not the one the journal was written for. It names steps; it holds no secret.
import Crypto
import Foundation
import LocalFiles
import MeshDomain
import MeshTrust

/// The record of an apply run's finished steps, tied to the plan it ran, for `apply --resume`.
public struct ApplyJournal: Sendable, Hashable, Codable {
    /// One finished step.
    public struct Entry: Sendable, Hashable, Codable {
        /// The step's number in the plan.
        public var step: Int
        /// The cluster the step ran against.
        public var cluster: String
        /// The step's title, as the plan prints it.
        public var title: String
        /// What the step did to its cluster: a `Change` raw value ("create", "no change", ...).
        public var change: String
        /// When the step finished.
        public var finished: Date
    }

    /// The journal's file name in the work directory.
    public static let fileName = "apply-journal.json"
    /// SHA-256 of the plan's JSON (the offline plan: what the script and options describe).
    public var planHash: String
    /// The finished steps, in the order they finished.
    public var entries: [Entry] = []

    /// An empty journal for `plan`.
    public init(plan: Plan) throws {
        planHash = Self.hash(plan)
    }

    /// The hex SHA-256 of `plan`'s JSON, which the plan must match for the journal to be resumed.
    public static func hash(_ plan: Plan) -> String {
        SHA256.hash(data: Data(plan.json().utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Where the journal lives in `workDirectory`.
    public static func path(in workDirectory: String) -> String { workDirectory + "/" + fileName }

    /// A journal names steps; a larger file is not one.
    static let maxSize = 16 << 20

    /// The journal in the work directory, or nil when there is none.
    public static func load(from workDirectory: String) throws -> ApplyJournal? {
        let path = path(in: workDirectory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data = Data(try RegularFile.read(path, limit: maxSize))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ApplyJournal.self, from: data)
    }

    /// The step after the last finished one.
    public var resumeStep: Int { (entries.map(\.step).max() ?? 0) + 1 }

    /// Records a finished step and writes the journal atomically.
    public mutating func record(_ step: Plan.Step, change: Change, in workDirectory: String, at date: Date = Date()) throws {
        entries.append(Entry(step: step.number, cluster: step.cluster, title: step.title, change: change.rawValue, finished: date))
        try save(in: workDirectory)
    }

    /// Writes the journal (pretty JSON, ISO 8601 dates) atomically, mode 0644.
    public func save(in workDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        _ = try AtomicFile.update(try encoder.encode(self), at: Self.path(in: workDirectory), mode: 0o644)
    }
}
