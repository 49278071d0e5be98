// The one error type MeshTrust throws. It carries every problem found, not just the first,
// because the checks run before anything is written and a user fixing a WORK_DIR wants the whole list.

public struct TrustError: Error, Sendable, CustomStringConvertible, Hashable {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var message: String
        /// The file or directory the problem is about.
        public var path: String
        /// What the user can do about it, when there is something to say.
        public var help: String?

        public init(message: String, path: String, help: String? = nil) {
            self.message = message
            self.path = path
            self.help = help
        }

        public var description: String {
            var text = "\(path): \(message)"
            if let help { text += "\n  help: \(help)" }
            return text
        }
    }

    public var problems: [Problem]

    public init(_ problems: [Problem]) {
        self.problems = problems
    }

    public init(_ message: String, path: String, help: String? = nil) {
        self.problems = [Problem(message: message, path: path, help: help)]
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
