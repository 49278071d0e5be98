// A recipe call's arguments against the recipe's parameters: one matching, and one set of
// messages, for the resolve pass (before the run) and the evaluator (a call it could not see
// before, such as one from the host or into an import with a computed path).

/// Why a call's arguments do not fit its recipe.
struct ArgumentMismatch: Error {
    var diagnostic: Diagnostic
}

extension RecipeDeclaration {
    /// "'NAME' is defined here", the note of every call error.
    var definedHere: Diagnostic.Note { .init("'\(name)' is defined here", at: nameRange) }

    /// Whether every parameter is required and untyped: a call only needs the right count.
    var hasPlainParameters: Bool { parameters.allSatisfy { $0.defaultValue == nil && $0.kind == nil } }

    /// "takes N arguments, got M", for a recipe with plain parameters called at `range`.
    func wrongCount(_ count: Int, at range: SourceRange) -> Diagnostic {
        let expected = parameters.count
        return .error("recipe '\(name)' takes \(expected) argument\(expected == 1 ? "" : "s"), got \(count)", at: range, notes: [definedHere])
    }

    /// Which argument gives each parameter: the index of a positional argument, or of a
    /// keyword argument counted after the positional ones; nil for a parameter left to its
    /// default. Arguments are given by where they are written.
    func match(positional: [SourceRange], keywords: [(name: String, range: SourceRange)],
               callRange: SourceRange) throws(ArgumentMismatch) -> [Int?] {
        if hasPlainParameters, keywords.isEmpty {
            guard positional.count == parameters.count else { throw ArgumentMismatch(diagnostic: wrongCount(positional.count, at: callRange)) }
            return Array(positional.indices)
        }
        guard positional.count <= parameters.count else {
            let count = parameters.count
            let expected = parameters.contains { $0.defaultValue != nil } ? "at most \(count)" : "\(count)"
            throw ArgumentMismatch(diagnostic: .error("recipe '\(name)' takes \(expected) argument\(count == 1 ? "" : "s"), got \(positional.count)",
                                                      at: positional[count], notes: [definedHere]))
        }
        var given: [Int?] = parameters.indices.map { $0 < positional.count ? $0 : nil }
        let ranges = positional + keywords.map(\.range)
        for (offset, keyword) in keywords.enumerated() {
            guard let index = parameters.firstIndex(where: { $0.name == keyword.name }) else {
                let suggestion = Suggestions.closest(to: keyword.name, in: parameters.map(\.name))
                let names = parameters.isEmpty ? "no parameters" : "parameters " + parameters.map { "'\($0.name)'" }.joined(separator: ", ")
                throw ArgumentMismatch(diagnostic: .error("recipe '\(name)' has no parameter '\(keyword.name)'", at: keyword.range, notes: [definedHere],
                                                          help: suggestion.map { "did you mean '\($0)'?" } ?? "'\(name)' has \(names)"))
            }
            if let earlier = given[index] {
                throw ArgumentMismatch(diagnostic: .error("argument '\(keyword.name)' of recipe '\(name)' is given twice", at: keyword.range,
                                                          notes: [.init("first given here", at: ranges[earlier]), definedHere]))
            }
            given[index] = positional.count + offset
        }
        let missing = parameters.indices.filter { given[$0] == nil && parameters[$0].defaultValue == nil }.map { "'\(parameters[$0].name)'" }
        guard missing.isEmpty else {
            let usage = parameters.map { $0.defaultValue == nil ? $0.name.uppercased() : "[\($0.name) = VALUE]" }.joined(separator: " ")
            throw ArgumentMismatch(diagnostic: .error("recipe '\(name)' needs argument\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))",
                                                      at: callRange, notes: [definedHere], help: "usage: \(name) \(usage)"))
        }
        return given
    }
}
