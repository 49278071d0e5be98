// Runtime values. A bare name evaluates to a string, so `c1 == "c1"` holds.

public enum Value: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case list([Value])
    /// The result of an expression that already failed: it silences follow-on errors.
    case poison

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
        switch self {
        case .string(let s): s
        case .integer(let i): String(i)
        case .boolean(let b): b ? "true" : "false"
        case .list(let items): "[" + items.map(\.literal).joined(separator: ", ") + "]"
        case .poison: "<invalid>"
        }
    }

    /// The value written back as MeshScript source (strings quoted and escaped).
    public var literal: String {
        switch self {
        case .string(let s): Value.quote(s)
        case .list(let items): "[" + items.map(\.literal).joined(separator: ", ") + "]"
        default: text
        }
    }

    public var isPoison: Bool {
        switch self {
        case .poison: true
        case .list(let items): items.contains(where: \.isPoison)
        default: false
        }
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
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
        return out + "\""
    }
}
