// Runtime values. A bare name evaluates to a string, so `c1 == "c1"` holds.
//
// A list shares its items' storage (building `[$a, $a]` copies nothing), so a value a few
// statements build can stand for 2^40 elements. Whatever walks a value (printing, `str`,
// `==`) therefore charges the elements it visits as it goes (ValueWalks.swift), and a list
// knows its nesting depth, so a value nested too deeply is refused where it is built.

/// A runtime value: a string, an integer, a boolean or a list.
public enum Value: Sendable, Hashable {
    /// A string (a bare name evaluates to one).
    case string(String)
    /// A 64-bit integer.
    case integer(Int)
    /// `true` or `false`.
    case boolean(Bool)
    /// A list. Build one with `Value.list(_:)` (an array of items).
    case list(ValueList)
    /// The result of an expression that already failed: it silences follow-on errors.
    case poison

    /// A list of `items`; poison when one of them is poison (an invalid item spoils the list,
    /// so no list ever holds poison and `isPoison` need not look inside).
    public static func list(_ items: [Value]) -> Value {
        var depth = 0
        for item in items {
            switch item {
            case .poison: return .poison
            case .list(let inner): depth = max(depth, inner.depth)
            default: break
            }
        }
        return .list(ValueList(items, depth: depth + 1))
    }

    /// The kind of value, as diagnostics name it.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .boolean: "boolean"
        case .list: "list"
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
public struct ValueList: RandomAccessCollection, Hashable, Sendable {
    /// The items, in order.
    public let items: [Value]
    /// How many lists deep the value goes: 1 for a list of strings, integers or booleans (or
    /// an empty list), 2 for a list holding such a list, and so on.
    public let depth: Int

    init(_ items: [Value], depth: Int) {
        self.items = items
        self.depth = depth
    }

    /// The position of the first item (0).
    public var startIndex: Int { 0 }
    /// One past the position of the last item (the number of items).
    public var endIndex: Int { items.count }
    /// The item at `position`.
    public subscript(position: Int) -> Value { items[position] }

    /// Equal lists have equal items (the depth follows from them).
    public static func == (a: ValueList, b: ValueList) -> Bool { a.items == b.items }

    /// Hashes the items, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(items) }
}
