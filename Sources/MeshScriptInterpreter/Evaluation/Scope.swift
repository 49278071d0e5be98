// Lexical scopes: variables and recipes. A recipe closes over the scope it was declared in.

public struct Recipe: Sendable {
    public var declaration: RecipeDeclaration
    /// The scope the recipe was declared in, so imported recipes see their own file's `let`s.
    let scope: Scope
}

final class Scope: @unchecked Sendable {
    var variables: [String: (value: Value, range: SourceRange)] = [:]
    var recipes: [String: Recipe] = [:]
    let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    func lookupVariable(_ name: String) -> Value? {
        var scope: Scope? = self
        while let current = scope {
            if let entry = current.variables[name] { return entry.value }
            scope = current.parent
        }
        return nil
    }

    func lookupRecipe(_ name: String) -> Recipe? {
        var scope: Scope? = self
        while let current = scope {
            if let recipe = current.recipes[name] { return recipe }
            scope = current.parent
        }
        return nil
    }

    var visibleVariableNames: Set<String> {
        var names = Set<String>()
        var scope: Scope? = self
        while let current = scope {
            names.formUnion(current.variables.keys)
            scope = current.parent
        }
        return names
    }

    var visibleRecipeNames: Set<String> {
        var names = Set<String>()
        var scope: Scope? = self
        while let current = scope {
            names.formUnion(current.recipes.keys)
            scope = current.parent
        }
        return names
    }
}
