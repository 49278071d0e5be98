// `meshscript check`: syntax, evaluation and validation of one or more scripts.
import ArgumentParser
import Foundation
import MeshScript

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scripts: syntax, evaluation and every validation rule.",
        discussion: "Exits 0 when every file is valid, 65 when any has errors (all of them are reported).")

    @ArgumentParser.Argument(help: "The .mesh scripts to check.")
    var files: [String]

    @Flag(name: .shortAndLong, help: "Print nothing when a file is valid.")
    var quiet = false

    @OptionGroup var limitOptions: LimitOptions

    func run() throws {
        var failed = false
        for file in files {
            do {
                let engine = try loadValidated(file, limits: limitOptions.limits)
                if !quiet {
                    let topology = engine.topology
                    print("\(file): ok (\(topology.clusters.count) cluster\(topology.clusters.count == 1 ? "" : "s"), \(topology.links.count) discovery link\(topology.links.count == 1 ? "" : "s"))")
                }
            } catch let code as ExitCode where code == Exit.scriptErrors {
                failed = true
            }
        }
        if failed { throw Exit.scriptErrors }
    }
}
