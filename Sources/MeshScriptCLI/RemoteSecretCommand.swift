// `meshscript remote-secret`: the plan's way of minting a remote secret without a shell. It
// reads the token Secret of Istio's reader service account on the source cluster with kubectl
// and prints the remote secret `istioctl create-remote-secret` would, for `kubectl apply -f -`.
// It refuses to print to a terminal: the token is meant for the pipe only.
import Foundation
import MeshCommandLine
import MeshScript

struct RemoteSecretCommand: MeshSubcommand {
    static let name = "remote-secret"

    static let declaration = CommandDeclaration(
        name: name,
        abstract: "Print a cluster's remote secret carrying the token of Istio's reader service account (the plan pipes it into `kubectl apply -f -`).",
        discussion: """
            Reads the Secret istio-system/\(ReaderAccount.tokenSecretName) with `kubectl get` (the plan \
            applies it first, from WORK_DIR/CLUSTER/reader-service-account.yaml) and prints the remote secret \
            as the --istio release's `istioctl create-remote-secret` would. The server is --server, else the \
            context's; the context's tls-server-name is carried over for Istio 1.26 and later. \
            Standard output must not be a terminal. Exit codes: 0 printed, 64 usage, 69 the cluster \
            could not be read.
            """,
        arguments: [
            .option("name", help: "The source cluster's name (the secret's data key, annotation and name suffix).", required: true),
            .option("server", help: "The API server address peers dial (default: the context's server)."),
            .option("istio", help: "The targeted Istio release: 1.N (default: the newest MeshScript knows)."),
            .option("kubeconfig", help: "The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).", completion: .file),
            .option("context", help: "The source cluster's kubeconfig context.", required: true),
        ])

    var name: String
    var server: String?
    var istio: String
    var kubeconfig: String?
    var context: String

    init(_ arguments: ParsedArguments) throws(UsageError) {
        name = arguments.required("name")
        server = arguments.value("server")
        istio = arguments.string("istio", default: IstioReleases.newest.description)
        kubeconfig = arguments.value("kubeconfig")
        context = arguments.required("context")
        try validate()
    }

    /// The forms of `--istio`: "current" and "latest" are the newest release, as in a script.
    private var forms: IstioForms? {
        if istio == "current" || istio == "latest" { return IstioReleases.table.last }
        return IstioRelease(parsing: istio).flatMap { $0 >= IstioReleases.oldest ? IstioReleases.forms(for: $0) : nil }
    }

    func validate() throws(UsageError) {
        guard forms != nil else {
            throw UsageError("unsupported Istio release \"\(istio)\": use 1.N, from \(IstioReleases.oldest) on")
        }
        guard isatty(1) != 1 else {
            throw UsageError("refusing to print a token to a terminal: pipe the output into `kubectl apply -f -`")
        }
    }

    func run() throws {
        let environment = processEnvironment()
        let request = MintedRemoteSecret.Request(cluster: name, access: ClusterAccess(kubeconfig: kubeconfig, context: context),
                                                 server: server, forms: forms!)
        do throws(MintedRemoteSecret.Failure) {
            print(try MintedRemoteSecret.manifest(request, environment: environment, home: environment["HOME"] ?? NSHomeDirectory()),
                  terminator: "")
        } catch {
            var stderr = StandardError()
            print("error: \(error.description)", to: &stderr)
            throw Exit.clustersRefused
        }
    }
}
