// Test helpers: YAML compared by value (not by text), and a way to ask the real kubectl
// (offline) for the reference answer.
import Foundation
import MeshTestSupport
import Testing
import Yams

@testable import MeshKube

/// A parsed YAML value with types resolved as YAML 1.1 does (what kubectl and
/// istioctl read): mappings compare without regard to key order, scalars by type.
indirect enum YAMLValue: Equatable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case list([YAMLValue])
    case map([String: YAMLValue])

    init(_ node: Node) {
        switch node {
        case .mapping(let mapping):
            var map: [String: YAMLValue] = [:]
            for (key, value) in mapping { map[key.string ?? "\(key)"] = YAMLValue(value) }
            self = .map(map)
        case .sequence(let sequence):
            self = .list(sequence.map(YAMLValue.init))
        case .scalar(let scalar):
            switch Resolver.default.resolveTag(of: node) {
            case .int: self = .int(node.int!)
            case .bool: self = .bool(node.bool!)
            case .null: self = .null
            default: self = .string(scalar.string)
            }
        }
    }

    /// Parses one YAML document; a test fails (and `.null` is returned) when it is not YAML.
    init(yaml: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                self = .null
                return
            }
            self.init(node)
        } catch {
            Issue.record("not YAML: \(error)\n\(yaml)", sourceLocation: sourceLocation)
            self = .null
        }
    }

    subscript(_ key: String) -> YAMLValue? {
        if case .map(let map) = self { return map[key] }
        return nil
    }

    subscript(_ index: Int) -> YAMLValue? {
        if case .list(let list) = self, list.indices.contains(index) { return list[index] }
        return nil
    }

    var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    var description: String {
        switch self {
        case .string(let s): "\"\(s)\""
        case .int(let i): "\(i)"
        case .bool(let b): "\(b)"
        case .null: "null"
        case .list(let l): "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): "{" + m.keys.sorted().map { "\($0): \(m[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}

/// Compares `actual` with `expected` YAML by value, and names the differing paths on failure.
func expectSameYAML(_ actual: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let a = YAMLValue(yaml: actual, sourceLocation: sourceLocation)
    let e = YAMLValue(yaml: expected, sourceLocation: sourceLocation)
    if a != e {
        let differences = differingPaths(a, e, path: "")
        Issue.record(
            "YAML differs at \(differences.joined(separator: ", "))\n--- actual\n\(actual)--- expected\n\(expected)",
            sourceLocation: sourceLocation)
    }
}

private func differingPaths(_ a: YAMLValue?, _ e: YAMLValue?, path: String) -> [String] {
    switch (a, e) {
    case (.map(let am), .map(let em)):
        return Set(am.keys).union(em.keys).sorted().flatMap { differingPaths(am[$0], em[$0], path: path + "." + $0) }
    case (.list(let al), .list(let el)) where al.count == el.count:
        return zip(al, el).enumerated().flatMap { differingPaths($1.0, $1.1, path: path + "[\($0)]") }
    default:
        return a == e ? [] : ["\(path.isEmpty ? "." : path) (\(a?.description ?? "missing") vs \(e?.description ?? "missing"))"]
    }
}

/// The real kubectl (never a stand-in on PATH), when installed. Run offline, with a private
/// HOME so the developer's own ~/.kube/config never leaks into a test.
enum Kubectl {
    static var path: String? { RealKubectl.path }

    static var isInstalled: Bool { RealKubectl.isInstalled }

    /// Why the comparisons with kubectl are skipped.
    static var absence: String { RealKubectl.absence ?? "" }

    static func run(_ arguments: [String], kubeconfig: String? = nil, stdin: String? = nil, home: String) throws -> ProcessRun {
        var environment = ["HOME": home, "PATH": "/usr/bin:/bin"]
        if let kubeconfig { environment["KUBECONFIG"] = kubeconfig }
        return try runProcess(path!, arguments, environment: environment, input: .text(stdin ?? ""))
    }
}

/// The Secret document of istioctl-style output: without the header comment and
/// the trailing `---`.
func secretBody(_ output: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    #expect(output.hasPrefix(RemoteSecret.header), sourceLocation: sourceLocation)
    #expect(output.hasSuffix("\n---\n"), sourceLocation: sourceLocation)
    return String(output.dropFirst(RemoteSecret.header.count).dropLast("---\n".count))
}
