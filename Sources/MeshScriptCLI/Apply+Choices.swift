// apply's parts: where to start, what refuses a run, what the user chose, render, and running
// the chosen steps with the journal.
import Foundation
import MeshScript

extension Apply {
    /// The first step to run: from the journal (--resume), --from-step, else 1.
    func startingStep(_ plan: Plan) throws -> Int {
        var stderr = StandardError()
        if let fromStep {
            guard (1...plan.steps.count).contains(fromStep) else {
                print("error: --from-step \(fromStep): the plan has steps 1 to \(plan.steps.count)", to: &stderr)
                throw ExitCode(64)
            }
            return fromStep
        }
        guard resume else { return 1 }
        let journal: ApplyJournal?
        do {
            journal = try ApplyJournal.load(from: options.workDirectory)
        } catch {
            print("error: \(ApplyJournal.path(in: out)) cannot be read: \(error); run apply without --resume", to: &stderr)
            throw ExitCode(64)
        }
        guard let journal else {
            print("error: --resume: \(ApplyJournal.path(in: out)) does not exist, so there is nothing to resume; run apply without --resume", to: &stderr)
            throw ExitCode(64)
        }
        guard journal.planHash == ApplyJournal.hash(plan) else {
            print("error: --resume: the plan is not the one \(ApplyJournal.path(in: out)) was written for (the script, the kubeconfig or the options changed); run apply without --resume", to: &stderr)
            throw ExitCode(64)
        }
        print("resuming after step \(journal.resumeStep - 1), the last one the journal records as finished")
        return journal.resumeStep
    }

    var options: MeshOptions { meshOptions(out: out, kubeconfig: kubeconfigOptions.kubeconfig, limits: limitOptions.limits, rotate: rotate) }

    /// Stops before any write when a cluster could not be read or trust would split.
    func refuseUnsafe(_ live: LivePlan) throws {
        var stderr = StandardError()
        for state in live.unreachable {
            print("error: cluster \(state.cluster) (context \(state.context)) could not be read: \(state.unreachable ?? "")", to: &stderr)
        }
        if !live.unreachable.isEmpty {
            print("apply changes no cluster it has not looked at: nothing was changed. Fix the access (or raise --timeout), then run apply again", to: &stderr)
            throw Exit.clustersRefused
        }
        guard !live.conflicts.isEmpty else { return }
        for conflict in live.conflicts { print("error: trust would split: \(conflict)", to: &stderr) }
        print("  = help: " + TrustGuard.recovery, to: &stderr)
        throw Exit.clustersRefused
    }

    /// The numbers of the steps to run: the live plan's changes from `firstStep` on, the deletes
    /// only with --prune or a yes on a terminal.
    func choose(_ live: LivePlan, from firstStep: Int) throws -> Set<Int> {
        for warning in live.steps.compactMap(\.warning) { print("warning: \(warning)") }
        var pending = live.pending.filter { $0.step.number >= firstStep }
        if secretsOnly { pending = secretSteps(pending, live: live) }
        let deletes = pending.filter { $0.change == .delete }
        var chosen = Set(pending.filter { $0.change != .delete }.map(\.step.number))
        if !yes && !pending.isEmpty { print(live.text, terminator: "") }
        if !yes && !chosen.isEmpty {
            guard ask("Apply \(chosen.count) change\(chosen.count == 1 ? "" : "s") to the kube contexts \(live.clusters.map(\.context).joined(separator: ", "))?") else {
                print("nothing applied")
                throw ExitCode(1)
            }
        }
        if !deletes.isEmpty {
            let listed = deletes.map { "\($0.step.cluster): \($0.step.title)" }.joined(separator: "; ")
            if prune || (!yes && ask("\(chosen.isEmpty ? "Delete" : "Also delete") what the script no longer describes (\(listed))?")) {
                chosen.formUnion(deletes.map(\.step.number))
            } else {
                print("note: \(deletes.count) delete\(deletes.count == 1 ? "" : "s") not run (pass --prune to run them): " + listed)
            }
        }
        return chosen
    }

    /// `--secrets-only` (a GitOps tree's secrets, see `render --gitops`): istio-system and cacerts,
    /// and each remote secret whose source cluster already runs a control plane. Before that, its
    /// reader account would be created outside the charts that own it, so it waits for the next run.
    func secretSteps(_ pending: [LiveStep], live: LivePlan) -> [LiveStep] {
        let installed = Set(live.clusters.filter { !$0.controlPlanes.isEmpty }.map(\.cluster))
        return pending.filter { live in
            switch live.step.kind {
            case .namespace, .cacerts: return true
            case .remoteSecret(let source, _):
                guard installed.contains(source) else {
                    print("note: \(live.step.cluster): \(live.step.title): not yet, \(source) has no control plane; run apply --secrets-only again once the controller installed it")
                    return false
                }
                return true
            default: return false
            }
        }
    }

    private func ask(_ question: String) -> Bool {
        print(question + " [y/N] ", terminator: "")
        fflush(nil)
        let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        return answer == "y" || answer == "yes"
    }

    /// Render first, in-process: the trust steps' `meshscript render` and every file the cluster
    /// steps read. Render is idempotent, so it also runs on a resumed apply.
    func renderWorkDirectory(_ mesh: CheckedMesh) throws {
        let progress = Progress()
        do {
            let summary = try mesh.render {
                progress.begin($0.progressText)
            }
            progress.clear()
            for remark in summary.remarks { print(remark) }
            print("rendered \(out): " + summary.counts)
        } catch {
            progress.clear()
            printRenderFailure(error)
            var stderr = StandardError()
            print("apply stopped before any cluster step: render failed", to: &stderr)
            throw Exit.scriptErrors
        }
    }
}
