// docs/language.md shows only code that works as it says: every ```mesh block checks clean
// (relative imports and files against examples/); a ```mesh fragment block, a piece of a
// script, parses and resolves clean; a ```mesh rejected block gets exactly the errors its
// `# error: MESSAGE` comments name.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct LanguageReferenceTests {
    struct Sample: CustomTestStringConvertible {
        var line: Int
        var text: String
        var kind: String
        var testDescription: String { "docs/language.md:\(line)" }
    }

    static let samples: [Sample] = {
        guard let text = try? String(contentsOf: packageRoot.appendingPathComponent("docs/language.md"), encoding: .utf8) else { return [] }
        var samples: [Sample] = []
        var current: Sample?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if var sample = current {
                if line == "```" {
                    samples.append(sample)
                    current = nil
                } else {
                    sample.text += line + "\n"
                    current = sample
                }
            } else if line.hasPrefix("```mesh") {
                current = Sample(line: index + 1, text: "", kind: String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces))
            }
        }
        return samples
    }()

    @Test func theReferenceHasSamples() {
        #expect(Self.samples.count >= 20)
    }

    @Test(arguments: samples)
    func theSampleChecksClean(sample: Sample) {
        let mesh = Mesh(options: MeshOptions(readsKubeconfig: false))
        let check = mesh.check(source: sample.text, name: "sample.mesh", directory: packageRoot.appendingPathComponent("examples").path)
        let text = DiagnosticRenderer(sources: check.sources, color: false).render(check.diagnostics)
        switch sample.kind {
        case "rejected":
            let expected = sample.text.split(separator: "\n").compactMap { line in
                line.range(of: "# error: ").map { String(line[$0.upperBound...]) }
            }
            #expect(!expected.isEmpty)
            #expect(check.diagnostics.filter { $0.severity == .error }.map(\.message) == expected, "\(text)")
        case "fragment":
            // A fragment declares no mesh or network: only the language's own errors count.
            let language = check.diagnostics.filter { $0.severity == .error && ($0.message.hasPrefix("undefined") || $0.message.hasPrefix("unknown command")
                || $0.message.hasPrefix("expected") || $0.message.hasPrefix("unexpected")) }
            #expect(language.isEmpty, "\(text)")
        default:
            #expect(sample.kind == "", "unknown kind of sample: \(sample.kind)")
            #expect(!check.diagnostics.hasErrors, "\(text)")
        }
    }
}
