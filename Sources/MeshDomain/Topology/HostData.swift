// Host data: what a host's own commands store on the mesh, a network or a cluster, typed as
// JSON is, so that it reaches the topology, plan.json, the REPL's :show, and the host's hooks
// (``PlanHook``) that turn it into plan steps and rendered files.
import MeshScriptInterpreter

/// A value a host command stores on a declaration: one of JSON's kinds (no null).
public enum HostValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A string.
    case string(String)
    /// An integer.
    case integer(Int)
    /// `true` or `false`.
    case boolean(Bool)
    /// A list of values.
    case list([HostValue])
    /// Values by key.
    case map([String: HostValue])

    /// A script value as host data (a string, name, integer, boolean or a list of them); nil for
    /// anything else.
    public init?(_ value: Value) {
        switch value {
        case .string(let text): self = .string(text)
        case .integer(let number): self = .integer(number)
        case .boolean(let flag): self = .boolean(flag)
        case .list(let items):
            var values: [HostValue] = []
            for item in items.items {
                guard let value = HostValue(item) else { return nil }
                values.append(value)
            }
            self = .list(values)
        default: return nil
        }
    }

    /// The string, when the value is one.
    public var string: String? { if case .string(let text) = self { text } else { nil } }

    /// As the script would write it: `"text"`, `3`, `true`, `[a, b]`, `{k: v}`.
    public var description: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .integer(let number): String(number)
        case .boolean(let flag): String(flag)
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .map(let members): "{" + members.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }

    /// Decodes a plain JSON value (`"a"`, `1`, `true`, `[...]`, `{...}`).
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) { self = .boolean(flag) }
        else if let number = try? container.decode(Int.self) { self = .integer(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let items = try? container.decode([HostValue].self) { self = .list(items) }
        else { self = .map(try container.decode([String: HostValue].self)) }
    }

    /// Encodes as a plain JSON value, as ``init(from:)`` reads it.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .integer(let number): try container.encode(number)
        case .boolean(let flag): try container.encode(flag)
        case .list(let items): try container.encode(items)
        case .map(let members): try container.encode(members)
        }
    }
}

/// Where host data is stored: a declaration of the topology.
public enum HostDataOwner: Sendable, Hashable {
    /// The mesh (the first `mesh` declared).
    case mesh
    /// The network of this name.
    case network(String)
    /// The cluster of this name (the first declared with it).
    case cluster(String)
}

/// Every declaration's host data, as the plan carries it (plan.json's `hostData`).
public struct HostDataSet: Sendable, Hashable, Codable {
    /// The mesh's.
    public var mesh: [String: HostValue] = [:]
    /// Each network's, by name; networks without any are left out.
    public var networks: [String: [String: HostValue]] = [:]
    /// Each cluster's, by name; clusters without any are left out.
    public var clusters: [String: [String: HostValue]] = [:]

    /// Whether no declaration has host data.
    public var isEmpty: Bool { mesh.isEmpty && networks.isEmpty && clusters.isEmpty }

    /// A set with these members.
    public init(mesh: [String: HostValue] = [:], networks: [String: [String: HostValue]] = [:], clusters: [String: [String: HostValue]] = [:]) {
        (self.mesh, self.networks, self.clusters) = (mesh, networks, clusters)
    }

    /// The host data of `topology`'s declarations.
    public init(_ topology: Topology) {
        mesh = topology.mesh?.hostData ?? [:]
        for network in topology.networks where !network.hostData.isEmpty { networks[network.name.value] = network.hostData }
        for cluster in topology.clusters where !cluster.hostData.isEmpty && clusters[cluster.name.value] == nil {
            clusters[cluster.name.value] = cluster.hostData
        }
    }
}

extension Topology {
    /// The host data of `owner` (empty when it has none or does not exist).
    public func hostData(of owner: HostDataOwner) -> [String: HostValue] {
        switch owner {
        case .mesh: mesh?.hostData ?? [:]
        case .network(let name): network(named: name)?.hostData ?? [:]
        case .cluster(let name): cluster(named: name)?.hostData ?? [:]
        }
    }
}

/// A host's change to the plan, from the topology (its host data included): add steps (of kind
/// ``Plan/Step/Kind/host(name:)``), change commands or notes. It runs at the end of every plan,
/// render's plan.json included.
public typealias PlanHook = @Sendable (_ plan: inout Plan, _ topology: Topology) -> Void

extension Plan {
    /// Inserts `step` after the last step of `cluster` in `phase` (at the end of the plan when
    /// there is none), and renumbers every step from 1.
    public mutating func insert(_ step: Step, afterLastOf phase: Phase, in cluster: String) {
        let index = steps.lastIndex { $0.cluster == cluster && $0.phase == phase }.map { $0 + 1 } ?? steps.count
        steps.insert(step, at: index)
        for position in steps.indices { steps[position].number = position + 1 }
    }
}
