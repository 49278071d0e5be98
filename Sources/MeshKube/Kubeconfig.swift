// Reads kubeconfig files and merges them the way kubectl (client-go's
// `ClientConfigLoadingRules.Load`) does, so a context name means the same cluster
// to MeshScript as it does to `kubectl --context`.
//
// Merge rules (client-go loader.go): files are read in order; for clusters,
// contexts and users the first file to define a name wins, whole (a later file's
// entry of the same name is ignored, even its non-conflicting fields);
// `current-context` comes from the first file that sets a non-empty one. Relative
// paths in an entry (`certificate-authority`, `tokenFile`, client certificate and
// key) are resolved against the directory of the file that defined that entry.
import Foundation
import LocalFiles
import NameSuggestions
import Yams

/// Kubeconfig files merged as kubectl merges them: clusters, contexts and users by name.
public struct Kubeconfig: Sendable {
    struct Cluster: Sendable, Hashable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify = false
        var tlsServerName: String?
        var origin: String
    }

    struct Context: Sendable, Hashable {
        var cluster: String
        var user: String
        var namespace: String?
        var origin: String
    }

    struct User: Sendable, Hashable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var username: String?
        var password: String?
        var authProvider: String?
        var execCommand: String?
        var origin: String
    }

    var clusters: [String: Cluster] = [:]
    var contexts: [String: Context] = [:]
    var users: [String: User] = [:]

    /// Context names in the order they were first defined (file order, then entry order).
    public private(set) var contextNames: [String] = []
    /// The merged `current-context`; nil when no file sets one.
    public private(set) var currentContext: String?
    /// The files that were read, in merge order.
    public private(set) var sourcePaths: [String] = []
    /// Paths of a list that did not exist and were skipped (kubectl skips them silently).
    public private(set) var missingPaths: [String] = []

    /// An empty configuration (no contexts).
    public init() {}

    /// The files kubectl would read: `$KUBECONFIG` split on `:` (empty entries
    /// skipped, duplicates dropped, as client-go does), else `HOME/.kube/config`.
    public static func defaultPaths(environment: [String: String], home: String) -> [String] {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            return list.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
                .filter { seen.insert($0).inserted }
        }
        let base = home.hasSuffix("/") ? String(home.dropLast()) : home
        return [base + "/.kube/config"]
    }

    /// The largest kubeconfig, certificate or token file read; anything larger is refused.
    public static let maxFileSize = 64 << 20

    /// Reads and merges `paths` in order.
    ///
    /// Missing files are skipped like kubectl skips missing `$KUBECONFIG` entries
    /// (they are listed in ``missingPaths``), but when *no* file exists — in
    /// particular a single explicit path (`--kubeconfig`) — this throws
    /// `.missingFile`: kubectl would go on with an empty configuration, which only
    /// ever leads to a less precise error later. Any other read error, malformed
    /// YAML or invalid content in any file throws, as kubectl does. Only regular files
    /// are read (a FIFO or a device is refused), and at most ``maxFileSize`` bytes of each.
    public static func load(paths: [String]) throws(KubeconfigError) -> Kubeconfig {
        var merged = Kubeconfig()
        var loadedAny = false
        for path in paths where !path.isEmpty {
            let bytes: [UInt8]
            do {
                bytes = try RegularFile.read(path, limit: maxFileSize)
            } catch where error.kind == .missing {
                merged.missingPaths.append(path)
                continue
            } catch {
                throw KubeconfigError(kind: .unreadableFile, message: "kubeconfig file \(error.message)", path: path)
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw KubeconfigError(kind: .unreadableFile, message: "kubeconfig file is not UTF-8 text", path: path)
            }
            merged.merge(try parse(yaml: text, path: path))
            loadedAny = true
        }
        if !loadedAny {
            let missing = merged.missingPaths
            let message =
                missing.isEmpty
                ? "no kubeconfig file given"
                : missing.count == 1
                    ? "kubeconfig file does not exist"
                    : "none of the kubeconfig files exist: \(missing.joined(separator: ", "))"
            throw KubeconfigError(kind: .missingFile, message: message, path: missing.count == 1 ? missing[0] : nil)
        }
        return merged
    }

    /// Parses one kubeconfig document. Pure: `path` only names the file in errors
    /// and is the base for relative paths inside it.
    public static func parse(yaml: String, path: String) throws(KubeconfigError) -> Kubeconfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw KubeconfigError(yamlError: error, path: path)
        } catch {
            throw KubeconfigError(kind: .malformedYAML(line: nil), message: "\(error)", path: path)
        }
        var config = Kubeconfig()
        config.sourcePaths = [path]
        guard let root, !root.isNull else { return config }  // an empty file is an empty config, as in client-go
        let reader = Reader(path: path)
        let top = try reader.mapping(root, what: "the kubeconfig")

        for (name, body, item) in try reader.namedList(top["clusters"], list: "clusters", field: "cluster") {
            if config.clusters[name] != nil { throw reader.duplicate(name, in: "clusters", at: item) }
            config.clusters[name] = Cluster(
                server: try reader.string(body?["server"], "server"),
                certificateAuthority: try reader.string(body?["certificate-authority"], "certificate-authority"),
                certificateAuthorityData: try reader.string(
                    body?["certificate-authority-data"], "certificate-authority-data"),
                insecureSkipTLSVerify: try reader.bool(body?["insecure-skip-tls-verify"], "insecure-skip-tls-verify"),
                tlsServerName: try reader.string(body?["tls-server-name"], "tls-server-name"),
                origin: path)
        }
        for (name, body, item) in try reader.namedList(top["contexts"], list: "contexts", field: "context") {
            if config.contexts[name] != nil { throw reader.duplicate(name, in: "contexts", at: item) }
            config.contexts[name] = Context(
                cluster: try reader.string(body?["cluster"], "cluster") ?? "",
                user: try reader.string(body?["user"], "user") ?? "",
                namespace: try reader.string(body?["namespace"], "namespace"),
                origin: path)
            config.contextNames.append(name)
        }
        for (name, body, item) in try reader.namedList(top["users"], list: "users", field: "user") {
            if config.users[name] != nil { throw reader.duplicate(name, in: "users", at: item) }
            let authProvider = try reader.optionalMapping(body?["auth-provider"], what: "auth-provider")
            let exec = try reader.optionalMapping(body?["exec"], what: "exec")
            config.users[name] = User(
                token: try reader.string(body?["token"], "token"),
                tokenFile: try reader.string(body?["tokenFile"], "tokenFile"),
                clientCertificate: try reader.string(body?["client-certificate"], "client-certificate"),
                clientCertificateData: try reader.string(body?["client-certificate-data"], "client-certificate-data"),
                clientKey: try reader.string(body?["client-key"], "client-key"),
                clientKeyData: try reader.string(body?["client-key-data"], "client-key-data"),
                username: try reader.string(body?["username"], "username"),
                password: try reader.string(body?["password"], "password"),
                authProvider: authProvider == nil ? nil : (try reader.string(authProvider?["name"], "name") ?? ""),
                execCommand: exec == nil ? nil : (try reader.string(exec?["command"], "command") ?? ""),
                origin: path)
        }
        if let current = try reader.string(top["current-context"], "current-context"), !current.isEmpty {
            config.currentContext = current
        }
        return config
    }

    /// Adds `later` below `self` in precedence: names already defined stay as they
    /// are, `current-context` is kept if already set.
    mutating func merge(_ later: Kubeconfig) {
        for (name, cluster) in later.clusters where clusters[name] == nil { clusters[name] = cluster }
        for (name, user) in later.users where users[name] == nil { users[name] = user }
        for name in later.contextNames where contexts[name] == nil {
            contexts[name] = later.contexts[name]
            contextNames.append(name)
        }
        if currentContext == nil { currentContext = later.currentContext }
        sourcePaths += later.sourcePaths
        missingPaths += later.missingPaths
    }

    /// The credentials of the current context.
    public func currentCredentials() throws(KubeconfigError) -> ClusterCredentials {
        guard let currentContext else {
            throw KubeconfigError(
                kind: .noCurrentContext, message: "no context given and current-context is not set",
                path: sourcePaths.count == 1 ? sourcePaths[0] : nil)
        }
        return try credentials(forContext: currentContext)
    }

    /// Everything the context says about reaching its cluster. Reads the CA file and
    /// token file it refers to (the only file access besides ``load(paths:)``); a
    /// file that cannot be read is listed in ``ClusterCredentials/unreadableFiles``
    /// rather than thrown, so the pre-flight checks can report it with the rest.
    /// A user name that no file defines gives `.none`, as in kubectl.
    public func credentials(forContext name: String) throws(KubeconfigError) -> ClusterCredentials {
        guard let context = contexts[name] else {
            let suggestion = Suggestions.closest(to: name, in: contextNames)
            let message =
                contextNames.isEmpty
                ? "context '\(name)' not found: the kubeconfig defines no contexts"
                : "context '\(name)' not found in kubeconfig"
            throw KubeconfigError(
                kind: .missingContext(name: name, suggestion: suggestion), message: message,
                path: sourcePaths.count == 1 ? sourcePaths[0] : nil)
        }
        guard let cluster = clusters[context.cluster] else {
            throw KubeconfigError(
                kind: .missingCluster(name: context.cluster, context: name),
                message: "context '\(name)' refers to cluster '\(context.cluster)', which no kubeconfig file defines",
                path: context.origin)
        }
        var unreadable: [String] = []

        var caData = cluster.certificateAuthorityData.flatMap { $0.isEmpty ? nil : $0 }
        var caPath: String?
        if caData == nil, let file = cluster.certificateAuthority, !file.isEmpty {
            let resolved = Self.resolve(file, relativeTo: cluster.origin)
            caPath = resolved
            if let bytes = try? RegularFile.read(resolved, limit: Self.maxFileSize) {
                caData = Data(bytes).base64EncodedString()
            } else {
                unreadable.append(resolved)
            }
        }

        var auth = UserAuth.none
        var bearerToken: String?
        if let user = users[context.user] {
            auth = Self.classify(user)
            if let token = user.token, !token.isEmpty {
                bearerToken = token
            } else if case .tokenFile(let file) = auth {
                if let bytes = try? RegularFile.read(file, limit: Self.maxFileSize), let text = String(validating: bytes, as: UTF8.self) {
                    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                    bearerToken = trimmed.isEmpty ? nil : trimmed
                } else {
                    unreadable.append(file)
                }
            }
        }

        return ClusterCredentials(
            contextName: name, clusterName: context.cluster, userName: context.user,
            server: cluster.server.flatMap { $0.isEmpty ? nil : $0 },
            certificateAuthorityData: caData, certificateAuthorityPath: caPath,
            insecureSkipTLSVerify: cluster.insecureSkipTLSVerify,
            namespace: context.namespace.flatMap { $0.isEmpty ? nil : $0 },
            user: auth, bearerToken: bearerToken, unreadableFiles: unreadable, sourcePath: context.origin,
            tlsServerName: cluster.tlsServerName.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// A token wins (it is what a remote secret needs and what client-go sends);
    /// then the mechanisms istiod cannot use, most specific first.
    static func classify(_ user: User) -> UserAuth {
        if let token = user.token, !token.isEmpty { return .token(token) }
        if let file = user.tokenFile, !file.isEmpty { return .tokenFile(resolve(file, relativeTo: user.origin)) }
        if let command = user.execCommand { return .exec(command: command) }
        if let provider = user.authProvider { return .authProvider(provider) }
        let certFiles = [user.clientCertificate, user.clientKey].contains { !($0 ?? "").isEmpty }
        let certData = [user.clientCertificateData, user.clientKeyData].contains { !($0 ?? "").isEmpty }
        if certFiles || certData { return .clientCertificate(files: certFiles) }
        if !(user.username ?? "").isEmpty || !(user.password ?? "").isEmpty { return .basic }
        return .none
    }

    /// client-go's ResolveLocalPaths: relative to the absolute directory of the
    /// file that defined the entry.
    static func resolve(_ path: String, relativeTo origin: String) -> String {
        if path.hasPrefix("/") { return path }
        let directory = FilePath.join(Directory.current, FilePath.parent(of: origin))
        return FilePath.normalized(FilePath.join(directory, path))
    }
}

extension KubeconfigError {
    init(yamlError: YamlError, path: String) {
        var line: Int?
        var problem: String
        switch yamlError {
        case .scanner(let context, let text, let mark, _), .parser(let context, let text, let mark, _),
            .composer(let context, let text, let mark, _):
            line = mark.line
            problem = (context.map { "\($0.text) " } ?? "") + text
        case .reader(let text, let offset, _, let yaml):
            problem = text
            if let offset {
                let prefix = yaml.utf8.prefix(offset)
                line = prefix.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            }
        default:
            problem = "\(yamlError)"
        }
        self.init(kind: .malformedYAML(line: line), message: "malformed YAML: \(problem)", path: path)
    }
}

/// Reads kubeconfig fields from a YAML tree, turning wrong shapes into
/// `.invalidKubeconfig` errors that point at the offending line.
private struct Reader {
    let path: String

    func invalid(_ message: String, at node: Node?) -> KubeconfigError {
        KubeconfigError(kind: .invalidKubeconfig(line: node?.mark?.line), message: message, path: path)
    }

    func duplicate(_ name: String, in list: String, at node: Node?) -> KubeconfigError {
        invalid("duplicate name '\(name)' in \(list)", at: node)
    }

    func mapping(_ node: Node, what: String) throws(KubeconfigError) -> Node.Mapping {
        guard case .mapping(let mapping) = node else { throw invalid("\(what) must be a mapping", at: node) }
        return mapping
    }

    /// A string field; nil when absent or null. Scalars of other types are taken as
    /// written (kubectl would reject `server: 1`, nothing here depends on it).
    func string(_ node: Node?, _ field: String) throws(KubeconfigError) -> String? {
        guard let node, !node.isNull else { return nil }
        guard case .scalar(let scalar) = node else { throw invalid("'\(field)' must be a string", at: node) }
        return scalar.string
    }

    func bool(_ node: Node?, _ field: String) throws(KubeconfigError) -> Bool {
        guard let node, !node.isNull else { return false }
        guard case .scalar(let scalar) = node, let value = Bool.construct(from: scalar) else {
            throw invalid("'\(field)' must be true or false", at: node)
        }
        return value
    }

    /// `clusters`/`contexts`/`users`: a list of `{name: N, <field>: {...}}`.
    func optionalMapping(_ node: Node?, what: String) throws(KubeconfigError) -> Node.Mapping? {
        guard let node, !node.isNull else { return nil }
        return try mapping(node, what: what)
    }

    func namedList(_ node: Node?, list: String, field: String) throws(KubeconfigError)
        -> [(name: String, body: Node.Mapping?, item: Node)]
    {
        guard let node, !node.isNull else { return [] }
        guard case .sequence(let sequence) = node else { throw invalid("'\(list)' must be a list", at: node) }
        var entries: [(name: String, body: Node.Mapping?, item: Node)] = []
        for item in sequence {
            let entry = try mapping(item, what: "an entry of '\(list)'")
            guard let name = try string(entry["name"], "name") else {
                throw invalid("an entry of '\(list)' has no name", at: item)
            }
            let body = try optionalMapping(entry[field], what: "'\(field)' of '\(name)'")
            entries.append((name, body, item))
        }
        return entries
    }
}

extension Node {
    fileprivate var isNull: Bool {
        if case .scalar = self { return Resolver.default.resolveTag(of: self) == .null }
        return false
    }
}
