// Source text as bytes, byte ranges into it, and the line table used only when a
// diagnostic is printed (lexing never computes lines or columns).
import Foundation

/// Identifies one loaded file inside a `SourceMap`.
public struct FileID: Hashable, Sendable, Comparable {
    /// The file's position in its map, in load order from 0.
    public let index: Int
    /// The file at position `index` of its map.
    public init(index: Int) { self.index = index }
    /// Orders files by load order.
    public static func < (a: FileID, b: FileID) -> Bool { a.index < b.index }
}

/// A half-open byte range `[start, end)` in one file.
///
/// Every node of the syntax tree holds one or more, so it is stored in 12 bytes (three
/// `UInt32`s) and read as `Int`s. That is exact for every source the parser accepts: it
/// refuses a file of 4 GiB or more (`Parser.maxSourceBytes`) with a diagnostic. A value out
/// of that range is clamped to it.
public struct SourceRange: Hashable, Sendable {
    private var fileIndex: UInt32
    private var startOffset: UInt32
    private var endOffset: UInt32

    /// The file the range is in.
    public var file: FileID {
        get { FileID(index: Int(fileIndex)) }
        set { fileIndex = UInt32(clamping: newValue.index) }
    }
    /// The first byte's offset, 0-based.
    public var start: Int {
        get { Int(startOffset) }
        set { startOffset = UInt32(clamping: newValue) }
    }
    /// The offset just past the last byte (equal to `start` for an empty range).
    public var end: Int {
        get { Int(endOffset) }
        set { endOffset = UInt32(clamping: newValue) }
    }

    /// A range of `file`'s bytes; an `end` before `start` is taken as `start`.
    public init(file: FileID, start: Int, end: Int) {
        self.fileIndex = UInt32(clamping: file.index)
        self.startOffset = UInt32(clamping: start)
        self.endOffset = UInt32(clamping: max(start, end))
    }

    /// The smallest range covering both (same file assumed).
    public func extended(to other: SourceRange) -> SourceRange {
        var extended = self
        extended.startOffset = min(startOffset, other.startOffset)
        extended.endOffset = max(endOffset, other.endOffset)
        return extended
    }
}

/// A line and column, both 1-based; the column counts Unicode scalars.
public struct SourceLocation: Hashable, Sendable {
    /// The line, 1-based.
    public var line: Int
    /// The column, 1-based, in Unicode scalars.
    public var column: Int
}

/// One script's bytes with a lazily built table of line starts.
public final class SourceFile: @unchecked Sendable {
    /// The path the file was loaded from, or the name it was given.
    public let path: String
    /// The file's bytes, as read (UTF-8 expected).
    public let bytes: [UInt8]
    // Built once on first use; guarded by the fact that diagnostics are rendered after
    // evaluation on the thread that owns the map. The lock keeps it safe regardless.
    private var lineStartsStorage: [Int]?
    private let lock = NSLock()

    /// A file of `bytes` known as `path`.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    /// A file holding `text` as UTF-8, known as `path`.
    public convenience init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// The byte offset of each line's start, the first being 0.
    public var lineStarts: [Int] {
        lock.withLock {
            if let starts = lineStartsStorage { return starts }
            var starts = [0]
            starts.reserveCapacity(bytes.count / 32 + 1)
            for (offset, byte) in bytes.enumerated() where byte == 0x0A { starts.append(offset + 1) }
            lineStartsStorage = starts
            return starts
        }
    }

    /// The 0-based line index containing `offset`.
    public func lineIndex(of offset: Int) -> Int {
        let starts = lineStarts
        var low = 0, high = starts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// The line and column of a byte offset (clamped to the file); a byte-order mark does not count as a column.
    public func location(of offset: Int) -> SourceLocation {
        let clamped = min(max(0, offset), bytes.count)
        let line = lineIndex(of: clamped)
        var start = lineStarts[line]
        // A byte-order mark is not a character of the first line.
        if line == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]), clamped >= 3 { start = 3 }
        var column = 1
        var index = start
        while index < clamped {
            // Count scalars: every byte that is not a UTF-8 continuation byte starts one.
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return SourceLocation(line: line + 1, column: column)
    }

    /// The text of a 0-based line, without its line terminator.
    public func lineText(_ line: Int) -> String {
        let starts = lineStarts
        guard line >= 0, line < starts.count else { return "" }
        let start = starts[line]
        var end = line + 1 < starts.count ? starts[line + 1] - 1 : bytes.count
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// The text of `range` (clamped to the file), invalid UTF-8 replaced.
    public func text(_ range: SourceRange) -> String {
        let start = min(max(0, range.start), bytes.count)
        let end = min(max(start, range.end), bytes.count)
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

/// Every file loaded during one run, so diagnostics can be rendered later.
public final class SourceMap: @unchecked Sendable {
    private var files: [SourceFile] = []
    private let lock = NSLock()

    /// An empty map.
    public init() {}

    /// Adds a file and returns its identifier (the next index).
    public func add(_ file: SourceFile) -> FileID {
        lock.withLock {
            files.append(file)
            return FileID(index: files.count - 1)
        }
    }

    /// The file `id` identifies; `id` must come from this map.
    public func file(_ id: FileID) -> SourceFile {
        lock.withLock { files[id.index] }
    }

    /// How many files the map holds.
    public var count: Int { lock.withLock { files.count } }
}
