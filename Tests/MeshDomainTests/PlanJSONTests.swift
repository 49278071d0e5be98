// plan.json is written directly (PlanJSON.swift) instead of through JSONEncoder: its bytes must
// stay exactly what the encoder gives for the plan's Codable form, on every example, every golden
// script that checks clean, every kind of step, hostile strings, and generated meshes.
import Foundation
import MeshTestSupport
import Testing

import MeshDomain
import MeshScriptInterpreter

/// What plan.json held before the direct writer: the Codable form through Foundation's encoder.
func encoderJSON(_ plan: Plan) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(plan), as: UTF8.self) + "\n"
}

func expectEncoderBytes(_ plan: Plan, _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let expected = try encoderJSON(plan), written = plan.json()
    guard written != expected else { return }
    let index = zip(written.utf8, expected.utf8).prefix { $0 == $1 }.count
    func around(_ text: String) -> String {
        String(decoding: text.utf8.dropFirst(max(0, index - 60)).prefix(120), as: UTF8.self).debugDescription
    }
    Issue.record("\(what): plan.json differs from JSONEncoder's at byte \(index):\nwritten:  \(around(written))\nexpected: \(around(expected))",
                 sourceLocation: sourceLocation)
}

/// `Planner.writeJSON`'s bytes, written as the steps are made, must be the whole plan's `json()`.
func expectStreamedBytes(_ topology: Topology, _ options: PlanOptions, _ what: String,
                         sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    var streamed: [UInt8] = []
    Planner.writeJSON(topology, options: options) { streamed.append(contentsOf: $0) }
    let whole = Array(Planner.plan(topology, options: options).json().utf8)
    guard streamed != whole else { return }
    let index = zip(streamed, whole).prefix { $0 == $1 }.count
    func around(_ bytes: [UInt8]) -> String { String(decoding: bytes.dropFirst(max(0, index - 60)).prefix(120), as: UTF8.self).debugDescription }
    Issue.record("\(what): the streamed plan.json differs from the whole plan's at byte \(index):\nstreamed: \(around(streamed))\nwhole:    \(around(whole))",
                 sourceLocation: sourceLocation)
}

@Suite struct PlanJSONTests {
    static let options = [
        PlanOptions(workDirectory: "out", scriptPath: "s.mesh"),
        PlanOptions(workDirectory: "/w d/\"q\"", scriptPath: "-x.mesh", offlineRemoteSecrets: [DiscoveryLink(source: "c1", target: "c2")],
                    kubeconfig: "/k/kube config.yaml"),
    ]

    @Test func examplesAndGoldenScriptsGiveTheEncodersBytes() throws {
        var compared = 0
        for directory in ["examples", "Tests/MeshDomainTests/Golden"] {
            let root = packageRoot.appendingPathComponent(directory).path
            for name in try FileManager.default.contentsOfDirectory(atPath: root).sorted() where name.hasSuffix(".mesh") {
                let engine = MeshEngine(environment: ["HOME": "/nonexistent"])
                engine.interpreter.output = { _, _ in }
                let result = engine.check(file: root + "/" + name)
                guard !result.hasErrors else { continue }
                for options in Self.options {
                    try expectEncoderBytes(Planner.plan(result.topology, options: options), "\(directory)/\(name)")
                    expectStreamedBytes(result.topology, options, "\(directory)/\(name)")
                    compared += 1
                }
            }
        }
        #expect(compared >= 12, "too few scripts compared: \(compared)")
    }

    @Test func everyKindOfStepAndHostileStrings() throws {
        var plan = try accessPlan(everyKindOfStep, kubeconfig: "/k.yaml", offline: [DiscoveryLink(source: "c1", target: "c3")])
        let odd = "q\"uo\\te/sl\u{1}\u{8}\u{C}\r\t\n\u{1F}\u{7F}\u{85}\u{2028}é😀"
        let kinds: [Plan.Step.Kind] = [
            .intermediateCA, .namespace, .networkLabel(network: odd), .cacerts,
            .controlPlane(.init(meshID: odd, clusterName: nil, network: "n", revision: nil)),
            .controlPlane(.init(meshID: nil, clusterName: nil, network: nil, revision: "1-24")),
            .controlPlane(.init(meshID: "m", clusterName: "c", network: "n", revision: nil, installer: "helm", values: [odd, "a.b=1"])),
            .controlPlane(.init(meshID: nil, clusterName: nil, network: nil, revision: nil, installer: nil, values: [])),
            .waitReady, .eastWestGateway(network: ""), .crossNetworkGateway,
            .remoteSecret(source: "c1", server: nil), .remoteSecret(source: odd, server: "https://[::1]:6443/"),
            .deleteRemoteSecret(name: odd), .deleteEastWestGateway, .host(name: odd),
        ]
        plan.steps += kinds.enumerated().map { index, kind in
            Plan.Step(number: 100 + index, phase: .discover, cluster: odd, title: odd, commands: index % 2 == 0 ? [] : [Plan.Command([odd, ""])],
                      files: index % 3 == 0 ? [] : [odd], note: index % 2 == 0 ? nil : odd, kind: kind)
        }
        plan.access[odd] = ClusterAccess(kubeconfig: nil, context: odd)
        plan.access["C10"] = ClusterAccess(kubeconfig: "", context: "")
        plan.mesh = odd
        plan.hostData = HostDataSet(mesh: ["owner": .string(odd), "tier": .integer(-3)],
                                    networks: ["n2": [:], "n1": ["zones": .list([.string("a"), .list([]), .map([:]), .boolean(false)])]],
                                    clusters: [odd: ["labels": .map(["b": .string("2"), "a": .map(["x": .boolean(true)])]), "": .list([.integer(0)])],
                                               // Numbers whose digits the writer counts: each side of a power of ten, and the ends.
                                               "numbers": ["n": .list([9, 10, 99, 100, 999_999, 1_000_000, -9, -10, Int.max, Int.min].map { .integer($0) })]])
        try expectEncoderBytes(plan, "every kind of step")
        var long = plan
        long.mesh = String(repeating: "a/b", count: 100_000) // plain, and longer than the writer's buffer
        long.workDirectory = String(repeating: "\"\n\u{1}", count: 60_000) // escapes, past the buffer's end
        try expectEncoderBytes(long, "strings longer than the writer's buffer")
        // The writer tests eight bytes at a time, then the rest one by one: each byte that needs
        // an escape (and neighbours that do not) at every place of a word and of the tail.
        for special in ["\"", "\\", "\u{0}", "\u{1}", "\u{1F}", "\n", "\u{7F}", "\u{80}", " ", "é"] {
            for position in 0..<20 {
                var spot = plan
                spot.mesh = String(repeating: "a", count: position) + special + String(repeating: "!", count: 19 - position)
                spot.workDirectory = String(repeating: "~", count: position) + special
                try expectEncoderBytes(spot, "\(special.unicodeScalars.map(\.value)) at \(position)")
            }
        }
        plan.hostData = HostDataSet()
        try expectEncoderBytes(plan, "empty host data")
        plan.steps = []
        plan.links = []
        plan.access = [:]
        plan.clusters = []
        try expectEncoderBytes(plan, "an empty plan")
    }

    /// Rings and partial meshes over several networks, contexts and kubeconfigs, from a seed.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func generatedMeshesGiveTheEncodersBytes(seed: UInt64) throws {
        var random = SplitMix(state: seed)
        let count = Int.random(in: 2...40, using: &random)
        var source = "mesh gen\(seed)\nnetwork n0\nnetwork n1\nnetwork n2\n"
        for index in 0..<count {
            let peers = (0..<index).filter { _ in Bool.random(using: &random) }.prefix(4).map { "c\($0)" }
            let discover = peers.isEmpty ? "" : "; discover with \(peers.joined(separator: ", "))"
            let install = "install network n\(Int.random(in: 0...2, using: &random))"
            source += "cluster c\(index) < context \"ctx-\(count - index)\"; trust from root; \(install)\(discover) >\n"
        }
        let checked = check(source)
        try #require(checked.errors.isEmpty, "generated script has errors:\n\(checked.rendered)\n\(source)")
        for options in Self.options {
            try expectEncoderBytes(Planner.plan(checked.topology, options: options), "seed \(seed)")
            expectStreamedBytes(checked.topology, options, "seed \(seed)")
        }
    }

    /// The streamed steps are written from their parts (`JSONSteps`): every kind of step the
    /// planner makes, with a work directory, script path, kubeconfig and contexts that need
    /// escapes or are longer than the writer's buffer, gives the whole plan's bytes.
    @Test func streamedStepsWithStringsThatNeedEscapes() throws {
        let sources = [
            // Helm, across networks, a primary with remotes (its server named) and a remote.
            """
            mesh m < installer helm; istio "1.24" >
            network n1
            network n2
            cluster p0 < context "c\\"q\\\\b"; trust from root; install network n1; server "https://10.1.2.3:6443" >
            cluster r1 < context "r\\ttab"; install remote of p0 network n2 >
            cluster p2 < trust from root; install network n2 revision "canary"; discover with p0 >
            """,
            // An old release: `istioctl manifest apply`, `istioctl x create-remote-secret`.
            """
            mesh m < istio "1.6" >
            network n1
            cluster a < trust from root; install network n1 >
            cluster b < trust from root; install network n1; discover with a >
            """,
            // istioctl, ambient across networks.
            """
            mesh m
            network n1
            network n2
            cluster a < trust from root; install network n1 profile "ambient" >
            cluster b < trust from root; install network n2 profile "ambient"; discover with a >
            cluster c < trust from root; install network n1 profile "ambient"; discover with a, b >
            """,
        ]
        let long = String(repeating: "long/", count: 1_000)
        let odd = [
            PlanOptions(workDirectory: "w\"d\\\n\u{1}é", scriptPath: "-s\"\t.mesh", offlineRemoteSecrets: [DiscoveryLink(source: "a", target: "b")],
                        kubeconfig: "/k/\"kube\"\nconfig"),
            PlanOptions(workDirectory: long, scriptPath: long + "s.mesh", kubeconfig: long),
            PlanOptions(workDirectory: long + "\"", scriptPath: "s.mesh", kubeconfig: "\u{7F}" + long + "\\"),
        ]
        var planned = 0
        for source in sources {
            let checked = check(source)
            try #require(checked.errors.isEmpty, "\(checked.rendered)\n\(source)")
            for options in Self.options + odd {
                try expectEncoderBytes(Planner.plan(checked.topology, options: options), source)
                expectStreamedBytes(checked.topology, options, source)
                planned += Planner.plan(checked.topology, options: options).steps.count
            }
        }
        #expect(planned > 100, "too few steps compared: \(planned)")
    }

    /// The benchmark's meshes (scripts/bench's ring and full mesh), primaries with remotes on two
    /// networks, and a host's hook (which makes the whole plan first): streamed, the same bytes.
    @Test func aStreamedPlanIsTheWholePlan() throws {
        func ring(_ count: Int) -> String {
            "mesh m\nnetwork n\n" + (0..<count).map { "cluster c\($0) < context \"ctx-\($0)\"; trust from root; install network n; discover with c\(($0 + count - 1) % count) >\n" }.joined()
        }
        func fullMesh(_ count: Int) -> String {
            "mesh m\nnetwork n\n" + (0..<count).map { index in
                let discover = index == 0 ? "" : "; discover with " + (0..<index).map { "c\($0)" }.joined(separator: ", ")
                return "cluster c\(index) < context \"ctx-\(index)\"; trust from root; install network n\(discover) >\n"
            }.joined()
        }
        let remotes = "mesh m\nnetwork n1\nnetwork n2\n" + (0..<6).map { index in
            index % 3 == 0 ? "cluster p\(index) < trust from root; install network n\(index % 2 + 1)\(index == 0 ? "" : "; discover with p0") >\n"
                : "cluster r\(index) < install remote of p\(index / 3 * 3) network n\(index % 2 + 1) >\n"
        }.joined()
        let hook: PlanHook = { plan, _ in
            plan.steps.append(Plan.Step(number: plan.steps.count + 1, phase: .install, cluster: "c0", title: "label", commands: [], files: [],
                                        note: nil, kind: .host(name: "label")))
        }
        var hooked = Self.options[0]
        hooked.hooks = [hook]
        for (what, source) in [("ring 300", ring(300)), ("full mesh 12", fullMesh(12)), ("primaries with remotes", remotes)] {
            let checked = check(source)
            try #require(checked.errors.isEmpty, "\(what) has errors:\n\(checked.rendered)")
            for options in Self.options + [hooked] { expectStreamedBytes(checked.topology, options, what) }
        }
    }
}
