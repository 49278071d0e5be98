// Whether more input could still extend a parsed source: the REPL asks the parser this
// instead of scanning tokens itself.

extension Parser {
    /// Whether `statements` ends with an `if` chain that a later `else` line would extend:
    /// its last link has no plain `else`, and no token but newlines follows it in `tokens`
    /// (a `;` ends the statement, so an `else` after one has no `if`).
    static func endsWithOpenIf(_ statements: [Statement], tokens: [Token]) -> Bool {
        guard var statement = statements.last, case .if = statement.kind else { return false }
        let last = tokens.last { $0.kind != .newline && $0.kind != .eof }
        guard let last, Int(last.end) == statement.range.end else { return false }
        while case .if(_, _, let otherwise) = statement.kind {
            guard let otherwise else { return true }
            // `else if` is a block holding just the nested `if`, spanning exactly it; a plain
            // `else < ... >` block spans its brackets.
            guard otherwise.statements.count == 1, otherwise.statements[0].range == otherwise.range else { return false }
            statement = otherwise.statements[0]
        }
        return false
    }
}
