// Runtime values. A bare name evaluates to a string, so `c1 == "c1"` holds.
//
// A list shares its items' storage (building `[$a, $a]` copies nothing), so a value a few
// statements build can stand for 2^40 elements. Whatever walks a value (printing, `str`,
// `==`) therefore charges the elements it visits as it goes (ValueWalks.swift), and a list
// knows its nesting depth, so a value nested too deeply is refused where it is built.

/// A runtime value: a string, an integer, a boolean, a list or a map.
public enum Value: Sendable, Hashable {
    /// A string (a bare name evaluates to one).
    case string(String)
    /// A 64-bit integer.
    case integer(Int)
    /// `true` or `false`.
    case boolean(Bool)
    /// A list. Build one with `Value.list(_:)` (an array of items).
    case list(ValueList)
    /// A map (a record): string keys in the order they were added, each with its value.
    /// Build one with `Value.map(_:)` (an array of key-value pairs). Indirect: the map is
    /// boxed, so a `Value` stays as small as the other cases make it (every value copied in a
    /// loop pays for its size).
    indirect case map(ValueMap)
    /// The result of an expression that already failed: it silences follow-on errors.
    case poison

    /// A list of `items`; poison when one of them is poison (an invalid item spoils the list,
    /// so no list ever holds poison and `isPoison` need not look inside).
    public static func list(_ items: [Value]) -> Value {
        var depth = 0
        for item in items {
            if item.isPoison { return .poison }
            depth = max(depth, item.depth)
        }
        return .list(ValueList(items, depth: depth + 1))
    }

    /// A map of `entries`, in order (a later entry for the same key replaces the earlier value);
    /// poison when one of the values is poison.
    public static func map(_ entries: [(key: String, value: Value)]) -> Value {
        if entries.contains(where: { $0.value.isPoison }) { return .poison }
        return .map(ValueMap.empty.merging(entries))
    }

    /// How many lists and maps deep the value goes: 0 for a string, integer or boolean.
    var depth: Int {
        switch self {
        case .list(let list): list.depth
        case .map(let map): map.depth
        default: 0
        }
    }

    /// The kind of value, as diagnostics name it.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .boolean: "boolean"
        case .list: "list"
        case .map: "map"
        case .poison: "invalid value"
        }
    }

    /// The text `str(x)` and interpolation produce.
    public var text: String {
        if case .string(let s) = self { return s }
        var out = ""
        write(to: &out, quoted: false) { _ in }
        return out
    }

    /// The value written back as MeshScript source (strings quoted and escaped).
    public var literal: String {
        var out = ""
        write(to: &out, quoted: true) { _ in }
        return out
    }

    /// Whether this is the invalid value of an expression that failed. A list is never poison
    /// (`Value.list(_:)` gives poison instead of a list holding it).
    public var isPoison: Bool {
        if case .poison = self { return true }
        return false
    }

    /// `s` as a MeshScript string literal: quoted, with `"`, `\`, `$`, newlines and tabs escaped.
    public static func quote(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

    static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "$": out += "\\$"
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// The items of a list value, with how deeply lists nest in it (so checking the nesting of a
/// list built from it costs nothing). Read it as a collection of values.
///
/// `range(a, b)` gives a list that stores only its bounds: `for` goes through it, `len` counts
/// it and `==` compares it without building its items, so a range of a billion integers takes
/// no memory. It is built item by item only where it must become an array (``items``, `+`).
public struct ValueList: RandomAccessCollection, Hashable, Sendable {
    private enum Storage: Sendable {
        case items([Value])
        /// The integers of a `range()`, not yet built.
        case integers(Range<Int>)
    }

    private let storage: Storage
    /// How many lists deep the value goes: 1 for a list of strings, integers or booleans (or
    /// an empty list), 2 for a list holding such a list, and so on.
    public let depth: Int

    init(_ items: [Value], depth: Int) {
        storage = .items(items)
        self.depth = depth
    }

    /// The integers `range` holds, without building them.
    init(integers range: Range<Int>) {
        storage = .integers(range)
        depth = 1
    }

    /// The integers of a `range()` whose items are not built; nil for any other list.
    var integers: Range<Int>? {
        if case .integers(let range) = storage { return range }
        return nil
    }

    /// Whether this is a `range()` whose items are not built.
    var isRange: Bool {
        if case .integers = storage { return true }
        return false
    }

    /// The items, in order, as an array. For a `range()` this builds every item: go through
    /// the collection instead when the list may be long.
    public var items: [Value] {
        switch storage {
        case .items(let items): items
        case .integers(let range): range.map(Value.integer)
        }
    }

    /// The position of the first item (0).
    public var startIndex: Int { 0 }
    /// One past the position of the last item (the number of items).
    public var endIndex: Int {
        switch storage {
        case .items(let items): items.count
        case .integers(let range): range.count
        }
    }

    /// The item at `position`.
    public subscript(position: Int) -> Value {
        switch storage {
        case .items(let items): items[position]
        case .integers(let range): .integer(range.lowerBound + position)
        }
    }

    /// Whether the two lists are one list in memory (the same array, or equal ranges): then
    /// they are equal without a look inside.
    func sharesStorage(with other: ValueList) -> Bool {
        switch (storage, other.storage) {
        case (.items(let a), .items(let b)):
            a.withUnsafeBufferPointer { p in b.withUnsafeBufferPointer { q in p.baseAddress == q.baseAddress } }
        case (.integers(let a), .integers(let b)): a == b
        default: false
        }
    }

    /// Equal lists have equal items (the depth follows from them).
    public static func == (a: ValueList, b: ValueList) -> Bool {
        if case .integers(let x) = a.storage, case .integers(let y) = b.storage { return x == y || (x.isEmpty && y.isEmpty) }
        return a.count == b.count && a.elementsEqual(b)
    }

    /// Hashes the items, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for item in self { hasher.combine(item) }
    }
}

/// The entries of a map value: string keys in the order they were added, each with its value,
/// and how deeply lists and maps nest in it. Two maps are equal when they hold the same keys
/// with equal values, in whatever order.
public struct ValueMap: Hashable, Sendable {
    /// The keys, in the order they were added.
    public let keys: [String]
    /// The values, in the order of `keys`.
    public let values: [Value]
    private let positions: [String: Int]
    /// How many lists and maps deep the map goes: 1 for a map of strings, integers or booleans
    /// (or an empty map), 2 for a map holding a list or a map of those, and so on.
    public let depth: Int

    init(keys: [String], values: [Value], positions: [String: Int]) {
        self.keys = keys
        self.values = values
        self.positions = positions
        depth = 1 + values.reduce(0) { max($0, $1.depth) }
    }

    /// The empty map.
    public static let empty = ValueMap(keys: [], values: [], positions: [:])

    /// How many entries the map holds.
    public var count: Int { keys.count }

    /// The value for `key`, or nil when the map has no such key.
    public subscript(key: String) -> Value? {
        positions[key].map { values[$0] }
    }

    /// The entries, in order.
    public var entries: [(key: String, value: Value)] { Array(zip(keys, values)) }

    /// This map with `other`'s entries added: a key both hold takes `other`'s value and keeps
    /// its place here; new keys follow, in `other`'s order.
    func merging(_ other: ValueMap) -> ValueMap {
        merging(zip(other.keys, other.values).map { (key: $0, value: $1) })
    }

    /// This map with `entries` added, in order: a key it holds takes the entry's value and
    /// keeps its place; new keys follow.
    func merging(_ entries: [(key: String, value: Value)]) -> ValueMap {
        var keys = self.keys, values = self.values, positions = self.positions
        for (key, value) in entries {
            if let position = positions[key] {
                values[position] = value
            } else {
                positions[key] = keys.count
                keys.append(key)
                values.append(value)
            }
        }
        return ValueMap(keys: keys, values: values, positions: positions)
    }

    /// Equal maps hold the same keys with equal values, in any order.
    public static func == (a: ValueMap, b: ValueMap) -> Bool {
        guard a.count == b.count else { return false }
        for (key, value) in zip(a.keys, a.values) where b[key] != value { return false }
        return true
    }

    /// Hashes the entries whatever their order, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (key, value) in zip(keys, values) {
            var entry = Hasher()
            entry.combine(key)
            entry.combine(value)
            combined = combined &+ entry.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}
