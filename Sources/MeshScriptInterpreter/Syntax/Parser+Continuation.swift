// Whether more input could still extend a parsed source: the REPL asks the parser this
// instead of scanning tokens itself.

extension Parser {
    /// Whether `statements` ends with an `if` chain that a later `else` line would extend:
    /// its last link has no plain `else`, and no token but newlines follows it: `lastTokenEnd`,
    /// the end of the source's last token other than a line end, is where the `if` ends
    /// (a `;` ends the statement, so an `else` after one has no `if`).
    static func endsWithOpenIf(_ statements: [Statement], lastTokenEnd: Int?) -> Bool {
        guard var statement = statements.last, case .if = statement.kind else { return false }
        guard let lastTokenEnd, lastTokenEnd == statement.range.end else { return false }
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
