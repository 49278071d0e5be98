// Whether the standard streams are terminals: the REPL edits lines with LineEditor only
// when standard input is one, and colours output only when standard output is one.
import CEditLine

/// Whether the standard streams are terminals.
public enum Terminal {
    /// isatty(0): true when standard input is a terminal (not a pipe or a file).
    public static var standardInputIsTerminal: Bool { meshedit_stdin_is_terminal() != 0 }
    /// isatty(1): true when standard output is a terminal.
    public static var standardOutputIsTerminal: Bool { meshedit_stdout_is_terminal() != 0 }
}
