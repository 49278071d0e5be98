// The Helm values files of each chart and the IstioOperator with overlays, against golden files
// written by hand (Tests/MeshKubeTests/Golden), and field by field against what Istio's Helm
// multicluster guide sets for the same inputs:
//   helm install istio-base istio/base -n istio-system
//   helm install istiod istio/istiod -n istio-system --set global.meshID=mesh1
//     --set global.multiCluster.clusterName=cluster1 --set global.network=network1
//   helm install istio-eastwestgateway istio/gateway -n istio-system
//     --set name=istio-eastwestgateway --set networkGateway=network1
import Foundation
import Testing

@testable import MeshKube

@Suite struct HelmValuesTests {
    static func golden(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/" + name)
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The values `helm --set a.b=v ...` gives (strings only, as the guide's are), as YAML text.
    static func guideValues(_ sets: [String]) -> String {
        var tree = ValueTree.empty
        for set in sets {
            let parts = set.split(separator: "=", maxSplits: 1).map(String.init)
            tree = tree.merging(.at(parts[0].split(separator: ".").map(String.init), .string(parts[1])))
        }
        return tree.yaml
    }

    static let spec = InstallSpec(mesh: "mesh1", cluster: "cluster1", network: "network1")

    @Test func baseIsTheChartDefaults() throws {
        #expect(HelmValues.base(Self.spec).yaml == (try Self.golden("helm-base-values.yaml")))
        expectSameYAML(HelmValues.base(Self.spec).yaml, Self.guideValues([]))
    }

    @Test func istiodSetsWhatTheGuideSets() throws {
        let yaml = HelmValues.istiod(Self.spec).yaml
        #expect(yaml == (try Self.golden("helm-istiod-values.yaml")))
        expectSameYAML(yaml, Self.guideValues(["global.meshID=mesh1", "global.multiCluster.clusterName=cluster1", "global.network=network1"]))
    }

    @Test func eastWestGatewaySetsWhatTheGuideSets() throws {
        let yaml = HelmValues.eastWestGateway(network: "network1", revision: nil).yaml
        #expect(yaml == (try Self.golden("helm-eastwest-gateway-values.yaml")))
        expectSameYAML(yaml, Self.guideValues(["name=istio-eastwestgateway", "networkGateway=network1"]))
        // The chart's `istio` label is the name without `istio-`: what the cross-network Gateway selects.
        #expect(HelmValues.eastWestGatewayName.dropFirst("istio-".count) == "eastwestgateway")
        expectSameYAML(HelmValues.eastWestGateway(network: "network1", revision: "1-24").yaml,
                       Self.guideValues(["name=istio-eastwestgateway", "networkGateway=network1", "revision=1-24"]))
    }

    /// A file, then single values in statement order: the later value wins, keys keep their first place.
    static func overlaidSpec() throws -> InstallSpec {
        var overlay = try ValuesFile.parse(try golden("overlay.yaml"))
        overlay = overlay.merging(.at(["pilot", "env", "PILOT_TRACE_SAMPLING"], .string("1.0")))
        overlay = overlay.merging(.at(["pilot", "env", "ENABLE_NATIVE_SIDECARS"], .boolean(true)))
        overlay = overlay.merging(.at(["pilot", "autoscaleMin"], .integer(2)))
        overlay = overlay.merging(.at(["global", "proxy", "logLevel"], .string("debug")))
        return InstallSpec(mesh: "mesh1", cluster: "cluster1", network: "network1", revision: "1-24", profile: "demo", overlay: overlay)
    }

    /// The chart has no `default` or `minimal` profile (they are its defaults): none is written.
    @Test func theChartsProfiles() {
        for profile in ["default", "minimal"] {
            let spec = InstallSpec(mesh: "mesh1", cluster: "cluster1", network: "network1", profile: profile)
            #expect(HelmValues.istiod(spec) == HelmValues.istiod(Self.spec))
            #expect(IstioOperatorManifest.install(spec).contains("profile: \(profile)"))
        }
        let remote = InstallSpec(mesh: "mesh1", cluster: "cluster1", network: "network1", profile: "remote")
        #expect(HelmValues.istiod(remote).yaml.hasPrefix("profile: remote\n"))
    }

    @Test func istiodWithOverlays() throws {
        let yaml = HelmValues.istiod(try Self.overlaidSpec()).yaml
        #expect(yaml == (try Self.golden("helm-istiod-values-overlays.yaml")))
    }

    @Test func istioOperatorWithOverlays() throws {
        let yaml = IstioOperatorManifest.install(try Self.overlaidSpec())
        #expect(yaml == (try Self.golden("install-overlays.yaml")))
        // The same values as the Helm chart gets: spec.values is the istiod chart's values.
        let helm = YAMLValue(yaml: HelmValues.istiod(try Self.overlaidSpec()).yaml)
        guard case .map(var chart) = helm else { Issue.record("not a mapping"); return }
        chart["profile"] = nil
        chart["revision"] = nil
        #expect(YAMLValue(yaml: yaml)["spec"]?["values"] == .map(chart))
    }

    @Test func overlayFileTypes() throws {
        let tree = try ValuesFile.parse("a: 1\nb: true\nc: \"1\"\nd: 0.5\ne: ~\nf: [x, 2]\n")
        #expect(tree == .map([.init("a", .integer(1)), .init("b", .boolean(true)), .init("c", .string("1")), .init("d", .float("0.5")),
                              .init("e", .null), .init("f", .list([.string("x"), .integer(2)]))]))
        #expect(try ValuesFile.parse("") == .empty)
        #expect(try ValuesFile.parse("# only a comment\n") == .empty)
        #expect(throws: ValuesFileError.self) { try ValuesFile.parse("- a\n") }
        #expect(throws: ValuesFileError.self) { try ValuesFile.parse("just text\n") }
        #expect(throws: ValuesFileError.self) { try ValuesFile.parse("a: [\n") }
        // Deep flow nesting is refused before libyaml spends minutes on it.
        let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        #expect(throws: ValuesFileError(message: "nests '[' and '{' more than 100 deep")) { try ValuesFile.parse("a: " + deep + "\n") }
        #expect(try ValuesFile.parse("a: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n") != .empty)
    }

    @Test func mergeAndLeaves() {
        let base = ValueTree.map([.init("a", .map([.init("b", .integer(1)), .init("c", .integer(2))]))])
        let merged = base.merging(.at(["a", "b"], .string("x"))).merging(.at(["d"], .list([.integer(1)])))
        #expect(merged.leaves.map { $0.path.joined(separator: ".") + "=" + $0.value.flowText } == ["a.b=x", "a.c=2", "d=[1]"])
        // A scalar replaces a mapping whole, as Helm does.
        #expect(merged.merging(.at(["a"], .string("y"))).leaves.map(\.path) == [["a"], ["d"]])
        #expect(ValueTree.string("1.0").flowText == "\"1.0\"")
        #expect(ValueTree.string("a b").flowText == "a b")
        #expect(ValueTree.string("x\ny").flowText == "\"x\\ny\"")
    }
}

/// Primary-remote with Helm, against Istio's Helm primary-remote guide (1.24 on: the istiod chart's
/// `remote` profile): the primary's charts get `--set global.externalIstiod=true`, the remote's
/// `base` and `istiod` charts `profile=remote`, and istiod the cluster, network and injection path.
@Suite struct HelmPrimaryRemoteValuesTests {
    @Test func thePrimarysBaseCarriesExternalIstiodAsItsIstiodDoes() {
        var spec = HelmValuesTests.spec
        spec.overlay = PrimaryRemoteValues.primary(globalExternalIstiod: true)
        expectSameYAML(HelmValues.base(spec).yaml, HelmValuesTests.guideValues([]).replacingOccurrences(of: "{}", with: "global:\n  externalIstiod: true"))
        #expect(YAMLValue(yaml: HelmValues.istiod(spec).yaml) == YAMLValue(yaml: """
            global:
              meshID: mesh1
              multiCluster:
                clusterName: cluster1
              network: network1
              externalIstiod: true
            """))
        // Without remotes, base stays the chart's defaults.
        #expect(HelmValues.base(HelmValuesTests.spec).yaml == "{}\n")
    }

    @Test(arguments: ["network1", "network2"])
    func theRemotesChartsAreTheGuides(network: String) {
        expectSameYAML(HelmValues.remoteBase.yaml, HelmValuesTests.guideValues(["profile=remote"]))
        expectSameYAML(HelmValues.remoteIstiod(cluster: "cluster2", network: network, overlay: .empty).yaml,
                       HelmValuesTests.guideValues(["profile=remote", "global.multiCluster.clusterName=cluster2", "global.network=\(network)",
                                                    "istiodRemote.injectionPath=/inject/cluster/cluster2/net/\(network)"]))
        // A remote's own overlay is merged last.
        let overlaid = HelmValues.remoteIstiod(cluster: "cluster2", network: network, overlay: .at(["global", "logging", "level"], .string("all:debug")))
        #expect(overlaid.leaves.contains { $0.path == ["global", "logging", "level"] && $0.value == .string("all:debug") })
    }
}
