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

    /// Reads until end of file, refusing more than `limit` bytes. The bytes go straight into
    /// an array with room for `expectedSize` (what `fstat` said, at most `limit`) and one more,
    /// so a file of that size is read once, with no buffer to clear and copy from; one that
    /// grew meanwhile (or a /proc file, which says 0) reads on in chunks, and still reads whole.
    static func readAll(_ descriptor: Int32, limit: Int, expectedSize: Int = 0) throws(RegularFileError) -> [UInt8] {
        let expected = min(max(expectedSize, 0), limit)
        var error: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: expected + 1) { buffer, count in
            while count < buffer.count {
                let read = readChunk(descriptor, into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[count...])))
                if read < 0 {
                    if errno == EINTR { continue }
                    error = errno
                    return
                }
                if read == 0 { return }
                count += read
            }
        }
        if error != 0 { throw failure(error) }
        if bytes.count <= expected { return bytes }
        return try readRest(descriptor, limit: limit, after: bytes)
    }

    /// `readAll` past the size `fstat` said: the rest of the file in chunks, appended to `bytes`.
    private static func readRest(_ descriptor: Int32, limit: Int, after bytes: [UInt8]) throws(RegularFileError) -> [UInt8] {
        let tooLarge = RegularFileError(kind: .tooLarge, message: "is larger than the limit of \(limit) bytes")
        guard bytes.count <= limit else { throw tooLarge }
        var bytes = bytes
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { readChunk(descriptor, into: $0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else { throw tooLarge }
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
