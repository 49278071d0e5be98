// The resolve pass, in the manner of starlark-go's `resolve`: between parsing and evaluation,
// one walk over all of a program's code (recipes never called and branches never taken
// included) binds every `$name` to its definition and every command or recipe name to its
// signature, and reports what would otherwise surface only when, and if, the code ran:
// undefined variables, unknown commands, recipes and functions, commands in the wrong block,
// recipe and function arity, with did-you-mean. A program with resolve errors does not run.
//
// Scopes mirror the evaluator's: the file, each block, each loop body, each recipe body. Code
// in a block is resolved in order, so a name is visible from its definition on. A recipe body
// runs later, when the recipe is called: it is resolved once the scope that declares it is
// complete, so it sees every name that scope defines, before or after the recipe. An
// `import` whose path is known before the run is read, resolved and its names bound here;
// one whose path is computed makes its scope open (any name may come from it).

/// What a program's names can refer to besides its own definitions.
struct ResolveEnvironment {
    /// The registered commands, by name.
    var commands: [String: CommandEntry]
    /// The registered functions, by name.
    var functions: [String: RegisteredFunction]
    /// The names bound before the program runs, in the scope it runs in.
    var predeclared: Predeclared
    /// The names a file imported by a path known before the run exports, or nil when it cannot
    /// be read now (the evaluator then reports why).
    var exports: (_ path: String, _ directory: String?) -> ResolvedExports?
    /// The directory the program's relative imports start from.
    var directory: String?
}

/// Names bound before a program runs (the host's `bind`, earlier REPL entries), looked up one
/// at a time: a REPL entry costs what it names, not what the session holds.
struct Predeclared {
    var variable: (String) -> SourceRange?
    var recipe: (String) -> RecipeDeclaration?
    /// Every name, for "did you mean" and completion (asked only when one is needed).
    var names: () -> (variables: [String], recipes: [String])

    /// No names: an imported file's scope.
    static var none: Predeclared { Predeclared(variable: { _ in nil }, recipe: { _ in nil }, names: { ([], []) }) }
}

/// The names a file defines at its top level: what a plain `import` of it binds.
struct ResolvedExports {
    var variables: [String: SourceRange] = [:]
    var recipes: [String: RecipeDeclaration] = [:]
}

/// What a name in a scope is bound to, for the checks that depend on how it was bound.
private enum BindingKind {
    case variable, parameter, loopVariable
}

private final class ResolveScope {
    let parent: ResolveScope?
    /// True for a recipe's body scope (the recipe's parameters live here).
    let isRecipeBody: Bool
    /// True for the block of a command (`cluster c < ... >`): `return` cannot leave it.
    var isCommandBlock = false
    var variables: [String: (range: SourceRange, kind: BindingKind)] = [:]
    var recipes: [String: RecipeDeclaration] = [:]
    /// An import with a computed path ran here: any name may be defined by it.
    var isOpen = false
    /// `import FILE as NAME` with a path known before the run: what NAME holds.
    var namespaces: [String: ResolvedExports] = [:]
    /// `import FILE as NAME` with a computed path: any `NAME.RECIPE` may exist.
    var openNamespaces: Set<String> = []
    /// Recipes declared here, resolved once the scope is complete.
    var pendingRecipes: [RecipeDeclaration] = []
    /// The file scope's names bound before the program (nil elsewhere).
    var predeclared: Predeclared?

    /// Whether this scope or an enclosing one binds a parameter or a loop variable: without
    /// one, no bare word can be mistaken for a variable, and `checkBareWord` looks nothing up.
    private(set) var mayBindParameters: Bool

    init(parent: ResolveScope?, isRecipeBody: Bool = false) {
        self.parent = parent
        self.isRecipeBody = isRecipeBody
        mayBindParameters = parent?.mayBindParameters ?? false
    }

    /// Binds the parameter or loop variable `name` (before any scope inside this one exists).
    func bindParameter(_ name: String, at range: SourceRange, _ kind: BindingKind) {
        variables[name] = (range, kind)
        mayBindParameters = true
    }

    /// The binding of `name` in this scope itself.
    func ownVariable(_ name: String) -> (range: SourceRange, kind: BindingKind)? {
        variables[name] ?? predeclared?.variable(name).map { ($0, .variable) }
    }

    func ownRecipe(_ name: String) -> RecipeDeclaration? {
        recipes[name] ?? predeclared?.recipe(name)
    }

    func variable(_ name: String) -> (range: SourceRange, kind: BindingKind)? {
        ownVariable(name) ?? parent?.variable(name)
    }

    func recipe(_ name: String) -> RecipeDeclaration? {
        ownRecipe(name) ?? parent?.recipe(name)
    }

    /// What the namespace `name` exports, when it is the nearest binding of `name`.
    func namespace(_ name: String) -> ResolvedExports? {
        if variables[name] != nil { return namespaces[name] }
        return parent?.namespace(name)
    }

    /// Whether the code here is in a recipe's body (`yield` and `return` need one), and for
    /// `return`, whether a command's block stands between.
    var recipeBody: (found: Bool, throughCommandBlock: Bool) {
        if isRecipeBody { return (true, false) }
        guard let parent else { return (false, false) }
        let outer = parent.recipeBody
        return (outer.found, outer.throughCommandBlock || isCommandBlock)
    }

    /// Whether this scope or an enclosing one is open (an import with a computed path).
    var anyOpen: Bool { isOpen || (parent?.anyOpen ?? false) }

    /// Whether `NAME.RECIPE` may come from a namespace imported by a computed path.
    func isInOpenNamespace(_ qualified: String) -> Bool {
        guard let dot = qualified.firstIndex(of: ".") else { return false }
        return openNamespaces.contains(String(qualified[..<dot])) || (parent?.isInOpenNamespace(qualified) ?? false)
    }

    var visibleVariables: Set<String> {
        var names = Set(variables.keys)
        if let predeclared { names.formUnion(predeclared.names().variables) }
        if let parent { names.formUnion(parent.visibleVariables) }
        return names
    }

    var visibleRecipes: Set<String> {
        var names = Set(recipes.keys)
        if let predeclared { names.formUnion(predeclared.names().recipes) }
        if let parent { names.formUnion(parent.visibleRecipes) }
        return names
    }
}

/// Completion's question to the resolver: what is in scope where the text typed so far ends.
struct ScopeAtEnd {
    /// The kind of the innermost block the text ends in (nil: a recipe's body, any block).
    var kind: BlockKind?
    var variables: Set<String>
    var recipes: Set<String>
    /// The last statement of that block, if it has one.
    var lastStatement: Statement?
}

struct Resolver {
    private let environment: ResolveEnvironment
    private(set) var diagnostics: [Diagnostic] = []
    /// For completion: the blocks the text ends inside (by the offset of their `<`), and what
    /// is in scope at the end of the innermost, once found.
    private var unclosedBlocks: [Int] = []
    private var scopeAtEnd: ScopeAtEnd?
    /// Commands resolved lately, scanned before `environment.commands` is hashed.
    private var recentCommands = RecentNames<String, CommandEntry>()
    /// Short command names (their packed bytes, `CompactCommand.nameKey`) resolved lately to a
    /// registered command that no recipe shadows: found without building the name. A recipe
    /// cannot take a command's name (`declare` refuses it, in this file and in those it
    /// imports), so the answer holds in every scope; it is forgotten whenever a scope gains
    /// recipes all the same.
    private var recentCommandKeys = RecentNames<UInt64, CommandEntry>()

    private init(environment: ResolveEnvironment) {
        self.environment = environment
    }

    /// Resolve `program`, returning its diagnostics (in source order) and what its top level
    /// defines.
    static func resolve(_ program: Program, in environment: ResolveEnvironment) -> (diagnostics: [Diagnostic], exports: ResolvedExports) {
        var resolver = Resolver(environment: environment)
        let file = resolver.resolveFile(program)
        var exports = ResolvedExports()
        for (name, binding) in file.variables { exports.variables[name] = binding.range }
        exports.recipes = file.recipes
        return (resolver.diagnostics.sortedByPosition(), exports)
    }

    /// Resolve a program's statements in its file scope, and the recipes they declare.
    private mutating func resolveFile(_ program: Program) -> ResolveScope {
        // What was bound before is in the program's own scope: the program runs in that scope
        // (the REPL's globals), so defining such a name again is an error, not a shadow.
        let file = ResolveScope(parent: nil)
        file.predeclared = environment.predeclared
        resolve(program.statements, in: file, kind: .topLevel)
        complete(file)
        return file
    }

    /// What is in scope where a program parsed with its blocks closed at the end of input
    /// (``Parser/parse(_:file:maxDepth:closingBlocksAtEnd:)``) ends.
    static func scope(atEndOf program: Program, unclosedBlocks: [Int], in environment: ResolveEnvironment) -> ScopeAtEnd {
        var resolver = Resolver(environment: environment)
        resolver.unclosedBlocks = unclosedBlocks
        let file = resolver.resolveFile(program)
        resolver.noteEnd(of: nil, in: file, kind: .topLevel, last: program.statements.last)
        return resolver.scopeAtEnd!
    }

    /// Record what `scope` holds when `block` (nil: the file) is the innermost one the text
    /// ends in. Blocks are completed inside out, so the first one recorded is the innermost.
    private mutating func noteEnd(of block: Block?, in scope: ResolveScope, kind: BlockKind?, last: Statement?) {
        guard scopeAtEnd == nil, block.map({ unclosedBlocks.contains($0.range.start) }) ?? true else { return }
        scopeAtEnd = ScopeAtEnd(kind: kind, variables: scope.visibleVariables, recipes: scope.visibleRecipes, lastStatement: last)
    }

    // MARK: - Scopes and statements

    /// Resolve the bodies of the recipes `scope` declared, now that every name it defines is bound.
    private mutating func complete(_ scope: ResolveScope) {
        var index = 0
        while index < scope.pendingRecipes.count {
            let declaration = scope.pendingRecipes[index]
            index += 1
            let body = ResolveScope(parent: scope, isRecipeBody: true)
            for parameter in declaration.parameters {
                // A default is evaluated at the call, in the scope the recipe was declared in.
                if let value = parameter.defaultValue { resolve(value, in: scope) }
                body.bindParameter(parameter.name, at: parameter.range, .parameter)
            }
            // Where a recipe runs depends on its call: its body's own statements are checked
            // for any block.
            resolve(declaration.body.statements, in: body, kind: nil)
            complete(body)
            if !unclosedBlocks.isEmpty { noteEnd(of: declaration.body, in: body, kind: nil, last: declaration.body.statements.last) }
        }
    }

    private mutating func resolve(_ statements: [Statement], in scope: ResolveScope, kind: BlockKind?) {
        // A compact command is read out of its statement in place: passing the statement copies
        // all of it (a count on each of its references), which costs more than resolving it.
        statements.withUnsafeBufferPointer { statements in
            for index in statements.indices {
                if let command = statements[index].compactCommand {
                    resolveCompact(command, statements[index].range, in: scope, kind: kind)
                } else {
                    resolve(statements[index], in: scope, kind: kind)
                }
            }
        }
    }

    /// Resolve a nested block in a scope of its own.
    private mutating func resolve(_ block: Block, under scope: ResolveScope, kind: BlockKind?, isCommandBlock: Bool = false) {
        let inner = ResolveScope(parent: scope)
        inner.isCommandBlock = isCommandBlock
        resolve(block.statements, in: inner, kind: kind)
        complete(inner)
        if !unclosedBlocks.isEmpty { noteEnd(of: block, in: inner, kind: kind, last: block.statements.last) }
    }

    /// A statement the parser did not keep compactly (`resolve(_:in:kind:)` takes those).
    private mutating func resolve(_ statement: Statement, in scope: ResolveScope, kind: BlockKind?) {
        switch statement.kind {
        case .let(let name, let nameRange, let value):
            resolve(value, in: scope)
            bindLet(name, at: nameRange, in: scope)
        case .recipe(let declaration):
            declare(declaration, in: scope)
        case .for(let variable, let variableRange, let sequence, let body):
            resolve(sequence, in: scope)
            let iteration = ResolveScope(parent: scope)
            iteration.bindParameter(variable, at: variableRange, .loopVariable)
            resolve(body.statements, in: iteration, kind: kind)
            complete(iteration)
            if !unclosedBlocks.isEmpty { noteEnd(of: body, in: iteration, kind: kind, last: body.statements.last) }
        case .if(let condition, let then, let otherwise):
            resolve(condition, in: scope)
            resolve(then, under: scope, kind: kind)
            if let otherwise { resolve(otherwise, under: scope, kind: kind) }
        case .import(let path):
            resolve(path, in: scope)
            bindImport(path, in: scope)
        case .namespacedImport(let path, let namespace, let namespaceRange):
            resolve(path, in: scope)
            bindImport(path, namespace: (namespace, namespaceRange), in: scope)
        case .assert(let condition, let message):
            resolve(condition, in: scope)
            if let message { resolve(message, in: scope) }
        case .print(let value):
            resolve(value, in: scope)
        case .command(let name, let nameRange, let words, let block):
            resolveCommand(name, nameRange, words, block, statement.range, in: scope, kind: kind)
        case .set(let name, let nameRange, let value):
            resolve(value, in: scope)
            if scope.variable(name) == nil, !scope.anyOpen {
                diagnostics.append(.unboundSet(name, at: nameRange, visible: scope.visibleVariables))
            }
        case .yield:
            if !scope.recipeBody.found { diagnostics.append(.yieldOutsideRecipe(at: statement.range)) }
        case .return(let value):
            resolve(value, in: scope)
            let body = scope.recipeBody
            if !body.found {
                diagnostics.append(.returnOutsideRecipe(at: statement.range))
            } else if body.throughCommandBlock {
                diagnostics.append(.returnLeavingCommandBlock(at: statement.range))
            }
        }
    }

    private mutating func bindLet(_ name: String, at range: SourceRange, in scope: ResolveScope) {
        if let previous = scope.ownVariable(name) {
            diagnostics.append(.error("'$\(name)' is already defined in this scope", at: range,
                                      notes: [.init("first defined here", at: previous.range)],
                                      help: "to change its value, write: set \(name) = VALUE"))
            return
        }
        if let outer = scope.parent?.variable(name), !isHostRange(outer.range) {
            diagnostics.append(.warning("'let \(name)' shadows the '$\(name)' of an enclosing scope", at: range,
                                        notes: [.init("the outer '$\(name)' is defined here", at: outer.range)],
                                        help: "to update the outer binding, write: set \(name) = VALUE; to keep both, choose another name"))
        }
        scope.variables[name] = (range, .variable)
    }

    /// Host bindings point into an empty source: shadowing one is not worth a warning's note.
    private func isHostRange(_ range: SourceRange) -> Bool { range.start == 0 && range.end == 0 }

    private mutating func declare(_ declaration: RecipeDeclaration, in scope: ResolveScope) {
        if environment.commands[declaration.name] != nil || environment.functions[declaration.name] != nil {
            diagnostics.append(.builtInRedefined(declaration, isFunction: environment.commands[declaration.name] == nil))
        } else if let previous = scope.ownRecipe(declaration.name) {
            diagnostics.append(.error("recipe '\(declaration.name)' is already defined", at: declaration.nameRange,
                                      notes: [.init("first defined here", at: previous.nameRange)]))
        } else {
            scope.recipes[declaration.name] = declaration
            recentCommandKeys = RecentNames()
        }
        scope.pendingRecipes.append(declaration)
    }

    private mutating func bindImport(_ path: Expression, namespace: (name: String, range: SourceRange)? = nil, in scope: ResolveScope) {
        guard let literal = Parser.constantText(path), let exports = environment.exports(literal, environment.directory) else {
            if let namespace {
                // Only the namespace's own names can come from it.
                scope.openNamespaces.insert(namespace.name)
                scope.variables[namespace.name] = (namespace.range, .variable)
            } else {
                scope.isOpen = true
            }
            return
        }
        if !exports.recipes.isEmpty { recentCommandKeys = RecentNames() }
        if let namespace {
            scope.variables[namespace.name] = (namespace.range, .variable)
            for (name, declaration) in exports.recipes { scope.recipes[namespace.name + "." + name] = declaration }
            scope.namespaces[namespace.name] = exports
            return
        }
        for (name, range) in exports.variables where scope.variables[name] == nil {
            scope.variables[name] = (range, .variable)
        }
        for (name, declaration) in exports.recipes where scope.recipes[name] == nil {
            scope.recipes[name] = declaration
        }
    }


    // MARK: - Commands and recipe calls

    /// The registered command `name`: one of the few resolved lately, or looked up.
    private mutating func command(_ name: String) -> CommandEntry? {
        let commands = environment.commands
        return recentCommands.entry(for: name) { commands[$0] }
    }

    private mutating func resolveCommand(_ name: String, _ nameRange: SourceRange, _ words: [Word], _ block: Block?,
                                         _ range: SourceRange, in scope: ResolveScope, kind: BlockKind?) {
        if let recipe = scope.recipe(name) {
            if let block, !Interpreter.yields(recipe.body.statements) {
                diagnostics.append(.recipeTakesNoBlock(recipe, at: block.range))
            }
            let positional = words.filter { $0.label == nil }.map(\.expression.range)
            let keywords = words.compactMap { word in word.label.map { ($0, word.labelRange ?? word.expression.range) } }
            checkArguments(of: recipe, positional: positional, keywords: keywords, callRange: range)
            for word in words { resolve(word.expression, in: scope) }
            // The caller's block runs where the recipe yields: in any block kind.
            if let block { resolve(block, under: scope, kind: nil) }
            return
        }
        guard let entry = command(name) else {
            if !scope.anyOpen, !scope.isInOpenNamespace(name) { reportUnknownCommand(name, at: nameRange, in: scope, kind: kind) }
            for word in words { resolve(word.expression, in: scope) }
            if let block { resolve(block, under: scope, kind: nil) }
            return
        }
        let opened = checkPlacement(of: entry, nameRange, block, range, kind: kind)
        if let labelled = words.first(where: { $0.label != nil }) {
            diagnostics.append(.error("'\(entry.signature.name)' takes no NAME = VALUE arguments", at: labelled.labelRange ?? labelled.expression.range,
                                      help: "usage: \(entry.signature.usage)"))
        }
        for word in words {
            // A command has a few options: a scan, not a set built per statement.
            if case .name(let text) = word.expression.kind, entry.signature.options.contains(where: { $0.keyword == text }) { continue }
            resolve(word.expression, in: scope)
        }
        if let block { resolve(block, under: scope, kind: opened, isCommandBlock: true) }
    }

    /// A registered command kept compactly (a few plain words, none labelled), resolved as
    /// `resolveCommand` would its rebuilt words, without rebuilding them. A recipe call or an
    /// unknown command goes the general way.
    private mutating func resolveCompact(_ command: CompactCommand, _ range: SourceRange, in scope: ResolveScope, kind: BlockKind?) {
        guard let entry = registeredCommand(command, range, in: scope) else {
            guard case .command(let name, let nameRange, let words, let block) = command.kind(at: range) else { return }
            resolveCommand(name, nameRange, words, block, range, in: scope, kind: kind)
            return
        }
        let nameRange = SourceRange(file: range.file, start: range.start, end: range.start + Int(command.nameLength))
        let block = command.block(at: range)
        let opened = checkPlacement(of: entry, nameRange, block, range, kind: kind)
        // A string word (no escape, no interpolation) names nothing, nor does a bare word where
        // no parameter or loop variable is bound (`checkBareWord`): neither is built.
        let namesMayMeanVariables = scope.mayBindParameters
        for index in 0..<command.wordCount where command.wordIsVariable(index) || namesMayMeanVariables && !command.wordIsString(index) {
            let word = command.wordExpression(index, at: range)
            if case .name(let text) = word.kind, entry.signature.options.contains(where: { $0.keyword == text }) { continue }
            resolve(word, in: scope)
        }
        guard let block else { return }
        // A block of commands of plain words without blocks (`cluster c < context "k"; trust
        // from root >`) binds no name, declares nothing and holds no `return`: an empty scope of
        // its own would change no lookup. Completion notes each block's scope, so it has one.
        if unclosedBlocks.isEmpty, Statement.allCompactCommandsWithoutBlocks(block.statements) {
            resolve(block.statements, in: scope, kind: opened)
        } else {
            resolve(block, under: scope, kind: opened, isCommandBlock: true)
        }
    }

    /// The registered command `command` names, when no recipe of its name is in `scope`.
    private mutating func registeredCommand(_ command: CompactCommand, _ range: SourceRange, in scope: ResolveScope) -> CommandEntry? {
        let key = command.nameKey(at: range)
        // Not `entry(for:else:)`: a closure that reads `command` copies it (two counts) at each call.
        if let key, let entry = recentCommandKeys[key] { return entry }
        let name = command.name(at: range).name
        guard scope.recipe(name) == nil, let entry = environment.commands[name] else { return nil }
        if let key { recentCommandKeys.remember(key, entry) }
        return entry
    }

    /// A registered command's place: the block kind it is in (nil: any) and whether it has the
    /// block its signature wants. Returns the kind of block it opens.
    private mutating func checkPlacement(of entry: CommandEntry, _ nameRange: SourceRange, _ block: Block?, _ range: SourceRange,
                                         kind: BlockKind?) -> BlockKind? {
        // Read in place: a copy of the signature is a count on each of its strings and arrays.
        var opened: BlockKind? = nil
        if let kind, !entry.signature.allowedIn.contains(kind) { diagnostics.append(.misplaced(entry.signature, at: nameRange)) }
        switch entry.signature.body {
        case .none:
            if let block { diagnostics.append(.takesNoBlock(entry.signature, at: block.range)) }
        case .optional(let kind):
            opened = kind
        case .required(let kind):
            opened = kind
            if block == nil { diagnostics.append(.needsBlock(entry.signature, at: range)) }
        }
        return opened
    }

    private mutating func reportUnknownCommand(_ name: String, at range: SourceRange, in scope: ResolveScope, kind: BlockKind?) {
        let commands = environment.commands.values.map(\.signature)
            .filter { kind == nil || $0.allowedIn.contains(kind!) }.map(\.name)
        let recipes = scope.visibleRecipes
        // `primary` when only `topo.primary` exists: the namespace was left out.
        let qualified = recipes.filter { $0.hasSuffix("." + name) }.sorted().first
        let suggestion = qualified ?? Suggestions.closest(to: name, in: commands + Array(recipes))
        var help = suggestion.map { "did you mean '\($0)'?" }
        if help == nil, scope.variable(name) != nil { help = "'\(name)' is a variable: a statement cannot start with a value; print it with: print $\(name)" }
        diagnostics.append(.error("unknown command '\(name)'", at: range, help: help))
    }

    /// A recipe call's arguments against its parameters, as the evaluator matches them.
    private mutating func checkArguments(of recipe: RecipeDeclaration, positional: [SourceRange],
                                         keywords: [(name: String, range: SourceRange)], callRange: SourceRange) {
        do {
            _ = try recipe.match(positional: positional, keywords: keywords, callRange: callRange)
        } catch {
            diagnostics.append(error.diagnostic)
        }
    }

    // MARK: - Expressions

    private mutating func resolve(_ expression: Expression, in scope: ResolveScope) {
        switch expression.kind {
        case .name(let text):
            checkBareWord(text, at: expression.range, in: scope)
        case .variable(let name):
            if scope.variable(name) == nil, !scope.anyOpen { diagnostics.append(.undefinedVariable(name, at: expression.range, visible: scope.visibleVariables)) }
        case .string(let parts):
            for case .interpolation(let inner) in parts { resolve(inner, in: scope) }
        case .number, .boolean, .invalid:
            break
        case .list(let items):
            for item in items { resolve(item, in: scope) }
        case .call(let function, let functionRange, let arguments):
            checkCall(function, at: functionRange, arguments: arguments, range: expression.range, in: scope)
            for argument in arguments { resolve(argument, in: scope) }
        case .keywordArgument(_, _, let value):
            resolve(value, in: scope)
        case .binary(_, let left, let right):
            resolve(left, in: scope)
            resolve(right, in: scope)
        case .not(let operand), .negate(let operand):
            resolve(operand, in: scope)
        case .map(let entries):
            for entry in entries {
                // A bare key is the key's text, not a word that might mean a variable.
                if case .name = entry.key.kind {} else { resolve(entry.key, in: scope) }
                resolve(entry.value, in: scope)
            }
        case .field(let base, let name, let nameRange):
            resolve(base, in: scope)
            checkNamespaceField(base, name, at: nameRange, in: scope)
        case .index(let base, let index):
            resolve(base, in: scope)
            resolve(index, in: scope)
        case .slice(let base, let from, let to):
            resolve(base, in: scope)
            if let from { resolve(from, in: scope) }
            if let to { resolve(to, in: scope) }
        case .comprehension(let element, let variable, let variableRange, let sequence, let condition):
            resolve(sequence, in: scope)
            let inner = ResolveScope(parent: scope)
            inner.bindParameter(variable, at: variableRange, .loopVariable)
            resolve(element, in: inner)
            if let condition { resolve(condition, in: inner) }
        }
    }

    /// `$topo.version` where `topo` is a namespace import read before the run: the file must
    /// define `version`.
    private mutating func checkNamespaceField(_ base: Expression, _ name: String, at range: SourceRange, in scope: ResolveScope) {
        guard case .variable(let namespace) = base.kind, let exports = scope.namespace(namespace),
              exports.variables[name] == nil else { return }
        let suggestion = Suggestions.closest(to: name, in: exports.variables.keys)
        diagnostics.append(.error("'\(namespace)' (an imported file) defines no variable '\(name)'", at: range,
                                  help: suggestion.map { "did you mean '$\(namespace).\($0)'?" }
                                      ?? "it defines: \(exports.variables.keys.sorted().map { "$" + $0 }.joined(separator: ", "))"))
    }


    /// `name(...)`: a built-in function, else a recipe called for its value.
    private mutating func checkCall(_ name: String, at range: SourceRange, arguments: [Expression], range whole: SourceRange,
                                    in scope: ResolveScope) {
        var positional: [SourceRange] = [], keywords: [(name: String, range: SourceRange)] = []
        for argument in arguments {
            if case .keywordArgument(let keyword, let keywordRange, _) = argument.kind {
                keywords.append((keyword, keywordRange))
            } else {
                positional.append(argument.range)
            }
        }
        if let function = environment.functions[name] {
            if let keyword = keywords.first {
                diagnostics.append(.error("\(name)() takes no NAME = VALUE arguments", at: keyword.range, help: function.signature.summary))
                return
            }
            let arity = function.signature.arity
            guard !arity.contains(positional.count) else { return }
            let expected = arity.count == 1 ? "\(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)"
            diagnostics.append(.error("\(name)() takes \(expected) argument\(arity.upperBound == 1 ? "" : "s"), got \(positional.count)",
                                      at: whole, help: function.signature.summary))
        } else if let recipe = scope.recipe(name) {
            checkArguments(of: recipe, positional: positional, keywords: keywords, callRange: whole)
            if !Interpreter.returns(recipe.body.statements) {
                diagnostics.append(.error("recipe '\(name)' has no 'return', so called in an expression it has no value", at: whole,
                                          notes: [.init("'\(name)' is defined here", at: recipe.nameRange)],
                                          help: "end the recipe with 'return VALUE', or call it as a statement: \(name) ARGUMENTS"))
            }
        } else if !scope.anyOpen {
            let suggestion = Suggestions.closest(to: name, in: Array(environment.functions.keys) + Array(scope.visibleRecipes))
            diagnostics.append(.error("unknown function '\(name)'", at: range, help: suggestion.map { "did you mean '\($0)'?" }))
        }
    }

    /// A bare word spelled like a parameter or loop variable of the code it is in is most
    /// likely meant as that variable (`cluster name` inside `recipe p(name)` declares a cluster
    /// called "name").
    private mutating func checkBareWord(_ text: String, at range: SourceRange, in scope: ResolveScope) {
        guard scope.mayBindParameters, let binding = scope.variable(text), binding.kind != .variable else { return }
        let what = binding.kind == .parameter ? "parameter" : "loop variable"
        diagnostics.append(.warning("the bare word '\(text)' is the text \"\(text)\", not the \(what) '$\(text)'", at: range,
                                    notes: [.init("the \(what) is declared here", at: binding.range)],
                                    help: "write $\(text) for its value, or \"\(text)\" to keep the text and silence this warning"))
    }
}
