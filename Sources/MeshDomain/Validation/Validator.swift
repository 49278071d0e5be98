// Validation of the whole topology after evaluation (so forward references between
// clusters work). Each rule reports at the statement or word responsible.
import MeshKube
import MeshScriptInterpreter

/// The whole-topology rules checked after evaluation, before plan or render.
public enum Validator {
    /// Every rule's diagnostics for `topology`; no error means it can be planned.
    public static func validate(_ topology: Topology) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func error(_ message: String, _ range: SourceRange, help: String? = nil, notes: [Diagnostic.Note] = []) {
            diagnostics.append(.error(message, at: range, notes: notes, help: help))
        }

        // Names must be DNS-1123 labels.
        func checkLabel(_ kind: String, _ name: Located<String>) {
            guard !DNSLabel.isValid(name.value) else { return }
            let suggestion = DNSLabel.suggestion(for: name.value)
            error("\(kind) name '\(name.value)' is not a valid DNS-1123 label", name.range,
                  help: (suggestion.map { "use '\($0)': " } ?? "") + "names become Kubernetes object names, secret keys and directory names (lowercase letters, digits and '-', at most 63 characters)")
        }
        topology.meshes.forEach { checkLabel("mesh", $0.name) }
        topology.networks.forEach { checkLabel("network", $0.name) }
        topology.roots.forEach { checkLabel("root", $0.name) }
        // By position: `forEach` copies each declaration, a count on each of its fields.
        for index in topology.clusters.indices { checkLabel("cluster", topology.clusters[index].name) }

        // A name declared twice.
        func checkDuplicates(_ kind: String, _ names: [Located<String>]) {
            var first = [String: SourceRange](minimumCapacity: names.count)
            for name in names {
                if let earlier = first[name.value] {
                    error("\(kind) '\(name.value)' is declared twice", name.range, notes: [.init("first declared here", at: earlier)])
                } else {
                    first[name.value] = name.range
                }
            }
        }
        // By name, first declaration wins (as in Topology.cluster(named:)); a linear search per
        // discovery made a script with tens of thousands of clusters take minutes.
        // Positions, not copies: a ClusterDeclaration is many references to count.
        let clustersByName = Topology.firstPositions(of: topology.clusters)
        checkDuplicateClusters(topology.clusters, clustersByName, &diagnostics)
        checkSharedContexts(topology.clusters, clustersByName, &diagnostics)
        // Evaluation merges a repeated network; a topology built otherwise may still repeat one.
        checkDuplicates("network", topology.networks.map(\.name))
        checkRepeatedRoots(topology.roots, &diagnostics)
        checkRepeatedMeshes(topology.meshes, &diagnostics)

        checkRelease(topology, &diagnostics)
        checkMeshInstaller(topology, &diagnostics)
        checkClusters(topology, clustersByName, &diagnostics)
        return diagnostics
    }

    /// A cluster declared twice: reported at each repeat, with a note at the first.
    private static func checkDuplicateClusters(_ clusters: [ClusterDeclaration], _ firstPositions: [String: Int], _ diagnostics: inout [Diagnostic]) {
        guard firstPositions.count < clusters.count else { return } // every name is declared once
        for (index, cluster) in clusters.enumerated() {
            let first = firstPositions[cluster.name.value]!
            guard first != index else { continue }
            diagnostics.append(.error("cluster '\(cluster.name.value)' is declared twice", at: cluster.name.range,
                                      notes: [.init("first declared here", at: clusters[first].name.range)]))
        }
    }

    /// The rules for each cluster and each of its discovery links, in declaration order.
    private static func checkClusters(_ topology: Topology, _ clustersByName: [String: Int], _ diagnostics: inout [Diagnostic]) {
        let clusterNames = topology.clusters.map(\.name.value)
        let networkNames = topology.networks.map(\.name.value)
        let rootNames = topology.rootNames
        let forms = topology.forms
        let links = LinkFacts(topology, clustersByName, forms: forms)
        var peers = PeerFinder(topology.clusters, clustersByName)
        for index in topology.clusters.indices {
            let cluster = topology.clusters[index]
            // `rootNames` has every name Topology.root(named:) finds, the implicit `root` included.
            if let trust = cluster.trust, !rootNames.contains(trust.root.value) {
                reportUnknown("root", trust.root, rootNames, declare: "root", &diagnostics)
            }
            if let install = cluster.install {
                checkInstall(install, of: cluster, topology, networkNames: networkNames, &diagnostics)
                checkInstallOptions(install, topology, forms, &diagnostics)
            }
            checkRemote(cluster, clustersByName, topology, &diagnostics)
            checkAmbientPrimary(cluster, topology, &diagnostics)
            checkInstallValues(cluster, topology, &diagnostics)
            if let server = cluster.server, let problem = ServerStatement.problem(server.value) {
                diagnostics.append(.error(problem.message, at: server.range, help: problem.help))
            }
            for discovery in cluster.discovery {
                let peerName = discovery.peer.value
                if peerName == cluster.name.value {
                    diagnostics.append(.error("cluster '\(peerName)' cannot discover itself", at: discovery.peer.range,
                                              help: "a cluster's own remote secret is never applied to it; name another cluster"))
                    continue
                }
                guard let peer = peers.position(of: peerName) else {
                    // Suggesting the cluster itself would lead straight to the self-discovery error.
                    reportUnknown("cluster", discovery.peer, clusterNames.filter { $0 != cluster.name.value },
                                  declare: "cluster", &diagnostics)
                    continue
                }
                // Most links pass every rule: the facts say so without reading the clusters again.
                if links.isQuiet(index, peer, mutual: discovery.direction == .mutual) { continue }
                checkLinkRules(cluster, peer, discovery, topology, &diagnostics)
            }
        }
    }

    /// A cluster's `install`: the mesh it needs, and its network (named and declared, or the only one).
    private static func checkInstall(_ install: InstallDeclaration, of cluster: ClusterDeclaration, _ topology: Topology,
                                     networkNames: [String], _ diagnostics: inout [Diagnostic]) {
        if topology.meshes.isEmpty {
            diagnostics.append(.error("'install' needs a mesh: none is declared", at: install.statement,
                                      help: "declare the mesh ID at the top level: mesh mesh1"))
        }
        if let network = install.network {
            if !networkNames.contains(network.value) {
                reportUnknown("network", network, networkNames, declare: "network", &diagnostics)
            }
        } else if topology.networks.count != 1 {
            let count = topology.networks.isEmpty ? "no network is declared" : "\(topology.networks.count) networks are declared"
            diagnostics.append(.error("'install' in cluster '\(cluster.name.value)' needs 'network NET': \(count)", at: install.statement,
                                      help: topology.networks.isEmpty ? "declare one with: network network1"
                                          : "choose one of: \(networkNames.joined(separator: ", "))"))
        }
    }

    /// "unknown KIND 'NAME'", with the closest of `candidates` or how to declare it.
    private static func reportUnknown(_ kind: String, _ name: Located<String>, _ candidates: [String], declare: String,
                                      _ diagnostics: inout [Diagnostic]) {
        let suggestion = Suggestions.closest(to: name.value, in: candidates)
        let declaration = "declare it with: \(declare) \(name.value)\(kind == "cluster" ? " < ... >" : "")"
        diagnostics.append(.error("unknown \(kind) '\(name.value)'", at: name.range,
                                  help: suggestion.map { "did you mean '\($0)'?" } ?? declaration))
    }

    /// Every rule for the link `discovery` of `cluster` to the cluster at position `peer`.
    private static func checkLinkRules(_ cluster: ClusterDeclaration, _ peer: Int, _ discovery: DiscoveryDeclaration,
                                       _ topology: Topology, _ diagnostics: inout [Diagnostic]) {
        func readsSecrets(_ target: ClusterDeclaration) {
            guard let primary = topology.primary(of: target) else { return }
            diagnostics.append(.error("cluster '\(target.name.value)' is a remote of '\(primary)': it has no istiod to read another cluster's remote secret",
                                      at: discovery.peer.range, help: "its primary reads remote secrets for it: write the 'discover' in cluster '\(primary)'"))
        }
        readsSecrets(cluster)
        if discovery.direction == .mutual { readsSecrets(topology.clusters[peer]) }
        checkLink(cluster, topology.clusters[peer], discovery, topology, &diagnostics)
        checkAmbientLink(cluster, topology.clusters[peer], discovery, topology, &diagnostics)
    }

    /// The installer and the `values` of a cluster: Helm only for a release with Istio's
    /// charts, `values` only with an `install`, and no overlay changing a value MeshScript sets
    /// itself (reported at the overlay, with a note where the script sets the value).
    private static func checkInstallValues(_ cluster: ClusterDeclaration, _ topology: Topology, _ diagnostics: inout [Diagnostic]) {
        if topology.installer(of: cluster) == .helm, let install = cluster.install {
            if !topology.forms.helmCharts {
                // The mesh's choice is reported once, by checkMeshInstaller.
                if let own = install.installer { diagnostics.append(helmBefore1_12(topology, at: own.range)) }
            } else if install.remoteOf != nil, !topology.forms.helmRemoteProfile {
                let fromMesh = install.installer == nil ? topology.mesh?.installer.map { [Diagnostic.Note("the mesh chooses Helm here", at: $0.range)] } : nil
                diagnostics.append(.error("a remote of Istio \(topology.istio) is not installed with Helm by MeshScript: the istiod chart's remote profile starts with 1.24 (before, a separate istiod-remote chart)",
                                          at: install.installer?.range ?? install.statement, notes: fromMesh ?? [],
                                          help: "install this remote with istioctl (install remote of \(install.remoteOf!.value) installer istioctl), or target istio \"1.24\" or newer"))
            }
        }
        guard let install = cluster.install else {
            for overlay in cluster.overlays {
                diagnostics.append(.error("'values' in cluster '\(cluster.name.value)' has no control plane to set: the cluster has no 'install'",
                                          at: overlay.statement, help: "add 'install' to cluster '\(cluster.name.value)', or remove the 'values'"))
            }
            return
        }
        for overlay in cluster.overlays {
            for leaf in overlay.values.leaves {
                guard let owned = InstallSpec.ownedPaths.first(where: { $0.starts(with: leaf.path) }) else { continue }
                let (what, place) = ownedValue(owned, cluster, install, topology)
                let set = leaf.path == owned ? "sets" : "replaces '\(leaf.path.joined(separator: "."))', and with it"
                diagnostics.append(.error("\(overlay.source.statementText) \(set) '\(owned.joined(separator: "."))', which MeshScript sets from \(what)",
                                          at: overlay.statement, notes: place.map { [.init("\(what) is given here", at: $0)] } ?? [],
                                          help: "change \(what) where it is declared, and remove it from the values"))
            }
        }
    }

    /// What a value MeshScript owns is set from, and where the script says it.
    private static func ownedValue(_ path: [String], _ cluster: ClusterDeclaration, _ install: InstallDeclaration,
                                   _ topology: Topology) -> (String, SourceRange?) {
        switch path.last {
        case "meshID": return ("the mesh name", topology.mesh?.name.range)
        case "clusterName": return ("the cluster name", cluster.name.range)
        case "revision": return ("'install revision'", install.revision?.range ?? install.statement)
        case "profile": return ("'install profile'", install.profile?.range ?? install.statement)
        default:
            let network = topology.network(of: cluster)
            return ("the network", install.network?.range ?? network.flatMap { topology.network(named: $0)?.name.range })
        }
    }

    /// Two clusters with one kubeconfig context are one cluster to kubectl and istioctl: apply
    /// would set it up twice. Reported at the second cluster's context (or its name, when the
    /// context is the name), with a note at the first; a cluster declared twice is reported as
    /// such, not again here.
    private static func checkSharedContexts(_ clusters: [ClusterDeclaration], _ firstPositions: [String: Int], _ diagnostics: inout [Diagnostic]) {
        var first = [String: Int](minimumCapacity: clusters.count)
        let unique = firstPositions.count == clusters.count
        for index in clusters.indices where unique || firstPositions[clusters[index].name.value] == index {
            let context = clusters[index].contextName
            // One hash per cluster: the first cluster's position goes back on a repeat (an error).
            guard let earlierIndex = first.updateValue(index, forKey: context) else { continue }
            first[context] = earlierIndex
            let (cluster, earlier) = (clusters[index], clusters[earlierIndex])
            diagnostics.append(.error("clusters '\(earlier.name.value)' and '\(cluster.name.value)' use the same context '\(context)'",
                                      at: cluster.context?.range ?? cluster.name.range,
                                      notes: [.init("'\(earlier.name.value)' uses context '\(context)' here", at: earlier.context?.range ?? earlier.name.range)],
                                      help: "each cluster needs its own context, or apply would set up one cluster twice"))
        }
    }

    /// `installer helm` for a release without Istio's charts, at the word that chose it.
    private static func helmBefore1_12(_ topology: Topology, at range: SourceRange) -> Diagnostic {
        .error("Istio \(topology.istio) is not installed with Helm here: Istio's chart repository and its gateway chart start with 1.12",
               at: range, help: "remove 'installer helm', or target istio \"1.12\" or newer")
    }

    /// The mesh's `installer helm`, once, when a cluster installs with it and the release has no charts.
    private static func checkMeshInstaller(_ topology: Topology, _ diagnostics: inout [Diagnostic]) {
        guard let chosen = topology.mesh?.installer, chosen.value == .helm, !topology.forms.helmCharts,
              topology.clusters.contains(where: { $0.install != nil && $0.install?.installer == nil }) else { return }
        diagnostics.append(helmBefore1_12(topology, at: chosen.range))
    }

    /// A release newer than the table knows gets the newest forms, with a warning at `istio`.
    private static func checkRelease(_ topology: Topology, _ diagnostics: inout [Diagnostic]) {
        guard let istio = topology.mesh?.istio, istio.value > IstioReleases.newest else { return }
        diagnostics.append(.warning("Istio \(istio.value) is newer than the newest release MeshScript knows (\(IstioReleases.newest)); its forms are assumed",
                                    at: istio.range, help: "check the plan against Istio \(istio.value)'s documentation, or target istio \"\(IstioReleases.newest)\""))
    }

    /// `revision` is a DNS-1123 label (istioctl's `validateRevision`: it names istiod-REVISION
    /// and the istio.io/rev label); `profile` is one of the targeted release's profiles.
    private static func checkInstallOptions(_ install: InstallDeclaration, _ topology: Topology, _ forms: IstioForms, _ diagnostics: inout [Diagnostic]) {
        if let revision = install.revision, !DNSLabel.isValid(revision.value) {
            let suggestion = DNSLabel.suggestion(for: revision.value)
            diagnostics.append(.error("revision '\(revision.value)' is not a valid DNS-1123 label, which istioctl requires", at: revision.range,
                                      help: (suggestion.map { "use '\($0)': " } ?? "") + "a revision names istiod-REVISION and the istio.io/rev label (lowercase letters, digits and '-', at most 63 characters)"))
        }
        let profiles = forms.profiles
        if let profile = install.profile, !profiles.contains(profile.value) {
            let suggestion = Suggestions.closest(to: profile.value, in: profiles)
            diagnostics.append(.error("Istio \(topology.istio) has no profile '\(profile.value)'", at: profile.range,
                                      help: (suggestion.map { "did you mean '\($0)'? " } ?? "") + "the profiles of Istio \(topology.istio) are: \(profiles.joined(separator: ", "))"))
        }
    }

    /// Rules for `install remote of C`: C is a declared primary with an install; a remote has no
    /// `trust` (its workloads' certificates come from the primary's istiod), no profile or revision
    /// of its own; and the release must have Istio's primary-remote model.
    private static func checkRemote(_ cluster: ClusterDeclaration, _ clustersByName: [String: Int], _ topology: Topology,
                                    _ diagnostics: inout [Diagnostic]) {
        guard let install = cluster.install, let remoteOf = install.remoteOf else { return }
        func error(_ message: String, _ range: SourceRange, help: String, notes: [Diagnostic.Note] = []) {
            diagnostics.append(.error(message, at: range, notes: notes, help: help))
        }
        let name = cluster.name.value
        if !topology.forms.primaryRemote {
            error("Istio \(topology.istio) has no primary-remote model: a remote needs an istiod that serves other clusters (EXTERNAL_ISTIOD, Istio 1.8 and later)",
                  install.statement, help: "target a current release (remove istio \"\(topology.istio)\"), or give '\(name)' a control plane of its own: install")
        }
        if let trust = cluster.trust {
            error("cluster '\(name)' is a remote of '\(remoteOf.value)' and cannot have 'trust': a remote gets no cacerts", trust.statement,
                  help: "remove 'trust' from '\(name)': its workloads' certificates come from the istiod of '\(remoteOf.value)'",
                  notes: [.init("'\(name)' is made a remote here", at: remoteOf.range)])
        }
        for option in [install.profile, install.revision].compactMap({ $0 }) {
            error("a remote's install takes no profile or revision: '\(name)' gets profile 'remote' and the istiod of '\(remoteOf.value)'", option.range,
                  help: "remove it; set the revision on the primary's install")
        }
        if remoteOf.value == name {
            error("cluster '\(name)' cannot be a remote of itself", remoteOf.range, help: "name the primary whose istiod serves '\(name)'")
            return
        }
        guard let primary = clustersByName[remoteOf.value].map({ topology.clusters[$0] }) else {
            let candidates = topology.clusters.map(\.name.value).filter { $0 != name }
            let suggestion = Suggestions.closest(to: remoteOf.value, in: candidates)
            error("unknown cluster '\(remoteOf.value)'", remoteOf.range,
                  help: suggestion.map { "did you mean '\($0)'?" } ?? "declare the primary with: cluster \(remoteOf.value) < install >")
            return
        }
        guard let primaryInstall = primary.install else {
            error("cluster '\(remoteOf.value)' has no 'install', so it cannot be the primary of '\(name)'", remoteOf.range,
                  help: "add 'install' to cluster '\(remoteOf.value)': its istiod serves its remotes",
                  notes: [.init("'\(remoteOf.value)' is declared here", at: primary.name.range)])
            return
        }
        if let further = primaryInstall.remoteOf {
            error("cluster '\(remoteOf.value)' is itself a remote of '\(further.value)', so it cannot be the primary of '\(name)'", remoteOf.range,
                  help: "make '\(name)' a remote of a primary: install remote of \(further.value)",
                  notes: [.init("'\(remoteOf.value)' is made a remote here", at: further.range)])
        }
    }

    /// Rules for two clusters linked by discovery: shared trust, and one network in 1.6 mode.
    private static func checkLink(_ cluster: ClusterDeclaration, _ peer: ClusterDeclaration, _ discovery: DiscoveryDeclaration,
                                  _ topology: Topology, _ diagnostics: inout [Diagnostic]) {
        // A remote's workloads get their certificates from its primary's istiod: its trust is the
        // primary's. (Copies only for a remote: most links are between primaries.)
        let clusterPrimary = topology.primary(of: cluster).flatMap { topology.cluster(named: $0) }
        let peerPrimary = topology.primary(of: peer).flatMap { topology.cluster(named: $0) }
        switch (clusterPrimary, peerPrimary) {
        case (nil, nil): checkTrust(cluster, peer, discovery, topology, &diagnostics)
        case (let a?, nil): checkTrust(a, peer, discovery, topology, &diagnostics)
        case (nil, let b?): checkTrust(cluster, b, discovery, topology, &diagnostics)
        case (let a?, let b?): checkTrust(a, b, discovery, topology, &diagnostics)
        }
    }

    /// The two sides of a link (a remote's primary in its place) trust one root, and can reach each other.
    private static func checkTrust(_ cluster: ClusterDeclaration, _ peer: ClusterDeclaration, _ discovery: DiscoveryDeclaration,
                                   _ topology: Topology, _ diagnostics: inout [Diagnostic]) {
        let range = discovery.peer.range
        func untrusted(_ side: ClusterDeclaration, _ other: ClusterDeclaration) {
            diagnostics.append(.error("cluster '\(side.name.value)' has no 'trust', so cross-cluster mTLS with '\(other.name.value)' would fail",
                                      at: range, notes: [.init("'\(side.name.value)' is declared here", at: side.name.range)],
                                      help: "add 'trust from root' to cluster '\(side.name.value)'"))
        }
        if cluster.trust == nil { return untrusted(cluster, peer) }
        if peer.trust == nil { return untrusted(peer, cluster) }
        let rootA = cluster.trust!.root.value, rootB = peer.trust!.root.value
        // One name is one root: only two names need their identities compared.
        if rootA != rootB, topology.rootIdentity(named: rootA) != topology.rootIdentity(named: rootB) {
            diagnostics.append(.error("clusters '\(cluster.name.value)' and '\(peer.name.value)' trust different roots ('\(rootA)' and '\(rootB)'); cross-cluster mTLS would fail",
                                      at: range, notes: [.init("'\(cluster.name.value)' trusts '\(rootA)' here", at: cluster.trust!.root.range),
                                                         .init("'\(peer.name.value)' trusts '\(rootB)' here", at: peer.trust!.root.range)],
                                      help: "give both clusters 'trust from \(rootA)'"))
        }
        if let netA = topology.network(of: cluster), let netB = topology.network(of: peer), netA != netB, !topology.forms.eastWestGateway {
            let first = IstioReleases.table.first { $0.eastWestGateway }?.releases.lowerBound ?? IstioReleases.newest
            diagnostics.append(.error("clusters '\(cluster.name.value)' and '\(peer.name.value)' are on different networks ('\(netA)' and '\(netB)'), which Istio \(topology.istio)'s procedure does not support",
                                      at: range, help: "put both clusters on one network, or target Istio \(first) or newer (which has east-west gateways)"))
        }
    }
}

extension Validator {
    /// A root declared again is one declaration when its options are the same (evaluation merges
    /// it); with other options it is an error at the repeat, naming each option that differs.
    static func checkRepeatedRoots(_ roots: [RootDeclaration], _ diagnostics: inout [Diagnostic]) {
        var first: [String: RootDeclaration] = [:]
        for root in roots {
            guard let earlier = first[root.name.value] else {
                first[root.name.value] = root
                continue
            }
            diagnostics.append(repeated("root", root.name, earlier.name, root.differences(from: earlier), otherwise: ", or give one of the roots another name"))
        }
    }

    /// One mesh ID per program: a mesh with another name is an error; the same mesh declared again
    /// is one declaration when its settings are the same (evaluation merges it), else an error at
    /// the repeat naming each setting that differs.
    static func checkRepeatedMeshes(_ meshes: [MeshDeclaration], _ diagnostics: inout [Diagnostic]) {
        guard let first = meshes.first else { return }
        for extra in meshes.dropFirst() {
            guard extra.name.value == first.name.value else {
                diagnostics.append(.error("a second mesh '\(extra.name.value)' is declared; a program has exactly one mesh ID", at: extra.name.range,
                                          notes: [.init("the mesh is declared here", at: first.name.range)], help: "all clusters of a mesh share one meshID"))
                continue
            }
            diagnostics.append(repeated("mesh", extra.name, first.name, extra.differences(from: first), otherwise: ", or write the mesh's settings once"))
        }
    }

    /// The error for a declaration repeated with other settings (or, with none differing, one
    /// repeated inside its own block, which is not merged).
    private static func repeated(_ kind: String, _ name: Located<String>, _ first: Located<String>,
                                 _ differences: [SettingDifference], otherwise: String) -> Diagnostic {
        let note = Diagnostic.Note("first declared here", at: first.range)
        guard !differences.isEmpty else {
            return .error("\(kind) '\(name.value)' is declared again inside its own block", at: name.range, notes: [note],
                          help: "declare it once, outside the block it is declared in")
        }
        let listed = differences.map { "\($0.setting) (\($0.value) here, \($0.otherValue) first)" }
        return .error("\(kind) '\(name.value)' is declared again with a different \(listed.joined(separator: " and "))", at: name.range, notes: [note],
                      help: "a repeated \(kind) is one declaration only when its settings are the same: give both "
                          + differences.map(\.setting).joined(separator: ", ") + " alike" + otherwise)
    }

    /// Ambient multicluster, as Istio supports it: multi-primary on several networks from 1.27,
    /// both ends ambient (the ambient east-west Gateway speaks HBONE on 15008, the sidecar one TLS
    /// on 15443); one network is accepted with a warning (Istio calls it untested).
    static func checkAmbientLink(_ cluster: ClusterDeclaration, _ peer: ClusterDeclaration, _ discovery: DiscoveryDeclaration,
                                 _ topology: Topology, _ diagnostics: inout [Diagnostic]) {
        let (clusterAmbient, peerAmbient) = (topology.isAmbient(cluster), topology.isAmbient(peer))
        guard clusterAmbient || peerAmbient, topology.primary(of: cluster) == nil, topology.primary(of: peer) == nil else { return }
        let range = discovery.peer.range
        let crossNetwork = topology.network(of: cluster) != topology.network(of: peer)
        if clusterAmbient != peerAmbient, crossNetwork {
            let (ambient, sidecar) = clusterAmbient ? (cluster, peer) : (peer, cluster)
            diagnostics.append(.error("'\(ambient.name.value)' is ambient and '\(sidecar.name.value)' is not, across networks: their east-west gateways do not speak to each other (HBONE on 15008, TLS on 15443)",
                                      at: range, notes: [.init("'\(ambient.name.value)' is ambient here", at: ambient.install!.profile!.range)],
                                      help: "install both clusters with profile \"ambient\", or neither"))
        } else if crossNetwork, !topology.forms.ambientMulticluster {
            let first = IstioReleases.table.first { $0.ambientMulticluster }?.releases.lowerBound ?? IstioReleases.newest
            diagnostics.append(.error("ambient clusters '\(cluster.name.value)' and '\(peer.name.value)' on different networks need ambient multicluster, which Istio \(topology.istio) does not have",
                                      at: range, help: "target istio \"\(first)\" or newer (ambient multicluster is alpha there)"))
        } else if !crossNetwork {
            diagnostics.append(.warning("ambient clusters '\(cluster.name.value)' and '\(peer.name.value)' share network '\(topology.network(of: cluster) ?? "?")': Istio's ambient multicluster supports several networks only, one network is untested",
                                        at: range, help: "put the clusters on networks of their own (install network NET)"))
        }
    }

    /// An ambient primary cannot serve remotes: Istio's ambient multicluster is multi-primary only.
    static func checkAmbientPrimary(_ cluster: ClusterDeclaration, _ topology: Topology, _ diagnostics: inout [Diagnostic]) {
        guard topology.isAmbient(cluster), let remote = topology.remotes(of: cluster.name.value).first,
              let remoteOf = remote.install?.remoteOf else { return }
        diagnostics.append(.error("cluster '\(remote.name.value)' is a remote of '\(cluster.name.value)', whose profile is ambient: Istio's ambient multicluster has primaries only",
                                  at: remoteOf.range, notes: [.init("'\(cluster.name.value)' is ambient here", at: cluster.install!.profile!.range)],
                                  help: "give '\(remote.name.value)' a control plane of its own with profile \"ambient\""))
    }
}

/// Finds the position of the cluster a link names. With every name declared once, the cluster at a
/// position is the one its name finds, and a link mostly names the cluster after the one the link
/// before it named (a ring, a full mesh, a chain): that one is compared before the name is hashed.
private struct PeerFinder {
    let clusters: [ClusterDeclaration]
    let byName: [String: Int]
    let namesAreUnique: Bool
    var nextGuess = 0

    init(_ clusters: [ClusterDeclaration], _ byName: [String: Int]) {
        self.clusters = clusters
        self.byName = byName
        namesAreUnique = byName.count == clusters.count
    }

    /// The position of the cluster `name` declares first, or nil when none does.
    mutating func position(of name: String) -> Int? {
        if namesAreUnique, nextGuess < clusters.count, clusters[nextGuess].name.value == name {
            nextGuess += 1
            return nextGuess - 1
        }
        guard let position = byName[name] else { return nil }
        nextGuess = position + 1
        return position
    }
}

/// What the link rules (`checkLink`, `checkAmbientLink` and a remote's "no istiod to read remote
/// secrets") read of each cluster, by position, taken once: a full mesh has a link per pair of
/// clusters, and reading two `ClusterDeclaration`s per link is a reference count per field.
private struct LinkFacts {
    private struct Facts {
        /// `install remote of C`: the cluster reads no remote secrets.
        var isRemote: Bool
        /// The root its trust names and the network of its control plane; for a remote whose
        /// primary is declared, the primary's (as `checkLink` takes them).
        var root: String?, network: String?
        /// `Topology.isAmbient`.
        var isAmbient: Bool
    }
    private let facts: [Facts]
    /// The release has east-west gateways, so two networks are no error.
    private let crossesNetworks: Bool

    init(_ topology: Topology, _ clustersByName: [String: Int], forms: IstioForms) {
        let clusters = topology.clusters
        // By position: a ClusterDeclaration bound to a name is a copy, a count on each field.
        facts = clusters.indices.map { index in
            let primary = topology.primary(of: clusters[index])
            let side = primary.flatMap { clustersByName[$0] } ?? index
            return Facts(isRemote: primary != nil, root: clusters[side].trust?.root.value, network: topology.network(of: clusters[side]),
                         isAmbient: topology.isAmbient(clusters[index]))
        }
        crossesNetworks = forms.eastWestGateway
    }

    /// True when no link rule has anything to say about `cluster`'s discovery of `peer`: neither
    /// reads secrets as a remote, both sides trust one root by the same name, share a network
    /// (or the release crosses networks), and neither is ambient. False sends the link through
    /// the rules themselves.
    func isQuiet(_ cluster: Int, _ peer: Int, mutual: Bool) -> Bool {
        let (a, b) = (facts[cluster], facts[peer])
        guard !a.isRemote, !(mutual && b.isRemote), !a.isAmbient, !b.isAmbient,
              let rootA = a.root, let rootB = b.root, rootA == rootB else { return false }
        guard let networkA = a.network, let networkB = b.network else { return true }
        return networkA == networkB || crossesNetworks
    }
}

/// The script-level check of a `server` statement: the address every peer's istiod dials.
/// Judged by MeshKube's ``APIServerAddress``, the same model the kubeconfig pre-flight uses.
enum ServerStatement {
    static func problem(_ address: String) -> (message: String, help: String)? {
        let https = "istiod dials the API server over TLS: server \"https://HOST:6443\""
        switch APIServerAddress(address).problem {
        case nil: return nil
        case .empty, .noHost: return ("server '\(address)' has no host", "server \"https://HOST:6443\"")
        case .notHTTPS: return ("server '\(address)' is not an https:// address", https)
        case .loopback:
            return ("server '\(address)' is a loopback address that other clusters cannot reach",
                    "use an address the other clusters can reach, such as the API server's load balancer or node IP: server \"https://HOST:6443\"")
        }
    }
}
