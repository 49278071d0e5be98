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
        guard case .list(let list) = self else {
            Value.writeScalar(self, quoted: quoted, to: &out)
            return out.utf8.count <= limit
        }
        var pending = 0
        var stack: [(items: ValueList, next: Int)] = [(list, 0)]
        out += "["
        while let top = stack.indices.last {
            let index = stack[top].next
            guard index < stack[top].items.count else {
                stack.removeLast()
                out += "]"
                continue
            }
            stack[top].next = index + 1
            if index > 0 { out += ", " }
            pending += 1
            switch stack[top].items[index] {
            case .list(let inner):
                out += "["
                stack.append((inner, 0))
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

    private static func writeScalar(_ value: Value, quoted: Bool, to out: inout String) {
        switch value {
        case .string(let s): if quoted { appendQuoted(s, to: &out) } else { out += s }
        case .integer(let i): out += String(i)
        case .boolean(let b): out += b ? "true" : "false"
        case .poison: out += "<invalid>"
        case .list(let list): out += Value.list(list).literal
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
        guard case .list(let x) = a, case .list(let y) = b else { return a == b }
        var stack: [(a: ValueList, b: ValueList, next: Int)] = []
        guard push(x, y, onto: &stack) else { return false }
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
}
