// What a kubeconfig context says about reaching one cluster's API server: the
// address, the CA that vouches for it, and how the user authenticates. The
// pre-flight checks and the offline remote secret are decided from this alone.

/// How a kubeconfig user authenticates. Only a bearer token can be copied into a
/// remote secret; the others need something istiod does not have.
public enum UserAuth: Sendable, Hashable {
    /// An inline `token`.
    case token(String)
    /// `tokenFile`, resolved against the kubeconfig file's directory.
    case tokenFile(String)
    /// An exec credential plugin (`exec.command`), e.g. `aws`, `gke-gcloud-auth-plugin`.
    case exec(command: String)
    /// `client-certificate(-data)` / `client-key(-data)`; `files` when they are paths
    /// on this machine rather than inline data.
    case clientCertificate(files: Bool)
    /// A legacy `auth-provider` (e.g. `gcp`, `oidc`), by name.
    case authProvider(String)
    /// `username` / `password`.
    case basic
    /// No credentials at all (or the context's user is defined nowhere).
    case none
}

/// What a kubeconfig context says about reaching one cluster's API server: its address, the CA
/// that vouches for it and how the user authenticates.
public struct ClusterCredentials: Sendable, Hashable {
    /// The context's name.
    public var contextName: String
    /// The name of the kubeconfig cluster the context refers to.
    public var clusterName: String
    /// The name of the kubeconfig user the context refers to.
    public var userName: String
    /// `cluster.server` as written.
    public var server: String?
    /// Base64 PEM: `certificate-authority-data`, or the contents of the
    /// `certificate-authority` file encoded (kubectl lets the data win when both are set).
    public var certificateAuthorityData: String?
    /// The resolved `certificate-authority` path, when the CA came (or should have come) from a file.
    public var certificateAuthorityPath: String?
    /// `cluster.insecure-skip-tls-verify`: the client does not verify the API server (and there may be no CA data).
    public var insecureSkipTLSVerify: Bool
    /// The context's default namespace.
    public var namespace: String?
    /// How the user authenticates.
    public var user: UserAuth
    /// The bearer token itself: inline, or read (whitespace-trimmed, as client-go
    /// does) from `tokenFile`. A token wins over `tokenFile`, as in client-go.
    public var bearerToken: String?
    /// Files the context refers to (CA, token file) that could not be read.
    public var unreadableFiles: [String]
    /// The kubeconfig file that defined the context.
    public var sourcePath: String
    /// `cluster.tls-server-name`: the name the API server's certificate is checked against
    /// when it differs from the server address's host (a proxy, an IP address).
    public var tlsServerName: String?

    /// Credentials; see the properties for each argument.
    public init(
        contextName: String, clusterName: String, userName: String, server: String?,
        certificateAuthorityData: String?, certificateAuthorityPath: String? = nil,
        insecureSkipTLSVerify: Bool = false, namespace: String? = nil, user: UserAuth,
        bearerToken: String? = nil, unreadableFiles: [String] = [], sourcePath: String,
        tlsServerName: String? = nil
    ) {
        self.tlsServerName = tlsServerName
        self.contextName = contextName
        self.clusterName = clusterName
        self.userName = userName
        self.server = server
        self.certificateAuthorityData = certificateAuthorityData
        self.certificateAuthorityPath = certificateAuthorityPath
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.namespace = namespace
        self.user = user
        self.bearerToken = bearerToken
        self.unreadableFiles = unreadableFiles
        self.sourcePath = sourcePath
    }
}
