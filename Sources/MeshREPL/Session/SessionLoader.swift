// How a session reads scripts: from the file system, except while a `:load` is replayed to put
// the session back as it was, when the files read are the bytes they held at that `:load`.
import MeshScript
import Synchronization

/// The session's ``ScriptLoader``: it records what one `:load` reads (the file and what it
/// imports), and serves such a record in place of the files while that load is replayed.
final class SessionLoader: ScriptLoader {
    private struct State {
        var recorded: [String: [UInt8]]?
        var serving: [String: [UInt8]] = [:]
    }

    private let base: ScriptLoader
    private let state = Mutex(State())

    /// A loader reading through `base` outside a recorded load.
    init(base: ScriptLoader) { self.base = base }

    func canonicalPath(_ path: String, relativeTo directory: String?) -> String {
        base.canonicalPath(path, relativeTo: directory)
    }

    func read(_ canonicalPath: String) throws(LoaderError) -> [UInt8] {
        let bytes: [UInt8]
        if let served = state.withLock({ $0.serving[canonicalPath] }) {
            bytes = served
        } else {
            bytes = try base.read(canonicalPath)
        }
        state.withLock { state in
            if state.recorded != nil { state.recorded![canonicalPath] = bytes }
        }
        return bytes
    }

    /// Runs `body` (one `:load`), recording every file it reads; the files in `serving` are read
    /// from there instead of the file system. Returns `body`'s result and the record.
    func recording<T>(serving: [String: [UInt8]] = [:], _ body: () -> T) -> (T, [String: [UInt8]]) {
        state.withLock { $0 = State(recorded: [:], serving: serving) }
        let result = body()
        let record = state.withLock { state in
            defer { state = State() }
            return state.recorded ?? [:]
        }
        return (result, record)
    }
}
