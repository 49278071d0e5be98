// The `meshscript` command line: a thin shell over the library's public API. Each subcommand
// declares its arguments as data (MeshCommandLine); the parser reads argv against them, and the
// command is built from what it read: no reflection at start-up.
import CMalloc
import Foundation
import MeshCommandLine
import MeshScript

@main
enum MeshScriptCommand {
    /// Every subcommand, in the order help lists them.
    static let subcommands = [
        Subcommand(Check.self), Subcommand(PlanCommand.self), Subcommand(Render.self), Subcommand(Apply.self),
        Subcommand(Status.self), Subcommand(Graph.self), Subcommand(Repl.self), Subcommand(RemoteSecretCommand.self),
    ]

    /// The program's declaration: its texts, version and subcommands.
    static let declaration = CommandDeclaration(
        name: "meshscript",
        abstract: "Describe an Istio multicluster mesh in a small language; check it, plan it, render its artifacts.",
        discussion: """
            Exit codes: 0 success, 1 status: not in sync, 64 usage error, 65 the script has errors, \
            69 a cluster could not be read or trust would split (nothing changed), 70 a step failed, \
            74 output could not be written, 75 the work directory is busy, 130 interrupted.
            Example: meshscript plan examples/add-primary.mesh
            """,
        subcommands: subcommands.map { $0.declaration },
        version: MeshScriptVersion.current)

    /// The parser of the whole command line.
    static let parser = CommandLineParser(root: declaration)

    /// Runs the command line; a failed write to stdout or stderr ends it with exit code 74.
    static func main() {
        // Before any thread starts: the script runs on `onLargeStack`'s thread, whose own malloc
        // arena would grow by many more system calls than the main one.
        _ = meshscript_malloc_use_one_arena()
        _ = meshscript_malloc_grow_in_huge_pages(32 << 20)
        StandardStreams.checkWritesAtExit()
        exit(run(Array(CommandLine.arguments.dropFirst())))
    }

    /// Parses `arguments` and carries out the request; returns the exit code (64 for a usage error).
    static func run(_ arguments: [String]) -> Int32 {
        var path = [declaration.name]
        do {
            switch try parser.parse(arguments) {
            case .help(let helpPath): print(parser.help(path: helpPath), terminator: "")
            case .version(let version): print(version)
            case .completionScript(let shell): print(parser.completionScript(for: shell), terminator: "")
            case .run(let commandPath, let parsed):
                path = commandPath
                guard let subcommand = subcommands.first(where: { $0.declaration.name == commandPath.last }) else { return try runAlone() }
                try subcommand.run(parsed)
            }
            return 0
        } catch let error as UsageError {
            let located = error.commandPath.isEmpty ? UsageError(error.message, commandPath: path) : error
            StandardStreams.writeError(parser.usageErrorText(located))
            return 64
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            StandardStreams.writeError("error: \(error)\n")
            return 1
        }
    }

    /// `meshscript` alone opens the REPL on a terminal, and prints help otherwise (exit 64).
    private static func runAlone() throws -> Int32 {
        guard isatty(0) == 1 else {
            print(parser.help(path: [declaration.name]), terminator: "")
            return 64
        }
        try Repl().run()
        return 0
    }
}

/// A `meshscript` subcommand: declared as data, built from what the parser read, then run.
protocol MeshSubcommand: Sendable {
    /// The word that selects it.
    static var name: String { get }
    /// Its name, texts and arguments (built only for the command being run, its help, or completion).
    static var declaration: CommandDeclaration { get }
    /// The command `arguments` describe; a ``UsageError`` when they do not fit together.
    init(_ arguments: ParsedArguments) throws(UsageError)
    /// Does the work; throws ``ExitCode`` to end with a code other than 0.
    func run() throws
}

/// A subcommand's (lazy) declaration with the way to build and run it. A concrete struct: an array
/// of existential metatypes would cost start-up a runtime instantiation of its type.
struct Subcommand: Sendable {
    /// The command's name, and its declaration when needed.
    let declaration: SubcommandDeclaration
    /// Builds the command from the parsed arguments and runs it.
    let run: @Sendable (ParsedArguments) throws -> Void

    /// The entry of `Command`.
    init<Command: MeshSubcommand>(_: Command.Type) {
        declaration = SubcommandDeclaration(Command.name) { Command.declaration }
        run = { try Command($0).run() }
    }
}

/// Ends the process with `rawValue` when thrown out of a command's `run()`.
struct ExitCode: Error, Equatable {
    /// The exit status.
    let rawValue: Int32
    /// The exit status `rawValue`.
    init(_ rawValue: Int32) { self.rawValue = rawValue }
}

/// This build's version, for `--version` and the REPL's banner.
enum MeshScriptVersion {
    /// The version.
    static let current = "0.1.0"
}
