// Pre-flight of the kubeconfig: resolve each cluster's context, refuse two clusters that
// reach one API server, check what istiod needs from each link source, and decide per link
// whether MeshScript can write the remote secret itself. Diagnostics point at the statement
// that needed the data (`kubeconfig`, `context`, `server`).
import Foundation
import MeshDomain
import MeshKube
import MeshScriptInterpreter

/// The kubeconfig pre-flight's result: remote secrets render can write offline, and its diagnostics.
public struct DiscoveryCredentials: Sendable {
    /// Remote secret manifests MeshScript can write offline, by link. They hold bearer
    /// tokens: written with mode 0600, never printed.
    public var offlineSecrets: [DiscoveryLink: String] = [:]
    /// Problems with contexts, API servers or credentials; errors stop render.
    public var diagnostics: [Diagnostic] = []
    /// Where contexts were read from (empty when no kubeconfig was read).
    public var kubeconfigPaths: [String] = []
    /// The kubeconfig of the run; the plan's commands name its ``KubeconfigChoice/flag``.
    public private(set) var kubeconfig: KubeconfigChoice

    /// No kubeconfig read: no offline remote secret (the plan mints or creates them all), no
    /// diagnostic; the commands still name `choice`'s file.
    package static func unread(kubeconfig choice: KubeconfigChoice) -> DiscoveryCredentials { DiscoveryCredentials(kubeconfig: choice) }

    /// Reads the contexts from `choice` (see `MeshRenderer.kubeconfigChoice(for:options:)`).
    /// The kubeconfig is read when a link needs a source's credentials, when the file was named
    /// for this run (it is checked even when nothing needs it yet), or when two clusters can be
    /// compared by API server. Tokens are judged at `now` (expired, short-lived).
    package static func resolve(_ topology: Topology, kubeconfig choice: KubeconfigChoice, now: Date) -> DiscoveryCredentials {
        var result = DiscoveryCredentials(kubeconfig: choice)
        let links = topology.links
        // A `server` statement's address is judged by validation (MeshDomain), with the same
        // MeshKube model used below for the kubeconfig's address.
        let needed = !links.isEmpty || choice.isNamed
        // The link sources are gathered only when a kubeconfig is read (a 100k ring has 100k).
        guard needed || topology.clusters.count > 1,
              let kubeconfig = result.load(choice, topology: topology, links: links, reportFailures: needed) else { return result }
        let sources = Set(links.map(\.source))
        result.kubeconfigPaths = kubeconfig.sourcePaths
        result.checkDistinctServers(topology, kubeconfig)
        for cluster in topology.clusters where sources.contains(cluster.name.value) {
            guard let credentials = result.sourceCredentials(cluster, kubeconfig) else { continue }
            guard let manifest = result.offlineSecret(cluster, credentials, forms: topology.forms, now: now) else { continue }
            for link in links where link.source == cluster.name.value {
                result.offlineSecrets[link] = manifest
            }
        }
        return result
    }

    /// The merged kubeconfig of `choice`, or nil. A named file that does not exist, and any file
    /// that cannot be read, is an error when `reportFailures`; no kubeconfig at all is silent
    /// (nothing to read offline: the plan keeps istioctl's step).
    private mutating func load(_ choice: KubeconfigChoice, topology: Topology, links: [DiscoveryLink], reportFailures: Bool) -> Kubeconfig? {
        var declared: Located<String>?
        if case .script(let statement) = choice.origin { declared = statement }
        let existing = choice.paths.filter { FileManager.default.fileExists(atPath: $0) }
        guard !choice.isNamed || !existing.isEmpty else {
            let (what, help) = declared.map { ("kubeconfig '\($0.value)'", "give the path of a kubeconfig file, relative to the script") }
                ?? ("kubeconfig '\(choice.paths[0])' (--kubeconfig)", "give the path of a kubeconfig file")
            diagnostics.append(.error("\(what) does not exist", at: declared?.range, help: help))
            return nil
        }
        if existing.isEmpty { return nil }
        do {
            return try Kubeconfig.load(paths: existing)
        } catch {
            guard reportFailures else { return nil }
            let sources = Set(links.map(\.source))
            let at = declared?.range ?? topology.clusters.first { sources.contains($0.name.value) }?.statement ?? topology.clusters.first?.statement
            let another = choice.origin == .option ? "give another with --kubeconfig PATH" : "point the script at another one with: kubeconfig \"PATH\""
            diagnostics.append(.error(error.description, at: at, help: "fix the kubeconfig, or \(another)"))
            return nil
        }
    }

    /// Two clusters whose contexts reach one API server are one cluster: apply would set it up
    /// twice. Every cluster whose context is in the kubeconfig takes part; a context shared by
    /// two clusters is validation's error, not repeated here.
    private mutating func checkDistinctServers(_ topology: Topology, _ kubeconfig: Kubeconfig) {
        var seenContexts = Set<String>(), seenNames = Set<String>()
        var first: [String: (cluster: ClusterDeclaration, server: String)] = [:]
        for cluster in topology.clusters where seenNames.insert(cluster.name.value).inserted && seenContexts.insert(cluster.contextName).inserted {
            guard let server = try? kubeconfig.credentials(forContext: cluster.contextName).server?.trimmingCharacters(in: .whitespaces),
                  let address = APIServerAddress(server).normalized else { continue }
            guard let earlier = first[address] else {
                first[address] = (cluster, server)
                continue
            }
            let a = earlier.cluster, b = cluster
            diagnostics.append(.error(
                "clusters '\(a.name.value)' and '\(b.name.value)' reach the same API server, \(server) (contexts '\(a.contextName)' and '\(b.contextName)')",
                at: b.context?.range ?? b.name.range,
                notes: [.init("'\(a.name.value)' reaches \(earlier.server) through context '\(a.contextName)' here", at: a.context?.range ?? a.name.range)],
                help: "each cluster needs a context that reaches its own API server, or apply would set up one cluster twice"))
        }
    }

    /// A link source's credentials, or nil (with the diagnostic) when the remote secret cannot
    /// be written from them: the context is missing or broken, or its server is refused.
    private mutating func sourceCredentials(_ cluster: ClusterDeclaration, _ kubeconfig: Kubeconfig) -> ClusterCredentials? {
        let contextRange = cluster.context?.range ?? cluster.name.range
        let credentials: ClusterCredentials
        do {
            credentials = try kubeconfig.credentials(forContext: cluster.contextName)
        } catch {
            guard case .missingContext(_, let suggestion) = error.kind else {
                // The context is there but its entry is broken (e.g. it names a cluster nobody defines).
                diagnostics.append(.error(error.description, at: contextRange,
                                          help: "fix the context in the kubeconfig, or choose another with: context \"NAME\""))
                return nil
            }
            // A kubeconfig named by the script, the option or $KUBECONFIG was chosen for this mesh: a
            // missing context is an error. A personal ~/.kube/config without the mesh's contexts must
            // not stop a plan or a demo: a warning.
            let severity: Diagnostic.Severity = self.kubeconfig.origin == .home ? .warning : .error
            let fallback = severity == .warning ? "; the plan makes its remote secret on the cluster" : ""
            diagnostics.append(Diagnostic(severity, "context '\(cluster.contextName)' of cluster '\(cluster.name.value)' is not in the kubeconfig (\(kubeconfig.sourcePaths.joined(separator: ":")))\(fallback)",
                                          at: contextRange,
                                          help: suggestion.map { "did you mean '\($0)'?" } ?? "set it with: context \"NAME\" (contexts: \(kubeconfig.contextNames.joined(separator: ", ")))"))
            return nil
        }
        // The address peers dial: an error for the online path too, since istioctl embeds it as well.
        // MeshKube's check is the one that decides whether the secret can be written, so it is the
        // one reported (it also knows ::ffff:127.0.0.1, [::], localhost. ...): a server it refuses
        // must never fall back to istioctl silently.
        if cluster.server == nil, let server = credentials.server, let problem = RemoteSecretPreflight.serverProblem(
            server, origin: "cluster '\(cluster.name.value)': the kubeconfig's API server (context '\(cluster.contextName)')", help: "") {
            diagnostics.append(.error(problem.message, at: contextRange,
                                      help: "override it for the remote secret with: server \"https://HOST:PORT\""))
            return nil
        }
        return credentials
    }

    /// The remote secret render writes for `cluster` from its kubeconfig credentials, or nil (the
    /// plan then mints the reader account's token on the cluster). Least privilege: only the
    /// reader service account's own token (a JWT whose `sub` is that account) is written without
    /// asking; the user's own token needs `token from kubeconfig`, and is warned about. Problems
    /// with the credentials are reported only on these two paths: with the opt-in they are
    /// errors, for a reader token they are warnings and the plan mints a token instead.
    private mutating func offlineSecret(_ cluster: ClusterDeclaration, _ credentials: ClusterCredentials,
                                        forms: IstioForms, now: Date) -> String? {
        let claims = credentials.bearerToken.flatMap(BearerTokenClaims.init(token:))
        let optIn = cluster.tokenFromKubeconfig
        guard optIn != nil || claims?.isReaderAccount == true else { return nil }
        let at = optIn ?? cluster.context?.range ?? cluster.name.range
        let name = cluster.name.value
        var blocked = false
        for problem in RemoteSecretPreflight.credentialProblems(credentials) {
            if problem.severity == .error { blocked = true }
            if optIn != nil, problem.severity == .error {
                diagnostics.append(.error(problem.message, at: at,
                                          help: (problem.help.map { $0 + "; or " } ?? "") + "remove `token from kubeconfig` to use Istio's reader service account"))
            } else {
                let fallback = problem.severity == .error ? "; the plan mints the reader account's token on '\(name)' instead" : ""
                diagnostics.append(.warning(problem.message + fallback, at: at, help: problem.help))
            }
        }
        if blocked { return nil }
        if optIn != nil, claims?.isReaderAccount != true {
            let whose = claims?.subject.map { " (\($0))" } ?? ""
            diagnostics.append(.warning(
                "the remote secret of '\(name)' carries user '\(credentials.userName)''s own token\(whose) from context '\(credentials.contextName)', copied into every cluster that discovers '\(name)'",
                at: at, help: "remove `token from kubeconfig` to give the other clusters the token of Istio's read-only reader service account, as istioctl does"))
        }
        if let problem = claims?.lifetimeProblem(now: now) {
            let instead = optIn != nil ? ", or remove `token from kubeconfig` so the plan mints the reader account's token" : ""
            diagnostics.append(.warning("the token of user '\(credentials.userName)' (context '\(credentials.contextName)') \(problem)", at: at,
                                        help: "give the context a long-lived token" + instead))
        }
        return RemoteSecret.manifest(cluster: name, credentials: credentials, serverOverride: cluster.server?.value, forms: forms)
    }
}
