// The host API: one Interpreter carries everything a run needs — registered commands and
// functions, the import loader with its cache and cycle detection, the print sink, the
// environment, the limits and a thread-safe cancel(). No global state, no exit().
import Foundation

/// Why a run stopped before its end.
public enum StopReason: Sendable, Hashable {
    /// The host cancelled it (``Interpreter/cancellation``), before it started or while it ran.
    case cancelled
    /// It passed one of its ``Limits`` (steps, call depth, value bytes, errors) or the
    /// thread's stack.
    case limit
}

/// Runs MeshScript: parses, evaluates against the registered commands and functions,
/// and reports diagnostics. One per script or session; two share nothing.
public final class Interpreter {
    /// The bounds every run is held to.
    public var limits: Limits
    /// Every source parsed, for rendering diagnostics.
    public let sources = SourceMap()
    /// How scripts and their imports are read.
    public var loader: ScriptLoader
    /// What `env("NAME")` reads: the host's lookup (nil: not set). The initializer's dictionary
    /// gives one; a host can answer from anywhere (a secret store, a per-tenant table).
    public var environment: (String) -> String?
    /// Imports may not leave the main script's directory tree unless this is set.
    public var allowImportsOutsideRoot = false
    /// Where `print` writes: the text, and the range of the printed expression in its script.
    public var output: (_ text: String, _ range: SourceRange) -> Void = { text, _ in Swift.print(text) }
    /// Stops the running evaluation from another thread or Task: take this Sendable handle
    /// before handing the interpreter to the thread that runs it, and call `cancel()` on it.
    /// A cancel holds, for this run and every later one, until `reset()` clears it
    /// (``CancellationFlag`` has the details).
    public let cancellation: CancellationFlag

    /// The commands scripts may call, by name.
    public private(set) var commands: [String: RegisteredCommand] = [:]
    /// The functions expressions may call, by name.
    public private(set) var functions: [String: RegisteredFunction] = [:]
    /// `commands` by the symbol of their name: a statement finds its command by index.
    private var commandsBySymbol: [CommandEntry?] = []
    /// `commands` as the resolve pass reads them: a reference each, not a copy of the signature.
    private(set) var commandEntries: [String: CommandEntry] = [:]

    let globals = Scope(parent: nil)
    /// The directory tree imports are confined to (the first script's directory).
    var rootDirectory: String?
    /// Files evaluated already (by canonical path), with the names they export.
    var modules: [String: Scope] = [:]
    /// Every imported file's scope, kept while the interpreter lives (even once `modules` or
    /// `reset()` forgets it): the recipes an import copied elsewhere close over it unowned.
    var fileScopes: [Scope] = []
    var importStack: [String] = []
    /// The files the resolve pass is reading, outermost first (an import of one is a cycle).
    var resolvingImports: [String] = []
    /// What the imports the current run's resolve pass read export, by canonical path.
    var resolvedImports: [String: ResolvedExports] = [:]
    /// The imports the current run's resolve pass parsed, for the evaluator's import to use.
    var parsedImports: [String: ParsedImport] = [:]
    /// The empty source host-bound values point into, once one was bound.
    private var hostFile: FileID?
    /// Every variable and recipe name lowered so far, interned.
    var symbols = SymbolTable()
    /// The values globals had before `set` replaced them, for ``restore(_:)``: at most one
    /// entry per global per snapshot epoch.
    var assignmentLog: [(symbol: Symbol, previous: Variable)] = []
    var assignmentLoggedIn: [Symbol: Int] = [:]
    var assignmentEpoch = 0

    // Per-run state. The counters are read or written at every evaluation step; only the
    // evaluating thread touches them and no access outlives the statement that makes it, so
    // the runtime's exclusivity bookkeeping (a thread-local access set, on every read) is
    // skipped: it cost more than the step itself.
    var diagnostics: [Diagnostic] = []
    @exclusivity(unchecked) var steps = 0
    /// `limits.maxSteps` for the current run.
    @exclusivity(unchecked) var stepLimit = 0
    /// `limits.maxNestingDepth` for the current run: how deeply a value built may nest.
    @exclusivity(unchecked) var valueDepthLimit = 0
    /// `limits.maxCallDepth` for the current run (read at every recipe call).
    @exclusivity(unchecked) var callDepthLimit = 0
    @exclusivity(unchecked) var callDepth = 0
    /// The recipe calls running now, outermost first (for backtraces, `yield` and `return`).
    @exclusivity(unchecked) var frames = CallFrames()
    /// The index in `frames` of the call whose body the running code belongs to lexically
    /// (a block a recipe yields to belongs to its caller); -1 outside every recipe.
    @exclusivity(unchecked) var activeFrame = -1
    /// Scopes of ended recipe calls, their slots unbound, for the next call of the same recipe
    /// to reuse (`Interpreter.recycle`), most recent last. Each is retained once by this buffer
    /// (`releaseSpareScopes` lets go of them): taking one back costs no retain and release.
    @exclusivity(unchecked) var spareScopes = SpareScopes()
    /// Contexts of commands that have run, for the next commands' (`runHandler`), at most 16;
    /// emptied when a run ends.
    @exclusivity(unchecked) var spareContexts: [Context] = []
    /// Emptied buffers of commands' words, for the next commands' (`RunOnce.swift`), at most 16;
    /// emptied when a run ends.
    @exclusivity(unchecked) var spareWords: [[CommandArgument]] = []
    /// The frame a `return` being unwound ends, and its value.
    var returning: (frame: Int, value: Value) = (-1, .poison)
    /// How many command blocks (`cluster < ... >`) are running: a `return` may not leave one.
    @exclusivity(unchecked) var commandBlockDepth = 0
    /// The block kind and directory of the statements running now, for a recipe an expression
    /// calls (kept where they change: a file, a command's block, a `yield`).
    var currentKind = BlockKind.topLevel
    var currentDirectory: String?
    @exclusivity(unchecked) var stackGuard = StackGuard.unknown
    /// The bytes of strings, lists and imported source the current run has built, against
    /// `limits.maxValueBytes`.
    var valueBytes = 0
    /// The errors the current run has reported, against `limits.maxErrors`.
    var errorCount = 0
    /// Why the current run stopped before its end, once it has.
    var stoppedBy: StopReason?
    /// Command names lowered lately and their symbols, scanned before `symbols` is hashed.
    var recentCommandSymbols = RecentNames<String, Symbol>()
    /// The same for short names, by their packed bytes (run-once commands, `RunOnce.swift`).
    @exclusivity(unchecked) var recentCommandKeys = RecentNames<UInt64, Symbol>()

    /// An interpreter with the standard functions, reading scripts through `loader`.
    /// `cancellation` is the handle that stops its runs: pass one to hold it before the
    /// interpreter exists (say, outside the Task that creates it).
    public init(limits: Limits = Limits(), loader: ScriptLoader = FileSystemLoader(), environment: [String: String] = [:],
                cancellation: CancellationFlag = CancellationFlag()) {
        self.limits = limits
        self.loader = loader
        self.environment = { environment[$0] }
        self.cancellation = cancellation
        registerStandardFunctions()
    }

    deinit {
        spareScopes.deallocate()
        frames.deallocate()
    }

    // MARK: - Registration

    /// Makes a command available to scripts (replacing one of the same name).
    public func register(_ signature: CommandSignature, handler: @escaping CommandHandler) {
        let command = RegisteredCommand(signature: signature, handler: handler)
        commands[signature.name] = command
        let symbol = symbols.intern(signature.name)
        if commandsBySymbol.count <= symbol.id { commandsBySymbol += Array(repeating: nil, count: symbol.id + 1 - commandsBySymbol.count) }
        commandsBySymbol[symbol.id] = CommandEntry(command)
        commandEntries[signature.name] = commandsBySymbol[symbol.id]
    }

    /// The command named by `symbol`, nil when none is registered.
    func command(_ symbol: Symbol) -> CommandEntry? {
        symbol.id < commandsBySymbol.count ? commandsBySymbol[symbol.id] : nil
    }

    /// Makes a function available to expressions (replacing one of the same name).
    public func register(_ signature: FunctionSignature, handler: @escaping FunctionHandler) {
        functions[signature.name] = RegisteredFunction(signature: signature, handler: handler)
    }

    // MARK: - Running

    /// How a run ended. Sendable: a run on its own Task can hand it back.
    public struct Outcome: Sendable {
        /// Errors and warnings, in order.
        public var diagnostics: [Diagnostic]
        /// The input ended inside an unclosed construct (nothing was evaluated).
        public var needsMoreInput: Bool
        /// The source the run parsed, when it could be read.
        public var file: FileID?
        /// False when the file could not be read or did not parse: nothing ran.
        public var evaluated = false
        /// Why the run stopped before its end (its last diagnostic says so), or nil when it
        /// ran to the end. What a stopped run declared is incomplete.
        public var stoppedBy: StopReason? = nil
    }

    /// Parse and evaluate a script file.
    public func runFile(_ path: String) -> Outcome {
        let canonical = loader.canonicalPath(path, relativeTo: nil)
        let bytes: [UInt8]
        do { bytes = try loader.read(canonical) } catch { return cannotRead(path, error) }
        if rootDirectory == nil { rootDirectory = loader.directory(of: canonical) }
        return run(SourceFile(path: path, bytes: bytes), canonicalPath: canonical)
    }

    /// The outcome of a script named by the host that could not be read: nothing ran.
    private func cannotRead(_ path: String, _ error: LoaderError) -> Outcome {
        Outcome(diagnostics: [.error("cannot read '\(path)': \(error.message)", at: nil)], needsMoreInput: false, file: nil)
    }

    /// Parse and evaluate text, e.g. one REPL entry. `directory` anchors relative imports.
    public func run(source text: String, name: String, directory: String? = nil) -> Outcome {
        if rootDirectory == nil, let directory { rootDirectory = loader.canonicalPath(directory, relativeTo: nil) }
        return run(SourceFile(path: name, text: text), canonicalPath: nil, directory: directory)
    }

    /// Read and parse a script file without running it (`check --syntax-only`, editors): the
    /// syntax diagnostics only. Imports are not followed; nothing is evaluated.
    public func parseFile(_ path: String) -> Outcome {
        let bytes: [UInt8]
        do { bytes = try loader.read(loader.canonicalPath(path, relativeTo: nil)) } catch { return cannotRead(path, error) }
        let (id, parsed) = addAndParse(SourceFile(path: path, bytes: bytes))
        return Outcome(diagnostics: parsed.diagnostics, needsMoreInput: parsed.needsMoreInput, file: id)
    }

    /// Parse only: for the REPL's "needs more input?" question and for tools.
    public func parse(source text: String, name: String) -> ParseResult {
        addAndParse(SourceFile(path: name, text: text)).parsed
    }

    /// Add `file` to the source map and parse it under the nesting cap (a run, an import, the REPL).
    func addAndParse(_ file: SourceFile) -> (id: FileID, parsed: ParseResult) {
        let id = sources.add(file)
        return (id, Parser.parse(file, file: id, maxDepth: limits.maxNestingDepth))
    }

    /// Evaluate a program ``parse(source:name:)`` gave (it may run more than once); `directory`
    /// anchors its relative imports. A program with syntax errors does not run.
    public func run(_ parsed: ParseResult, directory: String? = nil) -> Outcome {
        if rootDirectory == nil, let directory { rootDirectory = loader.canonicalPath(directory, relativeTo: nil) }
        return run(parsed, file: parsed.program.file, canonicalPath: nil, directory: directory)
    }

    /// Binds the global variable `name` (an identifier) to `value`, as a top-level `let` would:
    /// scripts then read `$name`. A host's values for a script, set before running it.
    public func bind(_ name: String, to value: Value) {
        globals.variables.bind(symbols.intern(name), name, Variable(value: value, range: hostRange))
    }

    /// Calls the global recipe `name` with `arguments` as its parameters, then `keywords` as
    /// keyword arguments, as the statement `name ARG... KEY = VALUE...` would: what it declares
    /// joins the topology, its errors come back as diagnostics (an unknown recipe, a wrong
    /// count of arguments or an unknown keyword too).
    public func call(recipe name: String, with arguments: [Value], keywords: KeyValuePairs<String, Value> = [:]) -> Outcome {
        let mark = globals.variables.mark
        defer { globals.variables.rollBack(to: mark) }
        var words = [name]
        for (index, argument) in arguments.enumerated() {
            let variable = "meshscript_host_argument_\(index)"
            bind(variable, to: argument)
            words.append("$" + variable)
        }
        for (index, (keyword, argument)) in keywords.enumerated() {
            let variable = "meshscript_host_keyword_\(index)"
            bind(variable, to: argument)
            words.append("\(keyword) = $\(variable)")
        }
        return run(source: words.joined(separator: " ") + "\n", name: "<host call of \(name)>")
    }

    /// Where values bound by the host are said to come from: an empty source named `<host>`.
    private var hostRange: SourceRange {
        if let hostFile { return SourceRange(file: hostFile, start: 0, end: 0) }
        let file = sources.add(SourceFile(path: "<host>", text: ""))
        hostFile = file
        return SourceRange(file: file, start: 0, end: 0)
    }

    private func run(_ file: SourceFile, canonicalPath: String?, directory: String? = nil) -> Outcome {
        let (id, parsed) = addAndParse(file)
        return run(parsed, file: id, canonicalPath: canonicalPath, directory: directory)
    }

    private func run(_ parsed: ParseResult, file id: FileID, canonicalPath: String?, directory: String?) -> Outcome {
        if parsed.needsMoreInput || parsed.diagnostics.hasErrors {
            return Outcome(diagnostics: parsed.diagnostics, needsMoreInput: parsed.needsMoreInput, file: id)
        }
        let directory = canonicalPath.map { loader.directory(of: $0) } ?? directory
        defer { (resolvedImports, parsedImports) = ([:], [:]) }
        let resolved = resolveProgram(parsed.program, canonicalPath: canonicalPath, directory: directory)
        if resolved.hasErrors {
            return Outcome(diagnostics: parsed.diagnostics + resolved, needsMoreInput: false, file: id)
        }
        startRun(with: parsed.diagnostics + resolved)
        if let canonicalPath { importStack = [canonicalPath] } else { importStack = [] }
        // The spare contexts hold the interpreter: let go of them with the run.
        defer { (importStack, spareContexts, spareWords) = ([], [], []) }
        do {
            // Charged only once a cancel has had its chance (it holds from before the run).
            try checkCancelled(at: parsed.program.statements.first?.range ?? SourceRange(file: id, start: 0, end: 0))
            try executeFile(parsed.program, scope: globals, directory: directory)
        } catch {
            // A fatal stop (limit, cancellation): its diagnostic is already recorded.
        }
        if let canonicalPath { modules[canonicalPath] = globals }
        return Outcome(diagnostics: diagnostics, needsMoreInput: false, file: id, evaluated: true, stoppedBy: stoppedBy)
    }

    /// Reset the per-run counters. The cancellation flag is left as it is: a cancel issued
    /// before the run holds.
    private func startRun(with parseDiagnostics: [Diagnostic]) {
        diagnostics = parseDiagnostics
        steps = 0
        stepLimit = limits.maxSteps
        valueDepthLimit = limits.maxNestingDepth
        callDepthLimit = limits.maxCallDepth
        callDepth = 0
        frames.removeAll()
        activeFrame = -1
        releaseSpareScopes()
        commandBlockDepth = 0
        valueBytes = 0
        errorCount = 0
        stoppedBy = nil
        stackGuard = StackGuard.currentThread()
    }

    // MARK: - Sessions (the REPL)

    /// A mark in what statements add to the interpreter (global names, imported files) and
    /// change in it (globals given new values by `set`), so a failed one can be undone. Taking
    /// one and rolling back cost what the statement did, not what the session holds.
    public struct Snapshot {
        fileprivate var variables: Int
        fileprivate var recipes: Int
        fileprivate var modules: [String: Scope]
        fileprivate var assignments: Int
    }

    /// A mark to ``restore(_:)`` to.
    public func snapshot() -> Snapshot {
        // A new epoch: the next `set` of each global logs the value it replaces.
        assignmentEpoch += 1
        return Snapshot(variables: globals.variables.mark, recipes: globals.recipes.mark, modules: modules,
                        assignments: assignmentLog.count)
    }

    /// Forget the globals bound and the files imported since `snapshot` was taken, and give
    /// the globals `set` since then their values back.
    public func restore(_ snapshot: Snapshot) {
        while assignmentLog.count > snapshot.assignments {
            let (symbol, previous) = assignmentLog.removeLast()
            _ = globals.variables.update(symbol) { $0 = previous }
        }
        assignmentEpoch += 1
        globals.variables.rollBack(to: snapshot.variables)
        globals.recipes.rollBack(to: snapshot.recipes)
        modules = snapshot.modules
    }

    /// Keep the value `set` is about to replace in the global `symbol`, once per snapshot
    /// epoch: a loop that sets a global a million times logs it once.
    func logGlobalAssignment(_ symbol: Symbol) {
        guard assignmentLoggedIn[symbol] != assignmentEpoch, let previous = globals.variables[symbol] else { return }
        assignmentLoggedIn[symbol] = assignmentEpoch
        assignmentLog.append((symbol, previous))
    }

    /// Forget every binding and import (the REPL's `:reset`).
    public func reset() {
        assignmentLog = []
        assignmentLoggedIn = [:]
        globals.variables = Bindings()
        globals.recipes = Bindings()
        modules = [:]
    }

    /// The global variables, sorted.
    public var variableNames: [String] { globals.variables.names.sorted() }
    /// The global recipes, sorted.
    public var recipeNames: [String] { globals.recipes.names.sorted() }
    /// The value of the global variable `name`.
    public func variable(_ name: String) -> Value? { globals.variables.entry(named: name)?.value }
    /// The declaration of the global recipe `name`.
    public func recipe(_ name: String) -> RecipeDeclaration? { globals.recipes.entry(named: name)?.declaration }
}
