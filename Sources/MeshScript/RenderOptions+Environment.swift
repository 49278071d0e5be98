// How a host process (the CLI, the REPL) fills in RenderOptions: the kubeconfig pre-flight's
// home is $HOME from the given environment, else the account's home directory.
import Foundation
import MeshRender

extension RenderOptions {
    /// Options for a host process: the kubeconfig pre-flight's home directory is `environment["HOME"]`,
    /// else the account's home directory.
    public init(workDirectory: String, scriptPath: String, rotate: Set<String> = [], environment: [String: String]) {
        self.init(workDirectory: workDirectory, scriptPath: scriptPath, rotate: rotate, environment: environment,
                  home: environment["HOME"] ?? NSHomeDirectory())
    }
}
