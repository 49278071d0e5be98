// The one entry point for a host, the CLI and the REPL: check a script (from a file or a
// string) exactly as `meshscript check` does, then plan, render, read the clusters and plan
// against what they hold, from what the check found. No caller repeats the sequence.
import Foundation
import LocalFiles
import Synchronization

/// What a run needs besides the script: where it writes, what it reads, and its bounds.
public struct MeshOptions: Sendable {
    /// The work directory (the seed's WORK_DIR; the CLI's `--out`).
    public var workDirectory: String
    /// The environment: `env()`, `$KUBECONFIG`, `$HOME`, and the PATH the tools are found on.
    public var environment: [String: String]
    /// The kubeconfig every command names (the CLI's `--kubeconfig`); the script's `kubeconfig` wins.
    public var kubeconfig: String?
    /// The interpreter's bounds.
    public var limits: Limits
    /// Clusters whose intermediate CA render (and the live plan) re-issues.
    public var rotate: Set<String>
    /// The GitOps controller render writes a tree for; its rules are checked too.
    public var gitops: GitOpsController?
    /// Whether check runs the kubeconfig pre-flight (off: the CLI's `check --no-kubeconfig`).
    public var readsKubeconfig: Bool
    /// Whether check inspects the work directory's root and intermediates, as render would
    /// (the CLI's `check --out`); render always does.
    public var inspectsWorkDirectory: Bool
    /// The host's changes to every plan (the offline plan, render's plan.json, the live plan's base).
    public var planHooks: [PlanHook] = []
    /// The host's changes to the files render writes.
    public var renderHooks: [RenderHook] = []
    /// How ``CheckedMesh/plan``'s commands name the script (`meshscript render SCRIPT`); nil: the
    /// path checked. The REPL's plans say `SESSION.mesh`; a host checking a temporary copy can
    /// name the file as it is kept.
    public var scriptName: String?

    /// Options for a run writing into `workDirectory`, reading `environment`.
    public init(workDirectory: String = "out", environment: [String: String] = [:], kubeconfig: String? = nil, limits: Limits = Limits(),
                rotate: Set<String> = [], gitops: GitOpsController? = nil, readsKubeconfig: Bool = true, inspectsWorkDirectory: Bool = false) {
        (self.workDirectory, self.environment, self.kubeconfig, self.limits) = (workDirectory, environment, kubeconfig, limits)
        (self.rotate, self.gitops, self.readsKubeconfig, self.inspectsWorkDirectory) = (rotate, gitops, readsKubeconfig, inspectsWorkDirectory)
    }
}

/// A host's handle on the mesh language: register host commands on ``engine`` first, then
/// ``check(file:)`` or ``check(source:name:directory:)``; a clean ``CheckedMesh`` plans,
/// renders, reads the clusters and plans against them.
///
/// A `Mesh` may be handed to another Task: its checks run one at a time (each holds the handle),
/// and ``cancellation`` stops the running one from anywhere. Register host commands and
/// functions on ``engine`` before sharing it; the engine itself is not for concurrent use.
public final class Mesh: @unchecked Sendable {
    /// The engine scripts run on: the interpreter (for host commands and functions) and the topology.
    public let engine: MeshEngine
    /// The options every check and what follows use.
    public let options: MeshOptions

    /// Stops the check running now from any thread or Task; a cancel holds, for later checks too,
    /// until `reset()` clears it: see ``/MeshScriptInterpreter/CancellationFlag``.
    public var cancellation: CancellationFlag { engine.interpreter.cancellation }
    /// One check at a time: the engine is not for concurrent use.
    private let running = NSLock()

    /// A handle reading scripts through `loader`.
    public init(options: MeshOptions = MeshOptions(), loader: ScriptLoader = FileSystemLoader()) {
        self.options = options
        engine = MeshEngine(environment: options.environment, loader: loader, limits: options.limits)
    }

    /// Checks a script file as `meshscript check` does: parse, evaluate and validate; the files
    /// a root brings (`from "DIR"`); the work directory's trust files (``MeshOptions/inspectsWorkDirectory``);
    /// the GitOps tree's rules (``MeshOptions/gitops``); the kubeconfig pre-flight
    /// (``MeshOptions/readsKubeconfig``). Each stage runs only when the ones before found no error.
    public func check(file path: String) -> MeshCheck {
        running.withLock { finish(engine.check(file: path), scriptPath: path) }
    }

    /// Checks `text` as ``check(file:)`` checks a file named `name`; relative paths in it (imports,
    /// `from "DIR"`, `values file`) are resolved against `directory` (the current directory when nil).
    public func check(source text: String, name: String, directory: String? = nil) -> MeshCheck {
        let directory = directory ?? Directory.current
        return running.withLock { finish(engine.check(source: text, name: name, directory: directory), scriptPath: directory + "/" + name) }
    }

    /// Checks what ``engine`` holds now (statements evaluated one at a time, as the REPL does) as
    /// ``check(file:)`` checks a script named `name` in `directory`, with `options` for this check
    /// (its environment and limits are the ones the engine was made with).
    public func checkEvaluated(name: String, directory: String, options: MeshOptions) -> MeshCheck {
        running.withLock { finish(engine.validate(), scriptPath: directory + "/" + name, options: options) }
    }

    private func finish(_ result: MeshEngine.Result, scriptPath: String) -> MeshCheck {
        var check = finish(result.diagnostics, scriptPath: scriptPath, options: options)
        check.stoppedBy = result.stoppedBy
        return check
    }

    private func finish(_ evaluated: [Diagnostic], scriptPath: String, options: MeshOptions) -> MeshCheck {
        var render = RenderOptions(workDirectory: options.workDirectory, scriptPath: scriptPath, rotate: options.rotate,
                                   environment: options.environment)
        render.kubeconfig = options.kubeconfig
        render.gitops = options.gitops
        (render.planHooks, render.renderHooks) = (options.planHooks, options.renderHooks)
        let topology = engine.topology
        var diagnostics = evaluated
        var stages: [() -> [Diagnostic]] = [{ MeshRenderer.rootFileDiagnostics(topology, scriptPath: scriptPath) }]
        if options.inspectsWorkDirectory { stages.append { MeshRenderer.workDirectoryDiagnostics(topology, options: render) } }
        if let gitops = options.gitops { stages.append { MeshRenderer.gitOpsDiagnostics(topology, controller: gitops) } }
        for stage in stages where !diagnostics.hasErrors { diagnostics += stage() }
        guard !diagnostics.hasErrors else { return MeshCheck(diagnostics: diagnostics, sources: engine.sources, topology: topology, checked: nil) }
        let credentials = options.readsKubeconfig
            ? MeshRenderer.preflight(topology, options: render)
            : .unread(kubeconfig: MeshRenderer.kubeconfigChoice(for: topology, options: render))
        diagnostics += credentials.diagnostics
        let checked = diagnostics.hasErrors ? nil : CheckedMesh(topology: topology, options: render, credentials: credentials, scriptName: options.scriptName)
        return MeshCheck(diagnostics: diagnostics, sources: engine.sources, topology: topology, checked: checked)
    }
}

/// What a check found. Sendable: it can leave the Task that checked.
public struct MeshCheck: Sendable {
    /// Every error and warning, in source order within each stage.
    public let diagnostics: [Diagnostic]
    /// The scripts read, to render ``diagnostics`` with ``/MeshScriptInterpreter/DiagnosticRenderer``.
    public let sources: SourceMap
    /// What the script declared (possibly half-built when there are errors).
    public let topology: Topology
    /// The checked mesh, to plan, render and apply; nil when any diagnostic is an error.
    public let checked: CheckedMesh?
    /// Why the script stopped before its end (cancelled, or a limit), if it did: then nothing
    /// was validated.
    public internal(set) var stoppedBy: StopReason?

    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { diagnostics.hasErrors }
}

/// A mesh that checked clean: its plan, render, the clusters as read, and the live plan.
public struct CheckedMesh: Sendable {
    /// What the script declared.
    public let topology: Topology
    /// Where render writes and what it reads.
    public let options: RenderOptions
    /// The kubeconfig pre-flight's findings: the remote secrets render writes itself.
    public let credentials: DiscoveryCredentials
    private let cache: PlanCache

    init(topology: Topology, options: RenderOptions, credentials: DiscoveryCredentials, scriptName: String?) {
        (self.topology, self.options, self.credentials) = (topology, options, credentials)
        var planOptions = MeshRenderer.planOptions(options, credentials: credentials)
        if let scriptName { planOptions.scriptPath = scriptName }
        cache = PlanCache(topology, planOptions)
    }

    /// The offline plan: what `meshscript plan` prints. Made on first use (a check alone never
    /// plans), then kept.
    public var plan: Plan { cache.plan }

    /// The bytes of ``plan``'s JSON (`Plan.json()`), handed to `write` in pieces. Before the plan
    /// is made, they are written as its steps are made, a cluster's at a time, so the plan of a
    /// large mesh is never held whole (what `meshscript plan --format json` prints).
    public func writePlanJSON(_ write: (UnsafeRawBufferPointer) -> Void) { cache.writeJSON(write) }

    /// Writes the work directory (and the GitOps tree when chosen). Hold the work directory
    /// (``/MeshRender/WorkDirectoryLock``) around it, as the CLI does.
    public func render(progress: (@Sendable (RenderEvent) -> Void)? = nil) throws(RenderFailure) -> RenderSummary {
        try MeshRenderer.render(topology, options: options, credentials: credentials, progress: progress)
    }

    /// Reads every cluster of the plan with kubectl (``/MeshLive/Observer``), `timeout` seconds each at most.
    public func observe(timeout: Double = 20, progress: @escaping @Sendable (ObserveEvent) -> Void = { _ in }) -> [ClusterState] {
        Observer(environment: options.environment, timeout: timeout).observe(plan, progress: progress)
    }

    /// The live plan: `states` as read, against the work directory as it is now, re-issuing the
    /// intermediates of ``/MeshRender/RenderOptions/rotate``.
    public func live(_ states: [ClusterState]) -> LivePlan {
        let local = LocalTrust.read(workDirectory: options.workDirectory, clusters: plan.clusters,
                                    rootFrom: MeshRenderer.rootSource(topology, options: options))
        return LivePlanner.plan(plan, states: states, local: local, options: LivePlanOptions(rotate: options.rotate))
    }
}

/// The plan of a checked mesh, made once, on first use, from any thread.
private final class PlanCache: Sendable {
    private let state: Mutex<(inputs: (Topology, PlanOptions)?, plan: Plan?)>

    init(_ topology: Topology, _ options: PlanOptions) { state = Mutex(((topology, options), nil)) }

    var plan: Plan {
        state.withLock { state in
            if let plan = state.plan { return plan }
            let (topology, options) = state.inputs!
            let plan = Planner.plan(topology, options: options)
            state = (nil, plan)
            return plan
        }
    }

    func writeJSON(_ write: (UnsafeRawBufferPointer) -> Void) {
        let (inputs, plan) = state.withLock { ($0.inputs, $0.plan) }
        if let plan { return plan.writeJSON(write) }
        let (topology, options) = inputs!
        Planner.writeJSON(topology, options: options, write)
    }
}
