// The release table's shape: contiguous rows from the oldest release to the newest, and
// release parsing. What each gate produces is tested through plan and render (MeshRenderTests'
// ReleaseGateTests).
import MeshKube
import Testing

@Suite struct IstioReleasesTests {
    @Test func rowsAreContiguousAndOrdered() {
        let table = IstioReleases.table
        #expect(table.first?.releases.lowerBound == IstioRelease(1, 6))
        for (earlier, later) in zip(table, table.dropFirst()) {
            let next = IstioRelease(earlier.releases.upperBound.major, earlier.releases.upperBound.minor + 1)
            #expect(later.releases.lowerBound == next, "\(earlier.releases) is followed by \(later.releases)")
        }
        for row in table {
            #expect(row.profiles == row.profiles.sorted() && row.profiles.contains("default"), "\(row.releases): \(row.profiles)")
        }
    }

    @Test func everyReleaseHasOneRowAndNewerOnesTheNewest() {
        for minor in 6...IstioReleases.newest.minor {
            #expect(IstioReleases.table.filter { $0.contains(IstioRelease(1, minor)) }.count == 1, "1.\(minor)")
        }
        #expect(IstioReleases.forms(for: IstioRelease(1, 5)) == nil)
        #expect(IstioReleases.forms(for: IstioRelease(2, 0)) == IstioReleases.table.last)
    }

    @Test(arguments: [("1.22", IstioRelease(1, 22)), ("1.22.3", IstioRelease(1, 22)), ("1.6.x", IstioRelease(1, 6)), ("2.0", IstioRelease(2, 0))])
    func parsesAMinorRelease(text: String, release: IstioRelease) {
        #expect(IstioRelease(parsing: text) == release)
    }

    @Test(arguments: ["", "1", "1.", ".6", "1.x", "v1.22", "1.22.3.4", "1.22-rc", "1.-2", "１.６"])
    func refusesWhatIsNotARelease(text: String) {
        #expect(IstioRelease(parsing: text) == nil)
    }

    @Test func ordersByMajorThenMinor() {
        #expect(IstioRelease(1, 9) < IstioRelease(1, 10))
        #expect(IstioRelease(1, 30) < IstioRelease(2, 0))
        #expect("\(IstioRelease(1, 6))" == "1.6")
    }
}
