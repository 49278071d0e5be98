// `render --gitops`: the tree real kubectl builds offline, the Argo CD and Flux objects checked
// against their CRDs' schemas (scripts/testing/gitops-schemas.json, with Argo CD's template
// expanded per element), the order trust < install < discovery, no secret anywhere in the tree,
// and a reviewable diff when a cluster is added or removed.
import Foundation
import MeshScript
import MeshTestSupport
import Testing
import Yams

@Suite struct GitOpsTests {
    /// Three primaries: alpha and beta on net1, gamma on net2 (so alpha and gamma get the
    /// east-west gateway chart and the cross-network Gateway).
    static func script(secrets: String = "secrets external store \"vault-backend\"", clusters: Int = 3, head: String = "") -> String {
        var text = """
            \(head)mesh fleet < istio "1.28"; gitops repo "https://git.example.com/platform/fleet.git" path "meshes/fleet" revision "prod"; \(secrets) >
            network net1
            network net2
            root root < key ecdsa p256 >
            cluster alpha < trust from root; install network net1 >
            cluster beta < trust from root; install network net1; discover with alpha >

            """
        if clusters == 3 { text += "cluster gamma < trust from root; install network net2; discover with alpha >\n" }
        return text
    }

    func rendered(_ script: String, _ controller: GitOpsController, in scratch: Scratch? = nil, environment: [String: String] = [:],
                  sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Prepared {
        var prepared = try prepare(script, in: try scratch ?? Scratch(), environment: environment, sourceLocation: sourceLocation)
        prepared.options.gitops = controller
        try prepared.rendered(sourceLocation: sourceLocation)
        return prepared
    }

    /// Runs scripts/testing/validate-gitops.py on the tree; the Applications Argo CD would make.
    func validate(_ tree: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [String: [String: Any]] {
        let script = packageRoot.appendingPathComponent("scripts/testing/validate-gitops.py").path
        let run = try runProcess("/usr/bin/env", ["python3", script, tree])
        #expect(run.status == 0, "the tree does not match the controllers' schemas:\n\(run.stderr)", sourceLocation: sourceLocation)
        var applications: [String: [String: Any]] = [:]
        for line in run.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], sourceLocation: sourceLocation)
            applications[object["cluster"] as! String] = object["application"] as? [String: Any]
        }
        return applications
    }

    /// `kubectl kustomize DIR` with the real kubectl, offline: the objects it builds.
    func kustomize(_ directory: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [Node] {
        let kubectl = try #require(RealKubectl.path, Comment(rawValue: RealKubectl.absence ?? ""), sourceLocation: sourceLocation)
        let run = try runProcess(kubectl, ["kustomize", directory])
        #expect(run.status == 0, "kubectl kustomize \(directory): \(run.stderr)", sourceLocation: sourceLocation)
        return try Array(Yams.compose_all(yaml: run.stdout)).compactMap { $0 }
    }

    func wave(_ object: Node) -> String? { object.at("metadata", "annotations", "argocd.argoproj.io/sync-wave")?.string }

    @Test func argoCDTreeBuildsOfflineAndMatchesTheSchemas() throws {
        let prepared = try rendered(Self.script(), .argocd)
        let tree = prepared.layout.gitOps
        let applications = try validate(tree)
        #expect(applications.keys.sorted() == ["alpha", "beta", "gamma"])
        for cluster in ["alpha", "beta", "gamma"] {
            let objects = try kustomize("\(tree)/clusters/\(cluster)")
            // Trust (the namespace and cacerts) before the charts (wave 0), discovery after.
            let kinds = objects.map { "\($0["kind"]?.string ?? "")/\($0.at("metadata", "name")?.string ?? "")=\(wave($0) ?? "0")" }
            #expect(kinds.contains("Namespace/istio-system=-1") && kinds.contains("ExternalSecret/cacerts=-1"), "\(kinds)")
            #expect(kinds.filter { $0.hasSuffix("=1") }.allSatisfy { $0.hasPrefix("ExternalSecret/istio-remote-secret-") || $0.hasPrefix("Gateway/") }, "\(kinds)")
            let application = try #require(applications[cluster])
            let sources = try #require((application["spec"] as? [String: Any])?["sources"] as? [[String: Any]])
            #expect(sources.first?["path"] as? String == "meshes/fleet/clusters/\(cluster)")
            #expect(sources.allSatisfy { $0["targetRevision"] as? String == ($0["chart"] == nil ? "prod" : "~1.28.0") })
            let charts = sources.compactMap { $0["chart"] as? String }
            #expect(charts == (cluster == "beta" ? ["base", "istiod"] : ["base", "istiod", "gateway"]), "\(cluster): \(charts)")
            for source in sources where source["chart"] != nil {
                let helm = try #require(source["helm"] as? [String: Any])
                let file = try #require((helm["valueFiles"] as? [String])?.first)
                #expect(file.hasPrefix("$values/meshes/fleet/clusters/\(cluster)/helm/"))
                // The values file Argo CD reads is in the tree, and it is the one render writes for helm.
                #expect(exists(tree + "/" + file.dropFirst("$values/meshes/fleet/".count)))
            }
        }
        let remoteSecrets = try kustomize("\(tree)/clusters/alpha").filter { $0["kind"]?.string == "ExternalSecret" && $0.at("metadata", "name")?.string != "cacerts" }
        #expect(remoteSecrets.map { $0.at("metadata", "name")?.string } == ["istio-remote-secret-beta", "istio-remote-secret-gamma"])
        #expect(remoteSecrets.first?.at("spec", "target", "template", "metadata", "labels", "istio/multiCluster")?.string == "true")
        #expect(remoteSecrets.first?.at("spec", "data", 0, "secretKey")?.string == "beta")
    }

    /// RollingSync: one step per cluster, in the script's order, each matching exactly one Application.
    @Test func argoCDRollsOutOnePrimaryAtATime() throws {
        let prepared = try rendered(Self.script(), .argocd)
        let applications = try validate(prepared.layout.gitOps)
        let appset = try #require(yamlFile(prepared.layout.gitOps + "/argocd/applicationset.yaml"))
        #expect(appset.at("spec", "strategy", "type")?.string == "RollingSync")
        let steps = try #require(appset.at("spec", "strategy", "rollingSync", "steps")?.sequence)
        let matched = steps.map { step in
            let values = step.at("matchExpressions", 0, "values")?.sequence?.compactMap(\.string) ?? []
            return applications.filter { values.contains((($0.value["metadata"] as? [String: Any])?["labels"] as? [String: String])?[step.at("matchExpressions", 0, "key")?.string ?? ""] ?? "") }.keys.sorted()
        }
        #expect(matched == [["alpha"], ["beta"], ["gamma"]])
    }

    @Test func fluxOrdersTrustInstallDiscoveryAndOnePrimaryAtATime() throws {
        let prepared = try rendered(Self.script(), .flux)
        let tree = prepared.layout.gitOps
        _ = try validate(tree)
        let objects = try kustomize(tree + "/flux")
        func dependsOn(_ name: String) -> [String] {
            guard let object = objects.first(where: { $0.at("metadata", "name")?.string == name }) else { return ["<missing \(name)>"] }
            return object.at("spec", "dependsOn")?.sequence?.compactMap { $0["name"]?.string } ?? []
        }
        #expect(dependsOn("fleet-alpha-trust") == [])
        #expect(dependsOn("fleet-alpha-install") == ["fleet-alpha-trust"])
        #expect(dependsOn("fleet-alpha-discovery") == ["fleet-alpha-install"])
        #expect(dependsOn("fleet-beta-trust") == ["fleet-alpha-install"])
        #expect(dependsOn("fleet-gamma-trust") == ["fleet-beta-install"])
        let trust = try #require(objects.first { $0.at("metadata", "name")?.string == "fleet-gamma-trust" })
        #expect(trust.at("spec", "path")?.string == "./meshes/fleet/clusters/gamma/trust")
        #expect(trust.at("spec", "kubeConfig", "secretRef", "name")?.string == "gamma-kubeconfig")
        let source = try #require(objects.first { $0["kind"]?.string == "GitRepository" })
        #expect(source.at("spec", "url")?.string == "https://git.example.com/platform/fleet.git" && source.at("spec", "ref", "branch")?.string == "prod")
        // Each chart after the one before, with the values render writes for helm.
        let releases = try kustomize(tree + "/flux/releases/gamma")
        #expect(releases.map { $0.at("metadata", "name")?.string ?? "" } == ["gamma-istio-base", "gamma-istio-eastwestgateway", "gamma-istiod"])
        func release(_ name: String) throws -> Node { try #require(releases.first { $0.at("metadata", "name")?.string == name }) }
        #expect(try release("gamma-istiod").at("spec", "dependsOn", 0, "name")?.string == "gamma-istio-base")
        #expect(try release("gamma-istio-eastwestgateway").at("spec", "dependsOn", 0, "name")?.string == "gamma-istiod")
        #expect(try release("gamma-istiod").at("spec", "values", "global", "network")?.string == "net2")
        #expect(try release("gamma-istiod").at("spec", "chart", "spec", "version")?.string == "~1.28.0")
        let values = try #require(yamlFile(tree + "/clusters/gamma/helm/istiod-values.yaml"))
        #expect(try release("gamma-istiod").at("spec", "values") == values)
    }

    /// Whatever the controller and the secret delivery, with offline remote secrets and keys in
    /// the work directory: no key, certificate or token is in the tree.
    @Test(arguments: [GitOpsController.argocd, .flux])
    func noSecretIsInTheTree(controller: GitOpsController) throws {
        for secrets in ["secrets apply", "secrets external store \"vault-backend\""] {
            let scratch = try Scratch()
            let contexts = ["alpha", "beta", "gamma"].map { KubeContext(name: $0, server: "https://\($0).example.test:6443", auth: .token(KubeContext.reader("tok-\($0)-9f8e7d"))) }
            let kubeconfig = try scratch.write("config.yaml", KubeContext.yaml(contexts))
            let prepared = try rendered(Self.script(secrets: secrets), controller, in: scratch, environment: ["KUBECONFIG": kubeconfig])
            #expect(!prepared.credentials.offlineSecrets.isEmpty, "the work directory must hold remote secrets for this test to mean anything")
            let tree = prepared.layout.gitOps
            let files = try FileManager.default.subpathsOfDirectory(atPath: tree).filter { !isDirectory(tree + "/" + $0) }
            #expect(files.count > 10)
            for file in files {
                let text = read(tree + "/" + file)
                #expect(!text.contains("PRIVATE KEY") && !text.contains("BEGIN CERTIFICATE") && !text.contains("tok-"), "\(secrets): \(file)")
                #expect(!text.contains("kind: Secret\n"), "\(secrets): \(file)")
            }
            #expect(files.contains { $0.hasSuffix("externalsecret.yaml") } == secrets.contains("external"))
            #expect(read(tree + "/.gitignore").contains("*.pem\n"))
        }
    }

    /// Adding a cluster touches its own files, its peers' discovery and the controller's list;
    /// removing it again removes exactly those files, and the directories they leave empty.
    @Test(arguments: [GitOpsController.argocd, .flux])
    func addingAndRemovingAClusterIsAReviewableDiff(controller: GitOpsController) throws {
        let scratch = try Scratch()
        let two = try rendered(Self.script(clusters: 2), controller, in: scratch)
        let before = TreeSnapshot(two.layout.gitOps)
        let three = try rendered(Self.script(clusters: 3), controller, in: scratch)
        let after = TreeSnapshot(three.layout.gitOps)
        let changed = after.differences(from: before).filter { (after.entries[$0] ?? before.entries[$0]).map { $0.mode & S_IFMT == S_IFREG } == true }
        let list = controller == .argocd ? ["argocd/applicationset.yaml"] : ["flux/mesh.yaml"]
        let expected = Set(after.entries.filter { $0.value.mode & S_IFMT == S_IFREG }.keys.filter { $0.hasPrefix("clusters/gamma") || $0.hasPrefix("flux/releases/gamma") }
                           + list + ["clusters/alpha/discovery/cross-network-gateway.yaml", "clusters/alpha/discovery/kustomization.yaml",
                                     "clusters/alpha/discovery/remote-secret-gamma-externalsecret.yaml", "clusters/alpha/helm/gateway-values.yaml",
                                     "clusters/alpha/trust/istio-system-namespace.yaml"]
                           + (controller == .argocd ? [] : ["flux/releases/alpha/helmreleases.yaml"]))
        #expect(Set(changed) == expected, "\(Set(changed).symmetricDifference(expected).sorted())")
        let back = try rendered(Self.script(clusters: 2), controller, in: scratch)
        let reverted = TreeSnapshot(back.layout.gitOps)
        #expect(Set(reverted.entries.keys) == Set(before.entries.keys), "\(Set(reverted.entries.keys).symmetricDifference(before.entries.keys).sorted())")
        #expect(!exists(back.layout.gitOps + "/clusters/gamma"))
        #expect(reverted.entries.filter { before.entries[$0.key].map(\.data) != $0.value.data }.isEmpty)
    }

    /// A file in the tree render did not write is left alone, even where render removes its own.
    @Test func aFileRenderDidNotWriteIsLeftAlone() throws {
        let scratch = try Scratch()
        let three = try rendered(Self.script(clusters: 3), .argocd, in: scratch)
        let own = try scratch.write("out/gitops/clusters/gamma/NOTES.md", "ours\n")
        _ = try rendered(Self.script(clusters: 2), .argocd, in: scratch)
        #expect(read(own) == "ours\n")
        #expect(!exists(three.layout.gitOps + "/clusters/gamma/kustomization.yaml"))
    }

    /// Ambient multi-network: the cni and ztunnel charts instead of the gateway chart, the
    /// double-HBONE east-west Gateway in discovery, and the release's Gateway API CRDs first
    /// (an Argo CD source; a never-pruned Flux Kustomization the install waits for).
    @Test(arguments: [GitOpsController.argocd, .flux])
    func ambientClustersGetTheirChartsGatewayAndCRDs(controller: GitOpsController) throws {
        let script = """
            mesh fleet < istio "1.28"; gitops repo "https://git.example.com/fleet.git" >
            network net1
            network net2
            root root < key ecdsa p256 >
            cluster alpha < trust from root; install network net1 profile "ambient" >
            cluster beta < trust from root; install network net2 profile "ambient"; discover with alpha >

            """
        let prepared = try rendered(script, controller)
        let tree = prepared.layout.gitOps
        let applications = try validate(tree)
        let objects = try kustomize(tree + "/clusters/beta")
        #expect(objects.map { "\($0["apiVersion"]?.string ?? "")/\($0["kind"]?.string ?? "")=\(wave($0) ?? "0")" }
                == ["v1/Namespace=-1", "gateway.networking.k8s.io/v1/Gateway=1"])
        #expect(exists(tree + "/clusters/beta/helm/ztunnel-values.yaml") && exists(tree + "/clusters/beta/helm/cni-values.yaml"))
        #expect(!exists(tree + "/clusters/beta/helm/gateway-values.yaml"))
        #expect(yamlFile(tree + "/clusters/beta/helm/istiod-values.yaml")?.at("env", "AMBIENT_ENABLE_MULTI_NETWORK")?.string == "true")
        switch controller {
        case .argocd:
            let sources = try #require((applications["beta"]?["spec"] as? [String: Any])?["sources"] as? [[String: Any]])
            #expect(sources.contains { $0["repoURL"] as? String == "https://github.com/kubernetes-sigs/gateway-api" && $0["targetRevision"] as? String == "v1.4.0"
                && $0["path"] as? String == "config/crd" })
            #expect(sources.compactMap { $0["chart"] as? String } == ["base", "istiod", "cni", "ztunnel"])
        case .flux:
            let flux = try kustomize(tree + "/flux")
            let crds = try #require(flux.first { $0.at("metadata", "name")?.string == "fleet-beta-gateway-api" })
            #expect(crds.at("spec", "prune")?.bool == false && crds.at("spec", "sourceRef", "name")?.string == "gateway-api-v1-4-0")
            let install = try #require(flux.first { $0.at("metadata", "name")?.string == "fleet-beta-install" })
            #expect(install.at("spec", "dependsOn")?.sequence?.compactMap { $0["name"]?.string } == ["fleet-beta-trust", "fleet-beta-gateway-api"])
            #expect(flux.contains { $0["kind"]?.string == "GitRepository" && $0.at("spec", "ref", "tag")?.string == "v1.4.0" })
        }
    }

    /// What stops a tree, at the statement responsible.
    @Test func whatATreeCannotHoldIsAnErrorAtItsStatement() throws {
        let noRepository = try prepare("mesh m1\nnetwork n1\ncluster c1 < trust from root; install network n1 >\n", in: try Scratch())
        #expect(MeshRenderer.gitOpsDiagnostics(noRepository.topology, controller: .argocd).map(\.message)
                == ["render --gitops needs the Git repository the controller reads the tree from"])
        let oldRelease = try prepare(Self.script().replacingOccurrences(of: "istio \"1.28\"", with: "istio \"1.11\""), in: try Scratch())
        #expect(MeshRenderer.gitOpsDiagnostics(oldRelease.topology, controller: .argocd).map(\.message).contains { $0.contains("start with Istio 1.12") })
        let remote = try prepare(Self.script() + "cluster delta < install remote of alpha network net1 >\n", in: try Scratch())
        let remoteDiagnostics = MeshRenderer.gitOpsDiagnostics(remote.topology, controller: .flux)
        #expect(remoteDiagnostics.count == 1 && remoteDiagnostics[0].message.contains("cannot hold remote 'delta'"))
        let named = try prepare(Self.script() + "cluster gitops < trust from root; install network net1 >\n", in: try Scratch())
        #expect(MeshRenderer.gitOpsDiagnostics(named.topology, controller: .argocd).map(\.message)
                == ["a cluster named 'gitops' would share WORK_DIR/gitops/ with the GitOps tree"])
        let scp = try prepare(Self.script().replacingOccurrences(of: "https://git.example.com/platform/fleet.git", with: "git@git.example.com:platform/fleet.git"),
                              in: try Scratch())
        #expect(MeshRenderer.gitOpsDiagnostics(scp.topology, controller: .argocd).isEmpty)
        #expect(MeshRenderer.gitOpsDiagnostics(scp.topology, controller: .flux).first?.help?.contains("ssh://git@HOST/ORG/REPO.git") == true)
        // render refuses as the CLI does, writing nothing.
        var refused = remote
        refused.options.gitops = .argocd
        #expect(throws: RenderFailure.self) { try refused.render() }
        #expect(!exists(refused.out))
    }
}

private func isDirectory(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
}
