// Reading a file the user named (a script, an import, a kubeconfig, a PEM file) without
// trusting it: a FIFO would block open(2) forever and a device never ends, so only regular
// files are read, and never more than a limit, whatever size they claim.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be read; `message` completes "PATH ..." or "cannot read PATH: ...".
public struct RegularFileError: Error, Sendable, Equatable {
    /// What went wrong, for callers that treat a missing file differently.
    public enum Kind: Sendable, Equatable {
        case missing
        case notRegularFile
        case tooLarge
        case unreadable
    }

    /// What went wrong.
    public var kind: Kind
    /// Lower case, without the path: "is a FIFO, not a regular file".
    public var message: String

    /// An error of `kind` with `message` (lower case, without the path).
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// Bounded reads of regular files.
public enum RegularFile {
    /// The bytes of the regular file at `path` (symlinks followed), at most `limit` of them.
    /// Directories, FIFOs, sockets and devices are refused before they are opened; the open
    /// never blocks, and the opened descriptor is checked again, so a file swapped for a FIFO
    /// in between is refused too. A file that grows past `limit` while it is read is refused.
    public static func read(_ path: String, limit: Int) throws(RegularFileError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure(errno) }
        try requireRegular(info)
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(errno) }
        defer { close(descriptor) }
        guard fstat(descriptor, &info) == 0 else { throw failure(errno) }
        try requireRegular(info)
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) == 0 else { throw failure(errno) }
        return try readAll(descriptor, limit: limit, expectedSize: Int(info.st_size))
    }

    /// Reads until end of file in chunks, refusing more than `limit` bytes. The result's room
    /// is reserved for `expectedSize` bytes (what `fstat` said, at most `limit`), so a large file
    /// is not copied again each time the array would grow; a file that grows meanwhile still reads whole.
    static func readAll(_ descriptor: Int32, limit: Int, expectedSize: Int = 0) throws(RegularFileError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(max(expectedSize, 0), limit))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { readChunk(descriptor, into: $0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else {
                throw RegularFileError(kind: .tooLarge, message: "is larger than the limit of \(limit) bytes")
            }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    static func requireRegular(_ info: stat) throws(RegularFileError) {
        let kind: String
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: kind = "a directory"
        case S_IFIFO: kind = "a FIFO"
        case S_IFSOCK: kind = "a socket"
        case S_IFCHR, S_IFBLK: kind = "a device"
        default: kind = "a special file"
        }
        throw RegularFileError(kind: .notRegularFile, message: "is \(kind), not a regular file")
    }

    static func failure(_ code: Int32) -> RegularFileError {
        let reason = String(cString: strerror(code))
        switch code {
        case ENOENT, ENOTDIR: return RegularFileError(kind: .missing, message: "does not exist")
        case ELOOP: return RegularFileError(kind: .unreadable, message: "cannot be read: a symbolic link loop (\(reason))")
        default: return RegularFileError(kind: .unreadable, message: "cannot be read: \(reason)")
        }
    }
}

/// read(2), named apart from ``RegularFile/read(_:limit:)``.
private func readChunk(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(descriptor, buffer.baseAddress, buffer.count)
}
