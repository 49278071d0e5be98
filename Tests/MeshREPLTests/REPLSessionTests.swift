// REPLSession in-process: when an entry needs more input, that a failed entry leaves the
// session as it was, the colon commands (:save/:load round trip, :show, :check, :reset),
// and which failures a piped session counts. Output is captured through the session's
// write/writeError closures.
import Foundation
import MeshScript
import MeshTestSupport
import Testing
@testable import MeshREPL

/// A session in a fresh directory (also its HOME), with its output captured.
final class CapturedSession {
    let directory: Scratch
    let session: REPLSession
    private(set) var output = ""
    private(set) var errors = ""

    init(directory: Scratch? = nil) throws {
        let directory = try directory ?? Scratch()
        self.directory = directory
        var writeOut: (String) -> Void = { _ in }
        var writeErr: (String) -> Void = { _ in }
        session = REPLSession(environment: ["HOME": directory.path], directory: directory.path, color: false,
                              write: { writeOut($0) }, writeError: { writeErr($0) })
        writeOut = { [unowned self] in self.output += $0 }
        writeErr = { [unowned self] in self.errors += $0 }
    }

    /// Feeds the lines one by one; expects every line but the last to need more input
    /// and the last to complete the entry.
    @discardableResult
    func enter(_ lines: String..., sourceLocation: Testing.SourceLocation = #_sourceLocation) -> REPLSession.Status {
        var status = REPLSession.Status.ready
        for (index, line) in lines.enumerated() {
            status = session.feed(line)
            if index < lines.count - 1 {
                #expect(status == .needsMoreInput, "after \(line.debugDescription)", sourceLocation: sourceLocation)
            }
        }
        #expect(status != .needsMoreInput, "the entry should be complete", sourceLocation: sourceLocation)
        return status
    }

    /// What `line` writes to standard output and standard error.
    func run(_ line: String) -> (output: String, errors: String) {
        let (outStart, errStart) = (output.endIndex, errors.endIndex)
        _ = session.feed(line)
        return (String(output[outStart...]), String(errors[errStart...]))
    }

    var clusterNames: [String] { session.engine.topology.clusters.map(\.name.value) }

    func remove() { directory.remove() }
}

@Suite struct REPLSessionTests {
    // MARK: - Entries that need more input

    @Test(arguments: [
        ["cluster c1 <", "  trust from root", ">"],
        ["let l = [1,", "2,", "3]"],
        ["let n = len(", "\"abc\")"],
        ["let s = \"first", "second\""],
        ["recipe r(a) <", "  if $a == 1 <", "    print \"one\"", "  >", ">"],
        ["cluster c1 < trust from root; discover with [", "c2] >"],
    ])
    func anUnclosedConstructContinuesOnTheNextLine(lines: [String]) throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        #expect(repl.session.prompt == "mesh> ")
        for line in lines.dropLast() {
            #expect(repl.session.feed(line) == .needsMoreInput, "after \(line.debugDescription)")
            #expect(repl.session.prompt == "  ... ")
            #expect(repl.session.hasPendingInput)
        }
        #expect(repl.session.feed(lines.last!) == .ready)
        #expect(repl.session.prompt == "mesh> ")
        #expect(!repl.session.hasPendingInput)
        // At most the note that c2 is not declared yet.
        #expect(!repl.errors.contains("error"), "\(repl.errors)")
        #expect(repl.session.accepted == [lines.joined(separator: "\n")])
    }

    @Test func theEntryIsEvaluatedAsAWhole() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("let s = \"ab", "cd\"")
        repl.enter("let l = [1,", "  2]")
        repl.enter("cluster c1 <", "trust from root", ">")
        #expect(repl.run("print $s").output == "ab\ncd\n")
        #expect(repl.run("print len($l)").output == "2\n")
        #expect(repl.run(":show c1").output.contains("trust: from root"))
    }

    @Test func blankLinesAndCommentsAreNotEntries() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        #expect(repl.session.feed("") == .ready)
        #expect(repl.session.feed("   ") == .ready)
        #expect(repl.session.feed("# a comment <") == .ready)
        #expect(repl.session.accepted.isEmpty)
        // Inside an entry they belong to it.
        #expect(repl.session.feed("cluster c1 <") == .needsMoreInput)
        #expect(repl.session.feed("") == .needsMoreInput)
        #expect(repl.session.feed("  # not yet >") == .needsMoreInput)
        #expect(repl.session.feed(">") == .ready)
        #expect(repl.clusterNames == ["c1"])
        #expect(repl.errors == "")
    }

    @Test func discardingAPendingEntryForgetsItsLines() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        #expect(repl.session.feed("cluster c1 <") == .needsMoreInput)
        repl.session.discardPendingInput()
        #expect(repl.session.prompt == "mesh> ")
        repl.enter("cluster c2 < trust from root >")
        #expect(repl.clusterNames == ["c2"])
        #expect(repl.errors == "")
    }

    @Test func aCompleteEntryWithASyntaxErrorIsReportedAtOnce() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        #expect(repl.session.feed("cluster c1 <") == .needsMoreInput)
        #expect(repl.session.feed("trust frm root") == .needsMoreInput)
        #expect(repl.session.feed(">") == .ready)
        #expect(repl.errors.contains("error: unexpected word 'frm'"))
        #expect(repl.errors.contains("did you mean 'from'?"))
        #expect(repl.errors.contains("2 | trust frm root"), "the line number is the entry's")
        #expect(repl.clusterNames.isEmpty)
        #expect(repl.session.errorCount == 1)
    }

    /// Whether a piped session looks ahead for an `else` before evaluating.
    @Test(arguments: [
        ("if true < print 1 >", true),
        ("if true < print 1 > else < print 2 >", false), // a plain else closes the chain
        ("if true < print 1 > else < if true < print 2 > >", false), // an if inside a plain else block
        ("if true < print 1 >;", false), // a ';' ends the statement
        ("if true < print 1 > else if false < print 2 > else < print 3 >", false),
        ("if true < print 1 > else if false < print 2 >", true),
        ("if true < print 1 > # done", true),
        ("print 0; if true < print 1 >", true),
        ("if true < print 1 >; print 2", false),
        ("if false < print 1 >\n\n# c\nelse if true < print 2 >", true),
        ("if false < print 1 >\nprint 2", false),
        ("if true <", false),
        ("cluster c1 < if true < trust from root > >", false),
        ("print 1", false),
        (":show", false),
        ("", false),
    ])
    func anEntryEndingWithAnIfMayContinueWithElse(line: String, expected: Bool) throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        #expect(repl.session.mayContinueWithElse(line) == expected)
    }

    @Test func aPendingIfMayContinueWithElse() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        #expect(repl.session.feed("if true <") == .needsMoreInput)
        #expect(repl.session.feed("  print 1") == .needsMoreInput)
        #expect(!repl.session.mayContinueWithElse("  print 2"))
        #expect(repl.session.mayContinueWithElse(">"))
    }

    /// At a terminal an entry ending with an `if` waits for the next line: an `else` there
    /// continues it (a newline before `else` does not end an `if`), an empty line runs it,
    /// and any other line runs it and is then taken as an entry of its own.
    @Test func elseOnTheNextLineAtATerminal() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.session.waitsForElse = true
        #expect(repl.session.feed("if false < print \"then\" >") == .needsMoreInput)
        #expect(repl.session.prompt == "  ... ")
        #expect(repl.output == "")
        #expect(repl.session.feed("else if false < print \"elif\" >") == .needsMoreInput)
        #expect(repl.session.feed("else < print \"else\" >") == .ready)
        #expect(repl.errors == "")
        #expect(repl.output == "else\n")
        #expect(repl.session.prompt == "mesh> ")
    }

    @Test func anEmptyLineOrAnotherStatementRunsAHeldIf() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.session.waitsForElse = true
        #expect(repl.session.feed("if true < print 1 >") == .needsMoreInput)
        #expect(repl.session.feed("") == .ready)
        #expect(repl.output == "1\n")
        #expect(repl.session.feed("if true < print 2 >") == .needsMoreInput)
        #expect(repl.session.feed("print 3") == .ready)
        #expect(repl.output == "1\n2\n3\n")
        // A chain that already ends in a plain else does not wait.
        #expect(repl.session.feed("if false < print 4 > else < print 5 >") == .ready)
        #expect(repl.output.hasSuffix("5\n"))
        #expect(repl.session.accepted.count == 4)
        #expect(repl.errors == "")
    }

    // MARK: - A failed entry changes nothing

    @Test func aFailedEntryLeavesTopologyVariablesAndRecipesAsTheyWere() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m")
        repl.enter("network n1")
        repl.enter("cluster c1 < trust from root; install network n1 >")
        repl.enter("let x = 1")
        let accepted = repl.session.accepted
        let show = repl.run(":show").output

        // A runtime error after statements that did change things.
        let failed = repl.run(#"cluster c9 < trust from root >; network n2; let y = 2; recipe r() < >; assert false, "boom""#)
        #expect(failed.errors.contains("error: boom"))
        #expect(repl.clusterNames == ["c1"])
        #expect(repl.session.engine.topology.networks.map(\.name.value) == ["n1"])
        #expect(repl.session.engine.interpreter.variableNames == ["x"])
        #expect(repl.session.engine.interpreter.recipeNames.isEmpty)
        #expect(repl.session.accepted == accepted)
        #expect(repl.run(":show").output == show)

        // Re-binding is an error and keeps the old value.
        let rebound = repl.run("let x = 2")
        #expect(rebound.errors.contains("'$x' is already defined"))
        #expect(repl.run("print $x").output == "1\n")

        // An error inside a cluster block drops the whole cluster, and the name stays free.
        #expect(repl.run("cluster c9 < trust from root; context env(\"MESHSCRIPT_TEST_UNSET\") >").errors.contains("error:"))
        #expect(repl.clusterNames == ["c1"])
        #expect(repl.run("cluster c9 < trust from root >").errors == "")
        #expect(repl.clusterNames == ["c1", "c9"])
        #expect(repl.session.errorCount == 3)
    }

    /// The undo log (marks, not copies) against a session that never saw the failures: many
    /// globals (past the bindings' index threshold), a kubeconfig, a mesh, roots and imports
    /// in failing entries; afterwards :show and :plan are those of the good entries alone.
    @Test func failedEntriesUndoneByTheLogLeaveWhatTheGoodEntriesAloneGive() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("lib.mesh", "let imported = 1\nrecipe libr() < >\n")
        let good = ["network n1"] + (0..<20).map { "let v\($0) = \($0)" } + [
            "cluster c1 < trust from root; install network n1 >",
            "recipe primary(name) < cluster $name < trust from root; install network n1; discover with c1 > >",
            "primary c2",
        ]
        let failing = [
            "let w1 = 1; let w2 = 2; kubeconfig \"k.yaml\"; assert false, \"one\"",
            "mesh other; root r2 < days 10 >; network n9; let v99 = 1; print $nope",
            "import \"lib.mesh\"; cluster c7 < trust from root >; assert false, \"three\"",
            "primary c8; let v0 = 5",
        ]
        let undone = try CapturedSession(directory: scratch)
        for (index, line) in good.enumerated() {
            undone.enter(line)
            if index % 5 == 4 { for bad in failing { #expect(undone.run(bad).errors.contains("error:"), "\(bad) should fail") } }
        }
        #expect(undone.session.errorCount == 4 * failing.count)
        let clean = try CapturedSession(directory: scratch)
        for line in good { clean.enter(line) }
        #expect(undone.run(":show").output == clean.run(":show").output)
        #expect(undone.run(":plan out").output == clean.run(":plan out").output)
        #expect(undone.session.engine.interpreter.variableNames == clean.session.engine.interpreter.variableNames)
        // Names the failures bound are free again, past the index threshold too.
        #expect(undone.run("print $w1").errors.contains("undefined"))
        #expect(undone.run("let w1 = 7; print $w1").output == "7\n")
        #expect(undone.run("print $v19").output == "19\n")
        #expect(undone.session.engine.topology.kubeconfig == nil)
    }

    // MARK: - Colon commands

    @Test func showListsTheTopologyAndOneName() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m")
        repl.enter("network n1")
        repl.enter("root r1 < key ecdsa p256 >")
        repl.enter("cluster c1 < context \"ctx1\"; trust from r1; install network n1 >")
        repl.enter("cluster c2 < trust from r1; discover with c1 >")
        repl.enter("let x = [1, \"a\"]")
        repl.enter("recipe twice(a) < print $a; print $a >")
        #expect(repl.run(":show").output == """
            mesh m (Istio \(IstioReleases.newest))
            networks: n1
            roots: r1
            clusters: c1, c2
            links: c1 → c2, c2 → c1
            variables: $x
            recipes: twice

            """)
        #expect(repl.run(":show c1").output == """
            cluster c1
              context: ctx1
              trust: from r1
              install: network n1
              has remote secrets of: c2
              its remote secret goes to: c2

            """)
        #expect(repl.run(":show n1").output == "network n1: c1, c2\n", "c2 is on the only network")
        #expect(repl.run(":show r1").output.contains("trusted by: c1, c2"))
        #expect(repl.run(":show root").output.contains("root root (implicit, Istio's profile)"))
        #expect(repl.run(":show $x").output == "$x = [1, \"a\"]\n")
        #expect(repl.run(":show twice").output == "recipe twice(a)\n")
        #expect(repl.run(":show c3").errors == "error: nothing named 'c3'; did you mean 'c1'?\n")
    }

    @Test func checkReportsTheValidatorsDiagnostics() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m")
        repl.enter("cluster c1 < trust from root; discover with c2 >")
        repl.enter("cluster c3 < trust from root >")
        let check = repl.run(":check")
        #expect(check.output == "")
        #expect(check.errors.contains("error: unknown cluster 'c2'"))
        #expect(check.errors.contains("did you mean"))
        #expect(repl.run(":plan").errors.contains("error: unknown cluster 'c2'"), ":plan validates first")
        repl.enter("cluster c2 < trust from root >")
        #expect(repl.run(":check") == (output: "ok: 3 clusters, 2 discovery links\n", errors: ""))
    }

    /// :check reads a root's `from "DIR"` files (relative to the session's directory) as `meshscript check` does.
    @Test func checkInspectsTheRootFilesAFromBrings() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m")
        repl.enter("root corp < from \"certs\" >")
        repl.enter("cluster c1 < trust from corp >")
        #expect(repl.run(":check") == (output: "ok: 1 cluster, 0 discovery links\n", errors: ""), "no files yet: render's to report")
        try FileManager.default.createDirectory(atPath: repl.directory.path + "/certs", withIntermediateDirectories: true)
        try "not a certificate\n".write(toFile: repl.directory.path + "/certs/root-cert.pem", atomically: true, encoding: .utf8)
        let check = repl.run(":check")
        #expect(check.output == "")
        // At the `from` statement: half a root is a bad root.
        #expect(check.errors.contains("<repl:2>:1:13: error: root 'corp': \(repl.directory.path)/certs/root-key.pem does not exist"), "\(check.errors)")
    }

    @Test func planListsTheStepsInOrder() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        for line in Self.twoClusters { repl.enter(line) }
        let plan = repl.run(":plan")
        #expect(plan.errors == "")
        let steps = [
            "kubectl create namespace istio-system --context=c1",
            "istioctl install --context=c1",
            "kubectl create namespace istio-system --context=c2",
            "istioctl install --context=c2",
            "kubectl apply -f out/c1/reader-service-account.yaml --context=c1",
            "meshscript remote-secret --name=c1 --istio=1.30 --context=c1 | kubectl apply -f - --context=c2",
            "kubectl apply -f out/c2/reader-service-account.yaml --context=c2",
            "meshscript remote-secret --name=c2 --istio=1.30 --context=c2 | kubectl apply -f - --context=c1",
        ]
        var rest = plan.output[...]
        for step in steps {
            guard let found = rest.range(of: step) else {
                Issue.record("step '\(step)' missing or out of order in:\n\(plan.output)")
                break
            }
            rest = rest[found.upperBound...]
        }
        #expect(repl.run(":plan elsewhere").output.contains("--from-file=elsewhere/c1/ca-cert.pem"))
    }

    @Test func graphAsDOTOrMermaid() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        for line in Self.twoClusters { repl.enter(line) }
        let topology = repl.session.engine.topology
        #expect(repl.run(":graph").output == topology.dot)
        #expect(repl.run(":graph dot").output == topology.dot)
        #expect(repl.run(":graph mermaid").output == topology.mermaid)
        #expect(topology.mermaid.hasPrefix("flowchart LR\n"))
        let wrong = repl.run(":graph png")
        #expect(wrong.output == "" && wrong.errors.contains("takes dot (the default) or mermaid, not 'png'"), "\(wrong)")
    }

    @Test func saveThenLoadInAFreshSessionGivesTheSamePlan() throws {
        let first = try CapturedSession()
        defer { first.remove() }
        first.enter("mesh m")
        first.enter("network n1")
        first.enter("let names = [\"c1\", \"c2\"]")
        first.enter("recipe primary(name) <", "  cluster $name < trust from root; install network n1 >", ">")
        first.enter("for n in $names <", "  primary $n", ">")
        first.enter("cluster c4 < trust frm root >") // fails: not saved
        first.enter("let names = []") // fails: not saved
        first.enter("cluster c3 <", "  trust from root", "  discover with c1, c2", ">")
        first.enter("print \"hello\"")
        let plan = first.run(":plan").output
        let show = first.run(":show").output
        #expect(first.run(":save session.mesh") == (output: "saved 7 statements to session.mesh\n", errors: ""))
        let saved = try String(contentsOfFile: first.directory.path + "/session.mesh", encoding: .utf8)
        #expect(!saved.contains("c4") && !saved.contains("[]"))

        let second = try CapturedSession()
        defer { second.remove() }
        let load = second.run(":load \(first.directory.path)/session.mesh")
        #expect(load.errors == "")
        #expect(load.output == "hello\nloaded \(first.directory.path)/session.mesh: 3 clusters in the session\n")
        #expect(second.run(":plan").output == plan)
        #expect(second.run(":show").output == show)
        #expect(second.session.errorCount == 0)

        // Saving the loaded session writes a script that still re-creates it.
        #expect(second.run(":save again.mesh").errors == "")
        let third = try CapturedSession()
        defer { third.remove() }
        _ = third.run(":load \(second.directory.path)/again.mesh")
        #expect(third.run(":plan").output == plan)
    }

    /// A project elsewhere, `main.mesh` importing its sibling `lib.mesh`.
    private func project() throws -> Scratch {
        let project = try Scratch()
        try "let lib-value = \"from lib\"\nrecipe primary(name) < cluster $name < trust from root > >\n"
            .write(toFile: project.path + "/lib.mesh", atomically: true, encoding: .utf8)
        try "import \"lib.mesh\"\nprimary c1\nprint $lib-value\n".write(toFile: project.path + "/main.mesh", atomically: true, encoding: .utf8)
        return project
    }

    @Test func aLoadedFileImportsItsSiblingsWhateverRanBefore() throws {
        let project = try project()
        defer { project.remove() }
        let repl = try CapturedSession()
        defer { repl.remove() }
        try "let local = 1\n".write(toFile: repl.directory.path + "/local.mesh", atomically: true, encoding: .utf8)
        repl.enter("mesh m")
        let load = repl.run(":load \(project.path)/main.mesh")
        #expect(load.errors == "")
        #expect(load.output.hasPrefix("from lib\n"))
        #expect(repl.clusterNames == ["c1"])
        // And the session's own directory stays importable after a :load from elsewhere.
        #expect(repl.run("import \"local.mesh\"").errors == "")
        #expect(repl.run("print $local").output == "1\n")
    }

    @Test func saveAfterLoadingAFileWithRelativeImports() throws {
        let project = try project()
        defer { project.remove() }
        let first = try CapturedSession()
        defer { first.remove() }
        _ = first.run(":load \(project.path)/main.mesh")
        _ = first.run(":save saved.mesh")
        let second = try CapturedSession()
        defer { second.remove() }
        // :save records the :load as an absolute import, so the loaded file's own relative
        // imports still resolve when the saved script is loaded from another directory.
        let load = second.run(":load \(first.directory.path)/saved.mesh")
        #expect(load.errors == "")
        #expect(second.clusterNames == ["c1"])
    }

    @Test func aFailingLoadKeepsNothing() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m")
        let path = repl.directory.path + "/bad.mesh"
        try "cluster c1 < trust from root >\nlet y = 1\ncluster c2 < trust frm root >\n".write(toFile: path, atomically: true, encoding: .utf8)
        let load = repl.run(":load bad.mesh")
        #expect(load.errors.contains("bad.mesh:3:"))
        #expect(load.errors.contains("nothing from 'bad.mesh' was kept"))
        #expect(repl.clusterNames.isEmpty)
        #expect(repl.session.engine.interpreter.variableNames.isEmpty)
        #expect(repl.session.accepted == ["mesh m"])
    }

    @Test func resetForgetsEverything() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m")
        repl.enter("cluster c1 < trust from root >")
        repl.enter("let x = 1")
        #expect(repl.run(":reset").output == "session reset\n")
        #expect(repl.run(":show").output == "no mesh declared\nclusters: none\n")
        #expect(repl.session.accepted.isEmpty)
        repl.enter("let x = 2") // no longer a re-binding
        #expect(repl.errors == "")
    }

    @Test func quitEndsTheSession() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        #expect(repl.session.feed(":quit") == .quit)
        #expect(repl.session.feed("  :q  ") == .quit)
    }

    @Test func helpListsCommandsAndBuiltIns() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        let help = repl.run(":help").output
        for command in REPLSession.commands { #expect(help.contains(command.name)) }
        #expect(help.contains("trust from ROOT"))
        #expect(help.contains("env()"))
    }

    /// `:save` replaces only a regular file, and one this session did not write only with
    /// `:save!`: before, `:save /dev/full` turned the device node into a file (a FIFO stands
    /// for it here), and a symbolic
    /// link or someone's script was replaced without a word.
    @Test func saveNeverReplacesADeviceALinkOrAnotherFile() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m1")
        // A FIFO of our own stands for the device: a regression must not clobber /dev/full.
        let directory = repl.directory.path
        #expect(mkfifo(directory + "/pipe", 0o600) == 0)
        let special = repl.run(":save pipe")
        #expect(special.errors.contains("it is not a regular file"), "\(special)")
        var info = stat()
        #expect(lstat(directory + "/pipe", &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)

        let theirs = directory + "/theirs.mesh"
        try "# someone else's script\n".write(toFile: theirs, atomically: true, encoding: .utf8)
        #expect(symlink(theirs, directory + "/link.mesh") == 0)
        #expect(repl.run(":save link.mesh").errors.contains("not a regular file"))
        #expect(repl.run(":save theirs.mesh").errors == "error: 'theirs.mesh' exists; :save! theirs.mesh replaces it\n")
        #expect(try String(contentsOfFile: theirs, encoding: .utf8) == "# someone else's script\n")
        #expect(repl.run(":save! theirs.mesh").errors == "")
        #expect(try String(contentsOfFile: theirs, encoding: .utf8).contains("mesh m1"))
        // A file this session saved is saved again without a question.
        #expect(repl.run(":save mine.mesh").errors == "")
        repl.enter("network n1")
        #expect(repl.run(":save mine.mesh") == (output: "saved 2 statements to mine.mesh\n", errors: ""))
    }

    /// A piped session exits 65 when anything failed, so every error a command prints counts.
    /// Each with a fragment of its own message, so a command failing for another reason (or
    /// printing some other error) does not pass.
    @Test(arguments: [
        ":nosuch": "error: unknown command ':nosuch'",
        ":load nosuch.mesh": "error: cannot read 'nosuch.mesh'",
        ":load": "usage: :load FILE",
        ":save": "usage: :save FILE",
        ":save no/such/dir/x.mesh": "error: cannot save 'no/such/dir/x.mesh'",
        ":render": "usage: :render DIR",
        ":show nosuch": "error: nothing named 'nosuch'",
        ":check": "c2",
    ])
    func aFailingCommandCountsAsAnError(command: String, message: String) throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("cluster c1 < discover with c2 >")
        let result = repl.run(command)
        #expect(result.output == "")
        #expect(result.errors != "")
        #expect(result.errors.contains(message), "\(result.errors)")
        #expect(repl.session.errorCount == 1)
    }

    @Test func renderWritesTheCertificates() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m")
        repl.enter("network n1")
        repl.enter("root r1 < key ecdsa p256 >")
        repl.enter("cluster c1 < trust from r1; install network n1 >")
        let render = repl.run(":render out")
        #expect(render.errors == "")
        #expect(render.output.hasPrefix("rendered out: "))
        for file in ["out/root-cert.pem", "out/c1/ca-cert.pem", "out/c1/cert-chain.pem"] {
            #expect(FileManager.default.fileExists(atPath: repl.directory.path + "/" + file), "\(file)")
        }
    }

    /// A work directory that cannot be created (its parent is a file): an error that counts,
    /// and nothing written.
    @Test func renderWhereNoDirectoryCanBeCreatedFails() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        repl.enter("mesh m")
        repl.enter("network n1")
        repl.enter("cluster c1 < trust from root; install network n1 >")
        _ = try repl.directory.write("afile", "")
        let render = repl.run(":render afile/out")
        #expect(render.output == "")
        #expect(render.errors.contains("cannot be created"), "\(render.errors)")
        #expect(repl.session.errorCount == 1)
        #expect(!FileManager.default.fileExists(atPath: repl.directory.path + "/root-cert.pem"))
    }

    static let twoClusters = [
        "mesh m",
        "network n1",
        "cluster c1 < trust from root; install network n1 >",
        "cluster c2 < trust from root; install network n1; discover with c1 >",
    ]
}

/// Issue 9: `:load` of a device read it without end, and of a FIFO blocked in open().
@Suite struct REPLLoadSpecialFileTests {
    @Test func loadingADeviceOrAFIFOIsRefused() throws {
        let repl = try CapturedSession()
        defer { repl.remove() }
        #expect(mkfifo(repl.directory.at("pipe.mesh"), 0o600) == 0)
        let device = repl.run(":load /dev/urandom")
        #expect(device.errors.contains("is a device, not a regular file"), "\(device)")
        let fifo = repl.run(":load pipe.mesh")
        #expect(fifo.errors.contains("is a FIFO, not a regular file"), "\(fifo)")
        #expect(repl.clusterNames.isEmpty)
    }
}
