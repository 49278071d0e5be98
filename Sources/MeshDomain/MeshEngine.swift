// The mesh language as a host sees it: an interpreter with the mesh built-ins registered,
// the topology it builds, and validation. Pure apart from reading scripts through the loader.
import MeshScriptInterpreter

/// The mesh language for a host: an interpreter with the mesh built-ins, the topology
/// the scripts build, and validation.
///
/// An engine is used from one thread or Task at a time. To run one on its own Task and stop
/// it from another, take ``cancellation`` (Sendable) first; the ``Result`` is Sendable, so
/// the Task can return it. Two engines share no state.
public final class MeshEngine {
    /// The interpreter the mesh built-ins are registered on.
    public let interpreter: Interpreter
    /// The topology under construction.
    public let builder = TopologyBuilder()

    /// What checking or evaluating a script gave. Sendable: a Task can return it.
    public struct Result: Sendable {
        /// Errors and warnings, in order.
        public var diagnostics: [Diagnostic]
        /// The topology after the run.
        public var topology: Topology
        /// The text ended inside an unclosed construct (the REPL asks for another line).
        public var needsMoreInput: Bool
        /// Why the run stopped before its end (cancelled, or a limit), or nil. A stopped run's
        /// topology is incomplete, and `check` does not validate it.
        public var stoppedBy: StopReason? = nil
        /// Whether any diagnostic is an error.
        public var hasErrors: Bool { diagnostics.hasErrors }
    }

    /// An engine reading scripts through `loader`, with `environment` for `env()` and `limits`
    /// on every run; `cancellation` stops its runs (pass one to hold it before the engine exists).
    public init(environment: [String: String] = [:], loader: ScriptLoader = FileSystemLoader(), limits: Limits = Limits(),
                cancellation: CancellationFlag = CancellationFlag()) {
        interpreter = Interpreter(limits: limits, loader: loader, environment: environment, cancellation: cancellation)
        MeshCommands.register(on: interpreter, builder: builder)
    }

    /// Stops the engine's running script from any thread or Task; a cancel holds, for every
    /// later run too, until `reset()` clears it (see ``/MeshScriptInterpreter/CancellationFlag``).
    public var cancellation: CancellationFlag { interpreter.cancellation }

    /// What the scripts run so far have declared.
    public var topology: Topology { builder.topology }
    /// Every source read, for rendering diagnostics.
    public var sources: SourceMap { interpreter.sources }

    /// Evaluate a script file, then validate the topology it built. An engine accumulates:
    /// a second call adds to the same topology and bindings (as the REPL's `:load` does), so
    /// check independent scripts with one engine each. A run that was cancelled or stopped by
    /// a limit is not validated: its topology is half built (its last error says so).
    public func check(file path: String) -> Result {
        validated(interpreter.runFile(path))
    }

    /// Evaluate `text` as a script file named `name` (relative paths against `directory`), then
    /// validate, as ``check(file:)`` does.
    public func check(source text: String, name: String, directory: String? = nil) -> Result {
        validated(interpreter.run(source: text, name: name, directory: directory))
    }

    /// A run's outcome with the whole-topology checks after it; none when the run stopped early.
    private func validated(_ outcome: Interpreter.Outcome) -> Result {
        var diagnostics = outcome.diagnostics
        if outcome.stoppedBy != nil, let stop = diagnostics.indices.last {
            diagnostics[stop].notes.append(.init("the mesh was not validated: the script stopped before its end"))
        } else if outcome.evaluated {
            // Validation runs after any evaluation, so one run reports every error it can find.
            diagnostics += Validator.validate(topology)
        }
        return Result(diagnostics: diagnostics.sortedByPosition(), topology: topology, needsMoreInput: outcome.needsMoreInput,
                      stoppedBy: outcome.stoppedBy)
    }

    /// Evaluate one piece of text (a REPL entry) without validating the whole topology.
    public func evaluate(source: String, name: String, directory: String? = nil) -> Result {
        let outcome = interpreter.run(source: source, name: name, directory: directory)
        return Result(diagnostics: outcome.diagnostics, topology: topology, needsMoreInput: outcome.needsMoreInput,
                      stoppedBy: outcome.stoppedBy)
    }

    /// The whole-topology checks (unknown names, links, contexts) on what has been declared.
    public func validate() -> [Diagnostic] { Validator.validate(topology) }

    /// A mark in everything a statement can add, for the REPL's "an error leaves the session as
    /// it was". An undo log, not a copy: taking one is constant time, and rolling back costs
    /// what the failed statement added.
    public struct Snapshot {
        var interpreter: Interpreter.Snapshot
        var topology: TopologyBuilder.Mark
    }

    /// How many clusters were declared when `snapshot` was taken (those after it are new).
    public func clusterCount(at snapshot: Snapshot) -> Int { snapshot.topology.clusters }

    /// A mark to ``restore(_:)`` to.
    public func snapshot() -> Snapshot { Snapshot(interpreter: interpreter.snapshot(), topology: builder.mark()) }

    /// Undo everything evaluated since `snapshot`: bindings, imports and declarations.
    public func restore(_ snapshot: Snapshot) {
        interpreter.restore(snapshot.interpreter)
        builder.rollBack(to: snapshot.topology)
    }

    /// Forget every declaration, binding and import (the REPL's `:reset`).
    public func reset() {
        interpreter.reset()
        builder.reset()
    }
}
