// Renders diagnostics as `file:line:col: error: message`, the numbered source line with a
// `^~~~` marker under the range, then notes and help. Colour only when asked (on a terminal).

/// Formats diagnostics against their script sources, compiler-style.
public struct DiagnosticRenderer: Sendable {
    /// The scripts the diagnostics' ranges point into.
    public var sources: SourceMap
    /// Whether to emit ANSI colours.
    public var color: Bool
    /// At most this many diagnostics are printed; the rest are counted.
    public var limit: Int

    /// Source lines longer than this many characters are cut to a window around the marker.
    static let maxLineWidth = 160

    /// A renderer over `sources`, printing at most `limit` diagnostics.
    public init(sources: SourceMap, color: Bool, limit: Int = 200) {
        self.sources = sources
        self.color = color
        self.limit = limit
    }

    private enum Style: String {
        case bold = "\u{1B}[1m", red = "\u{1B}[1;31m", yellow = "\u{1B}[1;33m", cyan = "\u{1B}[1;36m", blue = "\u{1B}[1;34m", green = "\u{1B}[1;32m", reset = "\u{1B}[0m"
    }

    private func paint(_ text: String, _ style: Style) -> String {
        color ? style.rawValue + text + Style.reset.rawValue : text
    }

    /// Up to ``limit`` diagnostics, then a count of those not shown.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for diagnostic in diagnostics.prefix(limit) { out += render(diagnostic) }
        if diagnostics.count > limit {
            out += "\(diagnostics.count - limit) more diagnostics not shown\n"
        }
        return out
    }

    /// One diagnostic with its source snippet, notes and help.
    public func render(_ diagnostic: Diagnostic) -> String {
        let severityStyle: Style = switch diagnostic.severity {
        case .error: .red
        case .warning: .yellow
        case .note: .cyan
        }
        var out = ""
        if let range = diagnostic.range {
            out += paint(position(range) + ":", .bold) + " "
        }
        out += paint(diagnostic.severity.rawValue + ":", severityStyle) + " " + paint(readable(diagnostic.message), .bold) + "\n"
        if let range = diagnostic.range { out += snippet(range, markerStyle: severityStyle) }
        for note in diagnostic.notes {
            if let range = note.range {
                out += paint(position(range) + ":", .bold) + " " + paint("note:", .cyan) + " " + readable(note.message) + "\n"
                out += snippet(range, markerStyle: .cyan)
            } else {
                out += "  " + paint("= note:", .cyan) + " " + readable(note.message) + "\n"
            }
        }
        if let help = diagnostic.help {
            out += "  " + paint("= help:", .green) + " " + readable(help) + "\n"
        }
        return out
    }

    /// `file:line:column` of the start of `range`.
    public func position(_ range: SourceRange) -> String {
        let file = sources.file(range.file)
        let location = file.location(of: range.start)
        return "\(file.path):\(location.line):\(location.column)"
    }

    private func snippet(_ range: SourceRange, markerStyle: Style) -> String {
        let file = sources.file(range.file)
        let line = file.lineIndex(of: min(range.start, file.bytes.count))
        let text = file.lineText(line)
        let startColumn = file.location(of: range.start).column
        // The marker stops at the end of the first line of a multi-line range.
        let lineEnd = line + 1 < file.lineStarts.count ? file.lineStarts[line + 1] - 1 : file.bytes.count
        let endColumn = file.location(of: min(range.end, max(lineEnd, range.start))).column
        var width = max(1, endColumn - startColumn)
        let number = String(line + 1)
        let gutter = String(repeating: " ", count: number.count)
        // A very long line (minified or generated input) is shown as a window around the
        // marker: printing a 10 MB line once per diagnostic would flood the terminal.
        let scalars = Array(text.unicodeScalars)
        var window = 0..<scalars.count
        if scalars.count > Self.maxLineWidth {
            let first = max(0, min(startColumn - 1 - Self.maxLineWidth / 4, scalars.count - Self.maxLineWidth))
            window = first..<(first + Self.maxLineWidth)
            width = min(width, max(1, window.upperBound - (startColumn - 1)))
        }
        let lead = window.lowerBound > 0 ? "…" : ""
        let shown = lead + String(String.UnicodeScalarView(scalars[window])) + (window.upperBound < scalars.count ? "…" : "")
        // Tabs are kept in the padding so the marker lines up under them.
        let before = scalars[window.lowerBound..<min(window.upperBound, max(window.lowerBound, startColumn - 1))]
        let padding = (lead.isEmpty ? "" : " ") + String(String.UnicodeScalarView(before.map { $0 == "\t" ? "\t" : " " }))
            + String(repeating: " ", count: max(0, startColumn - 1 - window.upperBound))
        let marker = "^" + String(repeating: "~", count: width - 1)
        var out = paint(gutter + " |", .blue) + "\n"
        out += paint(number + " |", .blue) + " " + sanitize(shown) + "\n"
        out += paint(gutter + " |", .blue) + " " + padding + paint(marker, markerStyle) + "\n"
        return out
    }

    /// Control characters in a source line would garble a terminal (ESC starts a sequence, BEL
    /// rings): show them as U+FFFD. C1 controls (U+0080...U+009F) count too.
    private func sanitize(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            (scalar.value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(scalar.value) ? "\u{FFFD}" : scalar
        }))
    }

    /// The longest word a message shows whole; a longer one (a 10 MB identifier quoted back) is cut
    /// in its middle, saying how long it was.
    static let maxWordLength = 120

    /// A message, note or help as shown: control characters replaced (names and strings in it come
    /// from the script), and very long words cut.
    private func readable(_ text: String) -> String {
        let words = sanitize(text).split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
            let scalars = Array(word.unicodeScalars)
            guard scalars.count > Self.maxWordLength else { return String(word) }
            let head = String(String.UnicodeScalarView(scalars.prefix(Self.maxWordLength / 2)))
            let tail = String(String.UnicodeScalarView(scalars.suffix(16)))
            return head + "…(\(scalars.count) characters)…" + tail
        }
        return words.joined(separator: " ")
    }
}
