// Walks over a value's elements: writing it out (print, `str`, interpolation, diagnostics)
// and comparing two values. A list shares its items' storage, so a value a few statements
// build (`let a1 = [$a0, $a0]`, ...) can stand for 2^40 elements: a walk charges what it
// visits, in batches, through `charge` (the evaluator's step budget), and so stops soon after
// the budget is spent instead of after finishing. The walks are iterative: the nesting of a
// value is capped, but a host may raise the cap.

/// How much a walk visits before it charges: few enough that a walk stops soon after the
/// budget is spent, enough that a small value is charged once.
private let walkBatch = 1024

extension Value {
    /// Append the text of the value (its `literal` when `quoted`) to `out`. Each list item
    /// visited costs 1, plus 1 per 64 bytes of a string item; the total is passed to `charge`
    /// in batches (a value that is not a list costs nothing: it was charged when built).
    /// Stops once `out` holds more than `limit` bytes, returning false.
    @discardableResult
    func write(to out: inout String, quoted: Bool, limit: Int = .max, charge: (Int) throws -> Void) rethrows -> Bool {
        var stack: [WriteFrame]
        switch self {
        case .list(let list):
            stack = [.list(list, 0)]
            out += "["
        case .map(let map):
            stack = [.map(map, 0)]
            out += "{"
        default:
            Value.writeScalar(self, quoted: quoted, to: &out)
            return out.utf8.count <= limit
        }
        var pending = 0
        while let top = stack.indices.last {
            guard let (index, item) = stack[top].next() else {
                out += stack.removeLast().closer
                continue
            }
            if index > 0 { out += ", " }
            if case .map(let map, _) = stack[top] {
                Value.appendKey(map.keys[index], to: &out)
                out += ": "
            }
            pending += 1
            switch item {
            case .list(let inner):
                out += "["
                stack.append(.list(inner, 0))
            case .map(let inner):
                out += "{"
                stack.append(.map(inner, 0))
            case .string(let s):
                pending += s.utf8.count >> 6
                Value.appendQuoted(s, to: &out)
            case let scalar:
                Value.writeScalar(scalar, quoted: true, to: &out)
            }
            if pending >= walkBatch {
                try charge(pending)
                pending = 0
            }
            if out.utf8.count > limit { return false }
        }
        if pending > 0 { try charge(pending) }
        return out.utf8.count <= limit
    }

    /// A list or map being written, with the position of its next item.
    private enum WriteFrame {
        case list(ValueList, Int)
        case map(ValueMap, Int)

        /// The next item and its position, advancing past it; nil at the end.
        mutating func next() -> (Int, Value)? {
            switch self {
            case .list(let list, let index):
                guard index < list.count else { return nil }
                self = .list(list, index + 1)
                return (index, list[index])
            case .map(let map, let index):
                guard index < map.count else { return nil }
                self = .map(map, index + 1)
                return (index, map.values[index])
            }
        }

        var closer: String {
            if case .map = self { return "}" }
            return "]"
        }
    }

    /// A map key as a literal writes it: bare when it reads as a name, else quoted.
    static func appendKey(_ key: String, to out: inout String) {
        let bytes = Array(key.utf8)
        if let first = bytes.first, Lexer.isIdentifierStart(first), bytes.allSatisfy(Lexer.isIdentifierContinue),
           bytes.last != UInt8(ascii: "-"), !Lexer.keywords.contains(key) {
            out += key
        } else {
            appendQuoted(key, to: &out)
        }
    }

    private static func writeScalar(_ value: Value, quoted: Bool, to out: inout String) {
        switch value {
        case .string(let s): if quoted { appendQuoted(s, to: &out) } else { out += s }
        case .integer(let i): out += String(i)
        case .boolean(let b): out += b ? "true" : "false"
        case .poison: out += "<invalid>"
        case .list(let list): out += Value.list(list).literal
        case .map(let map): out += Value.map(map).literal
        }
    }

    /// The value as source, cut to about `maxLength` characters: for quoting it in a
    /// diagnostic, however big it is.
    func preview(maxLength: Int = 80) -> String {
        var out = ""
        if write(to: &out, quoted: true, limit: maxLength, charge: { _ in }) { return out }
        return String(out.prefix(maxLength)) + "…"
    }

    /// Whether `a` equals `b`, as `==` does, charging each pair of list items compared (plus 1
    /// per 64 bytes of compared strings) through `charge` in batches. Lists that share their
    /// storage are equal without a look inside; the first difference ends the walk.
    static func equal(_ a: Value, _ b: Value, charge: (Int) throws -> Void) rethrows -> Bool {
        var stack: [(a: ValueList, b: ValueList, next: Int)] = []
        switch (a, b) {
        case (.list(let x), .list(let y)):
            guard push(x, y, onto: &stack) else { return false }
        case (.map(let x), .map(let y)):
            guard push(x, y, onto: &stack) else { return false }
        default:
            return a == b
        }
        var pending = 0
        var equal = true
        while equal, let top = stack.indices.last {
            let index = stack[top].next
            guard index < stack[top].a.count else {
                stack.removeLast()
                continue
            }
            stack[top].next = index + 1
            pending += 1
            switch (stack[top].a[index], stack[top].b[index]) {
            case (.list(let p), .list(let q)):
                equal = push(p, q, onto: &stack)
            case (.map(let p), .map(let q)):
                equal = push(p, q, onto: &stack)
            case (.string(let p), .string(let q)):
                pending += min(p.utf8.count, q.utf8.count) >> 6
                equal = p == q
            case let (p, q):
                equal = p == q
            }
            if pending >= walkBatch {
                try charge(pending)
                pending = 0
            }
        }
        if pending > 0 { try charge(pending) }
        return equal
    }

    /// Push two lists to compare item by item; false when they cannot be equal. Lists sharing
    /// their storage (or empty) are equal already and are not pushed.
    private static func push(_ a: ValueList, _ b: ValueList, onto stack: inout [(a: ValueList, b: ValueList, next: Int)]) -> Bool {
        guard a.count == b.count, a.depth == b.depth else { return false }
        if !a.isEmpty && !a.sharesStorage(with: b) { stack.append((a, b, 0)) }
        return true
    }

    /// Push two maps to compare as two lists of values, `b`'s in the order of `a`'s keys;
    /// false when their keys differ.
    private static func push(_ a: ValueMap, _ b: ValueMap, onto stack: inout [(a: ValueList, b: ValueList, next: Int)]) -> Bool {
        guard a.count == b.count, a.depth == b.depth else { return false }
        var matched: [Value] = []
        matched.reserveCapacity(b.count)
        for key in a.keys {
            guard let value = b[key] else { return false }
            matched.append(value)
        }
        return push(ValueList(a.values, depth: a.depth), ValueList(matched, depth: b.depth), onto: &stack)
    }
}
