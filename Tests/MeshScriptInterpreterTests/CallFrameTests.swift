// The frames of running recipe calls (`CallFrame`, `Interpreter.frames`): plain data in a buffer
// the interpreter grows itself, with no directory of their own. A block a recipe yields to runs
// in the directory of the `yield`, which must always be its caller's: each test would see a
// file from the wrong directory, or the wrong block, value or backtrace, if it were not.
import Foundation
import Testing

@testable import MeshScriptInterpreter

@Suite struct CallFrames {
    /// A frame holds nothing counted: pushing and popping one retains, releases and destroys
    /// nothing (a `String` or a strong reference in it would).
    @Test func aCallFrameIsPlainData() {
        #expect(_isPOD(CallFrame.self))
    }

    /// An `import` in a block a recipe yields to is relative to the file of the block's
    /// caller, not the recipe's: a recipe from `lib/` yielding (from inside a loop and an `if`)
    /// to a block in `proj/`, a recipe whose body yields its own block on through another
    /// call, and a file in `lib/` that a yielded block imports and that calls the recipe in
    /// turn, its block finding `lib/`'s file while the outer call from `proj/` still runs.
    @Test(arguments: ScriptTree.Storage.allCases)
    func aYieldedBlockRunsInTheDirectoryOfItsCaller(storage: ScriptTree.Storage) throws {
        let r = try ScriptTree(files: [
            "proj/main.mesh": """
                import "lib/wrap.mesh"
                wrap < import "x.mesh" >
                outer < import "y.mesh" >
                wrap < import "lib/calls.mesh"; import "z.mesh" >
                let n = 1 + around()
                emit "${n}"
                """,
            "proj/lib/wrap.mesh": """
                recipe wrap() < for i in range(0, 1) < if true < yield > > >
                recipe outer() < wrap < yield > >
                recipe around() < wrap < import "w.mesh" >; return 1 >
                """,
            "proj/lib/calls.mesh": "import \"wrap.mesh\"\nwrap < import \"x.mesh\" >\n",
            "proj/x.mesh": "emit \"proj/x\"\n",
            "proj/lib/x.mesh": "emit \"proj/lib/x\"\n",
            "proj/y.mesh": "emit \"proj/y\"\n",
            "proj/lib/y.mesh": "emit \"proj/lib/y\"\n",
            "proj/z.mesh": "emit \"proj/z\"\n",
            "proj/lib/z.mesh": "emit \"proj/lib/z\"\n",
            "proj/w.mesh": "emit \"proj/w\"\n",
            "proj/lib/w.mesh": "emit \"proj/lib/w\"\n",
        ]).runMain(storage)
        expectClean(r)
        #expect(r.log == ["proj/x", "proj/y", "proj/lib/x", "proj/z", "proj/w", "2"])
    }

    /// Calls nested deeper than the buffer's first size (16) and its second (32): each
    /// `yield` runs its own caller's block, each `return` ends its own call, and a backtrace
    /// from the innermost call counts every frame.
    @Test func framesDeeperThanTheFirstBufferKeepTheirCallers() {
        let r = run("""
            recipe down(n) <
              if ($n > 0) < down ($n - 1) < emit "block ${n}"; yield > > else < yield >
            >
            recipe depth(n) < if $n == 0 < return 0 >; return 1 + depth($n - 1) >
            down 40 < emit top >
            let d = depth(40)
            emit "${d}"
            recipe fail(n) < if $n == 0 < assert false, "deep" > else < fail ($n - 1) > >
            fail 40

            """)
        #expect(r.log == (1...40).map { "block \($0)" } + ["top", "40"])
        #expect(r.messages == ["deep"])
        #expect(r.errors.first?.notes.count == 9)
        #expect(r.errors.first?.notes.last?.message == "... and 33 more calls")
    }
}
