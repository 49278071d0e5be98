// The API server address a remote secret carries: the one address every other cluster's
// istiod dials. One model of it serves both the script's `server` statement (validation)
// and the kubeconfig's `server:` field (pre-flight), so both refuse the same addresses.

import Foundation

/// Just enough of a URL to judge an API server address (scheme and host) and to tell whether
/// two addresses name the same API server (``normalized``).
public struct APIServerAddress: Sendable, Hashable {
    /// Why peers cannot dial an address.
    public enum Problem: Sendable, Hashable {
        /// No address at all.
        case empty
        /// No host between `https://` and the port or path (`https://:6443`).
        case noHost
        /// `127.0.0.0/8`, `localhost` (and `*.localhost`, `localhost.`), `::1` in any spelling,
        /// IPv4-mapped loopback (`::ffff:127.0.0.1`), and the unspecified `0.0.0.0` / `::`.
        case loopback
        /// istiod talks to API servers over TLS only.
        case notHTTPS
    }

    /// Lowercased; nil when the address has no `scheme://`.
    public var scheme: String?
    /// Lowercased, without IPv6 brackets; empty when there is none.
    public var host: String
    /// The port as written; nil when the address gives none (``normalized`` fills in the scheme's).
    public var port: Int?
    /// The path after the authority (`/k8s/clusters/c-1` behind a proxy), "" when there is none.
    public var path: String = ""
    /// The address exactly as written.
    public let text: String

    /// Parses `text`; never fails (``problem`` says what is wrong with it).
    public init(_ text: String) {
        self.text = text
        var rest = Substring(text)
        if let range = rest.range(of: "://") {
            scheme = rest[..<range.lowerBound].lowercased()
            rest = rest[range.upperBound...]
        }
        // A bare IPv6 address (`::1`) has no scheme, port or path to strip.
        if scheme == nil, rest.contains("::") || rest.filter({ $0 == ":" }).count > 1, !rest.hasPrefix("[") {
            host = String(rest).lowercased()
            return
        }
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        path = String(rest[authority.endIndex...].prefix { $0 != "?" && $0 != "#" })
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let portText: Substring
        if authority.hasPrefix("[") {
            host = String(authority.dropFirst().prefix { $0 != "]" }).lowercased()
            portText = authority.drop { $0 != "]" }.dropFirst()
        } else {
            host = String(authority.prefix { $0 != ":" }).lowercased()
            portText = authority.drop { $0 != ":" }
        }
        port = portText.hasPrefix(":") ? Int(portText.dropFirst()) : nil
    }

    /// The address in one spelling, for telling whether two kubeconfig entries reach the same
    /// API server: the scheme (https when none is written, as kubectl assumes with TLS), the
    /// lowercased host, the port (the scheme's default, 443 or 80, filled in) and the path
    /// without a trailing slash. Nil when there is no host to compare.
    public var normalized: String? {
        guard !host.isEmpty else { return nil }
        let scheme = scheme ?? "https"
        let port = port ?? (scheme == "http" ? 80 : 443)
        var path = path
        while path.hasSuffix("/") { path.removeLast() }
        return "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)\(path)"
    }

    /// The first reason peers cannot use this address, or nil when they can.
    public var problem: Problem? {
        if text.isEmpty { return .empty }
        if host.isEmpty { return .noHost }
        if isLoopback { return .loopback }
        if scheme != "https" { return .notHTTPS }
        return nil
    }

    /// True for a host only this machine can reach: loopback, `localhost` or the unspecified address.
    public var isLoopback: Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "localhost." { return true }
        var ipv4 = host
        if host.hasPrefix("::ffff:") { ipv4 = String(host.dropFirst("::ffff:".count)) }
        let octets = ipv4.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) {
            return octets[0] == "127" || ipv4 == "0.0.0.0"
        }
        if host.contains(":") {
            // Compare IPv6 by value: ::1, 0:0:0:0:0:0:0:1, and the unspecified ::.
            let groups = Self.expandIPv6(host)
            return groups == [0, 0, 0, 0, 0, 0, 0, 1] || groups == [0, 0, 0, 0, 0, 0, 0, 0]
        }
        return false
    }

    static func expandIPv6(_ text: String) -> [UInt16]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            let values = part.split(separator: ":", omittingEmptySubsequences: false).map { UInt16($0, radix: 16) }
            return values.contains(nil) ? nil : values.compactMap { $0 }
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}
