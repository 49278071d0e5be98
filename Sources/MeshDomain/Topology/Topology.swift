// The topology a script describes: what evaluation builds and validation checks. Every
// entry keeps the source ranges of the statement and words that declared it, so each
// diagnostic can point at the statement responsible.
import Foundation
import MeshKube
import MeshScriptInterpreter

/// What installs a control plane: `istioctl install -f install.yaml`, or Istio's Helm charts.
public enum Installer: String, Sendable, Hashable, CaseIterable {
    /// `istioctl install -f WORK_DIR/C/install.yaml` (the default).
    case istioctl
    /// `helm upgrade --install` of Istio's `base`, `istiod` and `gateway` charts.
    case helm
}

/// A name with where it was written.
public struct Located<T: Sendable & Hashable>: Sendable, Hashable {
    /// The name (or other value) as the script wrote it.
    public var value: T
    /// Where it was written.
    public var range: SourceRange
    /// A value written at `range`.
    public init(_ value: T, _ range: SourceRange) {
        self.value = value
        self.range = range
    }
}

/// `mesh NAME < ... >`: the mesh's name (Istio's meshID) and its mesh-wide settings.
public struct MeshDeclaration: Sendable, Hashable {
    /// The mesh's name: every cluster's `meshID`.
    public var name: Located<String>
    /// The release `istio "X.Y"` targets, where it is written; nil: the newest the table knows.
    public var istio: Located<IstioRelease>?
    /// The release as the script wrote it in `istio "1.24"` or `"1.24.3"` (nil: none named, or
    /// `"current"`): Helm's `--version`.
    public var istioPin: String?
    /// `installer helm` in the mesh block: the installer of every cluster without its own.
    public var installer: Located<Installer>?
    /// `gitops repo "URL" ...`: the Git repository a GitOps controller reads `render --gitops`'s tree from.
    public var gitops: GitOpsDeclaration?
    /// `secrets apply` or `secrets external store "S"`: how keys, cacerts and remote secrets
    /// reach the clusters of a GitOps tree (nil: `apply`).
    public var secrets: Located<SecretDelivery>?
    /// The whole `mesh` statement.
    public var statement: SourceRange
    /// What host commands stored on the mesh (``TopologyBuilder/setHostData(_:_:on:)``).
    public var hostData: [String: HostValue] = [:]
}

extension MeshDeclaration {
    /// The mesh-block statements in which this mesh differs from `other` (`istio`, `installer`,
    /// `gitops`, `secrets`), each with its default filled in; empty when both declare the same
    /// mesh, which is then one declaration.
    public func differences(from other: MeshDeclaration) -> [SettingDifference] {
        // "1.Y.x" means "1.Y"; a patch release pins Helm's --version, so it differs from its minor.
        func release(_ mesh: MeshDeclaration) -> String {
            let pin = mesh.istioPin.map { $0.hasSuffix(".x") ? String($0.dropLast(2)) : $0 }
            return "\"\(pin ?? mesh.istio?.value.description ?? IstioReleases.newest.description)\""
        }
        func gitops(_ mesh: MeshDeclaration) -> String {
            guard let gitops = mesh.gitops else { return "none" }
            return "repo \"\(gitops.repository.value)\"" + (gitops.path.map { " path \"\($0.value)\"" } ?? "")
                + " revision \"\(gitops.revision?.value ?? "main")\""
        }
        func secrets(_ mesh: MeshDeclaration) -> String {
            switch mesh.secrets?.value ?? .apply {
            case .apply: "apply"
            case .externalSecrets(let store): "external store \"\(store)\""
            }
        }
        return [
            SettingDifference("istio", release(self), release(other)),
            SettingDifference("installer", (installer?.value ?? .istioctl).rawValue, (other.installer?.value ?? .istioctl).rawValue),
            SettingDifference("gitops", gitops(self), gitops(other)),
            SettingDifference("secrets", secrets(self), secrets(other)),
        ].filter { $0.value != $0.otherValue }
    }
}

/// `gitops repo "URL" [path "DIR"] [revision "REV"]` in the mesh block.
public struct GitOpsDeclaration: Sendable, Hashable {
    /// The repository's URL, as Argo CD's `repoURL` and Flux's GitRepository `url` take it.
    public var repository: Located<String>
    /// Where the tree `render --gitops` writes sits inside the repository (nil: its top).
    public var path: Located<String>?
    /// The branch (or tag) the controller follows (nil: `main`).
    public var revision: Located<String>?
    /// The whole `gitops` statement.
    public var statement: SourceRange
}

/// `network NAME`: a network (Istio's `topology.istio.io/network`); clusters on different networks reach each other through east-west gateways.
public struct NetworkDeclaration: Sendable, Hashable {
    /// The network's name.
    public var name: Located<String>
    /// The whole `network` statement.
    public var statement: SourceRange
    /// What host commands stored on the network (``TopologyBuilder/setHostData(_:_:on:)``).
    public var hostData: [String: HostValue] = [:]
}

/// A root CA's key type: `key rsa 2048|3072|4096` or `key ecdsa p256|p384`.
public enum RootKey: Sendable, Hashable, Codable, CustomStringConvertible {
    /// An RSA key of `bits` bits.
    case rsa(bits: Int)
    /// An ECDSA key on the named curve.
    case ecdsa(curve: String) // "p256" or "p384"

    /// The key as the script writes it: `rsa 4096`, `ecdsa p384`.
    public var description: String {
        switch self {
        case .rsa(let bits): "rsa \(bits)"
        case .ecdsa(let curve): "ecdsa \(curve)"
        }
    }
}

/// `root NAME < ... >`: a root CA that signs the intermediates of the clusters that trust it.
public struct RootDeclaration: Sendable, Hashable {
    /// The root's name, as `trust from NAME` refers to it.
    public var name: Located<String>
    /// `org "S"`: the certificate's organization (O=).
    public var organization = "Istio"
    /// `cn "S"`: the certificate's common name (CN=).
    public var commonName = "Root CA"
    /// `days N`: validity in days of the root and its intermediates (1 to 36500).
    public var days = 3650
    /// `key ...`: the root's key type.
    public var key: RootKey = .rsa(bits: 4096)
    /// Use an existing `root-cert.pem` + `root-key.pem` from this directory.
    public var from: Located<String>?
    /// The `from "DIR"` statement, where problems with the directory's files are reported.
    public var fromStatement: SourceRange?
    /// False for the implicit `root` that exists when the script declares none.
    public var isDeclared: Bool
    /// The whole `root` statement (nil for the implicit root).
    public var statement: SourceRange?

    /// The `root` that exists without being declared, with the default options.
    /// - Parameter file: a file of the script, for the empty source range of its name.
    public static func implicit(file: FileID) -> RootDeclaration {
        RootDeclaration(name: Located("root", SourceRange(file: file, start: 0, end: 0)), isDeclared: false, statement: nil)
    }
}

extension RootDeclaration {
    /// The options in which this root differs from `other`, by the word that sets them (`org`,
    /// `cn`, `days`, `key`, `from`), each with this root's value and `other`'s as the script
    /// writes them; empty when both declare the same root, which is then one declaration.
    public func differences(from other: RootDeclaration) -> [SettingDifference] {
        func quoted(_ text: String?) -> String { text.map { "\"\($0)\"" } ?? "none" }
        return [
            SettingDifference("org", quoted(organization), quoted(other.organization)),
            SettingDifference("cn", quoted(commonName), quoted(other.commonName)),
            SettingDifference("days", "\(days)", "\(other.days)"),
            SettingDifference("key", key.description, other.key.description),
            SettingDifference("from", quoted(from?.value), quoted(other.from?.value)),
        ].filter { $0.value != $0.otherValue }
    }
}

/// One setting two declarations of the same name give differently, as ``RootDeclaration/differences(from:)``
/// and ``MeshDeclaration/differences(from:)`` report it.
public struct SettingDifference: Sendable, Hashable {
    /// The word that sets it: `org`, `istio`, ...
    public var setting: String
    /// The value in the declaration asked, as the script writes it (with the default filled in).
    public var value: String
    /// The value in the declaration it is compared with.
    public var otherValue: String
    /// `setting` set to `value` here and to `otherValue` in the other declaration.
    public init(_ setting: String, _ value: String, _ otherValue: String) {
        (self.setting, self.value, self.otherValue) = (setting, value, otherValue)
    }
}

/// `trust from ROOT` in a cluster block: the cluster's intermediate CA is signed by that root.
public struct TrustDeclaration: Sendable, Hashable {
    /// The root's name, where it is written.
    public var root: Located<String>
    /// The whole `trust` statement.
    public var statement: SourceRange
}

/// `install [network NET] [revision "R"] [profile "P"] [remote of C] [installer helm]` in a
/// cluster block: the cluster runs a control plane (or is a remote of one).
public struct InstallDeclaration: Sendable, Hashable {
    /// `install network NET`; nil: the only network declared.
    public var network: Located<String>?
    /// `install revision "R"`: a DNS label.
    public var revision: Located<String>?
    /// `install profile "P"`: one of the targeted release's profiles (`ambient` selects ambient).
    public var profile: Located<String>?
    /// `install remote of C`: this cluster is a remote of primary `C` (Istio's primary-remote
    /// model): no istiod of its own, `profile: remote`, sidecars served by C's istiod.
    public var remoteOf: Located<String>? = nil
    /// `install installer helm`: this cluster's installer, over the mesh's.
    public var installer: Located<Installer>? = nil
    /// The whole `install` statement.
    public var statement: SourceRange
}

/// One `values` statement of a cluster: install values merged over what MeshScript sets, in
/// statement order (a later statement wins where two set the same value).
public struct ValuesOverlay: Sendable, Hashable {
    /// Where the values came from: `values "a.b.c" V` or `values file "F"`.
    public enum Source: Sendable, Hashable {
        /// The dotted path of a single value.
        case value(path: String)
        /// The file as the script named it (read relative to the script at evaluation).
        case file(path: String)

        /// The statement as diagnostics name it: `'values "pilot.env.X"'`, `'values file "F"'`.
        public var statementText: String {
            switch self {
            case .value(let path): "'values \"\(path)\"'"
            case .file(let path): "'values file \"\(path)\"'"
            }
        }
    }
    /// What the statement names.
    public var source: Source
    /// The values the statement sets, as a tree from the top of `values`.
    public var values: ValueTree
    /// The whole statement, where diagnostics about the overlay point.
    public var statement: SourceRange
}

/// `discover with C, ...` or `discover from C, ...` in a cluster block: who reads whose API server.
public struct DiscoveryDeclaration: Sendable, Hashable {
    /// `with`: each of the two clusters gets the other's remote secret; `from`: this cluster gets the peer's.
    public enum Direction: String, Sendable, Hashable { case mutual = "with", inbound = "from" }
    /// Mutual or one-way.
    public var direction: Direction
    /// The other cluster, where it is named.
    public var peer: Located<String>
    /// The whole `discover` statement.
    public var statement: SourceRange
}

/// `cluster NAME < ... >`: one Kubernetes cluster of the mesh and what it runs.
///
/// A value like every declaration, whose fields share one box until a copy changes them. Its
/// fields take about 340 bytes: held inline, the topology's array of clusters grew by copying
/// every one (5 MB of fresh pages for a ring of 5,000 clusters), and each read of a cluster
/// copied all its fields.
public struct ClusterDeclaration: Sendable, Hashable, CustomReflectable {
    /// The cluster's name (Istio's clusterName).
    public var name: Located<String> {
        get { box.fields.name }
        _modify { makeUnique(); yield &box.fields.name }
    }
    /// The whole `cluster` statement.
    public var statement: SourceRange {
        get { box.fields.statement }
        _modify { makeUnique(); yield &box.fields.statement }
    }
    /// `context NAME`: the kubeconfig context (nil: the cluster's name).
    public var context: Located<String>? {
        get { box.fields.context }
        _modify { makeUnique(); yield &box.fields.context }
    }
    /// `trust from ROOT` (nil: the cluster has no intermediate CA of its own).
    public var trust: TrustDeclaration? {
        get { box.fields.trust }
        _modify { makeUnique(); yield &box.fields.trust }
    }
    /// `install ...` (nil: no control plane is installed).
    public var install: InstallDeclaration? {
        get { box.fields.install }
        _modify { makeUnique(); yield &box.fields.install }
    }
    /// `server "https://HOST:PORT"`: the API server address written into this cluster's remote secret
    /// (nil: the kubeconfig's).
    public var server: Located<String>? {
        get { box.fields.server }
        _modify { makeUnique(); yield &box.fields.server }
    }
    /// The `token from kubeconfig` statement: the remote secret carries the kubeconfig user's
    /// own token (an explicit opt-in). Nil: Istio's reader service account's token.
    public var tokenFromKubeconfig: SourceRange? {
        get { box.fields.tokenFromKubeconfig }
        _modify { makeUnique(); yield &box.fields.tokenFromKubeconfig }
    }
    /// `discover` statements, in order.
    public var discovery: [DiscoveryDeclaration] {
        get { box.fields.discovery }
        _modify { makeUnique(); yield &box.fields.discovery }
    }
    /// `values` statements, in order.
    public var overlays: [ValuesOverlay] {
        get { box.fields.overlays }
        _modify { makeUnique(); yield &box.fields.overlays }
    }
    /// What host commands stored on the cluster (``TopologyBuilder/setHostData(_:_:on:)``).
    public var hostData: [String: HostValue] {
        get { box.fields.hostData }
        _modify { makeUnique(); yield &box.fields.hostData }
    }

    /// Every overlay merged in statement order (empty when there is none).
    public var overlay: ValueTree { overlays.reduce(ValueTree.empty) { $0.merging($1.values) } }

    /// The kubeconfig context: the declared one, or the cluster's name.
    public var contextName: String { context?.value ?? name.value }

    /// The cluster declared by the statement at `statement`, its block not run yet.
    init(name: Located<String>, statement: SourceRange) {
        box = Box(Fields(name: name, statement: statement))
    }

    /// Whether the two declare the same: every field equal (at once when they share their fields).
    public static func == (left: ClusterDeclaration, right: ClusterDeclaration) -> Bool {
        left.box === right.box || left.box.fields == right.box.fields
    }

    /// Hashes every field, as `==` compares them.
    public func hash(into hasher: inout Hasher) { hasher.combine(box.fields) }

    /// The fields, as `print`, `dump` and test failures show them (not the box that holds them).
    public var customMirror: Mirror {
        Mirror(self, children: Mirror(reflecting: box.fields).children, displayStyle: .struct)
    }

    /// The declaration's fields, each documented at its accessor above.
    private struct Fields: Sendable, Hashable {
        var name: Located<String>
        var statement: SourceRange
        var context: Located<String>? = nil
        var trust: TrustDeclaration? = nil
        var install: InstallDeclaration? = nil
        var server: Located<String>? = nil
        var tokenFromKubeconfig: SourceRange? = nil
        var discovery: [DiscoveryDeclaration] = []
        var overlays: [ValuesOverlay] = []
        var hostData: [String: HostValue] = [:]
    }

    /// The shared fields. Written only through the one declaration that holds it
    /// (`makeUnique`), so no copy ever sees it change: that makes it Sendable, and leaves
    /// nothing for a run-time exclusivity check on each access to find (they cost a ring of
    /// 5,000 clusters 4% of its `check`).
    private final class Box: @unchecked Sendable {
        @exclusivity(unchecked) var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    /// Gives this declaration fields of its own before it changes one, when a copy shares them.
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
    }
}

/// Everything a script declared, with where: what evaluation builds and validation checks.
public struct Topology: Sendable, Hashable {
    /// `mesh` statements (validation allows one).
    public var meshes: [MeshDeclaration] = []
    /// `network` statements, in order.
    public var networks: [NetworkDeclaration] = []
    /// Declared `root` statements, in order (the implicit `root` is not among them).
    public var roots: [RootDeclaration] = []
    /// `cluster` statements, in order.
    public var clusters: [ClusterDeclaration] = [] {
        // Any change, a remote's `install` included, forgets the index of remotes built on it.
        // An index no other copy shares is emptied in place: evaluation changes a cluster once
        // per statement, and a new index each time was an allocation and a lock.
        didSet {
            if isKnownUniquelyReferenced(&remoteIndex) { remoteIndex.forget() } else { remoteIndex = RemoteIndex() }
        }
    }
    /// The remotes of each primary and the links, built on first use: planning and render ask
    /// per cluster, and a scan of every cluster each time made a 100k-cluster plan quadratic.
    private var remoteIndex = RemoteIndex()
    /// `kubeconfig "PATH"`: where contexts are read from (nil: `$KUBECONFIG` or `~/.kube/config`).
    public var kubeconfig: Located<String>?

    /// An empty topology.
    public init() {}

    /// The mesh (the first `mesh` statement), nil when there is none.
    public var mesh: MeshDeclaration? { meshes.first }
    /// The targeted Istio release: the mesh's `istio`, else the newest ``/MeshKube/IstioReleases`` knows.
    public var istio: IstioRelease { mesh?.istio?.value ?? IstioReleases.newest }
    /// The forms of the targeted release, from ``/MeshKube/IstioReleases/table`` (the newest row for a
    /// release newer than the table; `istio` refuses releases older than the table).
    public var forms: IstioForms { IstioReleases.forms(for: istio) ?? IstioReleases.table[0] }

    /// The cluster declared as `name`, nil when there is none.
    public func cluster(named name: String) -> ClusterDeclaration? { clusters.first { $0.name.value == name } }
    /// The network declared as `name`, nil when there is none.
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

    /// Every root's name, the implicit `root` first when it is not declared.
    public var rootNames: [String] {
        var names = roots.map(\.name.value)
        if !names.contains("root") { names.insert("root", at: 0) }
        return names
    }

    /// The primary a cluster is a remote of (`install remote of C`), nil for a primary.
    public func primary(of cluster: ClusterDeclaration) -> String? { cluster.install?.remoteOf?.value }

    /// The clusters that are remotes of `primary`, in declaration order.
    public func remotes(of primary: String) -> [ClusterDeclaration] {
        (remoteIndex.positions(in: clusters)[primary] ?? []).map { clusters[$0] }
    }

    /// What installs the cluster's control plane: its `install installer`, else the mesh's
    /// `installer`, else istioctl.
    public func installer(of cluster: ClusterDeclaration) -> Installer {
        cluster.install?.installer?.value ?? mesh?.installer?.value ?? .istioctl
    }

    /// Whether the cluster's control plane is installed with an ambient profile (`install profile
    /// "ambient"`, or OpenShift's `openshift-ambient`): ztunnel instead of sidecars.
    public func isAmbient(_ cluster: ClusterDeclaration) -> Bool {
        switch cluster.install?.profile?.value {
        case "ambient", "openshift-ambient": true
        default: false
        }
    }

    /// What a cluster's install sets beyond meshID, clusterName and network: the model's values
    /// (EXTERNAL_ISTIOD on a primary with remotes), then its `values` statements, later winning.
    /// Both installers take these (install.yaml's `spec.values`, the istiod chart's values).
    public func installValues(of cluster: ClusterDeclaration) -> ValueTree {
        let servesRemotes = primary(of: cluster) == nil && !remotes(of: cluster.name.value).isEmpty
        // Most clusters have neither: no tree is merged (each of its maps is a box of its own).
        guard servesRemotes || !cluster.overlays.isEmpty else { return .empty }
        let model = servesRemotes ? PrimaryRemoteValues.primary(globalExternalIstiod: forms.externalIstiodInGlobal) : .empty
        return model.merging(cluster.overlay)
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
    /// The cluster whose API server is read (whose remote secret is made).
    public var source: String
    /// The cluster whose control plane reads it (which gets the remote secret).
    public var target: String
    /// A link on which `target` reads `source`.
    public init(source: String, target: String) {
        self.source = source
        self.target = target
    }
}

extension Topology {
    /// Every directed link, without duplicates, in declaration order. References to unknown
    /// clusters and self-links are left out (validation reports them).
    public var links: [DiscoveryLink] { remoteIndex.links(of: clusters).links }

    /// The positions in ``clusters`` of each link's ends, in the order of ``links``: the planner
    /// reads a link's clusters by position instead of looking their names up again.
    var linkEnds: [LinkEnds] { remoteIndex.links(of: clusters).ends }

    /// Each cluster name's position in `clusters`; the first declaration of a name wins.
    static func firstPositions(of clusters: [ClusterDeclaration]) -> [String: Int] {
        var positions = [String: Int](minimumCapacity: clusters.count)
        // Last to first, so the first declaration's position is the one that stays. (Not a
        // Dictionary made from (name, position) pairs: the pair's type is made at run time.)
        for index in clusters.indices.reversed() { positions[clusters[index].name.value] = index }
        return positions
    }

    /// ``links`` and ``linkEnds``, computed from the clusters. A link's ends are found by name
    /// once, as the first position of each name, and compared and remembered as positions: one
    /// hash of a name per declared link instead of four.
    fileprivate static func links(of clusters: [ClusterDeclaration]) -> LinkList {
        let declared = clusters.reduce(0) { $0 + 1 + $1.discovery.count }
        let positions = firstPositions(of: clusters)
        var seen = Set<Int>(minimumCapacity: declared)
        var result: [DiscoveryLink] = [], ends: [LinkEnds] = []
        result.reserveCapacity(declared)
        ends.reserveCapacity(declared)
        func add(_ source: String, at sourcePosition: Int?, _ target: String, at targetPosition: Int?) {
            guard let sourcePosition, let targetPosition, sourcePosition != targetPosition,
                  seen.insert(sourcePosition * clusters.count + targetPosition).inserted else { return }
            result.append(DiscoveryLink(source: source, target: target))
            ends.append(LinkEnds(source: sourcePosition, target: targetPosition))
        }
        for cluster in clusters {
            let name = cluster.name.value, position = positions[name]
            // A remote is attached to its primary: the primary's istiod reads the remote's API
            // server (Istio's "attach cluster2 as a remote of cluster1" step).
            if let primary = cluster.install?.remoteOf?.value {
                add(name, at: position, primary, at: positions[primary])
            }
            for discovery in cluster.discovery {
                let peer = discovery.peer.value, peerPosition = positions[peer]
                add(peer, at: peerPosition, name, at: position)
                if discovery.direction == .mutual { add(name, at: position, peer, at: peerPosition) }
            }
        }
        return LinkList(links: result, ends: ends)
    }
}

/// ``Topology/links`` and ``Topology/linkEnds``, made together. (A struct, not a tuple: a
/// tuple's metadata is made at run time.)
private struct LinkList {
    let links: [DiscoveryLink]
    let ends: [LinkEnds]
}

/// Where a link's ends are declared: the positions in ``Topology/clusters`` of the first
/// declaration of its source's and its target's name.
struct LinkEnds {
    let source: Int
    let target: Int
}

/// The positions of each primary's remotes in `Topology.clusters`, and the topology's links,
/// built once per version of the clusters and shared by the copies of that version (the
/// pre-flight, the planner and `check`'s summary each ask for the links). It takes no part in a topology's equality or
/// hash: it is derived from the clusters, which do.
private final class RemoteIndex: @unchecked Sendable, Hashable {
    // @unchecked: `byPrimary` and `links` are built and read under `lock`.
    private let lock = NSLock()
    private var byPrimary: [String: [Int]]?
    private var links: LinkList?

    /// Drop what was built (the clusters changed). Only for an index one topology alone holds,
    /// while it changes: no other thread can reach it then, so the lock is not taken.
    func forget() {
        (byPrimary, links) = (nil, nil)
    }

    func links(of clusters: [ClusterDeclaration]) -> LinkList {
        lock.lock()
        defer { lock.unlock() }
        if let links { return links }
        let built = Topology.links(of: clusters)
        links = built
        return built
    }

    func positions(in clusters: [ClusterDeclaration]) -> [String: [Int]] {
        lock.lock()
        defer { lock.unlock() }
        if let byPrimary { return byPrimary }
        var built: [String: [Int]] = [:]
        for (position, cluster) in clusters.enumerated() {
            if let primary = cluster.install?.remoteOf?.value { built[primary, default: []].append(position) }
        }
        byPrimary = built
        return built
    }

    static func == (a: RemoteIndex, b: RemoteIndex) -> Bool { true }
    func hash(into hasher: inout Hasher) {}
}
