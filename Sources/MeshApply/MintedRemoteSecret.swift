// The remote secret whose token is minted on the source cluster: read the token Secret of
// Istio's reader service account with `kubectl get -o json` (the token controller fills it in
// after `kubectl apply` created it) and build the Secret istioctl would print. What `meshscript
// remote-secret` prints into `kubectl apply -f -`; the token is held in memory only.
import Foundation
import MeshDomain
import MeshKube

/// Builds a remote secret from the reader account's token Secret on the source cluster.
public enum MintedRemoteSecret {
    /// Why the remote secret could not be built; never holds the token.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// One line, with kubectl's own reason when it failed (redacted).
        public var description: String
    }

    /// What to build: the source cluster's name, how kubectl reaches it, the address the script
    /// gives peers (nil: the kubeconfig's) and the release whose istioctl output to match.
    public struct Request: Sendable {
        /// The source cluster's name (`--name`).
        public var cluster: String
        /// The kubeconfig and context of the source cluster.
        public var access: ClusterAccess
        /// The script's `server`; nil: the context's server from the kubeconfig.
        public var server: String?
        /// The forms of the targeted release (the remote secret's shape).
        public var forms: IstioForms

        /// A request with every field given.
        public init(cluster: String, access: ClusterAccess, server: String?, forms: IstioForms) {
            self.cluster = cluster
            self.access = access
            self.server = server
            self.forms = forms
        }
    }

    /// The manifest for `request`. The token Secret is read up to `attempts` times, `pause`
    /// seconds apart, while its `token` or `ca.crt` is still empty (istioctl waits 5 times 1 s).
    public static func manifest(_ request: Request, environment: [String: String], home: String,
                                attempts: Int = 6, pause: Double = 1, timeout: Double = 20) throws(Failure) -> String {
        let (server, tlsServerName) = try address(request, environment: environment, home: home)
        for attempt in 1...max(1, attempts) {
            if let (token, ca) = try readTokenSecret(request.access, environment: environment, timeout: timeout) {
                let contents = RemoteSecret.Contents(cluster: request.cluster, server: server, certificateAuthorityData: ca,
                                                     token: token, tlsServerName: tlsServerName)
                return RemoteSecret.manifest(contents, forms: request.forms)
            }
            if attempt < attempts { Thread.sleep(forTimeInterval: pause) }
        }
        // Worded without "token X" or "secret X", which apply's redaction would mask.
        throw Failure(description: "the reader account's credentials in context '\(request.access.context)' are still empty after \(attempts) reads; is kube-controller-manager running?")
    }

    /// The server peers dial (the request's, else the kubeconfig context's) and the context
    /// cluster's `tls-server-name`; an address peers cannot reach is refused, as render does.
    static func address(_ request: Request, environment: [String: String], home: String) throws(Failure) -> (String, String?) {
        let paths = request.access.kubeconfig.map { [$0] } ?? Kubeconfig.defaultPaths(environment: environment, home: home)
        let credentials = try? Kubeconfig.load(paths: paths.filter { FileManager.default.fileExists(atPath: $0) })
            .credentials(forContext: request.access.context)
        guard let server = request.server ?? credentials?.server else {
            throw Failure(description: "context '\(request.access.context)' has no server address in \(paths.joined(separator: ":")); give it with --server")
        }
        if let problem = RemoteSecretPreflight.serverProblem(server, origin: "the API server address \(server)", help: "") {
            throw Failure(description: problem.message)
        }
        return (server, credentials?.tlsServerName)
    }

    /// `token` (decoded) and `ca.crt` (base64, as a kubeconfig holds it) of the token Secret, or
    /// nil while either is missing.
    static func readTokenSecret(_ access: ClusterAccess, environment: [String: String], timeout: Double) throws(Failure) -> (String, String)? {
        let arguments = ["kubectl"] + access.flags
            + ["get", "secret", ReaderAccount.tokenSecretName, "-n", RemoteSecret.namespace, "-o", "json", "--request-timeout=\(Int(timeout))s"]
        let result: ToolCallResult
        do throws(ToolCall.Failure) {
            result = try ToolCall.run(arguments, environment: environment, timeout: timeout + 2)
        } catch {
            switch error {
            case .notFound(let program): throw Failure(description: "\(program): not found on PATH")
            case .launchFailed(let program, let message): throw Failure(description: "\(program) could not be started: \(message)")
            }
        }
        guard result.succeeded else {
            let reason = result.timedOut ? "no answer within \(Int(timeout)) s" : result.standardError.split(separator: "\n").last.map(String.init) ?? "kubectl failed"
            throw Failure(description: "cannot read the reader account's credentials in context '\(access.context)': \(reason)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: result.output) as? [String: Any] else {
            throw Failure(description: "kubectl's answer for the reader account's credentials is not a JSON object")
        }
        let data = object["data"] as? [String: Any] ?? [:]
        guard let encoded = data["token"] as? String, let ca = data["ca.crt"] as? String, !ca.isEmpty,
              let decoded = Data(base64Encoded: encoded), let token = String(data: decoded, encoding: .utf8), !token.isEmpty else { return nil }
        return (token, ca)
    }
}
