// The mesh built-ins, registered with the interpreter through signatures like any host
// command. Each handler adds to the topology being built; checks that need the whole
// program (unknown names, links) wait for validation.
import MeshKube
import MeshScriptInterpreter

extension BlockKind {
    /// The body of `mesh NAME < ... >`.
    public static let mesh = BlockKind("mesh")
    /// The body of `root NAME < ... >`.
    public static let root = BlockKind("root")
    /// The body of `cluster NAME < ... >`.
    public static let cluster = BlockKind("cluster")
}

/// The topology under construction, plus which declaration a block is filling in.
public final class TopologyBuilder {
    // Unchecked (as `currentCluster`): each handler's writes are whole statements, one handler
    // at a time; a dynamic check cost a tenth of a short command's handler.
    /// What the script has declared so far.
    @exclusivity(unchecked) public internal(set) var topology = Topology()
    @exclusivity(unchecked) var currentCluster: Int?
    var currentRoot: Int?
    var currentMesh: Int?
    /// The roots and meshes whose blocks are running, innermost last: a declaration repeated
    /// inside its own block (through an `import`) is not merged with it.
    var openRoots: [Int] = [], openMeshes: [Int] = []

    /// A builder with an empty topology.
    public init() {}

    /// How much of the topology exists: what a statement can add to. A statement appends
    /// declarations and changes only the ones it appended (through the current mesh, root or
    /// cluster of its own block), and sets the kubeconfig; so counts and that one value say
    /// everything needed to undo it.
    public struct Mark: Sendable {
        var meshes: Int, networks: Int, roots: Int, clusters: Int
        var kubeconfig: Located<String>?
        var hostData: Int
    }

    /// Host data as it was before each ``setHostData(_:_:on:)``, newest last: the undo log a
    /// rollback replays (a host command may change a declaration made before its statement).
    private var hostDataLog: [(owner: HostDataOwner, index: Int, key: String, previous: HostValue?)] = []

    /// Where the topology is now, to ``rollBack(to:)`` later.
    public func mark() -> Mark {
        Mark(meshes: topology.meshes.count, networks: topology.networks.count, roots: topology.roots.count,
             clusters: topology.clusters.count, kubeconfig: topology.kubeconfig, hostData: hostDataLog.count)
    }

    /// A field of the cluster whose block is running, read in place: a copy of the declaration
    /// is a count on each of its fields, for every statement of the block.
    func currentClusterField<T>(_ field: (borrowing ClusterDeclaration) -> T) -> T {
        topology.clusters.withUnsafeBufferPointer { field($0[currentCluster!]) }
    }

    /// The declaration whose block the running command is in: the innermost cluster, else the
    /// mesh; nil outside both.
    public var currentBlock: HostDataOwner? {
        if let index = currentCluster { return .cluster(topology.clusters[index].name.value) }
        return currentMesh == nil ? nil : .mesh
    }

    /// Stores `value` under `key` on `owner` (replacing what was there); false when `owner` is
    /// not declared. Rolled back with the statement that set it.
    @discardableResult
    public func setHostData(_ key: String, _ value: HostValue, on owner: HostDataOwner) -> Bool {
        guard let index = index(of: owner) else { return false }
        hostDataLog.append((owner, index, key, hostData(owner, index)[key]))
        setHostData(owner, index, key, value)
        return true
    }

    /// Where `owner` is in the topology: the current block's cluster or mesh first.
    private func index(of owner: HostDataOwner) -> Int? {
        switch owner {
        case .mesh: return topology.meshes.isEmpty ? nil : currentMesh ?? 0
        case .network(let name): return topology.networks.firstIndex { $0.name.value == name }
        case .cluster(let name):
            if let current = currentCluster, topology.clusters[current].name.value == name { return current }
            return topology.clusters.firstIndex { $0.name.value == name }
        }
    }

    private func hostData(_ owner: HostDataOwner, _ index: Int) -> [String: HostValue] {
        switch owner {
        case .mesh: topology.meshes[index].hostData
        case .network: topology.networks[index].hostData
        case .cluster: topology.clusters[index].hostData
        }
    }

    private func setHostData(_ owner: HostDataOwner, _ index: Int, _ key: String, _ value: HostValue?) {
        switch owner {
        case .mesh: topology.meshes[index].hostData[key] = value
        case .network: topology.networks[index].hostData[key] = value
        case .cluster: topology.clusters[index].hostData[key] = value
        }
    }

    /// A root declared again with the same options (two recipes that share it) is one
    /// declaration: the repeat at `index`, the newest root, is removed once its block has run.
    /// A repeat with other options stays, for validation to report.
    func mergeRepeatedRoot(at index: Int) {
        let roots = topology.roots
        guard index == roots.count - 1, let first = roots.firstIndex(where: { $0.name.value == roots[index].name.value }),
              first != index, !openRoots.contains(first), roots[index].differences(from: roots[first]).isEmpty else { return }
        topology.roots.removeLast()
    }

    /// A mesh declared again with the same name and settings is one declaration: the repeat at
    /// `index`, the newest mesh, is removed once its block has run, and what host commands stored
    /// on it moves to the first (the undo log then names the first, not the removed one).
    func mergeRepeatedMesh(at index: Int) {
        let meshes = topology.meshes
        guard index == meshes.count - 1, let first = meshes.firstIndex(where: { $0.name.value == meshes[index].name.value }),
              first != index, !openMeshes.contains(first), meshes[index].differences(from: meshes[first]).isEmpty else { return }
        let repeated = topology.meshes.removeLast()
        hostDataLog.removeAll { entry in
            if case .mesh = entry.owner { return entry.index == index }
            return false
        }
        for (key, value) in repeated.hostData.sorted(by: { $0.key < $1.key }) {
            hostDataLog.append((.mesh, first, key, topology.meshes[first].hostData[key]))
            topology.meshes[first].hostData[key] = value
        }
    }

    /// Forget every declaration and all host data (the REPL's `:reset`).
    public func reset() {
        topology = Topology()
        hostDataLog = []
        (currentMesh, currentRoot, currentCluster) = (nil, nil, nil)
        (openRoots, openMeshes) = ([], [])
    }

    /// Remove what was declared since `mark`, in time proportional to it.
    public func rollBack(to mark: Mark) {
        // Newest first, before the declarations they changed are removed.
        while hostDataLog.count > mark.hostData {
            let entry = hostDataLog.removeLast()
            setHostData(entry.owner, entry.index, entry.key, entry.previous)
        }
        topology.meshes.removeLast(max(0, topology.meshes.count - mark.meshes))
        topology.networks.removeLast(max(0, topology.networks.count - mark.networks))
        topology.roots.removeLast(max(0, topology.roots.count - mark.roots))
        topology.clusters.removeLast(max(0, topology.clusters.count - mark.clusters))
        topology.kubeconfig = mark.kubeconfig
        (currentMesh, currentRoot, currentCluster) = (nil, nil, nil)
        (openRoots, openMeshes) = ([], [])
    }
}

/// The mesh built-ins: their signatures, and their registration on an interpreter.
public enum MeshCommands {
    /// Every mesh command, with where it may appear and what it takes (for help and completion too).
    public static let signatures: [CommandSignature] = [
        CommandSignature("mesh", summary: "the mesh ID; `istio \"1.Y\"` in its block selects that Istio release's forms",
                         allowedIn: [.topLevel], parameters: [.init("NAME", .name)], body: .optional(.mesh)),
        CommandSignature("istio", summary: "the Istio release whose artifacts are produced (\"1.6\" to \"\(IstioReleases.newest)\"; default the newest)",
                         allowedIn: [.mesh], parameters: [.init("VERSION", .string)]),
        CommandSignature("installer", summary: "what installs every cluster's control plane: istioctl (the default) or helm",
                         allowedIn: [.mesh], parameters: [.init("INSTALLER", .name)]),
        CommandSignature("gitops", summary: "`repo \"URL\" [path \"DIR\"] [revision \"BRANCH\"]`: where the tree `render --gitops` writes lives in git",
                         allowedIn: [.mesh], options: [.init("repo", [.init("\"URL\"", .string)]), .init("path", [.init("\"DIR\"", .string)]),
                                                       .init("revision", [.init("\"BRANCH\"", .string)])],
                         exactlyOneOf: ["repo"]),
        CommandSignature("secrets", summary: "how a GitOps tree's clusters get cacerts and remote secrets: `apply` (meshscript apply --secrets-only; the default) or `external store \"S\"` (ExternalSecrets)",
                         allowedIn: [.mesh], options: [.init("apply", []), .init("external", [.init("store", .name), .init("\"S\"", .string)])],
                         exactlyOneOf: ["apply", "external"]),
        CommandSignature("network", summary: "declare a network ID", allowedIn: [.topLevel], parameters: [.init("NAME", .name)]),
        CommandSignature("kubeconfig", summary: "read contexts from this kubeconfig instead of $KUBECONFIG or ~/.kube/config",
                         allowedIn: [.topLevel], parameters: [.init("PATH", .string)]),
        CommandSignature("root", summary: "declare a root CA (a root named `root` with Istio's profile exists implicitly)",
                         allowedIn: [.topLevel], parameters: [.init("NAME", .name)], body: .optional(.root)),
        CommandSignature("org", summary: "the root's organization (O=)", allowedIn: [.root], parameters: [.init("ORG", .string)]),
        CommandSignature("cn", summary: "the root's common name (CN=)", allowedIn: [.root], parameters: [.init("CN", .string)]),
        CommandSignature("days", summary: "validity in days of the root and its intermediates", allowedIn: [.root], parameters: [.init("DAYS", .integer)]),
        CommandSignature("key", summary: "key type: rsa 2048|3072|4096 or ecdsa p256|p384", allowedIn: [.root],
                         parameters: [.init("ALGORITHM", .name), .init("SIZE", .any)]),
        CommandSignature("from", summary: "use an existing root-cert.pem and root-key.pem from this directory", allowedIn: [.root],
                         parameters: [.init("DIR", .string)]),
        CommandSignature("cluster", summary: "declare a cluster", allowedIn: [.topLevel], parameters: [.init("NAME", .name)],
                         body: .required(.cluster)),
        CommandSignature("context", summary: "the kubeconfig context for this cluster (default: the cluster name)",
                         allowedIn: [.cluster], parameters: [.init("CONTEXT", .name)]),
        CommandSignature("trust", summary: "an intermediate CA signed by ROOT, and the cacerts secret", allowedIn: [.cluster],
                         options: [.init("from", [.init("ROOT", .name)])], exactlyOneOf: ["from"]),
        CommandSignature("install", summary: "install a control plane with meshID, clusterName and network set; `remote of C`: make this cluster a remote of primary C",
                         allowedIn: [.cluster],
                         options: [.init("network", [.init("NET", .name)]), .init("revision", [.init("\"R\"", .name)]),
                                   .init("profile", [.init("\"P\"", .name)]), .init("remote", [.init("of", .name), .init("C", .name)]),
                                   .init("installer", [.init("INSTALLER", .name)])]),
        CommandSignature("values", summary: "`values \"a.b.c\" V`: one install value by its dotted path; `values file \"F.yaml\"`: a YAML mapping of values",
                         allowedIn: [.cluster], parameters: [.init("\"PATH\"|file", .string), .init("VALUE", .any)]),
        CommandSignature("discover", summary: "`with C, ...`: mutual endpoint discovery; `from C`: this cluster gets C's remote secret",
                         allowedIn: [.cluster], options: [.init("with", [.init("C", .names)]), .init("from", [.init("C", .names)])],
                         exactlyOneOf: ["with", "from"]),
        CommandSignature("server", summary: "API server address written into this cluster's remote secret", allowedIn: [.cluster],
                         parameters: [.init("\"https://HOST:PORT\"", .string)]),
        CommandSignature("token", summary: "`from kubeconfig`: this cluster's remote secret carries the kubeconfig user's own token instead of Istio's read-only reader account's (warns)",
                         allowedIn: [.cluster], options: [.init("from", [.init("kubeconfig", .name)])], exactlyOneOf: ["from"]),
    ]

    /// Register every mesh built-in and the query functions (`clusters()`, `networks()`,
    /// `declared()`, `network_of()`) on `interpreter`.
    public static func register(on interpreter: Interpreter, builder: TopologyBuilder) {
        let byName = Dictionary(uniqueKeysWithValues: signatures.map { ($0.name, $0) })
        func add(_ name: String, _ handler: @escaping CommandHandler) {
            interpreter.register(byName[name]!, handler: handler)
        }

        add("mesh") { call, context in
            let name = located(call.arguments[0])
            builder.topology.meshes.append(MeshDeclaration(name: name, statement: call.statementRange))
            // Saved and restored, not cleared: an `import` inside a mesh block can run a nested
            // `mesh`, and the outer block's `istio` must still find its own mesh.
            let saved = builder.currentMesh
            let index = builder.topology.meshes.count - 1
            builder.currentMesh = index
            builder.openMeshes.append(index)
            defer { (builder.currentMesh, builder.openMeshes) = (saved, Array(builder.openMeshes.dropLast())) }
            try context.evaluateBlock()
            builder.mergeRepeatedMesh(at: index)
        }
        add("istio") { call, _ in
            let text = call.arguments[0].string!
            let release = try istioRelease(text, at: call.arguments[0].range)
            builder.topology.meshes[builder.currentMesh!].istio = Located(release, call.statementRange)
            // Helm's --version: the release as written (a patch release is pinned exactly).
            builder.topology.meshes[builder.currentMesh!].istioPin = text == "current" || text == "latest" ? nil : text
        }
        add("installer") { call, _ in
            if let earlier = builder.topology.meshes[builder.currentMesh!].installer {
                throw CommandError("'installer' is given twice in this mesh", at: call.statementRange, notes: [.init("first given here", at: earlier.range)])
            }
            builder.topology.meshes[builder.currentMesh!].installer = try installer(call.arguments[0])
        }
        add("gitops") { call, _ in try GitOpsStatements.gitops(call, builder: builder) }
        add("secrets") { call, _ in try GitOpsStatements.secrets(call, builder: builder) }
        add("network") { call, _ in
            let name = located(call.arguments[0])
            // The same network declared again (two recipes that share it) is one declaration.
            guard builder.topology.network(named: name.value) == nil else { return }
            builder.topology.networks.append(NetworkDeclaration(name: name, statement: call.statementRange))
        }
        add("kubeconfig") { call, _ in
            if let earlier = builder.topology.kubeconfig {
                throw CommandError("'kubeconfig' is given twice", at: call.statementRange, notes: [.init("first given here", at: earlier.range)])
            }
            builder.topology.kubeconfig = located(call.arguments[0])
        }
        add("root") { call, context in
            let name = located(call.arguments[0])
            builder.topology.roots.append(RootDeclaration(name: name, isDeclared: true, statement: call.statementRange))
            let saved = builder.currentRoot
            let index = builder.topology.roots.count - 1
            builder.currentRoot = index
            builder.openRoots.append(index)
            defer { (builder.currentRoot, builder.openRoots) = (saved, Array(builder.openRoots.dropLast())) }
            try context.evaluateBlock()
            builder.mergeRepeatedRoot(at: index)
        }
        add("org") { call, _ in builder.topology.roots[builder.currentRoot!].organization = call.arguments[0].string! }
        add("cn") { call, _ in builder.topology.roots[builder.currentRoot!].commonName = call.arguments[0].string! }
        add("days") { call, _ in
            let days = call.arguments[0].integer!
            guard (1...36500).contains(days) else {
                throw CommandError("days must be between 1 and 36500, got \(days)", at: call.arguments[0].range)
            }
            builder.topology.roots[builder.currentRoot!].days = days
        }
        add("key") { call, _ in
            let algorithm = call.arguments[0].string!
            let size = call.arguments[1]
            switch (algorithm, size.value) {
            case ("rsa", .integer(let bits)) where [2048, 3072, 4096].contains(bits):
                builder.topology.roots[builder.currentRoot!].key = .rsa(bits: bits)
            case ("rsa", _):
                throw CommandError("RSA keys are 2048, 3072 or 4096 bits, got \(size.value.literal)", at: size.range, help: "key rsa 4096")
            case ("ecdsa", .string(let curve)) where curve == "p256" || curve == "p384":
                builder.topology.roots[builder.currentRoot!].key = .ecdsa(curve: curve)
            case ("ecdsa", _):
                throw CommandError("ECDSA curves are p256 or p384, got \(size.value.literal)", at: size.range, help: "key ecdsa p256")
            default:
                let suggestion = Suggestions.closest(to: algorithm, in: ["rsa", "ecdsa"])
                throw CommandError("unknown key algorithm '\(algorithm)'", at: call.arguments[0].range,
                                   help: (suggestion.map { "did you mean '\($0)'? " } ?? "") + "use rsa 2048|3072|4096 or ecdsa p256|p384")
            }
        }
        add("from") { call, _ in
            builder.topology.roots[builder.currentRoot!].from = located(call.arguments[0])
            builder.topology.roots[builder.currentRoot!].fromStatement = call.statementRange
        }
        add("cluster") { call, context in
            builder.topology.clusters.append(ClusterDeclaration(name: located(call.arguments[0]), statement: call.statementRange))
            let saved = builder.currentCluster
            builder.currentCluster = builder.topology.clusters.count - 1
            defer { builder.currentCluster = saved }
            try context.evaluateBlock()
        }
        add("context") { call, _ in
            try once(builder.currentClusterField { $0.context?.range }, "context", call)
            builder.topology.clusters[builder.currentCluster!].context = located(call.arguments[0])
        }
        add("server") { call, _ in
            try once(builder.currentClusterField { $0.server?.range }, "server", call)
            builder.topology.clusters[builder.currentCluster!].server = located(call.arguments[0])
        }
        add("token") { call, _ in
            try once(builder.currentClusterField { $0.tokenFromKubeconfig }, "token", call)
            let source = located(call.options["from"]![0])
            guard source.value == "kubeconfig" else {
                let suggestion = Suggestions.closest(to: source.value, in: ["kubeconfig"])
                throw CommandError("unknown token source '\(source.value)'", at: source.range,
                                   help: (suggestion.map { "did you mean '\($0)'? " } ?? "")
                                       + "the only source is `token from kubeconfig`; without it the remote secret carries the token of Istio's reader service account")
            }
            builder.topology.clusters[builder.currentCluster!].tokenFromKubeconfig = call.statementRange
        }
        add("trust") { call, _ in
            try once(builder.currentClusterField { $0.trust?.statement }, "trust", call)
            let root = located(call.options["from"]![0])
            builder.topology.clusters[builder.currentCluster!].trust = TrustDeclaration(root: root, statement: call.statementRange)
        }
        add("install") { call, _ in
            try once(builder.currentClusterField { $0.install?.statement }, "install", call)
            builder.topology.clusters[builder.currentCluster!].install = InstallDeclaration(
                network: call.options["network"].map { located($0[0]) },
                revision: call.options["revision"].map { located($0[0]) },
                profile: call.options["profile"].map { located($0[0]) },
                remoteOf: try call.options["remote"].map(remoteOf),
                installer: try call.options["installer"].map { try installer($0[0]) },
                statement: call.statementRange)
        }
        add("values") { [unowned interpreter] call, _ in
            builder.topology.clusters[builder.currentCluster!].overlays.append(try ValuesStatement.overlay(call, scriptPath: {
                interpreter.sources.file($0).path
            }))
        }
        add("discover") { call, _ in
            let direction: DiscoveryDeclaration.Direction = call.options["with"] != nil ? .mutual : .inbound
            // Gathered, then added at once: each change of the topology's clusters is a write
            // through the builder and a reset of the topology's derived index.
            let items = call.options[direction.rawValue]![0].items
            var declarations: [DiscoveryDeclaration] = []
            declarations.reserveCapacity(items.count)
            for item in items {
                guard case .string(let peer) = item.value else { continue }
                declarations.append(DiscoveryDeclaration(direction: direction, peer: Located(peer, item.range), statement: call.statementRange))
            }
            let index = builder.currentCluster!
            if builder.topology.clusters[index].discovery.isEmpty {
                builder.topology.clusters[index].discovery = declarations
            } else {
                builder.topology.clusters[index].discovery.append(contentsOf: declarations)
            }
        }

        registerQueries(on: interpreter, builder: builder)
    }

    /// The release `istio "X.Y"` names: a minor release from the oldest the table supports on
    /// (a newer one than the table knows is accepted; the validator warns about it), or
    /// `"current"`/`"latest"` for the newest the table knows.
    static func istioRelease(_ text: String, at range: SourceRange) throws -> IstioRelease {
        let supported = "MeshScript supports Istio \(IstioReleases.oldest) to \(IstioReleases.newest)"
        // Earlier MeshScript took these words for its newest forms; they still mean that.
        if text == "current" || text == "latest" { return IstioReleases.newest }
        guard let release = IstioRelease(parsing: text) else {
            throw CommandError("'\(text)' is not an Istio release", at: range,
                               help: "write the minor release, such as istio \"\(IstioReleases.newest)\"; \(supported)")
        }
        guard release >= IstioReleases.oldest else {
            throw CommandError("Istio \(release) is not supported: the oldest release MeshScript produces artifacts for is \(IstioReleases.oldest)",
                               at: range, help: "target istio \"\(IstioReleases.oldest)\" or newer; \(supported)")
        }
        return release
    }

    /// `remote of C`: the primary's name; the word after `remote` must be `of`.
    private static func remoteOf(_ values: [CommandArgument]) throws -> Located<String> {
        guard values[0].string == "of" else {
            throw CommandError("expected 'of' after 'remote', got '\(values[0].string ?? values[0].value.text)'", at: values[0].range,
                               help: "name the primary this cluster is a remote of: install remote of cluster1")
        }
        return located(values[1])
    }

    /// `istioctl` or `helm`, or an error at the word with a did-you-mean.
    private static func installer(_ argument: CommandArgument) throws -> Located<Installer> {
        let name = argument.string ?? argument.value.text
        guard let installer = Installer(rawValue: name) else {
            let suggestion = Suggestions.closest(to: name, in: Installer.allCases.map(\.rawValue))
            throw CommandError("unknown installer '\(name)'", at: argument.range,
                               help: (suggestion.map { "did you mean '\($0)'? " } ?? "") + "use istioctl or helm")
        }
        return Located(installer, argument.range)
    }

    private static func located(_ argument: CommandArgument) -> Located<String> {
        Located(argument.string ?? argument.value.text, argument.range)
    }

    private static func once(_ earlier: SourceRange?, _ name: String, _ call: CommandInvocation) throws {
        if let earlier {
            throw CommandError("'\(name)' is given twice in this cluster", at: call.statementRange, notes: [.init("first given here", at: earlier)])
        }
    }
}
