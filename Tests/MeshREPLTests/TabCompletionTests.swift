// What Tab does with a completer's answer: insertion, common prefix, listing, layout.
import Testing
@testable import MeshREPL

@Suite struct TabCompletionTests {
    @Test func uniqueCandidateIsInsertedWithASpace() {
        #expect(TabCompletion.edit(line: "me", cursor: 2, replaceFrom: 0, candidates: ["mesh"], repeated: false)
                == .replace(byteCount: 2, text: "mesh "))
    }

    @Test func uniqueCandidateEndingInAContinuingCharacterGetsNoSpace() {
        #expect(TabCompletion.edit(line: "print $cl", cursor: 9, replaceFrom: 6, candidates: ["$cluster("], repeated: false)
                == .replace(byteCount: 3, text: "$cluster("))
    }

    @Test func noSpaceIsAddedBeforeAnExistingSpace() {
        #expect(TabCompletion.edit(line: "me x", cursor: 2, replaceFrom: 0, candidates: ["mesh"], repeated: false)
                == .replace(byteCount: 2, text: "mesh"))
    }

    @Test func aCompleteWordFollowedBySpaceBeeps() {
        #expect(TabCompletion.edit(line: "mesh x", cursor: 4, replaceFrom: 0, candidates: ["mesh"], repeated: false) == .beep)
    }

    @Test func severalCandidatesInsertTheirCommonPrefix() {
        #expect(TabCompletion.edit(line: "cluster c", cursor: 9, replaceFrom: 8, candidates: ["cluster1", "cluster2"], repeated: false)
                == .replace(byteCount: 1, text: "cluster"))
    }

    @Test func severalCandidatesWithNothingToAddBeepThenList() {
        let candidates = ["cluster1", "cluster2", "context"]
        #expect(TabCompletion.edit(line: "c", cursor: 1, replaceFrom: 0, candidates: candidates, repeated: false) == .beep)
        #expect(TabCompletion.edit(line: "c", cursor: 1, replaceFrom: 0, candidates: candidates + ["context"], repeated: true)
                == .list(candidates))
    }

    @Test func noCandidatesBeep() {
        #expect(TabCompletion.edit(line: "zz", cursor: 2, replaceFrom: 0, candidates: [], repeated: true) == .beep)
    }

    @Test func offsetsAreUTF8Bytes() {
        // "é" is two bytes: the word "cl" starts at byte 4, not character 3.
        let line = "é = cl"
        #expect(TabCompletion.edit(line: line, cursor: 7, replaceFrom: 5, candidates: ["cluster1"], repeated: false)
                == .replace(byteCount: 2, text: "cluster1 "))
    }

    @Test func badOffsetsBeep() {
        #expect(TabCompletion.edit(line: "abc", cursor: 2, replaceFrom: 3, candidates: ["x"], repeated: false) == .beep)
        #expect(TabCompletion.edit(line: "abc", cursor: 9, replaceFrom: 0, candidates: ["x"], repeated: false) == .beep)
        // Byte 1 is inside "é".
        #expect(TabCompletion.edit(line: "é", cursor: 2, replaceFrom: 1, candidates: ["x"], repeated: false) == .beep)
    }

    @Test func whitespaceBeforeTheCursorIndents() {
        #expect(TabCompletion.indents(line: "", cursor: 0))
        #expect(TabCompletion.indents(line: "  \tx", cursor: 3))
        #expect(!TabCompletion.indents(line: "  x", cursor: 3))
    }

    @Test func commonPrefixNeverSplitsACharacter() {
        #expect(TabCompletion.commonPrefix(["e\u{301}a", "e\u{301}b"]) == "e\u{301}")
        #expect(TabCompletion.commonPrefix(["e\u{301}", "e"]) == "")
        #expect(TabCompletion.commonPrefix(["abc"]) == "abc")
    }

    @Test func listingFillsColumnsTopToBottom() {
        let items = ["a1", "a2", "a3", "a4", "a5"]
        // Columns of width 4 ("a1" + 2): 10 columns of terminal fit 3 of them.
        #expect(TabCompletion.listing(items, width: 10) == "a1  a3  a5\na2  a4\n")
        #expect(TabCompletion.listing(items, width: 3) == "a1\na2\na3\na4\na5\n")
        #expect(TabCompletion.listing(["cluster1", "cluster2"], width: 80) == "cluster1  cluster2\n")
    }

    /// A list taller than the terminal shows what fits and how many more there are.
    @Test func aLongListingIsCutToTheRowsThatFit() {
        let items = (1...10).map { "c\($0)" } // width 3 each, columns of 5 ("c10" + 2)
        // Two columns fit in 10; five rows hold all ten.
        #expect(TabCompletion.listing(items, width: 10, maxRows: 5) == "c1   c6\nc2   c7\nc3   c8\nc4   c9\nc5   c10\n")
        // Three rows: two of names, one that counts the rest.
        #expect(TabCompletion.listing(items, width: 10, maxRows: 3) == "c1   c3\nc2   c4\n… and 6 more: type more of the name\n")
    }
}
