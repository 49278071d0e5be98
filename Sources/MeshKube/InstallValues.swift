// The install values of one control plane as a tree: what MeshScript sets (meshID,
// clusterName, network) with the script's overlays (`values "a.b" V`, `values file "F"`)
// merged over it. The same tree is the IstioOperator's `spec.values` and the istiod Helm
// chart's values (whose chart merges `pilot:` into its top level, as istioctl's values do).
import LocalFiles
import Yams

/// A value of Istio's install values: a scalar, a list or a mapping whose keys keep their order.
public indirect enum ValueTree: Sendable, Hashable {
    /// A string, written quoted where YAML would read it as another type (`"1.0"`, `"true"`).
    case string(String)
    /// An integer.
    case integer(Int)
    /// `true` or `false`.
    case boolean(Bool)
    /// A YAML float, kept as written (`1.0`, `0.5`).
    case float(String)
    /// YAML null: Helm deletes the key it lands on.
    case null
    /// A list, replaced whole by a later value.
    case list([ValueTree])
    /// A mapping, merged key by key; keys keep the order they were first set in.
    case map([Member])

    /// One key of a mapping with its value.
    public struct Member: Sendable, Hashable {
        /// The mapping key.
        public var key: String
        /// The value under ``key``.
        public var value: ValueTree
        /// The member `key: value`.
        public init(_ key: String, _ value: ValueTree) {
            self.key = key
            self.value = value
        }
    }

    /// An empty mapping. Computed, not stored: a stored static would hold the indirect case's
    /// box through a tagged pointer LeakSanitizer cannot follow, and the fuzzer reports it.
    public static var empty: ValueTree { .map([]) }

    /// `value` placed at the dotted `path` (`["pilot", "env", "X"]` -> `pilot: {env: {X: value}}`).
    public static func at(_ path: [String], _ value: ValueTree) -> ValueTree {
        path.reversed().reduce(value) { .map([Member($1, $0)]) }
    }

    /// `overlay` merged over this tree as Helm merges values files: mappings key by key (new
    /// keys after the existing ones), anything else replaced whole by the later value.
    public func merging(_ overlay: ValueTree) -> ValueTree {
        guard case .map(var members) = self, case .map(let overlayMembers) = overlay else { return overlay }
        for member in overlayMembers {
            if let index = members.firstIndex(where: { $0.key == member.key }) {
                members[index].value = members[index].value.merging(member.value)
            } else {
                members.append(member)
            }
        }
        return .map(members)
    }

    /// Every value a merge of this tree would set, as a dotted path and the value: the leaves
    /// (scalars, lists, null), in order. An empty mapping sets nothing and is left out.
    public var leaves: [(path: [String], value: ValueTree)] {
        guard case .map(let members) = self else { return [([], self)] }
        return members.flatMap { member in member.value.leaves.map { ([member.key] + $0.path, $0.value) } }
    }

    /// The value on one line, as YAML's flow style writes it (`"443"` quoted when it would
    /// read back as a number, lists in brackets); for plans.
    public var flowText: String {
        switch self {
        case .string(let text):
            // Bare where YAML would read it back as this string: not a number, boolean or null
            // (what ManifestYAML quotes), no flow indicator, no edge space.
            let style = ManifestYAML.string(text).scalar?.style
            let bare = style != .doubleQuoted && style != .literal && !text.isEmpty && text.first != " " && text.last != " "
                && !text.contains(where: { ",[]{}#:\"'&*!|>%@`".contains($0) })
            return bare ? text : Self.quoted(text)
        case .integer(let value): return String(value)
        case .boolean(let value): return value ? "true" : "false"
        case .float(let text): return text
        case .null: return "null"
        case .list(let items): return "[" + items.map(\.flowText).joined(separator: ", ") + "]"
        case .map(let members): return "{" + members.map { "\($0.key): \($0.value.flowText)" }.joined(separator: ", ") + "}"
        }
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\x" + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The tree as a YAML node, strings quoted the way ``ManifestYAML/string(_:)`` quotes them.
    var node: Node {
        switch self {
        case .string(let text): ManifestYAML.string(text)
        case .integer(let value): ManifestYAML.int(value)
        case .boolean(let value): ManifestYAML.bool(value)
        case .float(let text): .scalar(.init(text))
        case .null: ManifestYAML.null
        case .list(let items): ManifestYAML.seq(items.map(\.node))
        case .map(let members): ManifestYAML.map(members.map { ($0.key, $0.value.node) })
        }
    }

    /// The tree as one YAML document (a values file).
    public var yaml: String { ManifestYAML.emit(node) }
}

/// Why an overlay file cannot be used; `message` completes "values file 'F' ...".
public struct ValuesFileError: Error, Sendable, Equatable {
    /// Lower case, without the path: "is not a YAML mapping (it is a list)".
    public var message: String
}

/// Reading `values file "F"` overlays.
public enum ValuesFile {
    /// The most an overlay file may hold; Istio's whole istiod values.yaml is about 25 KB.
    public static let sizeLimit = 1 << 20

    /// The mapping in the YAML file at `path`: refused when it cannot be read, is larger than
    /// ``sizeLimit``, is not YAML, or is not a mapping at its top (an empty file is an empty mapping).
    public static func read(_ path: String) throws(ValuesFileError) -> ValueTree {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, limit: sizeLimit)
        } catch {
            throw ValuesFileError(message: "cannot be read: \(error.message)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ValuesFileError(message: "is not UTF-8 text")
        }
        return try parse(text)
    }

    /// The mapping `text` holds (see ``read(_:)``).
    public static func parse(_ text: String) throws(ValuesFileError) -> ValueTree {
        // libyaml's time grows with the square of flow nesting (a 600 KB `[[[...` takes minutes).
        guard flowNesting(text) <= maxFlowNesting else {
            throw ValuesFileError(message: "nests '[' and '{' more than \(maxFlowNesting) deep")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ValuesFileError(message: "is not valid YAML (\(Self.describe(error)))")
        }
        guard let node else { return .empty }
        guard case .mapping = node else {
            throw ValuesFileError(message: "is not a YAML mapping (its top is a \(node.isScalar ? "scalar" : "list"))")
        }
        return try tree(node)
    }

    /// The deepest flow nesting a values file may have; Istio's values nest a handful deep.
    static let maxFlowNesting = 100

    /// How deep `[` and `{` nest in `text`, counting those inside quotes and comments too: an
    /// over-estimate, so that no quoting trick hides nesting from the bound.
    static func flowNesting(_ text: String) -> Int {
        var depth = 0, deepest = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
        return deepest
    }

    /// Where and what a YAML error is, on one line: "line 2, column 1: did not find expected ',' or ']'".
    private static func describe(_ error: Error) -> String {
        switch error as? YamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)"
        case .reader(let problem, _, _, _): return problem
        default: return "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
        }
    }

    private static func tree(_ node: Node) throws(ValuesFileError) -> ValueTree {
        switch node {
        case .scalar(let scalar):
            switch Resolver.default.resolveTag(of: node) {
            case .null: return .null
            case .bool: return .boolean(Bool.construct(from: scalar) ?? false)
            case .int: return Int.construct(from: scalar).map { .integer($0) } ?? .string(scalar.string)
            case .float: return .float(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var items: [ValueTree] = []
            for item in sequence { items.append(try tree(item)) }
            return .list(items)
        case .mapping(let mapping):
            var members: [ValueTree.Member] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else { throw ValuesFileError(message: "has a key that is not a scalar") }
                members.append(.init(keyScalar.string, try tree(value)))
            }
            return .map(members)
        }
    }
}

private extension Node {
    var isScalar: Bool { if case .scalar = self { true } else { false } }
}
