// Plan renderers that produce text: a human-readable listing, JSON for pipelines, and DOT
// for graphviz. They only read the plan or topology.
import Foundation

extension Plan {
    public var text: String {
        var out = "Plan for mesh '\(mesh)' (Istio \(istio)): \(clusters.count) cluster\(clusters.count == 1 ? "" : "s"), \(links.count) discovery link\(links.count == 1 ? "" : "s"), work directory \(workDirectory)\n"
        var heading = ""
        for step in steps {
            let section = step.phase == .discover ? "discovery" : "cluster \(step.cluster)"
            if section != heading {
                heading = section
                out += "\n\(section)\n"
            }
            out += "  \(step.number). \(step.phase.rawValue): \(step.title)\n"
            for command in step.commands { out += "       $ \(command.displayString)\n" }
            if !step.files.isEmpty { out += "       files: \(step.files.joined(separator: " "))\n" }
            if let note = step.note { out += "       note: \(note)\n" }
        }
        if steps.isEmpty { out += "\nnothing to do: no cluster has trust, install or discover\n" }
        return out
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

extension Topology {
    /// The mesh as a graphviz digraph: clusters grouped by network, discovery links as edges
    /// (an edge source -> target means target reads source's API server).
    public var dot: String {
        func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var out = "digraph \(quote(mesh?.name.value ?? "mesh")) {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n"
        var byNetwork: [String: [ClusterDeclaration]] = [:]
        var order: [String] = []
        for cluster in clusters {
            let network = network(of: cluster) ?? ""
            if byNetwork[network] == nil { order.append(network) }
            byNetwork[network, default: []].append(cluster)
        }
        for (index, network) in order.enumerated() {
            let members = byNetwork[network]!
            if !network.isEmpty {
                out += "  subgraph cluster_\(index) {\n    label=\(quote("network " + network));\n"
            }
            for cluster in members {
                let root = cluster.trust.map { "\\nroot: \($0.root.value)" } ?? "\\nno trust"
                out += (network.isEmpty ? "  " : "    ") + "\(quote(cluster.name.value)) [label=\(quote(cluster.name.value + root))];\n"
            }
            if !network.isEmpty { out += "  }\n" }
        }
        for link in links {
            out += "  \(quote(link.source)) -> \(quote(link.target)) [label=\"remote secret\"];\n"
        }
        return out + "}\n"
    }
}
