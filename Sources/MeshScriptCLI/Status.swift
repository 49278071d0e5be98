// `meshscript status`: what state is the mesh in? Reads every cluster (read-only) and prints,
// for each cluster and each link, what the script wants next to what is there.
import Foundation
import MeshCommandLine
import MeshScript

/// `status --format`.
enum StatusFormat: String, CaseIterable {
    case text, json
}

struct Status: MeshSubcommand {
    static let name = "status"

    static let declaration = CommandDeclaration(
        name: name,
        abstract: "Read every cluster and compare it with the script: one line per object and link, with a verdict.",
        discussion: """
            Verdicts: in sync, missing, differs, unreachable. The clusters are read with `kubectl get -o json` \
            (read-only, concurrently, each within --timeout). The cacerts secret is compared with the work \
            directory (--out): its root must be the work directory's root, its intermediate the one rendered there. \
            --verify also asks each primary's istiod, with `istioctl remote-clusters`, whether it synced each link. \
            Exit codes: 0 the mesh is as the script describes it, 1 it is not (or a cluster is unreachable), \
            64 usage, 65 the script has errors. No key or token is ever printed.
            """,
        arguments: [
            .positional("file", help: "The .mesh script."),
            .option("out", help: "The work directory holding the mesh's root and intermediates (the seed's WORK_DIR).", defaultValue: "out",
                    completion: .directory),
            .option("format", help: "Output format: text or json.", defaultValue: "text", allowedValues: StatusFormat.allCases.map { $0.rawValue }),
            .flag("verify", help: "Also run `istioctl remote-clusters` on each primary and report whether each link is synced."),
        ] + ReadOptions.arguments + KubeconfigOptions.arguments + LimitOptions.arguments)

    var file: String
    var out: String
    var format: StatusFormat
    var verify: Bool
    var readOptions: ReadOptions
    var kubeconfigOptions: KubeconfigOptions
    var limitOptions: LimitOptions

    init(_ arguments: ParsedArguments) throws(UsageError) {
        file = arguments.required("file")
        out = arguments.string("out", default: "out")
        format = try arguments.choice("format") ?? .text
        verify = arguments.flag("verify")
        readOptions = try ReadOptions(arguments)
        kubeconfigOptions = KubeconfigOptions(arguments)
        limitOptions = try LimitOptions(arguments)
    }

    func run() throws {
        let mesh = try checkScript(file, meshOptions(out: out, kubeconfig: kubeconfigOptions.kubeconfig, limits: limitOptions.limits))
        completeInterruptedCommit(out)
        var status = MeshStatus(mesh.live(try observeClusters(mesh, timeout: readOptions.timeout)))
        if verify {
            RemoteClusters.verify(&status, plan: mesh.plan, environment: mesh.options.environment, timeout: readOptions.timeout)
        }
        switch format {
        case .text: print(status.text, terminator: "")
        case .json: print(try status.json(), terminator: "")
        }
        if status.conflicts.contains(where: { $0.expectedRoot == nil }) {
            var stderr = StandardError()
            print("note: \(out) holds no root-cert.pem; if apply used another work directory, pass it with --out", to: &stderr)
        }
        if !status.inSync { throw ExitCode(1) }
    }
}
