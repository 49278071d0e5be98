// The tree-walking evaluator: the bookkeeping every node shares (steps, limits, errors) and
// the statements too big for a node class (recipe calls, commands, imports). The nodes
// themselves are in Nodes.swift. Errors are diagnostics: a failed statement is reported and
// skipped (its `let` binds poison so one typo gives one message); passing a limit or being
// cancelled stops the whole run with one diagnostic.
import Foundation
import LocalFiles
import NameSuggestions

/// How evaluation unwinds: past one statement, or out of the whole run.
enum Unwind: Error {
    case statementFailed
    case fatal
    /// A `return` ends the call `Interpreter.returning.frame` with `Interpreter.returning.value`.
    case returned
}

/// One running recipe call: where it was called, and what `yield` runs.
///
/// A frame lives in `Interpreter.frames` only while its call runs, and the call (`invoke`
/// and its callers) holds the recipe, the caller's block and scope for that long: the frame
/// refers to them unowned(unsafe), which spares a retain and a release of each per call. It
/// holds nothing counted (a test checks it is plain data), so pushing and popping one costs
/// no retain, release or destroy. It keeps no directory: the caller's block runs in the
/// directory of the `yield` that runs it, which is always the caller's (a recipe's body runs in
/// its caller's directory, and a file an import runs is in no recipe).
struct CallFrame {
    /// The recipe called.
    unowned(unsafe) let recipe: Recipe
    /// The call site, for backtraces.
    let site: SourceRange
    /// The frame the call site's code belongs to (-1: none), active again while its block runs.
    let caller: Int
    /// The block the caller gave, with the scope it runs in.
    unowned(unsafe) let block: BlockNode?
    unowned(unsafe) let scope: Scope
    /// `Interpreter.commandBlockDepth` at the call: a `return` may not leave a command's block.
    let commandBlockDepth: Int
}

/// The recipe calls running now, outermost first (`Interpreter.frames`): a buffer of plain
/// `CallFrame`s the interpreter grows and frees itself, so a call's push and pop are a store
/// and a count, with no copy-on-write check of an array.
struct CallFrames {
    private var base: UnsafeMutablePointer<CallFrame>?
    private var capacity = 0
    /// How many calls are running.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// The frame at `index` (0 is the outermost call).
    subscript(index: Int) -> CallFrame {
        precondition(index >= 0 && index < count, "no call frame \(index)")
        return base.unsafelyUnwrapped[index]
    }

    /// The frames, outermost first, valid until the next push.
    var all: UnsafeBufferPointer<CallFrame> { UnsafeBufferPointer(start: base, count: count) }

    /// Start a call: its frame becomes the innermost.
    @inline(__always) mutating func push(_ frame: CallFrame) {
        if count == capacity { grow() }
        (base.unsafelyUnwrapped + count).initialize(to: frame)
        count += 1
    }

    /// End the innermost call (a frame holds nothing to release).
    @inline(__always) mutating func pop() { count -= 1 }

    /// End every call (a new run).
    mutating func removeAll() { count = 0 }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<CallFrame>.allocate(capacity: max(16, capacity * 2))
        if let base {
            larger.moveInitialize(from: base, count: count)
            base.deallocate()
        }
        (base, capacity) = (larger, max(16, capacity * 2))
    }

    /// Free the buffer (the interpreter's end).
    mutating func deallocate() {
        base?.deallocate()
        (base, capacity, count) = (nil, 0, 0)
    }
}

/// Scopes of ended recipe calls kept for the next call (`Interpreter.spareScopes`), most recent
/// last: at most `capacity`, in a buffer the interpreter frees itself (no copy-on-write check of
/// an array per call). Each is retained once by the buffer.
struct SpareScopes {
    static var capacity: Int { 16 }
    private let base = UnsafeMutablePointer<Unmanaged<Scope>>.allocate(capacity: SpareScopes.capacity)
    private var count = 0

    var isFull: Bool { count == Self.capacity }

    /// The most recent spare, if any.
    var last: Unmanaged<Scope>? { count == 0 ? nil : base[count - 1] }

    /// Take the most recent spare out (its reference is the caller's).
    @inline(__always) mutating func removeLast() { count -= 1 }

    /// Keep `scope` (its reference moves here); the caller checks `isFull` first.
    @inline(__always) mutating func append(_ scope: Unmanaged<Scope>) {
        precondition(count < Self.capacity, "too many spare scopes")
        base[count] = scope
        count += 1
    }

    /// Release every spare (a new run).
    mutating func releaseAll() {
        for index in 0..<count { base[index].release() }
        count = 0
    }

    /// Release every spare and free the buffer (the interpreter's end).
    mutating func deallocate() {
        releaseAll()
        base.deallocate()
    }
}

extension Interpreter {
    // MARK: - Bookkeeping

    /// Record a statement's error; past `limits.maxErrors` errors, stop the run instead.
    func fail(_ diagnostic: Diagnostic) -> Unwind {
        diagnostics.append(withBacktrace(diagnostic))
        return countError(diagnostic, at: diagnostic.range) ?? .statementFailed
    }

    /// At most this many "called here" notes; the rest are counted in one more note.
    static var maxBacktraceNotes: Int { 8 }

    /// `diagnostic` with a note at the call site of each recipe call running now, innermost first.
    func withBacktrace(_ diagnostic: Diagnostic) -> Diagnostic {
        guard !frames.isEmpty else { return diagnostic }
        var diagnostic = diagnostic
        for frame in frames.all.reversed().prefix(Self.maxBacktraceNotes) {
            diagnostic.notes.append(.init("in recipe '\(frame.recipe.declaration.name)', called here", at: frame.site))
        }
        let more = frames.count - Self.maxBacktraceNotes
        if more > 0 { diagnostic.notes.append(.init("... and \(more) more call\(more == 1 ? "" : "s")")) }
        return diagnostic
    }

    /// Count `diagnostic` if it is an error; once the run has reported `limits.maxErrors`
    /// errors, stop it (the fatal unwind to throw).
    func countError(_ diagnostic: Diagnostic, at range: SourceRange?) -> Unwind? {
        guard diagnostic.severity == .error else { return nil }
        errorCount += 1
        guard errorCount >= limits.maxErrors else { return nil }
        return fatal(.error("the run reported \(errorCount) errors, the limit (Limits.maxErrors); it stops here", at: range,
                            help: "fix the errors above (a loop may repeat one), or let the host raise Limits.maxErrors"))
    }

    /// Record the diagnostic that stops the whole run, and why it stopped.
    func fatal(_ diagnostic: Diagnostic, _ reason: StopReason = .limit) -> Unwind {
        diagnostics.append(withBacktrace(diagnostic))
        stoppedBy = reason
        return .fatal
    }

    @inline(__always) func step(_ range: SourceRange, cost: Int = 1) throws {
        steps &+= cost
        if steps > stepLimit || steps < 0 {
            throw fatal(.error("the evaluation step limit was reached (\(stepLimit) steps)", at: range,
                               help: "a loop or recursion runs too long; the host can raise the limit"))
        }
        if steps & 1023 == 0 || cost > 1 { try checkCancelled(at: range) }
        if stackGuard.isExhausted { throw stackExhausted(at: range) }
    }

    /// Charge the `cost` steps of a subtree whose quick value is known (see
    /// `ExpressionNode.evaluate`), as `step` would node by node: false, charging nothing, when
    /// they would pass the limit (the slow evaluation then finds the node that passes it).
    /// `rest`, when given, is where steps after the first are charged (a statement's first, at
    /// `range`, then its expression's): where a cancel found among them is reported.
    @inline(__always) func charge(_ cost: Int, at range: SourceRange, rest: SourceRange? = nil) throws -> Bool {
        let (total, overflow) = steps.addingReportingOverflow(cost)
        guard !overflow, total <= stepLimit else { return false }
        let crossed = (steps >> 10) != (total >> 10)
        let firstIsMultiple = (steps &+ 1) & 1023 == 0
        steps = total
        // `step` looks for a cancel at every multiple of 1024 steps: so does this, when one is among these.
        if crossed { try checkCancelled(at: firstIsMultiple ? range : rest ?? range) }
        if stackGuard.isExhausted { throw stackExhausted(at: range) }
        return true
    }

    /// Charge `cost` steps at once when they pass neither the limit nor a multiple of 1024
    /// (where `step` looks for a cancel): false, charging nothing, otherwise. The caller has
    /// checked the stack at this depth.
    @inline(__always) func chargeBetweenCancelChecks(_ cost: Int) -> Bool {
        let (total, overflow) = steps.addingReportingOverflow(cost)
        guard !overflow, total <= stepLimit, (steps >> 10) == (total >> 10) else { return false }
        steps = total
        return true
    }

    private func stackExhausted(at range: SourceRange) -> Unwind {
        fatal(.error("the script nests too deeply for this thread's stack", at: range,
                     help: "recipe calls multiply the nesting of their blocks; reduce the recursion, or run the interpreter on a thread with a larger stack"))
    }

    /// Stop the run if the host has cancelled it (now or before it started).
    func checkCancelled(at range: SourceRange) throws {
        guard cancellation.isCancelled else { return }
        throw fatal(.error("evaluation cancelled", at: range,
                           help: "the host cancelled the run; a cancel holds until the host clears it (CancellationFlag.reset())"),
                    .cancelled)
    }

    // MARK: - Sizes of values built

    /// Refuse a string of `bytes` UTF-8 bytes (nil: more than the limit, its size unknown)
    /// past `limits.maxStringBytes`, and charge it to the run's value budget.
    func checkString(bytes: Int?, at range: SourceRange) throws {
        let limit = limits.maxStringBytes
        guard let bytes, bytes <= limit else {
            let size = bytes.map { "a string of \($0) bytes" } ?? "a string of more than \(limit) bytes"
            throw fail(.error("\(size) exceeds the limit of \(limit) bytes (Limits.maxStringBytes)", at: range,
                              help: "build smaller strings, or let the host raise Limits.maxStringBytes"))
        }
        try chargeValueBytes(bytes, at: range)
    }

    /// Refuse a list of `count` items (nil: too many to count) past `limits.maxListCount`,
    /// and charge its storage to the run's value budget.
    func checkList(count: Int?, at range: SourceRange) throws {
        let limit = limits.maxListCount
        guard let count, count <= limit else {
            let size = count.map { "a list of \($0) items" } ?? "a list of more than \(Int.max) items"
            throw fail(.error("\(size) exceeds the limit of \(limit) items (Limits.maxListCount)", at: range,
                              help: "build smaller lists (a `for` over range() needs no list), or let the host raise Limits.maxListCount"))
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Value>.stride)
        try chargeValueBytes(overflow ? .max : bytes, at: range)
    }

    /// Charge `bytes` of a value built to the run's budget (`limits.maxValueBytes`); past it,
    /// stop the run: whatever it would build next would not fit either.
    func chargeValueBytes(_ bytes: Int, at range: SourceRange) throws {
        let (total, overflow) = valueBytes.addingReportingOverflow(bytes)
        valueBytes = overflow ? .max : total
        guard overflow || total > limits.maxValueBytes else { return }
        throw fatal(.error("the run built more than \(limits.maxValueBytes) bytes of strings, lists and imported files (Limits.maxValueBytes)",
                           at: range, help: "a loop or recursion builds too much; the host can raise Limits.maxValueBytes"))
    }

    /// Check a value a host function returned, as if the script had built it.
    func checkBuilt(_ value: Value, at range: SourceRange) throws {
        switch value {
        case .string(let s): try checkString(bytes: s.utf8.count, at: range)
        case .list(let list):
            try checkNesting(list, at: range)
            // A range() is its bounds only: it is checked where it must become a list.
            if !list.isRange { try checkList(count: list.count, at: range) }
        default: break
        }
    }

    // MARK: - Walking values

    /// Append `value`'s text (as `str` gives it) to `out`, charging what the walk visits at
    /// `range`. Stops with an error once `out` holds more than `limits.maxStringBytes`.
    func append(_ value: Value, to out: inout String, at range: SourceRange) throws {
        let fits = try value.write(to: &out, quoted: false, limit: limits.maxStringBytes) { try step(range, cost: $0) }
        if !fits { try checkString(bytes: nil, at: range) }
    }

    /// `value`'s text (as `str` gives it), charging what the walk visits at `range`.
    func text(of value: Value, at range: SourceRange) throws -> String {
        if case .string(let s) = value { return s }
        var out = ""
        try append(value, to: &out, at: range)
        return out
    }

    /// Whether `a == b`, charging what the comparison visits at `range`.
    func equal(_ a: Value, _ b: Value, at range: SourceRange) throws -> Bool {
        try Value.equal(a, b) { try step(range, cost: $0) }
    }

    /// Refuse a value nested deeper than the nesting limit (built by `[...]` around a value
    /// that is nested already, or returned by a host function).
    func checkNesting(_ list: ValueList, at range: SourceRange) throws {
        guard list.depth > valueDepthLimit else { return }
        throw fail(.error("the list is nested too deeply (the limit is \(valueDepthLimit) levels)", at: range,
                          help: "each list inside a list is a level; flatten the value, or let the host raise the limit"))
    }

    // MARK: - Statements

    /// Run a file's top-level statements. They run once, so none is kept as nodes
    /// (`executeOnce`; a recipe one declares keeps its own body).
    func executeFile(_ program: Program, scope: Scope, directory: String?) throws {
        let kind = BlockKind.topLevel
        // `currentKind` and `currentDirectory` change only where a file starts, a command opens
        // its block and `yield` runs a caller's block: loops, `if` and recipe bodies run in the
        // kind and directory of their statement.
        let outer = (currentKind, currentDirectory)
        (currentKind, currentDirectory) = (kind, directory)
        defer { (currentKind, currentDirectory) = outer }
        try executeOnce(program.statements, scope: scope, kind: kind, directory: directory)
    }

    /// Run a block's statements (`BlockNode.statements`), which their block keeps alive.
    func execute(_ statements: UnsafeBufferPointer<Unmanaged<StatementNode>>, scope: Scope, kind: BlockKind, directory: String?) throws {
        // Unmanaged: a node read from an array of references is retained and released around
        // the call that runs it, once per statement run.
        for index in statements.indices {
            do {
                try statements[index]._withUnsafeGuaranteedRef { try $0.execute(self, scope: scope, kind: kind, directory: directory) }
            } catch Unwind.statementFailed {
                continue
            }
        }
    }

    func boolean(_ value: Value, _ range: SourceRange, _ context: String) throws -> Bool {
        switch value {
        case .boolean(let b): return b
        case .poison: throw Unwind.statementFailed
        default:
            throw fail(.error("\(context) needs true or false, got \(value.typeName) \(value.preview())", at: range,
                              help: "compare with == or != to get a boolean"))
        }
    }

    // MARK: - Recipes

    /// Call `recipe`, which closes over `home`, with the words and block of `statement`.
    func call(_ recipe: Recipe, home: Scope, _ statement: CommandNode, scope: Scope, kind: BlockKind, directory: String?) throws {
        // The declaration is read only on the way to an error: a copy of it is a reference
        // count per field.
        let signature = recipe.signature
        if let block = statement.block, !signature.yields {
            throw fail(.recipeTakesNoBlock(recipe.declaration, at: block.range))
        }
        let statements = recipe.body.statements(self)
        try withCallScope(recipe, home: home) { body in
            if signature.isSimple, statement.splitArguments == nil {
                // The common call: one word per parameter, nothing to check but their number.
                let arguments = statement.plainArguments
                guard arguments.count == signature.slots.count else { throw fail(recipe.declaration.wrongCount(arguments.count, at: statement.range)) }
                for index in arguments.indices {
                    let value = try arguments[index]._withUnsafeGuaranteedRef { try $0.evaluate(self, in: scope) }
                    if case .poison = value { throw Unwind.statementFailed }
                    body.bind(slot: signature.slots[index], to: value)
                }
            } else {
                let (positional, keywords) = statement.splitArguments ?? (statement.words.map(\.expression), [])
                try bind(recipe, home: home, positional: positional, keywords: keywords, callRange: statement.range, scope: scope, into: body)
            }
            _ = try invoke(recipe, statements, body: body, site: statement.nameRange, block: statement.block, caller: scope, kind: kind, directory: directory)
        }
    }

    /// Call `recipe` from an expression (`f(a, net = "n2")`): the value its `return` gives.
    func callInExpression(_ recipe: Recipe, home: Scope, _ node: CallNode, scope: Scope) throws -> Value {
        let statements = recipe.body.statements(self)
        let value = try withCallScope(recipe, home: home) { body in
            try bind(recipe, home: home, positional: node.arguments, keywords: node.keywords, callRange: node.range, scope: scope, into: body)
            return try invoke(recipe, statements, body: body, site: node.range, block: nil, caller: scope, kind: currentKind, directory: currentDirectory)
        }
        guard let value else {
            let name = recipe.declaration.name
            throw fail(.error("recipe '\(name)' ended without 'return', so it has no value", at: node.range,
                              notes: [.init("'\(name)' is defined here", at: recipe.declaration.nameRange)],
                              help: "end the recipe with 'return EXPR', or call it as a statement: \(name) ARGS"))
        }
        return value
    }

    /// Run `work` in a scope for a call of `recipe` under `home` (`Recipe.scope(under:interpreter:)`),
    /// then keep the scope for a later call when the call ended normally (`recycle`). The one
    /// reference to the scope is handed from the spares to the call and back: none is counted.
    @inline(__always) private func withCallScope<T>(_ recipe: Recipe, home: Scope, _ work: (Scope) throws -> T) throws -> T {
        let body = recipe.scope(under: home, interpreter: self)
        let result: T
        do {
            result = try body._withUnsafeGuaranteedRef(work)
        } catch {
            body.release()
            throw error
        }
        recycle(body)
        return result
    }

    /// Run `recipe`'s body in `body` (its parameters bound) as a call from `site`: the value of
    /// its `return`, nil when it ends without one.
    private func invoke(_ recipe: Recipe, _ statements: UnsafeBufferPointer<Unmanaged<StatementNode>>, body: Scope, site: SourceRange, block: BlockNode?,
                        caller: Scope, kind: BlockKind, directory: String?) throws -> Value? {
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > callDepthLimit {
            let declaration = recipe.declaration
            throw fatal(.error("recipe calls are nested too deeply (the limit is \(callDepthLimit))", at: site,
                               notes: [.init("'\(declaration.name)' is defined here", at: declaration.nameRange)],
                               help: "a recipe that calls itself needs a condition that ends the recursion"))
        }
        let callerFrame = activeFrame
        frames.push(CallFrame(recipe: recipe, site: site, caller: callerFrame, block: block, scope: caller,
                              commandBlockDepth: commandBlockDepth))
        let frame = frames.count - 1
        activeFrame = frame
        defer {
            activeFrame = callerFrame
            frames.pop()
        }
        do {
            try execute(statements, scope: body, kind: kind, directory: directory)
        } catch Unwind.returned where returning.frame == frame {
            let value = returning.value
            returning = (-1, .poison)
            return value
        }
        return nil
    }

    /// Keep the scope of a call that has ended for the next call of its recipe
    /// (`Recipe.scope(under:interpreter:)`), when nothing else holds it (a recipe declared in
    /// the body, a command that kept its context): allocating and freeing a scope and its
    /// slots cost more than the rest of a short call. `scope` is the call's reference, which
    /// either moves to the spares or is released.
    @inline(__always) func recycle(_ scope: Unmanaged<Scope>) {
        // `isKnownUniquelyReferenced` reads a reference in place: given the Unmanaged's (the
        // same single pointer), it counts nothing, where a strong copy would count itself.
        var reference = scope
        let unique = withUnsafeMutablePointer(to: &reference) {
            $0.withMemoryRebound(to: Scope.self, capacity: 1) { isKnownUniquelyReferenced(&$0.pointee) }
        }
        guard !spareScopes.isFull, unique, scope._withUnsafeGuaranteedRef({ $0.unbindForReuse() }) else { return scope.release() }
        spareScopes.append(scope)
    }

    /// Let go of the spare scopes (a new run, the interpreter's end).
    func releaseSpareScopes() {
        spareScopes.releaseAll()
    }

    /// Bind a recipe's parameters in `body`: the positional arguments, then the keyword
    /// arguments, then the defaults of those not given (evaluated in `home`), each checked
    /// against its parameter's kind. `scope` is the caller's, where the arguments are evaluated.
    private func bind(_ recipe: Recipe, home: Scope, positional: [ExpressionNode], keywords: [KeywordArgumentNode],
                      callRange: SourceRange, scope: Scope, into body: Scope) throws {
        let declaration = recipe.declaration, signature = recipe.signature, parameters = declaration.parameters
        // Which argument gives each parameter, checked before any is evaluated.
        let given: [Int?]
        do {
            given = try declaration.match(positional: positional.map(\.range), keywords: keywords.map { ($0.name, $0.nameRange) },
                                          callRange: callRange)
        } catch {
            throw fail(error.diagnostic)
        }
        for (index, parameter) in parameters.enumerated() {
            let value: Value, range: SourceRange, notes: [Diagnostic.Note]
            if let argument = given[index] {
                let expression = argument < positional.count ? positional[argument] : keywords[argument - positional.count].value
                (value, range, notes) = (try expression.evaluate(self, in: scope), expression.range, [])
            } else {
                let expression = signature.defaults[index]!
                (value, range) = (try expression.evaluate(self, in: home), expression.range)
                notes = [.init("the default is taken by the call here", at: callRange)]
            }
            if case .poison = value { throw Unwind.statementFailed }
            if let kind = parameter.kind { try check(value, at: range, against: kind, parameter, of: declaration, notes: notes) }
            body.slots[signature.slots[index]] = value
        }
    }

    /// Refuse an argument that is not of its parameter's kind: an error at the argument, with a
    /// note at the parameter.
    private func check(_ value: Value, at range: SourceRange, against kind: ParameterKind, _ parameter: RecipeParameter,
                       of declaration: RecipeDeclaration, notes: [Diagnostic.Note]) throws {
        var help: String?
        switch (kind, value) {
        case (.string, .string), (.int, .integer), (.bool, .boolean), (.list, .list): return
        case (.name, .string(let text)):
            if Self.isName(text) { return }
            help = "a name is a DNS-1123 label: 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
        default: break
        }
        let wanted = switch kind {
        case .name: "a name"
        case .string: "a string"
        case .int: "an integer"
        case .bool: "a boolean"
        case .list: "a list"
        }
        throw fail(.error("'\(parameter.name)' of recipe '\(declaration.name)' must be \(wanted), got \(value.typeName) \(value.preview())",
                          at: range, notes: [.init("'\(parameter.name)' is declared '\(kind.rawValue)' here", at: parameter.kindRange ?? parameter.range)] + notes,
                          help: help))
    }

    /// Whether `text` is a DNS-1123 label, as cluster, network and mesh names must be.
    static func isName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        func alphanumeric(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        return alphanumeric(bytes.first!) && alphanumeric(bytes.last!) && bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    // MARK: - Commands

    /// What a running command's handler is given: its block to run, and where to report. A
    /// context is kept for the next command once its handler has let go of it (`runHandler`):
    /// allocating and freeing one cost a fifth of a short command's run.
    final class Context: CommandContext {
        // Strong, not unowned: a context lives for one command's run, and an unowned reference
        // costs two counts to make and one more at each use.
        let interpreter: Interpreter
        /// The command's block, nil when it has none.
        private var body: Body?
        /// Where the command runs; nil between runs (a spare holds no scope alive).
        private var scope: Scope?
        private var kind = BlockKind.topLevel
        private var directory: String?
        /// The errors the command reported, counted against `limits.maxErrors` once it returns.
        /// Unchecked: `report` appends while the handler runs, `runHandler` reads once it returned.
        @exclusivity(unchecked) private(set) var reportedErrors: [Diagnostic] = []

        /// How a command's block runs.
        enum Body {
            /// As nodes, lowered once and kept (a block that may run again, or binds names).
            case nodes(BlockNode)
            /// Statement by statement from its syntax, in the scope around it: a block that runs
            /// once in place (``Interpreter/executeOnce(_:scope:kind:directory:)``).
            case once([Statement])
        }

        init(interpreter: Interpreter) {
            self.interpreter = interpreter
        }

        /// Ready for a command whose block is `body`, run in `scope` as a block of `kind`.
        func start(body: Body?, scope: Scope, kind: BlockKind, directory: String?) {
            (self.body, self.scope, self.kind, self.directory) = (body, scope, kind, directory)
        }

        /// Let go of the last command's block, scope and errors.
        func finish() {
            (body, scope, directory) = (nil, nil, nil)
            if !reportedErrors.isEmpty { reportedErrors = [] }
        }

        func evaluateBlock() throws {
            guard let body, let scope else { return }
            interpreter.commandBlockDepth += 1
            let outer = interpreter.currentKind
            interpreter.currentKind = kind
            defer {
                interpreter.commandBlockDepth -= 1
                interpreter.currentKind = outer
            }
            switch body {
            case .nodes(let block): try block.execute(interpreter, under: scope, kind: kind, directory: directory)
            case .once(let statements): try interpreter.executeOnce(statements, scope: scope, kind: kind, directory: directory)
            }
        }

        func report(_ diagnostic: Diagnostic) {
            let diagnostic = diagnostic.severity == .error ? interpreter.withBacktrace(diagnostic) : diagnostic
            interpreter.diagnostics.append(diagnostic)
            if diagnostic.severity == .error { reportedErrors.append(diagnostic) }
        }
    }

    func run(_ command: CommandEntry, _ statement: CommandNode, scope: Scope, kind: BlockKind, directory: String?) throws {
        // The signature and the words are read in place: a copy of either is a count on each
        // of its strings and arrays, for every statement run.
        let block = statement.block
        let blockKind = try opened(by: command.signature, in: kind, blockRange: block?.range, statement.nameRange, statement.range)
        if statement.splitArguments != nil, let label = statement.words.first(where: { $0.label != nil })?.label {
            throw fail(.error("'\(command.signature.name)' takes no NAME = VALUE arguments", at: label.range,
                              help: "only recipes take keyword arguments; usage: \(command.signature.usage)"))
        }
        // One array of arguments, moved (not copied) into the invocation by `match`; a bare
        // word's spelling is read from the statement in place.
        var arguments: [CommandArgument] = []
        arguments.reserveCapacity(statement.words.count)
        for index in statement.words.indices {
            let value = try statement.words[index].expression.evaluate(self, in: scope)
            if case .poison = value { throw Unwind.statementFailed }
            arguments.append(CommandArgument(value: value, range: statement.words[index].expression.range,
                                             elementRanges: statement.words[index].elementRanges))
        }
        let invocation = try match(&arguments, isBareName: { statement.words[$0].spelling != nil }, statement.nameRange, statement.range,
                                   command.signature, blockKind: blockKind, hasBlock: block != nil)
        try runHandler(command, invocation, body: block.map(Context.Body.nodes), scope: scope, kind: blockKind, directory: directory)
    }

    /// The kind of block a command of `signature` opens when it runs in a block of `kind`
    /// (`kind` itself when it opens none), or the error when it may not run there or its block
    /// (at `blockRange`, nil: none) is missing or not allowed.
    func opened(by signature: CommandSignature, in kind: BlockKind, blockRange: SourceRange?,
                        _ nameRange: SourceRange, _ statementRange: SourceRange) throws -> BlockKind {
        guard signature.allowedIn.contains(kind) else { throw fail(.misplaced(signature, at: nameRange)) }
        switch signature.body {
        case .none:
            if let blockRange { throw fail(.takesNoBlock(signature, at: blockRange)) }
            return kind
        case .optional(let opened):
            return opened
        case .required(let opened):
            if blockRange == nil { throw fail(.needsBlock(signature, at: statementRange)) }
            return opened
        }
    }

    /// Run `command`'s handler with a context for its block (`body`, run in `scope` as a block of
    /// `kind`), then count the errors it reported.
    func runHandler(_ command: CommandEntry, _ invocation: CommandInvocation, body: Context.Body?, scope: Scope, kind: BlockKind,
                    directory: String?) throws {
        var context = spareContexts.popLast() ?? Context(interpreter: self)
        context.start(body: body, scope: scope, kind: kind, directory: directory)
        do {
            try command.handler(invocation, context)
        } catch let error as CommandError {
            throw fail(error.diagnostic)
        }
        for error in context.reportedErrors {
            if let stop = countError(error, at: invocation.statementRange) { throw stop }
        }
        // Kept for the next command unless the handler holds on to it.
        guard isKnownUniquelyReferenced(&context), spareContexts.count < 16 else { return }
        context.finish()
        spareContexts.append(context)
    }

    /// Match evaluated words against a signature: positional parameters, then keyword options.
    /// Each argument is moved out of `words` into the invocation (the slot keeps its range).
    /// `isBareName(i)`: word `i` is a bare name (a possible option keyword), whose value is its text.
    func match(_ words: inout [CommandArgument], isBareName: (Int) -> Bool, _ nameRange: SourceRange, _ statementRange: SourceRange,
                       _ signature: CommandSignature, blockKind: BlockKind, hasBlock: Bool) throws -> CommandInvocation {
        // Built only when an error needs it: this path runs for every command.
        var usage: String { "usage: \(signature.usage)" }
        func bareName(_ index: Int) -> String? { isBareName(index) ? words[index].string : nil }
        var index = 0
        var positional: [CommandArgument] = []
        if words.count == signature.parameters.count {
            // Only positional values (`cluster c1`): checked in place, and the array handed on.
            for (slot, parameter) in signature.parameters.enumerated() { try check(&words[slot], parameter, signature) }
            swap(&positional, &words)
        } else {
            // Not for none: reserving room in an empty array allocates a buffer even for 0.
            if !signature.parameters.isEmpty { positional.reserveCapacity(signature.parameters.count) }
            for parameter in signature.parameters {
                guard index < words.count else {
                    throw fail(.error("'\(signature.name)' needs \(parameter.placeholder)", at: statementRange, help: usage))
                }
                try check(&words[index], parameter, signature)
                positional.append(Self.take(index, from: &words))
                index += 1
            }
        }
        var options = CommandOptions()
        // Built only when an error needs it, like `usage`.
        var keywords: [String] { signature.options.map(\.keyword) }
        func isKeyword(_ index: Int) -> Bool {
            guard let spelling = bareName(index) else { return false }
            return signature.options.contains { $0.keyword == spelling }
        }
        while index < words.count {
            let spelling = bareName(index), range = words[index].range
            guard let keyword = spelling, let option = signature.options.first(where: { $0.keyword == keyword }) else {
                let spelled = spelling ?? words[index].value.preview()
                let suggestion = spelling.flatMap { Suggestions.closest(to: $0, in: keywords) }
                throw fail(.error("unexpected \(spelling != nil ? "word" : "value") '\(spelled)' in '\(signature.name)'", at: range,
                                  help: suggestion.map { "did you mean '\($0)'? \(usage)" } ?? usage))
            }
            if let earlier = options.range(of: keyword) {
                throw fail(.error("'\(keyword)' is given twice", at: range, notes: [.init("first given here", at: earlier)]))
            }
            let first = index + 1
            for parameter in option.values {
                index += 1
                guard index < words.count, !(isKeyword(index) && parameter.kind != .any) else {
                    throw fail(.error("'\(keyword)' needs \(parameter.placeholder)", at: range, help: usage))
                }
                try check(&words[index], parameter, signature)
            }
            index += 1
            options.append(keyword, at: range, values(first..<index, of: &words))
        }
        // Counted without a list: this path runs for every command.
        if !signature.exactlyOneOf.isEmpty, signature.exactlyOneOf.reduce(0, { $0 + (options.range(of: $1) == nil ? 0 : 1) }) != 1 {
            let given = signature.exactlyOneOf.filter { options.range(of: $0) != nil }
            let choices = signature.exactlyOneOf.map { "'\($0)'" }.joined(separator: " or ")
            let range = given.count > 1 ? options.range(of: given[1])! : statementRange
            throw fail(.error("'\(signature.name)' needs exactly one of \(choices)", at: range, help: usage))
        }
        return CommandInvocation(name: signature.name, nameRange: nameRange, statementRange: statementRange, arguments: positional,
                                 options: options, blockKind: blockKind, hasBlock: hasBlock)
    }

    /// The checked values of an option, moved out of `words`. When they are all the words but
    /// the keyword before them (`trust from root`), `words` itself becomes them: no array is made.
    private func values(_ range: Range<Int>, of words: inout [CommandArgument]) -> [CommandArgument] {
        var values: [CommandArgument] = []
        if range.lowerBound == 1, range.upperBound == words.count {
            // The keyword rotated to the end, by moving memory, and dropped: `removeFirst` goes
            // through a generic `replaceSubrange`, and `swapAt` copies, each costing more than the
            // array this spares.
            words.withUnsafeMutableBufferPointer { words in
                let first = words.baseAddress!
                let keyword = first.move()
                first.moveInitialize(from: first + 1, count: words.count - 1)
                (first + words.count - 1).initialize(to: keyword)
            }
            words.removeLast()
            swap(&values, &words)
            return values
        }
        values.reserveCapacity(range.count)
        for index in range { values.append(Self.take(index, from: &words)) }
        return values
    }

    /// The argument at `index`, moved out of `words` (the slot keeps its range).
    private static func take(_ index: Int, from words: inout [CommandArgument]) -> CommandArgument {
        var taken = CommandArgument(value: .boolean(false), range: words[index].range, elementRanges: [])
        swap(&taken, &words[index])
        return taken
    }

    /// Check `argument` in place against `parameter` (a `.names` list is flattened); an error when it does not fit.
    private func check(_ argument: inout CommandArgument, _ parameter: CommandSignature.Parameter, _ signature: CommandSignature) throws {
        switch (parameter.kind, argument.value) {
        case (.any, _), (.name, .string), (.string, .string), (.integer, .integer), (.names, .string): return
        case (.names, .list): if argument.flattenNames() { return }
        default: break
        }
        let wanted = switch parameter.kind {
        case .name: "a name"
        case .string: "a string"
        case .integer: "an integer"
        case .names: "names (or lists of names)"
        case .any: "a value"
        }
        throw fail(.error("\(parameter.placeholder) of '\(signature.name)' must be \(wanted), got \(argument.value.typeName) \(argument.value.preview())",
                          at: argument.range, help: "usage: \(signature.usage)"))
    }

    // MARK: - Imports

    /// `import FILE` or `import FILE as NAME`: checks the path (inside the script's tree, no cycle),
    /// evaluates the file the first time, and binds what it exports in `scope`.
    func executeImport(_ pathExpression: ExpressionNode, namespace: String?, scope: Scope, directory: String?) throws {
        let value = try pathExpression.evaluate(self, in: scope)
        guard case .string(let path) = value else {
            if value.isPoison { throw Unwind.statementFailed }
            throw fail(.error("'import' needs a path string, got \(value.typeName)", at: pathExpression.range))
        }
        let range = pathExpression.range
        let canonical = loader.canonicalPath(path, relativeTo: directory)
        if !allowImportsOutsideRoot, let root = rootDirectory, !(canonical == root || canonical.hasPrefix(root.hasSuffix("/") ? root : root + "/")) {
            throw fail(.error("'\(path)' is outside the script's directory tree (\(root))", at: range,
                              help: "move the file under \(root), or let the host allow imports from elsewhere"))
        }
        if let cycleStart = importStack.firstIndex(of: canonical) {
            let chain = (importStack[cycleStart...] + [canonical]).map { FilePath.lastComponent(of: $0) }
            throw fail(.error("import cycle: \(chain.joined(separator: " → "))", at: range,
                              help: "move what both files need into a third file that neither imports"))
        }
        let exports = try modules[canonical] ?? evaluateModule(canonical, path: path, at: range)
        if let namespace {
            try bindNamespace(namespace, of: exports, path: path, at: range, in: scope)
        } else {
            try bindExports(of: exports, path: path, at: range, in: scope)
        }
    }

    /// Reads (unless the resolve pass did), resolves and runs the file at `canonical` once, in a scope of
    /// its own, which is returned and kept for every later import of it.
    private func evaluateModule(_ canonical: String, path: String, at range: SourceRange) throws -> Scope {
        let parsedImport: ParsedImport
        if let parsed = parsedImports.removeValue(forKey: canonical) {
            parsedImport = parsed // the resolve pass read it
        } else {
            let bytes: [UInt8]
            do {
                bytes = try loader.read(canonical)
            } catch {
                throw fail(.error("cannot import '\(path)': \(error.message)", at: range))
            }
            let (id, parsed) = addAndParse(SourceFile(path: displayPath(canonical), bytes: bytes))
            parsedImport = ParsedImport(file: id, parsed: parsed, byteCount: bytes.count)
        }
        try chargeValueBytes(parsedImport.byteCount, at: range)
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > callDepthLimit {
            throw fatal(.error("imports are nested too deeply (the limit is \(callDepthLimit))", at: range))
        }
        let parsed = parsedImport.parsed
        diagnostics.append(contentsOf: parsed.diagnostics)
        let moduleScope = Scope(parent: nil)
        modules[canonical] = moduleScope // evaluated once, even if it fails
        fileScopes.append(moduleScope)
        if parsed.diagnostics.hasErrors {
            throw fail(.error("'\(path)' has errors", at: range))
        }
        if resolvedImports[canonical] == nil {
            // A path computed at run time: resolve the file now, before it runs.
            let resolved = resolveModule(parsed.program, canonicalPath: canonical, directory: loader.directory(of: canonical))
            resolvedImports[canonical] = resolved.exports
            diagnostics.append(contentsOf: resolved.diagnostics)
            if resolved.diagnostics.hasErrors { throw fail(.error("'\(path)' has errors", at: range)) }
        }
        importStack.append(canonical)
        // The file's own statements are in no recipe, even when a recipe's body imports it:
        // a `yield` or `return` at its top level is an error, not the recipe's.
        let (active, blockDepth) = (activeFrame, commandBlockDepth)
        (activeFrame, commandBlockDepth) = (-1, 0)
        defer {
            importStack.removeLast()
            (activeFrame, commandBlockDepth) = (active, blockDepth)
        }
        try executeFile(parsed.program, scope: moduleScope, directory: loader.directory(of: canonical))
        return moduleScope
    }

    /// `import FILE`: binds the file's variables and recipes in `scope`; one already there from
    /// elsewhere is an error.
    private func bindExports(of exports: Scope, path: String, at range: SourceRange, in scope: Scope) throws {
        for (key, entry) in exports.variables {
            if let existing = scope.variables[key.symbol], existing.range != entry.range {
                throw fail(.error("importing '\(path)' would redefine '$\(key.name)'", at: range,
                                  notes: [.init("already defined here", at: existing.range), .init("defined in the import here", at: entry.range)]))
            }
            scope.variables.bind(key.symbol, key.name, entry)
        }
        for (key, recipe) in exports.recipes {
            if let existing = scope.recipes[key.symbol], existing.declaration.nameRange != recipe.declaration.nameRange {
                throw fail(.error("importing '\(path)' would redefine recipe '\(key.name)'", at: range,
                                  notes: [.init("already defined here", at: existing.declaration.nameRange)]))
            }
            // The copy closes over the imported file's scope.
            let home = exports === scope ? recipe.home : recipe.home ?? exports
            // Importing a file again leaves the recipes it bound as they are: a call of one may be
            // running (`yield` runs the importing block), and its binding is what keeps it.
            if let existing = scope.recipes[key.symbol], existing.body === recipe.body, existing.home === home { continue }
            let copy = exports === scope ? recipe : Recipe(declaration: recipe.declaration, home: home,
                                                           signature: recipe.signature, body: recipe.body)
            scope.recipes.bind(key.symbol, key.name, copy)
        }
    }

    /// `import FILE as NAME`: the file's recipes as `NAME.RECIPE`, its variables as the map
    /// `$NAME` (read `$NAME.VARIABLE`); nothing else of it enters `scope`.
    private func bindNamespace(_ namespace: String, of exports: Scope, path: String, at range: SourceRange, in scope: Scope) throws {
        let symbol = symbols.intern(namespace)
        if let existing = scope.variables[symbol], existing.range != range {
            throw fail(.error("importing '\(path)' as '\(namespace)' would redefine '$\(namespace)'", at: range,
                              notes: [.init("already defined here", at: existing.range)]))
        }
        let fields = ValueMap.empty.merging(exports.variables.map { (key: $0.0.name, value: $0.1.value) })
        scope.variables.bind(symbol, namespace, Variable(value: .map(fields), range: range))
        for (key, recipe) in exports.recipes {
            let qualified = namespace + "." + key.name
            let symbol = symbols.intern(qualified)
            if let existing = scope.recipes[symbol], existing.declaration.nameRange != recipe.declaration.nameRange {
                throw fail(.error("importing '\(path)' as '\(namespace)' would redefine recipe '\(qualified)'", at: range,
                                  notes: [.init("already defined here", at: existing.declaration.nameRange)]))
            }
            let home = recipe.home ?? exports
            // As for a plain import: a recipe bound already stays (a call of it may be running).
            if let existing = scope.recipes[symbol], existing.body === recipe.body, existing.home === home { continue }
            let copy = Recipe(declaration: recipe.declaration, home: home, signature: recipe.signature, body: recipe.body)
            scope.recipes.bind(symbol, qualified, copy)
        }
    }

    /// Imported files are shown relative to the current directory when they are below it.
    func displayPath(_ canonical: String) -> String {
        let cwd = Directory.current
        return canonical.hasPrefix(cwd + "/") ? String(canonical.dropFirst(cwd.count + 1)) : canonical
    }

    // MARK: - Functions

    func callFunction(_ node: CallNode, scope: Scope) throws -> Value {
        let name = node.function, range = node.range, argumentExpressions = node.arguments
        guard let function = functions[name] else {
            if let (recipe, home) = scope.lookupRecipe(node.symbol) {
                return try callInExpression(recipe, home: home, node, scope: scope)
            }
            let suggestion = Suggestions.closest(to: name, in: Array(functions.keys) + scope.visibleRecipeNames)
            throw fail(.error("unknown function '\(name)'", at: node.functionRange, help: suggestion.map { "did you mean '\($0)'?" }))
        }
        if let keyword = node.keywords.first {
            throw fail(.error("\(name)() takes no NAME = VALUE arguments", at: keyword.nameRange,
                              help: "only recipes take keyword arguments; \(function.signature.summary)"))
        }
        let arity = function.signature.arity
        guard arity.contains(argumentExpressions.count) else {
            let expected = arity.count == 1 ? "\(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)"
            throw fail(.error("\(name)() takes \(expected) argument\(arity.upperBound == 1 ? "" : "s"), got \(argumentExpressions.count)",
                              at: range, help: function.signature.summary))
        }
        var arguments: [CommandArgument] = []
        for expression in argumentExpressions {
            let value = try expression.evaluate(self, in: scope)
            if case .poison = value { return .poison }
            arguments.append(CommandArgument(value: value, range: expression.range, elementRanges: []))
        }
        let call = FunctionCall(name: name, range: range, arguments: arguments) { [unowned self] count in
            try self.step(range, cost: max(1, count))
        }
        let result: Value
        do {
            result = try function.handler(call)
        } catch let error as CommandError {
            throw fail(error.diagnostic)
        }
        try checkBuilt(result, at: range)
        return result
    }
}
