// `meshscript check`: syntax, evaluation and validation of one or more scripts.
import ArgumentParser
import Foundation
import MeshScript

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
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
            """)

    @ArgumentParser.Argument(help: "The .mesh scripts to check.")
    var files: [String]

    @Flag(name: .shortAndLong, help: "Print nothing when a file is valid.")
    var quiet = false

    @Flag(name: .long, help: "Check the script alone, without reading any kubeconfig.")
    var noKubeconfig = false

    @Option(name: .long, help: ArgumentHelp("A work directory to inspect as render would: its root and each cluster's intermediate (CA, key match, SHA-256 or better, extendedKeyUsage, chain, validity); nothing is written.", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "Lex and parse only (like luac -p): report syntax errors; imports are not read and nothing runs.")
    var syntaxOnly = false

    // KubeconfigOptions' and LimitOptions' options, declared here rather than as @OptionGroups: each
    // group costs argument-parser another reflection pass and about five protocol-conformance scans
    // of the whole binary at every start (BENCHMARKS.md, "Start-up"). Help and checks are the groups'.
    @Option(name: .long, help: KubeconfigOptions.help)
    var kubeconfig: String?

    @Option(name: .long, help: LimitOptions.maxStepsHelp)
    var maxSteps: Int = Limits().maxSteps

    @Option(name: .long, help: LimitOptions.maxCallDepthHelp)
    var maxCallDepth: Int = Limits().maxCallDepth

    func validate() throws { try LimitOptions.validate(maxSteps: maxSteps, maxCallDepth: maxCallDepth) }

    private var limits: Limits { Limits(maxCallDepth: maxCallDepth, maxSteps: maxSteps) }

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
