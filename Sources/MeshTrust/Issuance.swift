// The in-memory second phase of a render: generates the keys and signs the certificates the
// survey asked for. Intermediate keys are generated in parallel (RSA 4096 key generation takes
// about a second per key, and a mesh may have dozens of clusters). Nothing here touches the disk.

import Dispatch
import Foundation
import Synchronization

enum Issuance {
    static func root(_ plan: TrustSurvey.RootPlan, now: Date, keyPath: String, progress: (@Sendable (TrustProgress) -> Void)?) throws(TrustError) -> RootCA {
        switch plan {
        case .reuse(let root), .adopt(let root):
            return root
        case .generate(let profile):
            progress?(.generatingRoot(profile.key))
            do {
                return try RootCA.issue(profile: profile, key: try profile.key.generateKey(), now: now)
            } catch {
                throw TrustError("could not generate the root CA: \(error)", path: keyPath)
            }
        }
    }

    /// One intermediate per cluster, issued concurrently. Results are keyed by cluster name.
    static func intermediates(
        for clusters: [String], root: RootCA, now: Date, workDirectory: String, progress: (@Sendable (TrustProgress) -> Void)?
    ) throws(TrustError) -> [String: IntermediateCA] {
        guard !clusters.isEmpty else { return [:] }
        progress?(.issuingIntermediates(total: clusters.count))
        let outcomes = Mutex<(results: [String: Result<IntermediateCA, TrustError>], completed: Int)>(([:], 0))
        DispatchQueue.concurrentPerform(iterations: clusters.count) { index in
            let cluster = clusters[index]
            let result: Result<IntermediateCA, TrustError>
            do {
                let key = try root.keyAlgorithm.generateKey()
                result = .success(try IntermediateCA.issue(cluster: cluster, key: key, root: root, now: now))
            } catch {
                let path = TrustReport.ClusterFiles(workDirectory: workDirectory, cluster: cluster).caCert
                result = .failure(TrustError("could not issue the intermediate CA for \(cluster): \(error)", path: path))
            }
            let completed = outcomes.withLock { state in
                state.results[cluster] = result
                state.completed += 1
                return state.completed
            }
            progress?(.issuedIntermediate(cluster: cluster, completed: completed, total: clusters.count))
        }
        let results = outcomes.withLock { $0.results }
        var issued: [String: IntermediateCA] = [:]
        var problems: [TrustError.Problem] = []
        for cluster in clusters {
            switch results[cluster] {
            case .success(let intermediate)?: issued[cluster] = intermediate
            case .failure(let error)?: problems += error.problems
            case nil: break  // concurrentPerform runs every iteration; unreachable
            }
        }
        guard problems.isEmpty else { throw TrustError(problems) }
        return issued
    }
}
