// The built-in functions every host gets: env, len, range, str, keys, values, and the string
// functions lower, upper, replace, join, split and format.

extension Interpreter {
    func registerStandardFunctions() {
        register(FunctionSignature("env", summary: "env(\"NAME\") or env(\"NAME\", default): an environment variable", arity: 1...2)) { [unowned self] call in
            guard let name = call.arguments[0].string else {
                throw CommandError("env() takes the variable's name as a string", at: call.arguments[0].range)
            }
            if let value = environment(name) { return .string(value) }
            if call.arguments.count == 2 { return call.arguments[1].value }
            throw CommandError("environment variable '\(name)' is not set", at: call.range,
                               help: "set it, or give a default: env(\"\(name)\", \"value\")")
        }
        register(FunctionSignature("len", summary: "len(x): the number of items in a list, entries in a map or characters in a string", arity: 1...1)) { call in
            switch call.arguments[0].value {
            case .list(let items): return .integer(items.count)
            case .map(let map): return .integer(map.count)
            case .string(let s):
                // Counting characters walks the string: charge a long one as building it was.
                if s.utf8.count >= 64 { try call.charge(s.utf8.count / 64) }
                return .integer(s.count)
            case let other: throw CommandError("len() takes a list, a map or a string, not \(other.typeName)", at: call.arguments[0].range)
            }
        }
        register(FunctionSignature("range", summary: "range(a, b): the integers a, a+1, ..., b-1", arity: 1...2)) { call in
            var bounds: [Int] = []
            for argument in call.arguments {
                guard let value = argument.integer else {
                    throw CommandError("range() takes integers, not \(argument.value.typeName)", at: argument.range)
                }
                bounds.append(value)
            }
            let (low, high) = bounds.count == 1 ? (0, bounds[0]) : (bounds[0], bounds[1])
            guard high > low else { return .list([]) }
            guard !high.subtractingReportingOverflow(low).overflow else {
                throw CommandError("range(\(low), \(high)) has more than \(Int.max) items", at: call.range)
            }
            // Only the bounds: `for` takes one integer at a time, charging a step for each.
            return .list(ValueList(integers: low..<high))
        }
        register(FunctionSignature("str", summary: "str(x): x as a string", arity: 1...1)) { [unowned self] call in
            // Charged and bounded as it is built; the caller charges the result to the value budget.
            .string(try text(of: call.arguments[0].value, at: call.range))
        }
        registerMapFunctions()
        registerStringFunctions()
    }

    private func registerMapFunctions() {
        register(FunctionSignature("keys", summary: "keys(m): a map's keys, in order", arity: 1...1)) { call in
            let map = try Self.mapArgument(call, 0)
            try call.charge(1 + map.count)
            return .list(map.keys.map(Value.string))
        }
        register(FunctionSignature("values", summary: "values(m): a map's values, in the order of its keys", arity: 1...1)) { call in
            let map = try Self.mapArgument(call, 0)
            try call.charge(1 + map.count)
            return .list(map.values)
        }
    }

    private func registerStringFunctions() {
        register(FunctionSignature("lower", summary: "lower(s): s in lower case", arity: 1...1)) { call in
            let s = try Self.stringArgument(call, 0)
            try call.charge(1 + s.utf8.count / 64)
            return .string(s.lowercased())
        }
        register(FunctionSignature("upper", summary: "upper(s): s in upper case", arity: 1...1)) { call in
            let s = try Self.stringArgument(call, 0)
            try call.charge(1 + s.utf8.count / 64)
            return .string(s.uppercased())
        }
        register(FunctionSignature("replace", summary: "replace(s, old, new): s with every old replaced by new", arity: 3...3)) { [unowned self] call in
            let (s, old, new) = (try Self.stringArgument(call, 0), try Self.stringArgument(call, 1), try Self.stringArgument(call, 2))
            guard !old.isEmpty else { throw CommandError("replace() needs a non-empty string to replace", at: call.arguments[1].range) }
            try call.charge(1 + s.utf8.count / 64)
            let found = s.ranges(of: old).count
            // Refused before it is built: a short string with many matches could grow past any limit.
            try refuseLongString(s.utf8.count + found * (new.utf8.count - old.utf8.count), at: call.range)
            try call.charge(found * (1 + new.utf8.count / 64))
            return .string(s.replacing(old, with: new))
        }
        register(FunctionSignature("join", summary: "join(list, sep): the items' text with sep between them", arity: 2...2)) { [unowned self] call in
            guard case .list(let items) = call.arguments[0].value else {
                throw CommandError("join() takes a list first, not \(call.arguments[0].value.typeName)", at: call.arguments[0].range)
            }
            let separator = try Self.stringArgument(call, 1)
            var result = ""
            for (index, item) in items.enumerated() {
                if index > 0 { result += separator }
                try append(item, to: &result, at: call.range)
                try refuseLongString(result.utf8.count, at: call.range)
            }
            try call.charge(1 + items.count + result.utf8.count / 64)
            return .string(result)
        }
        register(FunctionSignature("split", summary: "split(s, sep): the pieces of s between each sep", arity: 2...2)) { call in
            let (s, separator) = (try Self.stringArgument(call, 0), try Self.stringArgument(call, 1))
            guard !separator.isEmpty else {
                throw CommandError("split() needs a non-empty separator", at: call.arguments[1].range,
                                   help: "for the characters of a string, index it: $s[0], $s[1:3]")
            }
            try call.charge(1 + s.utf8.count / 64)
            let pieces = s.split(separator: separator, omittingEmptySubsequences: false)
            try call.charge(pieces.count)
            return .list(pieces.map { .string(String($0)) })
        }
        register(FunctionSignature("format", summary: "format(template, values...): the template with each {} (or {0}, {1}, ...) replaced by a value's text; {{ and }} are braces",
                                   arity: 1...100)) { [unowned self] call in
            try format(call)
        }
    }

    /// `format(template, values...)`: `{}` takes the next value, `{N}` the value N; `{{` and
    /// `}}` are braces. Every value must be used, and a template uses one style or the other.
    private func format(_ call: FunctionCall) throws -> Value {
        let template = try Self.stringArgument(call, 0)
        let values = call.arguments.dropFirst()
        var texts: [String?] = Array(repeating: nil, count: values.count)
        var result = "", next = 0, automatic = false, numbered = false
        var characters = template[...]
        let at = call.arguments[0].range
        while let c = characters.popFirst() {
            if c == "}" {
                guard characters.popFirst() == "}" else {
                    throw CommandError("format(): a '}' without its '{'", at: at, help: "write '}}' for a '}' in the text")
                }
                result += "}"
                continue
            }
            guard c == "{" else { result.append(c); continue }
            if characters.first == "{" { characters.removeFirst(); result += "{"; continue }
            let digits = characters.prefix { $0.isASCII && $0.isNumber }
            characters = characters.dropFirst(digits.count)
            guard characters.popFirst() == "}" else {
                throw CommandError("format(): a '{' must be followed by '}' or an index and '}'", at: at,
                                   help: "write {} for the next value, {0} for the first, '{{' for a '{' in the text")
            }
            let index: Int
            if digits.isEmpty {
                automatic = true
                index = next
                next += 1
            } else {
                numbered = true
                index = Int(digits) ?? .max
            }
            if automatic && numbered {
                throw CommandError("format() mixes '{}' and numbered placeholders", at: at, help: "use {} throughout, or {0}, {1}, ... throughout")
            }
            guard index < values.count else {
                throw CommandError("format() has no value for placeholder \(digits.isEmpty ? "\(index + 1) ('{}')" : "{\(digits)}"): it was given \(values.count) value\(values.count == 1 ? "" : "s")",
                                   at: call.range, help: "give a value for each placeholder")
            }
            if texts[index] == nil { texts[index] = try text(of: values[values.startIndex + index].value, at: call.range) }
            result += texts[index]!
            try refuseLongString(result.utf8.count, at: call.range)
        }
        if let unused = texts.firstIndex(where: { $0 == nil }) {
            throw CommandError("format() uses \(texts.count - texts.filter { $0 == nil }.count) of its \(values.count) values; value \(unused + 1) is never used",
                               at: call.range, help: "add a placeholder for it, or remove it")
        }
        try call.charge(1 + template.utf8.count / 64 + result.utf8.count / 64)
        return .string(result)
    }

    /// Refuse a string a function would build past `limits.maxStringBytes`, before it builds it.
    private func refuseLongString(_ bytes: Int, at range: SourceRange) throws {
        let limit = limits.maxStringBytes
        guard bytes > limit else { return }
        throw CommandError("a string of \(bytes) bytes exceeds the limit of \(limit) bytes (Limits.maxStringBytes)", at: range,
                           help: "build smaller strings, or let the host raise Limits.maxStringBytes")
    }

    private static func stringArgument(_ call: FunctionCall, _ index: Int) throws -> String {
        guard let s = call.arguments[index].string else {
            let value = call.arguments[index].value
            throw CommandError("\(call.name)() takes a string\(index == 0 ? "" : " as argument \(index + 1)"), not \(value.typeName) \(value.preview())",
                               at: call.arguments[index].range, help: value.typeName == "string" ? nil : "convert with str()")
        }
        return s
    }

    private static func mapArgument(_ call: FunctionCall, _ index: Int) throws -> ValueMap {
        guard case .map(let map) = call.arguments[index].value else {
            let value = call.arguments[index].value
            throw CommandError("\(call.name)() takes a map, not \(value.typeName) \(value.preview())", at: call.arguments[index].range)
        }
        return map
    }
}
