// The work directory's layout: where `render` puts each file, and the paths the plan names.
import MeshKube

/// Where `render` puts each file; the planner and the renderer share these names.
public struct WorkLayout: Sendable {
    /// The work directory (WORK_DIR) every path is under.
    public var root: String
    /// The layout of the work directory `root`.
    public init(_ root: String) { self.root = root }

    /// The file (or directory) `file` under the work directory, in its directory `directory`
    /// when one is given (a cluster's name: `root/c/file`).
    public func path(_ file: String, in directory: String? = nil) -> String {
        guard let directory else { return String(concatenating: root, "/", file) }
        return String(concatenating: root, "/", directory, "/", file)
    }

    /// The path of `file` under the work directory.
    func path(_ file: WorkFile) -> String { path(file.name, in: file.directory) }

    /// The mesh root CA certificate.
    public var rootCertificate: String { path(.rootCertificate) }
    /// The root CA's private key.
    public var rootKey: String { path(.rootKey) }
    /// Cluster `c`'s intermediate CA certificate.
    public func caCertificate(_ c: String) -> String { path(.caCertificate(c)) }
    /// Cluster `c`'s intermediate CA private key.
    public func caKey(_ c: String) -> String { path(.caKey(c)) }
    /// The root certificate as cluster `c`'s cacerts carries it.
    public func rootCertificateCopy(_ c: String) -> String { path(.rootCertificateCopy(c)) }
    /// Cluster `c`'s chain: its intermediate, then the root.
    public func certificateChain(_ c: String) -> String { path(.certificateChain(c)) }
    /// The `cacerts` Secret manifest for cluster `c`'s istio-system.
    public func cacertsSecret(_ c: String) -> String { path(.cacertsSecret(c)) }
    /// The istio-system Namespace manifest for cluster `c` (with its network label when needed).
    public func namespace(_ c: String) -> String { path(.namespace(c)) }
    /// The IstioOperator that `istioctl install` applies to cluster `c`.
    public func install(_ c: String) -> String { path(.install(c)) }
    /// The IstioOperator for cluster `c`'s east-west gateway.
    public func eastWestGateway(_ c: String) -> String { path(.eastWestGateway(c)) }
    /// The Gateway exposing cluster `c`'s services on the east-west gateway.
    public func crossNetworkGateway(_ c: String) -> String { path(.crossNetworkGateway(c)) }
    /// The Gateway and VirtualService exposing primary `c`'s istiod to its remotes.
    public func exposeIstiod(_ c: String) -> String { path(.exposeIstiod(c)) }
    /// Istio's reader ServiceAccount, ClusterRole/Binding and token Secret for cluster `c`,
    /// applied to `c` when its remote secret carries a token minted there.
    public func readerAccount(_ c: String) -> String { path(.readerAccount(c)) }
    /// The secret `target` applies so it can read `source`'s API server.
    public func remoteSecret(source: String, target: String) -> String { path(.remoteSecret(source: source, target: target)) }
    /// The values file of `chart` for cluster `c`, in a directory of its own so that
    /// `kubectl apply -f WORK_DIR/C/` never reads it as a manifest.
    public func helmValues(_ c: String, _ chart: HelmChart) -> String { path(.helmValues(c, chart)) }
    /// The plan as JSON, written by render.
    public var planJSON: String { path(.planJSON) }
}

/// A file of the work directory that a plan names, as its parts: a cluster's directory (or
/// none, the top) and the file's name. The planner hands its steps' files to its sink this
/// way: plan.json is written from the parts, and a path String is made only for a ``Plan``
/// that keeps it (a 100,000-cluster plan names 900,000 files).
struct WorkFile {
    /// The cluster whose directory holds the file; nil: the work directory itself.
    var directory: String?
    /// The file's name (a literal for all but a remote secret's and a chart's values).
    var name: String

    static let rootCertificate = WorkFile(directory: nil, name: "root-cert.pem")
    static let rootKey = WorkFile(directory: nil, name: "root-key.pem")
    static let planJSON = WorkFile(directory: nil, name: "plan.json")
    static func caCertificate(_ c: String) -> WorkFile { WorkFile(directory: c, name: "ca-cert.pem") }
    static func caKey(_ c: String) -> WorkFile { WorkFile(directory: c, name: "ca-key.pem") }
    static func rootCertificateCopy(_ c: String) -> WorkFile { WorkFile(directory: c, name: "root-cert.pem") }
    static func certificateChain(_ c: String) -> WorkFile { WorkFile(directory: c, name: "cert-chain.pem") }
    static func cacertsSecret(_ c: String) -> WorkFile { WorkFile(directory: c, name: "cacerts-secret.yaml") }
    static func namespace(_ c: String) -> WorkFile { WorkFile(directory: c, name: "istio-system-namespace.yaml") }
    static func install(_ c: String) -> WorkFile { WorkFile(directory: c, name: "install.yaml") }
    static func eastWestGateway(_ c: String) -> WorkFile { WorkFile(directory: c, name: "eastwest-gateway.yaml") }
    static func crossNetworkGateway(_ c: String) -> WorkFile { WorkFile(directory: c, name: "cross-network-gateway.yaml") }
    static func exposeIstiod(_ c: String) -> WorkFile { WorkFile(directory: c, name: "expose-istiod.yaml") }
    static func readerAccount(_ c: String) -> WorkFile { WorkFile(directory: c, name: "reader-service-account.yaml") }
    static func remoteSecret(source: String, target: String) -> WorkFile {
        WorkFile(directory: target, name: String(concatenating: "remote-secret-", source, ".yaml"))
    }
    static func helmValues(_ c: String, _ chart: HelmChart) -> WorkFile {
        WorkFile(directory: c, name: String(concatenating: "helm/", chart.rawValue, "-values.yaml"))
    }

    /// Cluster `c`'s intermediate CA files, in the order its cacerts secret takes them.
    static func certificates(_ c: String) -> [WorkFile] { [caCertificate(c), caKey(c), rootCertificateCopy(c), certificateChain(c)] }
}
