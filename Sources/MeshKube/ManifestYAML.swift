// Builds YAML node trees and prints them the way Kubernetes' Go tooling does
// (go-yaml v2 is a port of libyaml, which Yams wraps), so that manifests written
// by MeshScript look like the ones kubectl and istioctl print.
import Yams

/// Node constructors for manifests. Mappings keep the order they are written in,
/// so each manifest decides its own key order.
enum ManifestYAML {
    static func map(_ pairs: KeyValuePairs<String, Node>) -> Node {
        .mapping(Node.Mapping(pairs.map { (string($0.key), $0.value) }))
    }

    static func map(_ pairs: [(String, Node)]) -> Node {
        .mapping(Node.Mapping(pairs.map { (string($0.0), $0.1) }))
    }

    static func seq(_ items: [Node]) -> Node {
        .sequence(Node.Sequence(items))
    }

    /// A string value. Like go-yaml, a string that would read back as another type
    /// (`"true"`, `"443"`, `"null"`) is double-quoted and a multi-line string is a
    /// literal block; everything else is plain where libyaml allows it (libyaml
    /// itself falls back to single quotes for e.g. `'*.local'`).
    static func string(_ value: String) -> Node {
        if value.contains("\n") {
            return .scalar(.init(value, .implicit, .literal))
        }
        let plain = Node.scalar(.init(value))
        // go-yaml v2 also reads y/Y/n/N as booleans.
        if Resolver.default.resolveTag(of: plain) != .str || ["y", "Y", "n", "N"].contains(value) {
            return .scalar(.init(value, Tag(.str), .doubleQuoted))
        }
        return plain
    }

    static func int(_ value: Int) -> Node { .scalar(.init(String(value))) }
    static func bool(_ value: Bool) -> Node { .scalar(.init(value ? "true" : "false")) }
    static var null: Node { .scalar(.init("null")) }
    static var emptyMap: Node { .mapping(Node.Mapping([])) }

    /// One YAML document, two-space indentation, sequences not indented inside
    /// mappings (kubectl's style).
    static func emit(_ node: Node) -> String {
        do {
            return try Yams.serialize(node: node, indent: 2, allowUnicode: true)
        } catch {
            // Only reachable with a malformed node tree, which these builders never make.
            preconditionFailure("MeshKube built an unprintable YAML tree: \(error)")
        }
    }
}

/// Edits of a rendered manifest that a host's render hook makes (see `RenderHook`).
public enum ManifestEdit {
    /// `manifest` (one YAML document of a Kubernetes object) with `labels` set in its
    /// `metadata.labels`, printed as MeshScript prints manifests; nil when it is not one object
    /// with a `metadata` mapping.
    public static func settingLabels(_ labels: [String: String], in manifest: String) -> String? {
        guard let documents = try? Array(Yams.compose_all(yaml: manifest)), documents.count == 1,
              case .mapping(var object) = documents[0], case .mapping(var metadata)? = object["metadata"] else { return nil }
        var existing: Node.Mapping
        if case .mapping(let mapping)? = metadata["labels"] { existing = mapping } else { existing = Node.Mapping([]) }
        for key in labels.keys.sorted() { existing[ManifestYAML.string(key)] = ManifestYAML.string(labels[key]!) }
        metadata[ManifestYAML.string("labels")] = .mapping(existing)
        object[ManifestYAML.string("metadata")] = .mapping(metadata)
        return ManifestYAML.emit(.mapping(object))
    }
}
