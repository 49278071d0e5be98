// The tree-walking evaluator. Errors are diagnostics: a failed statement is reported and
// skipped (its `let` binds poison so one typo gives one message); passing a limit or being
// cancelled stops the whole run with one diagnostic.
import Foundation

/// How evaluation unwinds: past one statement, or out of the whole run.
enum Unwind: Error {
    case statementFailed
    case fatal
}

extension Interpreter {
    // MARK: - Bookkeeping

    func fail(_ diagnostic: Diagnostic) -> Unwind {
        diagnostics.append(diagnostic)
        return .statementFailed
    }

    func fatal(_ diagnostic: Diagnostic) -> Unwind {
        diagnostics.append(diagnostic)
        return .fatal
    }

    @inline(__always) func step(_ range: SourceRange, cost: Int = 1) throws {
        steps &+= cost
        if steps > stepLimit || steps < 0 {
            throw fatal(.error("the evaluation step limit was reached (\(stepLimit) steps)", at: range,
                               help: "a loop or recursion runs too long; the host can raise the limit"))
        }
        if steps & 1023 == 0 || cost > 1, cancellation.isCancelled {
            throw fatal(.error("evaluation cancelled", at: range))
        }
        if stackGuard.isExhausted {
            throw fatal(.error("the script nests too deeply for this thread's stack", at: range,
                               help: "recipe calls multiply the nesting of their blocks; reduce the recursion, or run the interpreter on a thread with a larger stack"))
        }
    }

    // MARK: - Statements

    func executeFile(_ program: Program, scope: Scope, directory: String?) throws {
        try executeStatements(program.statements, scope: scope, kind: .topLevel, directory: directory)
    }

    func executeStatements(_ statements: [Statement], scope: Scope, kind: BlockKind, directory: String?) throws {
        for statement in statements {
            do {
                try execute(statement, scope: scope, kind: kind, directory: directory)
            } catch Unwind.statementFailed {
                continue
            }
        }
    }

    private func execute(_ statement: Statement, scope: Scope, kind: BlockKind, directory: String?) throws {
        try step(statement.range)
        switch statement.kind {
        case .let(let name, let nameRange, let valueExpression):
            if let previous = scope.variables[name] {
                throw fail(.error("'$\(name)' is already defined in this scope", at: nameRange,
                                  notes: [.init("first defined here", at: previous.range)],
                                  help: "choose another name; a nested block may shadow it"))
            }
            do {
                let value = try evaluate(valueExpression, scope: scope)
                scope.variables[name] = Variable(value: value, range: nameRange)
            } catch Unwind.statementFailed {
                scope.variables[name] = Variable(value: .poison, range: nameRange)
                throw Unwind.statementFailed
            }

        case .recipe(let declaration):
            if commands[declaration.name] != nil {
                throw fail(.error("'\(declaration.name)' is a built-in command and cannot be redefined", at: declaration.nameRange))
            }
            if let previous = scope.recipes[declaration.name] {
                throw fail(.error("recipe '\(declaration.name)' is already defined", at: declaration.nameRange,
                                  notes: [.init("first defined here", at: previous.declaration.nameRange)]))
            }
            scope.recipes[declaration.name] = Recipe(declaration: declaration, scope: scope)

        case .for(let variable, let variableRange, let sequenceExpression, let body):
            let sequence = try evaluate(sequenceExpression, scope: scope)
            guard case .list(let items) = sequence else {
                if sequence.isPoison { throw Unwind.statementFailed }
                throw fail(.error("'for' needs a list, got \(sequence.typeName)", at: sequenceExpression.range,
                                  help: "loop over a list such as [a, b] or range(0, 3)"))
            }
            // Only a recipe declared in the body can outlive an iteration (it closes over the
            // scope); without one, every iteration reuses one scope and its storage.
            let shared = Self.declaresRecipe(body.statements) ? nil : Scope(parent: scope)
            for item in items {
                try step(body.range)
                let iteration: Scope
                if let shared {
                    shared.variables.removeAll()
                    iteration = shared
                } else {
                    iteration = Scope(parent: scope)
                }
                iteration.variables[variable] = Variable(value: item, range: variableRange)
                try executeStatements(body.statements, scope: iteration, kind: kind, directory: directory)
            }

        case .if(let conditionExpression, let then, let otherwise):
            let condition = try evaluate(conditionExpression, scope: scope)
            let holds = try boolean(condition, conditionExpression.range, "the condition of 'if'")
            if let block = holds ? then : otherwise {
                try executeStatements(block.statements, scope: Scope(parent: scope), kind: kind, directory: directory)
            }

        case .import(let pathExpression):
            try executeImport(pathExpression, statement: statement, scope: scope, directory: directory)

        case .assert(let conditionExpression, let messageExpression):
            let condition = try evaluate(conditionExpression, scope: scope)
            if try boolean(condition, conditionExpression.range, "'assert'") { return }
            var message = "assertion failed"
            if let messageExpression {
                let value = try evaluate(messageExpression, scope: scope)
                if value.isPoison { throw Unwind.statementFailed }
                message = value.text
            }
            throw fail(.error(message, at: statement.range))

        case .print(let expression):
            let value = try evaluate(expression, scope: scope)
            if value.isPoison { throw Unwind.statementFailed }
            output(value.text)

        case .command(let name, let nameRange, let words, let block):
            if let recipe = scope.lookupRecipe(name) {
                try call(recipe, nameRange: nameRange, words: words, block: block, statement: statement, scope: scope, kind: kind, directory: directory)
            } else if let command = commands[name] {
                try run(command, nameRange: nameRange, words: words, block: block, statement: statement, scope: scope, kind: kind, directory: directory)
            } else {
                let candidates = commands.values.filter { $0.signature.allowedIn.contains(kind) }.map(\.signature.name) + Array(scope.visibleRecipeNames)
                let suggestion = Suggestions.closest(to: name, in: candidates)
                throw fail(.error("unknown command '\(name)'", at: nameRange,
                                  help: suggestion.map { "did you mean '\($0)'?" }))
            }
        }
    }

    /// Whether any statement in these blocks, at any depth, declares a recipe.
    static func declaresRecipe(_ statements: [Statement]) -> Bool {
        statements.contains { statement in
            switch statement.kind {
            case .recipe: true
            case .for(_, _, _, let body): declaresRecipe(body.statements)
            case .if(_, let then, let otherwise): declaresRecipe(then.statements) || declaresRecipe(otherwise?.statements ?? [])
            case .command(_, _, _, let block): declaresRecipe(block?.statements ?? [])
            default: false
            }
        }
    }

    private func boolean(_ value: Value, _ range: SourceRange, _ context: String) throws -> Bool {
        switch value {
        case .boolean(let b): return b
        case .poison: throw Unwind.statementFailed
        default:
            throw fail(.error("\(context) needs true or false, got \(value.typeName) \(value.literal)", at: range,
                              help: "compare with == or != to get a boolean"))
        }
    }

    // MARK: - Recipes

    private func call(_ recipe: Recipe, nameRange: SourceRange, words: [Word], block: Block?, statement: Statement,
                      scope: Scope, kind: BlockKind, directory: String?) throws {
        let declaration = recipe.declaration
        if let block {
            throw fail(.error("recipe '\(declaration.name)' does not take a block", at: block.range))
        }
        guard words.count == declaration.parameters.count else {
            let expected = declaration.parameters.count
            throw fail(.error("recipe '\(declaration.name)' takes \(expected) argument\(expected == 1 ? "" : "s"), got \(words.count)",
                              at: statement.range,
                              notes: [.init("'\(declaration.name)' is defined here", at: declaration.nameRange)]))
        }
        var values: [Value] = []
        for word in words {
            let value = try evaluate(word.expression, scope: scope)
            if value.isPoison { throw Unwind.statementFailed }
            values.append(value)
        }
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > limits.maxCallDepth {
            throw fatal(.error("recipe calls are nested too deeply (the limit is \(limits.maxCallDepth))", at: nameRange,
                               notes: [.init("'\(declaration.name)' is defined here", at: declaration.nameRange)],
                               help: "a recipe that calls itself needs a condition that ends the recursion"))
        }
        let body = Scope(parent: recipe.scope)
        for (parameter, value) in zip(declaration.parameters, values) {
            body.variables[parameter.name] = Variable(value: value, range: parameter.range)
        }
        try executeStatements(declaration.body.statements, scope: body, kind: kind, directory: directory)
    }

    // MARK: - Commands

    private final class Context: CommandContext {
        unowned let interpreter: Interpreter
        let block: Block?
        let scope: Scope
        let kind: BlockKind
        let directory: String?

        init(interpreter: Interpreter, block: Block?, scope: Scope, kind: BlockKind, directory: String?) {
            self.interpreter = interpreter
            self.block = block
            self.scope = scope
            self.kind = kind
            self.directory = directory
        }

        func evaluateBlock() throws {
            guard let block else { return }
            try interpreter.executeStatements(block.statements, scope: Scope(parent: scope), kind: kind, directory: directory)
        }

        func report(_ diagnostic: Diagnostic) { interpreter.diagnostics.append(diagnostic) }
    }

    private func run(_ command: RegisteredCommand, nameRange: SourceRange, words: [Word], block: Block?, statement: Statement,
                     scope: Scope, kind: BlockKind, directory: String?) throws {
        let signature = command.signature
        guard signature.allowedIn.contains(kind) else {
            let places = signature.allowedIn.map { $0 == .topLevel ? "at the top level" : "inside a \($0) block" }
            throw fail(.error("'\(signature.name)' is only valid \(places.joined(separator: " or "))", at: nameRange,
                              help: "usage: \(signature.usage)"))
        }
        var blockKind = kind
        switch signature.body {
        case .none:
            if let block { throw fail(.error("'\(signature.name)' does not take a block", at: block.range, help: "usage: \(signature.usage)")) }
        case .optional(let opened):
            blockKind = opened
        case .required(let opened):
            blockKind = opened
            if block == nil {
                throw fail(.error("'\(signature.name)' needs a block", at: statement.range, help: "usage: \(signature.usage)"))
            }
        }
        var arguments: [(argument: CommandArgument, isBareName: Bool, spelling: String?)] = []
        for word in words {
            let value = try evaluate(word.expression, scope: scope)
            if value.isPoison { throw Unwind.statementFailed }
            var elementRanges: [SourceRange] = []
            if case .list(let items) = word.expression.kind { elementRanges = items.map(\.range) }
            var spelling: String?
            if case .name(let text) = word.expression.kind { spelling = text }
            arguments.append((CommandArgument(value: value, range: word.expression.range, elementRanges: elementRanges), word.isBareName, spelling))
        }
        let invocation = try match(arguments, signature, nameRange: nameRange, statement: statement, blockKind: blockKind, hasBlock: block != nil)
        let context = Context(interpreter: self, block: block, scope: scope, kind: blockKind, directory: directory)
        do {
            try command.handler(invocation, context)
        } catch let error as CommandError {
            throw fail(error.diagnostic)
        }
    }

    /// Match evaluated words against a signature: positional parameters, then keyword options.
    private func match(_ words: [(argument: CommandArgument, isBareName: Bool, spelling: String?)], _ signature: CommandSignature,
                       nameRange: SourceRange, statement: Statement, blockKind: BlockKind, hasBlock: Bool) throws -> CommandInvocation {
        // Built only when an error needs it: this path runs for every command.
        var usage: String { "usage: \(signature.usage)" }
        var index = 0
        var positional: [CommandArgument] = []
        for parameter in signature.parameters {
            guard index < words.count else {
                throw fail(.error("'\(signature.name)' needs \(parameter.placeholder)", at: statement.range, help: usage))
            }
            try check(words[index].argument, parameter, signature)
            positional.append(words[index].argument)
            index += 1
        }
        var options: [String: [CommandArgument]] = [:]
        var optionRanges: [String: SourceRange] = [:]
        let keywords = signature.options.map(\.keyword)
        while index < words.count {
            let word = words[index]
            guard word.isBareName, let keyword = word.spelling, let option = signature.options.first(where: { $0.keyword == keyword }) else {
                let spelled = word.spelling ?? word.argument.value.literal
                let suggestion = word.spelling.flatMap { Suggestions.closest(to: $0, in: keywords) }
                throw fail(.error("unexpected \(word.isBareName ? "word" : "value") '\(spelled)' in '\(signature.name)'", at: word.argument.range,
                                  help: suggestion.map { "did you mean '\($0)'? \(usage)" } ?? usage))
            }
            if let earlier = optionRanges[keyword] {
                throw fail(.error("'\(keyword)' is given twice", at: word.argument.range, notes: [.init("first given here", at: earlier)]))
            }
            optionRanges[keyword] = word.argument.range
            index += 1
            var values: [CommandArgument] = []
            for parameter in option.values {
                guard index < words.count, !(words[index].isBareName && keywords.contains(words[index].spelling ?? "") && parameter.kind != .any) else {
                    throw fail(.error("'\(keyword)' needs \(parameter.placeholder)", at: word.argument.range, help: usage))
                }
                try check(words[index].argument, parameter, signature)
                values.append(words[index].argument)
                index += 1
            }
            options[keyword] = values
        }
        if !signature.exactlyOneOf.isEmpty {
            let given = signature.exactlyOneOf.filter { options[$0] != nil }
            if given.count != 1 {
                let choices = signature.exactlyOneOf.map { "'\($0)'" }.joined(separator: " or ")
                let range = given.count > 1 ? optionRanges[given[1]]! : statement.range
                throw fail(.error("'\(signature.name)' needs exactly one of \(choices)", at: range, help: usage))
            }
        }
        return CommandInvocation(name: signature.name, nameRange: nameRange, statementRange: statement.range, arguments: positional,
                                 options: options, optionRanges: optionRanges, blockKind: blockKind, hasBlock: hasBlock)
    }

    private func check(_ argument: CommandArgument, _ parameter: CommandSignature.Parameter, _ signature: CommandSignature) throws {
        let ok: Bool
        switch (parameter.kind, argument.value) {
        case (.any, _): ok = true
        case (.name, .string), (.string, .string), (.integer, .integer), (.names, .string): ok = true
        case (.names, .list(let items)): ok = !items.isEmpty && items.allSatisfy { if case .string = $0 { true } else { false } }
        default: ok = false
        }
        guard ok else {
            let wanted = switch parameter.kind {
            case .name: "a name"
            case .string: "a string"
            case .integer: "an integer"
            case .names: "one or more names"
            case .any: "a value"
            }
            throw fail(.error("\(parameter.placeholder) of '\(signature.name)' must be \(wanted), got \(argument.value.typeName) \(argument.value.literal)",
                              at: argument.range, help: "usage: \(signature.usage)"))
        }
    }

    // MARK: - Imports

    private func executeImport(_ pathExpression: Expression, statement: Statement, scope: Scope, directory: String?) throws {
        let value = try evaluate(pathExpression, scope: scope)
        guard case .string(let path) = value else {
            if value.isPoison { throw Unwind.statementFailed }
            throw fail(.error("'import' needs a path string, got \(value.typeName)", at: pathExpression.range))
        }
        let canonical = loader.canonicalPath(path, relativeTo: directory)
        if !allowImportsOutsideRoot, let root = rootDirectory, !(canonical == root || canonical.hasPrefix(root.hasSuffix("/") ? root : root + "/")) {
            throw fail(.error("'\(path)' is outside the script's directory tree (\(root))", at: pathExpression.range,
                              help: "move the file under \(root), or let the host allow imports from elsewhere"))
        }
        if let cycleStart = importStack.firstIndex(of: canonical) {
            let chain = (importStack[cycleStart...] + [canonical]).map { ($0 as NSString).lastPathComponent }
            throw fail(.error("import cycle: \(chain.joined(separator: " → "))", at: pathExpression.range,
                              help: "move what both files need into a third file that neither imports"))
        }
        let exports: Scope
        if let cached = modules[canonical] {
            exports = cached
        } else {
            let bytes: [UInt8]
            do {
                bytes = try loader.read(canonical)
            } catch {
                throw fail(.error("cannot import '\(path)': \(error.message)", at: pathExpression.range))
            }
            callDepth += 1
            defer { callDepth -= 1 }
            if callDepth > limits.maxCallDepth {
                throw fatal(.error("imports are nested too deeply (the limit is \(limits.maxCallDepth))", at: pathExpression.range))
            }
            let file = SourceFile(path: displayPath(canonical), bytes: bytes)
            let id = sources.add(file)
            let parsed = Parser.parse(file, file: id, maxDepth: limits.maxNestingDepth)
            diagnostics.append(contentsOf: parsed.diagnostics)
            let moduleScope = Scope(parent: nil)
            modules[canonical] = moduleScope // evaluated once, even if it fails
            if parsed.diagnostics.hasErrors {
                throw fail(.error("'\(path)' has errors", at: pathExpression.range))
            }
            importStack.append(canonical)
            defer { importStack.removeLast() }
            try executeFile(parsed.program, scope: moduleScope, directory: loader.directory(of: canonical))
            exports = moduleScope
        }
        for (name, entry) in exports.variables {
            if let existing = scope.variables[name], existing.range != entry.range {
                throw fail(.error("importing '\(path)' would redefine '$\(name)'", at: pathExpression.range,
                                  notes: [.init("already defined here", at: existing.range), .init("defined in the import here", at: entry.range)]))
            }
            scope.variables[name] = entry
        }
        for (name, recipe) in exports.recipes {
            if let existing = scope.recipes[name], existing.declaration.nameRange != recipe.declaration.nameRange {
                throw fail(.error("importing '\(path)' would redefine recipe '\(name)'", at: pathExpression.range,
                                  notes: [.init("already defined here", at: existing.declaration.nameRange)]))
            }
            scope.recipes[name] = recipe
        }
    }

    /// Imported files are shown relative to the current directory when they are below it.
    private func displayPath(_ canonical: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        return canonical.hasPrefix(cwd + "/") ? String(canonical.dropFirst(cwd.count + 1)) : canonical
    }

    // MARK: - Expressions

    func evaluate(_ expression: Expression, scope: Scope) throws -> Value {
        try step(expression.range)
        switch expression.kind {
        case .name(let text):
            return .string(text)
        case .variable(let name):
            if let value = scope.lookupVariable(name) { return value }
            let suggestion = Suggestions.closest(to: name, in: scope.visibleVariableNames)
            throw fail(.error("undefined variable '$\(name)'", at: expression.range,
                              help: suggestion.map { "did you mean '$\($0)'?" } ?? "bind it first with: let \(name) = VALUE"))
        case .number(let value):
            return .integer(value)
        case .boolean(let value):
            return .boolean(value)
        case .string(let parts):
            var result = ""
            for part in parts {
                switch part {
                case .literal(let text): result += text
                case .interpolation(let inner):
                    let value = try evaluate(inner, scope: scope)
                    if value.isPoison { return .poison }
                    result += value.text
                }
            }
            try step(expression.range, cost: 1 + result.utf8.count / 64)
            return .string(result)
        case .list(let items):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try evaluate(item, scope: scope)) }
            return .list(values)
        case .call(let function, let functionRange, let argumentExpressions):
            return try callFunction(function, functionRange: functionRange, argumentExpressions, range: expression.range, scope: scope)
        case .binary(let op, let leftExpression, let rightExpression):
            return try binary(op, leftExpression, rightExpression, range: expression.range, scope: scope)
        case .not(let operandExpression):
            let operand = try evaluate(operandExpression, scope: scope)
            return .boolean(!(try boolean(operand, operandExpression.range, "'not'")))
        case .invalid:
            return .poison
        }
    }

    private func callFunction(_ name: String, functionRange: SourceRange, _ argumentExpressions: [Expression], range: SourceRange, scope: Scope) throws -> Value {
        guard let function = functions[name] else {
            let suggestion = Suggestions.closest(to: name, in: functions.keys)
            throw fail(.error("unknown function '\(name)'", at: functionRange, help: suggestion.map { "did you mean '\($0)'?" }))
        }
        let arity = function.signature.arity
        guard arity.contains(argumentExpressions.count) else {
            let expected = arity.count == 1 ? "\(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)"
            throw fail(.error("\(name)() takes \(expected) argument\(arity.upperBound == 1 ? "" : "s"), got \(argumentExpressions.count)",
                              at: range, help: function.signature.summary))
        }
        var arguments: [CommandArgument] = []
        for expression in argumentExpressions {
            let value = try evaluate(expression, scope: scope)
            if value.isPoison { return .poison }
            arguments.append(CommandArgument(value: value, range: expression.range, elementRanges: []))
        }
        let call = FunctionCall(name: name, range: range, arguments: arguments) { [unowned self] count in
            try self.step(range, cost: max(1, count))
        }
        do {
            return try function.handler(call)
        } catch let error as CommandError {
            throw fail(error.diagnostic)
        }
    }

    private func binary(_ op: BinaryOperator, _ leftExpression: Expression, _ rightExpression: Expression, range: SourceRange, scope: Scope) throws -> Value {
        let left = try evaluate(leftExpression, scope: scope)
        switch op {
        case .and, .or:
            let l = try boolean(left, leftExpression.range, "'\(op.rawValue)'")
            if op == .and && !l { return .boolean(false) }
            if op == .or && l { return .boolean(true) }
            let right = try evaluate(rightExpression, scope: scope)
            return .boolean(try boolean(right, rightExpression.range, "'\(op.rawValue)'"))
        case .equal, .notEqual:
            let right = try evaluate(rightExpression, scope: scope)
            if left.isPoison || right.isPoison { return .poison }
            return .boolean((left == right) == (op == .equal))
        case .plus:
            let right = try evaluate(rightExpression, scope: scope)
            if left.isPoison || right.isPoison { return .poison }
            switch (left, right) {
            case (.integer(let a), .integer(let b)):
                let (sum, overflow) = a.addingReportingOverflow(b)
                if overflow { throw fail(.error("integer overflow in '+'", at: range)) }
                return .integer(sum)
            case (.string(let a), .string(let b)):
                try step(range, cost: 1 + (a.utf8.count + b.utf8.count) / 64)
                return .string(a + b)
            case (.list(let a), .list(let b)):
                try step(range, cost: 1 + a.count + b.count)
                return .list(a + b)
            default:
                let help = (left.typeName == "string" || right.typeName == "string") ? "convert with str(): \"c\" + str(1)" : nil
                throw fail(.error("cannot add \(left.typeName) and \(right.typeName)", at: range, help: help))
            }
        }
    }
}
