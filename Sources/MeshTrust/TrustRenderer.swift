// Renders the trust part of WORK_DIR: the root CA, one intermediate per cluster, and each
// cluster's cacerts files and Secret manifest, in the layout Istio's docs and Makefile use.
//
// Three phases, so that nothing is ever lost or half-written:
//   1. survey (read-only): decide reuse / copy / issue for everything, collect all problems;
//   2. issuance (memory only): generate keys (in parallel) and sign certificates;
//   3. writing: stage changed files as temporaries, then rename them all into place.
// A second render with the same request finds everything right and writes nothing.

import Foundation

/// Renders the trust files of a work directory (see the file's header for the phases).
public struct TrustRenderer: Sendable {
    /// A renderer; it holds no state.
    public init() {}

    /// Surveys, issues and writes the trust files of `request` in one commit of their own.
    public func render(_ request: TrustRequest, progress: (@Sendable (TrustProgress) -> Void)? = nil) throws(TrustError) -> TrustReport {
        var commit = FileCommit(directory: request.workDirectory)
        let prepared = try prepare(request, into: &commit, progress: progress)
        try commit.commit { path, completed, total in progress?(.wroteFile(path: path, completed: completed, total: total)) }
        return prepared.finish()
    }

    /// The read-only first phase of ``prepare(_:into:progress:)`` alone: every check render makes of
    /// the work directory's root and intermediates (CA, key match, SHA-256 or better, extendedKeyUsage,
    /// chain to the root, validity), throwing all the problems found; nothing is generated or written.
    public func inspect(_ request: TrustRequest) throws(TrustError) {
        _ = try TrustSurvey.take(request)
    }

    /// The first two phases, and the third up to the commit: surveys the work directory, issues
    /// what must be issued, and adds every file that changes to `commit` (which the caller
    /// commits, possibly with files of its own). Call ``PreparedTrust/finish()`` after the commit.
    public func prepare(_ request: TrustRequest, into commit: inout FileCommit,
                        progress: (@Sendable (TrustProgress) -> Void)? = nil) throws(TrustError) -> PreparedTrust {
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
        let changes = TrustWriter.stage(planned, existing: survey.existing, directories: survey.directoriesToCreate, into: &commit)
        let report = TrustReport(
            files: changes.files,
            rootCertificate: survey.rootCertificatePath,
            rootKey: survey.rootKeyPath,
            rootFingerprint: root.fingerprint,
            rootKeyAlgorithm: root.keyAlgorithm,
            clusters: Dictionary(uniqueKeysWithValues: request.clusters.map { ($0, TrustReport.ClusterFiles(workDirectory: request.workDirectory, cluster: $0)) }),
            notes: survey.notes
        )
        return PreparedTrust(report: report, changes: changes)
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

/// Trust files decided and added to a commit, waiting for it.
public struct PreparedTrust: Sendable {
    /// The report as it will be once the commit is done (its notes lack the mode fixes until then).
    public let report: TrustReport
    let changes: TrustWriter.Changes

    /// After the commit: fixes the modes of reused files that were too open, and returns the
    /// report with the notes saying so.
    public func finish() -> TrustReport {
        var report = report
        report.notes += TrustWriter.tightenModes(changes)
        return report
    }
}
