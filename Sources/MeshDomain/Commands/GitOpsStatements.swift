// `gitops repo "URL" [path "DIR"] [revision "BRANCH"]` and `secrets apply | external store "S"`
// in the mesh block: where a GitOps tree lives and how its clusters get their secrets. Each
// value is checked here, at the word that is wrong, since it ends up in a controller's object.
import MeshKube
import MeshScriptInterpreter

enum GitOpsStatements {
    static func gitops(_ call: CommandInvocation, builder: TopologyBuilder) throws {
        let index = builder.currentMesh!
        if let earlier = builder.topology.meshes[index].gitops {
            throw CommandError("'gitops' is given twice in this mesh", at: call.statementRange, notes: [.init("first given here", at: earlier.statement)])
        }
        let repository = try checked(call.options["repo"]![0], as: "repository URL", isValid: isRepositoryURL,
                                     help: "give the URL Argo CD or Flux clones, such as repo \"https://git.example.com/platform/fleet.git\" or \"ssh://git@git.example.com/fleet.git\"")
        let path = try call.options["path"].map {
            try checked($0[0], as: "path", isValid: isRepositoryPath, help: "a directory inside the repository, relative, without '..': path \"meshes/prod\"")
        }
        let revision = try call.options["revision"].map {
            try checked($0[0], as: "revision", isValid: isRevision, help: "a branch or tag name: revision \"main\"")
        }
        builder.topology.meshes[index].gitops = GitOpsDeclaration(repository: repository, path: path, revision: revision, statement: call.statementRange)
    }

    static func secrets(_ call: CommandInvocation, builder: TopologyBuilder) throws {
        let index = builder.currentMesh!
        if let earlier = builder.topology.meshes[index].secrets {
            throw CommandError("'secrets' is given twice in this mesh", at: call.statementRange, notes: [.init("first given here", at: earlier.range)])
        }
        guard let external = call.options["external"] else {
            builder.topology.meshes[index].secrets = Located(.apply, call.statementRange)
            return
        }
        guard external[0].string == "store" else {
            throw CommandError("expected 'store' after 'external', got '\(external[0].string ?? external[0].value.text)'", at: external[0].range,
                               help: "name the ClusterSecretStore the ExternalSecrets read: secrets external store \"vault-backend\"")
        }
        let store = try checked(external[1], as: "secret store name", isValid: DNSLabel.isValidSubdomain,
                                help: "a ClusterSecretStore's name: lowercase letters, digits, '-' and '.'")
        builder.topology.meshes[index].secrets = Located(.externalSecrets(store: store.value), call.statementRange)
    }

    private static func checked(_ argument: CommandArgument, as what: String, isValid: (String) -> Bool, help: String) throws -> Located<String> {
        let text = argument.string ?? argument.value.text
        guard isValid(text) else { throw CommandError("'\(text)' is not a valid \(what)", at: argument.range, help: help) }
        return Located(text, argument.range)
    }

    /// No whitespace, quote, backslash, template brace or control character: the text goes
    /// into YAML and into Argo CD's Go templates as it is.
    private static func isPlain(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !"\"'\\{}`".unicodeScalars.contains($0) }
    }

    static func isRepositoryURL(_ text: String) -> Bool {
        isPlain(text) && ["https://", "http://", "ssh://", "git@"].contains { text.hasPrefix($0) && text.count > $0.count }
    }

    static func isRepositoryPath(_ text: String) -> Bool {
        isPlain(text) && !text.hasPrefix("/") && !text.hasSuffix("/") && !text.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0.isEmpty || $0 == "." }
    }

    static func isRevision(_ text: String) -> Bool {
        isPlain(text) && !text.hasPrefix("-") && !text.contains("..")
    }
}
