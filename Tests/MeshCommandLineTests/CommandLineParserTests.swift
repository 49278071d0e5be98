// The declaration-driven parser on a small command line of its own: every way of writing an
// argument, every usage error (with its did-you-mean), and the built-in requests.
import MeshCommandLine
import Testing

/// A program shaped like meshscript: a command with positionals, flags, options and enumerations.
enum Sample {
    static let build = CommandDeclaration(
        name: "build", abstract: "Build the files.", discussion: "Builds every file.\n  sample build a b",
        arguments: [
            .positionals("files", help: "The files to build."),
            .flag("quiet", short: "q", help: "Print nothing."),
            .flag("yes", short: "y", help: "Do not ask."),
            .option("out", help: "The directory to write.", defaultValue: "out", completion: .directory),
            .option("format", help: "The output format.", defaultValue: "text", allowedValues: ["text", "json", "shell"]),
            .repeatableOption("rotate", valueName: "cluster", help: "Rotate this cluster (repeatable)."),
            .option("max-steps", help: "Stop after this many steps. A second sentence.", defaultValue: "1000"),
        ])
    static let copy = CommandDeclaration(
        name: "copy", abstract: "Copy one file.",
        arguments: [.positional("file", help: "The file."), .option("to", valueName: "dir", help: "Where to.", required: true)])
    static let root = CommandDeclaration(name: "sample", abstract: "A sample program.", subcommands: [SubcommandDeclaration(build), SubcommandDeclaration("copy") { copy }], version: "1.2.3")
    static let parser = CommandLineParser(root: root)

    /// The arguments `arguments` give `command`, expecting a run of it.
    static func run(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> ParsedArguments {
        let request = try parser.parse(arguments)
        guard case .run(let path, let parsed) = request else {
            Issue.record("not a run: \(request)", sourceLocation: sourceLocation)
            return ParsedArguments()
        }
        #expect(path == ["sample", arguments.first { !$0.hasPrefix("-") } ?? ""], sourceLocation: sourceLocation)
        return parsed
    }

    /// The usage error `arguments` cause.
    static func error(_ arguments: [String]) -> UsageError? {
        do {
            let request = try parser.parse(arguments)
            Issue.record("parsed: \(request)")
            return nil
        } catch {
            return error
        }
    }
}

@Suite struct CommandLineParserTests {
    @Test func optionsByNameAndPositionalsInAnyOrder() throws {
        let parsed = try Sample.run(["build", "a.mesh", "--out", "work", "-q", "b.mesh", "--format=json", "--max-steps", "7"])
        #expect(parsed.values("files") == ["a.mesh", "b.mesh"])
        #expect(parsed.value("out") == "work")
        #expect(parsed.flag("quiet") && !parsed.flag("yes"))
        #expect(parsed.value("format") == "json")
        #expect(try parsed.integer("max-steps", default: 1) == 7)
    }

    @Test func combinedShortFlagsRepeatableOptionsAndTheEndOfOptions() throws {
        let parsed = try Sample.run(["build", "-qy", "--rotate", "c1", "--rotate=c2", "--", "--odd.mesh", "-"])
        #expect(parsed.flag("quiet") && parsed.flag("yes"))
        #expect(parsed.values("rotate") == ["c1", "c2"])
        #expect(parsed.values("files") == ["--odd.mesh", "-"])
    }

    /// A command that reads a name it does not declare has a typo that would read as "not given":
    /// debug builds stop on it (release builds skip the check).
    @Test func readingAnUndeclaredNameStopsADebugBuild() async throws {
        #expect(try Sample.run(["build", "x"]).declaredNames?.contains("rotate") == true)
        #if DEBUG
        await #expect(processExitsWith: .failure) {
            _ = try Sample.run(["build", "x", "-q"]).flag("quite")
        }
        #endif
    }

    @Test func theLastOfARepeatedOptionWinsAndDefaultsApplyWhenAbsent() throws {
        let parsed = try Sample.run(["build", "x", "--out", "a", "--out", "b"])
        #expect(parsed.value("out") == "b")
        #expect(parsed.string("format", default: "text") == "text")
        #expect(try parsed.integer("max-steps", default: 1000) == 1000)
        #expect(try Sample.run(["build", "x", "--max-steps", "-3"]).value("max-steps") == "-3")
    }

    @Test func enumeratedValuesDecodeAsTheirCases() throws {
        enum Format: String { case text, json, shell }
        #expect(try Sample.run(["build", "x", "--format", "shell"]).choice("format", as: Format.self) == .shell)
        #expect(try Sample.run(["build", "x"]).choice("format", as: Format.self) == nil)
    }

    @Test(arguments: [
        (["build", "--quite", "x"], "unknown option '--quite'; did you mean '--quiet'?"),
        (["build", "-z", "x"], "unknown option '-z'"),
        (["build", "--format", "jsn", "x"], "--format jsn: use one of text, json, shell; did you mean 'json'?"),
        (["build", "x", "--out"], "missing value for --out <out>"),
        (["build", "--out", "--quiet", "x"], "missing value for --out <out>"),
        (["build", "--quiet=yes", "x"], "--quiet takes no value"),
        (["build"], "missing <files> ..."),
        (["copy", "a"], "missing --to <dir>"),
        (["copy", "a", "b", "--to", "d"], "unexpected argument 'b'"),
        (["biuld"], "unknown command 'biuld'; did you mean 'build'?"),
        (["--bogus"], "unknown option '--bogus'"),
        (["--generate-completion-script", "tcsh"], "--generate-completion-script tcsh: use one of bash, zsh, fish"),
        (["help", "nope"], "unknown command 'nope'"),
    ] as [([String], String)])
    func usageErrorsNameTheArgument(_ arguments: [String], _ message: String) throws {
        let error = try #require(Sample.error(arguments))
        #expect(error.message == message)
        let path = arguments.first.flatMap { Sample.root.subcommand($0) }.map { ["sample", $0.name] } ?? ["sample"]
        #expect(error.commandPath == path)
    }

    @Test func aNonIntegerIsAUsageError() throws {
        let parsed = try Sample.run(["build", "x", "--max-steps", "lots"])
        #expect(throws: UsageError("--max-steps lots: not an integer")) { try parsed.integer("max-steps", default: 1) }
    }

    @Test func helpVersionAndCompletionAreRequests() throws {
        func path(_ arguments: [String]) throws -> [String]? {
            if case .help(let path) = try Sample.parser.parse(arguments) { return path }
            return nil
        }
        #expect(try path(["--help"]) == ["sample"])
        #expect(try path(["-h"]) == ["sample"])
        #expect(try path(["help"]) == ["sample"])
        #expect(try path(["help", "build"]) == ["sample", "build"])
        #expect(try path(["build", "--help"]) == ["sample", "build"])
        #expect(try path(["build", "-qh"]) == ["sample", "build"])
        // Help wins over an error before it, but not after `--`.
        #expect(try path(["build", "--bogus", "--help"]) == ["sample", "build"])
        #expect(Sample.error(["build", "--bogus", "--", "--help"])?.message.hasPrefix("unknown option") == true)
        guard case .version("1.2.3") = try Sample.parser.parse(["--version"]) else { Issue.record("no version"); return }
        guard case .completionScript(.zsh) = try Sample.parser.parse(["--generate-completion-script=zsh"]) else { Issue.record("no zsh"); return }
        guard case .run(["sample"], _) = try Sample.parser.parse([]) else { Issue.record("the root alone runs"); return }
    }
}
