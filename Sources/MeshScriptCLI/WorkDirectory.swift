// Holding the work directory for the whole of a render or an apply, and finishing what an
// interrupted run left in it.
import Foundation
import MeshCommandLine
import MeshScript

/// `--wait-lock`, on the commands that write a work directory.
struct LockOptions {
    /// The option's declaration.
    static let arguments: [ArgumentDeclaration] = [
        .flag("wait-lock", help: "When another meshscript is rendering or applying into the same work directory, wait for it instead of stopping (exit 75)."),
    ]

    /// Whether to wait for the work directory.
    let waitLock: Bool

    /// The option in `arguments`.
    init(_ arguments: ParsedArguments) { waitLock = arguments.flag("wait-lock") }
}

/// Locks `out` for this process until the returned lock is released; exit 75 when another
/// render or apply holds it (unless waiting), with a line saying so. Then finishes what an
/// interrupted run left there (its commit journal, its temporary files), with a note for each
/// on stdout (with render's other remarks) unless `quiet`; exit 65 when that cannot be done.
func lockWorkDirectory(_ out: String, options: LockOptions, quiet: Bool = false) throws -> WorkDirectoryLock? {
    let lock: WorkDirectoryLock?
    do {
        if !options.waitLock {
            lock = try WorkDirectoryLock.acquire(out, wait: false)
        } else if let held = try? WorkDirectoryLock.acquire(out, wait: false) {
            lock = held
        } else {
            let progress = Progress()
            progress.begin("waiting for \(out): another meshscript is rendering or applying into it")
            defer { progress.clear() }
            lock = try WorkDirectoryLock.acquire(out, wait: true)
        }
    } catch {
        var stderr = StandardError()
        print("error: \(error.description)", to: &stderr)
        throw Exit.workDirectoryBusy
    }
    if let lock { try recoverInterruptedWork(lock, quiet: quiet) }
    return lock
}

/// `status` reads the work directory without holding it; but when a killed run left a commit
/// journal there, the root and intermediates on disk may be half replaced, so the journal is
/// completed first (holding the directory just for that). When another run holds the directory,
/// that run completes it, and status reads what is there.
func completeInterruptedCommit(_ out: String) {
    guard CommitJournal.exists(in: out) else { return }
    guard let lock = try? WorkDirectoryLock.acquire(out, wait: false) else { return }
    var stderr = StandardError()
    do {
        if let recovery = try CommitJournal.recover(in: lock.directory) { print("note: " + recovery.note, to: &stderr) }
    } catch {
        print(RenderFailure.trust(error).description, terminator: "", to: &stderr)
        print("status reads the work directory as it is", to: &stderr)
    }
}

private func recoverInterruptedWork(_ lock: WorkDirectoryLock, quiet: Bool) throws {
    var stderr = StandardError()
    do {
        let notes = try lock.recoverInterruptedWork()
        if !quiet { for note in notes { print("note: " + note) } }
    } catch {
        print(RenderFailure.trust(error).description, terminator: "", to: &stderr)
        print("stopped before reading or writing \(lock.directory): an interrupted commit is not complete", to: &stderr)
        throw Exit.scriptErrors
    }
}
