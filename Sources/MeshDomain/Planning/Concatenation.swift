// Strings the planner makes per cluster (paths, flags), joined in one allocation.

extension String {
    /// The parts one after another, made in one allocation with the bytes copied in: `+` and
    /// interpolation go through the general append, which costs several times the copy, and a
    /// plan of 100,000 clusters makes a few such strings per cluster.
    init(concatenating a: String, _ b: String, _ c: String = "", _ d: String = "", _ e: String = "") {
        let length = a.utf8.count + b.utf8.count + c.utf8.count + d.utf8.count + e.utf8.count
        self.init(unsafeUninitializedCapacity: length) { buffer in
            var end = Self.copy(a, into: buffer, at: 0)
            end = Self.copy(b, into: buffer, at: end)
            end = Self.copy(c, into: buffer, at: end)
            end = Self.copy(d, into: buffer, at: end)
            return Self.copy(e, into: buffer, at: end)
        }
    }

    /// Copies `text`'s bytes into `buffer` at `offset`; returns the offset after them.
    @inline(__always)
    private static func copy(_ text: String, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
        func copy(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
            guard let source = utf8.baseAddress, !utf8.isEmpty else { return offset }
            (buffer.baseAddress! + offset).initialize(from: source, count: utf8.count)
            return offset + utf8.count
        }
        if let end = text.utf8.withContiguousStorageIfAvailable(copy) { return end }
        var text = text
        return text.withUTF8(copy)
    }
}
