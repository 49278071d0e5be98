// Scratch directories: every test writes into a fresh one of its own, so parallel tests never
// share files, and nothing is left behind in the temporary directory.
import Foundation

/// A fresh directory under the temporary directory, removed with everything in it when the
/// value goes away. Symlinks in its path are resolved, so the canonical paths an interpreter
/// or a loader reports compare equal to `path`.
public final class Scratch: @unchecked Sendable {
    public let path: String

    /// The directory is named after the test module that makes it (`fileID`'s first part), so
    /// one left behind by a killed run says who made it.
    public init(fileID: String = #fileID) throws {
        let base = FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
        let module = fileID.split(separator: "/").first.map(String.init) ?? "tests"
        path = base + "/" + module + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { remove() }

    /// Removes the directory now; a `defer { scratch.remove() }` also keeps it alive until then.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    public var url: URL { URL(fileURLWithPath: path) }

    /// An empty HOME inside the directory, so a developer's own ~/.kube/config or REPL history
    /// never leaks into a test. Made on first use, so a test that lists the directory finds it
    /// only once it has asked for it.
    public var home: String {
        let home = at("home")
        try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        return home
    }

    public func at(_ relative: String) -> String { path + "/" + relative }

    /// Writes `text` at `relative`, making the directories on the way; returns the file's path.
    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String {
        try write(relative, bytes: Array(text.utf8))
    }

    /// Writes raw bytes (malformed UTF-8 included) at `relative`; returns the file's path.
    @discardableResult
    public func write(_ relative: String, bytes: [UInt8]) throws -> String {
        let file = at(relative)
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file), options: .atomic)
        return file
    }
}
