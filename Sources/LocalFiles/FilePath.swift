// Paths as plain strings split on "/": no Foundation path methods, whose NSString versions
// trap on one-character strings in swift-corelibs-foundation.

/// Lexical operations on "/"-separated paths. Nothing here touches the file system.
public enum FilePath {
    /// The directory part of `path`, as `dirname` without the final "." fallback: "" when
    /// `path` has no directory part ("a", "a/", ""), "/" for a file in the root ("/a", "/").
    public static func parent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let parent = withoutTrailingSlashes(String(trimmed[..<slash]))
        return parent.isEmpty && path.hasPrefix("/") ? "/" : parent
    }

    /// The last component of `path`, ignoring trailing slashes: "b" for "a/b/", "/" for "/",
    /// "" for "".
    public static func lastComponent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        let name = String(trimmed[trimmed.index(after: slash)...])
        return name.isEmpty ? "/" : name
    }

    /// `path` with empty and "." components removed and ".." taken back lexically (symlinks
    /// are not looked at): "//a/./b/../c/" is "/a/c". A ".." at the root stays at the root; a
    /// relative path keeps its leading "..". An empty result is "/" or ".", except for "".
    public static func normalized(_ path: String) -> String {
        guard !path.isEmpty else { return "" }
        let absolute = path.hasPrefix("/")
        var components: [Substring] = []
        for component in path.split(separator: "/") where component != "." {
            if component != ".." {
                components.append(component)
            } else if let last = components.last, last != ".." {
                components.removeLast()
            } else if !absolute {
                components.append(component)
            }
        }
        var joined = absolute ? "/" : ""
        for (index, component) in components.enumerated() {
            if index > 0 { joined += "/" }
            joined.append(contentsOf: component) // the Substring overload: `+=` is generic, and its first call scans the conformance tables
        }
        return joined.isEmpty ? "." : joined
    }

    /// `name` under `directory`: `name` itself when it is absolute or `directory` is empty,
    /// `directory` itself when `name` is empty.
    public static func join(_ directory: String, _ name: String) -> String {
        if name.hasPrefix("/") || directory.isEmpty { return name }
        if name.isEmpty { return directory }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// `path` without trailing slashes, except that the root stays "/".
    static func withoutTrailingSlashes(_ path: String) -> String {
        var result = Substring(path)
        while result.count > 1, result.hasSuffix("/") { result = result.dropLast() }
        return String(result)
    }
}
