// Where the planner's step makers put what they make. One maker per kind of step serves both
// sinks: `PlanSteps` keeps `Plan.Step` values (text, shell, apply, the library's `Plan`), and
// `JSONSteps` writes plan.json as the steps are made, from their parts, without making a step,
// its argument lists or its strings (a 100k-cluster ring is 700,000 steps).

/// A title, note or argument of a step as its parts (the literal text and the values between,
/// as a string interpolation gives them), joined only when a ``Plan`` keeps it: plan.json
/// written as the steps are made takes the parts one after another, with no String made.
struct StepText: ExpressibleByStringInterpolation {
    /// The parts, in order; `count` of them are in use. Past the eighth, parts join the last.
    private var parts: (String, String, String, String, String, String, String, String) = ("", "", "", "", "", "", "", "")
    private var count = 0

    init(stringLiteral value: String) { append(value) }
    init(stringInterpolation: Interpolation) { self = stringInterpolation.text }
    /// The text `value`.
    init(_ value: String) { append(value) }

    /// Collects a literal's parts without joining them.
    struct Interpolation: StringInterpolationProtocol {
        var text = StepText()
        init(literalCapacity: Int, interpolationCount: Int) {}
        mutating func appendLiteral(_ literal: String) { text.append(literal) }
        mutating func appendInterpolation(_ value: String) { text.append(value) }
        mutating func appendInterpolation(_ value: StepText) { value.forEach { text.append($0) } }
    }

    private init() {}

    private mutating func append(_ part: String) {
        guard !part.isEmpty else { return }
        switch count {
        case 0: parts.0 = part
        case 1: parts.1 = part
        case 2: parts.2 = part
        case 3: parts.3 = part
        case 4: parts.4 = part
        case 5: parts.5 = part
        case 6: parts.6 = part
        case 7: parts.7 = part
        default: parts.7 += part
        }
        count = min(count + 1, 8)
    }

    /// Each part in order.
    func forEach(_ body: (String) -> Void) {
        guard count > 0 else { return }
        body(parts.0)
        guard count > 1 else { return }
        body(parts.1)
        guard count > 2 else { return }
        body(parts.2)
        guard count > 3 else { return }
        body(parts.3)
        guard count > 4 else { return }
        body(parts.4)
        guard count > 5 else { return }
        body(parts.5)
        guard count > 6 else { return }
        body(parts.6)
        guard count > 7 else { return }
        body(parts.7)
    }

    /// The parts joined.
    var string: String {
        guard count > 1 else { return parts.0 }
        var length = 0
        forEach { length += $0.utf8.count }
        var text = ""
        text.reserveCapacity(length)
        forEach { text += $0 }
        return text
    }
}

/// Where the step makers put a step, in this order: ``beginStep(cluster:)``, its commands (each
/// ``beginCommand()``, then for each process of its pipeline ``beginArguments()``, arguments,
/// ``endArguments()``, then ``endCommand()``), its files, then ``endStep(kind:phase:title:note:output:)``.
/// Each sink numbers the steps from 1 in the order they end.
protocol StepSink {
    mutating func beginStep(cluster: String)
    mutating func beginCommand()
    mutating func beginArguments()
    /// One argument of the current process.
    mutating func argument(_ text: StepText)
    /// One argument of the current process, a String already made.
    mutating func argument(string: String)
    mutating func endArguments()
    mutating func endCommand()
    /// A file the step reads or writes; files come after the commands.
    mutating func file(_ path: String)
    mutating func endStep(kind: Plan.Step.Kind, phase: Plan.Phase, title: StepText, note: StepText?, output: String?)
}

extension StepSink {
    /// A command of one process, whose arguments `body` gives.
    mutating func command(_ body: (inout Self) -> Void) {
        beginCommand()
        process(body)
        endCommand()
    }

    /// A command of two processes, the first piped into the second.
    mutating func pipeline(_ first: (inout Self) -> Void, into second: (inout Self) -> Void) {
        beginCommand()
        process(first)
        process(second)
        endCommand()
    }

    private mutating func process(_ body: (inout Self) -> Void) {
        beginArguments()
        body(&self)
        endArguments()
    }

    /// Arguments of the current process, in order.
    mutating func arguments(_ words: String...) {
        for word in words { argument(string: word) }
    }

    /// Arguments of the current process, in order (a cluster's flags), each read in place: no
    /// retain and release per word.
    mutating func arguments(_ words: [String]) {
        words.withUnsafeBufferPointer { words in
            for index in words.indices { argument(string: words[index]) }
        }
    }
}

/// The steps, kept as ``Plan/Step`` values (``Planner/plan(_:options:)``).
struct PlanSteps: StepSink {
    var steps: [Plan.Step] = []
    private var cluster = ""
    private var commands: [Plan.Command] = []
    private var pipeline: [[String]] = []
    private var arguments: [String] = []
    private var files: [String] = []

    mutating func beginStep(cluster: String) {
        self.cluster = cluster
        commands = []
        files = []
    }

    mutating func beginCommand() { pipeline = [] }
    mutating func beginArguments() { arguments = [] }
    mutating func argument(_ text: StepText) { arguments.append(text.string) }
    mutating func argument(string: String) { arguments.append(string) }
    mutating func endArguments() { pipeline.append(arguments) }
    mutating func endCommand() { commands.append(Plan.Command(pipeline: pipeline)) }
    mutating func file(_ path: String) { files.append(path) }

    mutating func endStep(kind: Plan.Step.Kind, phase: Plan.Phase, title: StepText, note: StepText?, output: String?) {
        steps.append(Plan.Step(number: steps.count + 1, phase: phase, cluster: cluster, title: title.string, commands: commands, files: files,
                               note: note?.string, kind: kind, output: output))
    }
}

/// The steps written into plan.json's `steps` as they are made, each as ``Plan/Step``'s
/// `write(to:)` writes it (members in sorted order), and not kept (``Planner/writeJSON(_:options:_:)``).
struct JSONSteps: StepSink {
    var json: PrettyJSON
    /// The steps written so far.
    private var made = 0
    /// Whether the current step's `files` member is open (its `commands` closed).
    private var inFiles = false

    init(_ json: PrettyJSON) { self.json = json }

    mutating func beginStep(cluster: String) {
        made += 1
        inFiles = false
        json.element()
        json.open(0x7B)
        json.member("cluster", cluster)
        json.key("commands")
        json.open(0x5B)
    }

    mutating func beginCommand() {
        json.element()
        json.open(0x7B)
        json.key("pipeline")
        json.open(0x5B)
    }

    mutating func beginArguments() {
        json.element()
        json.open(0x5B)
    }

    mutating func argument(_ text: StepText) {
        json.element()
        json.string(text)
    }

    mutating func argument(string: String) {
        json.element()
        json.string(string)
    }

    mutating func endArguments() { json.close(0x5D) }

    mutating func endCommand() {
        json.close(0x5D)
        json.close(0x7D)
    }

    mutating func file(_ path: String) {
        openFiles()
        json.element()
        json.string(path)
    }

    mutating func endStep(kind: Plan.Step.Kind, phase: Plan.Phase, title: StepText, note: StepText?, output: String?) {
        openFiles()
        json.close(0x5D)
        json.key("kind")
        kind.write(to: &json)
        if let note {
            json.key("note")
            json.string(note)
        }
        json.key("number")
        json.int(made)
        json.member("output", output)
        json.member("phase", phase.rawValue)
        json.key("title")
        json.string(title)
        json.close(0x7D)
    }

    /// Closes `commands` and opens `files`, once per step.
    private mutating func openFiles() {
        guard !inFiles else { return }
        inFiles = true
        json.close(0x5D)
        json.key("files")
        json.open(0x5B)
    }
}
