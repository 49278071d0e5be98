// The mesh built-ins end to end: rendered diagnostics as exact text, the topology a script
// builds (forward references, clusters()), the plan, and every example script.
import Foundation
import MeshTestSupport
import Testing

import MeshDomain
import MeshKube
import MeshScriptInterpreter

@Suite struct MeshDiagnosticSnapshots {
    @Test func unknownClusterWithDidYouMean() {
        let checked = check("""
            mesh mesh1
            network network1
            cluster cluster1 < trust from root; install >
            cluster cluster2 < trust from root; install; discover with clustr1 >
            """)
        #expect(checked.rendered == """
            /mesh/test.mesh:4:60: error: unknown cluster 'clustr1'
              |
            4 | cluster cluster2 < trust from root; install; discover with clustr1 >
              |                                                            ^~~~~~~
              = help: did you mean 'cluster1'?

            """)
    }

    @Test func columnsCountCharactersAfterNonASCIIText() {
        let checked = check("""
            mesh mesh1
            cluster cluster1 < trust from root >
            cluster cluster2 < context "kïnd-☃-clüster"; trust from root; discover with clustr1 >
            """)
        #expect(checked.rendered == """
            /mesh/test.mesh:3:77: error: unknown cluster 'clustr1'
              |
            3 | cluster cluster2 < context "kïnd-☃-clüster"; trust from root; discover with clustr1 >
              |                                                                             ^~~~~~~
              = help: did you mean 'cluster1'?

            """)
        let diagnostic = checked.errors.first
        #expect(diagnostic.flatMap { $0.range.map { checked.engine.sources.file($0.file).location(of: $0.start) } }.map(lineColumn) == "3:77")
    }

    @Test func differentRootsWithTwoNotesAndHelp() {
        let checked = check("""
            mesh mesh1
            root east-root
            root west-root
            cluster east < trust from east-root >
            cluster west < trust from west-root; discover with east >
            """)
        #expect(checked.rendered == """
            /mesh/test.mesh:5:52: error: clusters 'west' and 'east' trust different roots ('west-root' and 'east-root'); cross-cluster mTLS would fail
              |
            5 | cluster west < trust from west-root; discover with east >
              |                                                    ^~~~
            /mesh/test.mesh:5:27: note: 'west' trusts 'west-root' here
              |
            5 | cluster west < trust from west-root; discover with east >
              |                           ^~~~~~~~~
            /mesh/test.mesh:4:27: note: 'east' trusts 'east-root' here
              |
            4 | cluster east < trust from east-root >
              |                           ^~~~~~~~~
              = help: give both clusters 'trust from west-root'

            """)
    }

    @Test func notADNSLabel() {
        #expect(check("cluster Cluster_1 < >").rendered == """
            /mesh/test.mesh:1:9: error: cluster name 'Cluster_1' is not a valid DNS-1123 label
              |
            1 | cluster Cluster_1 < >
              |         ^~~~~~~~~
              = help: use 'cluster-1': names become Kubernetes object names, secret keys and directory names (lowercase letters, digits and '-', at most 63 characters)

            """)
    }

    @Test func commandInTheWrongBlock() {
        #expect(check("mesh mesh1\n\ttrust from root\n").rendered == """
            /mesh/test.mesh:2:2: error: 'trust' is only valid inside a cluster block
              |
            2 | \ttrust from root
              | \t^~~~~
              = help: usage: trust from ROOT

            """)
    }

    @Test func diagnosticsComeInSourceOrderAcrossPhases() {
        // A validation error (line 2) and an evaluation error (line 3) are sorted by position.
        let checked = check("""
            mesh mesh1
            cluster c1 < trust from rot >
            print "c" + 1
            """)
        #expect(checked.messages == ["unknown root 'rot'", "cannot add string and integer"])
        #expect(checked.errors.map { checked.line($0) } == [2, 3])
    }
}

@Suite struct Topologies {
    @Test func forwardReferencesBetweenClusters() {
        let checked = check("""
            mesh mesh1
            network network1
            cluster c1 < trust from root; install; discover with c3 >
            cluster c2 < trust from root; install; discover from c3 >
            cluster c3 < trust from root; install >
            """)
        expectClean(checked)
        #expect(checked.topology.links == [
            DiscoveryLink(source: "c3", target: "c1"), DiscoveryLink(source: "c1", target: "c3"),
            DiscoveryLink(source: "c3", target: "c2"),
        ])
    }

    /// A cluster's discover statements add their peers in statement order, each list in order.
    @Test func discoverStatementsAddTheirPeersInOrder() {
        let checked = check("""
            mesh mesh1
            network network1
            cluster c1 < trust from root; install; discover with c2, c3; discover from c4; discover with c5 >
            cluster c2 < trust from root; install >
            cluster c3 < trust from root; install >
            cluster c4 < trust from root; install >
            cluster c5 < trust from root; install >
            """)
        expectClean(checked)
        let c1 = checked.topology.clusters[0].discovery
        #expect(c1.map { "\($0.direction.rawValue) \($0.peer.value)" } == ["with c2", "with c3", "from c4", "with c5"])
        #expect(checked.topology.links.map { "\($0.source)>\($0.target)" } == ["c2>c1", "c1>c2", "c3>c1", "c1>c3", "c4>c1", "c5>c1", "c1>c5"])
    }

    /// The validator finds each link's peer by name (the first declaration of it), in whatever
    /// order the links name clusters: it compares the cluster after the last peer first, which
    /// a repeated name must not fool.
    @Test func linkRulesFindThePeerTheNameDeclaresFirst() {
        let unordered = check("""
            mesh m
            network n
            cluster a < trust from root; install; discover with d, b, c >
            cluster b < install >
            cluster c < trust from root; install >
            cluster d < trust from root; install; discover with c, a >
            cluster e < install; discover from a >
            """)
        #expect(unordered.errors.map(\.message) == [
            "cluster 'b' has no 'trust', so cross-cluster mTLS with 'a' would fail",
            "cluster 'e' has no 'trust', so cross-cluster mTLS with 'a' would fail",
        ], "\(unordered.rendered)")
        let repeated = check("""
            mesh m
            network n
            cluster a < install >
            cluster z < trust from root; install; discover with b, a >
            cluster b < trust from root; install >
            cluster a < trust from root; install >
            """)
        #expect(repeated.errors.map(\.message) == [
            "cluster 'a' has no 'trust', so cross-cluster mTLS with 'z' would fail",
            "cluster 'a' is declared twice",
        ], "\(repeated.rendered)")
    }

    /// The links and remotes, built on first use, follow every later change of the clusters,
    /// whether the topology shares them with a copy or not; a copy keeps what it was.
    @Test func linksAndRemotesFollowChangesOfTheClusters() throws {
        var topology = check("""
            mesh mesh1
            network n1
            cluster c1 < trust from root; install >
            cluster c2 < trust from root; install; discover from c1 >
            cluster c3 < trust from root; install; discover from c2 >
            """).topology
        #expect(topology.links == [DiscoveryLink(source: "c1", target: "c2"), DiscoveryLink(source: "c2", target: "c3")])
        #expect(topology.remotes(of: "c1").isEmpty)
        let before = topology
        topology.clusters[2].discovery = []
        #expect(topology.links == [DiscoveryLink(source: "c1", target: "c2")])
        #expect(before.links == [DiscoveryLink(source: "c1", target: "c2"), DiscoveryLink(source: "c2", target: "c3")])
        // Not shared now: each change empties the index this topology alone holds.
        topology.clusters[0].discovery = before.clusters[2].discovery
        #expect(topology.links == [DiscoveryLink(source: "c2", target: "c1"), DiscoveryLink(source: "c1", target: "c2")])
        let c1 = Located("c1", topology.clusters[1].name.range)
        topology.clusters[1].install?.remoteOf = c1
        #expect(topology.remotes(of: "c1").map(\.name.value) == ["c2"])
        #expect(topology.links == [DiscoveryLink(source: "c2", target: "c1"), DiscoveryLink(source: "c1", target: "c2")])
        topology.clusters[0].discovery = []
        #expect(topology.links == [DiscoveryLink(source: "c2", target: "c1"), DiscoveryLink(source: "c1", target: "c2")])
        topology.clusters[1].discovery = []
        #expect(topology.links == [DiscoveryLink(source: "c2", target: "c1")])
        topology.clusters[1].install?.remoteOf = nil
        #expect(topology.remotes(of: "c1").isEmpty)
        #expect(topology.links.isEmpty)
        #expect(before.remotes(of: "c1").isEmpty)
    }

    /// A cluster declaration is a value: a copy changes alone, and two with the same fields are
    /// equal and hash alike whether or not they share their storage.
    @Test func aClusterDeclarationIsAValue() throws {
        let original = try #require(check("""
            mesh mesh1
            cluster c1 < context "ctx-a"; trust from root; discover with c2 >
            cluster c2 < trust from root >
            """).topology.clusters.first)
        var copy = original
        #expect(copy == original)
        copy.context = Located("ctx-b", original.statement)
        copy.discovery.append(copy.discovery[0])
        #expect(original.context?.value == "ctx-a")
        #expect(original.discovery.count == 1)
        #expect(copy != original)
        copy.context = original.context
        copy.discovery.removeLast()
        #expect(copy == original)
        #expect(Set([original, copy]).count == 1)
    }

    /// The one-line form from the design card parses and means what it says.
    @Test func theDesignCardLineMeansWhatItSays() throws {
        let checked = check("""
            mesh mesh1
            network n1
            cluster c1 < trust from root; install network n1 >
            cluster c2 < trust from root; install network n1; discover with c1 >
            """)
        expectClean(checked)
        let c2 = try #require(checked.topology.cluster(named: "c2"))
        #expect(c2.trust?.root.value == "root")
        #expect(c2.install?.network?.value == "n1")
        #expect(c2.discovery.map { "\($0.direction.rawValue) \($0.peer.value)" } == ["with c1"])
        #expect(checked.topology.links == [DiscoveryLink(source: "c1", target: "c2"), DiscoveryLink(source: "c2", target: "c1")])
    }

    @Test func declaringRootRootOverridesTheImplicitRoot() throws {
        let checked = check("root root < org \"Acme\"; key rsa 2048 >\ncluster c < trust from root >")
        expectClean(checked)
        let root = try #require(checked.topology.root(named: "root"))
        #expect(root.isDeclared && root.organization == "Acme" && root.key == .rsa(bits: 2048))
        #expect(checked.topology.rootNames == ["root"])
    }

    @Test func clustersReturnsTheClustersDeclaredSoFar() {
        let engine = MeshEngine(loader: InMemoryLoader(["/m/t.mesh": """
            print clusters()
            cluster a < >
            print clusters()
            for i in range(0, 2) < cluster "b${i}" < > >
            print clusters()
            print len(clusters())
            """]))
        var printed: [String] = []
        engine.interpreter.output = { text, _ in printed.append(text) }
        let result = engine.check(file: "/m/t.mesh")
        #expect(result.diagnostics.isEmpty)
        #expect(printed == ["[]", #"["a"]"#, #"["a", "b0", "b1"]"#, "3"])
    }

    @Test func whatAClusterBlockRecords() throws {
        let checked = check("""
            mesh mesh1 < istio "1.6" >
            network network1
            network network2
            root corp < org "Acme"; cn "Acme CA"; days 90; key ecdsa p256 >
            cluster c1 <
              context env("C1_CONTEXT", "fallback")
              trust from corp
              install network network2 revision "canary" profile demo
              server "https://10.1.2.3:6443"
            >
            cluster c2 < trust from corp; install network network2; discover with c1 >
            """, environment: ["C1_CONTEXT": "kind-c1"])
        expectClean(checked)
        let topology = checked.topology
        #expect(topology.istio == IstioRelease(1, 6))
        let c1 = try #require(topology.cluster(named: "c1"))
        #expect(c1.contextName == "kind-c1")
        #expect(c1.trust?.root.value == "corp")
        #expect(c1.install?.network?.value == "network2")
        #expect(c1.install?.revision?.value == "canary")
        #expect(c1.install?.profile?.value == "demo")
        #expect(c1.server?.value == "https://10.1.2.3:6443")
        #expect(topology.cluster(named: "c2")?.contextName == "c2")
        let corp = try #require(topology.root(named: "corp"))
        #expect(corp.organization == "Acme" && corp.commonName == "Acme CA" && corp.days == 90 && corp.key == .ecdsa(curve: "p256"))
        // The implicit root exists with Istio's defaults.
        let implicit = try #require(topology.root(named: "root"))
        #expect(!implicit.isDeclared && implicit.key == .rsa(bits: 4096))
        #expect(topology.root(named: "nope") == nil)
    }

    @Test func importInsideABlockKeepsTheEnclosingDeclaration() throws {
        let checked = check("""
            mesh mesh1 < import "m.mesh"; istio "1.6" >
            root corp < import "r.mesh"; org "Acme" >
            cluster c1 < import "c.mesh"; context ctx1 >
            """, others: ["m.mesh": "mesh mesh2", "r.mesh": "root other < org \"Other\" >", "c.mesh": "cluster c2 < context ctx2 >"])
        #expect(checked.messages == ["a second mesh 'mesh2' is declared; a program has exactly one mesh ID"])
        #expect(checked.topology.meshes.map { "\($0.name.value) \($0.istio.map(\.value.description) ?? "newest")" } == ["mesh1 1.6", "mesh2 newest"])
        #expect(checked.topology.root(named: "corp")?.organization == "Acme")
        #expect(checked.topology.root(named: "other")?.organization == "Other")
        #expect(checked.topology.clusters.map { "\($0.name.value)=\($0.contextName)" } == ["c1=ctx1", "c2=ctx2"])
    }

    @Test func stringClusterNamesAndListsOfPeers() {
        let checked = check("""
            mesh mesh1
            network network1
            let names = ["c1", "c2", "c3"]
            for n in $names < cluster $n < trust from root; install > >
            cluster hub < trust from root; install; discover with $names >
            """)
        expectClean(checked)
        #expect(checked.topology.clusters.map(\.name.value) == ["c1", "c2", "c3", "hub"])
        #expect(checked.topology.links.count == 6)
    }

    @Test func oneTypoInAPeerListIsOneError() {
        let checked = check("""
            mesh mesh1
            network network1
            let peers = [c1, $c2_name]
            cluster c1 < trust from root; install >
            cluster hub < trust from root; install; discover with $peers >
            """)
        #expect(checked.messages == ["undefined variable '$c2_name'"])
    }

    @Test func aBigMeshChecksClean() {
        // 20,000 clusters each discovering the previous one: validation used to search the
        // cluster list once per link. How its time grows with the mesh is measured by
        // `scripts/bench --only check` (the growth column), not asserted here.
        var lines = ["mesh mesh1", "network network1"]
        for i in 0..<20_000 {
            lines.append("cluster c\(i) < trust from root; install" + (i > 0 ? "; discover from c\(i - 1)" : "") + " >")
        }
        let checked = check(lines.joined(separator: "\n"))
        expectClean(checked)
        #expect(checked.topology.links.count == 19_999)
    }
}

@Suite struct Plans {
    func makePlan(_ source: String) -> Plan? {
        let checked = check(source)
        guard checked.errors.isEmpty else {
            Issue.record("script has errors:\n\(checked.rendered)")
            return nil
        }
        return Planner.plan(checked.topology, options: PlanOptions(workDirectory: "out", scriptPath: "s.mesh"))
    }

    @Test func onePrimaryAtATimeThenDiscovery() throws {
        let plan = try #require(makePlan("""
            mesh mesh1
            network network1
            cluster cluster1 < context kind-cluster1; trust from root; install >
            cluster cluster2 < context kind-cluster2; trust from root; install; discover with cluster1 >
            """))
        #expect(plan.steps.map { "\($0.phase.rawValue) \($0.cluster)" } == [
            "trust cluster1", "trust cluster1", "trust cluster1", "install cluster1", "install cluster1",
            "trust cluster2", "trust cluster2", "trust cluster2", "install cluster2", "install cluster2",
            "discover cluster2", "discover cluster1",
        ])
        #expect(plan.steps.map(\.number) == Array(1...12))
        // The reader account goes to the source, then its token is read there and piped into the target.
        let discover = plan.steps[10].commands.map(\.pipeline)
        #expect(discover == [[["kubectl", "apply", "-f", "out/cluster1/reader-service-account.yaml", "--context=kind-cluster1"]],
                             [["meshscript", "remote-secret", "--name=cluster1", "--istio=1.30", "--context=kind-cluster1"],
                              ["kubectl", "apply", "-f", "-", "--context=kind-cluster2"]]])
        #expect(plan.steps[10].files == ["out/cluster1/reader-service-account.yaml"])
        #expect(plan.steps[3].commands[0].pipeline == [["istioctl", "install", "--context=kind-cluster1", "-f", "out/cluster1/install.yaml", "-y"]])
    }

    @Test func istio16UsesTheSeedsCommands() throws {
        let plan = try #require(makePlan("""
            mesh mesh1 < istio "1.6" >
            network network1
            cluster c1 < trust from root; install >
            cluster c2 < trust from root; install; discover with c1 >
            """))
        #expect(plan.istio == "1.6")
        #expect(plan.steps.contains { $0.commands.first?.pipeline.first == ["istioctl", "--context=c1", "manifest", "apply", "-f", "out/c1/install.yaml"] })
        #expect(plan.steps.contains { $0.commands.first?.pipeline.first?.prefix(3) == ["istioctl", "x", "create-remote-secret"] })
    }

    @Test func multiNetworkAddsEastWestGateways() throws {
        let plan = try #require(makePlan("""
            mesh mesh1
            network n1
            network n2
            cluster c1 < trust from root; install network n1 >
            cluster c2 < trust from root; install network n2; discover with c1 >
            cluster c3 < trust from root; install network n2 >
            """))
        let titles = plan.steps.map(\.title)
        #expect(titles.filter { $0.hasPrefix("install the east-west gateway") }.count == 2)
        #expect(titles.contains("label istio-system with network n1"))
        // c3 is linked to nobody: no gateway for it.
        #expect(!plan.steps.contains { $0.cluster == "c3" && $0.title.contains("east-west") })
    }

    @Test func planJSONRoundTrips() throws {
        let plan = try #require(makePlan("mesh m\nnetwork n\ncluster a < trust from root; install >"))
        let decoded = try JSONDecoder().decode(Plan.self, from: Data(plan.json().utf8))
        #expect(decoded == plan)
    }

    @Test func graphHasTheLinks() {
        let checked = check("mesh m\nnetwork n\ncluster a < trust from root; install >\ncluster b < trust from root; install; discover from a >")
        expectClean(checked)
        #expect(checked.topology.dot.contains(#""a" -> "b" [label="remote secret"];"#))
        #expect(!checked.topology.dot.contains(#""b" -> "a""#))
    }

    @Test func mermaidGroupsClustersByNetworkAndDrawsEachLinkOnce() {
        let checked = check("""
            mesh m
            network east
            network west
            root corp
            cluster end < trust from corp; install network east >
            cluster a-1 < trust from corp; install network west; discover with end >
            cluster b < trust from corp; install network east; discover from a-1 >
            cluster lone < install network west >
            """)
        expectClean(checked)
        // `end` is a Mermaid keyword and `a-1` has a hyphen: both only ever appear as quoted labels.
        #expect(checked.topology.mermaid == """
            flowchart LR
              subgraph n0["network east"]
                c0("end<br/>root: corp")
                c2("b<br/>root: corp")
              end
              subgraph n1["network west"]
                c1("a-1<br/>root: corp")
                c3("lone<br/>no trust")
              end
              c0 -->|remote secret| c1
              c1 -->|remote secret| c0
              c1 -->|remote secret| c2

            """)
    }
}

@Suite struct Examples {
    static var scripts: [String] {
        let root = packageRoot.appendingPathComponent("examples")
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".mesh") { found.append(path) }
        }
        return found.sorted()
    }

    @Test func thereAreExamples() {
        #expect(Self.scripts.count >= 5, "\(Self.scripts)")
    }

    @Test(arguments: Examples.scripts)
    func exampleParsesAndChecksClean(_ path: String) {
        let url = packageRoot.appendingPathComponent("examples").appendingPathComponent(path)
        let engine = MeshEngine(environment: [:])
        engine.interpreter.output = { _, _ in }
        let result = engine.check(file: url.path)
        #expect(result.diagnostics.isEmpty,
                "\(path):\n\(DiagnosticRenderer(sources: engine.sources, color: false).render(result.diagnostics))")
    }
}
