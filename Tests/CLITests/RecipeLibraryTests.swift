// The recipe library in examples/recipes: each recipe builds the topology its comment
// promises, for meshes of several sizes, and all of them compose in one script
// (examples/recipes-composed.mesh) without a conflict.
import Foundation
import MeshDomain
import MeshScript
import MeshTestSupport
import Testing

@Suite struct RecipeLibraryTests {
    /// Check `script` as if it were a file in examples/, and return its directed discovery links.
    func links(_ script: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> (links: Set<String>, topology: Topology)? {
        let mesh = Mesh(options: MeshOptions(readsKubeconfig: false))
        let check = mesh.check(source: script, name: "library.mesh", directory: packageRoot.appendingPathComponent("examples").path)
        guard !check.hasErrors else {
            Issue.record("errors:\n\(DiagnosticRenderer(sources: check.sources, color: false).render(check.diagnostics))", sourceLocation: sourceLocation)
            return nil
        }
        return (Set(check.topology.links.map { "\($0.source)->\($0.target)" }), check.topology)
    }

    static func names(_ count: Int) -> [String] { (1...max(1, count)).map { "c\($0)" }.prefix(count).map { $0 } }

    /// Both directions of each pair.
    static func mutual(_ pairs: [(String, String)]) -> Set<String> {
        Set(pairs.flatMap { ["\($0.0)->\($0.1)", "\($0.1)->\($0.0)"] })
    }

    @Test(arguments: 1...5)
    func aFullMeshLinksEveryPair(size: Int) throws {
        let names = Self.names(size)
        let result = try #require(links("import \"recipes/full-mesh.mesh\" as full\nmesh mesh1\nfull.full_mesh [\(names.joined(separator: ", "))]\n"))
        let pairs = names.indices.flatMap { i in names.indices.filter { $0 < i }.map { (names[$0], names[i]) } }
        #expect(result.links == Self.mutual(pairs))
        #expect(result.topology.clusters.map(\.name.value) == names)
    }

    @Test(arguments: 1...5)
    func aRingLinksNeighbours(size: Int) throws {
        let names = Self.names(size)
        let result = try #require(links("import \"recipes/ring.mesh\" as ring\nmesh mesh1\nring.ring [\(names.joined(separator: ", "))]\n"))
        var pairs: [(String, String)] = []
        if size == 2 { pairs = [(names[0], names[1])] }
        if size > 2 { pairs = names.indices.map { (names[$0], names[($0 + 1) % size]) } }
        #expect(result.links == Self.mutual(pairs))
    }

    @Test(arguments: 0...3)
    func aHubLinksEachSpokeOnly(spokes: Int) throws {
        let names = Self.names(spokes)
        let result = try #require(links("import \"recipes/hub-and-spoke.mesh\" as star\nmesh mesh1\nstar.hub_and_spoke hub [\(names.joined(separator: ", "))]\n"))
        #expect(result.links == Self.mutual(names.map { ("hub", $0) }))
    }

    @Test func aMultiNetworkPairPutsEachClusterOnItsNetwork() throws {
        let result = try #require(links("import \"recipes/multi-network-pair.mesh\" as pair\nmesh mesh1\npair.multi_network_pair east west network_b = net-b\n"))
        #expect(result.links == Self.mutual([("east", "west")]))
        #expect(result.topology.networks.map(\.name.value) == ["network1", "net-b"])
        #expect(result.topology.clusters.map { result.topology.network(of: $0) } == ["network1", "net-b"])
    }

    @Test func aPrimaryRunsItsRemotesControlPlane() throws {
        let result = try #require(links("import \"recipes/primary-remote.mesh\" as pr\nmesh mesh1\npr.primary_with_remotes main [edge1, edge2] remote_network = network2\n"))
        let topology = result.topology
        #expect(topology.remotes(of: "main").map(\.name.value) == ["edge1", "edge2"])
        #expect(topology.clusters.map { topology.network(of: $0) } == ["network1", "network2", "network2"])
    }

    @Test func aPrimaryRunsTheCallersBlockInItsCluster() throws {
        let result = try #require(links("import \"recipes/primary.mesh\" as p\nmesh mesh1\np.primary east\np.primary west-1 < discover with east >\n"))
        #expect(result.links == Self.mutual([("east", "west-1")]))
        #expect(result.topology.clusters.map(\.context?.value) == ["kind-east", "kind-west-1"])
    }

    /// examples/recipes-composed.mesh: every recipe of the library in one script.
    @Test func theLibraryComposesInOneScript() throws {
        let script = try String(contentsOf: packageRoot.appendingPathComponent("examples/recipes-composed.mesh"), encoding: .utf8)
        let result = try #require(links(script))
        let expected = Self.mutual([("a1", "a2"), ("a1", "a3"), ("a2", "a3"), ("b1", "b2"), ("r1", "r2"), ("r2", "r3"), ("r3", "r1"),
                                    ("hub", "spoke1"), ("hub", "spoke2"), ("extra", "a1")]).union(["edge1->main"])
        #expect(result.links == expected)
        #expect(result.topology.networks.map(\.name.value) == ["network1", "network2"])
        #expect(result.topology.meshes.count == 1)
    }
}
