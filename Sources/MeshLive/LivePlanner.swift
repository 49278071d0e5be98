// Marks each step of an offline plan against the clusters as read, and adds the deletes.
// How a control plane is judged (documented in the README): istiod of the step's revision is
// absent -> create; present, and its sidecar injector's values name the same meshID, cluster
// name and network as install.yaml -> no change (its version is reported, never upgraded);
// any of the three differs -> update (istioctl install runs again).
import Foundation
import MeshDomain
import MeshKube
import MeshTrust

/// Builds the live plan from an offline plan and the clusters as read.
public enum LivePlanner {
    /// Marks every step (unknown where its cluster is unreachable), appends the deletes, and finds the trust conflicts.
    public static func plan(_ plan: Plan, states: [ClusterState], local: LocalTrust, options: LivePlanOptions = LivePlanOptions()) -> LivePlan {
        let byName = Dictionary(states.map { ($0.cluster, $0) }, uniquingKeysWith: { first, _ in first })
        var marker = Marker(plan: plan, local: local, options: options)
        var steps: [LiveStep] = []
        for step in plan.steps {
            guard step.kind != .intermediateCA else {
                steps.append(LiveStep(step: step, change: .local, reason: "meshscript renders it into \(plan.workDirectory)"))
                continue
            }
            guard let state = byName[step.cluster], state.isReachable else {
                steps.append(LiveStep(step: step, change: .unknown, reason: "cluster unreachable: \(byName[step.cluster]?.unreachable ?? "not read")"))
                continue
            }
            steps.append(marker.mark(step, in: state))
        }
        markReads(&steps)
        steps += deletes(plan, states: states, numberedFrom: (plan.steps.last?.number ?? 0) + 1)
        return LivePlan(mesh: plan.mesh, steps: steps, conflicts: TrustGuard.conflicts(plan, states: states, local: local), clusters: states)
    }

    /// A step that reads a value (the primary's gateway address) runs when a step that uses the
    /// value runs, and then only reads: it is marked `wait`, which changes nothing.
    static func markReads(_ steps: inout [LiveStep]) {
        for index in steps.indices {
            guard let name = steps[index].step.output, steps[index].change != .unknown else { continue }
            let users = steps.filter { $0.change.runs && !$0.step.commands.allSatisfy { $0.references(among: [name]).isEmpty } }
            steps[index].change = users.isEmpty ? .unchanged : .wait
            steps[index].reason = users.isEmpty
                ? "no step that runs uses \(Plan.reference(name))"
                : "pending: read when apply runs, for step\(users.count == 1 ? "" : "s") \(users.map { String($0.step.number) }.joined(separator: ", "))"
        }
    }

    /// What a cluster holds that the plan no longer describes: remote secrets of clusters that
    /// are not its discovery sources, an east-west gateway where none is wanted, and istiod exposed where no remote needs it.
    static func deletes(_ plan: Plan, states: [ClusterState], numberedFrom first: Int) -> [LiveStep] {
        var steps: [LiveStep] = []
        func add(_ cluster: String, _ kind: Plan.Step.Kind, _ title: String, _ commands: [[String]], _ reason: String) {
            let step = Plan.Step(number: first + steps.count, phase: .discover, cluster: cluster, title: title,
                                 commands: commands.map { Plan.Command($0) }, files: [], note: nil, kind: kind)
            steps.append(LiveStep(step: step, change: .delete, reason: reason))
        }
        for state in states where state.isReachable {
            let flags = plan.access[state.cluster]?.flags ?? ["--context=\(state.context)"]
            let sources = Set(plan.links.filter { $0.target == state.cluster }.map(\.source))
            for secret in state.remoteSecrets where !sources.contains(secret.source ?? "") {
                add(state.cluster, .deleteRemoteSecret(name: secret.name), "delete the remote secret \(secret.name)",
                    [["kubectl", "delete", "secret", secret.name] + flags + ["-n", "istio-system", "--ignore-not-found"]],
                    "\(state.cluster) holds a remote secret for \(secret.source ?? "an unnamed cluster"), which the script does not link to it")
            }
            let clusterSteps = plan.steps.filter { $0.cluster == state.cluster }
            let installs = clusterSteps.contains { if case .controlPlane = $0.kind { true } else { false } }
            let wantsGateway = clusterSteps.contains { if case .eastWestGateway = $0.kind { true } else { false } }
            if installs, !wantsGateway, state.eastWestGateway != nil || state.crossNetworkGateway {
                add(state.cluster, .deleteEastWestGateway, "delete the east-west gateway and the cross-network Gateway",
                    [["kubectl", "delete", "deployment,service,serviceaccount"] + flags + ["-n", "istio-system", "-l", "istio=eastwestgateway", "--ignore-not-found"],
                     ["kubectl", "delete", "gateways.networking.istio.io", "cross-network-gateway"] + flags + ["-n", "istio-system", "--ignore-not-found"]],
                    "\(state.cluster) is no longer linked to a cluster on another network")
            }
            // Deleting the Gateway ends the exposure (the VirtualService then binds to nothing).
            if installs, !clusterSteps.contains(where: { $0.kind == .exposeIstiod }), state.exposesIstiod {
                add(state.cluster, .deleteExposeIstiod, "delete the Gateway and VirtualService exposing istiod",
                    [["kubectl", "delete", "gateways.networking.istio.io", ExposeIstiod.gatewayName] + flags + ["-n", "istio-system", "--ignore-not-found"],
                     ["kubectl", "delete", "virtualservices.networking.istio.io", "istiod-vs"] + flags + ["-n", "istio-system", "--ignore-not-found"]],
                    "\(state.cluster) has no remote any more, yet istiod is exposed on its east-west gateway")
            }
        }
        return steps
    }
}

/// Marks one cluster's steps in order; remembers what earlier steps of the cluster change
/// (a control plane created or restarted makes its readiness wait run).
struct Marker {
    let plan: Plan
    let local: LocalTrust
    let options: LivePlanOptions
    var restarting: Set<String> = []

    init(plan: Plan, local: LocalTrust, options: LivePlanOptions) {
        self.plan = plan
        self.local = local
        self.options = options
    }

    mutating func mark(_ step: Plan.Step, in state: ClusterState) -> LiveStep {
        switch step.kind {
        case .intermediateCA, .deleteRemoteSecret, .deleteEastWestGateway, .deleteExposeIstiod:
            return LiveStep(step: step, change: .local, reason: "")
        case .host(let name):
            return live(step, .update, "a host step (\(name)): MeshScript does not read what it changes")
        case .namespace:
            return state.namespace == nil ? live(step, .create, "istio-system is absent") : live(step, .unchanged, "istio-system exists")
        case .networkLabel(let network):
            let label = state.namespace?.network
            if label == network { return live(step, .unchanged, "istio-system is labelled network \(network)") }
            return live(step, state.namespace == nil ? .create : .update, "network label: \(label ?? "none") -> \(network)")
        case .cacerts:
            return cacerts(step, state)
        case .controlPlane(let spec):
            return controlPlane(step, spec, state)
        case .waitReady:
            let planes = state.controlPlanes
            if restarting.contains(state.cluster) { return live(step, .wait, "the control plane changes above") }
            if !planes.isEmpty, planes.allSatisfy(\.ready) { return live(step, .unchanged, "istiod is ready") }
            return live(step, .wait, planes.isEmpty ? "no istiod" : "istiod is not ready")
        case .eastWestGateway(let network):
            guard let gateway = state.eastWestGateway else { return live(step, .create, "no east-west gateway") }
            if gateway.network == nil || gateway.network == network { return live(step, .unchanged, "\(gateway.name) exists") }
            return live(step, .update, "east-west gateway network: \(gateway.network!) -> \(network)")
        case .crossNetworkGateway:
            return state.crossNetworkGateway ? live(step, .unchanged, "cross-network-gateway exists") : live(step, .create, "no cross-network-gateway")
        case .controlPlaneClusters(let primary):
            let held = state.namespace?.controlPlaneClusters
            if held == primary { return live(step, .unchanged, "istio-system names \(primary) as its control plane") }
            return live(step, state.namespace == nil ? .create : .update, "controlPlaneClusters: \(held ?? "none") -> \(primary)")
        case .exposeIstiod:
            return state.exposesIstiod ? live(step, .unchanged, "\(ExposeIstiod.gatewayName) exists") : live(step, .create, "no \(ExposeIstiod.gatewayName)")
        case .discoveryAddress:
            return live(step, .wait, "pending: read when apply runs")
        case .gatewayAPICRDs:
            return state.gatewayAPICRDs ? live(step, .unchanged, "the Gateway API CRDs are installed") : live(step, .create, "no Gateway API CRDs")
        case .remoteControlPlane(let primary, _):
            if let plane = state.controlPlanes.first { return live(step, .update, "\(plane.deployment) runs here; the script makes this cluster a remote of \(primary)") }
            guard let address = state.remotePilotAddress else { return live(step, .create, "no remote install (no injector pointed at a primary)") }
            return live(step, .unchanged, "profile remote, injector pointed at \(address)")
        case .remoteSecret(let source, let server):
            guard let secret = state.remoteSecret(source: source) else { return live(step, .create, "\(step.cluster) holds no remote secret for \(source)") }
            if let server, let held = secret.server, held != server {
                return live(step, .update, "\(secret.name) opens \(held), the script says server \(server)")
            }
            return live(step, .unchanged, "\(secret.name) exists" + (secret.server.map { " (server \($0))" } ?? ""))
        }
    }

    private func live(_ step: Plan.Step, _ change: Change, _ reason: String, warning: String? = nil) -> LiveStep {
        LiveStep(step: step, change: change, reason: reason, warning: warning)
    }
}
