// Pre-flight for discovery: resolve each link source's kubeconfig context, check what
// istiod needs, and decide per link whether MeshScript can write the remote secret itself.
// Diagnostics point at the statement that needed the data (`kubeconfig`, `context`, `server`).
import Foundation
import MeshDomain
import MeshKube
import MeshScriptInterpreter

public struct DiscoveryCredentials {
    /// Remote secret manifests MeshScript can write offline, by link. They hold bearer
    /// tokens: written with mode 0600, never printed.
    public var offlineSecrets: [DiscoveryLink: String] = [:]
    public var diagnostics: [Diagnostic] = []
    /// Where contexts were read from (empty when no kubeconfig exists).
    public var kubeconfigPaths: [String] = []

    /// - Parameters:
    ///   - scriptDirectory: anchors a relative `kubeconfig "PATH"`.
    public static func resolve(_ topology: Topology, scriptDirectory: String, environment: [String: String], home: String) -> DiscoveryCredentials {
        var result = DiscoveryCredentials()
        let links = topology.links
        let sources = Set(links.map(\.source))
        // A `server` statement's address is judged by validation (MeshDomain), with the same
        // MeshKube model used below for the kubeconfig's address.
        // A kubeconfig the script names is checked even when no link needs it yet.
        guard !sources.isEmpty || topology.kubeconfig != nil else { return result }

        var paths: [String]
        if let declared = topology.kubeconfig {
            let path = MeshRenderer.resolve(declared.value, scriptDirectory: scriptDirectory)
            guard FileManager.default.fileExists(atPath: path) else {
                result.diagnostics.append(.error("kubeconfig '\(declared.value)' does not exist", at: declared.range,
                                                 help: "give the path of a kubeconfig file, relative to the script"))
                return result
            }
            paths = [path]
        } else {
            paths = Kubeconfig.defaultPaths(environment: environment, home: home).filter { FileManager.default.fileExists(atPath: $0) }
            // No kubeconfig at all: nothing to read offline; the plan keeps istioctl's step.
            if paths.isEmpty { return result }
        }
        let kubeconfig: Kubeconfig
        do {
            kubeconfig = try Kubeconfig.load(paths: paths)
        } catch {
            result.diagnostics.append(.error(error.description, at: topology.kubeconfig?.range ?? topology.clusters.first { sources.contains($0.name.value) }?.statement,
                                             help: "fix the kubeconfig, or point the script at another one with: kubeconfig \"PATH\""))
            return result
        }
        result.kubeconfigPaths = kubeconfig.sourcePaths
        guard !sources.isEmpty else { return result }

        for cluster in topology.clusters where sources.contains(cluster.name.value) {
            let contextRange = cluster.context?.range ?? cluster.name.range
            let credentials: ClusterCredentials
            do {
                credentials = try kubeconfig.credentials(forContext: cluster.contextName)
            } catch {
                guard case .missingContext(_, let suggestion) = error.kind else {
                    // The context is there but its entry is broken (e.g. it names a cluster nobody defines).
                    result.diagnostics.append(.error(error.description, at: contextRange,
                                                     help: "fix the context in the kubeconfig, or choose another with: context \"NAME\""))
                    continue
                }
                // A kubeconfig named by the script or $KUBECONFIG was chosen for this mesh: a missing
                // context is an error. A personal ~/.kube/config without the mesh's contexts must
                // not stop a plan or a demo: a warning.
                let chosen = topology.kubeconfig != nil || !(environment["KUBECONFIG"] ?? "").isEmpty
                let severity: Diagnostic.Severity = chosen ? .error : .warning
                let fallback = severity == .warning ? "; the plan keeps `istioctl create-remote-secret` for it" : ""
                result.diagnostics.append(Diagnostic(severity, "context '\(cluster.contextName)' of cluster '\(cluster.name.value)' is not in the kubeconfig (\(kubeconfig.sourcePaths.joined(separator: ":")))\(fallback)",
                                                 at: contextRange,
                                                 help: suggestion.map { "did you mean '\($0)'?" } ?? "set it with: context \"NAME\" (contexts: \(kubeconfig.contextNames.joined(separator: ", ")))"))
                continue
            }
            // The address peers dial: an error for the online path too, since istioctl embeds it as well.
            // MeshKube's check is the one that decides whether the secret can be written, so it is the
            // one reported (it also knows ::ffff:127.0.0.1, [::], localhost. ...): a server it refuses
            // must never fall back to istioctl silently.
            if cluster.server == nil, let server = credentials.server, let problem = RemoteSecretPreflight.serverProblem(
                server, origin: "cluster '\(cluster.name.value)': the kubeconfig's API server (context '\(cluster.contextName)')", help: "") {
                result.diagnostics.append(.error(problem.message, at: contextRange,
                                                 help: "override it for the remote secret with: server \"https://HOST:PORT\""))
                continue
            }
            // Credential problems only rule out writing the secret offline; the manifest is nil then.
            for problem in RemoteSecretPreflight.credentialProblems(credentials) {
                let fallback = problem.severity == .error ? "; the plan keeps `istioctl create-remote-secret` for this cluster" : ""
                result.diagnostics.append(.warning(problem.message + fallback, at: contextRange, help: problem.help))
            }
            guard let manifest = RemoteSecret.manifest(cluster: cluster.name.value, credentials: credentials, serverOverride: cluster.server?.value) else { continue }
            for link in links where link.source == cluster.name.value {
                result.offlineSecrets[link] = manifest
            }
        }
        return result
    }
}
