// Renders the trust part of WORK_DIR: the root CA, one intermediate per cluster, and each
// cluster's cacerts files and Secret manifest, in the layout Istio's docs and Makefile use.
//
// Three phases, so that nothing is ever lost or half-written:
//   1. survey (read-only): decide reuse / copy / issue for everything, collect all problems;
//   2. issuance (memory only): generate keys (in parallel) and sign certificates;
//   3. writing: stage changed files as temporaries, then rename them all into place.
// A second render with the same request finds everything right and writes nothing.

import Foundation

public struct TrustRenderer: Sendable {
    public init() {}

    public func render(_ request: TrustRequest, progress: (@Sendable (TrustProgress) -> Void)? = nil) throws(TrustError) -> TrustReport {
        let survey = try TrustSurvey.take(request)
        let root = try Issuance.root(survey.root, now: request.now, keyPath: survey.rootKeyPath, progress: progress)

        var intermediates: [String: IntermediateCA] = [:]
        var toIssue: [String] = []
        for (cluster, plan) in survey.clusters {
            switch plan {
            case .reuse(let intermediate): intermediates[cluster] = intermediate
            case .issue: toIssue.append(cluster)
            }
        }
        let issued = try Issuance.intermediates(
            for: toIssue, root: root, now: request.now, workDirectory: request.workDirectory, progress: progress
        )
        intermediates.merge(issued) { _, new in new }

        let planned = Self.files(workDirectory: request.workDirectory, root: root, intermediates: request.clusters.map { intermediates[$0]! })
        let written = try TrustWriter.write(
            planned, existing: survey.existing, directories: survey.directoriesToCreate, progress: progress
        )
        return TrustReport(
            files: written.files,
            rootCertificate: survey.rootCertificatePath,
            rootKey: survey.rootKeyPath,
            rootFingerprint: root.fingerprint,
            rootKeyAlgorithm: root.keyAlgorithm,
            clusters: Dictionary(uniqueKeysWithValues: request.clusters.map { ($0, TrustReport.ClusterFiles(workDirectory: request.workDirectory, cluster: $0)) }),
            notes: survey.notes + written.notes
        )
    }

    /// Every file of the layout with its exact bytes and mode, root first. Pure.
    static func files(workDirectory: String, root: RootCA, intermediates: [IntermediateCA]) -> [PlannedFile] {
        var files = [
            PlannedFile(path: TrustLayout.join(workDirectory, TrustLayout.rootKey), data: root.keyPEM, mode: TrustWriter.secretMode),
            PlannedFile(path: TrustLayout.join(workDirectory, TrustLayout.rootCert), data: root.certificatePEM, mode: TrustWriter.publicMode),
        ]
        for intermediate in intermediates {
            let paths = TrustReport.ClusterFiles(workDirectory: workDirectory, cluster: intermediate.cluster)
            // Istio's Makefile: `cat ca-cert.pem root-cert.pem > cert-chain.pem`. A newline is added
            // only if a reused ca-cert.pem lacks its final one, so the two PEM blocks stay apart.
            let chain = endingWithNewline(intermediate.certificatePEM) + root.certificatePEM
            files += [
                PlannedFile(path: paths.caKey, data: intermediate.keyPEM, mode: TrustWriter.secretMode),
                PlannedFile(path: paths.caCert, data: intermediate.certificatePEM, mode: TrustWriter.publicMode),
                PlannedFile(path: paths.rootCert, data: root.certificatePEM, mode: TrustWriter.publicMode),
                PlannedFile(path: paths.certChain, data: chain, mode: TrustWriter.publicMode),
                PlannedFile(
                    path: paths.cacertsSecret,
                    data: Data(
                        CacertsSecret.manifest(
                            caCert: intermediate.certificatePEM, caKey: intermediate.keyPEM, rootCert: root.certificatePEM, certChain: chain
                        ).utf8
                    ),
                    mode: TrustWriter.secretMode
                ),
            ]
        }
        return files
    }

    private static func endingWithNewline(_ data: Data) -> Data {
        data.last == UInt8(ascii: "\n") ? data : data + Data("\n".utf8)
    }
}
