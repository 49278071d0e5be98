// The read-only first phase of a render: looks at WORK_DIR and the request, decides for the root
// and for every cluster whether to reuse, copy or issue, and collects every problem before a
// single byte is generated or written.

import Foundation
import X509

struct TrustSurvey {
    enum RootPlan {
        /// WORK_DIR already has a root that passed inspection: it is never replaced.
        case reuse(RootCA)
        /// An existing root from another directory, to be copied into WORK_DIR.
        case adopt(RootCA)
        case generate(RootProfile)
    }

    enum IntermediatePlan {
        /// The cluster's ca-cert.pem/ca-key.pem verify against the root and are kept as they are.
        case reuse(IntermediateCA)
        case issue
    }

    struct ExistingFile {
        var data: Data
        var mode: mode_t
    }

    let workDirectory: String
    let root: RootPlan
    let clusters: [(name: String, plan: IntermediatePlan)]
    /// Current contents of the layout's files that exist, keyed by path.
    let existing: [String: ExistingFile]
    let directoriesToCreate: [String]
    let notes: [String]

    var rootCertificatePath: String { TrustLayout.join(workDirectory, TrustLayout.rootCert) }
    var rootKeyPath: String { TrustLayout.join(workDirectory, TrustLayout.rootKey) }

    static func take(_ request: TrustRequest) throws(TrustError) -> TrustSurvey {
        var survey = Builder(request: request)
        try survey.run()
        // run() only returns when it found no problem, and every path without a problem sets the
        // root plan and each cluster's plan; the unwraps below rely on that.
        return TrustSurvey(
            workDirectory: request.workDirectory,
            root: survey.root!,
            clusters: request.clusters.map { ($0, survey.intermediates[$0]!) },
            existing: survey.existing,
            directoriesToCreate: survey.directories,
            notes: survey.notes
        )
    }

    /// Accumulates findings; `run` throws once, with everything found.
    private struct Builder {
        let request: TrustRequest
        var problems: [TrustError.Problem] = []
        var notes: [String] = []
        var existing: [String: ExistingFile] = [:]
        var directories: [String] = []
        var root: RootPlan?
        var intermediates: [String: IntermediatePlan] = [:]

        init(request: TrustRequest) {
            self.request = request
        }

        var work: String { request.workDirectory }

        mutating func run() throws(TrustError) {
            checkRequest()
            guard problems.isEmpty else { throw TrustError(problems) }
            // Nothing else can be written or meaningfully checked without a usable WORK_DIR.
            directories = try Disk.directoriesToCreate(work)
            for cluster in request.clusters {
                checkClusterDirectory(cluster)
            }
            surveyRoot()
            for cluster in request.clusters {
                surveyCluster(cluster)
            }
            guard problems.isEmpty else { throw TrustError(problems) }
        }

        /// Guards against what would turn into a wrong path or an unusable certificate; the names
        /// themselves were validated (DNS-1123) by the caller.
        mutating func checkRequest() {
            if work.isEmpty {
                problems.append(.init(message: "the output directory is empty", path: work))
            }
            var seen: Set<String> = []
            for cluster in request.clusters {
                if cluster.isEmpty || cluster == "." || cluster == ".." || cluster.contains("/") {
                    problems.append(.init(message: "cluster name '\(cluster)' cannot be a directory name", path: work))
                } else if !seen.insert(cluster).inserted {
                    problems.append(.init(message: "cluster '\(cluster)' is listed twice", path: work))
                }
            }
            for cluster in request.rotate.sorted() where !seen.contains(cluster) {
                problems.append(.init(message: "rotation asked for '\(cluster)', which is not one of the clusters", path: work))
            }
            if case .generate(let profile) = request.root {
                if let reason = profile.key.unsupportedReason {
                    problems.append(.init(message: reason, path: work))
                }
                if profile.days < 1 {
                    problems.append(.init(message: "root validity must be at least 1 day, not \(profile.days)", path: work))
                }
                if profile.organization.isEmpty || profile.commonName.isEmpty {
                    problems.append(.init(message: "root organization and common name must not be empty", path: work))
                }
            }
        }

        mutating func checkClusterDirectory(_ cluster: String) {
            let path = TrustLayout.join(work, cluster)
            switch Disk.entry(path) {
            case .missing:
                directories.append(path)
            case .directory:
                break // written only if a file in it changes; the commit checks that it can be
            case .file, .other:
                problems.append(.init(message: "is not a directory; cluster \(cluster)'s files go there", path: path))
            }
        }

        /// Reads a layout file, remembering its content so that unchanged files are not rewritten.
        mutating func read(_ path: String) -> Data? {
            do {
                guard let file = try Disk.readFile(path) else { return nil }
                existing[path] = ExistingFile(data: file.data, mode: file.mode)
                return file.data
            } catch {
                problems += error.problems
                return nil
            }
        }

        mutating func surveyRoot() {
            let certificatePath = TrustLayout.join(work, TrustLayout.rootCert)
            let keyPath = TrustLayout.join(work, TrustLayout.rootKey)
            let certificatePEM = read(certificatePath)
            let keyPEM = read(keyPath)
            let keepHelp = "restore it from a backup; MeshScript never generates a new root over an existing one, because every cluster that trusts the old root would stop trusting this mesh"
            switch (certificatePEM, keyPEM) {
            case (let certificatePEM?, let keyPEM?):
                do {
                    let existingRoot = try RootInspection.inspect(
                        certificatePEM: certificatePEM, keyPEM: keyPEM, certificatePath: certificatePath, keyPath: keyPath, now: request.now
                    )
                    root = .reuse(existingRoot)
                    compare(existingRoot, with: request.root)
                } catch {
                    problems += error.problems
                }
            case (.some, nil):
                problems.append(.init(message: "is missing, but \(certificatePath) exists", path: keyPath, help: keepHelp))
            case (nil, .some):
                problems.append(.init(message: "is missing, but \(keyPath) exists", path: certificatePath, help: keepHelp))
            case (nil, nil):
                switch request.root {
                case .generate(let profile):
                    root = .generate(profile)
                case .existing(let directory):
                    do {
                        root = .adopt(try RootInspection.inspect(directory: directory, now: request.now))
                    } catch {
                        problems += error.problems
                    }
                }
            }
        }

        /// A root already in WORK_DIR wins over the request; a different `from` root is an error,
        /// a different profile only a note (the profile describes a root to create, and none is created).
        mutating func compare(_ existingRoot: RootCA, with source: RootSource) {
            switch source {
            case .existing(let directory):
                let otherPath = TrustLayout.join(directory, TrustLayout.rootCert)
                do {
                    let other = try PEMReading.certificate(try Disk.readExisting(otherPath), path: otherPath)
                    if other != existingRoot.certificate {
                        let otherFingerprint = (try? other.derBytes()).map { RootInspection.fingerprint(der: $0) } ?? "?"
                        problems.append(
                            .init(
                                message: "holds a different root (SHA-256 \(existingRoot.fingerprint)) than \(otherPath) (SHA-256 \(otherFingerprint))",
                                path: TrustLayout.join(work, TrustLayout.rootCert),
                                help: "an existing root is never replaced; render into another directory, or move this one away yourself if you really mean to start a new mesh"
                            )
                        )
                    }
                } catch {
                    problems += error.problems
                }
            case .generate(let profile):
                let wanted = [
                    NameAttribute(type: .RDNAttributeType.organizationName, value: profile.organization),
                    NameAttribute(type: .RDNAttributeType.commonName, value: profile.commonName),
                ]
                let actual = IstioProfile.attributes(of: existingRoot.certificate.subject)
                if actual != wanted || existingRoot.keyAlgorithm != profile.key {
                    notes.append(
                        "\(TrustLayout.join(work, TrustLayout.rootCert)) is reused as it is (\(actual.distinguishedNameText), \(existingRoot.keyAlgorithm)); the requested root profile (\(wanted.distinguishedNameText), \(profile.key)) only applies to a new root"
                    )
                }
            }
        }

        mutating func surveyCluster(_ cluster: String) {
            let files = TrustReport.ClusterFiles(workDirectory: work, cluster: cluster)
            let certificatePEM = read(files.caCert)
            let keyPEM = read(files.caKey)
            _ = read(files.rootCert)
            _ = read(files.certChain)
            _ = read(files.cacertsSecret)

            if request.rotate.contains(cluster) {
                intermediates[cluster] = .issue
                return
            }
            let rotateHelp = "ask for rotation of cluster '\(cluster)' to issue a new intermediate (its ca-cert.pem and ca-key.pem are then replaced), or restore files that match the root"
            switch (certificatePEM, keyPEM) {
            case (nil, nil):
                intermediates[cluster] = .issue
            case (.some, nil):
                problems.append(.init(message: "is missing, but \(files.caCert) exists", path: files.caKey, help: rotateHelp))
            case (nil, .some):
                problems.append(.init(message: "is missing, but \(files.caKey) exists", path: files.caCert, help: rotateHelp))
            case (let certificatePEM?, let keyPEM?):
                let rootCertificate: Certificate
                switch root {
                case .reuse(let root), .adopt(let root):
                    rootCertificate = root.certificate
                case .generate:
                    problems.append(
                        .init(message: "exists, but there is no root in \(work) that it could chain to", path: files.caCert, help: rotateHelp)
                    )
                    return
                case nil:
                    return  // the root's own problem is already reported
                }
                var found: [TrustError.Problem] = []
                do {
                    let certificate = try PEMReading.certificate(certificatePEM, path: files.caCert)
                    let key = try PEMReading.privateKey(keyPEM, path: files.caKey)
                    found = CertificateChecks.intermediate(
                        certificate, key: key, root: rootCertificate, now: request.now,
                        certificatePath: files.caCert, keyPath: files.caKey, rootPath: TrustLayout.join(work, TrustLayout.rootCert)
                    )
                    let expected = IstioProfile.intermediateSubjectAttributes(cluster: cluster)
                    let actual = IstioProfile.attributes(of: certificate.subject)
                    if actual != expected {
                        found.append(
                            .init(message: "has subject \(actual.distinguishedNameText), expected \(expected.distinguishedNameText)", path: files.caCert)
                        )
                    }
                    if found.isEmpty {
                        intermediates[cluster] = .reuse(
                            IntermediateCA(cluster: cluster, certificate: certificate, certificatePEM: certificatePEM, keyPEM: keyPEM)
                        )
                    }
                } catch {
                    found = error.problems
                }
                problems += found.map { problem in
                    var problem = problem
                    problem.help = problem.help ?? rotateHelp
                    return problem
                }
            }
        }
    }
}
