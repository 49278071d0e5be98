// Running the resolve pass for the interpreter: what a program can refer to (the registered
// commands and functions, the globals bound so far) and the files it imports by a path known
// before the run, each read, parsed and resolved once. The evaluator then imports those files
// from the parse made here instead of reading them again.

extension Interpreter {
    /// A file read and parsed for the resolve pass, for its import to evaluate.
    struct ParsedImport {
        var file: FileID
        var parsed: ParseResult
        var byteCount: Int
    }

    /// Resolve a program about to run in the global scope. `canonicalPath` is its file's, when
    /// it is one (an import of it is then a cycle).
    func resolveProgram(_ program: Program, canonicalPath: String?, directory: String?) -> [Diagnostic] {
        resolvingImports = canonicalPath.map { [$0] } ?? []
        defer { resolvingImports = [] }
        return resolveWithExports(program, predeclared: globalNames, directory: directory).diagnostics
    }

    /// The globals bound so far, looked up by name (through the symbol table: no copy). None
    /// is bound while a resolve pass runs, so a kind with no globals (a script checked on its
    /// own has none) is not looked up at all: a lookup hashes the name.
    private var globalNames: Predeclared {
        let globals = self.globals, symbols = self.symbols
        let hasVariables = globals.variables.mark > 0, hasRecipes = globals.recipes.mark > 0
        return Predeclared(
            variable: { name in hasVariables ? symbols.symbol(named: name).flatMap { globals.variables[$0]?.range } : nil },
            recipe: { name in hasRecipes ? symbols.symbol(named: name).flatMap { globals.recipes[$0]?.declaration } : nil },
            names: { (globals.variables.names, globals.recipes.names) })
    }

    /// Resolve an imported file's program (a module scope sees none of the importer's names).
    func resolveModule(_ program: Program, canonicalPath: String, directory: String?) -> (diagnostics: [Diagnostic], exports: ResolvedExports) {
        resolvingImports.append(canonicalPath)
        defer { resolvingImports.removeLast() }
        return resolveWithExports(program, predeclared: .none, directory: directory)
    }

    private func resolveWithExports(_ program: Program, predeclared: Predeclared,
                                    directory: String?) -> (diagnostics: [Diagnostic], exports: ResolvedExports) {
        var importDiagnostics: [Diagnostic] = []
        let environment = ResolveEnvironment(
            commands: commandEntries, functions: functions, predeclared: predeclared,
            exports: { [unowned self] path, directory in
                let (exports, diagnostics) = self.staticExports(of: path, relativeTo: directory)
                importDiagnostics += diagnostics
                return exports
            },
            directory: directory)
        let (diagnostics, exports) = Resolver.resolve(program, in: environment)
        return (importDiagnostics + diagnostics, exports)
    }

    /// The names the file at `path` exports, read, parsed and resolved now, with the resolve
    /// diagnostics of that file (reported once). Nil when it cannot be known before the run:
    /// the evaluator's import then reports why (unreadable, outside the tree, a cycle, syntax).
    private func staticExports(of path: String, relativeTo directory: String?) -> (ResolvedExports?, [Diagnostic]) {
        let canonical = loader.canonicalPath(path, relativeTo: directory)
        if let exports = resolvedImports[canonical] { return (exports, []) }
        if resolvingImports.contains(canonical) { return (nil, []) }
        if !allowImportsOutsideRoot, let root = rootDirectory,
           !(canonical == root || canonical.hasPrefix(root.hasSuffix("/") ? root : root + "/")) {
            return (nil, [])
        }
        if let module = modules[canonical] {
            var exports = ResolvedExports()
            for (key, entry) in module.variables { exports.variables[key.name] = entry.range }
            for (key, recipe) in module.recipes { exports.recipes[key.name] = recipe.declaration }
            return (exports, [])
        }
        guard let bytes = try? loader.read(canonical) else { return (nil, []) }
        let (id, parsed) = addAndParse(SourceFile(path: displayPath(canonical), bytes: bytes))
        parsedImports[canonical] = ParsedImport(file: id, parsed: parsed, byteCount: bytes.count)
        guard !parsed.diagnostics.hasErrors else { return (nil, []) }
        let (diagnostics, exports) = resolveModule(parsed.program, canonicalPath: canonical, directory: loader.directory(of: canonical))
        resolvedImports[canonical] = exports
        return (diagnostics.hasErrors ? nil : exports, diagnostics)
    }
}

/// What is in scope where a REPL entry typed so far ends, for completion: the resolver's
/// answer on the parser's tree of the text (every block still open closed at its end).
package struct CompletionScope {
    /// The kind of block the text ends in; nil inside a recipe's body (it may run in any block).
    package var blockKind: BlockKind?
    /// The variables visible there (globals, parameters, loop variables, `let`s), sorted.
    package var variables: [String]
    /// The recipes visible there, sorted.
    package var recipes: [String]
    /// The command of the statement the text ends inside (nil at the start of a statement).
    package var command: String?
    /// The statement's last word so far (`","` after a comma; the command's own name when no
    /// word follows it yet); nil at the start of a statement.
    package var previousWord: String?
    /// True when the text ends where a new statement may start.
    package var atStatementStart: Bool { command == nil && previousWord == nil }
}

extension Interpreter {
    /// What is in scope where `text` ends (the cursor of a completion request). Nothing runs
    /// and nothing is added to ``sources``.
    package func completionScope(for text: String) -> CompletionScope {
        let source = SourceFile(path: "<completion>", text: text)
        let parsed = Parser.parse(source, file: FileID(index: Int.max), maxDepth: limits.maxNestingDepth, closingBlocksAtEnd: true)
        let environment = ResolveEnvironment(commands: commandEntries, functions: functions, predeclared: globalNames,
                                             exports: { _, _ in nil }, directory: nil)
        let found = Resolver.scope(atEndOf: parsed.program, unclosedBlocks: parsed.unclosedBlocks, in: environment)
        var scope = CompletionScope(blockKind: found.kind, variables: found.variables.sorted(), recipes: found.recipes.sorted())
        // Inside the last statement when it reaches the end of the text (blanks aside; a
        // line end starts a new statement), or a comma after it does.
        var end = text.utf8.count
        let bytes = Array(text.utf8)
        while end > 0, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        let afterComma = end > 0 && bytes[end - 1] == UInt8(ascii: ",")
        guard let last = found.lastStatement, last.range.end == end || (afterComma && last.range.end == end - 1),
              case .command(let name, _, let words, let block) = last.kind, block == nil else {
            if let last = found.lastStatement, last.range.end == end, !(bytes.last.map { $0 == UInt8(ascii: "<") } ?? false) {
                scope.previousWord = "" // inside a statement that is not a command: no statement starts here
            }
            return scope
        }
        scope.command = name
        if afterComma {
            scope.previousWord = ","
        } else if let word = words.last {
            scope.previousWord = Parser.constantText(word.expression) ?? ""
        } else {
            scope.previousWord = name
        }
        return scope
    }
}
