// Help and usage, from the declarations: OVERVIEW, the discussion, USAGE, ARGUMENTS, OPTIONS
// (value names, allowed values, defaults) and SUBCOMMANDS, wrapped to 80 columns.

extension CommandLineParser {
    /// The width help is wrapped to.
    static let width = 80
    /// Where the help of each argument starts.
    static let helpColumn = 26

    /// The help of the command at `path`.
    package func help(path: [String]) -> String {
        let command = command(at: path)
        let isRoot = path.count == 1
        var sections = [Self.wrap("OVERVIEW: " + command.abstract, indent: 0)]
        if !command.discussion.isEmpty { sections.append(Self.wrap(command.discussion, indent: 0)) }
        sections.append("USAGE: " + usage(path: path))
        let positionals = command.arguments.filter(\.isPositional)
        if !positionals.isEmpty { sections.append("ARGUMENTS:\n" + positionals.map(Self.entry).joined()) }
        let options = command.arguments.filter { !$0.isPositional } + builtInOptions(isRoot: isRoot)
        sections.append("OPTIONS:\n" + options.map(Self.entry).joined())
        if !command.subcommands.isEmpty {
            let rows = command.subcommands.map { Self.row(label: $0.name, text: $0.declaration.abstract) }.joined()
            sections.append("SUBCOMMANDS:\n" + rows + "\n  See '\(root.name) help <subcommand>' for detailed help.\n")
        }
        return sections.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined(separator: "\n")
    }

    /// One line: the command, its required options, `[<options>]` when it has others, its positionals.
    package func usage(path: [String]) -> String {
        let command = command(at: path)
        var words = [path.joined(separator: " ")]
        if !command.subcommands.isEmpty { words.append("<subcommand>") }
        let named = command.arguments.filter { !$0.isPositional }
        words += named.filter { $0.isRequired && $0.takesValue }.map(\.label)
        if named.contains(where: { !$0.isRequired }) { words.append("[<options>]") }
        words += command.arguments.filter(\.isPositional).map { $0.isRequired ? $0.label : "[\($0.label)]" }
        return words.joined(separator: " ")
    }

    /// What a usage error prints: the message, the usage line and where the help is.
    package func usageErrorText(_ error: UsageError) -> String {
        let path = error.commandPath.isEmpty ? [root.name] : error.commandPath
        let helpCommand = (path + ["--help"]).joined(separator: " ")
        return "error: \(error.message)\nusage: \(usage(path: path))\nSee '\(helpCommand)'.\n"
    }

    private static func entry(_ argument: ArgumentDeclaration) -> String {
        var text = argument.help
        var notes: [String] = []
        if !argument.allowedValues.isEmpty { notes.append("values: " + argument.allowedValues.joined(separator: ", ")) }
        if let defaultValue = argument.defaultValue { notes.append("default: " + defaultValue) }
        if !notes.isEmpty { text += " (" + notes.joined(separator: "; ") + ")" }
        return row(label: argument.label, text: text)
    }

    /// `  label   text`, the text wrapped at the help column (below the label when it is too long).
    private static func row(label: String, text: String) -> String {
        let indent = String(repeating: " ", count: helpColumn)
        let lines = wrapLine(text, width: width - helpColumn)
        let first = "  " + label
        guard first.count <= helpColumn - 2 else {
            return first + "\n" + lines.map { indent + $0 + "\n" }.joined()
        }
        let padded = first + String(repeating: " ", count: helpColumn - first.count)
        return padded + (lines.first ?? "") + "\n" + lines.dropFirst().map { indent + $0 + "\n" }.joined()
    }

    /// `text` wrapped line by line; each line keeps its own leading spaces.
    package static func wrap(_ text: String, indent: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let lead = line.prefix { $0 == " " }.count
            let pad = String(repeating: " ", count: indent + lead)
            return wrapLine(String(line.dropFirst(lead)), width: width - indent - lead).map { pad + $0 }.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The words of `text` in lines of at most `width` characters (a longer word gets a line of its own).
    static func wrapLine(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return lines.isEmpty || !line.isEmpty ? lines + [line] : lines
    }
}
