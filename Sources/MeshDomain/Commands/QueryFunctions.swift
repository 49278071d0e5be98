// The functions a recipe asks the topology with: which clusters and networks are declared so
// far, whether a name is, and which network a cluster is on. Each sees only the declarations
// whose statements have already run (the current one included, inside its block).
import MeshScriptInterpreter

extension MeshCommands {
    /// The query functions' signatures: `clusters`, `networks`, `declared`, `network_of`.
    static let querySignatures: [FunctionSignature] = [
        FunctionSignature("clusters", summary: "clusters() or clusters(\"network:NET\"|\"root:ROOT\"|\"prefix:P\"): the names of the clusters declared so far (all, on network NET, trusting root ROOT, or named P...)",
                          arity: 0...1),
        FunctionSignature("networks", summary: "networks(): the names of the networks declared so far", arity: 0...0),
        FunctionSignature("declared", summary: "declared(\"NAME\"): whether a cluster, network or root named NAME is declared so far", arity: 1...1),
        FunctionSignature("network_of", summary: "network_of(\"C\"): the network cluster C's install names, or the only network declared so far", arity: 1...1),
    ]

    /// Register the query functions on `interpreter`, reading `builder`'s topology as it is when called.
    static func registerQueries(on interpreter: Interpreter, builder: TopologyBuilder) {
        let byName = Dictionary(uniqueKeysWithValues: querySignatures.map { ($0.name, $0) })
        interpreter.register(byName["clusters"]!) { call in
            let topology = builder.topology
            let filter = try call.arguments.first.map { try ClusterFilter($0, in: topology) }
            return .list(topology.clusters.filter { filter?.matches($0, in: topology) ?? true }.map { .string($0.name.value) })
        }
        interpreter.register(byName["networks"]!) { _ in
            .list(builder.topology.networks.map { .string($0.name.value) })
        }
        interpreter.register(byName["declared"]!) { call in
            let name = try nameArgument(call)
            let topology = builder.topology
            return .boolean(topology.cluster(named: name) != nil || topology.network(named: name) != nil
                                || topology.roots.contains { $0.name.value == name })
        }
        interpreter.register(byName["network_of"]!) { call in
            .string(try network(of: try nameArgument(call), at: call.arguments[0].range, in: builder.topology))
        }
    }

    /// The call's one argument, a string.
    private static func nameArgument(_ call: FunctionCall) throws -> String {
        guard let name = call.arguments[0].string else {
            throw CommandError("\(call.name)() takes a name as a string, not \(call.arguments[0].value.typeName)", at: call.arguments[0].range,
                               help: "quote the name: \(call.name)(\"cluster1\")")
        }
        return name
    }

    /// `network_of(C)`: the network C's install names, else the only network declared; an error
    /// at the argument for an unknown cluster or one that is on no network.
    private static func network(of name: String, at range: SourceRange, in topology: Topology) throws -> String {
        guard let cluster = topology.cluster(named: name) else {
            let suggestion = Suggestions.closest(to: name, in: topology.clusters.map(\.name.value))
            throw CommandError("unknown cluster '\(name)'", at: range,
                               help: (suggestion.map { "did you mean '\($0)'? " } ?? "")
                                   + "network_of() knows the clusters declared before it runs")
        }
        guard let install = cluster.install else {
            throw CommandError("cluster '\(name)' is on no network: it has no 'install'", at: range,
                               help: "add 'install network NET' to cluster '\(name)', or call network_of() after it is declared")
        }
        if let network = topology.network(of: cluster) { return network }
        let count = topology.networks.isEmpty ? "no network is declared" : "\(topology.networks.count) networks are declared"
        throw CommandError("cluster '\(name)' is on no network: its 'install' names none and \(count) so far", at: range,
                           help: "name one in its install: install network NET",
                           notes: [.init("'\(name)' is installed here", at: install.statement)])
    }
}

/// The filter `clusters("KIND:VALUE")` takes: `network:NET`, `root:ROOT` or `prefix:P`.
struct ClusterFilter {
    enum Kind: String, CaseIterable { case network, root, prefix }
    var kind: Kind
    var value: String

    /// The filter `argument` spells; an error at it for one that is malformed, of an unknown
    /// kind (with a did-you-mean), or names a network or root not declared so far.
    init(_ argument: CommandArgument, in topology: Topology) throws {
        let forms = "the filters are \"network:NET\", \"root:ROOT\" and \"prefix:P\""
        guard let text = argument.string else {
            throw CommandError("clusters() takes a filter string, not \(argument.value.typeName)", at: argument.range, help: forms)
        }
        guard let colon = text.firstIndex(of: ":") else {
            let suggestion = Kind(rawValue: text)?.rawValue ?? Suggestions.closest(to: text, in: Kind.allCases.map(\.rawValue))
            throw CommandError("clusters() filter '\(text)' has no ':'", at: argument.range,
                               help: (suggestion.map { "did you mean \"\($0):...\"? " } ?? "") + forms)
        }
        let word = String(text[..<colon])
        guard let kind = Kind(rawValue: word) else {
            let suggestion = Suggestions.closest(to: word, in: Kind.allCases.map(\.rawValue))
            throw CommandError("unknown clusters() filter '\(word)'", at: argument.range,
                               help: (suggestion.map { "did you mean '\($0)'? " } ?? "") + forms)
        }
        (self.kind, value) = (kind, String(text[text.index(after: colon)...]))
        try check(argument.range, topology)
    }

    /// A network or root filter names one declared so far.
    private func check(_ range: SourceRange, _ topology: Topology) throws {
        let known: [String]
        switch kind {
        case .prefix: return
        case .network: known = topology.networks.map(\.name.value)
        case .root: known = topology.rootNames
        }
        guard !known.contains(value) else { return }
        let suggestion = Suggestions.closest(to: value, in: known)
        throw CommandError("unknown \(kind.rawValue) '\(value)' in clusters() filter", at: range,
                           help: (suggestion.map { "did you mean '\($0)'? " } ?? "")
                               + "clusters() knows the \(kind.rawValue)s declared before it runs: declare it first with: \(kind.rawValue) \(value.isEmpty ? "NAME" : value)")
    }

    /// Whether `cluster` passes: on the network (its install's, or the only one declared so far),
    /// trusting the root (`trust from ROOT`), or named with the prefix.
    func matches(_ cluster: ClusterDeclaration, in topology: Topology) -> Bool {
        switch kind {
        case .network: cluster.install != nil && topology.network(of: cluster) == value
        case .root: cluster.trust?.root.value == value
        case .prefix: cluster.name.value.hasPrefix(value)
        }
    }
}
