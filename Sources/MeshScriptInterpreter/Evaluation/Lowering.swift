// From the syntax tree to evaluator nodes (Nodes.swift): one node per syntax node, names
// interned to symbols, and what the evaluator would otherwise work out at every run of a
// statement (a word's keyword spelling, whether a loop body declares a recipe, the slot a
// variable is kept in) worked out once. Nested blocks are not lowered here: a `BlockNode`
// lowers its statements when it first runs.
//
// Slots: the names a block binds itself get numbered slots in its `ScopeLayout`, in the order
// its statements are lowered, so a `$name` lowered after its `let` reads the slot directly.
// Lowering follows the order the code runs in: what a statement sees is what was bound before it.

extension Interpreter {
    /// `statement` as a node, lowered in `layout`, the layout of the scope it runs in (nil: a
    /// file's scope, whose names are bound by name).
    func lower(_ statement: Statement, in layout: ScopeLayout?) -> StatementNode {
        let range = statement.range
        if let command = statement.compactCommand { return lower(command, at: range, in: layout) }
        switch statement.kind {
        case .let(let name, let nameRange, let value):
            let value = lower(value, in: layout)
            let symbol = symbols.intern(name)
            return LetNode(name, symbol, nameRange, value, slot: layout?.addSlot(symbol, name, nameRange), range)
        case .recipe(let declaration):
            return lowerRecipe(declaration, in: layout, range)
        case .set(let name, let nameRange, let value):
            let symbol = symbols.intern(name)
            return SetNode(name, symbol, nameRange, lower(value, in: layout), address: ScopeLayout.address(of: symbol, from: layout), range)
        case .yield:
            return YieldNode(range)
        case .return(let value):
            return ReturnNode(lower(value, in: layout), range)
        case .for(let variable, let variableRange, let sequence, let body):
            let symbol = symbols.intern(variable)
            let iteration = ScopeLayout(parent: layout)
            _ = iteration.addSlot(symbol, variable, variableRange)
            return ForNode(variable, symbol, variableRange, lower(sequence, in: layout), BlockNode(body: body, layout: iteration),
                           declaresRecipe: Self.declaresRecipe(body.statements), range)
        case .if(let condition, let then, let otherwise):
            return IfNode(lower(condition, in: layout), BlockNode(nested: then, in: layout),
                          otherwise.map { BlockNode(nested: $0, in: layout) }, range)
        case .import(let path):
            return ImportNode(lower(path, in: layout), namespace: nil, range)
        case .namespacedImport(let path, let namespace, _):
            return ImportNode(lower(path, in: layout), namespace: namespace, range)
        case .assert(let condition, let message):
            return AssertNode(lower(condition, in: layout), message.map { lower($0, in: layout) }, range)
        case .print(let value):
            return PrintNode(lower(value, in: layout), range)
        case .command(let name, let nameRange, let words, let block):
            let words = words.map { word in
                var spelling: String?
                if case .name(let text) = word.expression.kind { spelling = text }
                var elementRanges: [SourceRange] = []
                if case .list(let items) = word.expression.kind { elementRanges = items.map(\.range) }
                return WordNode(expression: lower(word.expression, in: layout), spelling: word.label == nil ? spelling : nil,
                                elementRanges: elementRanges, label: word.label.map { ($0, word.labelRange!) })
            }
            return CommandNode(name, commandSymbol(name), nameRange, words, block.map { BlockNode(nested: $0, in: layout) }, range)
        }
    }

    /// A command kept compactly, lowered from its offsets: the same nodes as from its rebuilt
    /// ``Statement/kind``, without building its words' array and syntax first.
    private func lower(_ command: CompactCommand, at range: SourceRange, in layout: ScopeLayout?) -> StatementNode {
        let (name, nameRange) = command.name(at: range)
        var words: [WordNode] = []
        words.reserveCapacity(command.wordCount)
        for index in 0..<command.wordCount {
            // A plain word: a bare name (a possible keyword), a variable or a string; never a list or labelled.
            let expression = command.wordExpression(index, at: range)
            var spelling: String?
            if case .name(let text) = expression.kind { spelling = text }
            words.append(WordNode(expression: lower(expression, in: layout), spelling: spelling, elementRanges: []))
        }
        return CommandNode(name, commandSymbol(name), nameRange, words, command.block(at: range).map { BlockNode(nested: $0, in: layout) }, range)
    }

    /// The symbol of the command `name`: one of the few names lowered lately, or interned.
    func commandSymbol(_ name: String) -> Symbol {
        recentCommandSymbols.entry(for: name) { self.symbols.intern($0) }!
    }

    /// A recipe's declaration: its parameters are the first slots of its body's layout, and
    /// their defaults are lowered where the recipe is declared (a call evaluates them there).
    private func lowerRecipe(_ declaration: RecipeDeclaration, in layout: ScopeLayout?, _ range: SourceRange) -> StatementNode {
        let parameters = declaration.parameters
        let body = ScopeLayout(parent: layout)
        let slots = parameters.map { body.addSlot(symbols.intern($0.name), $0.name, $0.range) }
        let signature = RecipeSignature(slots: slots, defaults: parameters.map { $0.defaultValue.map { lower($0, in: layout) } },
                                        kinds: parameters.map(\.kind), yields: Self.yields(declaration.body.statements))
        return RecipeDeclarationNode(declaration, symbols.intern(declaration.name), signature,
                                     body: BlockNode(body: declaration.body, layout: body), range)
    }

    /// `expression` as a node, lowered in `layout` (see `lower(_:in:, in: layout)` for statements).
    func lower(_ expression: Expression, in layout: ScopeLayout?) -> ExpressionNode {
        let range = expression.range
        switch expression.kind {
        case .name(let text):
            return NameNode(text, range)
        case .variable(let name):
            let symbol = symbols.intern(name)
            guard case .slot(let hops, let index) = ScopeLayout.address(of: symbol, from: layout) else {
                return VariableNode(name, symbol, range)
            }
            return SlotVariableNode(name, symbol, hops: hops, index: index, range)
        case .string(let parts):
            var text = ""
            var interpolates = false
            for part in parts {
                if case .literal(let literal) = part { text += literal } else { interpolates = true }
            }
            // Without interpolations the string is known now.
            guard interpolates else { return TextNode(text, range) }
            return StringNode(parts.map { part in
                switch part {
                case .literal(let text): .literal(text)
                case .interpolation(let inner): .interpolation(lower(inner, in: layout))
                }
            }, range)
        case .number(let value):
            return ConstantNode(.integer(value), range)
        case .boolean(let value):
            return ConstantNode(.boolean(value), range)
        case .list(let items):
            return ListNode(items.map { lower($0, in: layout) }, range)
        case .call(let function, let functionRange, let arguments):
            var positional: [ExpressionNode] = [], keywords: [KeywordArgumentNode] = []
            for argument in arguments {
                if case .keywordArgument(let name, let nameRange, let value) = argument.kind {
                    keywords.append(KeywordArgumentNode(name: name, nameRange: nameRange, value: lower(value, in: layout)))
                } else {
                    positional.append(lower(argument, in: layout))
                }
            }
            return CallNode(function, functionRange, positional, range, symbol: symbols.intern(function), keywords: keywords)
        case .keywordArgument(_, _, let value):
            // Only a call's argument list holds one, and lowering the call takes it apart.
            return lower(value, in: layout)
        case .binary(let op, let left, let right):
            switch op {
            case .minus: return MinusNode(lower(left, in: layout), lower(right, in: layout), range)
            case .less, .lessEqual, .greater, .greaterEqual: return CompareNode(op, lower(left, in: layout), lower(right, in: layout), range)
            case .in: return InNode(lower(left, in: layout), lower(right, in: layout), range)
            case .plus, .equal, .notEqual, .and, .or: return BinaryNode(op, lower(left, in: layout), lower(right, in: layout), range)
            }
        case .not(let operand):
            return NotNode(lower(operand, in: layout), range)
        case .negate(let operand):
            // A negative literal is a constant (its magnitude fits: it was parsed as an Int).
            if case .number(let magnitude) = operand.kind { return ConstantNode(.integer(-magnitude), range) }
            return NegateNode(lower(operand, in: layout), range)
        case .map(let entries):
            return MapNode(entries.map { MapNode.Entry(key: lower($0.key, in: layout), knownKey: Parser.constantText($0.key), value: lower($0.value, in: layout)) }, range)
        case .field(let base, let name, let nameRange):
            return FieldNode(lower(base, in: layout), name, nameRange, range)
        case .index(let base, let index):
            return IndexNode(lower(base, in: layout), lower(index, in: layout), range)
        case .slice(let base, let from, let to):
            return SliceNode(lower(base, in: layout), from.map { lower($0, in: layout) }, to.map { lower($0, in: layout) }, range)
        case .comprehension(let element, let variable, let variableRange, let sequence, let condition):
            let symbol = symbols.intern(variable)
            let iteration = ScopeLayout(parent: layout)
            _ = iteration.addSlot(symbol, variable, variableRange)
            return ComprehensionNode(lower(element, in: iteration), variable, symbol, variableRange, lower(sequence, in: layout),
                                     condition.map { lower($0, in: iteration) }, layout: iteration, range)
        case .invalid:
            return InvalidNode(range)
        }
    }

    /// Whether a recipe's body runs a caller's block (a `yield` at any depth).
    static func yields(_ statements: [Statement]) -> Bool {
        contains(statements) { $0.form == .yield }
    }

    /// Whether any statement in these blocks, at any depth, declares a recipe.
    static func declaresRecipe(_ statements: [Statement]) -> Bool {
        contains(statements) { $0.form == .recipe }
    }

    /// Whether a recipe's body has a `return` at any depth.
    static func returns(_ statements: [Statement]) -> Bool {
        contains(statements) { $0.form == .return }
    }

    /// Whether one of `statements`, or of the blocks of their `for`, `if` and command
    /// statements at any depth (not the bodies of the recipes they declare), is `matching`.
    static func contains(_ statements: [Statement], where matching: (Statement) -> Bool) -> Bool {
        statements.contains { statement in
            if matching(statement) { return true }
            switch statement.form {
            case .for:
                guard case .for(_, _, _, let body) = statement.kind else { return false }
                return contains(body.statements, where: matching)
            case .if:
                guard case .if(_, let then, let otherwise) = statement.kind else { return false }
                return contains(then.statements, where: matching) || contains(otherwise?.statements ?? [], where: matching)
            case .command: return contains(statement.commandBlockStatements ?? [], where: matching)
            default: return false
            }
        }
    }
}
