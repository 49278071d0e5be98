// `import`: once per file, relative to the importing file, cycles and escapes refused,
// missing files reported. Run twice: through InMemoryLoader and through real files.
import Foundation
import MeshTestSupport
import Testing

import MeshScriptInterpreter

/// A set of script files under a root, kept either in memory or in a scratch directory.
struct ScriptTree {
    enum Storage: String, CaseIterable, CustomTestStringConvertible {
        case memory, disk
        var testDescription: String { rawValue }
    }

    var files: [String: String]

    /// Runs `proj/main.mesh` of the tree, read from memory or from files in a scratch directory
    /// (removed after the run); `configure` sets the interpreter up first.
    func runMain(_ storage: Storage, configure: (Interpreter) -> Void = { _ in }) throws -> Run {
        switch storage {
        case .memory:
            let loader = InMemoryLoader(Dictionary(uniqueKeysWithValues: files.map { ("/tree/" + $0.key, $0.value) }))
            return runFile("/tree/proj/main.mesh", loader: loader, configure: configure)
        case .disk:
            let root = try Scratch()
            for (path, text) in files { try root.write(path, text) }
            return runFile(root.at("proj/main.mesh"), loader: FileSystemLoader(), configure: configure)
        }
    }
}

@Suite struct Imports {
    @Test(arguments: ScriptTree.Storage.allCases)
    func importBringsLetsAndRecipesIntoScope(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: [
            "proj/main.mesh": """
                import "lib.mesh"
                hello $who
                """,
            "proj/lib.mesh": """
                let who = "world"
                let greeting = "hello"
                recipe hello(name) < emit "${greeting}, ${name}" >
                """,
        ]).runMain(storage)
        expectClean(r)
        #expect(r.log == ["hello, world"])
    }

    @Test(arguments: ScriptTree.Storage.allCases)
    func aFileIsEvaluatedOnce(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: [
            "proj/main.mesh": """
                import "lib.mesh"
                import "./lib.mesh"
                import "other.mesh"
                import "sub/../lib.mesh"
                emit $shared
                """,
            "proj/other.mesh": "import \"lib.mesh\"\n",
            "proj/lib.mesh": "count\nlet shared = \"s\"\n",
        ]).runMain(storage)
        expectClean(r)
        #expect(r.recorder.counted == 1)
        #expect(r.log == ["s"])
    }

    @Test(arguments: ScriptTree.Storage.allCases)
    func pathsAreRelativeToTheImportingFile(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: [
            "proj/main.mesh": "import \"sub/a.mesh\"\nemit $which\n",
            "proj/sub/a.mesh": "import \"b.mesh\"\n",
            "proj/sub/b.mesh": "let which = \"sub/b\"\n",
            "proj/b.mesh": "let which = \"top-level b: wrong\"\n",
        ]).runMain(storage)
        expectClean(r)
        #expect(r.log == ["sub/b"])
    }

    @Test(arguments: ScriptTree.Storage.allCases)
    func cycleIsDetectedAndNamesTheChain(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: [
            "proj/main.mesh": "import \"a.mesh\"\n",
            "proj/a.mesh": "import \"b.mesh\"\n",
            "proj/b.mesh": "\n\nimport \"a.mesh\"\n",
        ]).runMain(storage)
        let error = expectOneError(r, "import cycle: a.mesh → b.mesh → a.mesh", line: 3)
        #expect(error.flatMap { $0.range.map { r.interpreter.sources.file($0.file).path.hasSuffix("b.mesh") } } == true)
    }

    @Test(arguments: ScriptTree.Storage.allCases)
    func cycleBackToTheMainScript(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: [
            "proj/main.mesh": "import \"a.mesh\"\n",
            "proj/a.mesh": "import \"main.mesh\"\n",
        ]).runMain(storage)
        expectOneError(r, "import cycle: main.mesh → a.mesh → main.mesh")
    }

    @Test(arguments: ScriptTree.Storage.allCases)
    func selfImportIsACycle(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: ["proj/main.mesh": "import \"main.mesh\"\n"]).runMain(storage)
        expectOneError(r, "import cycle: main.mesh → main.mesh")
    }

    @Test(arguments: ScriptTree.Storage.allCases)
    func importLeavingTheTreeIsRefused(storage: ScriptTree.Storage) throws {
        let tree = ScriptTree(files: [
            "proj/main.mesh": "import \"../outside.mesh\"\nimport \"sub/../../outside.mesh\"\n",
            "outside.mesh": "emit outside\n",
        ])
        let r = try tree.runMain(storage)
        #expect(r.errors.count == 2)
        #expect(r.messages.allSatisfy { $0.contains("is outside the script's directory tree") }, "\(r.messages)")
        #expect(r.log.isEmpty)

        // The host may allow it.
        let allowed = try tree.runMain(storage) { $0.allowImportsOutsideRoot = true }
        expectClean(allowed)
        #expect(allowed.log == ["outside"])
    }

    @Test func importLeavingTheTreeThroughASymlinkIsRefused() throws {
        let scratch = try Scratch()
        let root = scratch.url
        let project = root.appendingPathComponent("proj")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        try "emit outside\n".write(to: root.appendingPathComponent("outside.mesh"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: project.appendingPathComponent("inside.mesh"),
                                                   withDestinationURL: root.appendingPathComponent("outside.mesh"))
        try "import \"inside.mesh\"\n".write(to: project.appendingPathComponent("main.mesh"), atomically: true, encoding: .utf8)
        let r = runFile(project.appendingPathComponent("main.mesh").path, loader: FileSystemLoader())
        expectOneError(r, "is outside the script's directory tree")
        #expect(r.log.isEmpty)
    }

    @Test(arguments: ScriptTree.Storage.allCases)
    func missingFile(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: ["proj/main.mesh": "let a = 1\nimport \"nope.mesh\"\n"]).runMain(storage)
        expectOneError(r, "cannot import 'nope.mesh': no such file", line: 2)
    }

    @Test func importingADirectoryIsAnError() throws {
        let r = try ScriptTree(files: ["proj/main.mesh": "import \"dir\"\n", "proj/dir/x.mesh": ""]).runMain(.disk)
        expectOneError(r, "cannot import 'dir': it is a directory, not a regular file")
    }

    @Test func missingMainScript() {
        let r = runFile("/nowhere/main.mesh", loader: InMemoryLoader([:]))
        #expect(r.messages == ["cannot read '/nowhere/main.mesh': no such file"])
        #expect(!r.outcome.evaluated)
    }

    @Test(arguments: ScriptTree.Storage.allCases)
    func errorsInAnImportedFileAreReportedThere(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: [
            "proj/main.mesh": "import \"lib.mesh\"\nemit after\n",
            "proj/lib.mesh": "let x = 1\nlet = 2\n",
        ]).runMain(storage)
        #expect(r.messages == ["expected a name after 'let', found '='", "'lib.mesh' has errors"])
        let files = r.errors.map { $0.range.map { r.interpreter.sources.file($0.file).path } ?? "" }
        #expect(files[0].hasSuffix("lib.mesh") && files[1].hasSuffix("main.mesh"), "\(files)")
        #expect(r.errors.map { r.line($0) } == [2, 1])
        #expect(r.log == ["after"])
    }

    @Test func importThatWouldRedefineALet() {
        let loader = InMemoryLoader([
            "/p/main.mesh": "let x = 1\nimport \"lib.mesh\"\n",
            "/p/lib.mesh": "let x = 2\n",
        ])
        expectOneError(runFile("/p/main.mesh", loader: loader), "importing 'lib.mesh' would redefine '$x'", line: 2)
    }

    @Test func importNeedsAString() {
        let loader = InMemoryLoader(["/p/main.mesh": "import 3\n"])
        expectOneError(runFile("/p/main.mesh", loader: loader), "'import' needs a path string, got integer")
    }

    @Test func importPathMayBeComputed() {
        let loader = InMemoryLoader([
            "/p/main.mesh": "let name = \"lib\"\nimport \"${name}.mesh\"\nemit $v\n",
            "/p/lib.mesh": "let v = 42\n",
        ])
        let r = runFile("/p/main.mesh", loader: loader)
        expectClean(r)
        #expect(r.log == ["42"])
    }

    @Test func recipesFromAnImportSeeTheirOwnFilesLets() {
        let loader = InMemoryLoader([
            "/p/main.mesh": "import \"lib/tools.mesh\"\nif true < let prefix = \"caller\"; tag x >\n",
            "/p/lib/tools.mesh": "let prefix = \"lib\"\nrecipe tag(n) < emit \"${prefix}-${n}\" >\n",
        ])
        let r = runFile("/p/main.mesh", loader: loader)
        expectClean(r)
        #expect(r.log == ["lib-x"])
    }
}

/// The file-system loader on its own: how it joins paths, and the size cap on what it reads.
@Suite struct FileSystemLoading {
    @Test func canonicalPathJoinsRelativePathsToTheDirectory() {
        let loader = FileSystemLoader()
        #expect(loader.canonicalPath("a.mesh", relativeTo: "/nowhere/p") == "/nowhere/p/a.mesh")
        #expect(loader.canonicalPath("../b/./a.mesh", relativeTo: "/nowhere/p") == "/nowhere/b/a.mesh")
        #expect(loader.canonicalPath("/nowhere/q/a.mesh", relativeTo: "/nowhere/p") == "/nowhere/q/a.mesh")
        // Without a directory, a relative path is taken from the current directory.
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).resolvingSymlinksInPath().path
        #expect(loader.canonicalPath("nowhere-a.mesh", relativeTo: nil) == cwd + "/nowhere-a.mesh")
    }

    @Test func aFileOverTheSizeLimitIsRefused() throws {
        let scratch = try Scratch()
        let path = try scratch.write("big.mesh", "let x = 1\n")
        do {
            _ = try FileSystemLoader(maxFileSize: 9).read(path)
            Issue.record("a 10-byte file was read under a 9-byte limit")
        } catch {
            #expect(error.message == "it is larger than the limit of 9 bytes")
        }
        #expect(try FileSystemLoader(maxFileSize: 10).read(path) == Array("let x = 1\n".utf8))
    }
}

@Suite struct NamespacedImports {
    static let libraries = [
        "proj/east.mesh": "let version = \"east-1\"\nrecipe primary(name) < emit \"east ${name} ${version}\" >\n",
        "proj/west.mesh": "let version = \"west-2\"\nrecipe primary(name) < emit \"west ${name} ${version}\" >\n",
    ]

    @Test(arguments: ScriptTree.Storage.allCases)
    func twoLibrariesWithTheSameNamesDoNotCollide(storage: ScriptTree.Storage) throws {
        var files = Self.libraries
        files["proj/main.mesh"] = """
            import "east.mesh" as east
            import "west.mesh" as west
            east.primary a
            west.primary b
            """
        let r = try ScriptTree(files: files).runMain(storage)
        expectClean(r)
        // Each recipe sees its own file's $version.
        #expect(r.log == ["east a east-1", "west b west-2"])
    }

    @Test func nothingElseOfTheFileEntersTheImportersScope() throws {
        var files = Self.libraries
        files["proj/main.mesh"] = "import \"east.mesh\" as east\nprimary a\neast.primery b\n"
        let r = try ScriptTree(files: files).runMain(.memory)
        #expect(r.messages == ["unknown command 'primary'", "unknown command 'east.primery'"])
        #expect(r.errors.map(\.help) == ["did you mean 'east.primary'?", "did you mean 'east.primary'?"])
        #expect(r.log.isEmpty)
    }

    @Test func aComputedPathIsResolvedWhenItRuns() throws {
        var files = Self.libraries
        files["proj/main.mesh"] = "let side = \"west\"\nimport \"${side}.mesh\" as lib\nlib.primary c\n"
        let r = try ScriptTree(files: files).runMain(.memory)
        expectClean(r)
        #expect(r.log == ["west c west-2"])
    }
}

extension NamespacedImports {
    @Test func theFilesVariablesAreFieldsOfTheNamespace() throws {
        var files = Self.libraries
        files["proj/main.mesh"] = """
            import "east.mesh" as east
            import "west.mesh" as west
            emit ($east.version + " " + $west.version)
            """
        let r = try ScriptTree(files: files).runMain(.memory)
        expectClean(r)
        #expect(r.log == ["east-1 west-2"])
    }

    @Test func anUnknownFieldOfANamespaceIsFoundBeforeTheRun() throws {
        var files = Self.libraries
        files["proj/main.mesh"] = "import \"east.mesh\" as east\nemit \"start\"\nemit $east.versoin\n"
        let r = try ScriptTree(files: files).runMain(.memory)
        expectOneError(r, "'east' (an imported file) defines no variable 'versoin'", line: 3, help: "did you mean '$east.version'?")
        #expect(r.log.isEmpty)
    }
}

extension NamespacedImports {
    /// Through a computed path the resolve pass cannot see the recipe: the evaluator matches
    /// the call's arguments, with the same messages.
    @Test(arguments: [("lib.primary c extra = 1", "recipe 'primary' has no parameter 'extra'"),
                      ("lib.primary", "recipe 'primary' takes 1 argument, got 0")])
    func aRecipeBehindAComputedPathIsCheckedWhenCalled(call: String, message: String) throws {
        var files = Self.libraries
        files["proj/main.mesh"] = "let side = \"west\"\nimport \"${side}.mesh\" as lib\n\(call)\n"
        let r = try ScriptTree(files: files).runMain(.memory)
        #expect(r.outcome.evaluated)
        expectOneError(r, message, line: 3)
        #expect(r.errors.first?.notes.map(\.message) == ["'primary' is defined here"])
    }
}
