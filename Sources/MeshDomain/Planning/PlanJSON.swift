// plan.json written directly, in one pass over the plan: the same bytes Foundation's JSONEncoder
// gives for the plan's Codable form with [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes],
// at a fraction of its time and memory (the encoder builds a boxed tree of the whole plan first).
// Keys are written in sorted order by hand; the tests compare both outputs byte for byte.

/// A pretty-printed JSON text, built member by member, in JSONEncoder's layout: two-space
/// indentation, `"key" : value`, and an empty container written as an opening and a closing
/// bracket with a blank line between.
struct PrettyJSON {
    /// The text not yet handed to the drain: the first `count` bytes of a buffer of ``capacity``
    /// bytes, which the writer (``Plan/writeJSON(_:steps:)``) allocates and frees.
    private let buffer: UnsafeMutablePointer<UInt8>
    private var count = 0
    /// How many containers are open (the indentation level).
    private var depth = 0
    /// Whether nothing has been written yet in the innermost open container. Its parent's is
    /// always false: the container itself is written there.
    private var isEmpty = true
    /// Takes the text so far whenever it passes ``chunkSize`` (at an element's start), so that
    /// a large plan never holds its whole JSON in memory.
    private let drain: (UnsafeRawBufferPointer) -> Void
    static let chunkSize = 1 << 16
    /// The buffer's size: a piece and room for the element that passes it (a longer string
    /// goes to the drain in more than one piece).
    static let capacity = 2 * chunkSize
    /// The longest piece (a string with its quotes, a key, an indentation) copied in one go;
    /// longer ones go through ``append(_:)`` a buffer at a time.
    private static let piece = 1 << 12

    /// A writer into `buffer`, ``capacity`` bytes that outlive it, handing the text to `drain`.
    init(buffer: UnsafeMutablePointer<UInt8>, drain: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.buffer = buffer
        self.drain = drain
    }

    /// Hands what is left to the drain.
    mutating func finish() {
        drain(UnsafeRawBufferPointer(start: buffer, count: count))
        count = 0
    }

    @inline(__always)
    mutating func object(_ body: (inout PrettyJSON) -> Void) { container(0x7B, 0x7D, body) }
    @inline(__always)
    mutating func array(_ body: (inout PrettyJSON) -> Void) { container(0x5B, 0x5D, body) }

    /// Starts the member `key` of the innermost object; its value is written next. `key` is a
    /// literal of the writer's own, plain ASCII that needs no escape.
    @inline(__always)
    mutating func key(_ key: StaticString) {
        element()
        key.withUTF8Buffer { key in
            reserve(key.count + 5)
            put(0x22)
            (buffer + count).update(from: key.baseAddress!, count: key.count)
            count += key.count
            put(0x22) // " : "
            put(0x20)
            put(0x3A)
            put(0x20)
        }
    }

    /// Starts the member named `key` (a name from the plan, escaped as needed).
    mutating func key(text key: String) {
        element()
        string(key)
        reserve(3)
        put(0x20) // " : "
        put(0x3A)
        put(0x20)
    }

    /// Starts the next element of the innermost array (or the member after a key).
    @inline(__always)
    mutating func element() {
        if count >= Self.chunkSize { finish() }
        let width = 2 * depth
        guard width <= Self.piece else { return longElement() }
        reserve(width + 2 + 8)
        if !isEmpty { put(0x2C) }
        put(0x0A)
        isEmpty = false
        spaces(width)
    }

    /// `width` spaces (at most ``piece``), in room reserved with 8 bytes to spare: written a
    /// word at a time, the last word past the end overwritten by what follows.
    @inline(__always)
    private mutating func spaces(_ width: Int) {
        let target = UnsafeMutableRawPointer(buffer + count)
        var offset = 0
        while offset < width {
            target.storeBytes(of: 0x2020_2020_2020_2020 as UInt64, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        count += width
    }

    /// ``element()`` nested deeper than ``piece`` spaces.
    private mutating func longElement() {
        reserve(2)
        if !isEmpty { put(0x2C) }
        put(0x0A)
        isEmpty = false
        indent()
    }

    /// `text` in quotes, escaped as needed.
    @inline(__always)
    mutating func string(_ text: String) {
        append(0x22)
        characters(text)
        append(0x22)
    }

    /// The characters of a string, escaped as needed, without the quotes around them (which the
    /// caller writes, with a fragment of its layout: see ``fragment(_:)``).
    @inline(__always)
    mutating func characters(_ text: String) {
        // Most strings need no escape: copied whole, then checked.
        if text.utf8.withContiguousStorageIfAvailable({ plainPart($0) }) == true { return }
        for byte in text.utf8 { escaped(byte) }
    }

    /// ``characters(_:)`` of a literal of the step makers: their own text, which needs no escape
    /// (debug builds check it), copied as it is.
    @inline(__always)
    mutating func characters(literal text: StaticString) {
        text.withUTF8Buffer { literal($0) }
    }

    /// ``characters(_:)`` of `text`'s parts, one after another: its literals as they are (see
    /// ``characters(literal:)``), its values escaped as needed.
    mutating func characters(_ text: StepText) {
        text.forEachUTF8(literal: { literal($0) }, value: { utf8 in
            guard !plainPart(utf8) else { return }
            for byte in utf8 { escaped(byte) }
        })
    }

    /// A line of the caller's layout that ends in a string: `opening` (a fragment, which ends in
    /// the opening quote), `text`'s characters escaped as needed, the closing quote (or the
    /// byte `closing`, for a string that goes on). Room for the line is made once, and a plain
    /// string is copied with the fragment around it.
    @inline(__always)
    mutating func string(_ text: String, after opening: StaticString, closing: UInt8 = 0x22) {
        let done = text.utf8.withContiguousStorageIfAvailable { utf8 in
            let start = opening.utf8CodeUnitCount, length = utf8.count
            guard start + length < Self.piece else { return false }
            reserve(start + length + 1)
            let target = buffer + count
            _ = Self.copy(opening.utf8Start, start, to: target, checking: false)
            if let source = utf8.baseAddress, !Self.copy(source, length, to: target + start, checking: true) { return false }
            target[start + length] = closing
            count += start + length + 1
            return true
        }
        if done == true {
            isEmpty = false
            return
        }
        fragment(opening)
        for byte in text.utf8 { escaped(byte) }
        append(closing)
    }

    /// ``string(_:after:)`` of a literal of the step makers (see ``characters(literal:)``).
    @inline(__always)
    mutating func string(literal text: StaticString, after opening: StaticString) {
        let start = opening.utf8CodeUnitCount, length = text.utf8CodeUnitCount
        guard start + length < Self.piece else {
            fragment(opening)
            characters(literal: text)
            return append(0x22)
        }
        text.withUTF8Buffer { assert(!Self.needsEscape($0), "a literal of the step makers that needs an escape") }
        reserve(start + length + 1)
        let target = buffer + count
        _ = Self.copy(opening.utf8Start, start, to: target, checking: false)
        _ = Self.copy(text.utf8Start, length, to: target + start, checking: false)
        target[start + length] = 0x22
        count += start + length + 1
        isEmpty = false
    }

    /// `text` as it is: a piece of the caller's own layout (brackets, a key, the indentation
    /// around them), which needs no escape. The innermost container is no longer empty.
    @inline(__always)
    mutating func fragment(_ text: StaticString) {
        text.withUTF8Buffer { plain($0) }
        isEmpty = false
    }

    /// A literal of the step makers, as it is (see ``characters(literal:)``).
    @inline(__always)
    private mutating func literal(_ utf8: UnsafeBufferPointer<UInt8>) {
        assert(!Self.needsEscape(utf8), "a literal of the step makers that needs an escape: \(String(decoding: utf8, as: UTF8.self))")
        plain(utf8)
    }

    /// Whether a byte of `utf8` needs an escape: a control character, a quote or a backslash.
    private static func needsEscape(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        utf8.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
    }

    /// `utf8`, which needs no escape, as it is.
    @inline(__always)
    private mutating func plain(_ utf8: UnsafeBufferPointer<UInt8>) {
        let length = utf8.count
        guard length <= Self.piece, let source = utf8.baseAddress else { return append(utf8) }
        reserve(length)
        _ = Self.copy(source, length, to: buffer + count, checking: false)
        count += length
    }

    /// `utf8`, without quotes, when it needs no escape (then true); false, with nothing written, otherwise.
    private mutating func plainPart(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let length = utf8.count
        guard length <= Self.piece, let source = utf8.baseAddress else {
            guard !Self.needsEscape(utf8) else { return false }
            append(utf8)
            return true
        }
        reserve(length)
        guard Self.copy(source, length, to: buffer + count, checking: true) else { return false }
        count += length
        return true
    }

    /// Copies the `length` bytes at `source` to `target` and, when `checking`, tells whether none
    /// of them needs an escape (unchecked, the answer means nothing). Eight bytes at a time (the
    /// last word overlapping the one before; two words for eight to sixteen bytes, with no loop),
    /// four for four to seven bytes, one by one below.
    @inline(__always)
    private static func copy(_ source: UnsafePointer<UInt8>, _ length: Int, to target: UnsafeMutablePointer<UInt8>, checking: Bool) -> Bool {
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        if length > 16 {
            var special: UInt64 = 0, offset = 0
            while offset < length - 8 {
                special |= copyWord(UInt64.self, at: offset, from, to, checking)
                offset += 8
            }
            return special | copyWord(UInt64.self, at: length - 8, from, to, checking) == 0
        }
        if length >= 8 { return copyWord(UInt64.self, at: 0, from, to, checking) | copyWord(UInt64.self, at: length - 8, from, to, checking) == 0 }
        if length >= 4 { return copyWord(UInt32.self, at: 0, from, to, checking) | copyWord(UInt32.self, at: length - 4, from, to, checking) == 0 }
        var special: UInt8 = 0
        for index in 0..<length {
            target[index] = source[index]
            if checking { special |= escapes(source[index]) }
        }
        return special == 0
    }

    /// Copies the word at `offset` from `source` to `target`; returns ``escapes(_:)`` of it when `checking`, 0 otherwise.
    @inline(__always)
    private static func copyWord<Word: FixedWidthInteger & UnsignedInteger>(_: Word.Type, at offset: Int, _ source: UnsafeRawPointer,
                                                                           _ target: UnsafeMutableRawPointer, _ checking: Bool) -> Word {
        let word = source.loadUnaligned(fromByteOffset: offset, as: Word.self)
        target.storeBytes(of: word, toByteOffset: offset, as: Word.self)
        return checking ? escapes(word) : 0
    }

    /// Nonzero when a byte of `word` needs an escape: a control character (below 0x20), a quote or
    /// a backslash. The classic tests for a byte below a bound and a zero byte: a borrow crosses into
    /// a byte only from one below it that was found, so the word's answer is exact.
    @inline(__always)
    private static func escapes<Word: FixedWidthInteger & UnsignedInteger>(_ word: Word) -> Word {
        let ones = Word.max / 0xFF, high = ones &* 0x80
        func zeroByte(_ value: Word) -> Word { (value &- ones) & ~value & high }
        return ((word &- ones &* 0x20) & ~word & high) | zeroByte(word ^ (ones &* 0x22)) | zeroByte(word ^ (ones &* 0x5C))
    }

    /// One byte of a string: as it is, or as its JSON escape.
    private mutating func escaped(_ byte: UInt8) {
        reserve(6)
        Self.escape(byte) { put($0) }
    }

    /// `byte` as a JSON string has it, as it is or as its escape, a byte at a time into `put`.
    @inline(__always)
    private static func escape(_ byte: UInt8, _ put: (UInt8) -> Void) {
        func escape(_ letter: UInt8) {
            put(0x5C)
            put(letter)
        }
        switch byte {
        case 0x22, 0x5C: escape(byte)
        case 0x08: escape(0x62)
        case 0x0C: escape(0x66)
        case 0x0A: escape(0x6E)
        case 0x0D: escape(0x72)
        case 0x09: escape(0x74)
        case ..<0x20:
            escape(0x75) // \u00HH
            put(0x30)
            put(0x30)
            put(hex[Int(byte >> 4)])
            put(hex[Int(byte & 0xF)])
        default: put(byte)
        }
    }

    /// `text` as the characters of a JSON string, escaped as needed: for a text written many
    /// times, escaped once (see ``characters(escaped:)``).
    static func escapedCharacters(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 { escape(byte) { bytes.append($0) } }
        return bytes
    }

    /// Characters escaped already (``escapedCharacters(_:)``), as they are.
    mutating func characters(escaped bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { plain($0) }
    }

    mutating func int(_ value: Int) {
        reserve(21)
        if value < 0 { put(0x2D) }
        // The digits counted first, then written from the last into their places (division by
        // the constant 10 is a multiplication).
        var magnitude = value.magnitude, length = 1, probe = magnitude
        while probe >= 10 {
            probe /= 10
            length += 1
        }
        var end = count + length
        repeat {
            end -= 1
            buffer[end] = 0x30 + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        count += length
    }

    /// A bare token: `true`, `false`.
    mutating func literal(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    /// `key` and a string value; nothing when `value` is nil, as the encoder omits nil optionals.
    mutating func member(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        self.key(key)
        string(value)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    @inline(__always)
    private mutating func container(_ open: UInt8, _ close: UInt8, _ body: (inout PrettyJSON) -> Void) {
        self.open(open)
        body(&self)
        self.close(close)
    }

    /// Opens a container (`{` or `[`) whose members or elements come next, then ``close(_:)``.
    @inline(__always)
    mutating func open(_ bracket: UInt8) {
        append(bracket)
        depth += 1
        isEmpty = true
    }

    /// Closes the innermost container with `bracket` (`}` or `]`).
    @inline(__always)
    mutating func close(_ bracket: UInt8) {
        depth -= 1
        reserve(2)
        put(0x0A)
        if isEmpty { put(0x0A) }
        isEmpty = false
        indent()
        append(bracket)
    }

    /// Two spaces per open container.
    @inline(__always)
    private mutating func indent() {
        var width = 2 * depth
        if width <= Self.piece {
            reserve(width + 8)
            return spaces(width)
        }
        while width > 0 {
            let piece = min(width, Self.piece)
            reserve(piece)
            (buffer + count).update(repeating: 0x20, count: piece)
            count += piece
            width -= piece
        }
    }

    /// Makes room for `size` more bytes (at most ``capacity``), handing the text so far to the drain when needed.
    @inline(__always)
    private mutating func reserve(_ size: Int) {
        if count + size > Self.capacity { finish() }
    }

    /// One byte, in room already reserved.
    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        buffer[count] = byte
        count += 1
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        reserve(1)
        put(byte)
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress, !bytes.isEmpty else { return }
        if bytes.count > Self.capacity - count {
            finish()
            guard bytes.count <= Self.capacity else { return drain(UnsafeRawBufferPointer(bytes)) }
        }
        (buffer + count).update(from: start, count: bytes.count)
        count += bytes.count
    }
}

extension Plan {
    /// Writes the plan's members, keys in sorted order, with `writeSteps` writing the elements
    /// of `steps` (this plan's, or the planner's as it makes them).
    func write(to json: inout PrettyJSON, steps writeSteps: (inout PrettyJSON) -> Void) {
        json.object { json in
            json.key("access")
            writeAccess(to: &json)
            json.key("clusters")
            writeClusters(to: &json)
            json.key("formatVersion")
            json.int(formatVersion)
            if let gitops {
                json.key("gitops")
                json.object { json in
                    json.member("path", gitops.path)
                    json.member("repository", gitops.repository)
                    json.member("revision", gitops.revision)
                    json.member("secrets", gitops.secrets)
                    json.member("store", gitops.store)
                }
            }
            if let hostData {
                json.key("hostData")
                json.object { json in
                    json.key("clusters")
                    Self.write(hostData.clusters, &json)
                    json.key("mesh")
                    Self.write(hostData.mesh, &json)
                    json.key("networks")
                    Self.write(hostData.networks, &json)
                }
            }
            json.member("istio", istio)
            json.key("links")
            writeLinks(to: &json)
            json.member("mesh", mesh)
            json.key("steps")
            json.array(writeSteps)
            json.member("workDirectory", workDirectory)
        }
    }

    // The members with an entry per cluster or link are written as fragments of their layout
    // (the member two spaces in, its entries four): a 100,000-cluster plan has 300,000 entries.

    /// `access`'s value: each cluster's context and kubeconfig, by name, names sorted.
    private func writeAccess(to json: inout PrettyJSON) {
        json.fragment("{")
        for (index, name) in access.keys.sorted().enumerated() {
            let entry = access[name]!
            json.string(name, after: index == 0 ? "\n    \"" : ",\n    \"")
            json.string(entry.context, after: " : {\n      \"context\" : \"")
            if let kubeconfig = entry.kubeconfig { json.string(kubeconfig, after: ",\n      \"kubeconfig\" : \"") }
            json.fragment("\n    }")
        }
        json.fragment(access.isEmpty ? "\n\n  }" : "\n  }")
    }

    /// `clusters`' value: the names, in order.
    private func writeClusters(to json: inout PrettyJSON) {
        json.fragment("[")
        for index in clusters.indices { json.string(clusters[index], after: index == 0 ? "\n    \"" : ",\n    \"") }
        json.fragment(clusters.isEmpty ? "\n\n  ]" : "\n  ]")
    }

    /// `links`' value: each link's source and target.
    private func writeLinks(to json: inout PrettyJSON) {
        json.fragment("[")
        for index in links.indices {
            json.string(links[index].source, after: index == 0 ? "\n    {\n      \"source\" : \"" : ",\n    {\n      \"source\" : \"")
            json.string(links[index].target, after: ",\n      \"target\" : \"")
            json.fragment("\n    }")
        }
        json.fragment(links.isEmpty ? "\n\n  ]" : "\n  ]")
    }
}

extension [Plan.Step] {
    /// Each step as the next element of plan.json's `steps`, in the planner's layout (``JSONSteps``).
    func writeElements(to json: inout PrettyJSON) {
        // A plan's own steps name their files by path: no work directory is needed.
        var steps = JSONSteps(json, root: "")
        for step in self { steps.write(step) }
        json = steps.json
    }
}

extension Plan {
    /// Host data by owner name, keys sorted.
    static func write(_ data: [String: [String: HostValue]], _ json: inout PrettyJSON) {
        json.object { json in
            for name in data.keys.sorted() {
                json.key(text: name)
                write(data[name]!, &json)
            }
        }
    }

    static func write(_ data: [String: HostValue], _ json: inout PrettyJSON) {
        json.object { json in
            for key in data.keys.sorted() {
                json.key(text: key)
                data[key]!.write(to: &json)
            }
        }
    }
}

extension HostValue {
    /// The value as plain JSON, map keys sorted (as ``encode(to:)`` gives it with `.sortedKeys`).
    func write(to json: inout PrettyJSON) {
        switch self {
        case .string(let text): json.string(text)
        case .integer(let number): json.int(number)
        case .boolean(let flag): json.literal(flag ? "true" : "false")
        case .list(let items):
            json.array { json in
                for item in items {
                    json.element()
                    item.write(to: &json)
                }
            }
        case .map(let members): Plan.write(members, &json)
        }
    }
}
