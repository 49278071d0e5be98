// From the syntax tree to evaluator nodes (Nodes.swift): one node per syntax node, names
// interned to symbols, and what the evaluator would otherwise work out at every run of a
// statement (a word's keyword spelling, whether a loop body declares a recipe) worked out
// once. Nested blocks are not lowered here: a `BlockNode` lowers its statements when it
// first runs.

extension Interpreter {
    func lower(_ statement: Statement) -> StatementNode {
        let range = statement.range
        switch statement.kind {
        case .let(let name, let nameRange, let value):
            return LetNode(name, symbols.intern(name), nameRange, lower(value), range)
        case .recipe(let declaration):
            let parameters = declaration.parameters
            let signature = RecipeSignature(symbols: parameters.map { symbols.intern($0.name) },
                                            defaults: parameters.map { $0.defaultValue.map(lower) }, kinds: parameters.map(\.kind),
                                            yields: Self.yields(declaration.body.statements))
            return RecipeDeclarationNode(declaration, symbols.intern(declaration.name), signature, range)
        case .set(let name, let nameRange, let value):
            return SetNode(name, symbols.intern(name), nameRange, lower(value), range)
        case .yield:
            return YieldNode(range)
        case .return(let value):
            return ReturnNode(lower(value), range)
        case .for(let variable, let variableRange, let sequence, let body):
            return ForNode(variable, symbols.intern(variable), variableRange, lower(sequence), BlockNode(body),
                           declaresRecipe: Self.declaresRecipe(body.statements), range)
        case .if(let condition, let then, let otherwise):
            return IfNode(lower(condition), BlockNode(then), otherwise.map(BlockNode.init), range)
        case .import(let path):
            return ImportNode(lower(path), namespace: nil, range)
        case .namespacedImport(let path, let namespace, _):
            return ImportNode(lower(path), namespace: namespace, range)
        case .assert(let condition, let message):
            return AssertNode(lower(condition), message.map(lower), range)
        case .print(let value):
            return PrintNode(lower(value), range)
        case .command(let name, let nameRange, let words, let block):
            let words = words.map { word in
                var spelling: String?
                if case .name(let text) = word.expression.kind { spelling = text }
                var elementRanges: [SourceRange] = []
                if case .list(let items) = word.expression.kind { elementRanges = items.map(\.range) }
                return WordNode(expression: lower(word.expression), spelling: word.label == nil ? spelling : nil,
                                elementRanges: elementRanges, label: word.label.map { ($0, word.labelRange!) })
            }
            return CommandNode(name, symbols.intern(name), nameRange, words, block.map(BlockNode.init), range)
        }
    }

    func lower(_ expression: Expression) -> ExpressionNode {
        let range = expression.range
        switch expression.kind {
        case .name(let text):
            return NameNode(text, range)
        case .variable(let name):
            return VariableNode(name, symbols.intern(name), range)
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
                case .interpolation(let inner): .interpolation(lower(inner))
                }
            }, range)
        case .number(let value):
            return ConstantNode(.integer(value), range)
        case .boolean(let value):
            return ConstantNode(.boolean(value), range)
        case .list(let items):
            return ListNode(items.map(lower), range)
        case .call(let function, let functionRange, let arguments):
            var positional: [ExpressionNode] = [], keywords: [KeywordArgumentNode] = []
            for argument in arguments {
                if case .keywordArgument(let name, let nameRange, let value) = argument.kind {
                    keywords.append(KeywordArgumentNode(name: name, nameRange: nameRange, value: lower(value)))
                } else {
                    positional.append(lower(argument))
                }
            }
            return CallNode(function, functionRange, positional, range, symbol: symbols.intern(function), keywords: keywords)
        case .keywordArgument(_, _, let value):
            // Only a call's argument list holds one, and lowering the call takes it apart.
            return lower(value)
        case .binary(let op, let left, let right):
            switch op {
            case .minus: return MinusNode(lower(left), lower(right), range)
            case .less, .lessEqual, .greater, .greaterEqual: return CompareNode(op, lower(left), lower(right), range)
            case .in: return InNode(lower(left), lower(right), range)
            case .plus, .equal, .notEqual, .and, .or: return BinaryNode(op, lower(left), lower(right), range)
            }
        case .not(let operand):
            return NotNode(lower(operand), range)
        case .negate(let operand):
            // A negative literal is a constant (its magnitude fits: it was parsed as an Int).
            if case .number(let magnitude) = operand.kind { return ConstantNode(.integer(-magnitude), range) }
            return NegateNode(lower(operand), range)
        case .map(let entries):
            return MapNode(entries.map { MapNode.Entry(key: lower($0.key), knownKey: Parser.constantText($0.key), value: lower($0.value)) }, range)
        case .field(let base, let name, let nameRange):
            return FieldNode(lower(base), name, nameRange, range)
        case .index(let base, let index):
            return IndexNode(lower(base), lower(index), range)
        case .slice(let base, let from, let to):
            return SliceNode(lower(base), from.map(lower), to.map(lower), range)
        case .comprehension(let element, let variable, let variableRange, let sequence, let condition):
            return ComprehensionNode(lower(element), variable, symbols.intern(variable), variableRange, lower(sequence),
                                     condition.map(lower), range)
        case .invalid:
            return InvalidNode(range)
        }
    }

    /// Whether a recipe's body runs a caller's block (a `yield` at any depth).
    static func yields(_ statements: [Statement]) -> Bool {
        contains(statements) { if case .yield = $0.kind { true } else { false } }
    }

    /// Whether any statement in these blocks, at any depth, declares a recipe.
    static func declaresRecipe(_ statements: [Statement]) -> Bool {
        contains(statements) { if case .recipe = $0.kind { true } else { false } }
    }

    /// Whether a recipe's body has a `return` at any depth.
    static func returns(_ statements: [Statement]) -> Bool {
        contains(statements) { if case .return = $0.kind { true } else { false } }
    }

    /// Whether one of `statements`, or of the blocks of their `for`, `if` and command
    /// statements at any depth (not the bodies of the recipes they declare), is `matching`.
    static func contains(_ statements: [Statement], where matching: (Statement) -> Bool) -> Bool {
        statements.contains { statement in
            if matching(statement) { return true }
            switch statement.kind {
            case .for(_, _, _, let body): return contains(body.statements, where: matching)
            case .if(_, let then, let otherwise):
                return contains(then.statements, where: matching) || contains(otherwise?.statements ?? [], where: matching)
            case .command(_, _, _, let block): return contains(block?.statements ?? [], where: matching)
            default: return false
            }
        }
    }
}
