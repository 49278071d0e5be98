// Test support for apply: stand-in `kubectl` and `istioctl` (Python scripts in a scratch
// directory put first on PATH) that record every invocation (argv, and stdin for
// `kubectl apply -f -`) as one JSON line; and plans built through the library. Scratch
// directories and the real `meshscript` binary come from MeshTestSupport.
import Foundation
import MeshScript
import MeshTestSupport
import Testing

// MARK: - Stand-in tools

/// One recorded invocation.
struct Invocation: Equatable, CustomStringConvertible {
    var program: String
    var arguments: [String]
    var stdin: String?
    var stdout: String?
    var finished: Bool

    var argv: [String] { [program] + arguments }
    var description: String { argv.joined(separator: " ") }
}

/// A stand-in rule: a command line containing `match` fails with `status` and `stderr`, or
/// sleeps `sleep` seconds before it succeeds.
struct StandInRule: Encodable {
    var match: String
    var status: Int = 1
    var stderr: String = ""
    var sleep: Double?
    /// Kill the stand-in with this signal instead (as a terminal's Ctrl-C reaching its process group).
    var signal: Int32?
    /// Leave a `sleep` running in the background, holding stdout and stderr, then go on.
    var background: Bool?
}

/// A directory of executable stand-ins for kubectl and istioctl. Every invocation appends a
/// JSON line to `log`; `kubectl get` answers as an empty cluster does and is not listed in
/// `invocations` (apply reads every cluster before it changes one), except that the reader
/// account's token Secret holds `token`. `istioctl create-remote-secret` and `meshscript
/// remote-secret` print a fake Secret holding `token`.
/// Like the real kubectl, `kubectl apply -f -` with nothing on stdin fails.
final class StandIns: @unchecked Sendable {
    static let token = "stand-in-bearer-token-9f41c7d2e8"

    let directory: String
    var log: String { directory + "/invocations.jsonl" }

    init(in scratch: Scratch, programs: [String] = ["kubectl", "istioctl", "meshscript"], rules: [StandInRule] = []) throws {
        directory = scratch.at("bin-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let python = try #require(Self.python, "python3 is needed for the stand-in tools")
        for program in programs {
            let path = directory + "/" + program
            try writeExecutable(path, "#!" + python + "\n" + Self.script)
        }
        try setRules(rules)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        try Self.writeHomeKubeconfig(home: scratch.home)
    }

    /// `~/.kube/config` with the examples' contexts (kind-cluster1..3), each reaching its own
    /// https server with a user token that is not the reader account's: `meshscript
    /// remote-secret` reads the server from it, and the token is minted through the stand-in.
    static func writeHomeKubeconfig(home: String) throws {
        let directory = home + "/.kube"
        guard !FileManager.default.fileExists(atPath: directory + "/config") else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let names = (1...3).map { "kind-cluster\($0)" }
        var text = "apiVersion: v1\nkind: Config\nclusters:\n"
        for (index, name) in names.enumerated() { text += "- name: \(name)\n  cluster:\n    server: https://cluster\(index + 1).example:6443\n" }
        text += "contexts:\n"
        for name in names { text += "- name: \(name)\n  context:\n    cluster: \(name)\n    user: \(name)\n" }
        text += "users:\n"
        for name in names { text += "- name: \(name)\n  user:\n    token: user-token-of-\(name)\n" }
        try text.write(toFile: directory + "/config", atomically: true, encoding: .utf8)
    }

    /// Writes through a close-on-exec descriptor. Foundation's atomic write goes through mkstemp,
    /// whose descriptor a process spawned meanwhile by a parallel test inherits; while that process
    /// lives, Linux refuses to execute the file (ETXTBSY, "Text file busy").
    private func writeExecutable(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }

    func setRules(_ rules: [StandInRule]) throws {
        try JSONEncoder().encode(rules).write(to: URL(fileURLWithPath: directory + "/rules.json"))
    }

    func clearLog() { _ = FileManager.default.createFile(atPath: log, contents: nil) }

    /// Started invocations, in the order they were recorded (a `finished` line completes one).
    var invocations: [Invocation] {
        let text = String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self)
        var result: [Invocation] = []
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let program = object["program"] as? String, let arguments = object["args"] as? [String] else {
                Issue.record("unreadable log line: \(line)")
                continue
            }
            if object["read"] as? Bool == true { continue } // `kubectl get`: apply reading the cluster
            if object["event"] as? String == "finished" {
                if let index = result.lastIndex(where: { $0.argv == [program] + arguments }) { result[index].finished = true }
                continue
            }
            result.append(Invocation(program: program, arguments: arguments, stdin: object["stdin"] as? String,
                                     stdout: object["stdout"] as? String, finished: false))
        }
        return result
    }

    /// PATH with the stand-ins first; `/usr/bin` may hold a real kubectl, which the stand-in shadows.
    var path: String { directory + ":/usr/bin:/bin" }

    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3", "/opt/homebrew/bin/python3"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    private static let script = #"""
        import json, os, sys, time
        name = os.path.basename(sys.argv[0])
        args = sys.argv[1:]
        here = os.path.dirname(os.path.abspath(sys.argv[0]))
        with open(os.path.join(here, "rules.json")) as f:
            rules = json.load(f)
        entry = {"program": name, "args": args}
        # A read (apply looks at every cluster first): this stand-in's clusters are empty.
        if name == "kubectl" and [a for a in args if not a.startswith("-")][:1] == ["get"]:
            entry["read"] = True
            with open(os.path.join(here, "invocations.jsonl"), "a") as f:
                f.write(json.dumps(entry) + "\n")
            if "istio-reader-service-account-istio-remote-secret-token" in args:
                import base64
                data = {"token": base64.b64encode(b"\#(token)").decode(), "ca.crt": base64.b64encode(b"stand-in CA").decode()}
                sys.stdout.write(json.dumps({"apiVersion": "v1", "kind": "Secret", "data": data}) + "\n")
            elif "--ignore-not-found" not in args:
                sys.stdout.write('{"apiVersion": "v1", "kind": "List", "items": []}\n')
            sys.exit(0)
        reads_stdin = name == "kubectl" and "-f" in args and args.index("-f") + 1 < len(args) and args[args.index("-f") + 1] == "-"
        if reads_stdin:
            entry["stdin"] = sys.stdin.read()
        out = "%s: done\n" % name
        if (name == "istioctl" and "create-remote-secret" in args) or (name == "meshscript" and "remote-secret" in args):
            cluster = [a.split("=", 1)[1] for a in args if a.startswith("--name=")][0]
            out = ("# This file is autogenerated, do not edit.\napiVersion: v1\nkind: Secret\nmetadata:\n"
                   "  annotations:\n    networking.istio.io/cluster: %s\n  labels:\n    istio/multiCluster: \"true\"\n"
                   "  name: istio-remote-secret-%s\n  namespace: istio-system\nstringData:\n  %s: |\n"
                   "    users:\n    - name: %s\n      user:\n        token: %s\n---\n") % (cluster, cluster, cluster, cluster, "\#(token)")
            entry["stdout"] = out
        with open(os.path.join(here, "invocations.jsonl"), "a") as f:
            f.write(json.dumps(entry) + "\n")
        line = " ".join([name] + args)
        for rule in rules:
            if rule["match"] in line:
                if rule.get("background"):
                    import subprocess
                    sleeper = subprocess.Popen(["sleep", "100000"])
                    with open(os.path.join(here, "background.pid"), "a") as f:
                        f.write("%d\n" % sleeper.pid)
                    continue
                if rule.get("signal") is not None:
                    import signal
                    signal.signal(rule["signal"], signal.SIG_DFL)
                    os.kill(os.getpid(), rule["signal"])
                    time.sleep(5)
                if rule.get("sleep") is not None:
                    time.sleep(rule["sleep"])
                    with open(os.path.join(here, "invocations.jsonl"), "a") as f:
                        f.write(json.dumps({"program": name, "args": args, "event": "finished"}) + "\n")
                else:
                    sys.stderr.write(rule["stderr"] + "\n")
                    sys.exit(rule["status"])
        if reads_stdin and not entry["stdin"].strip():
            sys.stderr.write("error: no objects passed to apply\n")
            sys.exit(1)
        sys.stdout.write(out)
        """#
}

// MARK: - Plans through the library

/// The plan `meshscript apply SCRIPT --out OUT` carries out, with no kubeconfig (so discovery
/// uses `istioctl create-remote-secret | kubectl apply`).
func plan(_ script: String, out: String, home: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Plan {
    let engine = MeshEngine(environment: [:])
    let check = engine.check(file: script)
    try #require(!check.hasErrors, "\(script) does not check cleanly", sourceLocation: sourceLocation)
    let options = RenderOptions(workDirectory: out, scriptPath: script, environment: [:], home: home)
    let credentials = MeshRenderer.preflight(engine.topology, options: options)
    return Planner.plan(engine.topology, options: MeshRenderer.planOptions(options, credentials: credentials))
}

extension Plan {
    /// Every process the steps at and after `first` start, in order (meshscript steps excluded).
    /// The processes apply spawns from step `first` on: never `meshscript render` (done in
    /// process); `meshscript remote-secret` only where it is a stand-in (`standInMeshscript`),
    /// since the CLI runs its own executable for it.
    func processes(from first: Int = 1, standInMeshscript: Bool = false) -> [[String]] {
        steps.filter { $0.number >= first }.flatMap { $0.commands.flatMap(\.pipeline) }
            .filter { $0.first != "meshscript" || (standInMeshscript && $0.starts(with: ["meshscript", "remote-secret"])) }
    }

    func step(where predicate: (Plan.Command) -> Bool, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Plan.Step {
        try #require(steps.first { $0.commands.contains(where: predicate) }, "no such step in the plan", sourceLocation: sourceLocation)
    }
}
