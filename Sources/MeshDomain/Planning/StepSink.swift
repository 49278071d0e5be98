// Where the planner's step makers put what they make. One maker per kind of step serves both
// sinks: `PlanSteps` keeps `Plan.Step` values (text, shell, apply, the library's `Plan`), and
// `JSONSteps` writes plan.json as the steps are made, from their parts, without making a step,
// its argument lists or its strings (a 100k-cluster ring is 700,000 steps).

/// A title, note or argument of a step as its parts (the literal text and the values between,
/// as a string interpolation gives them), joined only when a ``Plan`` keeps it: plan.json
/// written as the steps are made takes the parts one after another, with no String made.
/// The literal parts are static text, which needs no retain or release.
struct StepText: ExpressibleByStringInterpolation {
    /// The text around the values, in order: `literals.0`, `values.0`, `literals.1`, `values.1`,
    /// `literals.2`, `values.2`, `literals.3`.
    private var literals: (StaticString, StaticString, StaticString, StaticString) = ("", "", "", "")
    /// The values, `valueCount` of them. A fourth value (with the literal before it) joins the third.
    private var values: (String, String, String) = ("", "", "")
    private var valueCount = 0

    init(stringLiteral value: StaticString) { append(literal: value) }
    init(stringInterpolation: Interpolation) { self = stringInterpolation.text }
    /// The text `value`.
    init(_ value: String) { append(value: value) }

    /// Collects a literal's parts without joining them.
    struct Interpolation: StringInterpolationProtocol {
        var text = StepText()
        init(literalCapacity: Int, interpolationCount: Int) {}
        mutating func appendLiteral(_ literal: StaticString) { text.append(literal: literal) }
        mutating func appendInterpolation(_ value: String) { text.append(value: value) }
    }

    private init() {}

    /// `literal` after the last value; as a value when that place is taken (two literals in a row).
    private mutating func append(literal: StaticString) {
        guard literal.utf8CodeUnitCount > 0 else { return }
        switch valueCount {
        case 0 where literals.0.utf8CodeUnitCount == 0: literals.0 = literal
        case 1 where literals.1.utf8CodeUnitCount == 0: literals.1 = literal
        case 2 where literals.2.utf8CodeUnitCount == 0: literals.2 = literal
        case 3 where literals.3.utf8CodeUnitCount == 0: literals.3 = literal
        default: append(value: "\(literal)")
        }
    }

    private mutating func append(value: String) {
        switch valueCount {
        case 0: values.0 = value
        case 1: values.1 = value
        case 2: values.2 = value
        default:
            values.2 += "\(literals.3)" + value
            literals.3 = ""
            return
        }
        valueCount += 1
    }

    /// Calls `literal` and `value` with each part's UTF-8 bytes, in order, empty literals left out.
    @inline(__always)
    func forEachUTF8(literal: (UnsafeBufferPointer<UInt8>) -> Void, value: (UnsafeBufferPointer<UInt8>) -> Void) {
        @inline(__always) func literalPart(_ text: StaticString) {
            if text.utf8CodeUnitCount > 0 { text.withUTF8Buffer(literal) }
        }
        @inline(__always) func valuePart(_ text: String) {
            guard text.utf8.withContiguousStorageIfAvailable(value) == nil else { return }
            var text = text
            text.withUTF8(value)
        }
        literalPart(literals.0)
        guard valueCount > 0 else { return }
        valuePart(values.0)
        literalPart(literals.1)
        guard valueCount > 1 else { return }
        valuePart(values.1)
        literalPart(literals.2)
        guard valueCount > 2 else { return }
        valuePart(values.2)
        literalPart(literals.3)
    }

    /// The parts joined.
    var string: String {
        if valueCount == 1, literals.0.utf8CodeUnitCount == 0, literals.1.utf8CodeUnitCount == 0 { return values.0 }
        var length = 0
        forEachUTF8(literal: { length += $0.count }, value: { length += $0.count })
        return String(unsafeUninitializedCapacity: length) { text in
            var end = 0
            func copy(_ part: UnsafeBufferPointer<UInt8>) {
                guard let source = part.baseAddress else { return }
                (text.baseAddress! + end).initialize(from: source, count: part.count)
                end += part.count
            }
            forEachUTF8(literal: copy, value: copy)
            return end
        }
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
    /// One argument of the current process, a literal of the step makers: no String is made
    /// for it unless a ``Plan`` keeps it.
    mutating func argument(literal: StaticString)
    /// One argument of the current process: `option` (a literal of the step makers, empty or
    /// an option such as `--from-file=`) and `file`'s path.
    mutating func argument(_ option: StaticString, file: WorkFile)
    mutating func endArguments()
    mutating func endCommand()
    /// A file the step reads or writes; files come after the commands.
    mutating func file(_ file: WorkFile)
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

    /// Literal arguments of the current process, in order. Static text, their list needs no
    /// retain, release or destruction of its words (a list of Strings is destroyed word by word
    /// through the runtime). Inlined into the step makers, which then write the words without
    /// a call per list.
    @inline(__always)
    mutating func arguments(_ words: StaticString...) {
        for word in words { argument(literal: word) }
    }

    /// `file`'s path as one argument of the current process.
    mutating func argument(file: WorkFile) { argument("", file: file) }

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
    /// Where the steps' files are.
    let layout: WorkLayout
    var steps: [Plan.Step] = []
    private var cluster = ""
    private var commands: [Plan.Command] = []
    private var pipeline: [[String]] = []
    private var arguments: [String] = []
    private var files: [String] = []
    /// The paths made for the files of the directory last named (a cluster's files come
    /// together, and a step names a file again in the next: the certificates three times).
    private var recentPaths = RecentPaths()

    init(layout: WorkLayout) { self.layout = layout }

    /// `file`'s path, made once while its directory's files come in a row.
    private mutating func path(_ file: WorkFile) -> String {
        if let path = recentPaths.path(of: file) { return path }
        let path = layout.path(file)
        recentPaths.remember(file, path)
        return path
    }

    mutating func beginStep(cluster: String) {
        self.cluster = cluster
        commands = []
        files = []
    }

    mutating func beginCommand() { pipeline = [] }
    mutating func beginArguments() { arguments = [] }
    mutating func argument(_ text: StepText) { arguments.append(text.string) }
    mutating func argument(string: String) { arguments.append(string) }
    mutating func argument(literal: StaticString) { arguments.append(literal.description) }
    mutating func argument(_ option: StaticString, file: WorkFile) { arguments.append(option.description + path(file)) }
    mutating func endArguments() { pipeline.append(arguments) }
    mutating func endCommand() { commands.append(Plan.Command(pipeline: pipeline)) }
    mutating func file(_ file: WorkFile) { files.append(path(file)) }

    mutating func endStep(kind: Plan.Step.Kind, phase: Plan.Phase, title: StepText, note: StepText?, output: String?) {
        steps.append(Plan.Step(number: steps.count + 1, phase: phase, cluster: cluster, title: title.string, commands: commands, files: files,
                               note: note?.string, kind: kind, output: output))
    }
}

/// The paths of the files of one directory, as ``PlanSteps`` made them.
private struct RecentPaths {
    private var directory: String?
    private var names: [String] = []
    private var paths: [String] = []

    /// The path made for `file`, when its directory is the one remembered.
    func path(of file: WorkFile) -> String? {
        guard file.directory == directory, let index = names.firstIndex(of: file.name) else { return nil }
        return paths[index]
    }

    /// Remembers `path` for `file`, forgetting the files of another directory.
    mutating func remember(_ file: WorkFile, _ path: String) {
        if file.directory != directory {
            directory = file.directory
            names.removeAll(keepingCapacity: true)
            paths.removeAll(keepingCapacity: true)
        }
        names.append(file.name)
        paths.append(path)
    }
}

/// The steps written into plan.json's `steps` as they are made, and not kept
/// (``Planner/writeJSON(_:options:_:)``); or a plan's own steps, replayed (``write(_:)``).
///
/// A step is written in the layout the writer gives it as an element of `steps` (four spaces
/// in): the writer opens and closes the step's object, and each line inside is a fragment of
/// that layout with the step's own text between, so that no line works out its indentation, its
/// separator or its key.
struct JSONSteps: StepSink {
    var json: PrettyJSON
    /// The work directory the steps' files are in (``WorkLayout/root``) and a slash, escaped
    /// once: every file's path starts with it.
    private let root: [UInt8]
    /// The steps written so far.
    private var made = 0
    /// Whether the current step's `files` member is open (its `commands` closed).
    private var inFiles = false
    /// Whether the innermost open array of the step (`commands`, a `pipeline`, its arguments,
    /// `files`) has no element yet: the next has no comma before it, and an empty array is
    /// closed with a blank line.
    private var firstCommand = true, firstProcess = true, firstArgument = true, firstFile = true

    init(_ json: PrettyJSON, root: String) {
        self.json = json
        self.root = PrettyJSON.escapedCharacters(String(concatenating: root, "/"))
    }

    mutating func beginStep(cluster: String) {
        made += 1
        inFiles = false
        firstCommand = true
        json.element()
        json.open(0x7B)
        json.string(cluster, after: "\n      \"cluster\" : \"")
        json.fragment(",\n      \"commands\" : [")
    }

    mutating func beginCommand() {
        Self.element(&firstCommand, &json)
        json.fragment("\n        {\n          \"pipeline\" : [")
        firstProcess = true
    }

    mutating func beginArguments() {
        Self.element(&firstProcess, &json)
        json.fragment("\n            [")
        firstArgument = true
    }

    mutating func argument(_ text: StepText) {
        json.fragment(argumentOpening())
        json.characters(text)
        json.fragment("\"")
    }

    mutating func argument(string: String) { json.string(string, after: argumentOpening()) }

    mutating func argument(literal: StaticString) { json.string(literal: literal, after: argumentOpening()) }

    mutating func argument(_ option: StaticString, file: WorkFile) { write(file, after: argumentOpening(), option: option) }

    /// The opening of an argument's line, up to its opening quote (a comma before all but the first).
    @inline(__always)
    private mutating func argumentOpening() -> StaticString {
        Self.opening(&firstArgument, "\n              \"", ",\n              \"")
    }

    /// The opening of a file's line, up to its opening quote (a comma before all but the first).
    @inline(__always)
    private mutating func fileOpening() -> StaticString {
        Self.opening(&firstFile, "\n        \"", ",\n        \"")
    }

    /// `first`, a line's opening when it is the first element of its array (then no longer),
    /// `next` when it is not.
    @inline(__always)
    private static func opening(_ isFirst: inout Bool, _ first: StaticString, _ next: StaticString) -> StaticString {
        defer { isFirst = false }
        return isFirst ? first : next
    }

    mutating func endArguments() { json.fragment(firstArgument ? "\n\n            ]" : "\n            ]") }

    mutating func endCommand() { json.fragment(firstProcess ? "\n\n          ]\n        }" : "\n          ]\n        }") }

    mutating func file(_ file: WorkFile) {
        openFiles()
        write(file, after: fileOpening(), option: "")
    }

    /// A file of a plan's own step, its path made already.
    private mutating func file(path: String) {
        openFiles()
        json.string(path, after: fileOpening())
    }

    /// A line ending in `file`'s path: `opening`, `option`, the path written from its parts, the closing quote.
    private mutating func write(_ file: WorkFile, after opening: StaticString, option: StaticString) {
        json.fragment(opening)
        json.characters(literal: option)
        json.characters(escaped: root)
        if let directory = file.directory { json.string(directory, after: "", closing: 0x2F) }
        json.string(file.name, after: "")
    }

    mutating func endStep(kind: Plan.Step.Kind, phase: Plan.Phase, title: StepText, note: StepText?, output: String?) {
        end(number: made, kind: kind, phase: phase, title: title, note: note, output: output)
    }

    /// The members after `files`, in sorted order (nil ones left out), and the step's closing brace.
    private mutating func end(number: Int, kind: Plan.Step.Kind, phase: Plan.Phase, title: StepText, note: StepText?, output: String?) {
        openFiles()
        json.fragment(firstFile ? "\n\n      ],\n      \"kind\" : " : "\n      ],\n      \"kind\" : ")
        write(kind)
        if let note {
            json.fragment(",\n      \"note\" : \"")
            json.characters(note)
            json.fragment("\"")
        }
        json.fragment(",\n      \"number\" : ")
        json.int(number)
        if let output { json.string(output, after: ",\n      \"output\" : \"") }
        json.string(phase.rawValue, after: ",\n      \"phase\" : \"")
        json.fragment(",\n      \"title\" : \"")
        json.characters(title)
        json.fragment("\"")
        json.close(0x7D)
    }

    /// `kind` as the synthesized Codable form: `{"case" : {labelled values}}`, `{}` for a case
    /// without any; an unlabelled value (the control plane's spec) under `_0`.
    private mutating func write(_ kind: Plan.Step.Kind) {
        switch kind {
        case .intermediateCA: bare("intermediateCA")
        case .namespace: bare("namespace")
        case .networkLabel(let network): labelled("networkLabel") { $0.member("network", network, &$1) }
        case .cacerts: bare("cacerts")
        case .controlPlane(let spec): write(spec)
        case .waitReady: bare("waitReady")
        case .eastWestGateway(let network): labelled("eastWestGateway") { $0.member("network", network, &$1) }
        case .crossNetworkGateway: bare("crossNetworkGateway")
        case .remoteSecret(let source, let server):
            labelled("remoteSecret") {
                $0.member("server", server, &$1)
                $0.member("source", source, &$1)
            }
        case .controlPlaneClusters(let primary): labelled("controlPlaneClusters") { $0.member("primary", primary, &$1) }
        case .exposeIstiod: bare("exposeIstiod")
        case .gatewayAPICRDs(let version): labelled("gatewayAPICRDs") { $0.member("version", version, &$1) }
        case .discoveryAddress: bare("discoveryAddress")
        case .remoteControlPlane(let primary, let network):
            labelled("remoteControlPlane") {
                $0.member("network", network, &$1)
                $0.member("primary", primary, &$1)
            }
        case .deleteRemoteSecret(let name): labelled("deleteRemoteSecret") { $0.member("name", name, &$1) }
        case .deleteEastWestGateway: bare("deleteEastWestGateway")
        case .deleteExposeIstiod: bare("deleteExposeIstiod")
        case .host(let name): labelled("host") { $0.member("name", name, &$1) }
        }
    }

    /// A case without values: `{"name" : {}}` (the empty object on three lines).
    private mutating func bare(_ name: StaticString) {
        json.fragment("{\n        \"")
        json.fragment(name)
        json.fragment("\" : {\n\n        }\n      }")
    }

    /// A case with labelled values: `{"name" : {members}}`, the members `values` writes ten spaces in.
    private mutating func labelled(_ name: StaticString, _ values: (inout KindMembers, inout PrettyJSON) -> Void) {
        json.fragment("{\n        \"")
        json.fragment(name)
        json.fragment("\" : {")
        var members = KindMembers(indent: "\n          \"")
        values(&members, &json)
        json.fragment(members.isEmpty ? "\n\n        }\n      }" : "\n        }\n      }")
    }

    /// The control plane's spec, under `_0`, its members twelve spaces in.
    private mutating func write(_ spec: Plan.ControlPlaneSpec) {
        json.fragment("{\n        \"controlPlane\" : {\n          \"_0\" : {")
        var members = KindMembers(indent: "\n            \"")
        members.member("clusterName", spec.clusterName, &json)
        members.member("installer", spec.installer, &json)
        members.member("meshID", spec.meshID, &json)
        members.member("network", spec.network, &json)
        members.member("revision", spec.revision, &json)
        if let values = spec.values {
            members.key("values", &json)
            json.fragment("[")
            for index in values.indices { json.string(values[index], after: index == 0 ? "\n              \"" : ",\n              \"") }
            json.fragment(values.isEmpty ? "\n\n            ]" : "\n            ]")
        }
        json.fragment(members.isEmpty ? "\n\n          }\n        }\n      }" : "\n          }\n        }\n      }")
    }

    /// A comma unless the element is the first of its array (then no longer).
    @inline(__always)
    private static func element(_ first: inout Bool, _ json: inout PrettyJSON) {
        if !first { json.fragment(",") }
        first = false
    }

    /// Closes `commands` and opens `files`, once per step.
    private mutating func openFiles() {
        guard !inFiles else { return }
        inFiles = true
        json.fragment(firstCommand ? "\n\n      ],\n      \"files\" : [" : "\n      ],\n      \"files\" : [")
        firstFile = true
    }

    /// `step` as the next element, numbered as it is: a plan's steps are written as the planner's are.
    mutating func write(_ step: Plan.Step) {
        beginStep(cluster: step.cluster)
        for command in step.commands {
            beginCommand()
            for arguments in command.pipeline {
                beginArguments()
                for argument in arguments { self.argument(string: argument) }
                endArguments()
            }
            endCommand()
        }
        for path in step.files { file(path: path) }
        end(number: step.number, kind: step.kind, phase: step.phase, title: StepText(step.title), note: step.note.map(StepText.init),
            output: step.output)
    }
}

/// The members of one object of a step's kind, in the order given (sorted by key), nil ones left out.
private struct KindMembers {
    /// The line break and indentation before a member, and the opening quote of its key.
    let indent: StaticString
    private(set) var isEmpty = true

    init(indent: StaticString) { self.indent = indent }

    /// `key` and its string value.
    mutating func member(_ key: StaticString, _ value: String?, _ json: inout PrettyJSON) {
        guard let value else { return }
        self.key(key, &json)
        json.string(value, after: "\"")
    }

    /// Starts the member `key`; its value is written next.
    mutating func key(_ key: StaticString, _ json: inout PrettyJSON) {
        if !isEmpty { json.fragment(",") }
        isEmpty = false
        json.fragment(indent)
        json.fragment(key)
        json.fragment("\" : ")
    }
}
