// `meshscript repl < script.mesh`: standard input is not a terminal, so the REPL reads
// lines without editing, prints no banner or prompt, evaluates statement by statement
// and exits 0, or 65 when something failed or the input ended inside an entry.
import Foundation
import MeshTestSupport
import Synchronization
import Testing

@Suite struct REPLPipedInputTests {
    @Test func aGoodScriptIsEvaluatedLineByLine() throws {
        let run = try runPiped("""
            mesh m
            network n1
            let names = ["c1", "c2"]
            for name in $names <
              cluster $name < trust from root; install network n1 >
            >
            print "clusters: " + str(len(clusters()))
            cluster c3 <
              trust from root
              discover with c1, c2
            >
            # a comment, then a blank line

            print clusters()
            :check
            :show c3
            """)
        #expect(run.status == 0)
        #expect(run.stderr == "")
        #expect(run.stdout == """
            clusters: 2
            ["c1", "c2", "c3"]
            ok: 3 clusters, 4 discovery links
            cluster c3
              context: c3 (default)
              trust: from root
              install: none
              has remote secrets of: c1, c2
              its remote secret goes to: c1, c2

            """)
    }

    @Test func aFailedStatementIsReportedTheRestRunsAndTheStatusIs65() throws {
        let run = try runPiped("""
            let x = 1
            cluster c9 < trust frm root >
            let x = 2
            print $x
            :show
            """)
        #expect(run.status == 65)
        #expect(run.stdout == "1\nno mesh declared\nclusters: none\nvariables: $x\n")
        #expect(run.stderr.contains("<repl:2>:1:20: error: unexpected word 'frm' in 'trust'"))
        #expect(run.stderr.contains("did you mean 'from'?"))
        #expect(run.stderr.contains("'$x' is already defined"))
        #expect(!run.stderr.contains("\u{1B}["), "no colour on a pipe")
    }

    @Test(arguments: ["cluster c1 <\n  trust from root\n", "let l = [1,\n", "print \"unclosed\n", "print len(\n"])
    func inputEndingInsideAnEntryIs65(script: String) throws {
        let run = try runPiped("print 1\n" + script)
        #expect(run.status == 65)
        #expect(run.stdout == "1\n")
        #expect(run.stderr.contains("error: input ended inside an unclosed block, list or string"))
    }

    @Test(arguments: [":load nosuch.mesh", ":nosuch", ":check"])
    func aFailingCommandIs65(command: String) throws {
        let run = try runPiped("cluster c1 < discover with c2 >\n\(command)\nprint \"after\"\n")
        #expect(run.status == 65)
        #expect(run.stdout == "after\n")
        #expect(run.stderr.contains("error: "))
    }

    @Test func aFileRedirectedToStandardInputWorksToo() throws {
        let good = try runPiped("mesh m\nprint \"ok\"\n", fromFile: true)
        #expect(good.status == 0)
        #expect(good.stdout == "ok\n")
        let bad = try runPiped("mesh m\ncluster c1 < trust frm root >\n", fromFile: true)
        #expect(bad.status == 65)
    }

    /// As in a file, a newline (and blank or comment lines) before `else` does not end the `if`.
    @Test func elseOnALaterLineBelongsToTheIf() throws {
        let run = try runPiped("""
            if false <
              print "then"
            >
            else <
              print "else"
            >
            if false < print "then" >

            # the else branch
            else if true < print "else if" >
            else < print "never" >
            if true < print "alone" >
            print "after"
            """)
        #expect(run.stderr == "")
        #expect(run.status == 0)
        #expect(run.stdout == "else\nelse if\nalone\nafter\n")
    }

    /// A program driving the REPL through pipes gets each answer before it sends the next
    /// line: the REPL does not read ahead of an entry that cannot continue.
    @Test func eachLineIsAnsweredBeforeTheNextIsRead() throws {
        let binary = try requireMeshscript()
        let home = try Scratch()
        defer { home.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["repl"]
        process.currentDirectoryURL = URL(fileURLWithPath: home.path)
        process.environment = ["HOME": home.path, "PATH": "/usr/bin:/bin"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // Collect the output on another thread, so a REPL that never answers fails the test
        // at the deadline instead of hanging it.
        let received = Mutex(Data())
        let reader = output.fileHandleForReading
        DispatchQueue.global().async {
            while case let chunk = reader.availableData, !chunk.isEmpty { received.withLock { $0 += chunk } }
        }
        func answer(to line: String, endingWith end: String) -> String {
            received.withLock { $0 = Data() }
            input.fileHandleForWriting.write(Data((line + "\n").utf8))
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                let text = received.withLock { String(decoding: $0, as: UTF8.self) }
                if text.hasSuffix(end) { return text }
                Thread.sleep(forTimeInterval: 0.01)
            }
            return "no answer to \(line.debugDescription) within 10 s; received: " + received.withLock { String(decoding: $0, as: UTF8.self) }
        }
        #expect(answer(to: "cluster c1 < trust from root >; print \"declared\"", endingWith: "declared\n") == "declared\n")
        #expect(answer(to: ":show c1", endingWith: "install: none\n").hasPrefix("cluster c1\n"))
        #expect(answer(to: "print 1 + 1", endingWith: "2\n") == "2\n")
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func quitStopsReading() throws {
        let run = try runPiped("print 1\n:quit\nprint 2\ncluster c1 <\n")
        #expect(run.status == 0)
        #expect(run.stdout == "1\n")
    }

    @Test func emptyInputIs0() throws {
        let run = try runPiped("")
        #expect(run.status == 0)
        #expect(run.stdout == "")
        #expect(run.stderr == "")
    }

    @Test func saveAndLoadWorkFromAPipe() throws {
        let directory = try Scratch()
        defer { directory.remove() }
        let first = try runPiped("mesh m\ncluster c1 < trust from root; install >\nnetwork n1\n:save s.mesh\n:plan\n", in: directory.path)
        #expect(first.status == 0)
        let second = try runPiped(":load s.mesh\n:plan\n", in: directory.path)
        #expect(second.status == 0)
        #expect(first.stdout.hasPrefix("saved 3 statements to s.mesh\n"))
        #expect(second.stdout.hasPrefix("loaded s.mesh: 1 cluster in the session\n"))
        let plan = { (output: String) in output.split(separator: "\n", maxSplits: 1).last.map(String.init) ?? "" }
        #expect(plan(first.stdout).contains("istioctl install --context=c1"))
        #expect(plan(first.stdout) == plan(second.stdout))
    }
}

/// Runs `meshscript repl` with `script` on standard input: a pipe, or a file (`< script.mesh`).
private func runPiped(_ script: String, in directory: String? = nil, fromFile: Bool = false,
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessRun {
    let binary = try requireMeshscript(sourceLocation: sourceLocation)
    let scratch = try Scratch()
    defer { scratch.remove() }
    let input = try scratch.write("script.mesh", script)
    var environment = ProcessInfo.processInfo.environment
    environment["HOME"] = scratch.path
    return try runProcess(binary, ["repl"], environment: environment, directory: directory ?? scratch.path,
                          input: fromFile ? .file(input) : .text(script))
}
