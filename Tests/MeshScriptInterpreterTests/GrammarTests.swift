// grammar/meshscript.ebnf must stay in step with the lexer and parser. Checked mechanically:
// the EBNF is read into a small grammar model, then
//   - every nonterminal used is defined, and every production is reachable from `program`;
//   - every keyword of `Lexer.keywords` and every token spelling of `TokenKind` is a terminal,
//     and every syntactic terminal lexes to exactly one token;
//   - the keywords that start a statement (or a word) in the grammar are exactly those the
//     parser accepts there;
//   - hundreds of programs generated at random from the grammar parse without a diagnostic.
import Foundation
import MeshTestSupport
import Testing

import MeshScriptInterpreter

/// A grammar in ISO-EBNF style, as written in grammar/meshscript.ebnf.
struct EBNFGrammar {
    indirect enum Node {
        case terminal(String)
        case nonterminal(String)
        case special(String)
        case sequence([Node])
        case choice([Node])
        case optional(Node)
        case repetition(Node)
    }

    struct SyntaxError: Error, CustomStringConvertible {
        var description: String
    }

    var productions: [String: Node] = [:]
    var order: [String] = []

    /// Productions spelled out character by character (their terminals are glued together).
    static let lexical: Set<String> = ["letter", "digit", "identifier", "variable", "number", "string", "string-character", "escape", "interpolation"]

    init(text: String) throws {
        var tokens = try EBNFGrammar.tokenize(text)[...]
        while let name = tokens.first {
            tokens.removeFirst()
            guard case .name(let lhs) = name, tokens.popFirst() == .symbol("=") else {
                throw SyntaxError(description: "expected 'NAME =' at \(name)")
            }
            let rhs = try EBNFGrammar.parseChoice(&tokens)
            guard tokens.popFirst() == .symbol(";") else { throw SyntaxError(description: "expected ';' after the production \(lhs)") }
            if productions[lhs] != nil { throw SyntaxError(description: "\(lhs) is defined twice") }
            productions[lhs] = rhs
            order.append(lhs)
        }
    }

    enum Token: Equatable {
        case name(String), terminal(String), special(String), symbol(Character)
    }

    static func tokenize(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "(", i + 1 < chars.count, chars[i + 1] == "*" {
                var j = i + 2
                while j + 1 < chars.count, !(chars[j] == "*" && chars[j + 1] == ")") { j += 1 }
                guard j + 1 < chars.count else { throw SyntaxError(description: "unclosed comment") }
                i = j + 2
                continue
            }
            if c == "\"" || c == "'" || c == "?" {
                guard let close = chars[(i + 1)...].firstIndex(of: c) else { throw SyntaxError(description: "unclosed \(c)") }
                let body = String(chars[(i + 1)..<close])
                tokens.append(c == "?" ? .special(body) : .terminal(body))
                i = close + 1
                continue
            }
            if c.isLetter {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "-" { j += 1 }
                tokens.append(.name(String(chars[i..<j])))
                i = j
                continue
            }
            guard "=,|;[]{}()".contains(c) else { throw SyntaxError(description: "unexpected '\(c)' in the grammar") }
            tokens.append(.symbol(c))
            i += 1
        }
        return tokens
    }

    static func parseChoice(_ tokens: inout ArraySlice<Token>) throws -> Node {
        var alternatives = [try parseSequence(&tokens)]
        while tokens.first == .symbol("|") {
            tokens.removeFirst()
            alternatives.append(try parseSequence(&tokens))
        }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }

    static func parseSequence(_ tokens: inout ArraySlice<Token>) throws -> Node {
        var items = [try parseTerm(&tokens)]
        while tokens.first == .symbol(",") {
            tokens.removeFirst()
            items.append(try parseTerm(&tokens))
        }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    static func parseTerm(_ tokens: inout ArraySlice<Token>) throws -> Node {
        guard let token = tokens.popFirst() else { throw SyntaxError(description: "unexpected end of the grammar") }
        switch token {
        case .terminal(let text): return .terminal(text)
        case .special(let text): return .special(text)
        case .name(let name): return .nonterminal(name)
        case .symbol(let open) where "[{(".contains(open):
            let inner = try parseChoice(&tokens)
            let close: Character = open == "[" ? "]" : open == "{" ? "}" : ")"
            guard tokens.popFirst() == .symbol(close) else { throw SyntaxError(description: "expected '\(close)'") }
            return open == "[" ? .optional(inner) : open == "{" ? .repetition(inner) : inner
        case .symbol(let other):
            throw SyntaxError(description: "unexpected '\(other)'")
        }
    }

    // MARK: - Queries

    static func references(_ node: Node) -> [String] {
        switch node {
        case .terminal, .special: return []
        case .nonterminal(let name): return [name]
        case .sequence(let items), .choice(let items): return items.flatMap(references)
        case .optional(let inner), .repetition(let inner): return references(inner)
        }
    }

    static func terminals(_ node: Node) -> [String] {
        switch node {
        case .terminal(let text): return [text]
        case .special, .nonterminal: return []
        case .sequence(let items), .choice(let items): return items.flatMap(terminals)
        case .optional(let inner), .repetition(let inner): return terminals(inner)
        }
    }

    /// Tokens the lexer makes with no spelling of their own.
    static func isToken(_ name: String) -> Bool { name == name.uppercased() }

    /// Terminals that can begin `node` (through nonterminals), and whether it can be empty.
    func first(_ node: Node, visiting: Set<String> = []) -> (terminals: Set<String>, nullable: Bool) {
        switch node {
        case .terminal(let text): return ([text], text.isEmpty)
        case .special: return ([], false)
        case .nonterminal(let name):
            guard let production = productions[name], !visiting.contains(name) else { return ([], false) }
            return first(production, visiting: visiting.union([name]))
        case .choice(let items):
            var result: Set<String> = []
            var nullable = false
            for item in items {
                let f = first(item, visiting: visiting)
                result.formUnion(f.terminals)
                nullable = nullable || f.nullable
            }
            return (result, nullable)
        case .sequence(let items):
            var result: Set<String> = []
            for item in items {
                let f = first(item, visiting: visiting)
                result.formUnion(f.terminals)
                if !f.nullable { return (result, false) }
            }
            return (result, true)
        case .optional(let inner), .repetition(let inner):
            return (first(inner, visiting: visiting).terminals, true)
        }
    }
}

/// Generates sentences from the grammar, bounded in depth (beyond it, the shortest choices).
struct SentenceGenerator {
    let grammar: EBNFGrammar
    var random: SplitMix
    let maxDepth: Int
    /// The smallest expansion height of each production, to finish quickly past `maxDepth`.
    let heights: [String: Int]

    /// A generator drawing from `seed`; `heights` is `Self.heights(of: grammar)`, which the
    /// generators of one grammar can share (it is most of the cost of a short program).
    init(grammar: EBNFGrammar, seed: UInt64, maxDepth: Int, heights: [String: Int]? = nil) {
        self.grammar = grammar
        self.random = SplitMix(state: seed)
        self.maxDepth = maxDepth
        self.heights = heights ?? Self.heights(of: grammar)
    }

    /// The smallest expansion height of each of `grammar`'s productions (a fixed point).
    static func heights(of grammar: EBNFGrammar) -> [String: Int] {
        var heights: [String: Int] = [:]
        var changed = true
        while changed {
            changed = false
            for (name, node) in grammar.productions {
                let h = height(node, heights)
                if h < (heights[name] ?? .max) {
                    heights[name] = h
                    changed = true
                }
            }
        }
        return heights
    }

    /// The first of `items` with the smallest height (each height worked out once).
    static func lowest(_ items: [EBNFGrammar.Node], _ heights: [String: Int]) -> EBNFGrammar.Node {
        var lowest = items[0], lowestHeight = height(items[0], heights)
        for item in items.dropFirst() {
            let h = height(item, heights)
            if h < lowestHeight { (lowest, lowestHeight) = (item, h) }
        }
        return lowest
    }

    static func height(_ node: EBNFGrammar.Node, _ heights: [String: Int]) -> Int {
        switch node {
        case .terminal, .special: return 0
        case .nonterminal(let name): return EBNFGrammar.isToken(name) ? 0 : (heights[name].map { $0 == .max ? .max : $0 + 1 } ?? .max)
        case .sequence(let items): return items.map { height($0, heights) }.max() ?? 0
        case .choice(let items): return items.map { height($0, heights) }.min() ?? 0
        case .optional, .repetition: return 0
        }
    }

    /// Marks a piece that must touch the one before it (a postfix `.NAME`, `[i]` or `[i:j]`).
    static let touching = "\u{1}"

    /// The text of one `name`: lexical productions glued, syntactic ones joined with blanks.
    mutating func render(_ name: String, depth: Int = 0) -> String {
        if name == "NEWLINE" { return "\n" }
        if name == "EOF" { return "" }
        let node = grammar.productions[name]!
        if EBNFGrammar.lexical.contains(name) {
            while true {
                var pieces: [String] = []
                expand(node, depth: depth, into: &pieces)
                let text = pieces.joined()
                // A name spelled like a keyword is the keyword: draw again.
                if name == "identifier", Lexer.keywords.contains(text) { continue }
                return text
            }
        }
        var pieces: [String] = []
        expand(node, depth: depth, into: &pieces)
        var text = ""
        var previous = ""
        for piece in pieces where !piece.isEmpty {
            // "f(x)" is a call only when '(' touches the name: a blank before any '(' would turn
            // a call into two words, so '(' is always glued. A postfix ("$l[0]", "$m.net")
            // touches what it follows, and the name after '.' touches the '.'. "<=" and ">=" are
            // '<' and '>' touching '='.
            let postfix = piece.hasPrefix(SentenceGenerator.touching)
            let glued = postfix || piece.hasPrefix("(") || previous == "." || (piece == "=" && (previous == "<" || previous == ">"))
            if !text.isEmpty, !glued { text += " " }
            text += postfix ? String(piece.dropFirst()) : piece
            previous = piece
        }
        return text
    }

    mutating func expand(_ node: EBNFGrammar.Node, depth: Int, into pieces: inout [String]) {
        let deep = depth > maxDepth
        switch node {
        case .terminal(let text):
            pieces.append(text)
        case .special:
            // Only string characters are special sequences: a few that stress the lexer.
            pieces.append(["a", "é", " ", "{", "}", "#", "☃"].randomElement(using: &random)!)
        case .nonterminal(let name):
            // A postfix touches what it follows: mark it so `render` glues it.
            pieces.append((name == "postfix" ? SentenceGenerator.touching : "") + render(name, depth: depth + 1))
        case .sequence(let items):
            for item in items { expand(item, depth: depth, into: &pieces) }
        case .choice(let items):
            let pick = deep ? Self.lowest(items, heights) : items.randomElement(using: &random)!
            expand(pick, depth: depth, into: &pieces)
        case .optional(let inner):
            if !deep, Bool.random(using: &random) { expand(inner, depth: depth, into: &pieces) }
        case .repetition(let inner):
            let count = deep ? 0 : Int.random(in: 0...2, using: &random)
            for _ in 0..<count { expand(inner, depth: depth, into: &pieces) }
        }
    }
}

@Suite struct GrammarInStep {
    static func loadGrammar() throws -> EBNFGrammar {
        let url = packageRoot.appendingPathComponent("grammar/meshscript.ebnf")
        return try EBNFGrammar(text: String(contentsOf: url, encoding: .utf8))
    }

    /// Every token kind, read off the raw values (TokenKind is not CaseIterable).
    static var tokenKinds: [TokenKind] { (0...UInt8.max).compactMap(TokenKind.init(rawValue:)) }

    @Test func everyNonterminalIsDefinedAndReachable() throws {
        let grammar = try Self.loadGrammar()
        var used: Set<String> = []
        for (name, node) in grammar.productions {
            for reference in EBNFGrammar.references(node) {
                used.insert(reference)
                #expect(grammar.productions[reference] != nil || EBNFGrammar.isToken(reference),
                        "'\(reference)' (used in '\(name)') is not defined")
            }
        }
        var reachable: Set<String> = ["program"]
        var queue = ["program"]
        while let name = queue.popLast() {
            for reference in EBNFGrammar.references(grammar.productions[name] ?? .sequence([])) where reachable.insert(reference).inserted {
                queue.append(reference)
            }
        }
        for name in grammar.order {
            #expect(reachable.contains(name), "'\(name)' is not reachable from 'program'")
        }
        #expect(used.contains("NEWLINE") && used.contains("EOF"))
    }

    @Test func everyKeywordIsATerminal() throws {
        let grammar = try Self.loadGrammar()
        let terminals = Set(grammar.productions.values.flatMap(EBNFGrammar.terminals))
        #expect(Lexer.keywords.count == 14)
        for keyword in Lexer.keywords {
            #expect(terminals.contains(keyword), "keyword '\(keyword)' does not appear in the grammar")
        }
        // Keywords are exactly the keyword token kinds.
        #expect(Set(Self.tokenKinds.filter(\.isKeyword).map { String($0.spelling.dropFirst().dropLast()) }) == Set(Lexer.keywords))
    }

    @Test func everyTokenSpellingIsATerminalOrProduction() throws {
        let grammar = try Self.loadGrammar()
        let syntactic = grammar.productions.filter { !EBNFGrammar.lexical.contains($0.key) }
        let terminals = Set(syntactic.values.flatMap(EBNFGrammar.terminals))
        for kind in Self.tokenKinds {
            let spelling = kind.spelling
            if spelling.hasPrefix("'") {
                let text = String(spelling.dropFirst().dropLast())
                #expect(terminals.contains(text), "token \(spelling) does not appear in the grammar's syntax")
            }
        }
        for name in ["identifier", "variable", "string", "number"] {
            #expect(grammar.productions[name] != nil, "no production for \(name) tokens")
        }
    }

    /// Names the parser gives a meaning in one place only (`set x = 1`, `yield`, `n: int`):
    /// terminals of the grammar that lex as names.
    static let contextualKeywords = Set(Parser.contextualKeywords)

    @Test func everySyntacticTerminalIsOneToken() throws {
        let grammar = try Self.loadGrammar()
        let syntactic = grammar.productions.filter { !EBNFGrammar.lexical.contains($0.key) }
        let terminals = Set(syntactic.values.flatMap(EBNFGrammar.terminals))
        #expect(Self.contextualKeywords.isSubset(of: terminals), "\(Self.contextualKeywords.subtracting(terminals)) missing from the grammar")
        for terminal in terminals {
            let tokens = Lexer.tokenize(Array(terminal.utf8))
            if Self.contextualKeywords.contains(terminal) {
                #expect(tokens.count == 2 && tokens[0].kind == .identifier, "contextual keyword \(terminal) is not a name")
                continue
            }
            #expect(tokens.count == 2 && tokens[0].kind != .error && tokens[0].kind.spelling == "'\(terminal)'",
                    "grammar terminal \"\(terminal)\" is not one token of the lexer: \(tokens.map(\.kind))")
        }
    }

    /// Every contextual keyword the parser reads appears in the grammar.
    @Test func everyContextualKeywordIsATerminal() throws {
        let grammar = try Self.loadGrammar()
        let terminals = Set(grammar.productions.values.flatMap(EBNFGrammar.terminals))
        #expect(!Parser.contextualKeywords.isEmpty)
        for keyword in Parser.contextualKeywords {
            #expect(terminals.contains(keyword), "contextual keyword '\(keyword)' does not appear in the grammar")
        }
    }

    /// The parser's view: which keywords can start a statement, and which a command word.
    @Test func statementAndWordKeywordsMatchTheParser() throws {
        let grammar = try Self.loadGrammar()
        let keywords = Set(Lexer.keywords)
        let grammarStatements = grammar.first(.nonterminal("statement")).terminals.intersection(keywords)
        let grammarWords = grammar.first(.nonterminal("word")).terminals.intersection(keywords)
        let grammarExpressions = grammar.first(.nonterminal("expression")).terminals.intersection(keywords)

        func firstMessage(_ text: String) -> String? { parse(text).result.diagnostics.first?.message }
        let parserStatements = keywords.filter { keyword in
            let message = firstMessage("\(keyword) ") ?? ""
            return message != "expected a statement, found '\(keyword)'" && message != "'else' without a matching 'if'"
        }
        let parserWords = keywords.filter { firstMessage("emit \($0)") != "expected a value, found '\($0)'" }
        let parserExpressions = keywords.filter { firstMessage("let x = \($0)") != "expected a value, found '\($0)'" }

        #expect(grammarStatements == ["let", "recipe", "for", "if", "import", "assert", "print"])
        #expect(parserStatements == grammarStatements)
        #expect(parserWords == grammarWords)
        #expect(parserExpressions == grammarExpressions)
    }

    @Test func generatedProgramsParseCleanly() throws {
        let grammar = try Self.loadGrammar()
        var failures: [String] = []
        var generated = 0
        let heights = SentenceGenerator.heights(of: grammar)
        for seed in UInt64(1)...400 {
            var generator = SentenceGenerator(grammar: grammar, seed: seed, maxDepth: 24, heights: heights)
            let program = generator.render("program")
            generated += program.utf8.count
            let (result, _) = parse(program)
            // The context-sensitive rules the parser enforces (the grammar says so in
            // comments): a recipe parameter may not be named twice.
            // The same for a key given twice in a map literal.
            let diagnostics = result.diagnostics.filter {
                !($0.message.hasPrefix("parameter '") && $0.message.hasSuffix("' is declared twice"))
                    && !($0.message.hasPrefix("key '") && $0.message.hasSuffix("' is given twice in the map"))
            }
            if !diagnostics.isEmpty || result.needsMoreInput {
                failures.append("seed \(seed): \(diagnostics.first?.message ?? "needs more input")\n\(program)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) generated programs did not parse; first:\n\(failures.first ?? "")")
        #expect(generated > 10_000, "the generator produced only \(generated) bytes")
    }

    /// The generator itself must be able to notice a grammar that is out of step.
    @Test func aWrongGrammarIsCaught() throws {
        var grammar = try Self.loadGrammar()
        // Pretend lists are written with braces.
        grammar.productions["list"] = .sequence([.terminal("["), .optional(.nonterminal("expression")), .terminal("}")])
        var failed = 0
        let heights = SentenceGenerator.heights(of: grammar)
        for seed in UInt64(1)...200 {
            var generator = SentenceGenerator(grammar: grammar, seed: seed, maxDepth: 24, heights: heights)
            if !parse(generator.render("program")).result.diagnostics.isEmpty { failed += 1 }
        }
        #expect(failed > 0)
    }
}
