// `render`: writes the work directory (the seed's ${WORK_DIR}) for a valid topology:
// certificates and cacerts secrets (MeshTrust), install.yaml per cluster, the namespace,
// east-west gateway and cross-network Gateway where networks differ, the remote secrets it
// can write offline, and plan.json. Every file is generated in memory first and written
// atomically; a file whose bytes are already right is left alone.
import Foundation
import LocalFiles
import MeshDomain
import MeshKube
import MeshScriptInterpreter
import MeshTrust

/// What a render needs besides the topology: the work directory and the host's environment.
public struct RenderOptions: Sendable {
    /// The seed's WORK_DIR (the CLI's `--out`), without a trailing slash.
    public var workDirectory: String
    /// The script rendered; relative paths it names are resolved against its directory.
    public var scriptPath: String
    /// Clusters whose intermediate CA is re-issued even though one exists.
    public var rotate: Set<String>
    /// The process environment (`$KUBECONFIG`).
    public var environment: [String: String]
    /// The home directory, for `~/.kube/config`.
    public var home: String
    /// The time certificates are issued at.
    public var now: Date
    /// The kubeconfig the host was given (the CLI's `--kubeconfig PATH`; relative to the current
    /// directory). The script's `kubeconfig "PATH"` wins over it; without either, `$KUBECONFIG`.
    /// See `MeshRenderer.kubeconfigChoice(for:options:)`.
    public var kubeconfig: String?
    /// The GitOps controller to write WORK_DIR/gitops/ for (the CLI's `--gitops`); nil: no tree.
    public var gitops: GitOpsController?
    /// The host's changes to the plan (render's plan.json included), run in order.
    public var planHooks: [PlanHook] = []
    /// The host's changes to the files render writes, run in order after MeshScript made them.
    public var renderHooks: [RenderHook] = []

    /// Options for rendering into `workDirectory`, with trailing slashes dropped.
    public init(workDirectory: String, scriptPath: String, rotate: Set<String> = [], environment: [String: String],
                home: String, now: Date = Date(), kubeconfig: String? = nil, gitops: GitOpsController? = nil) {
        // `--out DIR/` must not turn into DIR//C/... in every path of the plan.
        var directory = workDirectory
        while directory.count > 1, directory.hasSuffix("/") { directory.removeLast() }
        self.workDirectory = directory
        self.scriptPath = scriptPath
        self.rotate = rotate
        self.environment = environment
        self.home = home
        self.now = now
        self.kubeconfig = kubeconfig
        self.gitops = gitops
    }
}

/// One file render writes into the work directory (certificates and keys aside), as a
/// ``RenderHook`` sees it.
public struct RenderedFile: Sendable, Hashable {
    /// Its path: ``/MeshDomain/WorkLayout``'s, under the work directory.
    public var path: String
    /// Its text.
    public var content: String
    /// Its mode (0o600 for a file holding a credential).
    public var mode: mode_t

    /// A file at `path` with `content`, written with `mode`.
    public init(path: String, content: String, mode: mode_t = 0o644) {
        (self.path, self.content, self.mode) = (path, content, mode)
    }
}

/// A host's change to the files render writes (add one, change a manifest), from the topology
/// (its host data included); keys and certificates are not among them.
public typealias RenderHook = @Sendable (_ files: inout [RenderedFile], _ topology: Topology, _ layout: WorkLayout) -> Void

/// Progress reported while render writes the work directory.
public enum RenderEvent: Sendable {
    /// Progress of the certificate authority's work.
    case trust(TrustProgress)
    /// A manifest was written to `path`.
    case wroteManifest(path: String)
}

/// What a render did: each file's outcome, the trust report, the plan and notes.
public struct RenderSummary: Sendable {
    /// What happened to one manifest file in the work directory.
    public enum Outcome: String, Sendable { case created, rewritten, unchanged, removed }
    /// Manifests and plan.json (certificates are in ``trust``).
    public var files: [(path: String, outcome: Outcome)] = []
    /// The certificates and cacerts secrets; nil when no cluster has trust.
    public var trust: TrustReport?
    /// The plan written to plan.json.
    public var plan: Plan
    /// Remarks for the user (files left alone or removed, trust notes).
    public var notes: [String] = []

    /// "3 created, 12 reused, 2 removed": certificates and manifests together, or "nothing to do".
    public var counts: String {
        var counts: [String: Int] = [:]
        for file in trust?.files ?? [] { counts[file.outcome.rawValue, default: 0] += 1 }
        for file in files { counts[file.outcome.rawValue, default: 0] += 1 }
        let parts = ["created", "rewritten", "reused", "unchanged", "removed"].compactMap { key in counts[key].map { "\($0) \(key)" } }
        return parts.isEmpty ? "nothing to do" : parts.joined(separator: ", ")
    }

    /// What the user should read after a render, one line each: the notes, then every file
    /// removed (nothing disappears from the work directory without being named).
    public var remarks: [String] {
        notes.map { "note: " + $0 } + files.filter { $0.outcome == .removed }.map { "removed \($0.path): render no longer writes it" }
    }
}

/// What stops a render: script-level diagnostics (pre-flight) or a file-system/trust problem.
public enum RenderFailure: Error, CustomStringConvertible {
    /// The pre-flight found errors: script-level diagnostics.
    case diagnostics([Diagnostic])
    /// A certificate or file problem, with the files involved.
    case trust(TrustError)
    /// A mesh render cannot produce (such as two roots in one work directory), with why.
    case unsupported(String)

    /// The failure as the CLI and the REPL print it: each problem with its file and a hint.
    /// Empty for `.diagnostics`, which need the script's sources to be rendered.
    public var description: String {
        switch self {
        case .diagnostics: ""
        case .trust(let error):
            error.problems.map { problem in
                // Trust's messages are written with the path as their subject ("is not writable, so ...").
                "error: \(problem.path): \(problem.message)\n" + (problem.help.map { "  = help: \($0)\n" } ?? "")
            }.joined()
        case .unsupported(let message): "error: \(message)\n"
        }
    }
}

/// `render`: writes the work directory for a valid, pre-flighted topology.
package enum MeshRenderer {
    /// Pre-flight checks that need the outside world (the kubeconfig of
    /// ``kubeconfigChoice(for:options:)``), as diagnostics.
    package static func preflight(_ topology: Topology, options: RenderOptions) -> DiscoveryCredentials {
        DiscoveryCredentials.resolve(topology, kubeconfig: kubeconfigChoice(for: topology, options: options), now: options.now)
    }

    /// What the planner needs from a pre-flighted run: the remote secrets render writes itself,
    /// and the kubeconfig file every command names (the pre-flight's choice).
    package static func planOptions(_ options: RenderOptions, credentials: DiscoveryCredentials) -> PlanOptions {
        // Not `Set(keys)`: its `as? Set<DiscoveryLink>` instantiates that type even for no keys,
        // which costs every check a search of the binary's conformance records.
        var offline = Set<DiscoveryLink>(minimumCapacity: credentials.offlineSecrets.count)
        for link in credentials.offlineSecrets.keys { offline.insert(link) }
        var planOptions = PlanOptions(workDirectory: options.workDirectory, scriptPath: options.scriptPath,
                                      offlineRemoteSecrets: offline, kubeconfig: credentials.kubeconfig.flag)
        planOptions.hooks = options.planHooks
        return planOptions
    }

    /// Writes certificates and cacerts secrets, manifests, offline remote secrets and plan.json
    /// into the work directory, all in one ``/MeshTrust/FileCommit`` (so a run killed while renaming is
    /// completed by the next one, see ``WorkDirectoryLock/recoverInterruptedWork()``); throws,
    /// writing nothing, when the pre-flight has errors. A work directory whose files are all
    /// right is not written at all (it may be read-only). Call it holding the work directory.
    package static func render(_ topology: Topology, options: RenderOptions, credentials: DiscoveryCredentials,
                              progress: (@Sendable (RenderEvent) -> Void)? = nil) throws(RenderFailure) -> RenderSummary {
        if credentials.diagnostics.hasErrors { throw .diagnostics(credentials.diagnostics) }
        if let controller = options.gitops {
            let diagnostics = gitOpsDiagnostics(topology, controller: controller)
            if diagnostics.hasErrors { throw .diagnostics(diagnostics) }
        }
        let plan = Planner.plan(topology, options: planOptions(options, credentials: credentials))
        var summary = RenderSummary(plan: plan)
        let layout = WorkLayout(options.workDirectory)
        var commit = FileCommit(directory: options.workDirectory)

        // Trust first: it validates everything it will touch before anything is written.
        let trust = try prepareTrust(topology, options: options, into: &commit, progress: progress)
        let trustPaths = Set(commit.paths)
        // Then the manifests, generated in memory.
        var manifests = try manifests(topology, plan: plan, credentials: credentials, layout: layout)
        if let controller = options.gitops { manifests += gitOpsManifests(topology, controller: controller, plan: plan, layout: layout) }
        if !options.renderHooks.isEmpty {
            var files = manifests.map { RenderedFile(path: $0.path, content: $0.content, mode: $0.mode) }
            for hook in options.renderHooks { hook(&files, topology, layout) }
            manifests = files.map { ($0.path, $0.content, $0.mode) }
        }
        for manifest in manifests {
            // 0755 whatever the umask: a cluster directory holds keys.
            commit.createDirectory(directory(of: manifest.path))
            let update: (outcome: AtomicFile.Outcome, note: String?)
            do throws(TrustError) {
                update = try commit.update(Data(manifest.content.utf8), at: manifest.path, mode: manifest.mode)
            } catch {
                throw .trust(error)
            }
            if let note = update.note { summary.notes.append(note) }
            let outcome: RenderSummary.Outcome = switch update.outcome {
            case .created: .created
            case .rewritten: .rewritten
            case .unchanged: .unchanged
            }
            summary.files.append((manifest.path, outcome))
        }
        do throws(TrustError) {
            try commit.commit { path, completed, total in
                progress?(trustPaths.contains(path) ? .trust(.wroteFile(path: path, completed: completed, total: total)) : .wroteManifest(path: path))
            }
        } catch {
            throw .trust(error)
        }
        if let trust {
            summary.trust = trust.finish()
            summary.notes += summary.trust!.notes
        }
        removeStaleOutputs(keeping: Set(manifests.map(\.path)), topology: topology, layout: layout, summary: &summary)
        if options.gitops != nil { removeStaleGitOpsFiles(keeping: Set(manifests.map(\.path)), layout: layout, summary: &summary) }
        removeStaleTemporaries(in: [layout.root] + topology.clusters.map { layout.path($0.name.value) }, now: Date(), summary: &summary)
        return summary
    }

    /// The trust files of the clusters with trust, added to `commit`; nil when no cluster has trust.
    static func prepareTrust(_ topology: Topology, options: RenderOptions, into commit: inout FileCommit,
                             progress: (@Sendable (RenderEvent) -> Void)?) throws(RenderFailure) -> PreparedTrust? {
        guard let request = try trustRequest(topology, options: options) else { return nil }
        var trustProgress: (@Sendable (TrustProgress) -> Void)?
        if let progress { trustProgress = { progress(.trust($0)) } }
        do throws(TrustError) {
            return try TrustRenderer().prepare(request, into: &commit, progress: trustProgress)
        } catch {
            throw .trust(error)
        }
    }

    /// What trust render would produce: the clusters with trust and their one root; nil when no
    /// cluster has trust.
    static func trustRequest(_ topology: Topology, options: RenderOptions) throws(RenderFailure) -> TrustRequest? {
        let trusted = topology.clusters.filter { $0.trust != nil }
        // Roots are told apart by what they are, not their names (as validation does).
        let rootIdentities = Set(trusted.map { topology.rootIdentity(named: $0.trust!.root.value) })
        if rootIdentities.count > 1 {
            let detail = trusted.map { "\($0.name.value) trusts '\($0.trust!.root.value)'" }.joined(separator: ", ")
            throw .unsupported("one work directory holds one root, but \(detail); render each root's clusters into their own --out directory")
        }
        guard let rootName = trusted.first?.trust?.root.value, let root = topology.root(named: rootName) else { return nil }
        let source: RootSource
        if let directory = rootSource(topology, options: options) {
            source = .existing(directory: directory)
        } else {
            source = .generate(RootProfile(organization: root.organization, commonName: root.commonName, days: root.days, key: keyAlgorithm(root.key)))
        }
        return TrustRequest(workDirectory: options.workDirectory, root: source, clusters: trusted.map(\.name.value),
                            rotate: options.rotate, now: options.now)
    }

    /// `check --out DIR`'s look at a work directory that exists: every check render makes of its
    /// root and of each cluster's intermediate (the same survey, read-only), as errors at the
    /// `trust` statement of the cluster whose directory holds the file (at the first one for the
    /// root). Nothing is written.
    package static func workDirectoryDiagnostics(_ topology: Topology, options: RenderOptions) -> [Diagnostic] {
        guard FileManager.default.fileExists(atPath: options.workDirectory) else { return [] }
        let trusted = topology.clusters.filter { $0.trust != nil }
        let request: TrustRequest
        do throws(RenderFailure) {
            guard let made = try trustRequest(topology, options: options) else { return [] }
            request = made
        } catch {
            // Two roots in one directory: validation and render say so.
            return []
        }
        do throws(TrustError) {
            try TrustRenderer().inspect(request)
            return []
        } catch {
            return error.problems.map { problem in
                let owner = trusted.first { problem.path.hasPrefix(options.workDirectory + "/" + $0.name.value + "/") } ?? trusted.first
                return .error("\(problem.path) \(problem.message)", at: owner?.trust?.statement, help: problem.help ?? "render refuses this work directory until it is fixed")
            }
        }
    }

    /// Every manifest of the work directory with its content and mode: namespaces, IstioOperators,
    /// gateways, the reader accounts whose tokens the plan mints, the offline remote secrets (0600)
    /// and plan.json.
    static func manifests(_ topology: Topology, plan: Plan, credentials: DiscoveryCredentials,
                          layout: WorkLayout) throws(RenderFailure) -> [(path: String, content: String, mode: mode_t)] {
        var manifests: [(path: String, content: String, mode: mode_t)] = []
        let crossNetwork = Planner.crossNetworkClusters(topology, plan.links)
        let ambient = Planner.ambientMultiNetworkClusters(topology, plan.links)
        for cluster in topology.clusters {
            let name = cluster.name.value
            let network = topology.network(of: cluster)
            let primary = topology.primary(of: cluster)
            if cluster.trust != nil || cluster.install != nil {
                manifests.append((layout.namespace(name), IstioSystemNamespace.manifest(
                    network: crossNetwork.contains(name) && topology.forms.namespaceNetworkLabel ? network : nil, controlPlaneClusters: primary), 0o644))
            }
            if let install = cluster.install, let mesh = topology.mesh, let network {
                manifests += installManifests(cluster, install: install, mesh: mesh.name.value, network: network, ambient: ambient.contains(name),
                                              topology: topology, layout: layout)
                if ambient.contains(name) {
                    // Ambient's east-west Gateway replaces the sidecar gateway and the cross-network Gateway.
                    manifests.append((layout.eastWestGateway(name), AmbientMulticluster.eastWestGateway(network: network), 0o644))
                    continue
                }
                let servesRemotes = !topology.remotes(of: name).isEmpty
                if crossNetwork.contains(name) || servesRemotes {
                    manifests.append(topology.installer(of: cluster) == .helm
                        ? (layout.helmValues(name, .gateway), HelmValues.eastWestGateway(network: network, revision: install.revision?.value).yaml, 0o644)
                        : (layout.eastWestGateway(name), IstioOperatorManifest.eastWestGateway(cluster: name, network: network, mesh: mesh.name.value,
                                                                                              revision: install.revision?.value, forms: topology.forms), 0o644))
                }
                if crossNetwork.contains(name) { manifests.append((layout.crossNetworkGateway(name), CrossNetworkGateway.manifest(topology.forms), 0o644)) }
                if servesRemotes { manifests.append((layout.exposeIstiod(name), ExposeIstiod.manifest(revision: install.revision?.value), 0o644)) }
            }
        }
        // The reader account of every cluster whose token a discovery step mints.
        let minted = Set(plan.steps.flatMap(\.files))
        for cluster in topology.clusters where minted.contains(layout.readerAccount(cluster.name.value)) {
            manifests.append((layout.readerAccount(cluster.name.value), ReaderAccount.manifests(forms: topology.forms), 0o644))
        }
        for (link, secret) in credentials.offlineSecrets.sorted(by: { ($0.key.target, $0.key.source) < ($1.key.target, $1.key.source) }) {
            manifests.append((layout.remoteSecret(source: link.source, target: link.target), secret, 0o600))
        }
        manifests.append((layout.planJSON, plan.json(), 0o644))
        return manifests
    }

    /// The control plane's files for one cluster: install.yaml (istioctl) or the base and istiod
    /// values files (Helm), for a primary or, with the remote profile, for a remote.
    static func installManifests(_ cluster: ClusterDeclaration, install: InstallDeclaration, mesh: String, network: String, ambient: Bool,
                                 topology: Topology, layout: WorkLayout) -> [(path: String, content: String, mode: mode_t)] {
        let name = cluster.name.value
        let helm = topology.installer(of: cluster) == .helm
        let mode: mode_t = 0o644
        if topology.primary(of: cluster) != nil {
            return helm
                ? [(layout.helmValues(name, .base), HelmValues.remoteBase.yaml, mode),
                   (layout.helmValues(name, .istiod), HelmValues.remoteIstiod(cluster: name, network: network, overlay: cluster.overlay).yaml, mode)]
                : [(layout.install(name), IstioOperatorManifest.remote(cluster: name, network: network, overlay: cluster.overlay), mode)]
        }
        var spec = InstallSpec(mesh: mesh, cluster: name, network: network, revision: install.revision?.value, profile: install.profile?.value,
                               forms: topology.forms, overlay: topology.installValues(of: cluster))
        spec.ambientMultiNetwork = ambient
        guard helm else { return [(layout.install(name), IstioOperatorManifest.install(spec), mode)] }
        var files = [(layout.helmValues(name, .base), HelmValues.base(spec).yaml, mode), (layout.helmValues(name, .istiod), HelmValues.istiod(spec).yaml, mode)]
        if topology.isAmbient(cluster) {
            files += [(layout.helmValues(name, .cni), HelmValues.ambientCNI.yaml, mode),
                      (layout.helmValues(name, .ztunnel), HelmValues.ztunnel(cluster: name, network: network).yaml, mode)]
        }
        return files
    }

    /// Files an earlier render wrote for a cluster and this one does not are removed, because
    /// `kubectl apply -f WORK_DIR/C/` would still apply them: a remote secret whose link is gone
    /// (or whose source kubeconfig no longer has a bearer token) is a stale credential, and the
    /// east-west and cross-network gateways of a cluster that no longer has a network of its
    /// own would expose it for nothing; a reader account nothing mints a token from would be
    /// created again. Only files render recognisably wrote (istioctl's header on a remote
    /// secret; a gateway or reader account byte for byte as generated) are ever touched; anything
    /// else is named in a note and left alone.
    static func removeStaleOutputs(keeping wanted: Set<String>, topology: Topology, layout: WorkLayout, summary: inout RenderSummary) {
        let secretHeader = Data(RemoteSecret.header.utf8)
        for cluster in topology.clusters {
            let name = cluster.name.value
            let directory = layout.path(name)
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            var candidates: [(path: String, what: String, isGenerated: (Data) -> Bool)] = entries.sorted()
                .filter { $0.hasPrefix("remote-secret-") && $0.hasSuffix(".yaml") }
                .map { (directory + "/" + $0, "a remote secret", { $0.starts(with: secretHeader) }) }
            candidates.append((layout.eastWestGateway(name), "an east-west gateway", { data in
                let text = String(decoding: data, as: UTF8.self)
                return IstioOperatorManifest.isGeneratedEastWestGateway(text) || AmbientMulticluster.isGeneratedEastWestGateway(text)
            }))
            candidates.append((layout.crossNetworkGateway(name), "a cross-network Gateway",
                               { CrossNetworkGateway.isGenerated(String(decoding: $0, as: UTF8.self)) }))
            candidates.append((layout.exposeIstiod(name), "the Gateway exposing istiod",
                               { data in [nil, cluster.install?.revision?.value].contains { data == Data(ExposeIstiod.manifest(revision: $0).utf8) } }))
            candidates.append((layout.readerAccount(name), "a reader account", { data in
                IstioReleases.table.contains { $0.mintsReaderToken && data == Data(ReaderAccount.manifests(forms: $0).utf8) }
            }))
            for candidate in candidates where !wanted.contains(candidate.path) {
                // A generated file is small; anything that is not a regular file is not render's.
                guard let bytes = try? RegularFile.read(candidate.path, limit: 1 << 20) else { continue }
                let data = Data(bytes)
                guard candidate.isGenerated(data) else {
                    summary.notes.append("\(candidate.path) looks like \(candidate.what) this render no longer writes, but it is not as render wrote it: left alone")
                    continue
                }
                if unlink(candidate.path) == 0 {
                    summary.files.append((candidate.path, .removed))
                } else {
                    summary.notes.append("\(candidate.path) is \(candidate.what) this render no longer writes, and it could not be removed")
                }
            }
        }
    }

    static func keyAlgorithm(_ key: RootKey) -> KeyAlgorithm {
        switch key {
        case .rsa(let bits): .rsa(bits: bits)
        case .ecdsa(let curve): curve == "p384" ? .ecdsaP384 : .ecdsaP256
        }
    }

    /// A path written in the script (`from "DIR"`, `kubeconfig "PATH"`): absolute as it is,
    /// otherwise relative to the script's directory.
    static func resolve(_ path: String, scriptDirectory: String) -> String {
        path.hasPrefix("/") ? path : scriptDirectory + "/" + path
    }

    static func directory(of path: String) -> String {
        let parent = FilePath.parent(of: path)
        return parent.isEmpty ? "." : parent
    }
}
