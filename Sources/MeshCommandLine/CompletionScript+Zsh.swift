// The zsh and fish completion scripts (see CompletionScript.swift for bash).

extension CommandLineParser {
    func zshScript() -> String {
        let function = "_" + Self.identifier(root.name)
        let subcommands = root.subcommands.map(\.declaration)
        let commands = subcommands.map { Self.quoted($0.name + ":" + Self.zshEscaped(Self.summary($0.abstract))) }
        var cases = ""
        for command in subcommands {
            let specs = (command.arguments + builtInOptions(isRoot: false)).flatMap(Self.zshSpecs)
            cases += "        \(command.name))\n            _arguments -s \\\n"
                + specs.map { "                \($0) \\\n" }.joined() + "                && return 0 ;;\n"
        }
        let rootSpecs = builtInOptions(isRoot: true).flatMap(Self.zshSpecs)
        return """
            #compdef \(root.name)
            # zsh completion for \(root.name): put it on $fpath as \(function), or source it after compinit.
            \(function)() {
                local -a commands
                commands=(\(commands.joined(separator: " ")))
                if (( CURRENT == 2 )); then
                    _describe -t commands 'command' commands
                    _arguments -s \(rootSpecs.joined(separator: " "))
                    return
                fi
                # Complete as if the subcommand were the program: _arguments starts after words[1].
                shift words
                (( CURRENT-- ))
                case ${words[1]} in
                    help) _describe -t commands 'command' commands ;;
            \(cases)    esac
            }
            if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
                \(function) "$@"
            else
                compdef \(function) \(root.name)
            fi

            """
    }

    /// `_arguments` specs for one argument: `'--out=[help]:out:_files -/'`, `'*:files:_files'`.
    private static func zshSpecs(_ argument: ArgumentDeclaration) -> [String] {
        let action = zshAction(argument)
        switch argument.kind {
        case .positional: return [quoted(":\(argument.valueName):\(action)")]
        case .positionals: return [quoted("*:\(argument.valueName):\(action)")]
        default: break
        }
        let help = "[" + zshEscaped(summary(argument.help)) + "]"
        let value = argument.takesValue ? "=" : ""
        let tail = argument.takesValue ? ":\(argument.valueName):\(action)" : ""
        let repeatable = argument.kind == .repeatableOption ? "*" : ""
        var specs = [quoted(repeatable + "--" + argument.name + value + help + tail)]
        if let short = argument.shortName { specs.append(quoted(repeatable + "-\(short)" + help + tail)) }
        return specs
    }

    private static func zshAction(_ argument: ArgumentDeclaration) -> String {
        if !argument.allowedValues.isEmpty { return "(" + argument.allowedValues.joined(separator: " ") + ")" }
        switch argument.completion {
        case .none: return " "
        case .file: return "_files"
        case .directory: return "_files -/"
        }
    }

    /// `text` safe inside an `_arguments` spec's brackets or a `_describe` entry.
    private static func zshEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "[]:\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    func fishScript() -> String {
        let program = root.name
        var lines = ["# fish completion for \(program): put it in ~/.config/fish/completions/\(program).fish.",
                     "complete -c \(program) -f"]
        let subcommands = root.subcommands.map(\.declaration)
        let anyCommand = subcommands.map(\.name).joined(separator: " ")
        for command in subcommands {
            lines.append("complete -c \(program) -n '__fish_use_subcommand' -a \(command.name) -d \(Self.quoted(Self.summary(command.abstract)))")
        }
        lines.append("complete -c \(program) -n '__fish_seen_subcommand_from help' -a \(Self.quoted(anyCommand))")
        for option in builtInOptions(isRoot: true) {
            lines.append("complete -c \(program) -n '__fish_use_subcommand'" + Self.fishOption(option))
        }
        for command in subcommands {
            let condition = " -n '__fish_seen_subcommand_from \(command.name)'"
            for argument in command.arguments + builtInOptions(isRoot: false) {
                if argument.isPositional {
                    if argument.completion != .none { lines.append("complete -c \(program)\(condition) -F") }
                } else {
                    lines.append("complete -c \(program)\(condition)" + Self.fishOption(argument))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func fishOption(_ option: ArgumentDeclaration) -> String {
        var text = " -l \(option.name)" + (option.shortName.map { " -s \($0)" } ?? "")
        if !option.allowedValues.isEmpty {
            text += " -x -a \(quoted(option.allowedValues.joined(separator: " ")))"
        } else if option.takesValue {
            switch option.completion {
            case .none: text += " -x"
            case .file: text += " -r -F"
            case .directory: text += " -x -a '(__fish_complete_directories)'"
            }
        }
        return text + " -d " + quoted(summary(option.help))
    }
}
