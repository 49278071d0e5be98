// `meshscript check`: syntax, evaluation and validation of one or more scripts.
import Foundation
import MeshCommandLine
import MeshScript

struct Check: MeshSubcommand {
    static let name = "check"

    static let declaration = CommandDeclaration(
        name: name,
        abstract: "Check scripts: syntax, evaluation, every validation rule and the kubeconfig pre-flight.",
        discussion: """
            Exits 0 when every file is valid, 65 when any has errors (all of them are reported). A root's \
            `from "DIR"` files (relative to the script), when they exist, are inspected as render inspects them; with \
            --out DIR, so are the work directory's root and every cluster's intermediate (read-only). Two clusters \
            with the same context are an error: apply would set up one cluster twice. The pre-flight reads the \
            kubeconfig (`kubeconfig "PATH"` in the script, else --kubeconfig, else $KUBECONFIG or ~/.kube/config; \
            the same file plan and apply pass to kubectl and istioctl) for every cluster whose context is in it: \
            two clusters whose contexts reach one API server, and, for the clusters whose remote secrets other \
            clusters need, unreachable API servers, credentials istiod cannot use and missing contexts. \
            --no-kubeconfig skips it.
            """,
        arguments: [
            .positionals("files", help: "The .mesh scripts to check."),
            .flag("quiet", short: "q", help: "Print nothing when a file is valid."),
            .flag("no-kubeconfig", help: "Check the script alone, without reading any kubeconfig."),
            .option("out", valueName: "dir", help: "A work directory to inspect as render would: its root and each cluster's intermediate (CA, key match, SHA-256 or better, extendedKeyUsage, chain, validity); nothing is written.",
                    completion: .directory),
            .flag("syntax-only", help: "Lex and parse only (like luac -p): report syntax errors; imports are not read and nothing runs."),
        ] + KubeconfigOptions.arguments + LimitOptions.arguments)

    /// The scripts to check.
    let files: [String]
    /// Print nothing for a valid file.
    let quiet: Bool
    /// Skip the kubeconfig pre-flight.
    let noKubeconfig: Bool
    /// A work directory to inspect.
    let out: String?
    /// Parse only.
    let syntaxOnly: Bool
    /// `--kubeconfig`.
    let kubeconfig: String?
    /// `--max-steps` and `--max-call-depth`.
    let limits: Limits

    init(_ arguments: ParsedArguments) throws(UsageError) {
        files = arguments.values("files")
        quiet = arguments.flag("quiet")
        noKubeconfig = arguments.flag("no-kubeconfig")
        out = arguments.value("out")
        syntaxOnly = arguments.flag("syntax-only")
        kubeconfig = KubeconfigOptions(arguments).kubeconfig
        limits = try LimitOptions(arguments).limits
    }

    func run() throws {
        var failed = false
        for file in files {
            if syntaxOnly {
                failed = !checkSyntax(file) || failed
                continue
            }
            do {
                // As render checks: the root files a script brings (`from "DIR"`), with --out the
                // work directory's trust files, and (unless --no-kubeconfig) the kubeconfig pre-flight.
                var options = meshOptions(out: out ?? "out", kubeconfig: kubeconfig, limits: limits)
                options.readsKubeconfig = !noKubeconfig
                options.inspectsWorkDirectory = out != nil
                let topology = try checkScript(file, options, quiet: quiet).topology
                if !quiet {
                    print("\(file): ok (\(topology.clusters.count) cluster\(topology.clusters.count == 1 ? "" : "s"), \(topology.links.count) discovery link\(topology.links.count == 1 ? "" : "s"))")
                }
            } catch let code as ExitCode where code == Exit.scriptErrors {
                failed = true
            }
        }
        if failed { throw Exit.scriptErrors }
    }

    /// `--syntax-only`: parse `file` and report; true when it has no syntax error.
    private func checkSyntax(_ file: String) -> Bool {
        let interpreter = Interpreter(limits: limits)
        _ = Unmanaged.passRetained(interpreter) // as checkScript: the process ends right after
        // Parsing alone fits the main thread's usual 8 MiB stack many times over (see `onStack`).
        let outcome = onStack(ofAtLeast: 8 << 20) { interpreter.parseFile(file) }
        let failed = outcome.diagnostics.hasErrors
        if !quiet || failed { printDiagnostics(outcome.diagnostics, sources: interpreter.sources) }
        if !failed && !quiet { print("\(file): syntax ok") }
        return !failed
    }
}
