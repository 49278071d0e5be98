// Creating directories with the mode asked for: mkdir(2) applies the umask, so under
// `umask 000` a plain mkdir -p makes 0777 directories; each one created here is chmod-ed.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's working directory, and making directories with exactly the mode asked for,
/// whatever the umask.
public enum Directory {
    /// The process's working directory, as getcwd(3) gives it; "" when it cannot be read
    /// (removed), so that `FilePath.join(Directory.current, name)` is `name`.
    /// Read without Foundation: `FileManager.default` costs a CoreFoundation start-up.
    public static var current: String {
        guard let path = getcwd(nil, 0) else { return "" }
        defer { free(path) }
        return String(cString: path)
    }

    /// Creates `path` and every missing parent with exactly `mode`, whatever the umask;
    /// directories that exist are left as they are.
    /// - Returns: nil on success, else the errno of the directory that could not be made, and its path.
    @discardableResult
    public static func create(_ path: String, mode: mode_t = 0o755) -> (path: String, errno: Int32)? {
        var missing: [String] = []
        var candidate = path
        while !candidate.isEmpty, access(candidate, F_OK) != 0 {
            missing.append(candidate)
            candidate = FilePath.parent(of: candidate)
        }
        for directory in missing.reversed() {
            if mkdir(directory, mode) == 0 {
                chmod(directory, mode)
            } else if errno != EEXIST {
                return (directory, errno)
            }
        }
        return nil
    }
}
