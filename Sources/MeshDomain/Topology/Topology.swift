// The topology a script describes: what evaluation builds and validation checks. Every
// entry keeps the source ranges of the statement and words that declared it, so each
// diagnostic can point at the statement responsible.
import MeshKube
import MeshScriptInterpreter

/// Which Istio release's artifacts are produced.
public enum IstioVersion: Sendable, Hashable, Codable {
    /// Current Istio (1.2x): `istioctl install`, no meshExpansion.
    case current
    /// The seed document's Istio 1.6 forms: `manifest apply`, meshNetworks, meshExpansion.
    case legacy16

    public var label: String { self == .current ? "current" : "1.6" }
}

/// A name with where it was written.
public struct Located<T: Sendable & Hashable>: Sendable, Hashable {
    public var value: T
    public var range: SourceRange
    public init(_ value: T, _ range: SourceRange) {
        self.value = value
        self.range = range
    }
}

public struct MeshDeclaration: Sendable, Hashable {
    public var name: Located<String>
    public var istio: IstioVersion = .current
    public var statement: SourceRange
}

public struct NetworkDeclaration: Sendable, Hashable {
    public var name: Located<String>
    public var statement: SourceRange
}

public enum RootKey: Sendable, Hashable, Codable, CustomStringConvertible {
    case rsa(bits: Int)
    case ecdsa(curve: String) // "p256" or "p384"

    public var description: String {
        switch self {
        case .rsa(let bits): "rsa \(bits)"
        case .ecdsa(let curve): "ecdsa \(curve)"
        }
    }
}

public struct RootDeclaration: Sendable, Hashable {
    public var name: Located<String>
    public var organization = "Istio"
    public var commonName = "Root CA"
    public var days = 3650
    public var key: RootKey = .rsa(bits: 4096)
    /// Use an existing `root-cert.pem` + `root-key.pem` from this directory.
    public var from: Located<String>?
    /// False for the implicit `root` that exists when the script declares none.
    public var isDeclared: Bool
    public var statement: SourceRange?

    public static func implicit(file: FileID) -> RootDeclaration {
        RootDeclaration(name: Located("root", SourceRange(file: file, start: 0, end: 0)), isDeclared: false, statement: nil)
    }
}

public struct TrustDeclaration: Sendable, Hashable {
    public var root: Located<String>
    public var statement: SourceRange
}

public struct InstallDeclaration: Sendable, Hashable {
    public var network: Located<String>?
    public var revision: Located<String>?
    public var profile: Located<String>?
    public var statement: SourceRange
}

public struct DiscoveryDeclaration: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable { case mutual = "with", inbound = "from" }
    public var direction: Direction
    public var peer: Located<String>
    public var statement: SourceRange
}

public struct ClusterDeclaration: Sendable, Hashable {
    public var name: Located<String>
    public var statement: SourceRange
    public var context: Located<String>?
    public var trust: TrustDeclaration?
    public var install: InstallDeclaration?
    public var server: Located<String>?
    /// The `token from kubeconfig` statement: the remote secret carries the kubeconfig user's
    /// own token (an explicit opt-in). Nil: Istio's reader service account's token.
    public var tokenFromKubeconfig: SourceRange?
    public var discovery: [DiscoveryDeclaration] = []

    /// The kubeconfig context: the declared one, or the cluster's name.
    public var contextName: String { context?.value ?? name.value }
}

public struct Topology: Sendable, Hashable {
    public var meshes: [MeshDeclaration] = []
    public var networks: [NetworkDeclaration] = []
    public var roots: [RootDeclaration] = []
    public var clusters: [ClusterDeclaration] = []
    public var kubeconfig: Located<String>?

    public init() {}

    public var mesh: MeshDeclaration? { meshes.first }
    public var istio: IstioVersion { mesh?.istio ?? .current }

    /// The release whose `istioctl create-remote-secret` the remote secrets follow.
    public var remoteSecretRelease: RemoteSecretRelease {
        RemoteSecretRelease(label: istio.label) ?? RemoteSecretRelease(minor: RemoteSecretRelease.newestKnownMinor)
    }

    public func cluster(named name: String) -> ClusterDeclaration? { clusters.first { $0.name.value == name } }
    public func network(named name: String) -> NetworkDeclaration? { networks.first { $0.name.value == name } }

    /// The root a name refers to, including the implicit `root` with Istio's profile.
    public func root(named name: String) -> RootDeclaration? {
        if let declared = roots.first(where: { $0.name.value == name }) { return declared }
        guard name == "root" else { return nil }
        // The implicit root is written nowhere; its empty range only names a file of the script.
        return .implicit(file: clusters.first?.statement.file ?? meshes.first?.statement.file ?? FileID(index: 0))
    }

    /// What a root is, rather than what it is called: two declarations that bring the same
    /// existing directory (`from "DIR"`) are one root, for validation and for render alike.
    public func rootIdentity(named name: String) -> String {
        root(named: name)?.from.map { "from:" + $0.value } ?? "root:" + name
    }

    public var rootNames: [String] {
        var names = roots.map(\.name.value)
        if !names.contains("root") { names.insert("root", at: 0) }
        return names
    }

    /// The network a cluster's control plane is on: its install's, or the only one declared.
    public func network(of cluster: ClusterDeclaration) -> String? {
        if let network = cluster.install?.network { return network.value }
        return networks.count == 1 ? networks[0].name.value : nil
    }
}

/// A directed discovery link: `target`'s control plane reads `source`'s API server, so
/// `target` gets `source`'s remote secret.
public struct DiscoveryLink: Sendable, Hashable, Codable {
    public var source: String
    public var target: String
    public init(source: String, target: String) {
        self.source = source
        self.target = target
    }
}

extension Topology {
    /// Every directed link, without duplicates, in declaration order. References to unknown
    /// clusters and self-links are left out (validation reports them).
    public var links: [DiscoveryLink] {
        var seen = Set<DiscoveryLink>()
        var result: [DiscoveryLink] = []
        let known = Set(clusters.map(\.name.value))
        func add(_ link: DiscoveryLink) {
            guard link.source != link.target, known.contains(link.source), known.contains(link.target) else { return }
            if seen.insert(link).inserted { result.append(link) }
        }
        for cluster in clusters {
            for discovery in cluster.discovery {
                add(DiscoveryLink(source: discovery.peer.value, target: cluster.name.value))
                if discovery.direction == .mutual {
                    add(DiscoveryLink(source: cluster.name.value, target: discovery.peer.value))
                }
            }
        }
        return result
    }
}
