// `meshscript repl`: the interactive session (MeshREPL), on a large stack.
import Foundation
import MeshCommandLine
import MeshScript
import MeshREPL

struct Repl: MeshSubcommand {
    static let name = "repl"

    static let declaration = CommandDeclaration(
        name: name,
        abstract: "Experiment with a mesh one statement at a time (line editing, history, Tab completion).",
        discussion: """
            Every statement is evaluated as you enter it; an error leaves the session as it was. An unclosed <, [, ( \
            or string continues on a '...' prompt. :help lists the commands (:check :plan :graph :show :load :save \
            :render :undo :reset :quit). History is kept in ~/.meshscript_history. When standard input is not a terminal, \
            statements are read line by line: meshscript repl < script.mesh
            """,
        arguments: LimitOptions.arguments)

    /// `--max-steps` and `--max-call-depth`, for every entry of the session.
    let limits: Limits

    /// The session with the interpreter's default bounds (`meshscript` alone on a terminal).
    init() { limits = Limits() }

    init(_ arguments: ParsedArguments) throws(UsageError) {
        limits = try LimitOptions(arguments).limits
    }

    func run() throws {
        let code = onLargeStack {
            REPL.run(environment: processEnvironment(), version: MeshScriptVersion.current, limits: limits)
        }
        if code != 0 { throw ExitCode(code) }
    }
}
