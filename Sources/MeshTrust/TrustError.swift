// The one error type MeshTrust throws. It carries every problem found, not just the first,
// because the checks run before anything is written and a user fixing a WORK_DIR wants the whole list.

/// The one error MeshTrust throws: every problem found before anything was written, each with
/// the file it is about.
public struct TrustError: Error, Sendable, CustomStringConvertible, Hashable {
    /// One problem with a file or directory.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// What is wrong.
        public var message: String
        /// The file or directory the problem is about.
        public var path: String
        /// What the user can do about it, when there is something to say.
        public var help: String?

        /// A problem with `path`, with optional `help`.
        public init(message: String, path: String, help: String? = nil) {
            self.message = message
            self.path = path
            self.help = help
        }

        /// `PATH: message`, then `help: ...` when there is help.
        public var description: String {
            var text = "\(path): \(message)"
            if let help { text += "\n  help: \(help)" }
            return text
        }
    }

    /// Every problem found, in the order found.
    public var problems: [Problem]

    /// An error carrying `problems`.
    public init(_ problems: [Problem]) {
        self.problems = problems
    }

    /// An error with a single problem.
    public init(_ message: String, path: String, help: String? = nil) {
        self.problems = [Problem(message: message, path: path, help: help)]
    }

    /// Each problem's description, one per line.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
