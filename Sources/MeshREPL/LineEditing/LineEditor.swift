// The REPL's line editor: libedit (through CEditLine) with emacs keys, persistent
// history, Tab completion and Ctrl-C that cancels the line instead of the process.
// Use it only when `Terminal.standardInputIsTerminal`; otherwise read lines directly.
import CEditLine
import Foundation

/// Supplies Tab completions. Offsets are UTF-8 byte offsets into `line` (as in the
/// lexer's token ranges): `cursor` is where the cursor is; return `replaceFrom` (the start
/// of the word being completed, `<= cursor`) and the full texts that may replace
/// `line[replaceFrom..<cursor]`, in the order they should be listed.
///
/// What Tab then does:
/// - no candidates: bell;
/// - one: it replaces the word, followed by a space unless it ends in one of
///   `/ ( [ { $ = . : "` or the cursor is already before a space;
/// - several: their longest common prefix replaces the word when that makes it longer;
///   otherwise the bell, and a second Tab in a row lists them below the line (in columns)
///   and draws the prompt and line again.
/// With only whitespace before the cursor, Tab inserts four spaces and the completer is
/// not asked. Called on the thread that called `readLine`.
public protocol LineCompleter: AnyObject {
    func completions(line: String, cursor: Int) -> (replaceFrom: Int, candidates: [String])
}

/// The outcome of one `LineEditor.readLine`.
public enum LineInput: Equatable, Sendable {
    /// A line was entered (without its newline). A multi-line history entry recalled with
    /// Up comes back whole, newlines included.
    case line(String)
    /// Ctrl-C while editing: the line was dropped, "^C" shown after it; prompt again.
    case interrupted
    /// Ctrl-D on an empty line, or the terminal went away.
    case endOfInput
}

/// Reads lines from a terminal. Not thread-safe: use one instance from one thread.
///
/// Keys: emacs bindings (Ctrl-A/E/B/F/K/U/W/Y, Alt-B/F, ...), Up/Down and Ctrl-P/N for
/// history, Ctrl-R for incremental search, Home/End/Delete, Tab for completion, Ctrl-C to
/// cancel the line, Ctrl-D to delete the character under the cursor or, on an empty line,
/// to end input. `~/.editrc` is read first, as libedit programs do. A terminal resize
/// (SIGWINCH) or a resume after Ctrl-Z (SIGCONT) while editing redraws the line.
/// With TERM unset, empty or `dumb`, keys are not edited: the terminal's own line editing
/// applies and there is no history recall or completion (Ctrl-C and Ctrl-D still work).
///
/// Ctrl-C: while `readLine` runs, SIGINT is routed to it (it is the innermost receiver
/// of the interrupt relay, see `InterruptMonitor`), so a Ctrl-C at the prompt never
/// reaches a monitor and never kills the process.
public final class LineEditor {
    /// `~/.meshscript_history`, or nil without a home directory.
    public static var defaultHistoryFile: String? {
        guard let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty else { return nil }
        return home.hasSuffix("/") ? home + ".meshscript_history" : home + "/.meshscript_history"
    }

    /// Asked on Tab; nil: Tab only indents.
    public var completer: LineCompleter?
    /// Loaded by `init`, merged into by `saveHistory`.
    public let historyFile: String?
    /// The most entries kept, in memory and in the file.
    public let historyLimit: Int

    private let editor: OpaquePointer?
    /// Entries added since the last successful save, oldest first.
    private var unsavedHistory: [String] = []

    /// Sets up libedit on the standard streams and loads `historyFile` (a missing or
    /// unreadable file just means an empty history).
    public init(programName: String, historyFile: String?, historyLimit: Int = 1000, completer: LineCompleter?) {
        self.historyFile = historyFile
        self.historyLimit = max(1, historyLimit)
        self.completer = completer
        self.editor = meshedit_open(programName, Int32(clamping: self.historyLimit))
        guard let editor else { return }
        meshedit_set_completion(editor, { context, editor, line, length, cursor, repeated in
            guard let context, let editor, let line else { return Int32(MESHEDIT_COMPLETION_BEEP.rawValue) }
            let lineEditor = Unmanaged<LineEditor>.fromOpaque(context).takeUnretainedValue()
            let text = String(decoding: UnsafeRawBufferPointer(start: line, count: length), as: UTF8.self)
            return Int32(lineEditor.completeWord(editor: editor, line: text, cursor: cursor, repeated: repeated != 0).rawValue)
        }, Unmanaged.passUnretained(self).toOpaque())
        if let historyFile { _ = meshedit_history_load(editor, historyFile) }
    }

    deinit {
        if let editor { meshedit_close(editor) }
    }

    /// False when keys are not edited (TERM dumb or unset, or no terminal).
    public var isEditing: Bool { editor.map { meshedit_editing_enabled($0) != 0 } ?? false }

    /// Shows `prompt` (plain text: escape sequences would throw off libedit's column
    /// arithmetic) and reads one line. Does not add it to the history: see `addHistory`.
    public func readLine(prompt: String) -> LineInput {
        var line: UnsafeMutablePointer<CChar>?
        var length = 0
        let status = editor.map { meshedit_read_line($0, prompt, &line, &length) }
            ?? meshedit_read_plain_line(prompt, &line, &length)
        defer { meshedit_free(line) }
        if status == MESHEDIT_LINE, let line {
            return .line(String(decoding: UnsafeRawBufferPointer(start: line, count: length), as: UTF8.self))
        }
        return status == MESHEDIT_INTERRUPTED ? .interrupted : .endOfInput
    }

    /// Adds a complete statement (possibly several lines) to the history. Trailing
    /// newlines are dropped; blank entries and a repeat of the previous entry are ignored.
    public func addHistory(_ entry: String) {
        var entry = Substring(entry)
        while entry.last?.isNewline == true { entry.removeLast() }
        guard !entry.allSatisfy(\.isWhitespace), let editor else { return }
        let text = String(entry)
        meshedit_history_add(editor, text)
        if unsavedHistory.last != text { unsavedHistory.append(text) }
        if unsavedHistory.count > historyLimit { unsavedHistory.removeFirst(unsavedHistory.count - historyLimit) }
    }

    /// Appends the entries added since the last save to `historyFile`: the file is read
    /// again (so concurrent sessions do not overwrite each other), the newest
    /// `historyLimit` entries kept, and the file replaced atomically (mode 0600). Cheap
    /// enough to call after every statement. Failures (read-only home, no such directory)
    /// are silent; the entries are then tried again at the next save.
    public func saveHistory() {
        guard let historyFile, !unsavedHistory.isEmpty else { return }
        let copies = unsavedHistory.map { UnsafePointer(strdup($0)) }
        defer { copies.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        if meshedit_history_save(historyFile, Int32(clamping: historyLimit), copies, copies.count) == 0 {
            unsavedHistory.removeAll()
        }
    }

    /// The in-memory history, oldest first (for tests).
    var historyEntries: [String] {
        guard let editor else { return [] }
        var entries: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = meshedit_history_copy(editor, &entries)
        defer { meshedit_history_free(entries, count) }
        return (0..<count).map { entries?[$0].map { String(cString: $0) } ?? "" }
    }

    private func completeWord(editor: OpaquePointer, line: String, cursor: Int, repeated: Bool) -> MeshEditCompletionResult {
        let edit: TabCompletionEdit
        if TabCompletion.indents(line: line, cursor: cursor) {
            edit = .replace(byteCount: 0, text: TabCompletion.indentation)
        } else if let completer {
            let answer = completer.completions(line: line, cursor: cursor)
            edit = TabCompletion.edit(line: line, cursor: cursor, replaceFrom: answer.replaceFrom,
                                      candidates: answer.candidates, repeated: repeated)
        } else {
            edit = .beep
        }
        switch edit {
        case .replace(let byteCount, let text):
            return meshedit_replace_before_cursor(editor, byteCount, text) == 0
                ? MESHEDIT_COMPLETION_REFRESH : MESHEDIT_COMPLETION_BEEP
        case .list(let candidates):
            // Leave two rows for the prompt and the line being edited.
            meshedit_show_below_line(editor, TabCompletion.listing(candidates, width: Int(meshedit_terminal_columns(editor)),
                                                                   maxRows: Int(meshedit_terminal_rows(editor)) - 2))
            return MESHEDIT_COMPLETION_REDISPLAY
        case .beep:
            return MESHEDIT_COMPLETION_BEEP
        }
    }
}
