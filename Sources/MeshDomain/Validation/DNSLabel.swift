// Names become Kubernetes object names, secret keys and directory names, so they must be
// DNS-1123 labels.

/// DNS-1123 labels: names become Kubernetes object names, secret keys and directory names.
public enum DNSLabel {
    /// Whether `name` is a DNS-1123 label: 1-63 lowercase letters, digits and '-', starting and ending alphanumeric.
    public static func isValid(_ name: String) -> Bool {
        // The bytes read in place: validation asks once for each name a script declares.
        let bytes = name.utf8
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard alnum(first), alnum(last) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// Whether `name` is a DNS-1123 subdomain (most Kubernetes object names): labels joined by '.', at most 253 characters.
    public static func isValidSubdomain(_ name: String) -> Bool {
        name.utf8.count <= 253 && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isValid(String($0)) }
    }

    /// The nearest valid label: `Cluster_1` becomes `cluster-1`.
    public static func suggestion(for name: String) -> String? {
        var out = ""
        for scalar in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else if !out.hasSuffix("-") {
                out += "-"
            }
        }
        while out.hasPrefix("-") { out.removeFirst() }
        out = String(out.prefix(63))
        while out.hasSuffix("-") { out.removeLast() }
        return isValid(out) ? out : nil
    }
}
