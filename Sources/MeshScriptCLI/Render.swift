// `meshscript render`: the work directory, with a progress line on a terminal.
import Foundation
import MeshCommandLine
import MeshScript

struct Render: MeshSubcommand {
    static let name = "render"

    static let declaration = CommandDeclaration(
        name: name,
        abstract: "Write the mesh's artifacts into a work directory: CA certificates, cacerts secrets, IstioOperator files, remote secrets, plan.json.",
        discussion: """
            The layout is the seed's ${WORK_DIR}: root-cert.pem and root-key.pem at the top, and per cluster \
            ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem, cacerts-secret.yaml and install.yaml. \
            Keys are written with mode 0600, atomically. An existing root is reused and never replaced; an existing \
            intermediate is reused when it still verifies against the root, otherwise render stops unless you pass \
            --rotate for that cluster. Running render again changes nothing that is already right (and needs no write \
            access then). The changed files are put in place together: a render killed while doing so is completed \
            by the next render, apply or status, from the journal DIR/.meshscript-commit.json.
            """,
        arguments: [
            .positional("file", help: "The .mesh script."),
            .option("out", help: "The work directory to write (created when missing).", required: true, completion: .directory),
            .repeatableOption("rotate", valueName: "cluster", help: "Re-issue this cluster's intermediate CA (repeatable)."),
            .option("gitops", valueName: "controller", help: "Also write a git-ready tree for this GitOps controller into DIR/gitops: argocd or flux.",
                    allowedValues: GitOpsController.allCases.map { $0.rawValue }),
            .flag("quiet", short: "q", help: "Print only errors."),
        ] + KubeconfigOptions.arguments + LockOptions.arguments + LimitOptions.arguments)

    var file: String
    var out: String
    var rotate: [String]
    var gitops: GitOpsController?
    var quiet: Bool
    var kubeconfigOptions: KubeconfigOptions
    var lockOptions: LockOptions
    var limitOptions: LimitOptions

    init(_ arguments: ParsedArguments) throws(UsageError) {
        file = arguments.required("file")
        out = arguments.required("out")
        rotate = arguments.values("rotate")
        gitops = try arguments.choice("gitops")
        quiet = arguments.flag("quiet")
        kubeconfigOptions = KubeconfigOptions(arguments)
        lockOptions = LockOptions(arguments)
        limitOptions = try LimitOptions(arguments)
    }

    func run() throws {
        // Pre-flight errors stop here (render itself would refuse them as `.diagnostics`).
        var options = meshOptions(out: out, kubeconfig: kubeconfigOptions.kubeconfig, limits: limitOptions.limits, rotate: rotate)
        options.gitops = gitops
        let mesh = try checkScript(file, options)
        try mesh.checkRotate(rotate, file: file)
        let credentials = mesh.credentials
        let lock = try lockWorkDirectory(out, options: lockOptions, quiet: quiet)
        defer { withExtendedLifetime(lock) {} }
        let progress = Progress(quiet: quiet)
        let summary: RenderSummary
        do {
            summary = try mesh.render { event in progress.begin(event.progressText) }
        } catch {
            progress.clear()
            printRenderFailure(error)
            if case .trust = error {
                var stderr = StandardError()
                print("render stopped; no file was half-written", to: &stderr)
            }
            throw Exit.scriptErrors
        }
        progress.clear()
        guard !quiet else { return }
        if let trust = summary.trust {
            print("root CA: \(trust.rootCertificate) (SHA-256 \(trust.rootFingerprint))")
        }
        for remark in summary.remarks { print(remark) }
        let offline = credentials.offlineSecrets.count
        let links = summary.plan.links.count
        if links > 0 {
            // The others are minted at apply from each source's reader account, or (older releases) by istioctl.
            let others = mesh.topology.forms.mintsReaderToken ? "the plan mints the others from each source's reader service account" : "the plan creates the others with istioctl"
            print("remote secrets: \(offline) of \(links) written from kubeconfig\(offline < links ? "; " + others : "")")
        }
        print("wrote \(out): " + summary.counts)
        if let gitops { printGitOpsNext(gitops, topology: mesh.topology) } else { print("next: meshscript plan \(file) --out \(out)") }
    }

    /// Where the tree is, how secrets get in, and what to run next.
    func printGitOpsNext(_ controller: GitOpsController, topology: Topology) {
        let tree = WorkLayout(out).gitOps
        let objects = controller == .argocd ? "\(tree)/argocd/applicationset.yaml" : "\(tree)/flux/ (kubectl apply -k)"
        print("gitops tree: \(tree): commit it to \(topology.mesh?.gitops?.repository.value ?? "the repository")\(topology.mesh?.gitops?.path.map { " under \($0.value)/" } ?? ""); the controller's objects: \(objects)")
        let secrets = topology.mesh?.secrets?.value ?? .apply
        print("secrets: \(secrets.summary)")
        if secrets == .apply {
            print("next, before the controller's first sync (istiod reads cacerts only at start): meshscript apply \(Plan.Command([file]).displayString) --out \(Plan.Command([out]).displayString) --secrets-only")
        }
    }
}

extension RenderEvent {
    /// What render is doing, for the progress line.
    var progressText: String {
        switch self {
        case .trust(.generatingRoot(let key)): "generating the root CA key (\(key))"
        case .trust(.issuingIntermediates(let total)): "issuing \(total) intermediate CA\(total == 1 ? "" : "s")"
        case .trust(.issuedIntermediate(let cluster, let completed, let total)): "intermediate CAs \(completed)/\(total) (\(cluster))"
        case .trust(.wroteFile(_, let completed, let total)): "writing certificates \(completed)/\(total)"
        case .wroteManifest(let path): "wrote \(path)"
        }
    }
}
