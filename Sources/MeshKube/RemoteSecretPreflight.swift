// Checks, before anything is applied, that a cluster's kubeconfig credentials can
// become a remote secret other clusters' istiod can use (spec "Checks users need
// before anything is applied", item 1, and what istiod can do with a kubeconfig).

/// A reason a cluster's kubeconfig credentials cannot (or should not) go into a remote secret.
public struct PreflightProblem: Sendable, Hashable, CustomStringConvertible {
    /// Whether the problem blocks the remote secret.
    public enum Severity: Sendable, Hashable {
        /// The remote secret cannot be written from these credentials.
        case error
        /// Worth telling the user; nothing is blocked.
        case warning
    }

    /// What is wrong.
    public var message: String
    /// What the user can do about it (nil: nothing to add).
    public var help: String?
    /// Error or warning.
    public var severity: Severity

    /// A problem; an error unless `severity` says otherwise.
    public init(message: String, help: String? = nil, severity: Severity = .error) {
        self.message = message
        self.help = help
        self.severity = severity
    }

    /// `error: message (help: ...)` or `warning: ...`.
    public var description: String {
        "\(severity == .error ? "error" : "warning"): \(message)" + (help.map { " (help: \($0))" } ?? "")
    }
}

/// The checks made before anything is applied that a context's credentials can become a remote
/// secret istiod in the other clusters can use.
public enum RemoteSecretPreflight {
    /// Problems with putting `credentials` into a remote secret.
    ///
    /// - The server (the override when given, else the kubeconfig's) must exist, be
    ///   `https://` and not loopback (`127.0.0.0/8`, `localhost`, `[::1]`, `::1`; also
    ///   the unspecified `0.0.0.0` / `::`): peers cannot reach it.
    /// - CA data must be available (istiod verifies the API server;
    ///   `insecure-skip-tls-verify` does not carry over).
    /// - The user must have a bearer token: exec plugins, auth providers, client
    ///   certificates and basic auth cannot go into the secret.
    /// - A context default namespace other than istio-system is a warning: the
    ///   secret always goes to istio-system.
    public static func check(credentials: ClusterCredentials, serverOverride: String?) -> [PreflightProblem] {
        serverProblems(credentials: credentials, serverOverride: serverOverride) + credentialProblems(credentials)
    }

    /// The address part of ``check(credentials:serverOverride:)``: the server peers will dial.
    static func serverProblems(credentials: ClusterCredentials, serverOverride: String?) -> [PreflightProblem] {
        var problems: [PreflightProblem] = []
        let context = "context '\(credentials.contextName)'"
        let serverHelp = "give the cluster an API server address the other clusters can reach: server \"https://HOST:PORT\""

        if let override = serverOverride {
            if let problem = serverProblem(override, origin: "the server given for \(context)", help: serverHelp) {
                problems.append(problem)
            }
        } else if let server = credentials.server {
            let origin = "the API server address of \(context) (cluster '\(credentials.clusterName)')"
            if let problem = serverProblem(server, origin: origin, help: serverHelp) { problems.append(problem) }
        } else {
            problems.append(
                PreflightProblem(
                    message: "cluster '\(credentials.clusterName)' of \(context) has no server address",
                    help: serverHelp))
        }
        return problems
    }

    /// Everything ``check(credentials:serverOverride:)`` looks at except the server address:
    /// CA data, the user's credentials and the context's default namespace. A host that checks
    /// the address itself (for example against a `server` override) asks only this.
    public static func credentialProblems(_ credentials: ClusterCredentials) -> [PreflightProblem] {
        var problems: [PreflightProblem] = []
        let context = "context '\(credentials.contextName)'"
        if credentials.certificateAuthorityData == nil {
            if let path = credentials.certificateAuthorityPath, credentials.unreadableFiles.contains(path) {
                problems.append(
                    PreflightProblem(
                        message: "cannot read the certificate-authority file '\(path)' of \(context)",
                        help: "fix the path (relative paths are resolved against \(credentials.sourcePath)'s directory)"))
            } else if credentials.insecureSkipTLSVerify {
                problems.append(
                    PreflightProblem(
                        message:
                            "\(context) skips TLS verification and has no CA data; istiod in the other clusters needs the API server's CA to verify it",
                        help: "add certificate-authority-data for cluster '\(credentials.clusterName)'"))
            } else {
                problems.append(
                    PreflightProblem(
                        message: "cluster '\(credentials.clusterName)' of \(context) has no CA data; istiod needs it to verify the API server",
                        help: "add certificate-authority-data (or certificate-authority) for the cluster"))
            }
        }

        let tokenHelp =
            "use a context whose user has a bearer token (e.g. istio-reader-service-account's)"
        let user = "user '\(credentials.userName)' of \(context)"
        switch credentials.user {
        case .token:
            break
        case .tokenFile(let path):
            if credentials.bearerToken == nil {
                let reason = credentials.unreadableFiles.contains(path) ? "cannot be read" : "is empty"
                problems.append(PreflightProblem(message: "the tokenFile '\(path)' of \(user) \(reason)", help: tokenHelp))
            }
        case .exec(let command):
            problems.append(
                PreflightProblem(
                    message: "\(user) authenticates with the exec plugin '\(command)'; istiod cannot run it, so these credentials cannot go into a remote secret",
                    help: tokenHelp))
        case .authProvider(let name):
            problems.append(
                PreflightProblem(
                    message: "\(user) authenticates with the auth provider '\(name)'; istiod cannot use it in a remote secret",
                    help: tokenHelp))
        case .clientCertificate(let files):
            let detail =
                files
                ? "with client certificate files on this machine, which istiod cannot read"
                : "with a client certificate; a remote secret carries a bearer token"
            problems.append(PreflightProblem(message: "\(user) authenticates \(detail)", help: tokenHelp))
        case .basic:
            problems.append(
                PreflightProblem(
                    message: "\(user) authenticates with a username and password; a remote secret carries a bearer token",
                    help: tokenHelp))
        case .none:
            problems.append(PreflightProblem(message: "\(user) has no credentials", help: tokenHelp))
        }

        if let namespace = credentials.namespace, namespace != RemoteSecret.namespace {
            problems.append(
                PreflightProblem(
                    message: "\(context) defaults to namespace '\(namespace)'; the remote secret is still written to istio-system",
                    severity: .warning))
        }
        return problems
    }

    /// True when MeshScript can write the remote secret itself: a server, CA data
    /// and a bearer token are all available without contacting the cluster, and
    /// ``check(credentials:serverOverride:)`` finds no error (so a loopback or
    /// plain-http server also makes this false).
    public static func offlineSecretPossible(credentials: ClusterCredentials, serverOverride: String?) -> Bool {
        guard serverOverride ?? credentials.server != nil,
            credentials.certificateAuthorityData != nil,
            credentials.bearerToken != nil
        else { return false }
        return !check(credentials: credentials, serverOverride: serverOverride).contains { $0.severity == .error }
    }

    /// Why istiod in another cluster cannot dial `server` (empty, no host, loopback, not
    /// `https://`), or nil. `origin` names where the address came from, for the message.
    public static func serverProblem(_ server: String, origin: String, help: String) -> PreflightProblem? {
        let trimmed = server.trimmingCharacters(in: .whitespaces)
        switch APIServerAddress(trimmed).problem {
        case nil: return nil
        case .empty: return PreflightProblem(message: "\(origin) is empty", help: help)
        case .notHTTPS:
            return PreflightProblem(message: "\(origin), \(trimmed), is not an https:// URL; istiod talks to API servers over TLS", help: help)
        case .noHost: return PreflightProblem(message: "\(origin), \(trimmed), has no host", help: help)
        case .loopback:
            return PreflightProblem(message: "\(origin), \(trimmed), is a loopback address; istiod in the other clusters cannot reach it", help: help)
        }
    }
}
