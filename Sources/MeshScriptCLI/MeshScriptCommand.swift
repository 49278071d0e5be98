// The `meshscript` command line: a thin shell over the library's public API.
import ArgumentParser
import Foundation
import MeshScript

@main
struct MeshScriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshscript",
        abstract: "Describe an Istio multicluster mesh in a small language; check it, plan it, render its artifacts.",
        discussion: """
            Exit codes: 0 success, 1 status: not in sync, 64 usage error, 65 the script has errors,
            69 a cluster could not be read or trust would split (nothing changed), 70 a step failed,
            74 output could not be written, 75 the work directory is busy, 130 interrupted.
            Example:  meshscript plan examples/add-primary.mesh
            """,
        version: MeshScriptVersion.current,
        subcommands: [Check.self, PlanCommand.self, Render.self, Apply.self, Status.self, Graph.self, Repl.self, RemoteSecretCommand.self]
    )

    /// Runs the command line; a failed write to stdout or stderr ends it with exit code 74.
    static func main() {
        StandardStreams.checkWritesAtExit()
        main(nil)
    }

    /// `meshscript` alone opens the REPL on a terminal, and prints help otherwise.
    func run() throws {
        if isatty(0) == 1 {
            try Repl().run()
        } else {
            print(MeshScriptCommand.helpMessage())
            throw ExitCode(64)
        }
    }
}

enum MeshScriptVersion {
    static let current = "0.1.0"
}
