// Holding the work directory for the whole of a render or an apply.
import ArgumentParser
import Foundation
import MeshScript

/// `--wait-lock`, on the commands that write a work directory.
struct LockOptions: ParsableArguments {
    @Flag(name: .long, help: "When another meshscript is rendering or applying into the same work directory, wait for it instead of stopping (exit 75).")
    var waitLock = false
}

/// Locks `out` for this process until the returned lock is released; exit 75 when another
/// render or apply holds it (unless waiting), with a line saying so.
func lockWorkDirectory(_ out: String, options: LockOptions) throws -> WorkDirectoryLock? {
    do {
        if !options.waitLock { return try WorkDirectoryLock.acquire(out, wait: false) }
        if let lock = try? WorkDirectoryLock.acquire(out, wait: false) { return lock }
        let progress = Progress()
        progress.begin("waiting for \(out): another meshscript is rendering or applying into it")
        defer { progress.clear() }
        return try WorkDirectoryLock.acquire(out, wait: true)
    } catch {
        var stderr = StandardError()
        print("error: \(error.description)", to: &stderr)
        throw Exit.workDirectoryBusy
    }
}
