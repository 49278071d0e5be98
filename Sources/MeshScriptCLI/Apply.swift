// `meshscript apply`: look at the clusters, plan against what is there, render, then run only
// the steps that change something, one primary at a time.
import Foundation
import MeshCommandLine
import MeshScript

struct Apply: MeshSubcommand {
    static let name = "apply"

    static let declaration = CommandDeclaration(
        name: name,
        abstract: "Read the clusters, then carry out only the steps that change them: render the work directory, then run kubectl and istioctl.",
        discussion: """
            Validates the script (exit 65 on errors) and the kubeconfig, then reads every cluster (as `status` does). \
            Nothing is changed unless every cluster could be read and every cluster's live cacerts trusts the work \
            directory's root; otherwise apply stops before any write (exit 69) and says how to recover. \
            It then renders into --out and runs the steps the live plan marks create, update, replace or delete, \
            skipping those with no change: `istioctl install` runs only where istiod is absent or was installed \
            with another meshID, cluster name or network. Deletes (remote secrets and gateways the script no longer \
            describes) run only with --prune, or after a second confirmation on a terminal. A cacerts secret holding \
            another intermediate of the same root is reported and left as it is; --rotate C issues a new \
            intermediate for C and replaces C's cacerts (restarting istiod where the release reads cacerts only at start). \
            Every finished step is recorded in WORK_DIR/apply-journal.json: after a failure (exit 70) resume with \
            --resume, or start at a step with --from-step N. On a terminal apply shows the live plan and asks first; \
            otherwise pass --yes (or --dry-run), or it exits 64. Declining exits 1 and changes nothing. \
            Another render or apply into the same work directory stops it with exit 75 (--wait-lock waits). \
            Ctrl-C stops the running command and exits 130.
            """,
        arguments: [
            .positional("file", help: "The .mesh script."),
            .option("out", help: "The work directory to render into and apply from (the seed's WORK_DIR).", required: true, completion: .directory),
            .flag("dry-run", help: "Read the clusters and print the live plan; write nothing and change nothing."),
            .option("from-step", valueName: "N", help: "Start at this step; earlier steps are taken as done."),
            .flag("resume", help: "Continue after the last step the journal records as finished; refused when the plan changed."),
            .flag("prune", help: "Also run the deletes: remote secrets and gateways the script no longer describes."),
            .flag("secrets-only", help: "Run only the steps that put secrets into the clusters (istio-system, cacerts, remote secrets): the part of a GitOps tree that is not in git."),
            .repeatableOption("rotate", valueName: "CLUSTER", help: "Issue a new intermediate CA for this cluster and replace its cacerts (repeatable)."),
            .flag("yes", short: "y", help: "Do not ask for confirmation (required when stdin is not a terminal)."),
        ] + LockOptions.arguments + ReadOptions.arguments + KubeconfigOptions.arguments + LimitOptions.arguments)

    var file: String
    var out: String
    var dryRun: Bool
    var fromStep: Int?
    var resume: Bool
    var prune: Bool
    var secretsOnly: Bool
    var rotate: [String]
    var yes: Bool
    var lockOptions: LockOptions
    var readOptions: ReadOptions
    var kubeconfigOptions: KubeconfigOptions
    var limitOptions: LimitOptions

    init(_ arguments: ParsedArguments) throws(UsageError) {
        file = arguments.required("file")
        out = arguments.required("out")
        dryRun = arguments.flag("dry-run")
        fromStep = try arguments.integer("from-step")
        resume = arguments.flag("resume")
        prune = arguments.flag("prune")
        secretsOnly = arguments.flag("secrets-only")
        rotate = arguments.values("rotate")
        yes = arguments.flag("yes")
        lockOptions = LockOptions(arguments)
        readOptions = try ReadOptions(arguments)
        kubeconfigOptions = KubeconfigOptions(arguments)
        limitOptions = try LimitOptions(arguments)
        try validate()
    }

    func validate() throws(UsageError) {
        if resume && fromStep != nil { throw UsageError("--resume and --from-step are two ways to say where to start: give one") }
        if secretsOnly && prune { throw UsageError("--secrets-only runs no delete: drop --prune") }
    }

    func run() throws {
        var stderr = StandardError()
        let interactive = isatty(0) == 1
        if !yes && !dryRun && !interactive {
            print("error: apply changes clusters and stdin is not a terminal to confirm it; pass --yes to apply, or --dry-run to see what would run", to: &stderr)
            throw ExitCode(64)
        }
        let mesh = try checkScript(file, options)
        let plan = mesh.plan
        guard !plan.steps.isEmpty else {
            print("nothing to apply: no cluster has trust, install or discover")
            return
        }
        try mesh.checkRotate(rotate, file: file)
        let firstStep = try startingStep(plan)

        // One apply (or render) at a time into this work directory, from the reading of the
        // clusters to the last step.
        let lock = dryRun ? nil : try lockWorkDirectory(out, options: lockOptions)
        defer { withExtendedLifetime(lock) {} }
        // Look before changing anything: every cluster read, every root the same.
        let states = try observeClusters(mesh, timeout: readOptions.timeout)
        let confirmed = mesh.live(states)
        try refuseUnsafe(confirmed)
        if dryRun {
            print("dry run: nothing is written and nothing is run")
            print(confirmed.text, terminator: "")
            if secretsOnly {
                let steps = secretSteps(confirmed.pending, live: confirmed).map { String($0.step.number) }
                print("--secrets-only runs \(steps.isEmpty ? "no step" : "steps " + steps.joined(separator: ", "))")
            }
            return
        }
        let chosen = try choose(confirmed, from: firstStep)
        guard !chosen.isEmpty else {
            print("nothing to apply: the clusters are as the script describes them (\(confirmed.summary))")
            return
        }
        try renderWorkDirectory(mesh)
        // The rendered intermediates decide the cacerts marks; run what was confirmed.
        let rendered = mesh.live(states)
        try refuseUnsafe(rendered)
        let steps = rendered.steps.filter { chosen.contains($0.step.number) || $0.change == .local }
        try runSteps(steps, plan: plan, firstStep: firstStep, environment: mesh.options.environment)
        print("applied \(steps.filter { $0.change.runs }.count) change\(steps.filter { $0.change.runs }.count == 1 ? "" : "s"): mesh '\(plan.mesh)' is as the script describes it (\(rendered.summary) before this run)")
        print("check: meshscript status \(Plan.Command([file]).displayString) --out \(Plan.Command([out]).displayString) --verify")
    }
}
