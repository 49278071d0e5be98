// Help and usage errors as the declarations produce them.
import MeshCommandLine
import Testing

@Suite struct HelpTextTests {
    @Test func aCommandsHelpListsEverySection() {
        let help = Sample.parser.help(path: ["sample", "build"])
        #expect(help.hasPrefix("OVERVIEW: Build the files.\n\nBuilds every file.\n  sample build a b\n\nUSAGE: sample build [<options>] <files> ...\n"), "\(help)")
        #expect(help.contains("\nARGUMENTS:\n  <files> ...             The files to build.\n"), "\(help)")
        #expect(help.contains("\n  -q, --quiet             Print nothing.\n"), "\(help)")
        #expect(help.contains("\n  --out <out>             The directory to write. (default: out)\n"), "\(help)")
        #expect(help.contains("\n  --format <format>       The output format. (values: text, json, shell;\n                          default: text)\n"), "\(help)")
        #expect(help.contains("\n  --rotate <cluster>      Rotate this cluster (repeatable).\n"), "\(help)")
        #expect(help.contains("\n  --max-steps <max-steps>\n                          Stop after this many steps. A second sentence.\n"), "\(help)")
        #expect(help.hasSuffix("\n  -h, --help              Show help information.\n"), "\(help)")
        #expect(!help.contains("--version"))
        #expect(help.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    @Test func theRootsHelpListsTheSubcommandsAndItsOwnOptions() {
        let help = Sample.parser.help(path: ["sample"])
        #expect(help.contains("USAGE: sample <subcommand>\n"), "\(help)")
        #expect(help.contains("SUBCOMMANDS:\n  build                   Build the files.\n  copy                    Copy one file.\n"), "\(help)")
        #expect(help.contains("  --version               Show the version.\n"), "\(help)")
        #expect(help.contains("  --generate-completion-script <shell>\n"), "\(help)")
        #expect(help.contains("See 'sample help <subcommand>' for detailed help."), "\(help)")
    }

    @Test func requiredOptionsAreInTheUsageLine() {
        #expect(Sample.parser.usage(path: ["sample", "copy"]) == "sample copy --to <dir> <file>")
    }

    @Test func aUsageErrorSaysWhatIsWrongHowToCallAndWhereTheHelpIs() throws {
        let error = try #require(Sample.error(["copy", "--too", "d", "f"]))
        #expect(Sample.parser.usageErrorText(error) == """
            error: unknown option '--too'; did you mean '--to'?
            usage: sample copy --to <dir> <file>
            See 'sample copy --help'.

            """)
    }

    @Test func longTextIsWrappedKeepingEachLinesIndent() {
        #expect(CommandLineParser.wrap(String(repeating: "word ", count: 20) + "\n    indented line", indent: 0) == """
            word word word word word word word word word word word word word word word word
            word word word word
                indented line
            """)
    }
}
