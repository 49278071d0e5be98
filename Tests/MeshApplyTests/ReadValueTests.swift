// A step that reads a value (primary-remote's east-west gateway address) and a later step that
// uses it: the runner substitutes the value into the later argument list (no shell), stops when
// the reading prints nothing or a value is used before it is read, and reads again before
// `--from-step`. printf stands in for kubectl: what matters is what the runner passes on.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

@Suite struct ReadValueTests {
    static let name = "DISCOVERY_ADDRESS_CLUSTER1"

    func plan(_ steps: [(command: [String], output: String?)]) throws -> Plan {
        let scratch = try Scratch()
        var plan = try MeshApplyTests.plan(example("primary-remote.mesh"), out: scratch.at("out"), home: scratch.home)
        plan.steps = steps.enumerated().map { index, step in
            Plan.Step(number: index + 1, phase: .install, cluster: "cluster1", title: "step \(index + 1)", commands: [Plan.Command(step.command)],
                      files: [], note: nil, kind: .discoveryAddress, output: step.output)
        }
        return plan
    }

    func run(_ plan: Plan, from first: Int = 1) -> Result<ApplyReport, ApplyFailure> {
        do throws(ApplyFailure) {
            return .success(try ApplyRunner(environment: ["PATH": "/usr/bin:/bin"]).run(plan, from: first))
        } catch {
            return .failure(error)
        }
    }

    @Test func theValueReadIsPassedAsOneArgument() throws {
        let plan = try plan([(["printf", "192.0.2.7\n"], Self.name),
                             (["printf", "[%s]", "--set", "values.global.remotePilotAddress=${\(Self.name)}"], nil)])
        let report = try run(plan).get()
        #expect(report.results.map(\.output) == ["192.0.2.7\n", "[--set][values.global.remotePilotAddress=192.0.2.7]"])
    }

    @Test func aReadingRunsAgainBeforeTheFirstStep() throws {
        let plan = try plan([(["printf", "192.0.2.8"], Self.name), (["true"], nil),
                             (["printf", "%s", "a=${\(Self.name)}"], nil)])
        let report = try run(plan, from: 3).get()
        #expect(report.results.map(\.outcome) == [.skipped, .succeeded, .succeeded])
        #expect(report.results.last?.output == "a=192.0.2.8")
    }

    @Test func anEmptyReadingStopsTheRun() throws {
        let plan = try plan([(["printf", " \n"], Self.name), (["printf", "%s", "${\(Self.name)}"], nil)])
        guard case .failure(let failure) = run(plan) else { Issue.record("the run went on without the value"); return }
        #expect(failure.step.number == 1)
        #expect(failure.reason == .noValue(name: Self.name))
        #expect(failure.description.contains("it printed nothing, so \(Self.name) is unknown"))
    }

    @Test func aValueUsedBeforeItIsReadStopsTheRun() throws {
        let plan = try plan([(["printf", "%s", "${\(Self.name)}"], nil), (["printf", "192.0.2.9"], Self.name)])
        guard case .failure(let failure) = run(plan) else { Issue.record("the reference reached the program"); return }
        #expect(failure.step.number == 1)
        #expect(failure.reason == .unresolvedValue(name: Self.name))
        #expect(!failure.anythingRan)
    }
}
