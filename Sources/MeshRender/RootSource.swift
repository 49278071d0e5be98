// Where the mesh's root comes from when the script brings one (`root NAME < from "DIR" >`).
import MeshDomain

extension MeshRenderer {
    /// The directory holding the root the trusted clusters use, resolved against the script's
    /// directory; nil when the root is generated (or no cluster has trust).
    public static func rootSource(_ topology: Topology, options: RenderOptions) -> String? {
        guard let name = topology.clusters.lazy.compactMap(\.trust).first?.root.value,
              let from = topology.root(named: name)?.from else { return nil }
        return resolve(from.value, scriptDirectory: directory(of: options.scriptPath))
    }
}
