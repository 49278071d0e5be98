// `meshscript plan` (text, JSON or shell) and `meshscript graph` (DOT or Mermaid).
import ArgumentParser
import Foundation
import MeshScript

enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, shell
}

enum GraphFormat: String, ExpressibleByArgument, CaseIterable {
    case dot, mermaid
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the ordered steps that build the mesh, with the command that carries out each one.",
        discussion: """
            Per cluster, one primary at a time: trust (intermediate CA, namespace, cacerts secret), then install \
            and readiness; then the discovery links. Nothing is run and no secret is printed.
            """)

    @ArgumentParser.Argument(help: "The .mesh script.")
    var file: String

    @Option(name: .long, help: "The work directory the steps refer to (the seed's WORK_DIR).")
    var out: String = "out"

    @Option(name: .long, help: "Output format: text, json, or shell (a bash script of the same commands).")
    var format: PlanFormat = .text

    @OptionGroup var limitOptions: LimitOptions

    func run() throws {
        let engine = try loadValidated(file, limits: limitOptions.limits)
        let options = renderOptions(file, out: out)
        // The kubeconfig decides which remote secrets render can write itself; plan shows the same steps.
        let credentials = try preflight(engine, options: options)
        let plan = Planner.plan(engine.topology, options: MeshRenderer.planOptions(options, credentials: credentials))
        switch format {
        case .text: print(plan.text, terminator: "")
        case .json: print(try plan.json(), terminator: "")
        case .shell: print(plan.shellScript, terminator: "")
        }
    }
}

struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the mesh as a graph: clusters grouped by network, discovery links as edges.",
        discussion: """
            An edge A -> B means B's control plane reads A's API server (B holds A's remote secret).
            Examples:
              meshscript graph examples/three-primaries.mesh | dot -Tpng -o mesh.png
              meshscript graph --format mermaid examples/multi-network.mesh   (paste into a ```mermaid block)
            """)

    @ArgumentParser.Argument(help: "The .mesh script.")
    var file: String

    @Option(name: .long, help: "Output format: dot (graphviz) or mermaid (Markdown diagrams).")
    var format: GraphFormat = .dot

    @OptionGroup var limitOptions: LimitOptions

    func run() throws {
        let engine = try loadValidated(file, limits: limitOptions.limits)
        switch format {
        case .dot: print(engine.topology.dot, terminator: "")
        case .mermaid: print(engine.topology.mermaid, terminator: "")
        }
    }
}
