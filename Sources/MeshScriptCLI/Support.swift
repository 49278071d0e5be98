// What every subcommand shares: loading a script into a MeshEngine, printing diagnostics
// (colour only on a terminal), exit codes, and running evaluation on a large stack.
import Foundation
import MeshCommandLine
import MeshScript

/// The exit codes commands share (see the root's help).
enum Exit {
    /// The script has errors.
    static let scriptErrors = ExitCode(65)
    /// A step of apply failed.
    static let stepFailed = ExitCode(70)
    /// A cluster could not be read, or trust would split: nothing was changed.
    static let clustersRefused = ExitCode(69)
    /// Another meshscript holds the work directory (EX_TEMPFAIL: try again later).
    static let workDirectoryBusy = ExitCode(75)
}

enum Terminal {
    static var standardErrorIsTerminal: Bool { isatty(2) == 1 }
    static var colorAllowed: Bool { getenv("NO_COLOR") == nil }
}

func printDiagnostics(_ diagnostics: [Diagnostic], sources: SourceMap) {
    guard !diagnostics.isEmpty else { return }
    var stderr = StandardError()
    let renderer = DiagnosticRenderer(sources: sources, color: Terminal.standardErrorIsTerminal && Terminal.colorAllowed)
    print(renderer.render(diagnostics), terminator: "", to: &stderr)
    let errors = diagnostics.filter { $0.severity == .error }.count
    let warnings = diagnostics.filter { $0.severity == .warning }.count
    var summary: [String] = []
    if errors > 0 { summary.append("\(errors) error\(errors == 1 ? "" : "s")") }
    if warnings > 0 { summary.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
    if !summary.isEmpty { print(summary.joined(separator: ", ") + " generated", to: &stderr) }
}

/// Deeply recursive scripts are bounded by the interpreter's limits, but the bounds multiply
/// (recipe depth × block depth), so parsing and evaluation run on a thread with a generous stack.
/// A bare pthread: Foundation's `Thread` costs start-up more (BENCHMARKS.md, "Start-up"). The
/// stack is reserved address space; only the pages a script reaches are ever touched.
private final class StackTask: @unchecked Sendable {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

func onLargeStack<T>(_ body: @escaping () -> T) -> T {
    var result: T?
    let task = StackTask { result = body() }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, 1 << 29)
    var thread = pthread_t()
    let context = Unmanaged.passRetained(task)
    let created = pthread_create(&thread, &attributes, { context in
        Unmanaged<StackTask>.fromOpaque(context!).takeRetainedValue().run()
        return nil
    }, context.toOpaque())
    if created == 0 {
        pthread_join(thread, nil)
    } else {
        context.release()  // no thread (address space exhausted, say): run here, on the main stack
        task.run()
    }
    return result!
}

/// Runs `body` on the calling thread when it is the main thread and its stack may grow to `bytes`
/// (the soft RLIMIT_STACK bounds the main thread's stack; unlimited is the largest value), else on
/// ``onLargeStack(_:)``'s thread. Only for work whose stack use has a measured bound well under
/// `bytes`: parsing alone nests at most `Limits.maxNestingDepth` levels, and the deepest nesting of
/// each kind parsed in under 512 KiB (release build). Starting the large-stack thread (clone, a
/// malloc arena of its own, join) costs about 0.2 ms of a start of `check --syntax-only`.
func onStack<T>(ofAtLeast bytes: Int, _ body: @escaping () -> T) -> T {
    var limit = rlimit()
    #if canImport(Glibc)
    let read = getrlimit(__rlimit_resource_t(RLIMIT_STACK.rawValue), &limit) == 0
    #else
    let read = getrlimit(RLIMIT_STACK, &limit) == 0
    #endif
    if Thread.isMainThread && read && limit.rlim_cur >= rlim_t(bytes) {
        return body()
    }
    return onLargeStack(body)
}

/// The interpreter's bounds, `--max-steps` and `--max-call-depth`, on every command that evaluates a script.
struct LimitOptions {
    /// The options' declarations.
    static let arguments: [ArgumentDeclaration] = [
        .option("max-steps", help: "Stop evaluation after this many steps (statements, expressions and values built).",
                defaultValue: String(Limits().maxSteps)),
        .option("max-call-depth", help: "The deepest nesting of recipe calls and imports.", defaultValue: String(Limits().maxCallDepth)),
    ]

    /// The bounds given (the interpreter's defaults for those not given).
    let limits: Limits

    /// The bounds in `arguments`; both must be positive.
    init(_ arguments: ParsedArguments) throws(UsageError) {
        let maxSteps = try arguments.integer("max-steps", default: Limits().maxSteps)
        let maxCallDepth = try arguments.integer("max-call-depth", default: Limits().maxCallDepth)
        guard maxSteps > 0, maxCallDepth > 0 else { throw UsageError("limits must be positive") }
        limits = Limits(maxCallDepth: maxCallDepth, maxSteps: maxSteps)
    }
}

/// Checks `path` through the library's one entry point (``Mesh``) as `options` say; prints its
/// diagnostics (only the errors when `quiet`); throws exit 65 when it found errors.
func checkScript(_ path: String, _ options: MeshOptions, quiet: Bool = false) throws -> CheckedMesh {
    let mesh = Mesh(options: options)
    // The process ends right after the command: freeing a large script's tree and topology
    // would be wasted work (as clang's -disable-free), so the CLI never releases the engine.
    _ = Unmanaged.passRetained(mesh)
    let check = onLargeStack { mesh.check(file: path) }
    if !quiet || check.hasErrors { printDiagnostics(check.diagnostics, sources: check.sources) }
    guard let checked = check.checked else { throw Exit.scriptErrors }
    return checked
}

/// `--kubeconfig PATH`, on every command that reads clusters (check, plan, render, apply, status).
struct KubeconfigOptions {
    /// The option's declaration.
    static let arguments: [ArgumentDeclaration] = [
        .option("kubeconfig", valueName: "path", help: "The kubeconfig file every kubectl and istioctl command is given (with --kubeconfig=) and the pre-flight reads. The script's `kubeconfig \"PATH\"` wins over it; without either, $KUBECONFIG when it names one file, else the tools' default ($KUBECONFIG's list, or ~/.kube/config), which the commands then find themselves.",
                completion: .file),
    ]

    /// The file given, if any.
    let kubeconfig: String?

    /// The option in `arguments`.
    init(_ arguments: ParsedArguments) { kubeconfig = arguments.value("kubeconfig") }
}

/// The library's options for a command: this process's environment, the work directory `out`,
/// `--kubeconfig` (resolved by MeshRender, relative to the current directory) and the limits.
func meshOptions(out: String = "out", kubeconfig: String?, limits: Limits, rotate: [String] = []) -> MeshOptions {
    MeshOptions(workDirectory: out, environment: processEnvironment(), kubeconfig: kubeconfig, limits: limits, rotate: Set(rotate))
}

/// This process's environment, read from `environ`: the same pairs as `ProcessInfo`'s (split at
/// the first `=`; an entry without one is left out; the first of a repeated name wins, as
/// getenv(3) finds it), without starting ProcessInfo, which a start of `check` does not need.
func processEnvironment() -> [String: String] {
    var environment: [String: String] = [:]
    var entry = environ
    while let pointer = entry.pointee {
        let text = String(cString: pointer)
        if let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) {
            let name = String(text[..<equals])
            if environment[name] == nil { environment[name] = String(text[text.index(after: equals)...]) }
        }
        entry += 1
    }
    return environment
}

extension CheckedMesh {
    /// Every `--rotate` name must be a cluster with a cacerts secret; otherwise exit 64, with
    /// a did-you-mean.
    func checkRotate(_ rotate: [String], file: String) throws {
        let trusted = plan.steps.filter { $0.kind == .cacerts }.map(\.cluster)
        for name in rotate where !trusted.contains(name) {
            let suggestion = Suggestions.closest(to: name, in: trusted).map { "; did you mean '\($0)'?" } ?? ""
            var stderr = StandardError()
            print("error: --rotate \(name): no cluster named '\(name)' with a cacerts secret in \(file)\(suggestion)", to: &stderr)
            throw ExitCode(64)
        }
    }
}

func printRenderFailure(_ error: RenderFailure) {
    var stderr = StandardError()
    print(error.description, terminator: "", to: &stderr)
}

