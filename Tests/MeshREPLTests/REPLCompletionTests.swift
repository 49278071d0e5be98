// REPLSession's Tab candidates for each context: a statement's start at top level and in
// each block kind (also across the lines of a pending entry), `$` variables, the names
// that follow `trust from`, `install network` and `discover with`, and `:` commands.
import Foundation
import Testing
@testable import MeshREPL

@Suite struct REPLCompletionTests {
    /// A session with a mesh, two networks, a declared root, two clusters, a variable and a recipe.
    private func populated() throws -> CapturedSession {
        let repl = try CapturedSession()
        for line in [
            "mesh m", "network n1", "network n2", "root r1 < key ecdsa p256 >",
            "cluster cluster1 < trust from root; install network n1 >",
            "cluster cluster2 < trust from root; install network n2 >",
            "let version = \"1\"", "let verbose = true", "recipe primary(name) < cluster $name < trust from root > >",
        ] { repl.enter(line) }
        #expect(repl.errors == "")
        return repl
    }

    /// Candidates for the word before the end of `line` (or before `cursor`).
    private func complete(_ repl: CapturedSession, _ line: String, cursor: Int? = nil,
                          sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [String] {
        let cursor = cursor ?? line.utf8.count
        let answer = repl.session.completions(line: line, cursor: cursor)
        // replaceFrom is where the word being completed starts.
        let word = String(decoding: Array(line.utf8)[answer.replaceFrom..<cursor], as: UTF8.self)
        for candidate in answer.candidates {
            #expect(candidate.hasPrefix(word), "\(candidate) does not extend '\(word)'", sourceLocation: sourceLocation)
        }
        return answer.candidates
    }

    @Test func statementStartAtTopLevel() throws {
        let repl = try populated()
        defer { repl.remove() }
        let all = complete(repl, "")
        for word in ["mesh", "network", "cluster", "root", "kubeconfig", "let", "recipe", "for", "if", "import", "assert", "print", "primary"] {
            #expect(all.contains(word), "\(word)")
        }
        for word in ["trust", "install", "discover", "context", "server", "istio", "org", "key"] {
            #expect(!all.contains(word), "\(word) is not valid at top level")
        }
        #expect(complete(repl, "cl") == ["cluster"])
        #expect(complete(repl, "pri") == ["primary", "print"])
        #expect(complete(repl, "mesh m; net") == ["network"], "after ;")
        #expect(complete(repl, "cluster c3 < trust from root > ; ro") == ["root"], "after a closed block")
    }

    @Test func statementStartInsideBlocks() throws {
        let repl = try populated()
        defer { repl.remove() }
        #expect(complete(repl, "cluster c3 < tr") == ["trust"])
        #expect(complete(repl, "cluster c3 < trust from root; di") == ["discover"])
        let inCluster = complete(repl, "cluster c3 < ")
        for word in ["context", "trust", "install", "discover", "server", "let", "print", "for"] {
            #expect(inCluster.contains(word), "\(word)")
        }
        for word in ["mesh", "network", "cluster", "root", "kubeconfig"] {
            #expect(!inCluster.contains(word), "\(word) is not valid in a cluster block")
        }
        #expect(complete(repl, "root r2 < k") == ["key"])
        #expect(complete(repl, "mesh m2 < is") == ["istio"])
        // A for loop keeps the kind of the block it is in.
        #expect(complete(repl, "cluster c3 < for i in [1] < tr") == ["trust"])
        #expect(complete(repl, "for i in [1] < cl") == ["cluster"])
    }

    @Test func statementStartOnTheNextLineOfAPendingEntry() throws {
        let repl = try populated()
        defer { repl.remove() }
        #expect(repl.session.feed("cluster c3 <") == .needsMoreInput)
        #expect(complete(repl, "  tr") == ["trust"])
        #expect(complete(repl, "  trust from r") == ["r1", "root"])
        #expect(complete(repl, ":pl") == [], "no commands inside an entry")
        #expect(repl.session.feed("  trust from root") == .needsMoreInput)
        #expect(complete(repl, "  in") == ["install"])
        #expect(repl.session.feed(">") == .ready)
        #expect(complete(repl, "tr") == [], "the block is closed")
    }

    @Test func variables() throws {
        let repl = try populated()
        defer { repl.remove() }
        #expect(complete(repl, "print $") == ["$verbose", "$version"])
        #expect(complete(repl, "print $vers") == ["$version"])
        #expect(complete(repl, "print len($ve") == ["$verbose", "$version"])
        #expect(complete(repl, "for item in [1, 2] < print $it") == ["$item"], "a loop variable of the entry")
    }

    @Test func loopVariablesAndParametersFromEarlierLinesOfTheEntry() throws {
        let repl = try populated()
        defer { repl.remove() }
        #expect(repl.session.feed("for item in [1, 2] <") == .needsMoreInput)
        #expect(complete(repl, "  print $it") == ["$item"])
        repl.session.discardPendingInput()
        #expect(repl.session.feed("recipe greet(person, greeting) <") == .needsMoreInput)
        #expect(complete(repl, "  print $gr") == ["$greeting"])
        #expect(complete(repl, "  print $pe") == ["$person"])
        #expect(repl.session.feed("  let greeting-text = \"hi ${person}\"") == .needsMoreInput)
        #expect(complete(repl, "  print $gr") == ["$greeting", "$greeting-text"])
    }

    /// The resolver's scopes, not a scan of the words typed: a `let` in a closed block is gone,
    /// and a recipe's body may run in any block.
    @Test func scopesComeFromTheResolver() throws {
        let repl = try populated()
        defer { repl.remove() }
        #expect(complete(repl, "if true < let hidden = 1 >; print $hid") == [])
        #expect(complete(repl, "if true < let hidden = 1; print $hid") == ["$hidden"])
        #expect(complete(repl, "recipe r(a) < for b in [1] < let c = 2 >; print $") == ["$a", "$verbose", "$version"])
        // Two blocks left open: the innermost one's scope, with what the outer one binds.
        #expect(complete(repl, "recipe r(a) < for b in [1] < let c = 2; print $") == ["$a", "$b", "$c", "$verbose", "$version"])
        #expect(complete(repl, "recipe r(a) < tr") == ["trust"])
        #expect(complete(repl, "recipe r(a) < cl") == ["cluster"])
    }

    @Test func namesAfterKeywords() throws {
        let repl = try populated()
        defer { repl.remove() }
        #expect(complete(repl, "cluster c3 < trust from ") == ["r1", "root"])
        #expect(complete(repl, "cluster c3 < install network ") == ["n1", "n2"])
        #expect(complete(repl, "cluster c3 < install network n1 revision \"1\"; install network n") == ["n1", "n2"])
        #expect(complete(repl, "cluster c3 < discover with clu") == ["cluster1", "cluster2"])
        #expect(complete(repl, "cluster c3 < discover with cluster1, clu") == ["cluster1", "cluster2"])
        #expect(complete(repl, "cluster c3 < discover from cluster2") == ["cluster2"])
        #expect(complete(repl, "cluster c3 < install ") == ["installer", "network", "profile", "remote", "revision"])
        #expect(complete(repl, "cluster c3 < install remote ") == ["of"])
        #expect(complete(repl, "cluster c3 < install remote of clu") == ["cluster1", "cluster2"])
        #expect(complete(repl, "cluster c3 < discover ") == ["from", "with"])
        #expect(complete(repl, "cluster c3 < install installer ") == ["helm", "istioctl"])
        #expect(complete(repl, "cluster c3 < values f") == ["file"])
        #expect(complete(repl, "root r2 < key ") == ["ecdsa", "rsa"])
        #expect(complete(repl, "root r2 < key ecdsa ") == ["p256", "p384"])
        #expect(complete(repl, "root r2 < key rsa 4") == ["4096"])
        #expect(complete(repl, "primary clu") == ["cluster1", "cluster2"], "a recipe's arguments")
    }

    @Test func colonCommands() throws {
        let repl = try populated()
        defer { repl.remove() }
        #expect(complete(repl, ":") == REPLSession.commands.map(\.name))
        #expect(complete(repl, ":pl") == [":plan"])
        #expect(complete(repl, "  :s") == [":show", ":save"], "in the order :help lists them")
        #expect(complete(repl, ":re") == [":render", ":reset"])
        #expect(complete(repl, "print 1; :pl") == [], "only at the start of an entry")
    }

    @Test func completingInTheMiddleOfALine() throws {
        let repl = try populated()
        defer { repl.remove() }
        let line = "cluster c3 < trust from r; install network n1 >"
        let cursor = line.utf8.count - " install network n1 >".utf8.count - 1 // just after "r"
        let answer = repl.session.completions(line: line, cursor: cursor)
        #expect(answer.candidates == ["r1", "root"])
        #expect(answer.replaceFrom == cursor - 1)
    }
}
