// Test support for render's end-to-end tests: generated kubeconfig files, running a script
// through MeshEngine -> MeshRenderer.preflight -> render, reading YAML back with Yams,
// diagnostic positions, and snapshots of a directory tree. Scratch directories and running
// the real `meshscript` binary and tools (openssl, kubectl) come from MeshTestSupport.
import Foundation
import MeshScript
import MeshTestSupport
import Testing
import Yams

// MARK: - Files

func read(_ path: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        Issue.record("cannot read \(path)", sourceLocation: sourceLocation)
        return ""
    }
    return String(decoding: data, as: UTF8.self)
}

func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

func mode(of path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
}

/// Every regular file under `root` with its bytes, mtime (ns) and mode: equal snapshots mean
/// nothing was created, removed, rewritten or chmod-ed.
struct TreeSnapshot: Equatable {
    struct Entry: Equatable {
        var data: Data
        var mtime: timespec
        var mode: mode_t
        static func == (a: Entry, b: Entry) -> Bool {
            a.data == b.data && a.mtime.tv_sec == b.mtime.tv_sec && a.mtime.tv_nsec == b.mtime.tv_nsec && a.mode == b.mode
        }
    }
    var entries: [String: Entry]

    init(_ root: String) {
        entries = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return }
        for case let relative as String in enumerator {
            let path = root + "/" + relative
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            let isFile = info.st_mode & S_IFMT == S_IFREG
            entries[relative] = Entry(data: isFile ? (FileManager.default.contents(atPath: path) ?? Data()) : Data(),
                                      mtime: info.st_mtim, mode: info.st_mode)
        }
    }

    /// The paths that differ, for a readable failure.
    func differences(from other: TreeSnapshot) -> [String] {
        Set(entries.keys).union(other.entries.keys).sorted().filter { entries[$0] != other.entries[$0] }
    }
}

// MARK: - Kubeconfig fixtures

/// One context of a generated kubeconfig, with its cluster and user (named after the context).
struct KubeContext {
    enum Auth {
        case token(String)
        case exec(command: String)
        case none
    }

    var name: String
    var server: String? = "https://api.example.test:6443"
    var certificateAuthorityData: String? = KubeContext.caData
    /// By default the token of Istio's reader service account (render writes its remote secret
    /// without an opt-in); ``adminToken`` is any other user's.
    var auth: Auth = .token(KubeContext.readerToken)
    var namespace: String?

    var clusterName: String { "kc-" + name }

    /// A JWT (unsigned) whose `sub` is istio-system's istio-reader-service-account, without expiry.
    static let readerToken = jwt(#"{"iss":"kubernetes/serviceaccount","sub":"system:serviceaccount:istio-system:istio-reader-service-account"}"#)
    /// A reader-account JWT told apart from others by its `jti`, `label`.
    static func reader(_ label: String) -> String {
        jwt(#"{"jti":"\#(label)","sub":"system:serviceaccount:istio-system:istio-reader-service-account"}"#)
    }
    /// A JWT of a cluster administrator's service account, without expiry.
    static let adminToken = jwt(#"{"iss":"kubernetes/serviceaccount","sub":"system:serviceaccount:kube-system:cluster-admin"}"#)

    /// `claims` as the payload of a JWT with a fake signature.
    static func jwt(_ claims: String) -> String {
        func part(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        return part(#"{"alg":"RS256","kid":"test"}"#) + "." + part(claims) + ".c2lnbmF0dXJl"
    }
    var userName: String { "ku-" + name }

    /// Any base64 text is fine for the remote secret; this one is a PEM envelope.
    static let caData = Data("-----BEGIN CERTIFICATE-----\nMIIBtestCA\n-----END CERTIFICATE-----\n".utf8).base64EncodedString()

    static func yaml(_ contexts: [KubeContext], current: String? = nil) -> String {
        var text = "apiVersion: v1\nkind: Config\n"
        if let current { text += "current-context: \(current)\n" }
        text += "clusters:\n"
        for context in contexts {
            text += "- name: \(context.clusterName)\n  cluster:\n"
            if let server = context.server { text += "    server: \(server)\n" }
            if let ca = context.certificateAuthorityData { text += "    certificate-authority-data: \(ca)\n" }
            if context.server == nil && context.certificateAuthorityData == nil { text += "    {}\n" }
        }
        text += "contexts:\n"
        for context in contexts {
            text += "- name: \(context.name)\n  context:\n    cluster: \(context.clusterName)\n    user: \(context.userName)\n"
            if let namespace = context.namespace { text += "    namespace: \(namespace)\n" }
        }
        text += "users:\n"
        for context in contexts {
            text += "- name: \(context.userName)\n  user:\n"
            switch context.auth {
            case .token(let token): text += "    token: \(token)\n"
            case .exec(let command):
                text += "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: \(command)\n"
            case .none: text += "    {}\n"
            }
        }
        return text
    }
}

// MARK: - Driving the library: check, preflight, plan, render

/// A script checked by MeshEngine and pre-flighted by MeshRenderer, ready to plan or render.
struct Prepared {
    let engine: MeshEngine
    let check: MeshEngine.Result
    var options: RenderOptions
    let credentials: DiscoveryCredentials
    /// The scratch directory the script and (by default) the work directory are in: held as
    /// long as the value, so that `prepare(..., in: try Scratch())` does not remove it while
    /// render still writes there (and leave what render wrote behind in the temporary directory).
    var scratch: Scratch? = nil

    var topology: Topology { engine.topology }
    var out: String { options.workDirectory }
    var layout: WorkLayout { WorkLayout(options.workDirectory) }
    var plan: Plan { Planner.plan(topology, options: MeshRenderer.planOptions(options, credentials: credentials)) }

    func render() throws(RenderFailure) -> RenderSummary {
        try MeshRenderer.render(topology, options: options, credentials: credentials)
    }

    /// Renders and records a failure (with the diagnostics or problems) when it throws.
    @discardableResult
    func renderExpectingSuccess(sourceLocation: Testing.SourceLocation = #_sourceLocation) -> RenderSummary? {
        do throws(RenderFailure) {
            return try render()
        } catch {
            Issue.record("render failed: \(describe(error))", sourceLocation: sourceLocation)
            return nil
        }
    }

    struct RenderFailed: Error {}

    /// Renders; on failure records what went wrong and throws, ending the test.
    @discardableResult
    func rendered(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> RenderSummary {
        guard let summary = renderExpectingSuccess(sourceLocation: sourceLocation) else { throw RenderFailed() }
        return summary
    }

    func describe(_ failure: RenderFailure) -> String {
        switch failure {
        case .diagnostics(let diagnostics): DiagnosticRenderer(sources: engine.sources, color: false).render(diagnostics)
        case .trust(let error): error.description
        case .unsupported(let message): message
        }
    }

    /// 1-based line and column of a diagnostic, as the CLI prints them.
    func position(_ diagnostic: Diagnostic) -> (line: Int, column: Int)? {
        guard let range = diagnostic.range else { return nil }
        let location = engine.sources.file(range.file).location(of: range.start)
        return (location.line, location.column)
    }

    var preflightDiagnostics: [Diagnostic] { credentials.diagnostics }

    /// Exactly one pre-flight diagnostic of `severity` whose message contains `message`, at
    /// `line`:`column` of the script; returns it for further checks.
    @discardableResult
    func expectDiagnostic(_ severity: Diagnostic.Severity, containing message: String, line: Int, column: Int,
                          help: String? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Diagnostic? {
        expectDiagnostic(severity, containing: message, line: line, column: column, help: help, among: credentials.diagnostics,
                         sourceLocation: sourceLocation)
    }

    /// The same, among the diagnostics of `check` (evaluation and validation) instead of the pre-flight's.
    @discardableResult
    func expectCheckDiagnostic(_ severity: Diagnostic.Severity, containing message: String, line: Int, column: Int,
                               help: String? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Diagnostic? {
        expectDiagnostic(severity, containing: message, line: line, column: column, help: help, among: check.diagnostics,
                         sourceLocation: sourceLocation)
    }

    private func expectDiagnostic(_ severity: Diagnostic.Severity, containing message: String, line: Int, column: Int,
                                  help: String?, among diagnostics: [Diagnostic], sourceLocation: Testing.SourceLocation) -> Diagnostic? {
        let matches = diagnostics.filter { $0.severity == severity && $0.message.contains(message) }
        let rendered = DiagnosticRenderer(sources: engine.sources, color: false).render(diagnostics)
        guard matches.count == 1, let diagnostic = matches.first else {
            Issue.record("expected one \(severity) containing \"\(message)\", found \(matches.count) in:\n\(rendered)", sourceLocation: sourceLocation)
            return nil
        }
        let position = position(diagnostic)
        #expect(position?.line == line && position?.column == column,
                "\(severity) \"\(diagnostic.message)\" is at \(position.map { "\($0.line):\($0.column)" } ?? "no position"), expected \(line):\(column)",
                sourceLocation: sourceLocation)
        if let help {
            #expect(diagnostic.help?.contains(help) == true, "help of \"\(diagnostic.message)\" is \(diagnostic.help ?? "nil"), expected it to contain \"\(help)\"",
                    sourceLocation: sourceLocation)
        }
        return diagnostic
    }
}

/// Writes `script` into `scratch` (at `name`, which may contain directories), checks it with
/// MeshEngine, and runs the kubeconfig pre-flight. A script that does not check cleanly is a
/// test failure unless `expectCheckErrors`.
func prepare(_ script: String, in scratch: Scratch, name: String = "mesh.mesh", environment: [String: String] = [:],
             out: String? = nil, rotate: Set<String> = [], expectCheckErrors: Bool = false,
             sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Prepared {
    let path = try scratch.write(name, script)
    let engine = MeshEngine(environment: environment)
    let check = engine.check(file: path)
    if check.hasErrors != expectCheckErrors {
        let rendered = DiagnosticRenderer(sources: engine.sources, color: false).render(check.diagnostics)
        Issue.record("check \(expectCheckErrors ? "found no error" : "failed"):\n\(rendered)", sourceLocation: sourceLocation)
    }
    let options = RenderOptions(workDirectory: out ?? scratch.at("out"), scriptPath: path, rotate: rotate,
                                environment: environment, home: scratch.home)
    let credentials = MeshRenderer.preflight(engine.topology, options: options)
    return Prepared(engine: engine, check: check, options: options, credentials: credentials, scratch: scratch)
}

extension Plan {
    /// The steps of one phase for one cluster.
    func steps(_ phase: Phase, _ cluster: String) -> [Step] { steps.filter { $0.phase == phase && $0.cluster == cluster } }

    /// Every command of the plan as argument arrays (each stage of a pipeline on its own).
    var commandLines: [[String]] { steps.flatMap { $0.commands.flatMap(\.pipeline) } }

    func discoverStep(source: String, target: String) -> Step? {
        steps.first { $0.phase == .discover && $0.title == "give \(target) the remote secret of \(source)" }
    }
}

// MARK: - YAML

/// One YAML document parsed with Yams; a test failure (and nil) when it is not YAML or holds
/// more than one document. A trailing empty document (istioctl ends its output with `---`) is allowed.
func yaml(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Node? {
    do {
        let documents = try Array(Yams.compose_all(yaml: text)).filter { $0 != Node("", Yams.Tag(.null)) && $0.resolvedTag != .null }
        guard documents.count == 1 else {
            Issue.record("expected one YAML document, found \(documents.count)", sourceLocation: sourceLocation)
            return nil
        }
        return documents[0]
    } catch {
        Issue.record("not YAML: \(error)\n\(text)", sourceLocation: sourceLocation)
        return nil
    }
}

func yamlFile(_ path: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Node? {
    yaml(read(path, sourceLocation: sourceLocation), sourceLocation: sourceLocation)
}

extension Node {
    /// The node at a path of mapping keys (String) and list indices (Int).
    func at(_ path: Any...) -> Node? {
        var node: Node? = self
        for component in path {
            switch component {
            case let key as String: node = node?[key]
            case let index as Int:
                guard let list = node?.sequence, list.indices.contains(index) else { return nil }
                node = list[index]
            default: return nil
            }
        }
        return node
    }

    /// The keys of a mapping, in document order.
    var keys: [String] { mapping?.keys.compactMap(\.string) ?? [] }

    /// The YAML 1.1 type a reader resolves a scalar to (a quoted "true" is a string).
    var resolvedTag: Yams.Tag.Name { Resolver.default.resolveTag(of: self) }
}

/// `script` checked and rendered into `out` with no environment (so no kubeconfig), as the CLI
/// renders it; a script with errors fails the test.
func renderScript(_ script: String, into out: String, home: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> RenderSummary {
    let engine = MeshEngine(environment: [:])
    try #require(!engine.check(file: script).hasErrors, "\(script) does not check cleanly", sourceLocation: sourceLocation)
    let options = RenderOptions(workDirectory: out, scriptPath: script, environment: [:], home: home)
    let credentials = MeshRenderer.preflight(engine.topology, options: options)
    do throws(RenderFailure) {
        return try MeshRenderer.render(engine.topology, options: options, credentials: credentials)
    } catch {
        throw error
    }
}
