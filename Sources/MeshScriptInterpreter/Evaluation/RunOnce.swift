// Statements that run once where they are: a file's top-level statements, and the statements
// of a block one of them opens, when that block binds no names (so it runs in the file's
// scope). Lowering such a statement builds nodes to run one time and free. A registered command
// whose words are plain, most of a mesh script (`cluster c1 < context "k"; trust from root;
// discover with c2, c3 >`), runs from its syntax instead: the same steps, diagnostics and order
// as its nodes would give (`NameNode`, `TextNode`, `VariableNode`, `ListNode`, `CommandNode`).

extension Interpreter {
    /// Run `statements`, each once, in `scope` (a file's, whose names are bound by name); a
    /// statement that fails is skipped.
    func executeOnce(_ statements: [Statement], scope: Scope, kind: BlockKind, directory: String?) throws {
        // A compact command is read out of its statement in place: passing the statement copies
        // all of it (a count on each of its references), which costs a command's run a tenth.
        try statements.withUnsafeBufferPointer { statements in
            for index in statements.indices {
                do {
                    if let compact = statements[index].compactCommand,
                       try executeOnce(compact, statements[index].range, scope: scope, kind: kind, directory: directory) {
                        continue
                    }
                    try executeOnce(statements[index], scope: scope, kind: kind, directory: directory)
                } catch Unwind.statementFailed {
                    continue
                }
            }
        }
    }

    /// Run the compact command at `range` when it names a registered command; false (and nothing
    /// run) when it calls a recipe or names nothing.
    private func executeOnce(_ compact: CompactCommand, _ range: SourceRange, scope: Scope, kind: BlockKind, directory: String?) throws -> Bool {
        guard let entry = registeredCommand(symbol(of: compact, at: range), in: scope) else { return false }
        let nameRange = SourceRange(file: range.file, start: range.start, end: range.start + Int(compact.nameLength))
        // Read once: a closure that reads `compact` copies it (two counts) at each call.
        let bareNames = compact.bareNames
        try step(range)
        try run(entry, nameRange, range, block: compact.block(at: range), words: compact.wordCount,
                argument: { index, scope in
                    let word = compact.plainWord(index, at: range)
                    return CommandArgument(value: try self.value(of: word.kind, word.text, at: word.range, in: scope),
                                           range: word.range, elementRanges: [])
                },
                isBareName: { bareNames >> $0 & 1 == 1 }, scope: scope, kind: kind, directory: directory)
        return true
    }

    /// Run any other statement: a command of plain words from its syntax, the rest as nodes.
    private func executeOnce(_ statement: Statement, scope: Scope, kind: BlockKind, directory: String?) throws {
        let range = statement.range
        if statement.compactCommand == nil, statement.form == .command, case .command(let name, let nameRange, let words, let block) = statement.kind,
                  words.allSatisfy(Self.isPlain), let entry = registeredCommand(commandSymbol(name), in: scope) {
            try step(range)
            try run(entry, nameRange, range, block: block, words: words.count,
                    argument: { index, scope in try self.argument(words[index].expression, in: scope) },
                    isBareName: { index in
                        if case .name = words[index].expression.kind { return true }
                        return false
                    }, scope: scope, kind: kind, directory: directory)
            return
        }
        try lower(statement, in: nil).execute(self, scope: scope, kind: kind, directory: directory)
    }

    /// The command `symbol` names: nil when a recipe of that name is in `scope` (which is called
    /// instead, `CommandNode.perform`) or no command has the name.
    private func registeredCommand(_ symbol: Symbol, in scope: Scope) -> CommandEntry? {
        guard scope.recipeKey == nil || scope.lookupRecipe(symbol) == nil else { return nil }
        return command(symbol)
    }

    /// The symbol of `compact`'s name: by its packed bytes when it is a short name (no String
    /// is built for a name seen lately).
    private func symbol(of compact: CompactCommand, at range: SourceRange) -> Symbol {
        guard let key = compact.nameKey(at: range) else { return commandSymbol(compact.name(at: range).name) }
        // Not `entry(for:else:)`: a closure that reads `compact` copies it (two counts) at each call.
        if let symbol = recentCommandKeys[key] { return symbol }
        let symbol = commandSymbol(compact.name(at: range).name)
        recentCommandKeys.remember(key, symbol)
        return symbol
    }

    /// Whether `word` is run here: unlabelled, and a bare name, a string with no interpolation, a
    /// `$variable`, or a list of those (`discover with c1, c2`).
    private static func isPlain(_ word: Word) -> Bool {
        guard word.label == nil else { return false }
        if case .list(let items) = word.expression.kind { return items.allSatisfy { isPlainScalar($0) } }
        return isPlainScalar(word.expression)
    }

    private static func isPlainScalar(_ expression: Expression) -> Bool {
        switch expression.kind {
        case .name, .variable: return true
        case .string(let parts): return parts.allSatisfy { if case .literal = $0 { true } else { false } }
        default: return false
        }
    }

    /// `run(_:_:scope:kind:directory:)` for a command read from its syntax: `argument(i)` evaluates
    /// word `i`, `isBareName(i)` says whether it is a bare name. The block runs once in place
    /// unless it binds names.
    private func run(_ command: CommandEntry, _ nameRange: SourceRange, _ range: SourceRange, block: Block?, words: Int,
                     argument: (Int, Scope) throws -> CommandArgument, isBareName: (Int) -> Bool,
                     scope: Scope, kind: BlockKind, directory: String?) throws {
        let blockKind = try opened(by: command.signature, in: kind, blockRange: block?.range, nameRange, range)
        var arguments = spareWords.popLast() ?? []
        arguments.reserveCapacity(words)
        for index in 0..<words {
            let argument = try argument(index, scope)
            if case .poison = argument.value { throw Unwind.statementFailed }
            arguments.append(argument)
        }
        var invocation = try match(&arguments, isBareName: isBareName, nameRange, range, command.signature, blockKind: blockKind, hasBlock: block != nil)
        let body = block.map { block in
            BlockNode.bindsNames(block.statements) ? Context.Body.nodes(BlockNode(nested: block, in: nil)) : .once(block.statements)
        }
        try runHandler(command, invocation, body: body, scope: scope, kind: blockKind, directory: directory)
        recycle(&arguments, of: &invocation)
    }

    /// Keep the buffer a command's words were evaluated into for the next command's (at most
    /// 16): allocating and freeing it cost a tenth of a short command's run. `match` leaves it in
    /// `arguments`, or hands it on as the invocation's positional values or as its one option's.
    private func recycle(_ arguments: inout [CommandArgument], of invocation: inout CommandInvocation) {
        guard spareWords.count < 16 else { return }
        if arguments.capacity == 0 {
            if !invocation.arguments.isEmpty { swap(&arguments, &invocation.arguments) } else { arguments = invocation.options.takeFirstValues() }
        }
        guard arguments.capacity > 0 else { return }
        // One by one: `removeAll(keepingCapacity:)` goes through a generic `replaceSubrange` that
        // costs more than a command's two or three words. A new buffer when the handler kept the
        // invocation's values: no worse than before.
        while !arguments.isEmpty { arguments.removeLast() }
        spareWords.append(arguments)
    }

    /// A plain word's argument: a list's items each with its range.
    private func argument(_ expression: Expression, in scope: Scope) throws -> CommandArgument {
        guard case .list(let items) = expression.kind else {
            return CommandArgument(value: try value(of: expression, in: scope), range: expression.range, elementRanges: [])
        }
        // As `ListNode`: its step, then every item's (each evaluated, for its diagnostics).
        try step(expression.range)
        var values: [Value] = []
        values.reserveCapacity(items.count)
        var depth = 0
        var poisoned = false
        for item in items {
            let value = try value(of: item, in: scope)
            switch value {
            case .poison: poisoned = true
            case .list(let inner): depth = max(depth, inner.depth)  // `$peers` holds a list
            case .map(let inner): depth = max(depth, inner.depth)
            default: break
            }
            values.append(value)
        }
        guard !poisoned else { return CommandArgument(value: .poison, range: expression.range, elementRanges: []) }
        let list = ValueList(values, depth: depth + 1)
        try checkNesting(list, at: expression.range)
        try checkList(count: list.count, at: expression.range)
        return CommandArgument(value: .list(list), range: expression.range, elementRanges: items.map(\.range))
    }

    /// A plain scalar's value (`isPlainScalar`).
    private func value(of expression: Expression, in scope: Scope) throws -> Value {
        switch expression.kind {
        case .name(let text):
            return try value(of: .name, text, at: expression.range, in: scope)
        case .variable(let name):
            return try value(of: .variable, name, at: expression.range, in: scope)
        case .string(let parts):
            var text = ""
            for case .literal(let literal) in parts { text += literal }
            return try value(of: .string, text, at: expression.range, in: scope)
        default:
            preconditionFailure("not a plain word: \(expression.kind)")
        }
    }

    /// The value of a plain word of `kind` whose text is `text` (a variable's name, a string's
    /// contents), with the steps its node charges.
    private func value(of kind: CompactCommand.WordKind, _ text: String, at range: SourceRange, in scope: Scope) throws -> Value {
        try step(range)
        switch kind {
        case .name:
            return .string(text)
        case .string:
            try step(range, cost: 1 + text.utf8.count / 64)
            return .string(text)
        case .variable:
            if let value = scope.lookupVariable(symbols.intern(text)) { return value }
            throw fail(.undefinedVariable(text, at: range, visible: scope.visibleVariableNames))
        }
    }
}

