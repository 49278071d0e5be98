// Which command forms and API versions each Istio release uses: ONE table, read by the planner
// (commands), the renderer (files), the validator (profiles, what a release supports) and the
// live planner. Nothing else decides a form by release.
//
// Each fact is from Istio's own source at the release's `X.Y.0` tag (the mirror's tags), cited
// at the field. Adding a field (Helm charts, ambient multicluster, `--tls-server-name`, a new
// remote secret shape, ...):
//   1. declare it in `IstioForms` with a `///` comment, its source, and as its default the
//      value of the OLDEST release (1.6), so the rows that do not mention it keep compiling;
//   2. pass it in the rows from the first release where it differs (the synthesized
//      initializer takes the fields in declaration order); if that release falls
//      inside a row's range, split the row in two (the ranges must stay contiguous, which
//      `IstioReleasesTests` checks);
//   3. read it through `topology.forms` (MeshDomain) or the `IstioForms` a function is given,
//      and test the new gate at both ends, through `plan`/`render` output.

/// An Istio minor release, `MAJOR.MINOR` (patch releases do not change the forms).
public struct IstioRelease: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// `1` in `1.22`.
    public var major: Int
    /// `22` in `1.22`.
    public var minor: Int

    /// The release `major.minor`.
    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// `"1.22"`, `"1.22.3"` or `"1.22.x"`; nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        func number(_ part: Substring) -> Int? { !part.isEmpty && part.allSatisfy { ("0"..."9").contains($0) } ? Int(part) : nil }
        guard (2...3).contains(parts.count), let major = number(parts[0]), let minor = number(parts[1]),
              parts.count == 2 || parts[2] == "x" || number(parts[2]) != nil
        else { return nil }
        self.init(major, minor)
    }

    /// `1.22`.
    public var description: String { "\(major).\(minor)" }

    /// Ordered by major, then minor.
    public static func < (a: IstioRelease, b: IstioRelease) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
}

/// How `istioctl` installs a control plane from an IstioOperator file.
public enum IstioInstallCommand: Sendable, Hashable {
    /// `istioctl manifest apply -f FILE` (1.6; `istioctl install` replaced it in 1.7).
    case manifestApply
    /// `istioctl install -f FILE -y`.
    case install
}

/// The forms of one range of Istio releases: one row of ``IstioReleases/table``.
public struct IstioForms: Sendable, Hashable {
    /// The releases this row covers, oldest to newest.
    public var releases: ClosedRange<IstioRelease>

    /// How the control plane is installed. `manifest apply` only in 1.6 (1.7.0's
    /// `operator/cmd/mesh/manifest.go` has `generate`, `diff` and `install`, no `apply`).
    public var installCommand: IstioInstallCommand = .manifestApply

    /// The istioctl words before the remote secret's flags. Under `x` (experimental) until
    /// 1.11; 1.12.0's `istioctl/cmd/root.go` adds `create-remote-secret` to the root command
    /// too ("leave the multicluster commands in x for backwards compat").
    public var createRemoteSecret: [String] = ["x", "create-remote-secret"]

    /// `values.global.meshExpansion.enabled` in install.yaml: the seed's 1.6 form, accepted
    /// until 1.8 (1.9.0's operator validation lists it as removed, pointing at
    /// `samples/multicluster/`).
    public var meshExpansion = true

    /// The seed document's `values.global.meshNetworks` (one network, reached through
    /// istio-ingressgateway:443): written only with the 1.6 form.
    public var seedMeshNetworks = true

    /// Cross-network links: the east-west gateway (`samples/multicluster/gen-eastwest-gateway.sh`)
    /// and the cross-network Gateway (`samples/multicluster/expose-services.yaml`), which
    /// first ship in 1.8.0. Before, clusters of a multi-network mesh cannot be linked.
    public var eastWestGateway = false

    /// The east-west gateway's `ISTIO_META_ROUTER_MODE=sni-dnat`, which
    /// `gen-eastwest-gateway.sh` sets from 1.8 to 1.11 ("not required in Istio 1.11+";
    /// 1.12.0's script drops it).
    public var eastWestGatewaySNIDNAT = true

    /// `values.gateways.istio-ingressgateway.injectionTemplate: gateway` in the east-west
    /// gateway: the gateway is injected (first in 1.11.0's `gen-eastwest-gateway.sh`).
    public var eastWestGatewayInjectionTemplate = false

    /// The east-west gateway's `values.global.meshID` and `multiCluster.clusterName` (with
    /// `network`): written by `gen-eastwest-gateway.sh` until 1.11; from 1.12 its `--mesh`
    /// and `--cluster` "No longer does anything" (the injector supplies them).
    public var eastWestGatewayMeshValues = true

    /// The names of the east-west gateway's ports 15443, 15012 and 15017: 1.8.0's script
    /// has `mtls`, `tcp-istiod`, `tcp-webhook`; 1.9.0's `tls`, `tls-istiod`, `tls-webhook`.
    public var eastWestGatewayPortNames = ["mtls", "tcp-istiod", "tcp-webhook"]

    /// The `topology.istio.io/network` label on istio-system, which istiod reads as the
    /// cluster's default network from 1.10.
    public var namespaceNetworkLabel = false

    /// The `apiVersion` of the cross-network Gateway: `networking.istio.io/v1` is served
    /// from 1.22 (v1beta1 before).
    public var gatewayAPIVersion = "networking.istio.io/v1beta1"

    /// Istio's primary-remote model: an istiod that serves remote clusters through its east-west
    /// gateway (`EXTERNAL_ISTIOD`, `samples/multicluster/expose-istiod.yaml`), from 1.8.
    public var primaryRemote = false

    /// Whether a primary with remotes turns EXTERNAL_ISTIOD on with `values.global.externalIstiod`
    /// (the istiod chart reads it from 1.24); before, the guide sets `values.pilot.env.EXTERNAL_ISTIOD`.
    public var externalIstiodInGlobal = false

    /// The reader service account's token Secret, which MeshScript mints the way istioctl does
    /// (`istio-reader-service-account-istio-remote-secret-token`, type service-account-token),
    /// in the form the charts and istioctl have from 1.24.
    public var mintsReaderToken = false

    /// `tls-server-name` in the remote secret's kubeconfig, copied from the source's kubeconfig
    /// cluster: istioctl's `--tls-server-name` (#55692), from 1.26.
    public var remoteSecretTLSServerName = false

    /// The remote secret without `creationTimestamp: null` and the kubeconfig's `preferences: {}`:
    /// istioctl's own test expectations drop both in 1.28.0.
    public var remoteSecretOmitsEmptyFields = false

    /// Whether the reader ClusterRole also reads ConfigMaps: added in 1.26 (#56120), removed in
    /// 1.27 (#56838), back from 1.29 (#58455).
    public var readerRoleReadsConfigMaps = false

    /// Ambient multicluster (alpha from 1.27): multi-primary on several networks, istiod's
    /// `AMBIENT_ENABLE_MULTI_NETWORK`, and the double-HBONE east-west Gateway of
    /// `gen-eastwest-gateway.sh --ambient`.
    public var ambientMulticluster = false

    /// The Gateway API release whose CRDs ambient multicluster needs first (the guide's
    /// `kubectl kustomize github.com/kubernetes-sigs/gateway-api/config/crd?ref=vX`): the
    /// `sigs.k8s.io/gateway-api` version in the release's go.mod (1.27.0: v1.3.0, 1.28.0 and
    /// 1.29.0: v1.4.0, 1.30.0: v1.5.1).
    public var gatewayAPICRDs = "v1.3.0"

    /// A remote installed with Helm through the istiod chart's `profile: remote` (with `base` on
    /// the same profile): the `istiod-remote` chart gave way to it in 1.24 (#53294).
    public var helmRemoteProfile = false

    /// Istio's Helm charts (`base`, `istiod`, `gateway`) from its chart repository
    /// (`https://istio-release.storage.googleapis.com/charts`), which the Helm install guide
    /// uses from 1.12 (the `gateway` chart first ships in 1.12.0's `manifests/charts`).
    public var helmCharts = false

    /// The profiles `istioctl install` knows: the files of `manifests/profiles/` at the
    /// release's `.0` tag.
    public var profiles: [String] = ["default", "demo", "empty", "minimal", "preview", "remote"]

    /// Whether this row covers `release`.
    public func contains(_ release: IstioRelease) -> Bool { releases.contains(release) }
}

/// The table of Istio releases MeshScript produces artifacts for.
public enum IstioReleases {
    private static func r(_ minor: Int) -> IstioRelease { IstioRelease(1, minor) }

    /// One row per range of releases with the same forms, oldest first, contiguous. Each row is
    /// the previous one with what changed at its first release, so a row names only its news.
    public static let table: [IstioForms] = {
        var rows = [IstioForms(releases: r(6)...r(6))]
        func next(_ releases: ClosedRange<IstioRelease>, _ change: (inout IstioForms) -> Void) {
            var row = rows[rows.count - 1]
            row.releases = releases
            change(&row)
            rows.append(row)
        }
        next(r(7)...r(7)) { $0.installCommand = .install; $0.seedMeshNetworks = false }
        next(r(8)...r(8)) {
            $0.eastWestGateway = true
            $0.primaryRemote = true
            $0.profiles = ["default", "demo", "empty", "minimal", "openshift", "preview", "remote"]
        }
        next(r(9)...r(9)) { $0.meshExpansion = false; $0.eastWestGatewayPortNames = tlsPorts }
        next(r(10)...r(10)) {
            $0.namespaceNetworkLabel = true
            $0.profiles = ["default", "demo", "empty", "external", "minimal", "openshift", "preview", "remote"]
        }
        next(r(11)...r(11)) { $0.eastWestGatewayInjectionTemplate = true }
        next(r(12)...r(14)) {
            $0.createRemoteSecret = ["create-remote-secret"]
            $0.helmCharts = true
            $0.eastWestGatewaySNIDNAT = false
            $0.eastWestGatewayMeshValues = false
        }
        // 1.15.0 shipped without manifests/profiles/remote.yaml (1.16 brought it back).
        next(r(15)...r(15)) { $0.profiles.removeAll { $0 == "remote" } }
        next(r(16)...r(21)) { $0.profiles = ["ambient", "default", "demo", "empty", "external", "minimal", "openshift", "preview", "remote"] }
        next(r(22)...r(23)) {
            $0.gatewayAPIVersion = "networking.istio.io/v1"
            $0.profiles = ["ambient", "default", "demo", "empty", "minimal", "openshift", "openshift-ambient", "preview", "remote", "stable"]
        }
        next(r(24)...r(25)) { $0.externalIstiodInGlobal = true; $0.mintsReaderToken = true; $0.helmRemoteProfile = true }
        next(r(26)...r(26)) { $0.remoteSecretTLSServerName = true; $0.readerRoleReadsConfigMaps = true }
        next(r(27)...r(27)) { $0.readerRoleReadsConfigMaps = false; $0.ambientMulticluster = true }
        next(r(28)...r(28)) { $0.remoteSecretOmitsEmptyFields = true; $0.gatewayAPICRDs = "v1.4.0" }
        next(r(29)...r(29)) { $0.readerRoleReadsConfigMaps = true }
        next(r(30)...r(30)) { $0.gatewayAPICRDs = "v1.5.1" }
        return rows
    }()

    private static let tlsPorts = ["tls", "tls-istiod", "tls-webhook"]

    /// The oldest release MeshScript supports (the seed document's).
    public static var oldest: IstioRelease { table[0].releases.lowerBound }
    /// The newest release the table knows: the target when a script names none.
    public static var newest: IstioRelease { table[table.count - 1].releases.upperBound }

    /// The forms for `release`: its row, or the newest row for a release newer than the table
    /// (the validator warns about it); nil for a release older than ``oldest``.
    public static func forms(for release: IstioRelease) -> IstioForms? {
        if release > newest { return table[table.count - 1] }
        return table.first { $0.contains(release) }
    }

    /// Every Gateway `apiVersion` some release uses, to recognise a file an earlier render wrote.
    public static var gatewayAPIVersions: [String] {
        table.map(\.gatewayAPIVersion).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }
}
