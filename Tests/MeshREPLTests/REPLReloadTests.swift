// `:load` of a file loaded before: what it declared is replaced, in place, by what it declares
// now; a new version with errors (or one a later statement cannot run with) changes nothing.
import Foundation
import MeshREPL
import MeshTestSupport
import Testing

@Suite struct REPLReloadTests {
    static let version1 = """
        let version = "1.23"
        recipe primary(name) < cluster $name < trust from root; install network n1 > >
        primary c1
        primary c2
        """
    static let version2 = """
        let version = "1.24"
        recipe primary(name) < cluster $name < trust from root; install network n1 > >
        cluster c1 < trust from root; install network n1 revision "canary" >
        primary c3
        """

    /// A session that declared the mesh, loaded lib.mesh (version 1), then declared c9 with
    /// the file's recipe.
    private func session() throws -> CapturedSession {
        let repl = try CapturedSession()
        repl.enter("mesh m")
        repl.enter("network n1")
        _ = try repl.directory.write("lib.mesh", Self.version1)
        #expect(repl.run(":load lib.mesh").errors == "")
        repl.enter("primary c9")
        return repl
    }

    @Test func reloadingReplacesWhatTheFileDeclaredInPlace() throws {
        let repl = try session()
        defer { repl.remove() }
        _ = try repl.directory.write("lib.mesh", Self.version2)
        let reload = repl.run(":load lib.mesh")
        #expect(reload.errors == "", "\(reload)")
        #expect(reload.output == "reloaded lib.mesh: added cluster c3; removed cluster c2; changed $version, cluster c1\n")
        #expect(repl.clusterNames == ["c1", "c3", "c9"], "the file's clusters where the file was loaded, c9 after them")
        #expect(repl.run(":show $version").output == "$version = \"1.24\"\n")
        #expect(repl.run(":show c1").output.contains("revision canary"))
        #expect(repl.session.accepted.count == 4, "the reload replaced the :load, it added no statement")
        // Nothing changed on disk: loading again says so.
        #expect(repl.run(":load lib.mesh").output == "reloaded lib.mesh: nothing changed\n")
        // And the session saved re-creates what it now holds.
        let plan = repl.run(":plan").output
        #expect(plan.contains("c3") && !plan.contains("c2"))
        #expect(repl.run(":save saved.mesh").errors == "")
        let fresh = try CapturedSession()
        defer { fresh.remove() }
        _ = fresh.run(":load \(repl.directory.path)/saved.mesh")
        #expect(fresh.run(":show").output == repl.run(":show").output)
    }

    @Test(arguments: [
        ("let version = \"1.24\"\ncluster c5 < trust frm root >\n", "lib.mesh:2:"), // a syntax error
        ("let version = \"1.24\"\nclustr c5 < trust from root >\n", "unknown command 'clustr'"), // an evaluation error
        ("let version = \"1.24\"\ncluster c1 < trust from root >\n", "unknown command 'primary'"), // c9's statement fails
    ])
    func aNewVersionThatFailsLeavesTheSessionAsItWas(newVersion: String, expectedError: String) throws {
        let repl = try session()
        defer { repl.remove() }
        let plan = repl.run(":plan").output
        let show = repl.run(":show").output
        let accepted = repl.session.accepted
        _ = try repl.directory.write("lib.mesh", newVersion)
        let reload = repl.run(":load lib.mesh")
        #expect(reload.errors.contains(expectedError), "\(reload)")
        #expect(reload.errors.contains("nothing from the new 'lib.mesh' was kept: the session is as it was"), "\(reload)")
        #expect(reload.output == "")
        #expect(repl.run(":show $version").output == "$version = \"1.23\"\n")
        #expect(repl.run(":show").output == show)
        #expect(repl.run(":plan").output == plan)
        #expect(repl.session.accepted == accepted)
        // The old version is still the one :undo takes back statement by statement.
        _ = repl.run(":undo")
        #expect(repl.run(":undo").output == "undone: import \"\(repl.directory.path)/lib.mesh\"\n")
        #expect(repl.clusterNames.isEmpty)
    }

    @Test func aStatementAfterTheLoadThatFailsWithTheNewVersionIsNamed() throws {
        let repl = try session()
        defer { repl.remove() }
        _ = try repl.directory.write("lib.mesh", "let version = \"1.24\"\n")
        let reload = repl.run(":load lib.mesh")
        #expect(reload.errors.contains("error: with the new 'lib.mesh', a statement entered after it fails: primary c9"), "\(reload)")
        #expect(repl.session.errorCount == 1)
    }

    @Test func aReloadReadsTheFilesTheLoadedFileImportsAgain() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m")
        _ = try repl.directory.write("sub/values.mesh", "let region = \"eu\"\n")
        _ = try repl.directory.write("main.mesh", "import \"sub/values.mesh\"\nlet where = \"in \" + $region\n")
        #expect(repl.run(":load main.mesh").errors == "")
        _ = try repl.directory.write("sub/values.mesh", "let region = \"us\"\n")
        #expect(repl.run(":load main.mesh").output == "reloaded main.mesh: changed $region, $where\n")
        #expect(repl.run(":show where").output == "$where = \"in us\"\n")
    }

    @Test func printsOfTheStatementsReplayedAfterAReloadAreNotShownAgain() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        _ = try repl.directory.write("lib.mesh", "let n = 1\n")
        _ = repl.run(":load lib.mesh")
        #expect(repl.run("print \"after\"").output == "after\n")
        _ = try repl.directory.write("lib.mesh", "let n = 2\nprint \"lib\"\n")
        #expect(repl.run(":load lib.mesh").output == "lib\nreloaded lib.mesh: changed $n\n")
    }
}

@Suite struct REPLHelpTests {
    @Test func helpListsUndoAndLoadOnALineEach() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        let lines = repl.run(":help").output.split(separator: "\n").map(String.init)
        let undo = lines.filter { $0.hasPrefix("  :undo ") }
        let load = lines.filter { $0.hasPrefix("  :load FILE ") }
        #expect(undo == ["  :undo           take back the last accepted statement"])
        #expect(load == ["  :load FILE      evaluate a script into this session; loading it again replaces what it declared"])
    }
}
