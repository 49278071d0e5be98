// The one error type kubeconfig reading throws: what went wrong, in which file,
// and (when it can be known) on which line or which name was meant.

/// The one error kubeconfig reading throws: what went wrong, in which file, and (when it can be
/// known) on which line or which name was meant.
public struct KubeconfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// The file does not exist (a lone explicit path, or every path of a list).
        case missingFile
        /// The file exists but cannot be read (permissions, a directory, not UTF-8).
        case unreadableFile
        /// Not YAML; `line` is 1-based when the YAML parser reports it.
        case malformedYAML(line: Int?)
        /// YAML, but not a kubeconfig kubectl would accept (wrong shapes, duplicate names).
        case invalidKubeconfig(line: Int?)
        /// No context of that name; `suggestion` is the closest defined name, if close.
        case missingContext(name: String, suggestion: String?)
        /// No context was asked for and no file sets `current-context`.
        case noCurrentContext
        /// The context names a cluster that no file defines.
        case missingCluster(name: String, context: String)
    }

    /// What went wrong, as a case.
    public var kind: Kind
    /// The message, without the file's path.
    public var message: String
    /// The kubeconfig file concerned, when there is one.
    public var path: String?

    /// An error of `kind` about `path`.
    public init(kind: Kind, message: String, path: String?) {
        self.kind = kind
        self.message = message
        self.path = path
    }

    /// The 1-based line of a malformed or invalid file, when known.
    public var line: Int? {
        switch kind {
        case .malformedYAML(let line), .invalidKubeconfig(let line): line
        default: nil
        }
    }

    /// The suggestion for a missing context, when there is one.
    public var suggestion: String? {
        if case .missingContext(_, let suggestion) = kind { return suggestion }
        return nil
    }

    /// `path:line: message`, then `did you mean 'x'?` when there is a suggestion.
    public var description: String {
        var location = ""
        if let path {
            location = path
            if let line { location += ":\(line)" }
            location += ": "
        }
        var text = location + message
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text
    }
}
