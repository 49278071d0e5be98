// The kubectl the comparisons trust: a real client, never a stand-in that happens to be first on
// PATH (this repository's scripts/testing, or a developer's own wrapper). A candidate counts only
// when `kubectl version --client -o json` answers, offline, with a client version as kubectl
// prints it. Without one, the comparisons skip and say why; scripts/bootstrap.sh --test installs one.
import Foundation

public enum RealKubectl {
    /// The first real kubectl on PATH, or nil (see ``RealKubectl/absence``).
    public static var path: String? { found.path }

    /// Why there is no real kubectl, for a skipped test's message; nil when there is one.
    public static var absence: String? { found.path == nil ? found.reason : nil }

    /// For `.enabled(if:)`.
    public static var isInstalled: Bool { found.path != nil }

    private static let found: (path: String?, reason: String) = search()

    private static func search() -> (path: String?, reason: String) {
        let standIns = packageRoot.appendingPathComponent("scripts/testing").standardizedFileURL.resolvingSymlinksInPath().path
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        var rejected: [String] = []
        for directory in directories {
            let candidate = String(directory) + "/kubectl"
            guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
            let resolved = URL(fileURLWithPath: candidate).resolvingSymlinksInPath().path
            if resolved.hasPrefix(standIns + "/") {
                rejected.append("\(candidate) is this repository's stand-in")
            } else if clientVersion(candidate) != nil {
                return (candidate, "")
            } else {
                rejected.append("\(candidate) does not answer `version --client -o json` as kubectl does")
            }
        }
        let why = rejected.isEmpty ? "no kubectl on PATH" : "no real kubectl on PATH (" + rejected.joined(separator: "; ") + ")"
        return (nil, why + "; scripts/bootstrap.sh --test installs one")
    }

    /// The client's gitVersion (`v1.32.3`), asked offline with an empty HOME and no kubeconfig.
    private static func clientVersion(_ executable: String) -> String? {
        guard let scratch = try? Scratch() else { return nil }
        defer { scratch.remove() }
        let environment = ["HOME": scratch.home, "PATH": "/usr/bin:/bin", "KUBECONFIG": scratch.at("none")]
        guard let run = try? runProcess(executable, ["version", "--client", "-o", "json"], environment: environment, timeout: .seconds(30)),
              run.status == 0, !run.signaled,
              let object = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
              let client = object["clientVersion"] as? [String: Any],
              let version = client["gitVersion"] as? String, version.hasPrefix("v") else { return nil }
        return version
    }
}
