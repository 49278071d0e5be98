// The interactive loop: libedit on a terminal, plain line reading otherwise (so
// `meshscript repl < script.mesh` works in a pipeline). Ctrl-C cancels the line being
// edited or the running evaluation and keeps the session; Ctrl-D on an empty line exits.
import Foundation
import MeshScript

/// `meshscript repl`: the interactive loop around a ``REPLSession``.
public enum REPL {
    /// Runs until `:quit` or end of input, each entry evaluated within `limits`. Returns the process
    /// exit code: 0, or 65 when reading a non-terminal input in which some statement had errors.
    public static func run(environment: [String: String], version: String, limits: Limits = Limits()) -> Int32 {
        let interactive = Terminal.standardInputIsTerminal
        let color = interactive && Terminal.standardOutputIsTerminal && environment["NO_COLOR"] == nil
        let session = REPLSession(environment: environment, color: color, limits: limits,
                                  write: StandardStreams.write, writeError: StandardStreams.writeError)
        return interactive ? runInteractive(session, version: version) : runPiped(session)
    }

    private static func runInteractive(_ session: REPLSession, version: String) -> Int32 {
        let completer = SessionCompleter(session)
        let editor = LineEditor(programName: "meshscript", historyFile: LineEditor.defaultHistoryFile, completer: completer)
        // The flag is Sendable; the session itself stays on this thread.
        let cancellation = session.engine.interpreter.cancellation
        let monitor = InterruptMonitor { cancellation.cancel() }
        monitor.start()
        defer {
            monitor.stop()
            editor.saveHistory()
        }
        session.waitsForElse = true
        print("MeshScript \(version): describe a mesh one statement at a time. :help for help, Ctrl-D to leave.")
        var entry: [String] = []
        while true {
            switch editor.readLine(prompt: session.prompt) {
            case .line(let line):
                if session.endsHeldEntry(line) {
                    editor.addHistory(entry.joined(separator: "\n"))
                    entry.removeAll()
                }
                entry.append(line)
                let status = session.feed(line)
                if status == .needsMoreInput { continue }
                editor.addHistory(entry.joined(separator: "\n"))
                editor.saveHistory()
                entry.removeAll()
                if status == .quit { return 0 }
            case .interrupted:
                session.discardPendingInput()
                entry.removeAll()
            case .endOfInput:
                session.finishInput()
                if session.hasPendingInput { print() }
                return 0
            }
        }
    }

    private static func runPiped(_ session: REPLSession) -> Int32 {
        var input = PipedLines()
        while let line = input.next() {
            // A newline (and blank or comment lines) before `else` does not end an `if`
            // (language.md), so look ahead before evaluating an entry that ends with one, and
            // the script runs as it would from a file. (At a terminal there is no looking
            // ahead: `else` must follow `>` on the same line.)
            var entry = line
            while session.mayContinueWithElse(entry), let continued = input.nextIfElse() {
                entry += "\n" + continued
            }
            if session.feed(entry) == .quit { break }
        }
        if session.hasPendingInput {
            StandardStreams.writeError("error: input ended inside an unclosed block, list or string\n")
            return 65
        }
        return session.errorCount > 0 ? 65 : 0
    }
}

/// Standard input's lines, with a look ahead for `else`.
struct PipedLines {
    private var buffered: [String] = []
    private let read: () -> String?

    init(read: @escaping () -> String? = { readLine(strippingNewline: true) }) { self.read = read }

    mutating func next() -> String? {
        buffered.isEmpty ? read() : buffered.removeFirst()
    }

    /// When the next line that is not blank or a comment starts with the keyword `else`,
    /// returns the lines up to and including it joined by newlines; otherwise nil, and
    /// `next()` returns them one by one as before.
    mutating func nextIfElse() -> String? {
        var index = 0
        while true {
            if index == buffered.count {
                guard let line = read() else { return nil }
                buffered.append(line)
            }
            let trimmed = buffered[index].drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") {
                index += 1
                continue
            }
            guard Self.startsWithElse(String(trimmed)) else { return nil }
            let lines = buffered[...index].joined(separator: "\n")
            buffered.removeFirst(index + 1)
            return lines
        }
    }

    /// The line's first word is the keyword `else`.
    static func startsWithElse(_ line: String) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        return trimmed.hasPrefix("else") && (trimmed.dropFirst(4).first.map { !continuesWord($0) } ?? true)
    }

    private static func continuesWord(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == "-"
    }
}

/// Adapts the session's completion to the line editor (both use UTF-8 byte offsets).
final class SessionCompleter: LineCompleter {
    private unowned let session: REPLSession
    init(_ session: REPLSession) { self.session = session }
    func completions(line: String, cursor: Int) -> (replaceFrom: Int, candidates: [String]) {
        session.completions(line: line, cursor: cursor)
    }
}
