// One diagnostic value for every phase: lexing, parsing, evaluation, validation and the
// checks a host adds. Phases return their results together with their diagnostics.

public struct Diagnostic: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error, warning, note
        public static func < (a: Severity, b: Severity) -> Bool {
            let order: [Severity] = [.error, .warning, .note]
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
    }

    public struct Note: Sendable, Hashable {
        public var message: String
        public var range: SourceRange?
        public init(_ message: String, at range: SourceRange? = nil) {
            self.message = message
            self.range = range
        }
    }

    public var severity: Severity
    public var message: String
    public var range: SourceRange?
    public var notes: [Note]
    public var help: String?

    public init(_ severity: Severity = .error, _ message: String, at range: SourceRange?, notes: [Note] = [], help: String? = nil) {
        self.severity = severity
        self.message = message
        self.range = range
        self.notes = notes
        self.help = help
    }

    public static func error(_ message: String, at range: SourceRange?, notes: [Note] = [], help: String? = nil) -> Diagnostic {
        Diagnostic(.error, message, at: range, notes: notes, help: help)
    }

    public static func warning(_ message: String, at range: SourceRange?, notes: [Note] = [], help: String? = nil) -> Diagnostic {
        Diagnostic(.warning, message, at: range, notes: notes, help: help)
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
}

/// The one error type the public API throws: every diagnostic of the run, with the sources
/// needed to render them.
public struct ScriptError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public var sources: SourceMap

    public init(diagnostics: [Diagnostic], sources: SourceMap) {
        self.diagnostics = diagnostics
        self.sources = sources
    }

    public var description: String {
        DiagnosticRenderer(sources: sources, color: false).render(diagnostics)
    }
}
