// Istio's certificate profiles (tools/certs/common.mk: root-ca.conf and intermediate.conf),
// as the spec fixes them. Both RootCA and IntermediateCA build their certificates from here,
// and the inspections compare existing files against the same definitions.

import Foundation
import SwiftASN1
import X509

enum IstioProfile {
    static let intermediateOrganization = "Istio"
    static let intermediateCommonName = "Intermediate CA"
    /// istiod serves its CA endpoints under this name; Istio puts it in every intermediate.
    static let istiodDNSName = "istiod.istio-system.svc"

    /// notBefore is set this far before `now`, so that a cluster whose clock runs slightly
    /// behind the machine that rendered the certificates does not see them as not yet valid.
    /// The validity span (notAfter - notBefore) is still exactly the requested number of days.
    static let clockSkewAllowance: TimeInterval = 60

    static let secondsPerDay: TimeInterval = 86_400

    /// Identical for root and intermediate (Istio uses one keyUsage line in both configs).
    static let caKeyUsage = KeyUsage(digitalSignature: true, nonRepudiation: true, keyEncipherment: true, keyCertSign: true)

    static func rootSubject(organization: String, commonName: String) throws -> DistinguishedName {
        // O then CN, as in root-ca.conf's [req_dn].
        try DistinguishedName {
            OrganizationName(organization)
            CommonName(commonName)
        }
    }

    static func intermediateSubject(cluster: String) throws -> DistinguishedName {
        try DistinguishedName {
            OrganizationName(intermediateOrganization)
            CommonName(intermediateCommonName)
            LocalityName(cluster)
        }
    }

    /// The attribute list of an intermediate's subject, for comparing with an existing
    /// certificate regardless of how its strings were encoded (UTF8String vs PrintableString).
    static func intermediateSubjectAttributes(cluster: String) -> [NameAttribute] {
        [
            NameAttribute(type: .RDNAttributeType.organizationName, value: intermediateOrganization),
            NameAttribute(type: .RDNAttributeType.commonName, value: intermediateCommonName),
            NameAttribute(type: .RDNAttributeType.localityName, value: cluster),
        ]
    }

    static func attributes(of name: DistinguishedName) -> [NameAttribute] {
        name.flatMap { rdn in rdn.map { NameAttribute(type: $0.type, value: $0.value.description) } }
    }

    /// Validity window starting at `now` (whole seconds, since X.509 times have no fractions).
    static func validity(now: Date, days: Int) -> (notBefore: Date, notAfter: Date) {
        let notBefore = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down) - clockSkewAllowance)
        return (notBefore, notBefore.addingTimeInterval(TimeInterval(days) * secondsPerDay))
    }

    /// A random, positive, 20-byte serial number. The top byte is forced into 0x40...0x7F so the
    /// DER INTEGER is always exactly 20 bytes (no sign padding, no leading zero trimmed).
    static func randomSerialNumber() -> Certificate.SerialNumber {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        bytes[0] = (bytes[0] & 0x3F) | 0x40
        return Certificate.SerialNumber(bytes: bytes)
    }
}

struct NameAttribute: Hashable, CustomStringConvertible {
    var type: ASN1ObjectIdentifier
    var value: String

    var description: String {
        let short: String =
            switch type {
            case .RDNAttributeType.organizationName: "O"
            case .RDNAttributeType.commonName: "CN"
            case .RDNAttributeType.localityName: "L"
            default: type.description
            }
        return "\(short)=\(value)"
    }
}

extension Array where Element == NameAttribute {
    var distinguishedNameText: String { map(\.description).joined(separator: ", ") }
}
