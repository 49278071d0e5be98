// `meshscript render`: the work directory, with a progress line on a terminal.
import ArgumentParser
import Foundation
import MeshScript

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the mesh's artifacts into a work directory: CA certificates, cacerts secrets, IstioOperator files, remote secrets, plan.json.",
        discussion: """
            The layout is the seed's ${WORK_DIR}: root-cert.pem and root-key.pem at the top, and per cluster \
            ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem, cacerts-secret.yaml and install.yaml. \
            Keys are written with mode 0600, atomically. An existing root is reused and never replaced; an existing \
            intermediate is reused when it still verifies against the root, otherwise render stops unless you pass \
            --rotate for that cluster. Running render again changes nothing that is already right.
            """)

    @ArgumentParser.Argument(help: "The .mesh script.")
    var file: String

    @Option(name: .long, help: "The work directory to write (created when missing).")
    var out: String

    @Option(name: .long, help: ArgumentHelp("Re-issue this cluster's intermediate CA (repeatable).", valueName: "cluster"))
    var rotate: [String] = []

    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false

    @OptionGroup var kubeconfigOptions: KubeconfigOptions

    @OptionGroup var limitOptions: LimitOptions

    func run() throws {
        let engine = try loadValidated(file, limits: limitOptions.limits)
        let topology = engine.topology
        for name in rotate where topology.cluster(named: name) == nil {
            throw ValidationError("--rotate \(name): no cluster named '\(name)' in \(file)")
        }
        let options = renderOptions(file, out: out, rotate: rotate, kubeconfig: kubeconfigOptions.kubeconfig)
        // Pre-flight errors stop here (render itself would refuse them as `.diagnostics`).
        let credentials = try preflight(engine, options: options)
        let progress = ProgressLine(enabled: Terminal.standardErrorIsTerminal && !quiet)
        let summary: RenderSummary
        do {
            summary = try MeshRenderer.render(topology, options: options, credentials: credentials) { event in progress.show(event) }
        } catch {
            progress.finish()
            printRenderFailure(error)
            if case .trust = error {
                var stderr = StandardError()
                print("render stopped; no file was half-written", to: &stderr)
            }
            throw Exit.scriptErrors
        }
        progress.finish()
        guard !quiet else { return }
        if let trust = summary.trust {
            print("root CA: \(trust.rootCertificate) (SHA-256 \(trust.rootFingerprint))")
        }
        for remark in summary.remarks { print(remark) }
        let offline = credentials.offlineSecrets.count
        let links = summary.plan.links.count
        if links > 0 {
            print("remote secrets: \(offline) of \(links) written from kubeconfig\(offline < links ? "; the plan creates the others with istioctl" : "")")
        }
        print("wrote \(out): " + summary.counts)
        print("next: meshscript plan \(file) --out \(out)")
    }
}

/// One self-overwriting status line on a terminal (stderr); silent otherwise.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ event: RenderEvent) {
        guard enabled else { return }
        let text: String
        switch event {
        case .trust(.generatingRoot(let key)): text = "generating the root CA key (\(key))"
        case .trust(.issuingIntermediates(let total)): text = "issuing \(total) intermediate CA\(total == 1 ? "" : "s")"
        case .trust(.issuedIntermediate(let cluster, let completed, let total)): text = "intermediate CAs \(completed)/\(total) (\(cluster))"
        case .trust(.wroteFile(_, let completed, let total)): text = "writing certificates \(completed)/\(total)"
        case .wroteManifest(let path): text = "wrote \(path)"
        }
        lock.withLock {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
            shown = true
        }
    }

    func finish() {
        lock.withLock {
            if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            shown = false
        }
    }
}
