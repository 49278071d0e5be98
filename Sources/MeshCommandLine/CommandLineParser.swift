// Reading argv against the declarations: subcommand, options (`--name VALUE`, `--name=VALUE`,
// combined short flags `-qy`), `--` ending options, positionals; and the built-ins every
// command has (`-h`/`--help`, `help CMD`) and the root's (`--version`,
// `--generate-completion-script SHELL`).
import NameSuggestions

/// The shells `--generate-completion-script` writes a script for.
package enum Shell: String, Sendable, CaseIterable {
    case bash, zsh, fish
}

/// What the command line asks for.
package enum CommandLineRequest: Sendable {
    /// Run the command at `path` (`["meshscript", "check"]`; the root alone is `["meshscript"]`) with `arguments`.
    case run(path: [String], arguments: ParsedArguments)
    /// Print the help of the command at `path`.
    case help(path: [String])
    /// Print the version.
    case version(String)
    /// Print the completion script for `shell`.
    case completionScript(Shell)
}

/// Parses a command line against a root ``CommandDeclaration``.
package struct CommandLineParser: Sendable {
    /// The program's declaration, with its subcommands.
    package let root: CommandDeclaration

    /// The option that prints a completion script (the root's).
    package static let completionOption = "generate-completion-script"

    /// A parser for `root`'s command line.
    package init(root: CommandDeclaration) { self.root = root }

    /// What `arguments` (argv without the program) ask for; a ``UsageError`` naming its command when
    /// they cannot be read. `-h` or `--help` anywhere before `--` is a help request, even after an error.
    package func parse(_ arguments: [String]) throws(UsageError) -> CommandLineRequest {
        var cursor = ArgumentCursor(arguments)
        var path = [root.name]
        var command = root
        var parsed = ParsedArguments()
        var positionals: [String] = []
        do throws(UsageError) {
            while let argument = cursor.next() {
                if cursor.optionsEnded || !ArgumentCursor.isOption(argument) {
                    if path.count == 1 && !root.subcommands.isEmpty {
                        if argument == "help" { return try helpRequest(cursor.rest) }
                        command = try subcommand(argument)
                        path.append(command.name)
                    } else {
                        positionals.append(argument)
                    }
                } else if argument == "--" {
                    cursor.optionsEnded = true
                } else if argument == "-h" || argument == "--help" {
                    return .help(path: path)
                } else if path.count == 1, let request = try rootBuiltIn(argument, &cursor) {
                    return request
                } else if try readOption(argument, of: command, &cursor, into: &parsed) == .help {
                    return .help(path: path)
                }
            }
            try assign(positionals, to: command, into: &parsed)
            try checkRequiredOptions(of: command, parsed)
        } catch {
            if cursor.helpFollows { return .help(path: path) }
            throw UsageError(error.message, commandPath: path)
        }
        parsed.declaredNames = command.arguments.map(\.name)
        return .run(path: path, arguments: parsed)
    }

    /// The declaration at `path` (as a request names it).
    package func command(at path: [String]) -> CommandDeclaration {
        path.dropFirst().reduce(root) { $0.subcommand($1) ?? $0 }
    }

    private func subcommand(_ name: String) throws(UsageError) -> CommandDeclaration {
        if let command = root.subcommand(name) { return command }
        let suggestion = Suggestions.closest(to: name, in: root.subcommands.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
        throw UsageError("unknown command '\(name)'\(suggestion)")
    }

    /// `help`, `help CMD`.
    private func helpRequest(_ names: ArraySlice<String>) throws(UsageError) -> CommandLineRequest {
        guard let name = names.first else { return .help(path: [root.name]) }
        let command = try subcommand(name)
        if let extra = names.dropFirst().first { throw UsageError("unexpected argument '\(extra)'", commandPath: [root.name]) }
        return .help(path: [root.name, command.name])
    }

    /// `--version` and `--generate-completion-script SHELL`, or nil for any other option.
    private func rootBuiltIn(_ argument: String, _ cursor: inout ArgumentCursor) throws(UsageError) -> CommandLineRequest? {
        if argument == "--version", let version = root.version { return .version(version) }
        let (name, inline) = ArgumentCursor.split(argument)
        guard name == "--" + Self.completionOption else { return nil }
        let declaration = Self.completionDeclaration
        let value = try cursor.value(for: declaration, inline: inline)
        guard let shell = Shell(rawValue: value) else { throw Self.notAllowed(value, for: declaration) }
        return .completionScript(shell)
    }

    /// The root's `--generate-completion-script`, as help and completion list it.
    package static let completionDeclaration = ArgumentDeclaration.option(
        completionOption, valueName: "shell", help: "Print a completion script for the shell.",
        allowedValues: Shell.allCases.map { $0.rawValue })

    /// The options every command has, and the root's own, as help and completion list them.
    package func builtInOptions(isRoot: Bool) -> [ArgumentDeclaration] {
        var options = [ArgumentDeclaration.flag("help", short: "h", help: "Show help information.")]
        if isRoot, root.version != nil { options.append(.flag("version", help: "Show the version.")) }
        if isRoot { options.append(Self.completionDeclaration) }
        return options
    }
}

extension CommandLineParser {
    /// Whether reading an option ended in a help request (`-h` inside `-qh`).
    private enum OptionOutcome { case read, help }

    private func readOption(_ argument: String, of command: CommandDeclaration, _ cursor: inout ArgumentCursor,
                            into parsed: inout ParsedArguments) throws(UsageError) -> OptionOutcome {
        guard !argument.hasPrefix("--") else {
            let (name, inline) = ArgumentCursor.split(argument)
            guard let declaration = command.argument(long: String(name.dropFirst(2))) else { throw unknownOption(String(name), of: command) }
            if declaration.kind == .flag {
                if inline != nil { throw UsageError("\(name) takes no value") }
                parsed.append("", for: declaration.name)
            } else {
                parsed.append(try checked(cursor.value(for: declaration, inline: inline), for: declaration), for: declaration.name)
            }
            return .read
        }
        var letters = argument.dropFirst()
        while let letter = letters.popFirst() {
            guard let declaration = command.argument(short: letter) else {
                if letter == "h" { return .help }
                throw unknownOption("-\(letter)", of: command)
            }
            guard declaration.takesValue else {
                parsed.append("", for: declaration.name)
                continue
            }
            let value = try cursor.value(for: declaration, inline: letters.isEmpty ? nil : String(letters))
            parsed.append(try checked(value, for: declaration), for: declaration.name)
            break
        }
        return .read
    }

    private func checked(_ value: String, for declaration: ArgumentDeclaration) throws(UsageError) -> String {
        guard declaration.allowedValues.isEmpty || declaration.allowedValues.contains(value) else {
            throw Self.notAllowed(value, for: declaration)
        }
        return value
    }

    private static func notAllowed(_ value: String, for declaration: ArgumentDeclaration) -> UsageError {
        let suggestion = Suggestions.closest(to: value, in: declaration.allowedValues).map { "; did you mean '\($0)'?" } ?? ""
        return UsageError("--\(declaration.name) \(value): use one of \(declaration.allowedValues.joined(separator: ", "))\(suggestion)")
    }

    private func unknownOption(_ name: String, of command: CommandDeclaration) -> UsageError {
        let known = (command.arguments + builtInOptions(isRoot: command.name == root.name)).filter { !$0.isPositional }
        // One letter is too short to guess from: only long names get a did-you-mean.
        let guess = name.hasPrefix("--") ? Suggestions.closest(to: name, in: known.map { "--" + $0.name }) : nil
        let suggestion = guess.map { "; did you mean '\($0)'?" } ?? ""
        return UsageError("unknown option '\(name)'\(suggestion)")
    }

    /// Gives the positionals to the positional declarations in order; too few or too many is an error.
    private func assign(_ positionals: [String], to command: CommandDeclaration,
                        into parsed: inout ParsedArguments) throws(UsageError) {
        var remaining = positionals[...]
        for declaration in command.arguments where declaration.isPositional {
            let taken = declaration.kind == .positionals ? remaining : remaining.prefix(1)
            if taken.isEmpty && declaration.isRequired { throw UsageError("missing \(declaration.label)") }
            for value in taken { parsed.append(value, for: declaration.name) }
            remaining = remaining.dropFirst(taken.count)
        }
        if let extra = remaining.first { throw UsageError("unexpected argument '\(extra)'") }
    }

    private func checkRequiredOptions(of command: CommandDeclaration, _ parsed: ParsedArguments) throws(UsageError) {
        for declaration in command.arguments where declaration.takesValue && declaration.isRequired && !parsed.contains(declaration.name) {
            throw UsageError("missing \(declaration.label)")
        }
    }
}

/// Walks argv one argument at a time.
struct ArgumentCursor {
    private let arguments: [String]
    private var index = 0
    /// Set by `--`: every later argument is a positional.
    var optionsEnded = false

    init(_ arguments: [String]) { self.arguments = arguments }

    mutating func next() -> String? {
        guard index < arguments.count else { return nil }
        defer { index += 1 }
        return arguments[index]
    }

    /// The arguments not read yet.
    var rest: ArraySlice<String> { arguments[index...] }

    /// Whether `-h` or `--help` comes later, before any `--`.
    var helpFollows: Bool {
        guard !optionsEnded else { return false }
        return rest.prefix { $0 != "--" }.contains { $0 == "--help" || $0 == "-h" }
    }

    /// The option's value: the text after `=`, else the next argument unless that is an option
    /// (a lone `-` and negative numbers are values).
    mutating func value(for declaration: ArgumentDeclaration, inline: String?) throws(UsageError) -> String {
        if let inline { return inline }
        guard index < arguments.count, !Self.isOption(arguments[index]) || Self.isNegativeNumber(arguments[index]) else {
            throw UsageError("missing value for \(declaration.label)")
        }
        defer { index += 1 }
        return arguments[index]
    }

    /// `-x`, `--name`, `--`: anything starting with a dash but a lone `-`.
    static func isOption(_ argument: String) -> Bool { argument.hasPrefix("-") && argument != "-" }

    private static func isNegativeNumber(_ argument: String) -> Bool {
        argument.hasPrefix("-") && argument.dropFirst().first.map { $0.isNumber } == true
    }

    /// `--name=value` as (`--name`, `value`); `--name` as (`--name`, nil).
    static func split(_ argument: String) -> (name: Substring, inline: String?) {
        guard let equals = argument.firstIndex(of: "=") else { return (argument[...], nil) }
        return (argument[..<equals], String(argument[argument.index(after: equals)...]))
    }
}
