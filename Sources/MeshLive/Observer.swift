// The observer: reads every cluster of a plan with `kubectl get ... -o json`, concurrently
// across clusters, each with a deadline. Read-only: it never changes a cluster. A cluster that
// cannot be read is reported as unreachable, with kubectl's own reason, never as empty.
import Foundation
import MeshApply
import MeshDomain
import MeshKube

/// What the observer reports while it works (from its worker threads).
public enum ObserveEvent: Sendable {
    /// The observer starts reading `cluster` through kubeconfig context `context`.
    case reading(cluster: String, context: String)
    /// The observer has read a cluster.
    case read(ClusterState)
}

/// Reads a plan's clusters with `kubectl get -o json`, concurrently and read-only.
public struct Observer: Sendable {
    /// The environment kubectl runs with (PATH decides which kubectl).
    public var environment: [String: String]
    /// Seconds one cluster may take to answer (each request, and the whole reading).
    public var timeout: Double
    /// How many clusters are read at once.
    public var concurrency: Int

    /// An observer running kubectl with `environment`; `concurrency` is at least 1.
    public init(environment: [String: String], timeout: Double = 20, concurrency: Int = 8) {
        self.environment = environment
        self.timeout = timeout
        self.concurrency = max(1, concurrency)
    }

    /// Reads every cluster of the plan; the states come back in the plan's cluster order.
    public func observe(_ plan: Plan, progress: @escaping @Sendable (ObserveEvent) -> Void = { _ in }) -> [ClusterState] {
        let clusters = plan.clusters.map { (name: $0, access: plan.access[$0] ?? ClusterAccess(kubeconfig: nil, context: $0)) }
        // The Gateway API CRDs are read only where the plan installs them (ambient multicluster).
        let needsCRDs = Set(plan.steps.filter { if case .gatewayAPICRDs = $0.kind { true } else { false } }.map(\.cluster))
        let results = ResultSlots<ClusterState>(count: clusters.count)
        let next = Counter()
        let group = DispatchGroup()
        for _ in 0..<min(concurrency, clusters.count) {
            DispatchQueue.global().async(group: group) {
                while let index = next.take(below: clusters.count) {
                    let (name, access) = clusters[index]
                    progress(.reading(cluster: name, context: access.context))
                    let state = read(name, access: access, gatewayAPICRDs: needsCRDs.contains(name))
                    results.set(index, state)
                    progress(.read(state))
                }
            }
        }
        group.wait()
        return results.values
    }

    /// One cluster: namespace, then istio-system's secrets, deployments and configmaps, then
    /// the cross-network Gateway when Istio's resource types are there; with `gatewayAPICRDs`,
    /// whether the Gateway API's `gateways.gateway.networking.k8s.io` CRD is installed.
    public func read(_ cluster: String, access: ClusterAccess, gatewayAPICRDs: Bool = false) -> ClusterState {
        let started = Date()
        var state = ClusterState(cluster: cluster, context: access.context)
        do {
            state.namespace = StateDecoding.namespace(try get(access, ["namespace", "istio-system", "--ignore-not-found"], what: "namespace istio-system"))
            if state.namespace != nil {
                StateDecoding.apply(try get(access, ["secrets,deployments,configmaps", "-n", "istio-system"], what: "istio-system's objects"), to: &state)
            }
            // Istio's resource types exist where a control plane or a remote's profile is installed.
            if !state.controlPlanes.isEmpty || state.remotePilotAddress != nil {
                let gateways = try get(access, ["gateways.networking.istio.io", "-n", "istio-system", "--ignore-not-found"], what: "gateways", absentType: true)
                state.crossNetworkGateway = StateDecoding.gateways(gateways)
                state.exposesIstiod = StateDecoding.exposesIstiod(gateways)
            }
            if gatewayAPICRDs {
                state.gatewayAPICRDs = try get(access, ["customresourcedefinitions", AmbientMulticluster.gatewayCRD, "--ignore-not-found"],
                                               what: "the Gateway API CRDs") != nil
            }
        } catch {
            state = ClusterState(cluster: cluster, context: access.context)
            state.unreachable = error.description
        }
        state.elapsed = Date().timeIntervalSince(started)
        return state
    }

    struct Unreadable: Error, CustomStringConvertible { var description: String }

    /// `kubectl FLAGS get WHAT -o json`; an empty answer is nil. With `absentType`, a server
    /// that does not know the resource type (Istio's CRDs not installed) answers nothing.
    private func get(_ access: ClusterAccess, _ what: [String], what description: String, absentType: Bool = false) throws(Unreadable) -> StateDecoding.Object? {
        let arguments = ["kubectl"] + access.flags + ["get"] + what + ["-o", "json", "--request-timeout=\(Int(timeout.rounded(.up)))s"]
        let result: ToolCallResult
        do throws(ToolCall.Failure) {
            result = try ToolCall.run(arguments, environment: environment, timeout: timeout + 2)
        } catch {
            switch error {
            case .notFound(let program): throw Unreadable(description: "\(program): not found on PATH")
            case .launchFailed(let program, let message): throw Unreadable(description: "\(program) could not be started: \(message)")
            }
        }
        if result.timedOut { throw Unreadable(description: "no answer within \(Int(timeout)) s") }
        if result.truncated { throw Unreadable(description: "kubectl's answer for \(description) is larger than \(ToolCall.outputLimit >> 20) MiB") }
        guard result.termination.succeeded else {
            if absentType, result.standardError.contains("the server doesn't have a resource type") { return nil }
            let reason = result.standardError.split(separator: "\n").last.map(String.init) ?? "kubectl failed (\(result.termination))"
            throw Unreadable(description: reason)
        }
        do throws(StateDecoding.Malformed) {
            return try StateDecoding.object(result.output, what: description)
        } catch {
            throw Unreadable(description: error.description)
        }
    }
}

/// Slots written by worker threads, read after they are done.
final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: T) { lock.withLock { slots[index] = value } }
    var values: [T] { lock.withLock { slots.compactMap { $0 } } }
}

/// Hands out indices 0, 1, 2, ... to worker threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
