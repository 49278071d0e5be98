// The built-in functions every host gets: env, len, range, str.

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
        register(FunctionSignature("len", summary: "len(x): the number of items in a list or characters in a string", arity: 1...1)) { call in
            switch call.arguments[0].value {
            case .list(let items): return .integer(items.count)
            case .string(let s):
                // Counting characters walks the string: charge a long one as building it was.
                if s.utf8.count >= 64 { try call.charge(s.utf8.count / 64) }
                return .integer(s.count)
            case let other: throw CommandError("len() takes a list or a string, not \(other.typeName)", at: call.arguments[0].range)
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
    }
}
