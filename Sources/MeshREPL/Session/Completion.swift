// Tab completion for the REPL: keywords and the commands valid in the block being typed,
// declared cluster, network and root names, variables, option words, and `:` commands. The
// block, the statement being typed and the names in scope come from the parser and the
// resolver (Interpreter.completionScope), not from a scan of their own. Offsets are UTF-8
// byte offsets, as in the lexer.
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
        // What is in scope where the word starts: the resolver's answer on the parsed entry.
        let scope = engine.interpreter.completionScope(for: pendingText + before)
        if prefix.hasPrefix("$") {
            return (start, scope.variables.map { "$" + $0 }.filter { $0.hasPrefix(prefix) })
        }
        var candidates: [String]
        if scope.atStatementStart {
            let valid = MeshCommands.signatures.filter { scope.blockKind.map($0.allowedIn.contains) ?? true }.map(\.name)
            let keywords = ["let", "recipe", "for", "if", "else", "import", "assert", "print"]
            candidates = valid + keywords + scope.recipes
        } else {
            candidates = argumentCandidates(command: scope.command, previousWord: scope.previousWord, recipes: scope.recipes)
        }
        return (start, unique(candidates).filter { $0.hasPrefix(prefix) }.sorted())
    }

    private var pendingText: String { pending.isEmpty ? "" : pending.joined(separator: "\n") + "\n" }

    /// Names that make sense after `previousWord` in a `command` statement.
    private func argumentCandidates(command: String?, previousWord: String?, recipes: [String]) -> [String] {
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
        if let command, recipes.contains(command) {
            return clusters + networks + roots
        }
        return clusters + networks + roots + ["true", "false"]
    }

    private func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
