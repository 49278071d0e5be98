// The mesh built-ins, registered with the interpreter through signatures like any host
// command. Each handler adds to the topology being built; checks that need the whole
// program (unknown names, links) wait for validation.
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
    /// What the script has declared so far.
    public var topology = Topology()
    var currentCluster: Int?
    var currentRoot: Int?
    var currentMesh: Int?

    /// A builder with an empty topology.
    public init() {}

    /// How much of the topology exists: what a statement can add to. A statement appends
    /// declarations and changes only the ones it appended (through the current mesh, root or
    /// cluster of its own block), and sets the kubeconfig; so counts and that one value say
    /// everything needed to undo it.
    public struct Mark: Sendable {
        var meshes: Int, networks: Int, roots: Int, clusters: Int
        var kubeconfig: Located<String>?
    }

    /// Where the topology is now, to ``rollBack(to:)`` later.
    public func mark() -> Mark {
        Mark(meshes: topology.meshes.count, networks: topology.networks.count, roots: topology.roots.count,
             clusters: topology.clusters.count, kubeconfig: topology.kubeconfig)
    }

    /// Remove what was declared since `mark`, in time proportional to it.
    public func rollBack(to mark: Mark) {
        topology.meshes.removeLast(max(0, topology.meshes.count - mark.meshes))
        topology.networks.removeLast(max(0, topology.networks.count - mark.networks))
        topology.roots.removeLast(max(0, topology.roots.count - mark.roots))
        topology.clusters.removeLast(max(0, topology.clusters.count - mark.clusters))
        topology.kubeconfig = mark.kubeconfig
        (currentMesh, currentRoot, currentCluster) = (nil, nil, nil)
    }
}

/// The mesh built-ins: their signatures, and their registration on an interpreter.
public enum MeshCommands {
    /// Every mesh command, with where it may appear and what it takes (for help and completion too).
    public static let signatures: [CommandSignature] = [
        CommandSignature("mesh", summary: "the mesh ID; `istio \"1.6\"` in its block selects the seed's Istio 1.6 forms",
                         allowedIn: [.topLevel], parameters: [.init("NAME", .name)], body: .optional(.mesh)),
        CommandSignature("istio", summary: "the Istio release whose artifacts are produced (\"1.6\" or current)",
                         allowedIn: [.mesh], parameters: [.init("VERSION", .string)]),
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
        CommandSignature("install", summary: "install a control plane with meshID, clusterName and network set", allowedIn: [.cluster],
                         options: [.init("network", [.init("NET", .name)]), .init("revision", [.init("\"R\"", .name)]),
                                   .init("profile", [.init("\"P\"", .name)])]),
        CommandSignature("discover", summary: "`with C, ...`: mutual endpoint discovery; `from C`: this cluster gets C's remote secret",
                         allowedIn: [.cluster], options: [.init("with", [.init("C", .names)]), .init("from", [.init("C", .names)])],
                         exactlyOneOf: ["with", "from"]),
        CommandSignature("server", summary: "API server address written into this cluster's remote secret", allowedIn: [.cluster],
                         parameters: [.init("\"https://HOST:PORT\"", .string)]),
        CommandSignature("token", summary: "`from kubeconfig`: this cluster's remote secret carries the kubeconfig user's own token instead of Istio's read-only reader account's (warns)",
                         allowedIn: [.cluster], options: [.init("from", [.init("kubeconfig", .name)])], exactlyOneOf: ["from"]),
    ]

    /// Register every mesh built-in and the `clusters()` function on `interpreter`.
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
            builder.currentMesh = builder.topology.meshes.count - 1
            defer { builder.currentMesh = saved }
            try context.evaluateBlock()
        }
        add("istio") { call, _ in
            let version = call.arguments[0].string!
            let release: IstioVersion
            switch version {
            case "1.6", "1.6.x": release = .legacy16
            case "current", "latest": release = .current
            default:
                let parts = version.split(separator: ".").compactMap { Int($0) }
                guard parts.count >= 2, parts[0] == 1, parts[1] >= 7 else {
                    throw CommandError("unsupported Istio release \"\(version)\"", at: call.arguments[0].range,
                                       help: "use \"1.6\" for the seed document's forms, or a current release such as \"1.24\"")
                }
                release = .current
            }
            builder.topology.meshes[builder.currentMesh!].istio = release
        }
        add("network") { call, _ in
            builder.topology.networks.append(NetworkDeclaration(name: located(call.arguments[0]), statement: call.statementRange))
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
            builder.currentRoot = builder.topology.roots.count - 1
            defer { builder.currentRoot = saved }
            try context.evaluateBlock()
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
        add("from") { call, _ in builder.topology.roots[builder.currentRoot!].from = located(call.arguments[0]) }
        add("cluster") { call, context in
            builder.topology.clusters.append(ClusterDeclaration(name: located(call.arguments[0]), statement: call.statementRange))
            let saved = builder.currentCluster
            builder.currentCluster = builder.topology.clusters.count - 1
            defer { builder.currentCluster = saved }
            try context.evaluateBlock()
        }
        add("context") { call, _ in
            try once(builder.topology.clusters[builder.currentCluster!].context?.range, "context", call)
            builder.topology.clusters[builder.currentCluster!].context = located(call.arguments[0])
        }
        add("server") { call, _ in
            try once(builder.topology.clusters[builder.currentCluster!].server?.range, "server", call)
            builder.topology.clusters[builder.currentCluster!].server = located(call.arguments[0])
        }
        add("token") { call, _ in
            try once(builder.topology.clusters[builder.currentCluster!].tokenFromKubeconfig, "token", call)
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
            try once(builder.topology.clusters[builder.currentCluster!].trust?.statement, "trust", call)
            let root = located(call.options["from"]![0])
            builder.topology.clusters[builder.currentCluster!].trust = TrustDeclaration(root: root, statement: call.statementRange)
        }
        add("install") { call, _ in
            try once(builder.topology.clusters[builder.currentCluster!].install?.statement, "install", call)
            builder.topology.clusters[builder.currentCluster!].install = InstallDeclaration(
                network: call.options["network"].map { located($0[0]) },
                revision: call.options["revision"].map { located($0[0]) },
                profile: call.options["profile"].map { located($0[0]) },
                statement: call.statementRange)
        }
        add("discover") { call, _ in
            let direction: DiscoveryDeclaration.Direction = call.options["with"] != nil ? .mutual : .inbound
            let argument = call.options[direction.rawValue]![0]
            for item in argument.items {
                guard case .string(let peer) = item.value else { continue }
                builder.topology.clusters[builder.currentCluster!].discovery.append(
                    DiscoveryDeclaration(direction: direction, peer: Located(peer, item.range), statement: call.statementRange))
            }
        }

        interpreter.register(FunctionSignature("clusters", summary: "clusters(): the names of the clusters declared so far", arity: 0...0)) { _ in
            .list(builder.topology.clusters.map { .string($0.name.value) })
        }
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
