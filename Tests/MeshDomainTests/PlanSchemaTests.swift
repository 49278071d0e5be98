// The plan's JSON Schema (schema/plan.schema.json) against the plan's own form: it is the
// schema of the formatVersion plans carry, it requires exactly the members a plan has, and a
// plan holding every kind of step (the live plans' delete kinds and every optional member
// included) fits it. The CLI tests check the plans of the examples and of generated meshes.
import Foundation
import MeshTestSupport
import Testing

import MeshDomain

@Suite struct PlanSchemaTests {
    static func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: planSchemaPath))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func object(_ value: Any?, _ path: String...) -> [String: Any]? {
        path.reduce(value as? [String: Any]) { $0?[$1] as? [String: Any] }
    }

    @Test func theSchemaIsTheOneOfTheVersionPlansCarry() throws {
        let schema = try Self.schema()
        #expect(Self.object(schema, "properties", "formatVersion")?["const"] as? Int == Plan.currentFormatVersion)
        #expect(schema["$id"] as? String == "urn:meshscript:plan:\(Plan.currentFormatVersion)")
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        let plan = try accessPlan(everyKindOfStep, kubeconfig: nil)
        #expect(plan.formatVersion == Plan.currentFormatVersion)
        let text = plan.json()
        #expect(text.contains("\n  \"clusters\" : [\n    \"c1\",\n    \"c2\",\n    \"c3\"\n  ],\n  \"formatVersion\" : 1,\n  \"istio\" : "), "\(text)")
        // The schema requires every member a plan has, and allows no other.
        let members = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]).keys
        #expect(Set(schema["required"] as? [String] ?? []) == Set(members))
        // The optional members: `gitops` with the mesh block's `gitops`, `hostData` when a host stored any.
        #expect(Set(Self.object(schema, "properties")?.keys.map { $0 } ?? []) == Set(members).union(["gitops", "hostData"]))
        #expect(schema["additionalProperties"] as? Bool == false)
    }

    /// The member naming `kind` in plan.json. Exhaustive: a new kind of step does not compile
    /// until it is named here, and ``kinds`` and the schema must then hold it too.
    static func name(_ kind: Plan.Step.Kind) -> String {
        switch kind {
        case .intermediateCA: "intermediateCA"
        case .namespace: "namespace"
        case .networkLabel: "networkLabel"
        case .cacerts: "cacerts"
        case .controlPlane: "controlPlane"
        case .waitReady: "waitReady"
        case .eastWestGateway: "eastWestGateway"
        case .crossNetworkGateway: "crossNetworkGateway"
        case .remoteSecret: "remoteSecret"
        case .controlPlaneClusters: "controlPlaneClusters"
        case .exposeIstiod: "exposeIstiod"
        case .gatewayAPICRDs: "gatewayAPICRDs"
        case .discoveryAddress: "discoveryAddress"
        case .remoteControlPlane: "remoteControlPlane"
        case .deleteRemoteSecret: "deleteRemoteSecret"
        case .deleteEastWestGateway: "deleteEastWestGateway"
        case .deleteExposeIstiod: "deleteExposeIstiod"
        case .host: "host"
        }
    }

    /// Every kind of step, each optional value both given and left out.
    static let kinds: [Plan.Step.Kind] = [
        .intermediateCA, .namespace, .networkLabel(network: "n1"), .cacerts,
        .controlPlane(.init(meshID: nil, clusterName: nil, network: nil, revision: nil)),
        .controlPlane(.init(meshID: "mesh1", clusterName: "c1", network: "n1", revision: "1-24", installer: "helm",
                            values: ["pilot.autoscaleMin=2", "pilot.env.X=\"y\""])),
        .waitReady, .eastWestGateway(network: "n2"), .crossNetworkGateway,
        .remoteSecret(source: "c2", server: nil), .remoteSecret(source: "c2", server: "https://10.0.0.1:6443"),
        .controlPlaneClusters(primary: "c1"), .exposeIstiod, .gatewayAPICRDs(version: "v1.4.0"), .discoveryAddress,
        .remoteControlPlane(primary: "c1", network: nil), .remoteControlPlane(primary: "c1", network: "n2"),
        .deleteRemoteSecret(name: "istio-remote-secret-c9"), .deleteEastWestGateway, .deleteExposeIstiod, .host(name: "label"),
    ]

    @Test func everyKindOfStepFitsTheSchema() throws {
        var plan = try accessPlan(everyKindOfStep, kubeconfig: "/k/kube.yaml", offline: [DiscoveryLink(source: "c1", target: "c3")])
        let first = plan.steps.count + 1
        plan.steps += Self.kinds.enumerated().map { index, kind in
            Plan.Step(number: first + index, phase: [.trust, .install, .discover][index % 3], cluster: "c1", title: "step \(index)",
                      commands: index % 2 == 0 ? [] : [Plan.Command(pipeline: [["kubectl", "get", "ns"], ["cat"]])],
                      files: index % 3 == 0 ? [] : ["out/c1/f.yaml"], note: index % 2 == 0 ? nil : "a note", kind: kind,
                      output: index % 4 == 0 ? "DISCOVERY_ADDRESS_C1" : nil)
        }
        plan.hostData = HostDataSet(mesh: ["owner": .string("platform")], networks: ["n1": ["zones": .list([.string("a"), .integer(2)])]],
                                    clusters: ["c1": ["labels": .map(["team": .string("mesh"), "pci": .boolean(true)])]])
        let schemaKinds = Set(Self.object(try Self.schema(), "$defs", "kind", "properties")?.keys.map { $0 } ?? [])
        #expect(Set(Self.kinds.map(Self.name)) == schemaKinds)
        // The names above are the members plan.json writes.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.json().utf8)) as? [String: Any])
        let written = (json["steps"] as? [[String: Any]] ?? []).suffix(Self.kinds.count).map { ($0["kind"] as? [String: Any])?.keys.first }
        #expect(written == Self.kinds.map(Self.name))

        let scratch = try Scratch()
        defer { scratch.remove() }
        let run = try checkPlanSchema([try scratch.write("plan.json", plan.json())])
        #expect(run.status == 0, "\(run)")
    }
}
