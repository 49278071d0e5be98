import Testing
@testable import MeshDomain

/// A step's title, note or argument is kept as its parts (`StepText`): a few static literals and
/// up to three values in place, a fourth value joining the third. The planner's own texts have at
/// most three values, so the joining paths are tried here, against Swift's own interpolation.
@Suite struct StepTextTests {
    static let values = ["c1", "n-2", "", "a \"quoted\" value", "x"]

    /// The parts of `text`, one after another, as plan.json writes them.
    static func parts(_ text: StepText) -> String {
        var bytes: [UInt8] = []
        text.forEachUTF8(literal: { bytes += $0 }, value: { bytes += $0 })
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func anyNumberOfValuesJoinsAsAnInterpolatedString() {
        let (a, b, c, d, e) = (Self.values[0], Self.values[1], Self.values[2], Self.values[3], Self.values[4])
        let texts: [(StepText, String)] = [
            ("no value", "no value"),
            ("give \(a) its secret", "give \(a) its secret"),
            ("\(a) and \(b)", "\(a) and \(b)"),
            ("one \(a), two \(b), three \(c).", "one \(a), two \(b), three \(c)."),
            ("one \(a), two \(b), three \(c), four \(d)!", "one \(a), two \(b), three \(c), four \(d)!"),
            ("\(a)\(b)\(c)\(d)\(e)", "\(a)\(b)\(c)\(d)\(e)"),
            ("[\(a)|\(b)|\(c)|\(d)|\(e)]", "[\(a)|\(b)|\(c)|\(d)|\(e)]"),
            (StepText(d), d),
        ]
        for (text, expected) in texts {
            #expect(text.string == expected)
            #expect(Self.parts(text) == expected)
        }
    }

    /// Two literals in a row (an interpolation of an empty value's place never makes one, but
    /// the type allows it): the second goes where a value would, in order.
    @Test func literalsInARowKeepTheirOrder() {
        var interpolation = StepText.Interpolation(literalCapacity: 0, interpolationCount: 0)
        interpolation.appendLiteral("a")
        interpolation.appendLiteral("b")
        interpolation.appendInterpolation("C")
        interpolation.appendLiteral("d")
        interpolation.appendLiteral("e")
        let text = StepText(stringInterpolation: interpolation)
        #expect(text.string == "abCde")
        #expect(Self.parts(text) == "abCde")
    }

    /// The name apply gives a primary's gateway address, written by hand (not with
    /// `joined(separator:)`): capitals, and `_` for each `-`.
    @Test(arguments: [("c1", "DISCOVERY_ADDRESS_C1"), ("east-1", "DISCOVERY_ADDRESS_EAST_1"),
                      ("a--b-", "DISCOVERY_ADDRESS_A__B_"), ("Cluster-West-2", "DISCOVERY_ADDRESS_CLUSTER_WEST_2")])
    func theDiscoveryAddressNameIsTheClusterInCapitals(name: String, expected: String) {
        #expect(Planner.discoveryAddress(of: name) == expected)
    }
}
