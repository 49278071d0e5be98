// The `meshscript` command line as MeshCommandLine reads it from the commands' declarations:
// usage errors (the option, a did-you-mean, the usage line, where the help is), the ways to
// write options, every command's help, and the completion scripts run through bash.
import Foundation
import MeshTestSupport
import Testing

@Suite struct CommandLineUsage {
    @Test func anUnknownOptionIsNamedWithADidYouMeanTheUsageAndTheHelp() throws {
        let run = try CLI.run(["check", "--quite", "examples/add-primary.mesh"])
        #expect(run.status == 64, "\(run)")
        #expect(run.stderr == """
            error: unknown option '--quite'; did you mean '--quiet'?
            usage: meshscript check [<options>] <files> ...
            See 'meshscript check --help'.

            """, "\(run)")
        #expect(run.stdout.isEmpty)
    }

    @Test(arguments: [
        (["plan", "--format", "jsn", "examples/add-primary.mesh"], "error: --format jsn: use one of text, json, shell; did you mean 'json'?"),
        (["render", "examples/add-primary.mesh", "--gitops=fluxx", "--out", "o"], "error: --gitops fluxx: use one of argocd, flux; did you mean 'flux'?"),
        (["chek", "examples/add-primary.mesh"], "error: unknown command 'chek'; did you mean 'check'?"),
        (["render", "examples/add-primary.mesh"], "error: missing --out <out>\nusage: meshscript render --out <out> [<options>] <file>\n"),
        (["check"], "error: missing <files> ...\n"),
        (["plan", "a.mesh", "b.mesh"], "error: unexpected argument 'b.mesh'\n"),
        (["plan", "--max-steps", "many", "a.mesh"], "error: --max-steps many: not an integer\n"),
        (["status", "--timeout", "0", "a.mesh"], "error: --timeout must be between 0 and 3600 seconds\nusage: meshscript status [<options>] <file>\n"),
        (["apply", "a.mesh", "--out", "o", "--resume", "--from-step", "2"], "error: --resume and --from-step are two ways to say where to start"),
        (["plan", "--rotate", "c1", "a.mesh"], "error: --rotate needs --live"),
        (["check", "--quiet=yes", "a.mesh"], "error: --quiet takes no value\n"),
    ] as [([String], String)])
    func usageErrorsExit64WithTheirMessage(_ arguments: [String], _ message: String) throws {
        let run = try CLI.run(arguments)
        #expect(run.status == 64 && !run.signaled, "\(run)")
        #expect(run.stderr.hasPrefix(message), "\(run)")
        #expect(run.stderr.hasSuffix("--help'.\n"), "\(run)")
    }

    @Test func optionsTakeTheirValueAfterAnEqualsSignAndDoubleDashEndsOptions() throws {
        let joined = try CLI.run(["plan", "--format=json", "--out=work", "examples/add-primary.mesh"])
        let apart = try CLI.run(["plan", "examples/add-primary.mesh", "--format", "json", "--out", "work"])
        #expect(joined.status == 0 && joined.stdout.hasPrefix("{"), "\(joined)")
        #expect(joined.stdout == apart.stdout)
        let scratch = try Scratch()
        let dashed = try scratch.write("-q.mesh", "mesh m\n")
        let run = try meshscript(["check", "--syntax-only", "--", "-q.mesh"], environment: CLI.environment, directory: scratch.path)
        #expect(run.status == 0 && run.stdout == "-q.mesh: syntax ok\n", "\(run) \(dashed)")
    }

    @Test func withoutATerminalMeshscriptAlonePrintsHelpAndExits64() throws {
        let run = try CLI.run([])
        #expect(run.status == 64, "\(run)")
        #expect(run.stdout.contains("USAGE: meshscript <subcommand>\n") && run.stdout.contains("SUBCOMMANDS:\n"), "\(run)")
    }

    /// Each command's help lists its arguments, its options with their value names, the shared groups' and help itself.
    @Test(arguments: [
        ("check", ["<files> ...", "-q, --quiet", "--no-kubeconfig", "--out <dir>", "--syntax-only", "--kubeconfig <path>", "--max-steps <max-steps>"]),
        ("plan", ["<file>", "--out <out>", "--format <format>", "(values: text, json, shell; default: text)", "--live", "--rotate <CLUSTER>", "--timeout <SECONDS>"]),
        ("render", ["USAGE: meshscript render --out <out> [<options>] <file>", "--gitops <controller>", "(values: argocd, flux)", "-q, --quiet", "--wait-lock"]),
        ("apply", ["--dry-run", "--from-step <N>", "--resume", "--prune", "--secrets-only", "--rotate <CLUSTER>", "-y, --yes", "--wait-lock"]),
        ("status", ["--format <format>", "(values: text, json; default: text)", "--verify", "--timeout <SECONDS>", "(default: 20)"]),
        ("graph", ["--format <format>", "(values: dot, mermaid; default: dot)", "--max-call-depth <max-call-depth>"]),
        ("repl", ["USAGE: meshscript repl\n", ":help lists the commands"]),
        ("remote-secret", ["USAGE: meshscript remote-secret --name <name> --context <context> [<options>]", "--server <server>", "--istio <istio>"]),
    ])
    func everyCommandsHelpListsItsArguments(_ command: String, _ fragments: [String]) throws {
        let run = try CLI.run(["help", command])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.hasPrefix("OVERVIEW: ") && run.stdout.contains("\nOPTIONS:\n"), "\(run.stdout)")
        #expect(run.stdout.hasSuffix("\n  -h, --help              Show help information.\n"), "\(run.stdout)")
        // The words of wrapped lines joined again.
        let words = run.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        for fragment in fragments {
            #expect(words.contains(fragment.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")),
                    "\(command): no \(fragment) in\n\(run.stdout)")
        }
        #expect(run.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(run.stdout)")
        #expect(try CLI.run([command, "-h"]).stdout == run.stdout)
    }
}

@Suite struct CompletionScripts {
    /// What meshscript's bash completion offers for `words` (the last one being completed).
    static func bashCompletions(_ words: [String]) throws -> [String] {
        let bash = try #require(executableOnPath("bash"))
        let scratch = try Scratch()
        let script = try CLI.run(["--generate-completion-script", "bash"])
        #expect(script.status == 0, "\(script)")
        let path = try scratch.write("meshscript.bash", script.stdout)
        let line = words.map { "'\($0)'" }.joined(separator: " ")
        let driver = "source \(path); COMP_WORDS=(\(line)); COMP_CWORD=\(words.count - 1); _meshscript; printf '%s\\n' \"${COMPREPLY[@]}\""
        let run = try runProcess(bash, ["--norc", "--noprofile", "-c", driver], environment: CLI.environment, directory: scratch.path)
        #expect(run.status == 0 && run.stderr.isEmpty, "\(run)")
        return run.stdout.split(separator: "\n").map(String.init).sorted()
    }

    @Test func bashCompletesCommandsOptionsAndValues() throws {
        #expect(try Self.bashCompletions(["meshscript", "pl"]) == ["plan"])
        #expect(try Self.bashCompletions(["meshscript", "re"]) == ["remote-secret", "render", "repl"])
        #expect(try Self.bashCompletions(["meshscript", "plan", "--format", ""]) == ["json", "shell", "text"])
        #expect(try Self.bashCompletions(["meshscript", "status", "--format", "=", "j"]) == ["json"])
        #expect(try Self.bashCompletions(["meshscript", "render", "x.mesh", "--gitops", ""]) == ["argocd", "flux"])
        #expect(try Self.bashCompletions(["meshscript", "apply", "--se"]) == ["--secrets-only"])
        #expect(try Self.bashCompletions(["meshscript", "check", "--max-"]) == ["--max-call-depth", "--max-steps"])
        #expect(try Self.bashCompletions(["meshscript", "--generate-completion-script", ""]) == ["bash", "fish", "zsh"])
    }

    @Test func zshAndFishScriptsNameEveryCommandAndItsOptions() throws {
        let zsh = try CLI.run(["--generate-completion-script=zsh"])
        #expect(zsh.status == 0 && zsh.stdout.hasPrefix("#compdef meshscript\n"), "\(zsh)")
        #expect(zsh.stdout.contains("'--format=[Output format\\: text, json, or shell (a bash script of the same commands)]:format:(text json shell)'"), "\(zsh.stdout)")
        #expect(zsh.stdout.contains("'*--rotate=[Re-issue this cluster'\\''s intermediate CA (repeatable)]:cluster: '"), "\(zsh.stdout)")
        let fish = try CLI.run(["--generate-completion-script", "fish"])
        #expect(fish.status == 0, "\(fish)")
        for command in ["check", "plan", "render", "apply", "status", "graph", "repl", "remote-secret"] {
            #expect(zsh.stdout.contains("'\(command):"), "zsh lacks \(command)")
            #expect(fish.stdout.contains("-n '__fish_use_subcommand' -a \(command) -d "), "fish lacks \(command)")
        }
        #expect(fish.stdout.contains("complete -c meshscript -n '__fish_seen_subcommand_from apply' -l secrets-only -d "), "\(fish.stdout)")
        for shell in ["zsh", "fish"] {
            guard let program = executableOnPath(shell) else { continue }
            let script = shell == "zsh" ? zsh.stdout : fish.stdout
            let run = try runProcess(program, [shell == "zsh" ? "-n" : "--no-execute", "-c", script])
            #expect(run.status == 0, "\(shell): \(run)")
        }
    }
}
