// Names become Kubernetes object names, secret keys and directory names, so they must be
// DNS-1123 labels.

public enum DNSLabel {
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard alnum(bytes.first!), alnum(bytes.last!) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
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
