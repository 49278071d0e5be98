// The completion scripts: bash's run through bash itself; zsh's and fish's through their shells
// when installed, else checked for their words.
import Foundation
import MeshCommandLine
import MeshTestSupport
import Testing

@Suite struct CompletionScriptTests {
    /// What bash's completion offers for the words `line` (the last one being completed).
    static func bashCompletions(_ line: [String], in directory: String? = nil) throws -> [String] {
        let bash = try #require(executableOnPath("bash"))
        let scratch = try Scratch()
        let script = try scratch.write("sample.bash", Sample.parser.completionScript(for: .bash))
        let words = line.map { "'" + $0 + "'" }.joined(separator: " ")
        let driver = "source \(script); COMP_WORDS=(\(words)); COMP_CWORD=\(line.count - 1); _sample; printf '%s\\n' \"${COMPREPLY[@]}\""
        let run = try runProcess(bash, ["--norc", "--noprofile", "-c", driver], directory: directory ?? scratch.path)
        #expect(run.status == 0 && run.stderr.isEmpty, "\(run)")
        return run.stdout.split(separator: "\n").map(String.init).sorted()
    }

    @Test func bashCompletesCommandsOptionsValuesAndFiles() throws {
        #expect(try Self.bashCompletions(["sample", ""]) == ["build", "copy", "help"])
        #expect(try Self.bashCompletions(["sample", "--"]) == ["--generate-completion-script", "--help", "--version"])
        #expect(try Self.bashCompletions(["sample", "--generate-completion-script", ""]) == ["bash", "fish", "zsh"])
        #expect(try Self.bashCompletions(["sample", "help", "c"]) == ["copy"])
        #expect(try Self.bashCompletions(["sample", "build", "--f"]) == ["--format"])
        #expect(try Self.bashCompletions(["sample", "build", "-q", "--format", "j"]) == ["json"])
        #expect(try Self.bashCompletions(["sample", "build", "--format", "=", ""]) == ["json", "shell", "text"])
        #expect(try Self.bashCompletions(["sample", "build", "--max-steps", ""]) == [])
        let scratch = try Scratch()
        try scratch.write("dir/a.mesh", "")
        try scratch.write("b.mesh", "")
        #expect(try Self.bashCompletions(["sample", "build", ""], in: scratch.path) == ["b.mesh", "dir"])
        #expect(try Self.bashCompletions(["sample", "build", "--out", ""], in: scratch.path) == ["dir"])
    }

    @Test func zshDeclaresEveryCommandAndOption() throws {
        let script = Sample.parser.completionScript(for: .zsh)
        #expect(script.hasPrefix("#compdef sample\n"))
        #expect(script.contains("commands=('build:Build the files' 'copy:Copy one file')"), "\(script)")
        #expect(script.contains("'--format=[The output format]:format:(text json shell)'"), "\(script)")
        #expect(script.contains("'--out=[The directory to write]:out:_files -/'"), "\(script)")
        #expect(script.contains("'*--rotate=[Rotate this cluster (repeatable)]:cluster: '"), "\(script)")
        #expect(script.contains("'-q[Print nothing]'"), "\(script)")
        #expect(script.contains("'*:files:_files'"), "\(script)")
        #expect(script.contains("'--generate-completion-script=[Print a completion script for the shell]:shell:(bash zsh fish)'"), "\(script)")
        if let zsh = executableOnPath("zsh") {
            let run = try runProcess(zsh, ["-n", "-c", script])
            #expect(run.status == 0, "\(run)")
        }
    }

    @Test func fishDeclaresEveryCommandAndOption() throws {
        let script = Sample.parser.completionScript(for: .fish)
        #expect(script.contains("complete -c sample -n '__fish_use_subcommand' -a build -d 'Build the files'\n"), "\(script)")
        #expect(script.contains("complete -c sample -n '__fish_seen_subcommand_from build' -l quiet -s q -d 'Print nothing'\n"), "\(script)")
        #expect(script.contains("complete -c sample -n '__fish_seen_subcommand_from build' -l format -x -a 'text json shell' -d 'The output format'\n"), "\(script)")
        #expect(script.contains("complete -c sample -n '__fish_seen_subcommand_from build' -F\n"), "\(script)")
        if let fish = executableOnPath("fish") {
            let run = try runProcess(fish, ["--no-execute", "-c", script])
            #expect(run.status == 0, "\(run)")
        }
    }

    @Test func quotesInHelpStayQuoted() {
        #expect(CommandLineParser.quoted("it's") == "'it'\\''s'")
    }
}
