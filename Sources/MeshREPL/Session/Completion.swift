// Tab completion for the REPL: keywords and the commands valid in the block being typed,
// declared cluster, network and root names, variables, option words, and `:` commands.
// Offsets are UTF-8 byte offsets, as in the lexer.
import MeshScript

extension REPLSession {
    /// Completions for the word ending at `cursor` in `line` (which may continue a pending entry).
    public func completions(line: String, cursor: Int) -> (replaceFrom: Int, candidates: [String]) {
        let bytes = Array(line.utf8)
        let cursor = min(max(0, cursor), bytes.count)
        var start = cursor
        while start > 0, Lexer.isIdentifierContinue(bytes[start - 1]) || bytes[start - 1] == UInt8(ascii: "$") || bytes[start - 1] == UInt8(ascii: ":") {
            start -= 1
        }
        let prefix = String(decoding: bytes[start..<cursor], as: UTF8.self)
        let before = String(decoding: bytes[..<start], as: UTF8.self)

        // `:` commands at the start of a fresh entry.
        if prefix.hasPrefix(":") {
            guard !hasPendingInput, before.allSatisfy(\.isWhitespace) else { return (start, []) }
            return (start, Self.commands.map(\.name).filter { $0.hasPrefix(prefix) })
        }
        if prefix.hasPrefix("$") {
            let names = engine.interpreter.variableNames.map { "$" + $0 } + visibleLoopAndParameterNames(pendingText + before)
            return (start, unique(names).filter { $0.hasPrefix(prefix) }.sorted())
        }

        let context = statementContext(pendingText + before)
        var candidates: [String]
        if context.atStatementStart {
            let valid = MeshCommands.signatures.filter { $0.allowedIn.contains(context.block) }.map(\.name)
            let keywords = ["let", "recipe", "for", "if", "else", "import", "assert", "print"]
            candidates = valid + keywords + engine.interpreter.recipeNames
        } else {
            candidates = argumentCandidates(command: context.command, previousWord: context.previousWord)
        }
        return (start, unique(candidates).filter { $0.hasPrefix(prefix) }.sorted())
    }

    private var pendingText: String { pending.isEmpty ? "" : pending.joined(separator: "\n") + "\n" }

    /// Names that make sense after `previousWord` in a `command` statement.
    private func argumentCandidates(command: String?, previousWord: String?) -> [String] {
        let topology = engine.topology
        let clusters = topology.clusters.map(\.name.value)
        let networks = topology.networks.map(\.name.value)
        let roots = topology.rootNames
        switch (command, previousWord) {
        case ("discover", "with"), ("discover", "from"), (_, ","): return clusters
        case ("trust", "from"): return roots
        case ("install", "network"): return networks
        case ("install", "remote"): return ["of"]
        case ("install", "of"): return clusters
        case ("key", "rsa"): return ["2048", "3072", "4096"]
        case ("key", "ecdsa"): return ["p256", "p384"]
        case ("key", "key"): return ["rsa", "ecdsa"]
        case ("install", "installer"), ("installer", "installer"): return Installer.allCases.map(\.rawValue)
        case ("values", "values"): return ["file"]
        default: break
        }
        if let command, let signature = MeshCommands.signatures.first(where: { $0.name == command }) {
            let words = signature.options.map(\.keyword)
            return words.isEmpty ? clusters + networks + roots : words
        }
        if let command, engine.interpreter.recipe(command) != nil {
            return clusters + networks + roots
        }
        return clusters + networks + roots + ["true", "false"]
    }

    /// Where the cursor is: which block it is in, the statement's command and the word before.
    private func statementContext(_ text: String) -> (block: BlockKind, atStatementStart: Bool, command: String?, previousWord: String?) {
        let bytes = Array(text.utf8)
        let tokens = Lexer.tokenize(bytes)
        var blocks: [BlockKind] = [.topLevel]
        var command: String?
        var previous: String?
        var atStart = true
        for token in tokens {
            let spelled = String(decoding: bytes[token.byteRange], as: UTF8.self)
            switch token.kind {
            case .newline, .semicolon:
                atStart = true; command = nil; previous = nil
            case .lAngle:
                let opened: BlockKind
                if let command, let signature = MeshCommands.signatures.first(where: { $0.name == command }) {
                    switch signature.body {
                    case .optional(let kind), .required(let kind): opened = kind
                    case .none: opened = blocks.last!
                    }
                } else {
                    opened = blocks.last! // recipe, for, if: the enclosing block's kind
                }
                blocks.append(opened)
                atStart = true; command = nil; previous = nil
            case .rAngle:
                if blocks.count > 1 { blocks.removeLast() }
                atStart = false; command = nil; previous = nil
            case .eof:
                break
            default:
                if atStart, token.kind == .identifier { command = spelled }
                atStart = false
                previous = token.kind == .comma ? "," : spelled
            }
        }
        return (blocks.last!, atStart, command, previous)
    }

    /// `$x` for the loop variables, recipe parameters and `let`s typed so far in this entry
    /// (on its earlier lines too): they are not bound until the entry runs.
    private func visibleLoopAndParameterNames(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        let tokens = Lexer.tokenize(bytes)
        func spelled(_ index: Int) -> String { String(decoding: bytes[tokens[index].byteRange], as: UTF8.self) }
        var names: [String] = []
        for (index, token) in tokens.enumerated() where index + 1 < tokens.count && tokens[index + 1].kind == .identifier {
            switch token.kind {
            case .kwFor, .kwLet:
                names.append("$" + spelled(index + 1))
            case .kwRecipe:
                // recipe NAME ( p1, p2, ... )
                var next = index + 2
                guard next < tokens.count, tokens[next].kind == .lParen else { continue }
                next += 1
                while next < tokens.count, tokens[next].kind == .identifier || tokens[next].kind == .comma || tokens[next].kind == .newline {
                    if tokens[next].kind == .identifier { names.append("$" + spelled(next)) }
                    next += 1
                }
            default:
                break
            }
        }
        return names
    }

    private func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
