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
from drive import Key, ScenarioFailure, Session, run_scenarios  # noqa: E402

LEFT, UP, DOWN, TAB, BACKSPACE = Key("left"), Key("up"), Key("down"), Key("tab"), Key("backspace")
CTRL_A, CTRL_D, CTRL_E, CTRL_F, CTRL_K, CTRL_W = (Key("ctrl-" + letter) for letter in "adefkw")


def start(program, home, term):
    session = Session(program, home=home, term=term or None, env={"MESHSCRIPT_LINEEDITOR_ECHO": "1"})
    session.expect_exact("line editor ready")
    session.expect_exact("> ", "the first prompt")
    return session


def got(line):
    """The echo loop's answer to a line it read."""
    return f"got: [{line}]"


def expect_reply(session, reply, what=None):
    """The loop's reply, then its next prompt."""
    session.expect_exact(reply, what)
    session.expect_exact("> ", "the next prompt")


def enter(session, line, reply=None, what=None):
    """Enters `line` in one write, as pasted; the loop replies with the line (or, for a special
    line, with `reply`)."""
    session.line(line)
    expect_reply(session, got(line) if reply is None else reply, what)


def enter_and_check(session, *typed, expected, what=None):
    """Types `typed` (text and Keys), presses Enter, and expects the line `expected` back."""
    session.type(*typed)
    session.key("enter")
    expect_reply(session, got(expected), what)


def interrupt(session):
    """Ctrl-C while the editor reads: the loop reports it and prompts again."""
    session.key("ctrl-c")
    session.expect_exact("interrupted")
    session.expect_exact("> ", "a fresh prompt")


def finish(session):
    session.key("ctrl-d")
    session.expect_exact("eof")
    session.expect_end(status=0)


def type_line(program, home, term):
    with start(program, home, term) as s:
        enter(s, "mesh mesh1")
        enter(s, "")
        finish(s)


def emacs_keys(program, home, term):
    with start(program, home, term) as s:
        enter_and_check(s, "world", CTRL_A, "hello ", CTRL_E, "!", expected="hello world!")
        enter_and_check(s, "ac", LEFT, "b", expected="abc")
        enter_and_check(s, "abcdef", CTRL_A, CTRL_F, CTRL_F, CTRL_K, expected="ab")
        enter_and_check(s, "one two", CTRL_W, expected="one ")
        finish(s)


def complete_one(program, home, term):
    with start(program, home, term) as s:
        s.type("me", TAB)
        s.expect_exact("mesh ", "the completed word")
        enter_and_check(s, "mesh1", expected="mesh mesh1")
        # In the middle of a line (a second Tab: a unique completion is never listed), and with
        # only spaces before the cursor (indentation).
        enter_and_check(s, "x = ne y", LEFT, LEFT, TAB, TAB, CTRL_A, TAB, expected="    x = network y")
        finish(s)


def complete_many(program, home, term):
    with start(program, home, term) as s:
        s.type("cluster c", TAB)  # cluster1, cluster2, context: nothing in common to add
        mark = s.mark()
        s.key("tab")  # second Tab: list them
        s.expect(r"cluster1\s+cluster2\s+context", "the listed candidates")
        s.expect_exact("> cluster c", "the prompt and line drawn again below the list")
        # After "cl", Tab completes what cluster1 and cluster2 have in common: "cluster".
        enter_and_check(s, "l", TAB, "2", expected="cluster cluster2")
        if s.since(mark).count("cluster1") != 1:
            s.fail("the candidates were listed more than once")
        finish(s)


def history_across_sessions(program, home, term):
    with start(program, home, term) as s:
        enter(s, "let a = 1")
        enter(s, "print $a")
        finish(s)
    if not os.path.exists(os.path.join(home, ".meshscript_history")):
        raise ScenarioFailure("no ~/.meshscript_history after the first session")
    with start(program, home, term) as s:
        s.key("up")
        s.expect_exact("print $a", "the last entry recalled by Up")
        s.key("up")
        s.expect_exact("let a = 1", "the entry before it")
        enter_and_check(s, expected="let a = 1")
        enter_and_check(s, UP, UP, DOWN, expected="let a = 1")
        finish(s)


def multiline_history(program, home, term):
    # The REPL adds whole statements; one spanning lines comes back whole from Up.
    with start(program, home, term) as s:
        enter(s, "add-multiline-entry", reply="added")
        enter_and_check(s, UP, expected="cluster c1 <\r\n  trust from root\r\n>", what="the entry, newlines included")
        finish(s)


def ctrl_c_cancels_line(program, home, term):
    with start(program, home, term) as s:
        s.send("abc")
        s.expect_exact("abc")
        s.key("left", "ctrl-c")
        s.expect_exact("^C", "^C shown after the line")
        s.expect_exact("interrupted")
        s.expect_exact("> ", "a fresh prompt")
        enter(s, "x", what="a fresh line (not abcx)")
        interrupt(s)
        finish(s)


def ctrl_d(program, home, term):
    with start(program, home, term) as s:
        # Ctrl-D at the end of a non-empty line does nothing (bell); at its start it deletes the x.
        enter_and_check(s, "xab", CTRL_D, CTRL_A, CTRL_D, expected="ab")
        finish(s)


def unicode_text(program, home, term):
    with start(program, home, term) as s:
        enter_and_check(s, 'print "π ≈ ü"', expected='print "π ≈ ü"')
        enter_and_check(s, "aπ", BACKSPACE, "b", expected="ab")
        enter_and_check(s, "é = cl", TAB, "1", expected="é = cluster1")
        finish(s)


def resize_while_editing(program, home, term):
    with start(program, home, term) as s:
        s.send("abc")
        s.expect_exact("abc")
        s.resize(24, 50)
        enter_and_check(s, "def", expected="abcdef")
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
        enter_and_check(s, CTRL_A, "x", expected="xabc")
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
        interrupt(s)  # at the prompt the editor, not the monitor, gets it
        enter(s, "x")
        if "monitor" in s.since(mark):
            s.fail("Ctrl-C at the prompt reached the monitor")
        finish(s)


def plain_terminal(program, home, term):
    # TERM dumb or unset: no key editing, but lines, Ctrl-C and Ctrl-D work.
    with start(program, home, term) as s:
        enter(s, "mesh mesh1")
        s.send("abc")
        interrupt(s)
        enter(s, "x")
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
