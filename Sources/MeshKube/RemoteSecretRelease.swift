// What `istioctl create-remote-secret` and the charts it renders do differently from one Istio
// release to the next, as small predicates over the release's minor number, so that the remote
// secret and the reader account MeshScript writes are the ones the targeted release's istioctl
// would produce. Facts from istio/istio: istioctl/pkg/multicluster/remote_secret.go and its test,
// manifests/charts/{base,istio-control/istio-discovery}/templates/reader-*.yaml, per release tag.

/// The Istio release a remote secret is written for, by minor number (`1.28` is 28).
public struct RemoteSecretRelease: Sendable, Hashable {
    /// The newest release these predicates know (what `istio "current"` means here).
    public static let newestKnownMinor = 30

    /// The `1.N` minor number.
    public var minor: Int

    /// The release `1.minor`.
    public init(minor: Int) { self.minor = minor }

    /// The release a script's `istio` label names: `current`/`latest` is the newest known
    /// release, `1.6`/`1.6.x` is 1.6, `1.N[.P]` is 1.N; nil for anything else.
    public init?(label: String) {
        if label == "current" || label == "latest" {
            self.init(minor: Self.newestKnownMinor)
            return
        }
        let parts = label.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "1", let minor = Int(parts[1]), minor >= 0,
              parts.dropFirst(2).allSatisfy({ $0 == "x" || Int($0) != nil }) else { return nil }
        self.init(minor: minor)
    }

    /// `istioctl create-remote-secret --tls-server-name` exists, and the embedded kubeconfig's
    /// cluster carries `tls-server-name` (istio/istio#55692, first released in 1.26).
    public var supportsTLSServerName: Bool { minor >= 26 }

    /// The printed Secret has no `creationTimestamp: null` and its kubeconfig no
    /// `preferences: {}`: from 1.28 istioctl is built with Kubernetes 1.34's libraries, whose
    /// encoders omit both (remote_secret_test.go's expectations changed in 1.28.0).
    public var omitsEmptyFields: Bool { minor >= 28 }

    /// The reader ClusterRole lets the reader read ConfigMaps as well as Secrets: in 1.26.x
    /// (#56120) and from 1.29 on (#58455, istiod watches meshConfig in remote clusters), not in
    /// 1.27 and 1.28 (#56838 stopped reading them before 1.27).
    public var readerRoleReadsConfigMaps: Bool { minor == 26 || minor >= 29 }

    /// MeshScript writes the reader account's manifests and fetches its token itself: the
    /// charts' reader resources have the form ``ReaderAccount`` encodes from 1.24 on (the
    /// `app.kubernetes.io` labels, `istiodRemote`), and istioctl has used a token Secret since
    /// 1.14. Older releases keep `istioctl create-remote-secret`.
    public var mintsReaderToken: Bool { minor >= 24 }
}
