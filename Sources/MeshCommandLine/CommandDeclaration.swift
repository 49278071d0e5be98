// A command line declared as data: each command's name, texts and arguments. The parser, the
// help, the usage errors and the shell completion scripts all read the same declarations, so a
// command states its options once, and nothing is discovered by reflection at start-up.

/// How an argument is written on the command line.
package enum ArgumentKind: Sendable, Equatable {
    /// One value by position (`<file>`).
    case positional
    /// Every remaining value by position, at least one (`<files> ...`).
    case positionals
    /// `--name` (or `-n`): present or not.
    case flag
    /// `--name VALUE` or `--name=VALUE`; given twice, the last wins.
    case option
    /// `--name VALUE`, any number of times; every value is kept, in order.
    case repeatableOption
}

/// What a shell may offer for an argument's value.
package enum ValueCompletion: Sendable, Equatable {
    /// Nothing in particular (a number, a name).
    case none
    /// File names.
    case file
    /// Directory names.
    case directory
}

/// One argument of a command: how it is written, its help, and what values it takes.
package struct ArgumentDeclaration: Sendable {
    /// How the argument is written.
    package var kind: ArgumentKind
    /// The long name without dashes (`max-steps`); for a positional, the key its values are kept under.
    package var name: String
    /// The one-letter form (`-q`), if any.
    package var shortName: Character?
    /// The value's name in help and usage (`<path>`).
    package var valueName: String
    /// One or more sentences for the help.
    package var help: String
    /// The value used when the option is absent, as help shows it.
    package var defaultValue: String?
    /// The only values accepted (an enumeration such as `--format`); empty when any value is.
    package var allowedValues: [String]
    /// Whether the option or positional must be given.
    package var isRequired: Bool
    /// What a shell completes the value with.
    package var completion: ValueCompletion

    /// `--name` (and `-short`): a switch.
    package static func flag(_ name: String, short: Character? = nil, help: String) -> ArgumentDeclaration {
        ArgumentDeclaration(kind: .flag, name: name, shortName: short, valueName: "", help: help, defaultValue: nil,
                            allowedValues: [], isRequired: false, completion: .none)
    }

    /// `--name VALUE`: one value, optional unless `required`.
    package static func option(_ name: String, valueName: String? = nil, help: String, defaultValue: String? = nil,
                               allowedValues: [String] = [], required: Bool = false,
                               completion: ValueCompletion = .none) -> ArgumentDeclaration {
        ArgumentDeclaration(kind: .option, name: name, shortName: nil, valueName: valueName ?? name, help: help,
                            defaultValue: defaultValue, allowedValues: allowedValues, isRequired: required, completion: completion)
    }

    /// `--name VALUE`, repeatable.
    package static func repeatableOption(_ name: String, valueName: String? = nil, help: String,
                                         completion: ValueCompletion = .none) -> ArgumentDeclaration {
        ArgumentDeclaration(kind: .repeatableOption, name: name, shortName: nil, valueName: valueName ?? name, help: help,
                            defaultValue: nil, allowedValues: [], isRequired: false, completion: completion)
    }

    /// `<name>`: one required value by position.
    package static func positional(_ name: String, help: String, completion: ValueCompletion = .file) -> ArgumentDeclaration {
        ArgumentDeclaration(kind: .positional, name: name, shortName: nil, valueName: name, help: help, defaultValue: nil,
                            allowedValues: [], isRequired: true, completion: completion)
    }

    /// `<name> ...`: one or more values by position.
    package static func positionals(_ name: String, help: String, completion: ValueCompletion = .file) -> ArgumentDeclaration {
        ArgumentDeclaration(kind: .positionals, name: name, shortName: nil, valueName: name, help: help, defaultValue: nil,
                            allowedValues: [], isRequired: true, completion: completion)
    }

    /// Whether the argument is written by position rather than by name.
    package var isPositional: Bool { kind == .positional || kind == .positionals }

    /// Whether the named argument takes a value.
    package var takesValue: Bool { kind == .option || kind == .repeatableOption }

    /// How help and errors name it: `--out <out>`, `-q, --quiet`, `<files> ...`.
    package var label: String {
        switch kind {
        case .positional: return "<\(valueName)>"
        case .positionals: return "<\(valueName)> ..."
        case .flag: return (shortName.map { "-\($0), " } ?? "") + "--\(name)"
        case .option, .repeatableOption: return (shortName.map { "-\($0), " } ?? "") + "--\(name) <\(valueName)>"
        }
    }
}

/// A command: its name and texts, its arguments, and its subcommands (the root's).
package struct CommandDeclaration: Sendable {
    /// The word that selects it (`check`); the root's is the program's name.
    package var name: String
    /// One line: what the command does.
    package var abstract: String
    /// More paragraphs for its help (lines are kept; long lines are wrapped).
    package var discussion: String
    /// Its arguments, in the order help lists them.
    package var arguments: [ArgumentDeclaration]
    /// The commands under it (only the root has any).
    package var subcommands: [SubcommandDeclaration]
    /// The version `--version` prints (the root's only).
    package var version: String?

    /// A command as declared; `version` only on the root.
    package init(name: String, abstract: String, discussion: String = "", arguments: [ArgumentDeclaration] = [],
                 subcommands: [SubcommandDeclaration] = [], version: String? = nil) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.subcommands = subcommands
        self.version = version
    }

    /// The subcommand called `name`.
    package func subcommand(_ name: String) -> CommandDeclaration? { subcommands.first { $0.name == name }?.declaration }

    /// The named argument `--name`.
    package func argument(long name: String) -> ArgumentDeclaration? {
        arguments.first { !$0.isPositional && $0.name == name }
    }

    /// The named argument `-c`.
    package func argument(short character: Character) -> ArgumentDeclaration? {
        arguments.first { $0.shortName == character }
    }
}

/// A subcommand by name, with its declaration built only when asked for (to run it, for its help,
/// for completion): a start builds the declaration of the one command it runs, not of every command.
package struct SubcommandDeclaration: Sendable {
    /// The word that selects it; its declaration's name is this name.
    package let name: String
    private let declare: @Sendable () -> CommandDeclaration

    /// The subcommand `name`, declared by `declare` when needed.
    package init(_ name: String, declaration declare: @escaping @Sendable () -> CommandDeclaration) {
        self.name = name
        self.declare = declare
    }

    /// The subcommand `declaration`, already built.
    package init(_ declaration: CommandDeclaration) {
        self.init(declaration.name) { declaration }
    }

    /// Its declaration, built now.
    package var declaration: CommandDeclaration {
        var declaration = declare()
        declaration.name = name
        return declaration
    }
}
