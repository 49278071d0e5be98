// Which kubeconfig a run uses, decided in one place: the plan's `--kubeconfig=` flags and the
// pre-flight's contexts both come from this choice, so meshscript reads the contexts that
// kubectl and istioctl will use.
import Foundation
import LocalFiles
import MeshDomain
import MeshKube

/// The kubeconfig of a run: where the choice came from, the files the pre-flight reads, and
/// the one file every kubectl and istioctl command names with `--kubeconfig=`.
public struct KubeconfigChoice: Sendable, Hashable {
    /// Where the kubeconfig choice came from, by precedence.
    public enum Origin: Sendable, Hashable {
        /// The script's `kubeconfig "PATH"` statement (its path and range, for diagnostics).
        case script(Located<String>)
        /// ``RenderOptions/kubeconfig`` (the CLI's `--kubeconfig PATH`).
        case option
        /// `$KUBECONFIG`: one file, or a colon-separated list the tools merge.
        case environment
        /// Nothing chosen: `~/.kube/config`, the tools' own default.
        case home
    }

    /// The script, the option, `$KUBECONFIG` or the home default.
    public var origin: Origin
    /// The files the pre-flight reads, in merge order.
    public var paths: [String]
    /// The absolute path the commands pass as `--kubeconfig=`; nil when the tools are left to
    /// find it themselves (a `$KUBECONFIG` list, which no single flag can carry and the child
    /// processes inherit, or `~/.kube/config`).
    public var flag: String?

    /// True when the file was named for this run (the script or the option), so it must exist.
    public var isNamed: Bool {
        switch origin {
        case .script, .option: true
        case .environment, .home: false
        }
    }
}

extension MeshRenderer {
    /// The kubeconfig for `topology`, by precedence: the script's `kubeconfig "PATH"` (relative
    /// to the script's directory), else `options.kubeconfig` (relative to the current
    /// directory), else `$KUBECONFIG` from `options.environment`, else `~/.kube/config` under
    /// `options.home`. A named file is made absolute so the commands work from any directory.
    package static func kubeconfigChoice(for topology: Topology, options: RenderOptions) -> KubeconfigChoice {
        if let declared = topology.kubeconfig {
            let path = absolute(resolve(declared.value, scriptDirectory: directory(of: options.scriptPath)))
            return KubeconfigChoice(origin: .script(declared), paths: [path], flag: path)
        }
        if let given = options.kubeconfig, !given.isEmpty {
            let path = absolute(given)
            return KubeconfigChoice(origin: .option, paths: [path], flag: path)
        }
        let paths = Kubeconfig.defaultPaths(environment: options.environment, home: options.home)
        guard !(options.environment["KUBECONFIG"] ?? "").isEmpty else {
            return KubeconfigChoice(origin: .home, paths: paths, flag: nil)
        }
        // A list cannot be passed as one flag: the commands then carry none and inherit $KUBECONFIG.
        return KubeconfigChoice(origin: .environment, paths: paths, flag: paths.count == 1 ? absolute(paths[0]) : nil)
    }

    /// The file every kubectl and istioctl command names with `--kubeconfig=`, or nil for none:
    /// ``kubeconfigChoice(for:options:)``'s ``KubeconfigChoice/flag``.
    package static func kubeconfig(for topology: Topology, options: RenderOptions) -> String? {
        kubeconfigChoice(for: topology, options: options).flag
    }

    /// `path` anchored at the current directory when relative, without `.` components (`..`
    /// is kept: through a symbolic link it does not mean the textual parent).
    static func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : Directory.current + "/" + path
        let components = joined.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return "/" + components.joined(separator: "/")
    }
}
