// The errors both the resolve pass (before the run) and the evaluator (for what the pass
// could not see: an import with a computed path, a host's call) report: one wording each.

extension Diagnostic {
    static func undefinedVariable(_ name: String, at range: SourceRange, visible: Set<String>) -> Diagnostic {
        var help = "bind it first with: let \(name) = VALUE"
        if let dash = name.firstIndex(of: "-"), visible.contains(String(name[..<dash])) {
            // `$a-1` is the variable `a-1`: names may contain dashes.
            help = "names may contain '-', so this is one variable; to subtract, write: $\(name[..<dash]) - \(name[name.index(after: dash)...])"
        } else if let suggestion = Suggestions.closest(to: name, in: visible) {
            help = "did you mean '$\(suggestion)'?"
        }
        return .error("undefined variable '$\(name)'", at: range, help: help)
    }

    static func unboundSet(_ name: String, at range: SourceRange, visible: Set<String>) -> Diagnostic {
        let suggestion = Suggestions.closest(to: name, in: visible)
        return .error("'set' needs a bound variable, and '$\(name)' is not bound", at: range,
                      help: (suggestion.map { "did you mean '$\($0)'? or " } ?? "") + "bind it first with: let \(name) = VALUE")
    }

    static func yieldOutsideRecipe(at range: SourceRange) -> Diagnostic {
        .error("'yield' outside a recipe", at: range, help: "'yield' runs the block a recipe's caller gives it: use it in a recipe's body")
    }

    static func returnOutsideRecipe(at range: SourceRange) -> Diagnostic {
        .error("'return' outside a recipe", at: range, help: "'return' ends a recipe's call with a value: use it in a recipe's body")
    }

    static func returnLeavingCommandBlock(at range: SourceRange) -> Diagnostic {
        .error("'return' cannot leave a command's block", at: range,
               help: "end the block first, then return: let the block set a variable with 'set', and return it after the block")
    }

    static func recipeTakesNoBlock(_ recipe: RecipeDeclaration, at range: SourceRange) -> Diagnostic {
        .error("recipe '\(recipe.name)' does not take a block", at: range,
               notes: [.init("'\(recipe.name)' has no 'yield' to run a block", at: recipe.nameRange)],
               help: "remove the block, or write 'yield' in the recipe where the block should run")
    }

    static func builtInRedefined(_ recipe: RecipeDeclaration, isFunction: Bool) -> Diagnostic {
        .error("'\(recipe.name)' is a built-in \(isFunction ? "function" : "command") and cannot be redefined", at: recipe.nameRange,
               help: "choose another name for the recipe")
    }

    static func misplaced(_ command: CommandSignature, at range: SourceRange) -> Diagnostic {
        let places = command.allowedIn.map { $0 == .topLevel ? "at the top level" : "inside a \($0) block" }
        return .error("'\(command.name)' is only valid \(places.joined(separator: " or "))", at: range, help: "usage: \(command.usage)")
    }

    static func takesNoBlock(_ command: CommandSignature, at range: SourceRange) -> Diagnostic {
        .error("'\(command.name)' does not take a block", at: range, help: "usage: \(command.usage)")
    }

    static func needsBlock(_ command: CommandSignature, at range: SourceRange) -> Diagnostic {
        .error("'\(command.name)' needs a block", at: range, help: "usage: \(command.usage)")
    }
}
