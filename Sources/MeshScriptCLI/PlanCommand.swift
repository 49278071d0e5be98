// `meshscript plan` (text, JSON or shell) and `meshscript graph` (DOT or Mermaid).
import Foundation
import MeshCommandLine
import MeshScript

/// `plan --format`.
enum PlanFormat: String, CaseIterable {
    case text, json, shell
}

/// `graph --format`.
enum GraphFormat: String, CaseIterable {
    case dot, mermaid
}

struct PlanCommand: MeshSubcommand {
    static let name = "plan"

    static let declaration = CommandDeclaration(
        name: name,
        abstract: "Print the ordered steps that build the mesh, with the command that carries out each one.",
        discussion: """
            Per cluster, one primary at a time: trust (intermediate CA, namespace, cacerts secret), then install \
            and readiness; then the discovery links. Nothing is run and no secret is printed. Plain `plan` is \
            offline. --live reads every cluster (read-only, as `status` does) and marks each step create, update, \
            replace, delete or no change, with the reason, and ends with a summary; it exits 69 when a cluster \
            could not be read or trust would split (what apply would refuse).
            """,
        arguments: [
            .positional("file", help: "The .mesh script."),
            .option("out", help: "The work directory the steps refer to (the seed's WORK_DIR).", defaultValue: "out", completion: .directory),
            .option("format", help: "Output format: text, json, or shell (a bash script of the same commands).", defaultValue: "text",
                    allowedValues: PlanFormat.allCases.map { $0.rawValue }),
            .flag("live", help: "Read the clusters and mark each step with what it would change there."),
            .repeatableOption("rotate", valueName: "CLUSTER", help: "With --live: plan replacing this cluster's cacerts with a new intermediate (repeatable)."),
        ] + ReadOptions.arguments + KubeconfigOptions.arguments + LimitOptions.arguments)

    var file: String
    var out: String
    var format: PlanFormat
    var live: Bool
    var rotate: [String]
    var readOptions: ReadOptions
    var kubeconfigOptions: KubeconfigOptions
    var limitOptions: LimitOptions

    init(_ arguments: ParsedArguments) throws(UsageError) {
        file = arguments.required("file")
        out = arguments.string("out", default: "out")
        format = try arguments.choice("format") ?? .text
        live = arguments.flag("live")
        rotate = arguments.values("rotate")
        readOptions = try ReadOptions(arguments)
        kubeconfigOptions = KubeconfigOptions(arguments)
        limitOptions = try LimitOptions(arguments)
        try validate()
    }

    func validate() throws(UsageError) {
        if live && format == .shell { throw UsageError("--live prints text or json; a shell script is the offline plan's (drop --live)") }
        if !live && !rotate.isEmpty { throw UsageError("--rotate needs --live (the offline plan does not depend on it)") }
    }

    func run() throws {
        // The kubeconfig decides which remote secrets render can write itself; plan shows the same steps.
        let mesh = try checkScript(file, meshOptions(out: out, kubeconfig: kubeconfigOptions.kubeconfig, limits: limitOptions.limits, rotate: rotate))
        if live { return try printLive(mesh) }
        switch format {
        case .text: print(mesh.plan.text, terminator: "")
        case .json: mesh.writePlanJSON(StandardStreams.writeOutput)
        case .shell: print(mesh.plan.shellScript, terminator: "")
        }
    }
}

extension PlanCommand {
    private func printLive(_ mesh: CheckedMesh) throws {
        let live = mesh.live(try observeClusters(mesh, timeout: readOptions.timeout))
        switch format {
        case .json: print(try live.json(), terminator: "")
        case .text, .shell: print(live.text, terminator: "")
        }
        if !live.unreachable.isEmpty || !live.conflicts.isEmpty { throw Exit.clustersRefused }
    }
}

struct Graph: MeshSubcommand {
    static let name = "graph"

    static let declaration = CommandDeclaration(
        name: name,
        abstract: "Print the mesh as a graph: clusters grouped by network, discovery links as edges.",
        discussion: """
            An edge A -> B means B's control plane reads A's API server (B holds A's remote secret).
            Examples:
              meshscript graph examples/three-primaries.mesh | dot -Tpng -o mesh.png
              meshscript graph --format mermaid examples/multi-network.mesh   (paste into a ```mermaid block)
            """,
        arguments: [
            .positional("file", help: "The .mesh script."),
            .option("format", help: "Output format: dot (graphviz) or mermaid (Markdown diagrams).", defaultValue: "dot",
                    allowedValues: GraphFormat.allCases.map { $0.rawValue }),
        ] + LimitOptions.arguments)

    var file: String
    var format: GraphFormat
    var limitOptions: LimitOptions

    init(_ arguments: ParsedArguments) throws(UsageError) {
        file = arguments.required("file")
        format = try arguments.choice("format") ?? .dot
        limitOptions = try LimitOptions(arguments)
    }

    func run() throws {
        var options = meshOptions(kubeconfig: nil, limits: limitOptions.limits)
        options.readsKubeconfig = false
        let topology = try checkScript(file, options).topology
        switch format {
        case .dot: print(topology.dot, terminator: "")
        case .mermaid: print(topology.mermaid, terminator: "")
        }
    }
}
