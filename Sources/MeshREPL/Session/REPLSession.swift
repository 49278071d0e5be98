// One interactive session: one growing topology. Every statement is evaluated as it is
// entered; an error is shown with the same diagnostics as for files and leaves the session
// exactly as it was before that statement. Input that the parser says is incomplete (an
// unclosed `<`, `[`, `(` or string) continues on a `...` prompt.
import Foundation
import LocalFiles
import MeshScript

/// The REPL's state: the topology built so far, pending input, and the colon commands.
public final class REPLSession {
    /// The interpreter holding the session's topology.
    public let engine: MeshEngine
    /// The library's entry point the session checks, plans and renders through (``engine`` is its engine).
    let mesh: Mesh
    /// The statements accepted so far, in order: `:save` writes them back as a script.
    public private(set) var accepted: [String] = []
    /// The engine as it was before each accepted statement, for `:undo` (one per `accepted`).
    private var undoMarks: [MeshEngine.Snapshot] = []
    /// Where each cluster of the session was first declared: kept as entries are accepted, so
    /// an entry's checks cost what it declared, not what the session holds (trimmed on :undo).
    private var declaredClusters: [String: SourceRange] = [:]
    /// What each accepted `:load` read (the file and its imports), by its statement: a reload
    /// that fails replays the earlier load from these bytes, so the session is as it was.
    private var loadedFiles: [String: [String: [UInt8]]] = [:]
    /// Reads the session's scripts, recording what a `:load` reads.
    private let loader: SessionLoader
    /// The files `:save` wrote in this session: saving to one again needs no `:save!`.
    private var savedPaths: Set<String> = []
    /// Lines of an entry that is not complete yet.
    private(set) var pending: [String] = []
    private var entryNumber = 0
    /// Statements and commands that failed so far (a piped session exits 65 when any did).
    public private(set) var errorCount = 0
    private let write: (String) -> Void
    private let writeError: (String) -> Void
    private let color: Bool
    /// Anchors relative `:load`, `import` and `:render` paths.
    private let directory: String
    private let environment: [String: String]

    /// What the loop does after a line.
    public enum Status: Equatable {
        case ready
        case needsMoreInput
        case quit
    }

    /// An empty session whose entries are evaluated within `limits`; `write` and `writeError`
    /// receive its output and diagnostics.
    public init(environment: [String: String], directory: String = Directory.current, color: Bool, limits: Limits = Limits(),
                write: @escaping (String) -> Void, writeError: @escaping (String) -> Void) {
        mesh = Mesh(options: MeshOptions(environment: environment, limits: limits))
        engine = mesh.engine
        self.environment = environment
        self.directory = directory
        self.color = color
        self.write = write
        self.writeError = writeError
        engine.interpreter.output = { [write] text, _ in write(text + "\n") }
        loader = SessionLoader(base: engine.interpreter.loader)
        engine.interpreter.loader = loader
        // The interpreter's import tree is fixed by the first entry that runs (the session
        // directory, or the first :load'ed file's), after which `:load ../project/main.mesh`
        // could not import its own siblings. Here the person at the prompt names the files
        // (`:load` reads any path anyway), so the tree rule, which guards a host against a
        // script, does not apply.
        engine.interpreter.allowImportsOutsideRoot = true
    }

    /// `mesh> `, or `  ... ` while an entry continues.
    public var prompt: String { pending.isEmpty && heldIf == nil ? "mesh> " : "  ... " }
    /// True while an entry is incomplete or held for a possible `else`.
    public var hasPendingInput: Bool { !pending.isEmpty || heldIf != nil }

    /// Drop a half-typed multi-line entry (Ctrl-C at a `...` prompt).
    public func discardPendingInput() {
        pending.removeAll()
        heldIf = nil
    }

    /// At a terminal: an entry ending with `if ... >` waits for the next line, because a
    /// newline before `else` does not end an `if` (language.md). An `else` line continues it;
    /// an empty line (or any other input) runs it. Off by default (piped input looks ahead).
    public var waitsForElse = false
    private var heldIf: String?

    /// Whether `line` ends the entry held for a possible `else` rather than continuing it: the
    /// held entry then runs on its own (and is its own history entry), and `line` starts the next.
    public func endsHeldEntry(_ line: String) -> Bool {
        heldIf != nil && !PipedLines.startsWithElse(line)
    }

    /// Run an entry held for a possible `else` (end of input at a terminal).
    public func finishInput() {
        if let held = heldIf {
            heldIf = nil
            evaluateEntry(held)
        }
    }

    /// Feed one line of input.
    public func feed(_ line: String) -> Status {
        if let held = heldIf {
            heldIf = nil
            if PipedLines.startsWithElse(line) { return feed(held + "\n" + line) }
            evaluateEntry(held)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { return .ready }
        }
        if pending.isEmpty {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(":") { return runCommand(trimmed) }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { return .ready }
        }
        if waitsForElse, let text = openIfEntry(line) {
            pending.removeAll()
            heldIf = text
            return .needsMoreInput
        }
        pending.append(line)
        return evaluateEntry(pending.joined(separator: "\n"))
    }

    /// Evaluate a complete entry (or learn that it is not complete yet).
    @discardableResult
    private func evaluateEntry(_ text: String) -> Status {
        switch run(text) {
        case .needsMoreInput:
            return .needsMoreInput
        case .accepted(let diagnostics), .rejected(let diagnostics):
            pending.removeAll()
            showDiagnostics(diagnostics) // errors; or warnings and notes
            return .ready
        }
    }

    /// What became of an entry.
    private enum EntryOutcome {
        case needsMoreInput
        /// Accepted, with its warnings and notes.
        case accepted([Diagnostic])
        /// Rolled back (the session is as it was before it), with its errors.
        case rejected([Diagnostic])

        var isAccepted: Bool {
            if case .accepted = self { return true }
            return false
        }

        var diagnostics: [Diagnostic] {
            switch self {
            case .needsMoreInput: []
            case .accepted(let diagnostics), .rejected(let diagnostics): diagnostics
            }
        }
    }

    /// Evaluate `text` as the next entry: it is accepted, or everything it did is rolled back.
    /// Nothing is shown.
    private func run(_ text: String) -> EntryOutcome {
        entryNumber += 1
        let before = engine.snapshot()
        // A Ctrl-C holds until cleared; the one that stopped the previous entry is spent.
        engine.cancellation.reset()
        let result = engine.evaluate(source: text, name: "<repl:\(entryNumber)>", directory: directory)
        if result.needsMoreInput {
            entryNumber -= 1
            return .needsMoreInput
        }
        let diagnostics = result.diagnostics + (result.hasErrors ? [] : entryChecks(since: before))
        if diagnostics.hasErrors {
            engine.restore(before)
            return .rejected(diagnostics)
        }
        accept(text, before)
        return .accepted(diagnostics)
    }

    private func accept(_ statement: String, _ before: MeshEngine.Snapshot) {
        accepted.append(statement)
        undoMarks.append(before)
        for cluster in engine.topology.clusters[engine.clusterCount(at: before)...] where declaredClusters[cluster.name.value] == nil {
            declaredClusters[cluster.name.value] = cluster.name.range
        }
    }

    /// What an entry that evaluated cleanly may still not do in a session: declare a cluster
    /// that is already declared (an error: it would add a second one); and what it should be
    /// told at once: that a cluster it names is not declared yet (a note; `:check` and `:plan`
    /// refuse it until it is).
    private func entryChecks(since before: MeshEngine.Snapshot) -> [Diagnostic] {
        let added = engine.topology.clusters[engine.clusterCount(at: before)...]
        var diagnostics: [Diagnostic] = []
        var first = [String: SourceRange]()
        for cluster in added {
            let name = cluster.name.value
            if let earlier = declaredClusters[name] ?? first[name] {
                diagnostics.append(.error("cluster '\(name)' is already declared in this session", at: cluster.name.range,
                                          notes: [.init("first declared here", at: earlier)],
                                          help: "to replace it, :undo back to the statement that declared it (or :reset), then declare it again"))
            } else {
                first[name] = cluster.name.range
            }
        }
        for cluster in added {
            let named = cluster.discovery.map(\.peer) + (cluster.install?.remoteOf.map { [$0] } ?? [])
            for peer in named where declaredClusters[peer.value] == nil && first[peer.value] == nil {
                diagnostics.append(Diagnostic(.note, "cluster '\(peer.value)' is not declared yet: declare it before :check or :plan",
                                              at: peer.range))
            }
        }
        return diagnostics
    }

    /// `:undo`: the last accepted statement (a `:load` included) is taken back, with everything it declared.
    private func undoLast() {
        guard let last = accepted.indices.last else { return fail("error: nothing to undo\n") }
        let statement = accepted[last]
        rollBack(to: last)
        write("undone: \(Self.firstLine(of: statement))\n")
    }

    /// Take back accepted statement `index` and every one after it, in time proportional to
    /// what they declared.
    private func rollBack(to index: Int) {
        let mark = undoMarks[index]
        // A session holds each cluster name once (a second declaration is refused), so the
        // clusters removed are exactly the names to forget.
        for cluster in engine.topology.clusters[engine.clusterCount(at: mark)...] where declaredClusters[cluster.name.value] == cluster.name.range {
            declaredClusters[cluster.name.value] = nil
        }
        engine.restore(mark)
        accepted.removeSubrange(index...)
        undoMarks.removeSubrange(index...)
    }

    /// True when `line` completes an entry whose last statement is an `if` without a plain
    /// `else`, which in a file a following `else` line would still extend: the parser says so.
    func mayContinueWithElse(_ line: String) -> Bool {
        openIfEntry(line) != nil
    }

    /// The entry `line` completes, when the parser finds it complete, without syntax errors,
    /// and ending with an `if` a later `else` line would extend (else nil).
    private func openIfEntry(_ line: String) -> String? {
        if pending.isEmpty, line.trimmingCharacters(in: .whitespaces).hasPrefix(":") { return nil }
        let text = (pending + [line]).joined(separator: "\n")
        // Parsed outside the session's source map: nothing shows these diagnostics.
        let parsed = Parser.parse(SourceFile(path: "<repl>", text: text), file: FileID(index: 0),
                                  maxDepth: engine.interpreter.limits.maxNestingDepth)
        return !parsed.needsMoreInput && !parsed.diagnostics.hasErrors && parsed.endsWithOpenIf ? text : nil
    }

    private func showDiagnostics(_ diagnostics: [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        if diagnostics.hasErrors { errorCount += 1 }
        writeError(DiagnosticRenderer(sources: engine.sources, color: color).render(diagnostics))
    }

    /// Reports a command's failure; it counts like a failed statement (a piped session exits 65).
    private func fail(_ message: String) {
        errorCount += 1
        writeError(message)
    }

    // MARK: - Colon commands

    /// The colon commands, as `:help` lists them.
    public static let commands: [(name: String, arguments: String, summary: String)] = [
        (":help", "", "this help"),
        (":check", "", "validate the whole topology"),
        (":plan", "[DIR]", "the ordered steps (work directory DIR, default out)"),
        (":graph", "[mermaid]", "the mesh as a graphviz DOT graph, or as a Mermaid flowchart"),
        (":show", "[NAME]", "the topology, or one cluster, network, root, variable or recipe"),
        (":load", "FILE", "evaluate a script into this session; loading it again replaces what it declared"),
        (":save", "FILE", "write the accepted statements as a script that re-creates the session (:save! replaces a file)"),
        (":render", "DIR", "write certificates and manifests into DIR"),
        (":undo", "", "take back the last accepted statement"),
        (":reset", "", "forget everything"),
        (":quit", "", "leave (Ctrl-D does too)"),
    ]

    private func runCommand(_ line: String) -> Status {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let name = parts[0]
        let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch name {
        case ":help", ":h", ":?": help()
        case ":check": check()
        case ":plan": plan(workDirectory: argument.isEmpty ? "out" : argument)
        case ":graph":
            switch argument {
            case "", "dot": write(engine.topology.dot)
            case "mermaid": write(engine.topology.mermaid)
            default: fail("error: :graph takes dot (the default) or mermaid, not '\(argument)'\n")
            }
        case ":show": show(argument)
        case ":load": load(argument)
        case ":save": save(argument, replacing: false)
        case ":save!": save(argument, replacing: true)
        case ":render": render(argument)
        case ":undo": undoLast()
        case ":reset":
            engine.reset()
            accepted.removeAll()
            undoMarks.removeAll()
            loadedFiles.removeAll()
            declaredClusters.removeAll()
            write("session reset\n")
        case ":quit", ":q", ":exit": return .quit
        default:
            let suggestion = Suggestions.closest(to: name, in: Self.commands.map(\.name))
            fail("error: unknown command '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + " (:help lists them)\n")
        }
        return .ready
    }

    private func help() {
        var out = "Statements are evaluated as you enter them; an unclosed < [ ( or string continues on the next line.\n"
        out += "An entry ending with `if ... >` waits on a ... prompt for an `else` line: press Enter to run it.\n\nCommands:\n"
        for command in Self.commands {
            out += "  " + (command.name + " " + command.arguments).padding(toLength: 16, withPad: " ", startingAt: 0) + command.summary + "\n"
        }
        out += "\nStatements: let, recipe, for, if/else, import, assert, print, and the built-ins:\n"
        for signature in MeshCommands.signatures {
            out += "  " + signature.usage + "\n"
        }
        out += "Functions: " + engine.interpreter.functions.keys.sorted().map { $0 + "()" }.joined(separator: " ") + "\n"
        write(out)
    }

    private func check() {
        // As `meshscript check --no-kubeconfig`: validation, then the root files a `from "DIR"` brings.
        let check = mesh.checkEvaluated(name: "<repl>", directory: directory, options: MeshOptions(environment: environment, readsKubeconfig: false))
        showDiagnostics(check.diagnostics)
        guard !check.hasErrors else { return }
        let topology = check.topology
        write("ok: \(topology.clusters.count) cluster\(topology.clusters.count == 1 ? "" : "s"), \(topology.links.count) discovery link\(topology.links.count == 1 ? "" : "s")\n")
    }

    /// The session checked as `meshscript plan` checks a script (with the kubeconfig pre-flight),
    /// for :plan and :render into `workDirectory`: the diagnostics shown; nil when any is an error.
    private func checked(_ workDirectory: String) -> CheckedMesh? {
        var options = MeshOptions(workDirectory: workDirectory, environment: environment)
        options.scriptName = "SESSION.mesh"
        let check = mesh.checkEvaluated(name: "<repl>", directory: directory, options: options)
        showDiagnostics(check.diagnostics)
        return check.checked
    }

    private func plan(workDirectory: String) {
        guard let checked = checked(workDirectory) else { return }
        write(checked.plan.text)
    }

    private func render(_ workDirectory: String) {
        guard !workDirectory.isEmpty else { return fail("usage: :render DIR\n") }
        guard let checked = checked(absolute(workDirectory)) else { return }
        let options = checked.options
        // Held as the CLI's render holds it, and what an interrupted run left is finished first.
        let lock: WorkDirectoryLock?
        do {
            lock = try WorkDirectoryLock.acquire(options.workDirectory, wait: false)
            for note in try lock?.recoverInterruptedWork() ?? [] { write("note: " + note + "\n") }
        } catch let error as TrustError {
            return fail(RenderFailure.trust(error).description)
        } catch {
            return fail("error: \(error)\n")
        }
        defer { withExtendedLifetime(lock) {} }
        do {
            let summary = try checked.render()
            for remark in summary.remarks { write(remark + "\n") }
            write("rendered \(workDirectory): \(summary.counts)\n")
        } catch {
            fail(error.description) // not .diagnostics: preflighted() stopped on those
        }
    }

    /// `:load FILE` is `import "FILE"` with the path made absolute: the file is evaluated
    /// the same way (its clusters join the topology, its lets and recipes come into scope,
    /// its own relative imports work), and `:save` records that one import statement, so the
    /// saved script re-creates the session from wherever it is loaded. Loading a file that an
    /// earlier `:load` loaded re-reads it: see ``reload(_:_:at:)``.
    private func load(_ path: String) {
        guard !path.isEmpty else { return fail("usage: :load FILE\n") }
        let file = absolute(path)
        guard FileManager.default.isReadableFile(atPath: file) else {
            return fail("error: cannot read '\(path)'\n")
        }
        let statement = "import " + Value.quote(FilePath.normalized(file))
        if let earlier = accepted.lastIndex(of: statement) { return reload(statement, path, at: earlier) }
        let outcome = runLoad(statement)
        showDiagnostics(outcome.diagnostics)
        guard outcome.isAccepted else { return writeError("nothing from '\(path)' was kept\n") }
        let count = engine.topology.clusters.count
        write("loaded \(path): \(count) cluster\(count == 1 ? "" : "s") in the session\n")
    }

    /// Runs the `:load` statement as the next entry, recording the files it reads; those in
    /// `serving` are read from there (a replay of an earlier load) instead of the file system.
    private func runLoad(_ statement: String, serving: [String: [UInt8]] = [:]) -> EntryOutcome {
        let (outcome, files) = loader.recording(serving: serving) { run(statement) }
        if case .accepted = outcome { loadedFiles[statement] = files }
        return outcome
    }

    /// `:load` of a file loaded before replaces, in place, what it declared then (its clusters,
    /// networks, roots, variables and recipes) with what it declares now: the session rolls back
    /// to before that load, loads the file's new version there, and replays the statements
    /// accepted after it (their output is not shown again); one line reports what changed. When
    /// the new version, or a statement after it, fails, its errors are shown and the earlier
    /// load is replayed from the bytes it read then: the session is as it was.
    private func reload(_ statement: String, _ path: String, at index: Int) {
        let before = inventory()
        let later = Array(accepted[(index + 1)...])
        let earlierFiles = loadedFiles[statement] ?? [:]
        rollBack(to: index)
        let loaded = runLoad(statement)
        var failure = loaded.isAccepted ? nil : loaded.diagnostics
        var failedLater: String?
        if failure == nil, let (entry, diagnostics) = replay(later) {
            failure = diagnostics
            failedLater = entry
        }
        guard let failure else {
            showDiagnostics(loaded.diagnostics) // warnings and notes
            return write("reloaded \(path): \(Self.changes(from: before, to: inventory()))\n")
        }
        showDiagnostics(failure)
        if let failedLater { writeError("error: with the new '\(path)', a statement entered after it fails: \(Self.firstLine(of: failedLater))\n") }
        if accepted.count > index { rollBack(to: index) } // else a failed load rolled itself back
        if runLoad(statement, serving: earlierFiles).isAccepted, replay(later) == nil {
            writeError("nothing from the new '\(path)' was kept: the session is as it was\n")
        } else {
            writeError("error: the session could not be put back as it was; it now holds the \(accepted.count) statements :save would write\n")
        }
    }

    /// Runs `statements` again as entries, their output not shown; stops at the first that
    /// fails, returning it with its diagnostics.
    private func replay(_ statements: [String]) -> (String, [Diagnostic])? {
        let output = engine.interpreter.output
        engine.interpreter.output = { _, _ in }
        defer { engine.interpreter.output = output }
        for statement in statements {
            let outcome = run(statement)
            if !outcome.isAccepted { return (statement, outcome.diagnostics) }
        }
        return nil
    }

    /// `statement`'s first line, with `...` when it has more.
    private static func firstLine(of statement: String) -> String {
        let first = statement.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? statement
        return first + (statement.contains("\n") ? " ..." : "")
    }

    /// Writes the session as a script. Only a regular file is ever replaced (an atomic write
    /// would turn a device or a symbolic link into a file), and one this session did not write
    /// only with `:save!`.
    private func save(_ path: String, replacing: Bool) {
        guard !path.isEmpty else { return fail("usage: :save FILE\n") }
        let target = absolute(path)
        var info = stat()
        if lstat(target, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFREG else {
                return fail("error: cannot save '\(path)': it is not a regular file (a device, a FIFO, a directory or a symbolic link); nothing was written\n")
            }
            guard replacing || savedPaths.contains(target) else {
                return fail("error: '\(path)' exists; :save! \(path) replaces it\n")
            }
        }
        let text = "# Saved from a meshscript REPL session.\n" + accepted.joined(separator: "\n") + "\n"
        do {
            try AtomicFile.write(Data(text.utf8), to: target, mode: 0o644)
            savedPaths.insert(target)
            write("saved \(accepted.count) statement\(accepted.count == 1 ? "" : "s") to \(path)\n")
        } catch {
            fail("error: cannot save '\(path)': \(error.description)\n")
        }
    }

    /// A declaration's host data for :show, one `key: value` line each, keys sorted.
    static func hostDataLines(_ data: [String: HostValue], indent: String) -> String {
        data.keys.sorted().map { "\(indent)\($0): \(data[$0]!)\n" }.joined()
    }

    private func show(_ name: String) {
        let topology = engine.topology
        if name.isEmpty {
            var out = ""
            if let mesh = topology.mesh { out += "mesh \(mesh.name.value) (Istio \(topology.istio))\n" + Self.hostDataLines(mesh.hostData, indent: "  ") } else { out += "no mesh declared\n" }
            if !topology.networks.isEmpty { out += "networks: " + topology.networks.map(\.name.value).joined(separator: ", ") + "\n" }
            if !topology.roots.isEmpty { out += "roots: " + topology.roots.map(\.name.value).joined(separator: ", ") + "\n" }
            out += "clusters: " + (topology.clusters.isEmpty ? "none" : topology.clusters.map(\.name.value).joined(separator: ", ")) + "\n"
            let links = topology.links
            if !links.isEmpty { out += "links: " + links.map { "\($0.source) → \($0.target)" }.joined(separator: ", ") + "\n" }
            let variables = engine.interpreter.variableNames
            if !variables.isEmpty { out += "variables: " + variables.map { "$" + $0 }.joined(separator: ", ") + "\n" }
            let recipes = engine.interpreter.recipeNames
            if !recipes.isEmpty { out += "recipes: " + recipes.joined(separator: ", ") + "\n" }
            return write(out)
        }
        if let text = clusterDescription(name) ?? networkDescription(name) ?? rootDescription(name) {
            return write(text)
        }
        let variableName = name.hasPrefix("$") ? String(name.dropFirst()) : name
        if let value = engine.interpreter.variable(variableName) {
            return write("$\(variableName) = \(value.literal)\n")
        }
        if let recipe = engine.interpreter.recipe(name) {
            return write("recipe \(name)(\(recipe.parameters.map(\.name).joined(separator: ", ")))\n")
        }
        let candidates = topology.clusters.map(\.name.value) + topology.networks.map(\.name.value) + topology.rootNames
            + engine.interpreter.variableNames + engine.interpreter.recipeNames
        let suggestion = Suggestions.closest(to: name, in: candidates)
        fail("error: nothing named '\(name)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + "\n")
    }

    /// `:show CLUSTER`; nil when no cluster is named `name`. `links` are the topology's (worked
    /// out here when not given).
    private func clusterDescription(_ name: String, links: [DiscoveryLink]? = nil) -> String? {
        let topology = engine.topology
        guard let cluster = topology.cluster(named: name) else { return nil }
        let links = links ?? topology.links
        var out = "cluster \(name)\n  context: \(cluster.contextName)\(cluster.context == nil ? " (default)" : "")\n"
        out += "  trust: " + (cluster.trust.map { "from \($0.root.value)" } ?? "none") + "\n"
        if let install = cluster.install {
            out += "  install: network \(topology.network(of: cluster) ?? "?")"
            if let revision = install.revision { out += ", revision \(revision.value)" }
            if let profile = install.profile { out += ", profile \(profile.value)" }
            out += "\n"
        } else {
            out += "  install: none\n"
        }
        if let server = cluster.server { out += "  server: \(server.value)\n" }
        out += Self.hostDataLines(cluster.hostData, indent: "  ")
        let reads = links.filter { $0.target == name }.map(\.source)
        let readBy = links.filter { $0.source == name }.map(\.target)
        if !reads.isEmpty { out += "  has remote secrets of: \(reads.joined(separator: ", "))\n" }
        if !readBy.isEmpty { out += "  its remote secret goes to: \(readBy.joined(separator: ", "))\n" }
        return out
    }

    /// `:show NETWORK`; nil when no network is named `name`. Without `members`, what the
    /// declaration itself says (not which clusters joined it).
    private func networkDescription(_ name: String, members listed: Bool = true) -> String? {
        let topology = engine.topology
        guard let network = topology.network(named: name) else { return nil }
        let members = listed ? topology.clusters.filter { topology.network(of: $0) == network.name.value }.map(\.name.value) : []
        return "network \(name): " + (members.isEmpty ? "no clusters" : members.joined(separator: ", ")) + "\n"
            + Self.hostDataLines(network.hostData, indent: "  ")
    }

    /// `:show ROOT`; nil when no root is named `name` (`root` always is). Without `users`,
    /// what the declaration itself says (not which clusters trust it).
    private func rootDescription(_ name: String, users listed: Bool = true) -> String? {
        let topology = engine.topology
        guard let root = topology.root(named: name), topology.roots.contains(where: { $0.name.value == name }) || name == "root" else { return nil }
        var out = "root \(name)\(root.isDeclared ? "" : " (implicit, Istio's profile)")\n"
        out += "  subject: O=\(root.organization), CN=\(root.commonName)\n  key: \(root.key)\n  days: \(root.days)\n"
        if let from = root.from { out += "  from: \(from.value)\n" }
        guard listed else { return out }
        let users = topology.clusters.filter { $0.trust?.root.value == name }.map(\.name.value)
        out += "  trusted by: " + (users.isEmpty ? "no cluster" : users.joined(separator: ", ")) + "\n"
        return out
    }

    // MARK: - What a reload changed

    /// Everything the session declares, by what `:show` calls it ("cluster c1", "$version",
    /// "recipe ring", ...), with what `:show` says of it (a recipe: its source): two of these
    /// tell what a reload changed. The mesh, networks and roots are included, as a file may
    /// declare them.
    private func inventory() -> [String: String] {
        let topology = engine.topology
        let links = topology.links
        var items: [String: String] = [:]
        for mesh in topology.meshes {
            items["mesh " + mesh.name.value] = "istio \(topology.istio)\n" + Self.hostDataLines(mesh.hostData, indent: "")
        }
        for cluster in topology.clusters { items["cluster " + cluster.name.value] = clusterDescription(cluster.name.value, links: links) }
        for network in topology.networks { items["network " + network.name.value] = networkDescription(network.name.value, members: false) }
        for root in topology.roots { items["root " + root.name.value] = rootDescription(root.name.value, users: false) }
        for name in engine.interpreter.variableNames { items["$" + name] = engine.interpreter.variable(name)?.literal }
        for name in engine.interpreter.recipeNames {
            guard let recipe = engine.interpreter.recipe(name) else { continue }
            items["recipe " + name] = engine.sources.file(recipe.nameRange.file).text(recipe.nameRange.extended(to: recipe.body.range))
        }
        return items
    }

    /// One line: what is in `after` and not in `before`, the reverse, and what differs.
    static func changes(from before: [String: String], to after: [String: String]) -> String {
        let added = after.keys.filter { before[$0] == nil }.sorted()
        let removed = before.keys.filter { after[$0] == nil }.sorted()
        let changed = after.keys.filter { before[$0] != nil && before[$0] != after[$0] }.sorted()
        let parts = [("added", added), ("removed", removed), ("changed", changed)].filter { !$0.1.isEmpty }
        guard !parts.isEmpty else { return "nothing changed" }
        return parts.map { "\($0.0) \($0.1.joined(separator: ", "))" }.joined(separator: "; ")
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : directory + "/" + path
    }
}
