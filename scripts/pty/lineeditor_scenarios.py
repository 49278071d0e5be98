"""Scenarios for MeshREPL's LineEditor, run on a real pseudo-terminal.

The program under test is the Swift test binary in its echo-loop mode (see
Tests/MeshREPLTests/PseudoTerminalTests.swift): it prints "line editor ready", then
reads lines with prompt "> " and answers "got: [LINE]", "interrupted" or "eof"; the
line "evaluate" simulates an evaluation that an InterruptMonitor cancels.

    python3 scripts/pty/lineeditor_scenarios.py SCENARIO --home DIR [--term TERM] -- PROGRAM ARGS...
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from drive import ScenarioFailure, Session, run_scenarios  # noqa: E402


def start(program, home, term):
    session = Session(program, home=home, term=term or None, env={"MESHSCRIPT_LINEEDITOR_ECHO": "1"})
    session.expect_exact("line editor ready")
    session.expect_exact("> ", "the first prompt")
    return session


def enter_and_check(session, expected):
    session.key("enter")
    session.expect_exact(f"got: [{expected}]")
    session.expect_exact("> ", "the next prompt")


def finish(session):
    session.key("ctrl-d")
    session.expect_exact("eof")
    session.expect_end(status=0)


def type_line(program, home, term):
    with start(program, home, term) as s:
        s.line("mesh mesh1")
        s.expect_exact("got: [mesh mesh1]")
        s.expect_exact("> ")
        s.line("")
        s.expect_exact("got: []")
        s.expect_exact("> ")
        finish(s)


def emacs_keys(program, home, term):
    with start(program, home, term) as s:
        s.send("world")
        s.key("ctrl-a")
        s.send("hello ")
        s.key("ctrl-e")
        s.send("!")
        enter_and_check(s, "hello world!")
        s.send("ac")
        s.key("left")
        s.send("b")
        enter_and_check(s, "abc")
        s.send("abcdef")
        s.key("ctrl-a", "ctrl-f", "ctrl-f", "ctrl-k")
        enter_and_check(s, "ab")
        s.send("one two")
        s.key("ctrl-w")
        enter_and_check(s, "one ")
        finish(s)


def complete_one(program, home, term):
    with start(program, home, term) as s:
        s.send("me")
        s.key("tab")
        s.expect_exact("mesh ", "the completed word")
        s.send("mesh1")
        enter_and_check(s, "mesh mesh1")
        # In the middle of a line, and with only spaces before the cursor (indentation).
        s.send("x = ne y")
        s.key("left", "left")
        s.key("tab")
        s.key("tab")  # a unique completion is never listed
        s.key("ctrl-a")
        s.key("tab")
        enter_and_check(s, "    x = network y")
        finish(s)


def complete_many(program, home, term):
    with start(program, home, term) as s:
        s.send("cluster c")
        s.key("tab")  # cluster1, cluster2, context: nothing in common to add
        mark = s.mark()
        s.key("tab")  # second Tab: list them
        s.expect(r"cluster1\s+cluster2\s+context", "the listed candidates")
        s.expect_exact("> cluster c", "the prompt and line drawn again below the list")
        s.send("l")
        s.key("tab")  # cluster1, cluster2: "cluster" in common
        s.send("2")
        enter_and_check(s, "cluster cluster2")
        if s.since(mark).count("cluster1") != 1:
            s.fail("the candidates were listed more than once")
        finish(s)


def history_across_sessions(program, home, term):
    with start(program, home, term) as s:
        s.line("let a = 1")
        s.expect_exact("got: [let a = 1]")
        s.expect_exact("> ")
        s.line("print $a")
        s.expect_exact("got: [print $a]")
        s.expect_exact("> ")
        finish(s)
    if not os.path.exists(os.path.join(home, ".meshscript_history")):
        raise ScenarioFailure("no ~/.meshscript_history after the first session")
    with start(program, home, term) as s:
        s.key("up")
        s.expect_exact("print $a", "the last entry recalled by Up")
        s.key("up")
        s.expect_exact("let a = 1", "the entry before it")
        enter_and_check(s, "let a = 1")
        s.key("up", "up", "down")
        enter_and_check(s, "let a = 1")
        finish(s)


def multiline_history(program, home, term):
    # The REPL adds whole statements; one spanning lines comes back whole from Up.
    with start(program, home, term) as s:
        s.line("add-multiline-entry")
        s.expect_exact("added")
        s.expect_exact("> ")
        s.key("up")
        s.key("enter")
        s.expect_exact("got: [cluster c1 <\r\n  trust from root\r\n>]", "the entry, newlines included")
        s.expect_exact("> ")
        finish(s)


def ctrl_c_cancels_line(program, home, term):
    with start(program, home, term) as s:
        s.send("abc")
        s.expect_exact("abc")
        s.key("left")
        s.key("ctrl-c")
        s.expect_exact("^C", "^C shown after the line")
        s.expect_exact("interrupted")
        s.expect_exact("> ", "a fresh prompt")
        s.line("x")
        s.expect_exact("got: [x]", "a fresh line (not abcx)")
        s.expect_exact("> ")
        s.key("ctrl-c")
        s.expect_exact("interrupted")
        s.expect_exact("> ")
        finish(s)


def ctrl_d(program, home, term):
    with start(program, home, term) as s:
        s.send("xab")
        s.key("ctrl-d")  # at the end of a non-empty line: nothing (bell)
        s.key("ctrl-a", "ctrl-d")  # deletes the x
        enter_and_check(s, "ab")
        finish(s)


def unicode_text(program, home, term):
    with start(program, home, term) as s:
        s.send('print "π ≈ ü"')
        enter_and_check(s, 'print "π ≈ ü"')
        s.send("aπ")
        s.key("backspace")
        s.send("b")
        enter_and_check(s, "ab")
        s.send("é = cl")
        s.key("tab")
        s.send("1")
        enter_and_check(s, "é = cluster1")
        finish(s)


def resize_while_editing(program, home, term):
    with start(program, home, term) as s:
        s.send("abc")
        s.expect_exact("abc")
        s.resize(24, 50)
        s.send("def")
        enter_and_check(s, "abcdef")
        finish(s)


def suspend_and_resume(program, home, term):
    import termios
    with start(program, home, term) as s:
        s.send("abc")
        s.expect_exact("abc")
        s.wait_for_modes(lambda lflag: not lflag & termios.ECHO, "raw mode while editing")
        s.suspend_to_shell_and_resume()
        s.wait_for_modes(lambda lflag: not lflag & (termios.ECHO | termios.ICANON),
                         "raw mode again after being continued")
        s.key("ctrl-a")
        s.send("x")
        enter_and_check(s, "xabc")
        finish(s)


def interrupt_monitor(program, home, term):
    with start(program, home, term) as s:
        s.line("evaluate")
        s.expect_exact("evaluating")
        s.key("ctrl-c")
        s.expect_exact("monitor: interrupt", "the monitor's callback")
        s.expect_exact("evaluation cancelled")
        s.expect_exact("> ")
        mark = s.mark()
        s.key("ctrl-c")  # at the prompt the editor, not the monitor, gets it
        s.expect_exact("interrupted")
        s.expect_exact("> ")
        s.line("x")
        s.expect_exact("got: [x]")
        s.expect_exact("> ")
        if "monitor" in s.since(mark):
            s.fail("Ctrl-C at the prompt reached the monitor")
        finish(s)


def plain_terminal(program, home, term):
    # TERM dumb or unset: no key editing, but lines, Ctrl-C and Ctrl-D work.
    with start(program, home, term) as s:
        s.line("mesh mesh1")
        s.expect_exact("got: [mesh mesh1]")
        s.expect_exact("> ")
        s.send("abc")
        s.key("ctrl-c")
        s.expect_exact("interrupted")
        s.expect_exact("> ")
        s.line("x")
        s.expect_exact("got: [x]")
        s.expect_exact("> ")
        finish(s)


SCENARIOS = {
    "type-line": type_line,
    "emacs-keys": emacs_keys,
    "complete-one": complete_one,
    "complete-many": complete_many,
    "history-across-sessions": history_across_sessions,
    "multiline-history": multiline_history,
    "ctrl-c-cancels-line": ctrl_c_cancels_line,
    "ctrl-d": ctrl_d,
    "unicode": unicode_text,
    "resize": resize_while_editing,
    "suspend-and-resume": suspend_and_resume,
    "interrupt-monitor": interrupt_monitor,
    "plain-terminal": plain_terminal,
}

if __name__ == "__main__":
    run_scenarios(SCENARIOS)
