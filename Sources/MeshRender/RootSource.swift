// Where the mesh's root comes from when the script brings one (`root NAME < from "DIR" >`).
import Foundation
import MeshDomain
import MeshScriptInterpreter
import MeshTrust

extension MeshRenderer {
    /// The directory holding the root the trusted clusters use, resolved against the script's
    /// directory; nil when the root is generated (or no cluster has trust).
    package static func rootSource(_ topology: Topology, options: RenderOptions) -> String? {
        guard let name = topology.clusters.lazy.compactMap(\.trust).first?.root.value,
              let from = topology.root(named: name)?.from else { return nil }
        return resolve(from.value, scriptDirectory: directory(of: options.scriptPath))
    }

    /// `check`'s look at the files a script brings: every root's `from "DIR"` (relative to the
    /// script) whose root-cert.pem or root-key.pem exists is inspected as render would (CA,
    /// key match, SHA-256 or better, extendedKeyUsage, validity); each problem is an error at
    /// the `from` statement. A directory that holds neither file is left for render to report.
    package static func rootFileDiagnostics(_ topology: Topology, scriptPath: String, now: Date = Date()) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var inspected = Set<String>()
        for root in topology.roots {
            guard let from = root.from, inspected.insert(from.value).inserted else { continue }
            let directory = resolve(from.value, scriptDirectory: self.directory(of: scriptPath))
            do throws(TrustError) {
                _ = try RootInspection.inspectIfPresent(directory: directory, now: now)
            } catch {
                diagnostics += error.problems.map { problem in
                    .error("root '\(root.name.value)': \(problem.path) \(problem.message)", at: root.fromStatement ?? from.range,
                           help: problem.help ?? "render refuses this root until it is fixed")
                }
            }
        }
        return diagnostics
    }
}
