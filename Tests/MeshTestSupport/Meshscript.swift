// The package on disk, for the tests that use its files (examples, grammar, pty scripts) or run
// the real `meshscript` binary the way a user does.
import Foundation
import Testing

/// The package's root (the directory holding Package.swift), found by walking up from this file.
public let packageRoot: URL = {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        url.deleteLastPathComponent()
    }
    return url
}()

/// The path of examples/NAME.
public func example(_ name: String) -> String { packageRoot.appendingPathComponent("examples/" + name).path }

/// examples/NAME copied into `scratch` (at NAME) with `root root < key ecdsa p256 >` appended:
/// the same mesh, its root and intermediates ECDSA P-256 instead of Istio's default RSA 4096,
/// whose keys take seconds each to generate in a debug build. For the tests whose subject is
/// not the keys (manifests, plans, apply, the CLI's behaviour); tests of the keys or of RSA use
/// `example`. Only for examples that name no file beside them (no import, no `values file`).
public func exampleWithECDSARoot(_ name: String, in scratch: Scratch) throws -> String {
    let text = try String(contentsOfFile: example(name), encoding: .utf8)
    return try scratch.write(name, text + "root root < key ecdsa p256 >\n")
}

/// The `meshscript` built beside the test binary (the same configuration), else .build/debug's;
/// a path that does not exist yet names where it is expected.
public let meshscriptBinary: String = {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    // On macOS the test binary sits inside X.xctest/Contents/MacOS.
    while directory.pathExtension == "xctest" || ["MacOS", "Contents"].contains(directory.lastPathComponent) {
        directory.deleteLastPathComponent()
    }
    let candidates = [directory.appendingPathComponent("meshscript").path, packageRoot.appendingPathComponent(".build/debug/meshscript").path]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
}()

/// `meshscriptBinary`, or a test failure when it has not been built.
public func requireMeshscript(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    try #require(FileManager.default.isExecutableFile(atPath: meshscriptBinary),
                 "no \(meshscriptBinary): build it first with `swift build --build-tests`", sourceLocation: sourceLocation)
    return meshscriptBinary
}

/// The environment the CLI runs with in tests: no colour, `home` as HOME (an empty one keeps a
/// developer's ~/.kube/config out), `path` as PATH (stand-in tools first), and `extra`.
public func cliEnvironment(home: String, path: String = "/usr/local/bin:/usr/bin:/bin",
                           _ extra: [String: String] = [:]) -> [String: String] {
    ["PATH": path, "HOME": home, "NO_COLOR": "1", "LANG": "C.UTF-8"].merging(extra) { _, new in new }
}

/// Runs `meshscript ARGS` with stdin from /dev/null (not a terminal); a missing binary or a
/// timeout is a test failure.
public func meshscript(_ arguments: [String], environment: [String: String], directory: String? = nil,
                       timeout: Duration = .seconds(120), interruptWhen: (() -> Bool)? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessRun {
    let binary = try requireMeshscript(sourceLocation: sourceLocation)
    let run = try runProcess(binary, arguments, environment: environment, directory: directory, timeout: timeout,
                             interruptWhen: interruptWhen)
    #expect(!run.timedOut, "meshscript \(arguments.joined(separator: " ").prefix(200)) did not finish in \(timeout): killed",
            sourceLocation: sourceLocation)
    return run
}
