// Statements that run once where they are: a file's top-level statements, and the statements
// of a block one of them opens, when that block binds no names (so it runs in the file's
// scope). Lowering such a statement builds nodes to run one time and free. A registered command
// of plain words, most of a mesh script (`cluster c1 < context "k"; trust from root >`), runs
// straight from its compact form instead: the same steps, diagnostics and order as its nodes.

extension Interpreter {
    /// Run `statements`, each once, in `scope` (a file's, whose names are bound by name); a
    /// statement that fails is skipped.
    func executeOnce(_ statements: [Statement], scope: Scope, kind: BlockKind, directory: String?) throws {
        for statement in statements {
            do {
                try executeOnce(statement, scope: scope, kind: kind, directory: directory)
            } catch Unwind.statementFailed {
                continue
            }
        }
    }

    private func executeOnce(_ statement: Statement, scope: Scope, kind: BlockKind, directory: String?) throws {
        let range = statement.range
        if let command = statement.compactCommand {
            let (name, nameRange) = command.name(at: range)
            let symbol = commandSymbol(name)
            // A recipe of the command's name is called instead (`CommandNode.perform`).
            if scope.recipeKey == nil || scope.lookupRecipe(symbol) == nil, let entry = self.command(symbol) {
                try step(range)
                try run(entry, command, nameRange, range, scope: scope, kind: kind, directory: directory)
                return
            }
        }
        try lower(statement, in: nil).execute(self, scope: scope, kind: kind, directory: directory)
    }

    /// `run(_:_:scope:kind:directory:)` for a compact command at `range`: its words are
    /// evaluated from the source, and its block runs once in place unless it binds names.
    private func run(_ command: CommandEntry, _ compact: CompactCommand, _ nameRange: SourceRange, _ range: SourceRange,
                     scope: Scope, kind: BlockKind, directory: String?) throws {
        let block = compact.block(at: range)
        let blockKind = try opened(by: command.signature, in: kind, blockRange: block?.range, nameRange, range)
        var arguments: [CommandArgument] = []
        arguments.reserveCapacity(compact.wordCount)
        for index in 0..<compact.wordCount {
            let word = compact.plainWord(index, at: range)
            let value = try value(of: word, in: scope)
            if case .poison = value { throw Unwind.statementFailed }
            arguments.append(CommandArgument(value: value, range: word.range, elementRanges: []))
        }
        let invocation = try match(&arguments, bareName: { compact.bareName($0, at: range) }, nameRange, range,
                                   command.signature, blockKind: blockKind, hasBlock: block != nil)
        let context = if let block, BlockNode.bindsNames(block.statements) {
            Context(interpreter: self, block: BlockNode(nested: block, in: nil), scope: scope, kind: blockKind, directory: directory)
        } else {
            Context(interpreter: self, block: nil, statements: block?.statements, scope: scope, kind: blockKind, directory: directory)
        }
        try runHandler(command, invocation, context)
    }

    /// A plain word's value, with the steps its node charges (`NameNode`, `TextNode`, `VariableNode`).
    private func value(of word: (kind: CompactCommand.WordKind, text: String, range: SourceRange), in scope: Scope) throws -> Value {
        try step(word.range)
        switch word.kind {
        case .name:
            return .string(word.text)
        case .string:
            try step(word.range, cost: 1 + word.text.utf8.count / 64)
            return .string(word.text)
        case .variable:
            if let value = scope.lookupVariable(symbols.intern(word.text)) { return value }
            throw fail(.undefinedVariable(word.text, at: word.range, visible: scope.visibleVariableNames))
        }
    }
}
