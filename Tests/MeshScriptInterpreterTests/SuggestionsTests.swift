// "Did you mean …?": the edit distance behind it and which candidate wins. One implementation
// serves script names (unknown cluster, variable, recipe) and kubeconfig contexts alike.
import MeshScriptInterpreter
import Testing

@Suite struct SuggestionsTests {
    func distance(_ a: String, _ b: String, limit: Int = .max) -> Int {
        Suggestions.editDistance(Array(a.utf8), Array(b.utf8), limit: limit)
    }

    @Test func distances() {
        #expect(distance("kitten", "sitting") == 3)
        #expect(distance("", "abc") == 3)
        #expect(distance("same", "same") == 0)
        // A swap of neighbours is one edit (optimal string alignment), not two.
        #expect(distance("clsuter1", "cluster1") == 1)
        // Past the limit the answer is only "more than the limit".
        #expect(distance("abcdef", "uvwxyz", limit: 2) == 3)
    }

    @Test func closestCandidate() {
        #expect(Suggestions.closest(to: "cluster-1", in: ["cluster1", "cluster-2"]) == "cluster1")
        #expect(Suggestions.closest(to: "c3", in: ["c1", "c2"]) == "c1", "ties go to the first")
        #expect(Suggestions.closest(to: "abc", in: ["xyz"]) == nil)
        #expect(Suggestions.closest(to: "clustr1", in: ["cluster1", "network1"]) == "cluster1")
        #expect(Suggestions.closest(to: "Kind-Cluster1", in: ["kind-cluster1"]) == "kind-cluster1", "case does not count")
        #expect(Suggestions.closest(to: "c1", in: ["c1"]) == nil, "the name itself is no suggestion")
    }
}
