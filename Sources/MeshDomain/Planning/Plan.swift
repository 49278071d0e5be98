// The plan: ordered steps as pure data. Renderers (text, JSON, shell, apply) read it; none
// of them decides what to do. No secret ever appears in a plan: steps name files.
import Foundation
import MeshKube

/// The ordered steps that build one mesh: trust, install and discovery, per cluster, as data.
public struct Plan: Sendable, Hashable, Codable {
    /// The part of the procedure a step belongs to: trust (CA, namespace, cacerts), install, or discover (remote secrets).
    public enum Phase: String, Sendable, Hashable, Codable { case trust, install, discover }

    /// One process invocation as an argument list; a pipeline is several of them.
    public struct Command: Sendable, Hashable, Codable {
        /// Argument lists, each piped into the next (`istioctl create-remote-secret | kubectl apply`).
        public var pipeline: [[String]]
        /// A single invocation, no pipe.
        public init(_ arguments: [String]) { pipeline = [arguments] }
        /// Invocations piped one into the next, in order.
        public init(pipeline: [[String]]) { self.pipeline = pipeline }

        /// For display only (nothing is ever run through a shell): each argument quoted when needed.
        public var displayString: String {
            pipeline.map { $0.map(Plan.Command.shellQuote).joined(separator: " ") }.joined(separator: " | ")
        }

        /// For the shell script: as ``displayString``, except that an argument using a value an
        /// earlier step read (`${NAME}`, NAME in `references`) is double-quoted so bash expands it.
        public func shellLine(references: [String]) -> String {
            func word(_ argument: String) -> String {
                guard references.contains(where: { argument.contains(Plan.reference($0)) }),
                      !argument.unicodeScalars.contains(where: Self.isControl) else { return Self.shellQuote(argument) }
                var quoted = argument
                for special in ["\\", "\"", "`", "$"] { quoted = quoted.replacingOccurrences(of: special, with: "\\" + special) }
                for name in references { quoted = quoted.replacingOccurrences(of: "\\$" + "{" + name + "}", with: Plan.reference(name)) }
                return "\"" + quoted + "\""
            }
            return pipeline.map { $0.map(word).joined(separator: " ") }.joined(separator: " | ")
        }

        /// This command with each `${NAME}` of `values` replaced by its value (the runner's step
        /// before spawning); a reference to a value not read stays as it is.
        public func resolving(_ values: [String: String]) -> Command {
            guard !values.isEmpty else { return self }
            return Command(pipeline: pipeline.map { arguments in
                arguments.map { argument in
                    var resolved = argument
                    for (name, value) in values where resolved.contains(Plan.reference(name)) {
                        resolved = resolved.replacingOccurrences(of: Plan.reference(name), with: value)
                    }
                    return resolved
                }
            })
        }

        /// The values (`${NAME}`, NAME in `names`) this command uses.
        public func references(among names: [String]) -> [String] {
            names.filter { name in pipeline.contains { $0.contains { $0.contains(Plan.reference(name)) } } }
        }

        /// `argument` as one bash word: bare when it is plain, in single quotes otherwise, and
        /// ANSI-C quoted (`$'a\nb'`) when it holds a control character, so that no raw newline,
        /// escape or other control byte ever reaches the script's text.
        static func shellQuote(_ argument: String) -> String {
            let safe = argument.utf8.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                    || "-_./=:,@%+".utf8.contains(byte)
            }
            if safe && !argument.isEmpty { return argument }
            if argument.unicodeScalars.contains(where: isControl) { return ansiCQuote(argument) }
            return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }

        /// C0, DEL and C1 control characters.
        static func isControl(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
        }

        /// bash's `$'...'`: backslash, quote and every control character escaped, other text as is.
        private static func ansiCQuote(_ argument: String) -> String {
            var out = "$'"
            for scalar in argument.unicodeScalars {
                switch scalar {
                case "\\": out += "\\\\"
                case "'": out += "\\'"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case _ where isControl(scalar):
                    // \xHH takes at most two hex digits, so what follows cannot extend it.
                    for byte in String(scalar).utf8 { out += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16) }
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "'"
        }
    }

    /// One numbered step of the plan: the commands for one thing in one cluster.
    public struct Step: Sendable, Hashable, Codable {
        /// Position in the plan, from 1.
        public var number: Int
        /// Trust, install or discover.
        public var phase: Phase
        /// The cluster the step acts on (for discovery: the cluster that receives the secret).
        public var cluster: String
        /// One line saying what the step does.
        public var title: String
        /// Run in order; each kubectl and istioctl one names the cluster's context.
        public var commands: [Command]
        /// Files the step reads or writes, under the work directory.
        public var files: [String]
        /// A remark shown with the step (why it waits, where a file came from).
        public var note: String?
        /// What the step makes true in its cluster, as data: the live plan compares it with
        /// what the cluster holds.
        public var kind: Kind
        /// A step that reads a value from its cluster (what its last command prints on stdout,
        /// trimmed; it must not be empty) names it here; later steps use it as `${NAME}` inside
        /// an argument (see ``Plan/reference(_:)``), which the runner replaces before spawning.
        /// The value is never part of the plan: `--dry-run` and the plan show the reference.
        public var output: String?

        /// A step with every field given.
        public init(number: Int, phase: Phase, cluster: String, title: String, commands: [Command], files: [String], note: String?, kind: Kind,
                    output: String? = nil) {
            self.number = number
            self.phase = phase
            self.cluster = cluster
            self.title = title
            self.commands = commands
            self.files = files
            self.note = note
            self.kind = kind
            self.output = output
        }

        /// The state a step establishes, one case per kind of object it creates or removes.
        public enum Kind: Sendable, Hashable, Codable {
            /// `meshscript render`: the cluster's intermediate CA, on this machine.
            case intermediateCA
            /// The `istio-system` namespace.
            case namespace
            /// The `topology.istio.io/network` label on istio-system.
            case networkLabel(network: String)
            /// The `cacerts` secret in istio-system: the cluster's intermediate CA for istiod.
            case cacerts
            /// The control plane, installed with istioctl or Helm as `ControlPlaneSpec` describes it.
            case controlPlane(ControlPlaneSpec)
            /// Waiting until the control plane is ready.
            case waitReady
            /// The east-west gateway of `network`, through which other networks reach this cluster.
            case eastWestGateway(network: String)
            /// The cross-network Gateway exposing the cluster's services through the east-west gateway.
            case crossNetworkGateway
            /// The remote secret of `source`, held by the step's cluster; `server` when the script
            /// names the address peers dial (`server "https://..."`).
            case remoteSecret(source: String, server: String?)
            /// A remote's istio-system names the primary whose istiod manages it
            /// (`topology.istio.io/controlPlaneClusters`).
            case controlPlaneClusters(primary: String)
            /// The Gateway and VirtualService exposing a primary's istiod on its east-west gateway.
            case exposeIstiod
            /// The Gateway API CRDs ambient multicluster's east-west Gateway needs, at this release.
            case gatewayAPICRDs(version: String)
            /// Reads the address of a primary's east-west gateway (its remotes' `remotePilotAddress`).
            case discoveryAddress
            /// A remote's install: `profile: remote`, pointed at `primary`'s istiod; no istiod of its own.
            case remoteControlPlane(primary: String, network: String?)
            /// Live plans only: what a cluster holds that the script no longer describes.
            case deleteRemoteSecret(name: String)
            /// Live plans only: the east-west gateway and cross-network Gateway, where no network needs them any more.
            case deleteEastWestGateway
            /// Live plans only: the Gateway (and VirtualService) exposing istiod where no remote needs it.
            case deleteExposeIstiod
            /// A step a host's ``PlanHook`` added, named by the host (`label`): MeshScript cannot
            /// read what it changes, so the live plan always runs it.
            case host(name: String)
        }
    }

    /// What a control plane is installed with, as install.yaml says it.
    public struct ControlPlaneSpec: Sendable, Hashable, Codable {
        /// `values.global.meshID`.
        public var meshID: String?
        /// `values.global.multiCluster.clusterName`.
        public var clusterName: String?
        /// `values.global.network`.
        public var network: String?
        /// nil: the default revision.
        public var revision: String?
        /// `helm` when Istio's Helm charts install it; nil: `istioctl install`.
        public var installer: String?
        /// The script's `values` overlays after merging, one `path=value` per value set, in
        /// order (nil: none). For the plan's reader: the live plan compares the three above.
        public var values: [String]?

        /// A spec with the install.yaml values given.
        public init(meshID: String?, clusterName: String?, network: String?, revision: String?,
                    installer: String? = nil, values: [String]? = nil) {
            self.meshID = meshID
            self.clusterName = clusterName
            self.network = network
            self.revision = revision
            self.installer = installer
            self.values = values
        }
    }

    /// `${NAME}`: where an argument uses the value a step with `output: NAME` read.
    public static func reference(_ name: String) -> String { "${" + name + "}" }

    /// The names of the values this plan's steps read, in step order.
    public var outputs: [String] { steps.compactMap(\.output) }

    /// The version of plan.json's form this MeshScript writes: its top-level `formatVersion`,
    /// which schema/plan.schema.json describes exactly. Any change to the form (a member added,
    /// removed, renamed or retyped, a new step kind or phase) bumps it by one, with the schema's
    /// `const` and the docs, in the same change: a pipeline or a controller's pre-sync hook that
    /// reads plans checks the version first and never guesses at a form it does not know.
    public static let currentFormatVersion = 1

    /// The form's version (``currentFormatVersion`` for every plan this MeshScript writes).
    public var formatVersion: Int = Plan.currentFormatVersion
    /// The mesh's name (empty when the script declares none).
    public var mesh: String
    /// The targeted Istio release, `MAJOR.MINOR` (`1.6`, `1.22`, ...): the script's `istio`, else the
    /// newest ``/MeshKube/IstioReleases`` knows. (Before the release table, `current` or `1.6`.)
    public var istio: String
    /// The seed's WORK_DIR, where every file the steps name lives.
    public var workDirectory: String
    /// The topology's cluster names, in declaration order.
    public var clusters: [String]
    /// How the tools reach each cluster of the topology, by cluster name: every kubectl and
    /// istioctl command of a step for that cluster carries its ``ClusterAccess/flags``.
    public var access: [String: ClusterAccess]
    /// Who reads whose API server: one remote secret per link.
    public var links: [DiscoveryLink]
    /// In the order they must run.
    public var steps: [Step]
    /// Where `render --gitops` puts the mesh in git and how its secrets reach the clusters (the
    /// mesh block's `gitops` and `secrets`); nil without `gitops`.
    public var gitops: GitOps? = nil
    /// What host commands stored on the mesh, networks and clusters; nil when nothing.
    public var hostData: HostDataSet? = nil

    /// The mesh block's `gitops repo "URL" [path "DIR"] [revision "BRANCH"]` and `secrets`.
    public struct GitOps: Sendable, Hashable, Codable {
        /// The repository's URL.
        public var repository: String
        /// The tree's directory in the repository ("" for its top).
        public var path: String
        /// The branch the controller follows.
        public var revision: String
        /// `apply` (left out of git, pushed by `apply --secrets-only`) or `external` (ExternalSecrets).
        public var secrets: String
        /// The ClusterSecretStore of `external`.
        public var store: String?

        /// The plan's record of a mesh's `gitops` and `secrets`.
        public init(repository: String, path: String, revision: String, secrets: SecretDelivery) {
            (self.repository, self.path, self.revision) = (repository, path, revision)
            switch secrets {
            case .apply: (self.secrets, self.store) = ("apply", nil)
            case .externalSecrets(let store): (self.secrets, self.store) = ("external", store)
            }
        }

        /// The choice as ``/MeshKube/SecretDelivery``.
        public var delivery: SecretDelivery { store.map { .externalSecrets(store: $0) } ?? .apply }
    }
}

/// How a tool reaches one cluster: the kubeconfig file (nil: the tool's own default,
/// $KUBECONFIG or ~/.kube/config) and the context. Every kubectl and istioctl argument list
/// carries `flags`.
public struct ClusterAccess: Sendable, Hashable, Codable {
    /// An absolute path, so the commands work from any directory; nil leaves the choice to the
    /// tool (which then reads $KUBECONFIG, possibly a list, or ~/.kube/config).
    public var kubeconfig: String?
    /// The kubeconfig context naming the cluster (`--context=`).
    public var context: String

    /// Access through `context` of `kubeconfig` (nil: the tool's default file).
    public init(kubeconfig: String?, context: String) {
        self.kubeconfig = kubeconfig
        self.context = context
    }

    /// `--kubeconfig=PATH` (when set) then `--context=NAME`.
    public var flags: [String] { flags(contextFlag: "--context=") }

    /// The same for helm, whose context flag is `--kube-context=NAME`.
    public var helmFlags: [String] { flags(contextFlag: "--kube-context=") }

    private func flags(contextFlag: String) -> [String] {
        let context = String(concatenating: contextFlag, context)
        guard let kubeconfig else { return [context] }
        return [String(concatenating: "--kubeconfig=", kubeconfig), context]
    }
}
