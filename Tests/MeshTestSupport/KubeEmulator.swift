// The Kubernetes API emulator (scripts/testing/kube-emulator.py) for tests: one API server per
// cluster on loopback, which the real kubectl talks to through a real kubeconfig, and the
// istioctl stand-in beside it (scripts/testing/istioctl) that keeps its state there. Tests
// read and change the clusters' state through the emulator's control API.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

public final class KubeEmulator: @unchecked Sendable {
    public let kubeconfig: String
    public let control: URL
    /// Cluster name -> context name.
    public let contexts: [String: String]
    /// Where the istioctl stand-in records its invocations (one JSON line each).
    public let istioctlLog: String
    private let process: Process

    /// The directory holding the emulator and the istioctl stand-in.
    public static let tools = packageRoot.appendingPathComponent("scripts/testing").path

    /// Starts an emulator for `clusters` (name -> context); the kubeconfig is written in `scratch`.
    public init(clusters: [(name: String, context: String)], in scratch: Scratch, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let python = try #require(executableOnPath("python3"), "python3 is needed for the Kubernetes API emulator", sourceLocation: sourceLocation)
        _ = try #require(RealKubectl.path, Comment(rawValue: "the emulator is driven by a real kubectl: " + (RealKubectl.absence ?? "")), sourceLocation: sourceLocation)
        kubeconfig = scratch.at("emulator.kubeconfig")
        istioctlLog = scratch.at("istioctl.jsonl")
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.tools + "/kube-emulator.py", "--clusters", clusters.map(\.name).joined(separator: ","), "--kubeconfig", kubeconfig]
            + clusters.flatMap { ["--context", "\($0.name)=\($0.context)"] }
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let line = Self.firstLine(output.fileHandleForReading)
        let ready = try #require((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                                 "the emulator did not start: \(line)", sourceLocation: sourceLocation)
        control = try #require((ready["control"] as? String).flatMap(URL.init(string:)), sourceLocation: sourceLocation)
        contexts = Dictionary(uniqueKeysWithValues: clusters.map { ($0.name, $0.context) })
    }

    /// SIGTERM, then SIGKILL if it has not ended within two seconds.
    deinit {
        process.terminate()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private static func firstLine(_ handle: FileHandle) -> String {
        var bytes: [UInt8] = []
        while let chunk = try? handle.read(upToCount: 1), let byte = chunk.first, byte != 0x0A { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The environment meshscript runs with: the istioctl stand-in first on PATH, then the real
    /// kubectl's directory; a fresh HOME (so kubectl's discovery cache is this run's), no $KUBECONFIG.
    public func environment(home: String, _ extra: [String: String] = [:]) -> [String: String] {
        let kubectlDirectory = RealKubectl.path.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path + ":" } ?? ""
        return ["PATH": Self.tools + ":" + kubectlDirectory + "/usr/local/bin:/usr/bin:/bin", "HOME": home, "NO_COLOR": "1", "LANG": "C.UTF-8",
         "ISTIOCTL_STANDIN_LOG": istioctlLog, "KUBE_EMULATOR_CONTROL": control.absoluteString].merging(extra) { _, new in new }
    }

    // MARK: - Control API

    /// Every object of every cluster: cluster -> "plural/namespace/name" -> object.
    public func state() throws -> [String: [String: [String: Any]]] {
        try #require(try call("GET", "/state") as? [String: [String: [String: Any]]])
    }

    /// One cluster's object, or nil.
    public func object(_ cluster: String, _ key: String) throws -> [String: Any]? { try state()[cluster]?[key] }

    /// The requests that changed something (POST, PUT, PATCH, DELETE) since the last `clearRequests`.
    public func writes() throws -> [String] {
        let log = try #require(try call("GET", "/requests") as? [[String: Any]])
        return log.filter { ($0["method"] as? String) != "GET" }.map { "\($0["cluster"] ?? "") \($0["method"] ?? "") \($0["path"] ?? "")" }
    }

    public func clearRequests() throws { _ = try call("POST", "/requests/clear") }
    public func down(_ cluster: String) throws { _ = try call("POST", "/clusters/\(cluster)/down") }
    public func up(_ cluster: String) throws { _ = try call("POST", "/clusters/\(cluster)/up") }
    public func put(_ cluster: String, object: [String: Any]) throws { _ = try call("POST", "/clusters/\(cluster)/objects", body: object) }
    public func delete(_ cluster: String, _ key: String) throws { _ = try call("DELETE", "/clusters/\(cluster)/objects/\(key)") }

    /// The istioctl stand-in's invocations (argv without "istioctl").
    public var istioctlCalls: [[String]] {
        let text = String(decoding: FileManager.default.contents(atPath: istioctlLog) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["argv"] as? [String]
        }.map { Array($0.dropFirst()) }
    }

    public func clearIstioctlCalls() { _ = FileManager.default.createFile(atPath: istioctlLog, contents: nil) }

    private func call(_ method: String, _ path: String, body: [String: Any]? = nil) throws -> Any? {
        var request = URLRequest(url: control.appendingPathComponent(path))
        request.httpMethod = method
        if let body { request.httpBody = try JSONSerialization.data(withJSONObject: body) }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data?, Error?) = (nil, nil)
        URLSession.shared.dataTask(with: request) { data, _, error in
            result = (data, error)
            done.signal()
        }.resume()
        done.wait()
        if let error = result.1 { throw error }
        guard let data = result.0, !data.isEmpty else { return nil }
        return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }
}
