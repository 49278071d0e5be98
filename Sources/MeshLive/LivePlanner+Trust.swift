// The two judgements of the live plan that need more than a lookup: the cacerts secret (same
// intermediate, another intermediate of the same root, rotation) and the control plane.
import Foundation
import MeshDomain
import MeshKube
import MeshTrust

extension Marker {
    /// Istio releases before 1.18 read cacerts only at start (1.12 to 1.17 could reload a new
    /// intermediate with AUTO_RELOAD_PLUGIN_CERTS=true, off by default; 1.18 turned it on and
    /// 1.19 removed the flag). A new root — and the move from istiod's self-signed CA to a
    /// plugged-in one — always needs a restart.
    /// `version` is the running istiod's; without it (or unreadable), the plan's targeted release
    /// (plan.json's `istio`) decides.
    static func reloadsIntermediateByItself(version: String?, istio: String) -> Bool {
        func release(_ text: String) -> IstioRelease? {
            let parts = text.split(separator: ".").prefix(2).compactMap { Int($0.prefix { $0.isNumber }) }
            return parts.count == 2 ? IstioRelease(parts[0], parts[1]) : nil
        }
        // A plan.json written before releases were numbered says "current" (or "1.6").
        let running = version.flatMap(release) ?? release(istio) ?? IstioReleases.newest
        return running >= IstioRelease(1, 18)
    }

    mutating func cacerts(_ step: Plan.Step, _ state: ClusterState) -> LiveStep {
        guard let live = state.cacerts else {
            if state.controlPlanes.isEmpty { return LiveStep(step: step, change: .create, reason: "no cacerts secret") }
            return withRestart(step, state, .create, "no cacerts secret; istiod runs on its self-signed CA and restarts to read it")
        }
        guard let facts = live.facts else { return LiveStep(step: step, change: .unchanged, reason: "cacerts cannot be read: \(live.problem ?? "")") }
        let held = "serial \(facts.intermediateSerial.prefix(23)), \(facts.intermediateSubject)"
        let wanted = local.intermediates[step.cluster]
        if let wanted, facts.rootFingerprint != wanted.rootFingerprint {
            return LiveStep(step: step, change: .unchanged, reason: "cacerts holds another root (\(facts.rootFingerprint.prefix(23))…): see the trust conflict")
        }
        // Rotation replaces whatever intermediate is there: render issues a new one.
        if options.rotate.contains(step.cluster) {
            let next = wanted.flatMap { $0.intermediateFingerprint == facts.intermediateFingerprint ? nil : $0 }
            return replace(step, state, reason: "rotate: \(held) -> " + (next.map { "serial \($0.intermediateSerial.prefix(23))" } ?? "a new intermediate"))
        }
        guard let wanted else {
            // Render will issue a new intermediate, which this cluster will not get without --rotate.
            return LiveStep(step: step, change: .unchanged, reason: "cacerts holds \(held); the work directory has no intermediate for \(step.cluster)",
                            warning: "\(step.cluster)'s cacerts holds an intermediate of the mesh's root that the work directory does not have (\(held)); it is left as it is. To replace it with a new one, apply with --rotate \(step.cluster)")
        }
        if facts.intermediateFingerprint == wanted.intermediateFingerprint {
            return LiveStep(step: step, change: .unchanged, reason: "cacerts holds the work directory's intermediate (\(held))")
        }
        return LiveStep(step: step, change: .unchanged, reason: "cacerts holds another intermediate of the same root (\(held))",
                        warning: "\(step.cluster)'s cacerts holds another intermediate of the mesh's root (\(held)); it is left as it is. To replace it with the work directory's, apply with --rotate \(step.cluster)")
    }

    /// The cacerts step as a replace (`create --dry-run=client -o yaml | kubectl replace -f -`),
    /// with istiod restarted where its release reads cacerts only at start.
    private mutating func replace(_ step: Plan.Step, _ state: ClusterState, reason: String) -> LiveStep {
        var replaced = step
        let create = step.commands.first?.pipeline.first ?? []
        let flags = plan.access[step.cluster]?.flags ?? ["--context=\(state.context)"]
        replaced.commands = [Plan.Command(pipeline: [create + ["--dry-run=client", "-o", "yaml"], ["kubectl", "replace"] + flags + ["-f", "-"]])]
        replaced.title = "replace the cacerts secret with the new intermediate"
        let reloads = state.controlPlanes.allSatisfy { Self.reloadsIntermediateByItself(version: $0.version, istio: plan.istio) }
        return reloads ? LiveStep(step: replaced, change: .replace, reason: reason + "; istiod reloads it by itself (Istio 1.18 and later)")
                       : withRestart(replaced, state, .replace, reason + "; this istiod reads cacerts only at start, so it restarts")
    }

    /// The step with `kubectl rollout restart` of every istiod after its own commands.
    private mutating func withRestart(_ step: Plan.Step, _ state: ClusterState, _ change: Change, _ reason: String) -> LiveStep {
        var step = step
        let flags = plan.access[step.cluster]?.flags ?? ["--context=\(state.context)"]
        step.commands += state.controlPlanes.map { Plan.Command(["kubectl", "rollout", "restart", "deployment/\($0.deployment)"] + flags + ["-n", "istio-system"]) }
        restarting.insert(step.cluster)
        return LiveStep(step: step, change: change, reason: reason)
    }

    mutating func controlPlane(_ step: Plan.Step, _ spec: Plan.ControlPlaneSpec, _ state: ClusterState) -> LiveStep {
        let revision = spec.revision ?? ControlPlaneState.defaultRevision
        guard let plane = state.controlPlane(revision: spec.revision) else {
            restarting.insert(step.cluster)
            return LiveStep(step: step, change: .create, reason: "no istiod of revision \(revision)")
        }
        let seen = "istiod \(plane.version ?? "of unknown version") (revision \(revision))\(plane.ready ? "" : ", not ready")"
        guard plane.meshID != nil || plane.clusterName != nil || plane.network != nil else {
            return LiveStep(step: step, change: .unchanged, reason: "\(seen); its installed values cannot be read, so it is left as it is")
        }
        let differences = [("meshID", plane.meshID, spec.meshID), ("cluster name", plane.clusterName, spec.clusterName), ("network", plane.network, spec.network)]
            .filter { $0.1 != $0.2 }
            .map { "\($0.0) \($0.1 ?? "unset") -> \($0.2 ?? "unset")" }
        guard differences.isEmpty else {
            restarting.insert(step.cluster)
            return LiveStep(step: step, change: .update, reason: "\(seen): " + differences.joined(separator: ", "))
        }
        return LiveStep(step: step, change: .unchanged, reason: "\(seen) with meshID \(spec.meshID ?? "-"), cluster \(spec.clusterName ?? "-"), network \(spec.network ?? "-")")
    }
}
