// Every tool call names its cluster: the plan's `access` (kubeconfig file and context per
// cluster) is carried by every kubectl and istioctl argument list, both stages of a pipeline
// included, and shown by the JSON, text and shell formats. Two clusters with one context are
// a validation error.
import Foundation
import Testing

import MeshDomain
import MeshScriptInterpreter

/// Every phase and form of command: trust (namespace, network label, cacerts), install (control
/// plane, readiness, east-west gateway, cross-network Gateway), and discovery through both the
/// reader account applied to the source and the `meshscript remote-secret | kubectl apply`
/// pipeline, and a file render wrote.
let everyKindOfStep = """
    mesh mesh1
    network n1
    network n2
    cluster c1 < context "ctx-one"; trust from root; install network n1 >
    cluster c2 < context "ctx-two"; trust from root; install network n2; discover with c1 >
    cluster c3 < context "ctx-three"; trust from root; install network n1; discover from c1 >
    """

func accessPlan(_ source: String, kubeconfig: String?, offline: Set<DiscoveryLink> = []) throws -> Plan {
    let checked = check(source)
    try #require(checked.errors.isEmpty, "script has errors:\n\(checked.rendered)")
    let options = PlanOptions(workDirectory: "out", scriptPath: "s.mesh", offlineRemoteSecrets: offline, kubeconfig: kubeconfig)
    return Planner.plan(checked.topology, options: options)
}

/// Each kubectl, istioctl and `meshscript remote-secret` argument list with the cluster it must
/// name: the step's cluster, except in a discovery step the reader account's `kubectl apply` and
/// the first stage of the pipeline (they act on the link's source).
func toolCalls(_ plan: Plan) -> [(arguments: [String], cluster: String)] {
    var calls: [(arguments: [String], cluster: String)] = []
    for step in plan.steps {
        for command in step.commands {
            for (stage, arguments) in command.pipeline.enumerated()
            where ["kubectl", "istioctl"].contains(arguments.first) || arguments.starts(with: ["meshscript", "remote-secret"]) {
                var cluster = step.cluster
                let onSource = (stage == 0 && command.pipeline.count > 1) || arguments.contains { $0.hasSuffix("/reader-service-account.yaml") }
                if step.phase == .discover, onSource {
                    cluster = String(step.title.split(separator: " ").last!) // "give T the remote secret of S"
                }
                calls.append((arguments, cluster))
            }
        }
    }
    return calls
}

@Suite struct PlanAccess {
    static let contexts = ["c1": "ctx-one", "c2": "ctx-two", "c3": "ctx-three"]

    @Test func flagsAreTheKubeconfigThenTheContext() {
        #expect(ClusterAccess(kubeconfig: "/k/config", context: "kind-a").flags == ["--kubeconfig=/k/config", "--context=kind-a"])
        #expect(ClusterAccess(kubeconfig: nil, context: "kind-a").flags == ["--context=kind-a"])
    }

    @Test func everyToolCallNamesTheKubeconfigAndItsClustersContext() throws {
        let kubeconfig = "/etc/mesh/kube config.yaml"
        let plan = try accessPlan(everyKindOfStep, kubeconfig: kubeconfig, offline: [DiscoveryLink(source: "c1", target: "c3")])
        #expect(plan.access == Self.contexts.mapValues { ClusterAccess(kubeconfig: kubeconfig, context: $0) })
        let calls = toolCalls(plan)
        // Every form of step is there, so none of them can go unchecked.
        let titles = Set(plan.steps.map(\.title))
        for title in ["create namespace istio-system", "label istio-system with network n1", "create the cacerts secret",
                      "wait until the control plane is ready", "install the east-west gateway for network n2",
                      "expose services through the east-west gateway"] {
            #expect(titles.contains(title), "no step '\(title)' in \(titles.sorted())")
        }
        #expect(calls.contains { $0.arguments.starts(with: ["meshscript", "remote-secret"]) })
        #expect(calls.contains { $0.arguments.starts(with: ["kubectl", "apply", "-f", "out/c1/reader-service-account.yaml"]) })
        #expect(calls.contains { $0.arguments.starts(with: ["kubectl", "apply", "-f", "out/c3/remote-secret-c1.yaml"]) })
        #expect(calls.count == 25, "\(calls.map { $0.arguments.joined(separator: " ") })")
        for call in calls {
            let context = try #require(Self.contexts[call.cluster])
            let at = call.arguments.firstIndex(of: "--kubeconfig=\(kubeconfig)")
            // `--kubeconfig=` just before `--context=`, where `--context=` always was.
            #expect(at.map { call.arguments[$0 + 1] } == "--context=\(context)", "\(call.arguments)")
            #expect(call.arguments.filter { $0.hasPrefix("--context=") || $0.hasPrefix("--kubeconfig=") }.count == 2, "\(call.arguments)")
        }
        // render, which writes the offline secrets from that kubeconfig, is told about it too.
        let render = try #require(plan.steps.first?.commands.first?.pipeline.first)
        #expect(render == ["meshscript", "render", "s.mesh", "--out", "out", "--kubeconfig=\(kubeconfig)"])
    }

    @Test func theContextKeepsItsPlaceAndTheKubeconfigGoesJustBeforeIt() throws {
        let plan = try accessPlan(everyKindOfStep, kubeconfig: "/k.yaml")
        let commands = try #require(plan.steps.first { $0.phase == .discover && $0.cluster == "c2" }?.commands.map(\.pipeline))
        #expect(commands == [[["kubectl", "apply", "-f", "out/c1/reader-service-account.yaml", "--kubeconfig=/k.yaml", "--context=ctx-one"]],
                             [["meshscript", "remote-secret", "--name=c1", "--istio=1.30", "--kubeconfig=/k.yaml", "--context=ctx-one"],
                              ["kubectl", "apply", "-f", "-", "--kubeconfig=/k.yaml", "--context=ctx-two"]]])
        let install = try #require(plan.steps.first { $0.phase == .install && $0.cluster == "c1" }?.commands.first?.pipeline.first)
        #expect(install == ["istioctl", "install", "--kubeconfig=/k.yaml", "--context=ctx-one", "-f", "out/c1/install.yaml", "-y"])
        let wait = try #require(plan.steps.first { $0.title.hasPrefix("wait") }?.commands.first?.pipeline.first)
        #expect(wait.prefix(4) == ["kubectl", "--kubeconfig=/k.yaml", "--context=ctx-one", "-n"])
    }

    @Test func istio16CommandsCarryTheAccessToo() throws {
        let plan = try accessPlan("""
            mesh mesh1 < istio "1.6" >
            network network1
            cluster c1 < trust from root; install >
            cluster c2 < trust from root; install; discover with c1 >
            """, kubeconfig: "/k.yaml")
        let calls = toolCalls(plan)
        #expect(calls.contains { $0.arguments == ["istioctl", "--kubeconfig=/k.yaml", "--context=c1", "manifest", "apply", "-f", "out/c1/install.yaml"] })
        #expect(calls.contains { $0.arguments == ["istioctl", "x", "create-remote-secret", "--kubeconfig=/k.yaml", "--context=c2", "--name=c2"] })
        for call in calls {
            let at = try #require(call.arguments.firstIndex(of: "--kubeconfig=/k.yaml"), "\(call.arguments)")
            #expect(call.arguments[at + 1] == "--context=\(call.cluster)", "\(call.arguments)")
        }
    }

    /// The makers read each cluster's flags by its position: a primary with remotes, and remotes
    /// on another network, each name their own context on every call.
    @Test func remotesAndTheirPrimaryEachNameTheirOwnContext() throws {
        let plan = try accessPlan("""
            mesh mesh1
            network n1
            network n2
            cluster c1 < context "ctx-one"; trust from root; install network n1 >
            cluster c2 < context "ctx-two"; install remote of c1 network n2 >
            cluster c3 < context "ctx-three"; install remote of c1 network n1 >
            """, kubeconfig: "/k.yaml")
        let titles = plan.steps.map(\.title)
        for title in ["install the remote profile, pointed at c1's istiod", "expose istiod to the remotes through the east-west gateway",
                      "install the east-west gateway for network n2", "annotate istio-system: its control plane is c1's istiod"] {
            #expect(titles.contains(title), "\(titles)")
        }
        let calls = toolCalls(plan)
        #expect(Set(calls.map(\.cluster)) == ["c1", "c2", "c3"])
        for call in calls {
            let context = try #require(Self.contexts[call.cluster])
            #expect(call.arguments.filter { $0.hasPrefix("--context=") } == ["--context=\(context)"], "\(call.arguments)")
        }
    }

    @Test func withoutAKubeconfigOnlyTheContextIsGiven() throws {
        let plan = try accessPlan(everyKindOfStep, kubeconfig: nil)
        #expect(plan.access == Self.contexts.mapValues { ClusterAccess(kubeconfig: nil, context: $0) })
        for call in toolCalls(plan) {
            #expect(!call.arguments.contains { $0.hasPrefix("--kubeconfig") }, "\(call.arguments)")
            #expect(call.arguments.contains("--context=\(Self.contexts[call.cluster]!)"), "\(call.arguments)")
        }
        #expect(plan.steps.first?.commands.first?.pipeline.first == ["meshscript", "render", "s.mesh", "--out", "out"])
        #expect(plan.shellScript.contains("reads $KUBECONFIG or ~/.kube/config"))
    }

    @Test func planJSONCarriesTheAccessOfEveryCluster() throws {
        let plan = try accessPlan(everyKindOfStep, kubeconfig: "/k/config.yaml")
        let text = plan.json()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let access = try #require(json["access"] as? [String: [String: String]], "\(text)")
        #expect(access == [
            "c1": ["kubeconfig": "/k/config.yaml", "context": "ctx-one"],
            "c2": ["kubeconfig": "/k/config.yaml", "context": "ctx-two"],
            "c3": ["kubeconfig": "/k/config.yaml", "context": "ctx-three"],
        ])
        // Sorted keys, so the file only changes when the plan does.
        #expect(text.contains("""
              "access" : {
                "c1" : {
                  "context" : "ctx-one",
                  "kubeconfig" : "/k/config.yaml"
                },
            """), "\(text)")
        #expect(try JSONDecoder().decode(Plan.self, from: Data(text.utf8)) == plan)
        // Without a kubeconfig an entry is the context alone.
        let bare = try JSONSerialization.jsonObject(with: Data(accessPlan(everyKindOfStep, kubeconfig: nil).json().utf8)) as? [String: Any]
        #expect((bare?["access"] as? [String: [String: String]])?["c1"] == ["context": "ctx-one"])
    }

    @Test func textAndShellFormatsShowTheFlagsQuoted() throws {
        let kubeconfig = "/home/me/it's kube.yaml"
        let plan = try accessPlan(everyKindOfStep, kubeconfig: kubeconfig)
        let quoted = #"'--kubeconfig=/home/me/it'\''s kube.yaml' --context=ctx-one"#
        #expect(plan.text.contains("$ kubectl create namespace istio-system \(quoted)\n"), "\(plan.text)")
        #expect(plan.shellScript.contains("\nkubectl create namespace istio-system \(quoted)\n"), "\(plan.shellScript)")
        #expect(plan.shellScript.contains("meshscript remote-secret --name=c1 --istio=1.30 \(quoted) | kubectl apply -f - "
                                          + #"'--kubeconfig=/home/me/it'\''s kube.yaml' --context=ctx-two"#))
        #expect(plan.shellScript.contains("reads the kubeconfig file given with --kubeconfig="))
        // bash reads the quoted argument back as the one path.
        let script = "printf '%s\\n' \(quoted)"
        let output = try runBash(script)
        #expect(output == "--kubeconfig=\(kubeconfig)\n--context=ctx-one\n")
    }

    private func runBash(_ script: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite struct SameContext {
    @Test func twoClustersWithOneContextAreAnErrorAtTheSecondWithANoteAtTheFirst() throws {
        let checked = check("""
            mesh m
            network n
            cluster a < context "kind-x"; trust from root; install >
            cluster b < context "kind-x"; trust from root; install >
            """)
        let error = try #require(checked.errors.first { $0.message.contains("same context") }, "\(checked.rendered)")
        #expect(checked.errors.count == 1, "\(checked.rendered)")
        #expect(error.message == "clusters 'a' and 'b' use the same context 'kind-x'")
        #expect(error.help == "each cluster needs its own context, or apply would set up one cluster twice")
        let position = { (range: SourceRange?) in range.map { lineColumn(checked.engine.sources.file($0.file).location(of: $0.start)) } }
        #expect(position(error.range) == "4:21")
        #expect(error.notes.map(\.message) == ["'a' uses context 'kind-x' here"])
        #expect(position(error.notes.first?.range) == "3:21")
    }

    @Test func distinctContextsAndADuplicateClusterAreNotReportedAsShared() {
        expectClean(check("mesh m\ncluster a < context \"x\" >\ncluster b < context \"y\" >\ncluster x < context \"a\" >"))
        // The cluster declared twice is that error only.
        let twice = check("mesh m\ncluster a < context \"x\" >\ncluster a < context \"x\" >")
        #expect(twice.messages == ["cluster 'a' is declared twice"], "\(twice.rendered)")
    }
}
