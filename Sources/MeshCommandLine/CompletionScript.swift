// Shell completion from the declarations: the subcommands, each command's options, the allowed
// values of enumerated options, and files or directories where a value names one.

extension CommandLineParser {
    /// The completion script for `shell` (`meshscript --generate-completion-script bash`).
    package func completionScript(for shell: Shell) -> String {
        switch shell {
        case .bash: bashScript()
        case .zsh: zshScript()
        case .fish: fishScript()
        }
    }

    /// Every command with its named arguments (built-ins included) and positionals, the root first.
    private var commandsForCompletion: [(name: String?, command: CommandDeclaration, options: [ArgumentDeclaration])] {
        [(nil, root, root.arguments + builtInOptions(isRoot: true))]
            + root.subcommands.map(\.declaration).map { ($0.name, $0, $0.arguments + builtInOptions(isRoot: false)) }
    }

    private func bashScript() -> String {
        let function = "_" + Self.identifier(root.name)
        var cases = ""
        for (name, command, arguments) in commandsForCompletion {
            let options = arguments.filter { !$0.isPositional }
            let words = options.flatMap { option in ["--" + option.name] + (option.shortName.map { ["-\($0)"] } ?? []) }
            var values = ""
            for option in options where option.takesValue {
                values += "            --\(option.name)) \(Self.bashValues(option)); return ;;\n"
            }
            let positional = name == nil
                ? "compgen -W \(Self.quoted((root.subcommands.map(\.name) + ["help"]).joined(separator: " "))) -- \"$cur\""
                : Self.bashCompgen(command.arguments.first(where: \.isPositional)?.completion ?? .none)
            cases += """
                    \(name.map(Self.quoted) ?? "\"\"") )
                        case $prev in
                \(values)        esac
                        if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \(Self.quoted(words.joined(separator: " "))) -- "$cur"))
                        else COMPREPLY=($(\(positional))); fi ;;

                """
        }
        return """
            # bash completion for \(root.name): source this file, or put it in bash-completion's directory.
            \(function)() {
                local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} command="" i
                # --name=value: bash splits it at the '='.
                if [[ $cur == "=" ]]; then cur=""; elif [[ $prev == "=" ]]; then prev=${COMP_WORDS[COMP_CWORD-2]}; fi
                for ((i = 1; i < COMP_CWORD; i++)); do
                    case ${COMP_WORDS[i]} in
                        -*) ;;
                        help) COMPREPLY=($(compgen -W \(Self.quoted(root.subcommands.map(\.name).joined(separator: " "))) -- "$cur")); return ;;
                        *) command=${COMP_WORDS[i]}; break ;;
                    esac
                done
                case $command in
            \(cases)    esac
            }
            complete -o filenames -F \(function) \(root.name)

            """
    }

    private static func bashValues(_ option: ArgumentDeclaration) -> String {
        if !option.allowedValues.isEmpty {
            return "COMPREPLY=($(compgen -W \(quoted(option.allowedValues.joined(separator: " "))) -- \"$cur\"))"
        }
        return "COMPREPLY=($(\(bashCompgen(option.completion))))"
    }

    private static func bashCompgen(_ completion: ValueCompletion) -> String {
        switch completion {
        case .none: "true"
        case .file: "compgen -f -- \"$cur\""
        case .directory: "compgen -d -- \"$cur\""
        }
    }

    /// `text` in single quotes for a shell.
    package static func quoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// `name` with every character a shell function name cannot hold replaced by `_`.
    static func identifier(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// The first sentence of `help`, for the one-line descriptions zsh and fish show.
    static func summary(_ help: String) -> String {
        let sentence = help.split(separator: ". ", maxSplits: 1).first.map(String.init) ?? help
        return sentence.hasSuffix(".") ? String(sentence.dropLast()) : sentence
    }
}
