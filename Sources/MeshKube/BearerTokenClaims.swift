// What a bearer token says about itself when it is a JWT (Kubernetes service-account tokens,
// OIDC ID tokens): whose it is and when it expires. The payload is decoded without checking
// the signature: the claims only decide warnings and whether the token is the reader
// account's, never whom to trust.
import Foundation

/// The claims of a JWT bearer token that matter to a remote secret.
public struct BearerTokenClaims: Sendable, Hashable {
    /// Tokens whose whole lifetime is at most this (24 hours) are short-lived: `kubectl create
    /// token` (1 hour by default), projected service-account tokens (1 hour) and cloud exec
    /// plugins (about 1 hour) mint them for one session. Nothing renews a token inside a remote
    /// secret, so istiod in the other clusters loses the API server within that day.
    public static let shortLifetime: TimeInterval = 24 * 3600

    /// `sub`: for a service account, `system:serviceaccount:NAMESPACE:NAME`.
    public var subject: String?
    /// `iat`.
    public var issuedAt: Date?
    /// `exp`; nil for tokens that never expire (a legacy token Secret's).
    public var expiresAt: Date?

    /// The claims of `token`, or nil when it is not a JWT (three base64url parts, the middle
    /// one a JSON object).
    public init?(token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Self.base64URLDecoded(parts[1]),
              let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any] else { return nil }
        subject = object["sub"] as? String
        issuedAt = (object["iat"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) }
        expiresAt = (object["exp"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) }
    }

    /// True when the token is Istio's reader service account's (``ReaderAccount/subject``).
    public var isReaderAccount: Bool { subject == ReaderAccount.subject }

    /// Why the token is a poor thing to hand to other clusters at `now`: expired, or
    /// short-lived (``shortLifetime``); nil when it does not expire or lives long.
    public func lifetimeProblem(now: Date) -> String? {
        guard let expiresAt else { return nil }
        let when = Self.format(expiresAt)
        if expiresAt <= now { return "expired at \(when)" }
        let lifetime = expiresAt.timeIntervalSince(issuedAt ?? now)
        guard lifetime <= Self.shortLifetime else { return nil }
        let hours = max(1, Int((lifetime / 3600).rounded()))
        return "is short-lived: it expires at \(when), \(hours) hour\(hours == 1 ? "" : "s") after it was issued, and nothing renews a token in a remote secret"
    }

    /// RFC 3339 in UTC, to the second.
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// base64url without padding (RFC 7515), as JWT parts are written.
    static func base64URLDecoded(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
