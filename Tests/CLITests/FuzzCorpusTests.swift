// The fuzzer's regression corpus (Fuzz/corpus: the inputs that reached new code, and every
// finding once fixed) replays in the test suite through the same `fuzzOne` the fuzzer runs: the
// replay driver (a plain build of the MeshFuzz target) takes the directory. And the fuzzer's
// dictionary stays in step with the lexer and the mesh commands.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

enum Fuzzing {
    /// The replay driver built beside `meshscript`.
    static var driver: String {
        URL(fileURLWithPath: meshscriptBinary).deletingLastPathComponent().appendingPathComponent("MeshFuzz").path
    }

    static let corpus = packageRoot.appendingPathComponent("Fuzz/corpus").path

    /// The corpus's inputs (hidden files left out, as the driver does).
    static func corpusFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: corpus).filter { !$0.hasPrefix(".") }
    }
}

@Suite struct FuzzCorpus {
    @Test func everyCorpusInputReplaysWithoutACrash() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Fuzzing.driver), "no \(Fuzzing.driver): build it first with `swift build --build-tests`")
        let files = try Fuzzing.corpusFiles()
        #expect(files.count >= 30, "Fuzz/corpus holds \(files.count) inputs")
        let run = try runProcess(Fuzzing.driver, [Fuzzing.corpus], environment: [:], timeout: .seconds(600))
        let crashed = run.stderr.split(separator: "\n").last { $0.hasPrefix("Running: ") } ?? "?"
        #expect(!run.timedOut && !run.signaled && run.status == 0, "the replay stopped at \(crashed): \(run)")
        let summary = try #require(run.stdout.firstMatch(of: /replayed (\d+) inputs?, (\d+) valid/), "\(run)")
        #expect(Int(summary.1) == files.count, "\(run.stdout)")
        // The corpus reaches planning and rendering, not only the parser's errors.
        #expect((Int(summary.2) ?? 0) > 0, "no corpus input is a valid script: \(run.stdout)")
    }

    @Test func theDriverStopsOnAnInputItCannotRead() throws {
        let run = try runProcess(Fuzzing.driver, [Fuzzing.corpus + "/no such input"], environment: [:])
        #expect(run.status == 66, "\(run)")
    }
}

@Suite struct FuzzDictionary {
    /// The dictionary's entries, unescaped as libFuzzer reads them (`\\`, `\"` and `\xNN`).
    static func entries() throws -> Set<String> {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Fuzz/meshscript.dict"), encoding: .utf8)
        var result = Set<String>()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let open = line.firstIndex(of: "\""), line.last == "\"" else { continue }
            var bytes: [UInt8] = []
            var chars = line[line.index(after: open)..<line.index(before: line.endIndex)].utf8.makeIterator()
            while let byte = chars.next() {
                guard byte == UInt8(ascii: "\\"), let escaped = chars.next() else { bytes.append(byte); continue }
                if escaped == UInt8(ascii: "x"), let high = chars.next(), let low = chars.next(),
                   let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                    bytes.append(value)
                } else {
                    bytes.append(escaped)
                }
            }
            result.insert(String(decoding: bytes, as: UTF8.self))
        }
        return result
    }

    @Test func holdsEveryKeywordPunctuationCommandAndFunction() throws {
        let entries = try Self.entries()
        let punctuation = (0...UInt8.max).compactMap(TokenKind.init(rawValue:)).filter { !$0.isKeyword }
            .map(\.spelling).filter { $0.hasPrefix("'") }.map { String($0.dropFirst().dropLast()) }
        #expect(punctuation.count >= 12)
        let commands = MeshCommands.signatures.flatMap { [$0.name] + $0.options.map(\.keyword) }
        let functions = MeshEngine().interpreter.functions.keys.map { $0 + "(" }
        for word in Lexer.keywords + punctuation + commands + functions {
            #expect(entries.contains(word), "Fuzz/meshscript.dict lacks \(word)")
        }
        #expect(entries.contains("#== "), "Fuzz/meshscript.dict lacks the separator line of a fuzz input")
    }
}
