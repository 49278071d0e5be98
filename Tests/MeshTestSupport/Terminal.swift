// Running a command on a pseudo-terminal (util-linux `script`), answering its `[y/N]` questions
// one by one: how a user at a terminal meets apply's confirmations.
import Foundation
import Testing

/// Runs `arguments` on a pseudo-terminal; each answer is typed once the next `[y/N]` is on the
/// screen. Returns the exit status and everything the terminal showed.
public func onATerminal(_ arguments: [String], environment: [String: String], answers: [String],
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> (status: Int32, output: String) {
    let script = try #require(["/usr/bin/script", "/bin/script"].first { FileManager.default.isExecutableFile(atPath: $0) },
                              "util-linux script is needed for a pseudo-terminal", sourceLocation: sourceLocation)
    let quote = { (s: String) in "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: script)
    process.arguments = ["-qec", arguments.map(quote).joined(separator: " "), "/dev/null"]
    process.environment = environment
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = output
    try process.run()
    var text = Data()
    let reader = output.fileHandleForReading
    let deadline = Date().addingTimeInterval(60)
    for (index, answer) in answers.enumerated() {
        // Answer only once this question is on the terminal.
        while String(decoding: text, as: UTF8.self).components(separatedBy: "[y/N]").count <= index + 1 && Date() < deadline {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            text += chunk
        }
        input.fileHandleForWriting.write(Data((answer + "\n").utf8))
    }
    text += reader.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: text, as: UTF8.self))
}
