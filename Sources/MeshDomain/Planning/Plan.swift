// The plan: ordered steps as pure data. Renderers (text, JSON, shell, apply) read it; none
// of them decides what to do. No secret ever appears in a plan: steps name files.
import Foundation

public struct Plan: Sendable, Hashable, Codable {
    public enum Phase: String, Sendable, Hashable, Codable { case trust, install, discover }

    /// One process invocation as an argument list; a pipeline is several of them.
    public struct Command: Sendable, Hashable, Codable {
        public var pipeline: [[String]]
        public init(_ arguments: [String]) { pipeline = [arguments] }
        public init(pipeline: [[String]]) { self.pipeline = pipeline }

        /// For display only (nothing is ever run through a shell): each argument quoted when needed.
        public var displayString: String {
            pipeline.map { $0.map(Plan.Command.shellQuote).joined(separator: " ") }.joined(separator: " | ")
        }

        static func shellQuote(_ argument: String) -> String {
            let safe = argument.utf8.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                    || "-_./=:,@%+".utf8.contains(byte)
            }
            if safe && !argument.isEmpty { return argument }
            return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
    }

    public struct Step: Sendable, Hashable, Codable {
        public var number: Int
        public var phase: Phase
        /// The cluster the step acts on (for discovery: the cluster that receives the secret).
        public var cluster: String
        public var title: String
        public var commands: [Command]
        /// Files the step reads or writes, under the work directory.
        public var files: [String]
        public var note: String?
    }

    public var mesh: String
    public var istio: String
    public var workDirectory: String
    public var clusters: [String]
    public var links: [DiscoveryLink]
    public var steps: [Step]
}
