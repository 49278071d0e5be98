// One fuzz input is a small tree of scripts: the main script, then any number of files it may
// import, each starting at a separator line `#== PATH` (a comment to the language, so a seed
// made of one script is also a valid input). The scripts are served from memory under /fuzz:
// no file system, no kubeconfig, no environment.
import MeshScript

/// A fuzz input split into the main script and the files it can import, by path under ``root``.
struct FuzzInput {
    /// The directory every script of an input lives under; imports are confined to it.
    static let root = "/fuzz"
    /// The main script's path.
    static let mainPath = root + "/main.mesh"
    /// The start of a line that begins the next file; the rest of the line is its path.
    static let separator = Array("#== ".utf8)

    /// Script bytes by canonical path (the main script included).
    var files: [String: [UInt8]] = [:]

    /// The main script's bytes.
    var main: [UInt8] { files[Self.mainPath] ?? [] }

    /// Splits `bytes` at every line starting with ``separator``. A file without a usable path
    /// is named after its position (`f1.mesh`, ...); a later file with the same path wins.
    init(_ bytes: UnsafeRawBufferPointer) {
        var path = Self.mainPath
        var current: [UInt8] = []
        var lineStart = true
        var index = 0
        let count = bytes.count
        var fileNumber = 0
        while index < count {
            if lineStart, Self.hasSeparator(bytes, at: index) {
                files[path] = current
                current = []
                fileNumber += 1
                let nameStart = index + Self.separator.count
                var nameEnd = nameStart
                while nameEnd < count, bytes[nameEnd] != UInt8(ascii: "\n") { nameEnd += 1 }
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
                path = Self.canonical(name, fallback: "f\(fileNumber).mesh")
                index = nameEnd + 1
                lineStart = true
                continue
            }
            let byte = bytes[index]
            current.append(byte)
            lineStart = byte == UInt8(ascii: "\n")
            index += 1
        }
        files[path] = current
    }

    private static func hasSeparator(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        guard index + separator.count <= bytes.count else { return false }
        for (offset, byte) in separator.enumerated() where bytes[index + offset] != byte { return false }
        return true
    }

    /// `name` (trimmed) as a path under ``root``, as the loader canonicalizes an import.
    private static func canonical(_ name: String, fallback: String) -> String {
        let trimmed = String(name.unicodeScalars.filter { $0 != "\r" && $0 != " " && $0 != "\t" }.map(Character.init))
        return FuzzLoader.paths.canonicalPath(trimmed.isEmpty ? fallback : trimmed, relativeTo: root)
    }
}

/// Serves an input's scripts from memory, byte for byte (invalid UTF-8 included, so the
/// lexer's check of it is fuzzed too); paths are canonicalized as ``InMemoryLoader`` does.
struct FuzzLoader: ScriptLoader {
    /// The public in-memory loader, used for its path rules only.
    static let paths = InMemoryLoader([:])
    /// Script bytes by canonical path.
    let files: [String: [UInt8]]

    func canonicalPath(_ path: String, relativeTo directory: String?) -> String {
        Self.paths.canonicalPath(path, relativeTo: directory)
    }

    func read(_ canonicalPath: String) throws(LoaderError) -> [UInt8] {
        guard let bytes = files[canonicalPath] else { throw LoaderError("no such file") }
        return bytes
    }
}
