// What tools print is shown to the user and may end up in CI logs. A tool that echoes its input
// (a failing `kubectl apply -f -` quoting the remote secret it was given) could print a token or
// a key: everything apply shows of a tool's output goes through `Redaction.redact` first.
import Foundation

/// Strips tokens, passwords and private keys from tool output before apply shows it.
public enum Redaction {
    /// What a redacted value is replaced with.
    public static let marker = "[redacted]"

    /// Patterns for secrets in tool output, each with the part to keep (capture group 1, or none).
    private static let patterns: [(NSRegularExpression, keepsPrefix: Bool)] = [
        // A PEM private key block, whole.
        (#"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"#, false),
        // A JSON Web Token (service-account tokens are JWTs).
        (#"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"#, false),
        // `token: X`, `"token": "X"`, `password=X`, `client-key-data: X`, `ca-key.pem: X`, a bearer header.
        (#"((?:token|password|secret|client-key-data|ca-key\.pem|tls\.key|Bearer)["']?\s*[:=]?\s*["']?)[^\s"',}]+"#, true),
    ].map { (try! NSRegularExpression(pattern: $0.0, options: [.caseInsensitive]), $0.1) }

    /// `text` with every token, password and private key replaced by `marker`.
    public static func redact(_ text: String) -> String {
        var result = text
        for (pattern, keepsPrefix) in patterns {
            let range = NSRange(result.startIndex..., in: result)
            result = pattern.stringByReplacingMatches(in: result, range: range, withTemplate: keepsPrefix ? "$1" + marker : marker)
        }
        return result
    }
}
