// `meshscript repl < script.mesh`: standard input is not a terminal, so the REPL reads
// lines without editing, prints no banner or prompt, evaluates statement by statement
// and exits 0, or 65 when something failed or the input ended inside an entry.
import Foundation
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
        #expect(run.errors == "")
        #expect(run.output == """
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
        #expect(run.output == "1\nno mesh declared\nclusters: none\nvariables: $x\n")
        #expect(run.errors.contains("<repl:2>:1:20: error: unexpected word 'frm' in 'trust'"))
        #expect(run.errors.contains("did you mean 'from'?"))
        #expect(run.errors.contains("'$x' is already defined"))
        #expect(!run.errors.contains("\u{1B}["), "no colour on a pipe")
    }

    @Test(arguments: ["cluster c1 <\n  trust from root\n", "let l = [1,\n", "print \"unclosed\n", "print len(\n"])
    func inputEndingInsideAnEntryIs65(script: String) throws {
        let run = try runPiped("print 1\n" + script)
        #expect(run.status == 65)
        #expect(run.output == "1\n")
        #expect(run.errors.contains("error: input ended inside an unclosed block, list or string"))
    }

    @Test(arguments: [":load nosuch.mesh", ":nosuch", ":check"])
    func aFailingCommandIs65(command: String) throws {
        let run = try runPiped("cluster c1 < discover with c2 >\n\(command)\nprint \"after\"\n")
        #expect(run.status == 65)
        #expect(run.output == "after\n")
        #expect(run.errors.contains("error: "))
    }

    @Test func aFileRedirectedToStandardInputWorksToo() throws {
        let good = try runPiped("mesh m\nprint \"ok\"\n", fromFile: true)
        #expect(good.status == 0)
        #expect(good.output == "ok\n")
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
        #expect(run.errors == "")
        #expect(run.status == 0)
        #expect(run.output == "else\nelse if\nalone\nafter\n")
    }

    /// A program driving the REPL through pipes gets each answer before it sends the next
    /// line: the REPL does not read ahead of an entry that cannot continue.
    @Test func eachLineIsAnsweredBeforeTheNextIsRead() throws {
        guard let binary = MeshScriptBinary.path else {
            Issue.record("no meshscript binary beside the tests or in .build/debug: run `swift build` first")
            return
        }
        let home = try TemporaryDirectory()
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
        #expect(run.output == "1\n")
    }

    @Test func emptyInputIs0() throws {
        let run = try runPiped("")
        #expect(run.status == 0)
        #expect(run.output == "")
        #expect(run.errors == "")
    }

    @Test func saveAndLoadWorkFromAPipe() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try runPiped("mesh m\ncluster c1 < trust from root; install >\nnetwork n1\n:save s.mesh\n:plan\n", in: directory.path)
        #expect(first.status == 0)
        let second = try runPiped(":load s.mesh\n:plan\n", in: directory.path)
        #expect(second.status == 0)
        #expect(first.output.hasPrefix("saved 3 statements to s.mesh\n"))
        #expect(second.output.hasPrefix("loaded s.mesh: 1 cluster in the session\n"))
        let plan = { (output: String) in output.split(separator: "\n", maxSplits: 1).last.map(String.init) ?? "" }
        #expect(plan(first.output).contains("istioctl install --context=c1"))
        #expect(plan(first.output) == plan(second.output))
    }
}

/// Runs `meshscript repl` with `script` on standard input: a pipe, or a file (`< script.mesh`).
private func runPiped(_ script: String, in directory: String? = nil, fromFile: Bool = false,
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> (status: Int32, output: String, errors: String) {
    guard let binary = MeshScriptBinary.path else {
        Issue.record("no meshscript binary beside the tests or in .build/debug: run `swift build` first", sourceLocation: sourceLocation)
        return (-1, "", "")
    }
    let scratch = try TemporaryDirectory()
    defer { scratch.remove() }
    let input = scratch.path + "/script.mesh"
    try script.write(toFile: input, atomically: true, encoding: .utf8)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["repl"]
    process.currentDirectoryURL = URL(fileURLWithPath: directory ?? scratch.path)
    var environment = ProcessInfo.processInfo.environment
    environment["HOME"] = scratch.path
    process.environment = environment
    let inputPipe = Pipe()
    process.standardInput = fromFile ? try FileHandle(forReadingFrom: URL(fileURLWithPath: input)) : inputPipe
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    if !fromFile {
        let writer = inputPipe.fileHandleForWriting
        DispatchQueue.global().async {
            try? writer.write(contentsOf: Data(script.utf8))
            try? writer.close()
        }
    }
    // Read both pipes at once so neither can fill up and block the child.
    let errorData = Mutex(Data())
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errorData.withLock { $0 = errors.fileHandleForReading.readDataToEndOfFile() } }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self),
            String(decoding: errorData.withLock { $0 }, as: UTF8.self))
}
