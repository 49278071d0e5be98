// Test support: running the real tools (openssl, kubectl) with argument arrays, scratch
// directories, snapshots of a directory tree for "nothing was touched" assertions, and
// certificate fixtures made by openssl the way users and Istio's Makefile make them.

import Foundation
import MeshTestSupport
import Testing

@testable import MeshTrust

enum ToolError: Error, CustomStringConvertible {
    case failed(String, ProcessRun)
    case unreadable(String, output: String)
    var description: String {
        switch self {
        case .failed(let command, let run): "\(command) exited \(run.status): \(run.stderr)\(run.stdout)"
        case .unreadable(let command, let output): "\(command): unreadable output: \(output)"
        }
    }
}

/// Runs `tool` (looked up on PATH by /usr/bin/env) with `arguments`; never through a shell.
@discardableResult
func run(_ tool: String, _ arguments: [String], in directory: String? = nil, allowFailure: Bool = false) throws -> ProcessRun {
    let run = try runProcess("/usr/bin/env", [tool] + arguments, directory: directory)
    if run.status != 0, !allowFailure {
        throw ToolError.failed(([tool] + arguments).joined(separator: " "), run)
    }
    return run
}

@discardableResult
func openssl(_ arguments: String..., in directory: String? = nil) throws -> String {
    try run("openssl", arguments, in: directory).stdout
}

/// A fresh scratch directory's path for `body`; the directory is removed afterwards.
func withScratch<T>(_ body: (String) throws -> T) throws -> T {
    let scratch = try Scratch()
    defer { scratch.remove() }
    return try body(scratch.path)
}

func join(_ parts: String...) -> String {
    parts.joined(separator: "/")
}

func contents(_ path: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: path))
}

func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// Everything observable about a file that a render must not change when it has nothing to do.
struct FileState: Equatable {
    var data: Data?
    var isDirectory: Bool
    var modificationTime: timespec
    var inode: UInt64
    var mode: UInt32

    static func == (a: FileState, b: FileState) -> Bool {
        a.data == b.data && a.isDirectory == b.isDirectory && a.inode == b.inode && a.mode == b.mode
            && a.modificationTime.tv_sec == b.modificationTime.tv_sec && a.modificationTime.tv_nsec == b.modificationTime.tv_nsec
    }
}

/// Every entry under `root` (including hidden temporaries), keyed by relative path.
func snapshot(_ root: String) -> [String: FileState] {
    var result: [String: FileState] = [:]
    guard let enumerator = FileManager.default.enumerator(atPath: root) else { return result }
    for case let relative as String in enumerator {
        let path = join(root, relative)
        var info = stat()
        guard lstat(path, &info) == 0 else { continue }
        let isDirectory = info.st_mode & S_IFMT == S_IFDIR
        result[relative] = FileState(
            data: isDirectory ? nil : try? contents(path),
            isDirectory: isDirectory,
            modificationTime: info.st_mtim,
            inode: UInt64(info.st_ino),
            mode: UInt32(info.st_mode)
        )
    }
    return result
}

/// The intermediate checks `openssl verify` makes, which is what the spec demands literally.
func expectOpensslVerifies(_ directory: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let output = try run("openssl", ["verify", "-CAfile", join(directory, "root-cert.pem"), join(directory, "ca-cert.pem")], allowFailure: true)
    #expect(output.status == 0, "\(output.stderr)", sourceLocation: sourceLocation)
    #expect(output.stdout == "\(join(directory, "ca-cert.pem")): OK\n", sourceLocation: sourceLocation)
}

/// `openssl x509 -noout -text` of a certificate file.
func x509Text(_ path: String) throws -> String {
    try openssl("x509", "-in", path, "-noout", "-text")
}

/// notBefore/notAfter as openssl reads them.
func opensslDates(_ path: String) throws -> (notBefore: Date, notAfter: Date) {
    let text = try openssl("x509", "-in", path, "-noout", "-dates", "-dateopt", "iso_8601")
    var values: [String: Date] = [:]
    let parser = ISO8601DateFormatter()
    parser.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime, .withTimeZone]
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
        if parts.count == 2 { values[parts[0]] = parser.date(from: parts[1]) }
    }
    guard let notBefore = values["notBefore"], let notAfter = values["notAfter"] else {
        throw ToolError.unreadable("openssl x509 -dates", output: text)
    }
    return (notBefore, notAfter)
}

/// Thread-safe collector for progress events (they arrive from worker threads).
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [TrustProgress] = []
    var events: [TrustProgress] { lock.withLock { storage } }
    func record(_ event: TrustProgress) { lock.withLock { storage.append(event) } }
}

// MARK: - openssl fixtures

enum FixtureKey {
    case rsa2048
    case ecP256
    /// `openssl ecparam -genkey`: SEC1 with an EC PARAMETERS block in front.
    case ecP256WithParameters
}

/// Makes a key with openssl at `path`.
func makeKey(_ kind: FixtureKey, at path: String) throws {
    switch kind {
    case .rsa2048:
        try openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path)
    case .ecP256:
        try openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path)
    case .ecP256WithParameters:
        try openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", path)
    }
}

/// Istio's root-ca.conf with the extension lines replaceable, for making good and bad roots.
func rootConfig(extensions: [String] = [
    "subjectKeyIdentifier = hash",
    "basicConstraints = critical, CA:true",
    "keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, keyCertSign",
]) -> String {
    """
    [ req ]
    encrypt_key = no
    prompt = no
    utf8 = yes
    default_md = sha256
    req_extensions = req_ext
    x509_extensions = req_ext
    distinguished_name = req_dn
    [ req_ext ]
    \(extensions.joined(separator: "\n"))
    [ req_dn ]
    O = Istio
    CN = Root CA

    """
}

/// A self-signed root-cert.pem + root-key.pem in `directory`, made by openssl.
func makeOpensslRoot(in directory: String, key: FixtureKey = .ecP256, digest: String = "sha256", config: String = rootConfig()) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let keyPath = join(directory, "root-key.pem")
    let configPath = join(directory, "root-ca.conf")
    try makeKey(key, at: keyPath)
    try write(config, to: configPath)
    try openssl("req", "-x509", "-new", "-\(digest)", "-days", "3650", "-key", keyPath, "-config", configPath, "-out", join(directory, "root-cert.pem"))
    try FileManager.default.removeItem(atPath: configPath)
}

/// Signs a CA certificate for `cluster` with the root in `rootDirectory`, the way Istio's Makefile
/// does (`openssl x509 -req -CA ...`), writing ca-cert.pem and ca-key.pem into `directory`.
func makeOpensslIntermediate(
    cluster: String, in directory: String, rootDirectory: String, digest: String = "sha256",
    basicConstraints: String = "critical, CA:true, pathlen:0", extraExtensions: [String] = []
) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let config = """
        [ req ]
        prompt = no
        utf8 = yes
        distinguished_name = req_dn
        [ req_ext ]
        subjectKeyIdentifier = hash
        basicConstraints = \(basicConstraints)
        keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, keyCertSign
        subjectAltName = DNS:istiod.istio-system.svc
        \(extraExtensions.joined(separator: "\n"))
        [ req_dn ]
        O = Istio
        CN = Intermediate CA
        L = \(cluster)

        """
    let scratch = join(directory, ".fixture")
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    try write(config, to: join(scratch, "intermediate.conf"))
    try makeKey(.ecP256, at: join(directory, "ca-key.pem"))
    try openssl("req", "-new", "-config", join(scratch, "intermediate.conf"), "-key", join(directory, "ca-key.pem"), "-out", join(scratch, "ca.csr"))
    try openssl(
        "x509", "-req", "-\(digest)", "-days", "3650", "-CA", join(rootDirectory, "root-cert.pem"), "-CAkey", join(rootDirectory, "root-key.pem"),
        "-CAcreateserial", "-CAserial", join(scratch, "root.srl"), "-extensions", "req_ext", "-extfile", join(scratch, "intermediate.conf"),
        "-in", join(scratch, "ca.csr"), "-out", join(directory, "ca-cert.pem")
    )
}

/// A request with a fast root (ECDSA P-256) unless a test needs otherwise.
func request(_ workDirectory: String, clusters: [String], key: KeyAlgorithm = .ecdsaP256, rotate: Set<String> = [], now: Date = Date()) -> TrustRequest {
    TrustRequest(workDirectory: workDirectory, root: .generate(RootProfile(key: key)), clusters: clusters, rotate: rotate, now: now)
}

/// Renders and expects a TrustError; returns it for inspection.
func expectTrustError(_ request: TrustRequest, sourceLocation: SourceLocation = #_sourceLocation) -> TrustError? {
    do {
        _ = try TrustRenderer().render(request, progress: nil)
        Issue.record("render succeeded, expected a TrustError", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
