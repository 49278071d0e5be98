// One diagnostic value for every phase: lexing, parsing, evaluation, validation and the
// checks a host adds. Phases return their results together with their diagnostics.

/// A message about the script: its severity, the source range of the statement or word
/// responsible, notes pointing at related places, and `help:` with the fix.
public struct Diagnostic: Sendable, Hashable {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Hashable, Comparable {
        /// An error fails the run; a warning and a note do not.
        case error, warning, note
        /// Orders errors before warnings before notes (the more serious first).
        public static func < (a: Severity, b: Severity) -> Bool {
            let order: [Severity] = [.error, .warning, .note]
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
    }

    /// A secondary message, optionally pointing at a related place (where a name was first declared, say).
    public struct Note: Sendable, Hashable {
        /// The note's text.
        public var message: String
        /// Where it points (nil: no place).
        public var range: SourceRange?
        /// A note saying `message`, pointing at `range` if given.
        public init(_ message: String, at range: SourceRange? = nil) {
            self.message = message
            self.range = range
        }
    }

    /// How serious the diagnostic is.
    public var severity: Severity
    /// What is wrong, in one line.
    public var message: String
    /// The statement or word responsible (nil: no place in the source, such as a missing file).
    public var range: SourceRange?
    /// Related places, shown after the message.
    public var notes: [Note]
    /// The fix, shown as `help:` (nil: none).
    public var help: String?

    /// A diagnostic; see the properties for each argument.
    public init(_ severity: Severity = .error, _ message: String, at range: SourceRange?, notes: [Note] = [], help: String? = nil) {
        self.severity = severity
        self.message = message
        self.range = range
        self.notes = notes
        self.help = help
    }

    /// An error diagnostic.
    public static func error(_ message: String, at range: SourceRange?, notes: [Note] = [], help: String? = nil) -> Diagnostic {
        Diagnostic(.error, message, at: range, notes: notes, help: help)
    }

    /// A warning diagnostic.
    public static func warning(_ message: String, at range: SourceRange?, notes: [Note] = [], help: String? = nil) -> Diagnostic {
        Diagnostic(.warning, message, at: range, notes: notes, help: help)
    }
}

extension Array where Element == Diagnostic {
    /// True when any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// The diagnostics in source order (by file, then offset); those without a position come
    /// first, and ties keep their order.
    public func sortedByPosition() -> [Diagnostic] {
        enumerated().sorted { a, b in
            let ka = a.element.range.map { ($0.file.index, $0.start) } ?? (-1, 0)
            let kb = b.element.range.map { ($0.file.index, $0.start) } ?? (-1, 0)
            return ka != kb ? ka < kb : a.offset < b.offset
        }.map(\.element)
    }
}
