"""Scenarios for `meshscript repl`, run on a real pseudo-terminal (issue 5's list).

The program under test is the real binary; HOME is a fresh directory per scenario (so
~/.meshscript_history is private) and also the working directory (for :save, :load and
:render paths).

    python3 scripts/pty/repl_scenarios.py SCENARIO --home DIR [--term TERM] -- MESHSCRIPT repl

Each scenario prints PASS, or FAIL with what the terminal showed, and exits 0 or 1.
"""

import difflib
import os
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drive  # noqa: E402
from drive import ScenarioFailure, Session, run_scenarios  # noqa: E402

PROMPT = "mesh> "
MORE = "  ... "


def start(program, home, term, env=None, blocked_signals=()):
    """The REPL on a fresh pty. By default no signal is blocked, as when a shell starts it;
    a test runner's worker thread would otherwise pass on its mask (SIGINT blocked)."""
    session = Session(program, home=home, term=term or None, cwd=home, env=env, timeout=20,
                      blocked_signals=blocked_signals)
    session.expect_exact("MeshScript ", "the banner")
    session.expect_exact(PROMPT, "the first prompt")
    return session


def text_since(session, mark):
    """What the program showed since `mark`, without escapes, with \\n line ends."""
    return session.since(mark).replace("\r\n", "\n")


def run(session, line, prompt=PROMPT):
    """Enter `line`, wait for `prompt`; returns what the program printed in between
    (without the echoed line and the prompt)."""
    mark = session.mark()
    session.line(line)
    session.expect_exact(prompt, f"the prompt after {line!r}")
    shown = text_since(session, mark)
    # The echo of the line ends with the first newline; the prompt ends the output.
    _, _, rest = shown.partition("\n")
    return rest[: len(rest) - len(prompt)] if rest.endswith(prompt) else rest


def run_all(session, *lines):
    """Enters each line as a whole entry, whatever it prints."""
    for line in lines:
        run(session, line)


def run_entry(session, *lines):
    """Enters one entry spanning `lines`: every line but the last gets the continuation prompt.
    Returns what the last line printed."""
    for line in lines[:-1]:
        run(session, line, prompt=MORE)
    return run(session, lines[-1])


def expect_in(session, text, needle, what):
    if needle not in text:
        session.fail(f"{what}: expected {needle!r} in:\n{text}")


def expect_not_in(session, text, needle, what):
    if needle in text:
        session.fail(f"{what}: did not expect {needle!r} in:\n{text}")


def finish(session, status=0):
    session.key("ctrl-d")
    session.expect_end(status=status)


TOPOLOGY = [
    "mesh mesh1",
    "network network1",
    "root r1 < key ecdsa p256 >",
    "cluster cluster1 < trust from r1; install network network1 >",
    "cluster cluster2 < trust from r1; install network network1; discover with cluster1 >",
]


def enter_topology(session):
    for line in TOPOLOGY:
        shown = run(session, line)
        if shown.strip():
            session.fail(f"{line!r} printed something:\n{shown}")


# 1. Statements typed one by one, then :show lists them.
def statements_then_show(program, home, term):
    with start(program, home, term) as s:
        enter_topology(s)
        shown = run(s, "let greeting = \"hi\"")
        expect_not_in(s, shown, "error", "let")
        shown = run(s, ":show")
        # The newest release the table knows, as a number (it was "current").
        expect_in(s, shown, "mesh mesh1 (Istio 1.", ":show")
        for line in ["networks: network1", "roots: r1", "clusters: cluster1, cluster2",
                     "links: cluster1 → cluster2, cluster2 → cluster1", "variables: $greeting"]:
            expect_in(s, shown, line + "\n", ":show")
        shown = run(s, ":show cluster2")
        expect_in(s, shown, "trust: from r1", ":show cluster2")
        expect_in(s, shown, "install: network network1", ":show cluster2")
        finish(s)


# 2. A multi-line cluster block on `...` prompts.
def multi_line_block(program, home, term):
    with start(program, home, term) as s:
        shown = run_entry(s, "cluster c1 <", "trust from root", ">")
        expect_not_in(s, shown, "error", "the closed block")
        shown = run(s, ":show c1")
        expect_in(s, shown, "cluster c1\n", ":show c1")
        expect_in(s, shown, "trust: from root\n", ":show c1")
        # A list and a string continue too.
        run_entry(s, "let items = [1,", "2]")
        expect_in(s, run(s, "print len($items)"), "2\n", "the list entry")
        # Ctrl-C at a `...` prompt drops the whole entry.
        run(s, "cluster c2 <", prompt=MORE)
        mark = s.mark()
        s.key("ctrl-c")
        s.expect_exact(PROMPT, "the main prompt after Ctrl-C at '...'")
        expect_not_in(s, text_since(s, mark), MORE, "after Ctrl-C")
        expect_in(s, run(s, ":show"), "clusters: c1\n", "the dropped entry")
        finish(s)


# 3. Tab completion through the real line editor and session.
def tab_completion(program, home, term):
    with start(program, home, term) as s:
        run_all(s, "mesh m", "cluster cluster1 < trust from root >")
        # A cluster name after `discover with`.
        s.send("cluster c2 < trust from root; discover with clu")
        s.key("tab")
        s.expect_exact("ster1", "cluster1 completed")
        shown = run(s, ">")
        expect_not_in(s, shown, "error", "the completed line")
        expect_in(s, run(s, ":show c2"), "has remote secrets of: cluster1", "c2 discovers cluster1")
        # A colon command.
        s.send(":pl")
        s.key("tab")
        s.expect_exact("an", ":plan completed")
        shown = run(s, "")
        expect_in(s, shown, "Plan for mesh 'm'", ":plan after Tab")
        # A command inside a cluster block, and a root after `trust from`.
        s.send("cluster c3 < tr")
        s.key("tab")
        s.expect_exact("ust", "trust completed")
        s.send("from ro")
        s.key("tab")
        s.expect_exact("ot", "root completed")
        run(s, ">")
        expect_in(s, run(s, ":show c3"), "trust: from root", "c3 has trust")
        # Several candidates: the first Tab rings the bell, the second lists them.
        s.send("cluster c4 < ")
        s.key("tab")
        mark = s.mark()
        s.key("tab")
        s.expect_exact(PROMPT + "cluster c4 < ", "the line drawn again below the listing")
        listing = text_since(s, mark).replace(PROMPT, "")
        for word in ["context", "discover", "install", "server", "trust", "let"]:
            expect_in(s, listing, word, "the listing")
        for word in ["mesh", "network", "kubeconfig"]:
            expect_not_in(s, listing, word, "the listing (top-level commands)")
        s.key("ctrl-c")
        s.expect_exact(PROMPT)
        finish(s)


# 4. History recalled after a restart, one-line and multi-line entries.
def history_after_restart(program, home, term):
    with start(program, home, term) as s:
        run_entry(s, "cluster c1 <", "  trust from root", ">")
        run(s, 'let greeting = "hello from history"')
        finish(s)
    history = os.path.join(home, ".meshscript_history")
    if not os.path.exists(history):
        raise ScenarioFailure(f"no {history} after the first session")
    with start(program, home, term) as s:
        s.key("up")
        s.expect_exact('let greeting = "hello from history"', "the last statement recalled by Up")
        run(s, "")
        expect_in(s, run(s, "print $greeting"), "hello from history\n", "the recalled statement ran")
        # Up twice more (past `print $greeting` and the `let`): the multi-line block, whole.
        s.key("up", "up", "up")
        s.expect_exact("  trust from root", "the multi-line entry recalled")
        shown = run(s, "")
        expect_not_in(s, shown, "error", "the recalled block")
        expect_in(s, run(s, ":show c1"), "trust: from root", "the recalled block ran")
        finish(s)


def held_if_history(program, home, term):
    """An entry ending in `if ... >` waits one line for `else`. When that line is another
    statement, the held `if` and the statement are two history entries, not one."""
    with start(program, home, term) as s:
        shown = run_entry(s, 'if true < print "held" >', 'print "next"')
        expect_in(s, shown, "held\nnext\n", "the held if, then the next statement")
        s.key("up")
        s.expect_exact('print "next"', "the last statement recalled by Up")
        shown = run(s, "")
        expect_in(s, shown, "next\n", "the recalled statement ran")
        expect_not_in(s, shown, "held", "the recalled statement (the if is an entry of its own)")
        finish(s)


# 5. An error leaves the session as it was.
def error_keeps_state(program, home, term):
    with start(program, home, term) as s:
        run_all(s, "mesh m", "cluster c1 < trust from root >")
        shown = run(s, "cluster c9 < trust frm root >")
        expect_in(s, shown, "error: unexpected word 'frm'", "the diagnostic")
        expect_in(s, shown, "did you mean 'from'?", "the suggestion")
        expect_in(s, shown, "cluster c9 < trust frm root >\n", "the source line")
        expect_in(s, shown, "^~~", "the marker")
        shown = run(s, ":show")
        expect_in(s, shown, "clusters: c1\n", ":show after the error")
        expect_not_in(s, shown, "c9", ":show after the error")
        expect_not_in(s, run(s, "let x = 1"), "error", "let x = 1")
        expect_in(s, run(s, "let x = 2"), "'$x' is already defined", "re-binding")
        shown = run(s, "print $x")
        if shown != "1\n":
            s.fail(f"print $x after a failed re-binding printed {shown!r}, expected '1\\n'")
        # A runtime error after statements that took effect undoes them all.
        shown = run(s, 'cluster c8 < trust from root >; let y = 2; assert false, "boom"')
        expect_in(s, shown, "error: boom", "the assertion")
        shown = run(s, ":show")
        expect_not_in(s, shown, "c8", "the undone cluster")
        expect_not_in(s, shown, "$y", "the undone variable")
        finish(s)  # errors do not change the exit status of an interactive session


# 6. :plan lists the ordered steps.
def plan(program, home, term):
    with start(program, home, term) as s:
        enter_topology(s)
        shown = run(s, ":plan")
        steps = [
            "kubectl create namespace istio-system --context=cluster1",
            "kubectl create secret generic cacerts --context=cluster1",
            "istioctl install --context=cluster1",
            "kubectl create namespace istio-system --context=cluster2",
            "istioctl install --context=cluster2",
            "meshscript remote-secret --name=cluster1 --istio=1.30 --context=cluster1",
            "meshscript remote-secret --name=cluster2 --istio=1.30 --context=cluster2",
        ]
        position = 0
        for step in steps:
            found = shown.find(step, position)
            if found < 0:
                s.fail(f"step {step!r} missing or out of order in the plan:\n{shown}")
            position = found + len(step)
        finish(s)


# 7. :save, then :load in a fresh session: the same plan.
def save_then_load(program, home, term):
    with start(program, home, term) as s:
        enter_topology(s)
        run_entry(s, "for i in range(3, 5) <",
                  '  cluster "cluster${i}" < trust from r1; install network network1; discover with cluster1 >', ">")
        run(s, "cluster broken < trust frm r1 >")  # not saved
        first = run(s, ":plan")
        expect_in(s, first, "cluster4", "the first plan")
        expect_in(s, run(s, ":save saved.mesh"), "saved 6 statements to saved.mesh", ":save")
        finish(s)
    with start(program, home, term) as s:
        expect_in(s, run(s, ":load saved.mesh"), "loaded saved.mesh: 4 clusters in the session", ":load")
        second = run(s, ":plan")
        if second != first:
            diff = "".join(difflib.unified_diff(first.splitlines(True), second.splitlines(True), "first :plan", "second :plan"))
            s.fail(f"the plan after :load differs:\n{diff}")
        finish(s)


SPIN = "recipe spin() < for i in range(0, 100000) < for j in range(0, 100000) < > > >"
# 10^10 steps: only Ctrl-C ends spin. At the default 5,000,000 a fast build reaches the limit
# in well under a second, before the Ctrl-C is sent.
SPIN_LIMITS = ["--max-steps", "10000000000"]


# 8. Ctrl-C cancels a running evaluation (the session survives) and a half-typed line.
def ctrl_c(program, home, term, blocked_signals=()):
    with start(program + SPIN_LIMITS, home, term, blocked_signals=blocked_signals) as s:
        run_all(s, "mesh m", SPIN)
        mark = s.mark()
        s.line("spin")
        s.expect_exact("spin\r\n", "the echo of spin")
        time.sleep(0.5)
        if not s.child.isalive():
            s.fail("the program ended during the evaluation")
        if s.child.expect_exact([PROMPT, drive.pexpect.TIMEOUT], timeout=0.1) == 0:
            s.fail("spin ended before Ctrl-C was sent (with --max-steps 10^10 only Ctrl-C should end it)")
        sent = time.monotonic()
        s.key("ctrl-c")
        s.expect(r"evaluation cancelled|step limit", "the evaluation to stop")
        waited = time.monotonic() - sent
        s.expect_exact(PROMPT, "the prompt after the cancelled evaluation")
        shown = text_since(s, mark)
        expect_in(s, shown, "error: evaluation cancelled", "Ctrl-C during spin")
        if waited > 5:
            s.fail(f"the evaluation stopped {waited:.1f} s after Ctrl-C")
        if not s.child.isalive():
            s.fail("the program ended after Ctrl-C")
        expect_in(s, run(s, ":show"), "recipes: spin", ":show after the cancelled evaluation")
        # The next evaluation is not cancelled by the earlier Ctrl-C.
        expect_in(s, run(s, "print 40 + 2"), "42\n", "an evaluation after Ctrl-C")
        # A half-typed line: dropped, nothing evaluated.
        s.send("cluster c5 < trust fr")
        s.expect_exact("trust fr")
        s.key("ctrl-c")
        s.expect_exact("^C", "^C after the half-typed line")
        s.expect_exact(PROMPT, "a fresh prompt")
        shown = run(s, ":show")
        expect_not_in(s, shown, "c5", "the cancelled line")
        # Ctrl-C on an empty prompt does nothing either.
        s.key("ctrl-c")
        s.expect_exact(PROMPT)
        expect_in(s, run(s, "print 1"), "1\n", "after Ctrl-C at an empty prompt")
        finish(s)


# 8b. The same when the REPL inherits a mask that blocks every signal (a child of a
# thread that blocks them, such as a dispatch worker's): it must unblock what it handles.
def ctrl_c_signals_blocked(program, home, term):
    ctrl_c(program, home, term, blocked_signals=signal.valid_signals())


# 9. Ctrl-D on an empty line exits 0 (after errors too); :quit as well; bare `meshscript`.
def ctrl_d(program, home, term):
    with start(program, home, term) as s:
        run(s, "cluster c1 < trust frm root >")
        s.send("x")
        s.key("ctrl-a", "ctrl-d")  # not empty: deletes the x
        s.key("ctrl-d")  # now empty: leaves
        s.expect_end(status=0)
    with start(program, home, term) as s:
        run(s, "cluster c1 <", prompt=MORE)
        s.key("ctrl-d")  # inside an entry: leaves too, dropping it
        s.expect_end(status=0)
    with start(program, home, term) as s:
        s.line(":quit")
        s.expect_end(status=0)
    with start(program[:1], home, term) as s:  # `meshscript` alone on a terminal
        expect_in(s, run(s, "print \"bare\""), "bare\n", "bare meshscript")
        finish(s)


# 11a. :graph prints DOT that graphviz accepts.
def graph(program, home, term):
    dot = shutil.which("dot")
    if dot is None:
        raise ScenarioFailure("graphviz `dot` is not installed")
    with start(program, home, term) as s:
        enter_topology(s)
        shown = run(s, ":graph")
        if not shown.startswith("digraph "):
            s.fail(f":graph did not print a digraph:\n{shown}")
        for edge in ['"cluster1" -> "cluster2"', '"cluster2" -> "cluster1"']:
            expect_in(s, shown, edge, ":graph")
        result = subprocess.run([dot, "-Tsvg"], input=shown, capture_output=True, text=True, timeout=30)
        if result.returncode != 0 or "<svg" not in result.stdout:
            s.fail(f"dot -Tsvg rejected the graph (status {result.returncode}): {result.stderr}\n{shown}")
        finish(s)


# 11b. :check shows the validator's diagnostic; :render writes the certificates.
def check_and_render(program, home, term):
    with start(program, home, term) as s:
        enter_topology(s)
        expect_in(s, run(s, ":check"), "ok: 2 clusters, 2 discovery links", ":check on a valid topology")
        run(s, "cluster cluster3 < trust from r1; discover with clustr2 >")
        shown = run(s, ":check")
        expect_in(s, shown, "error: unknown cluster 'clustr2'", ":check on an invalid topology")
        expect_in(s, shown, "did you mean 'cluster2'?", ":check's suggestion")
        expect_in(s, shown, "discover with clustr2", ":check's source line")
        expect_in(s, run(s, ":render out"), "error: unknown cluster 'clustr2'", ":render validates first")
        if os.path.exists(os.path.join(home, "out")):
            s.fail(":render wrote files for an invalid topology")
        run(s, ":reset")
        enter_topology(s)
        shown = run(s, ":render out")
        expect_in(s, shown, "rendered out: ", ":render")
        for name in ["out/root-cert.pem", "out/cluster1/ca-cert.pem", "out/cluster2/cert-chain.pem"]:
            path = os.path.join(home, name)
            if not os.path.isfile(path) or b"BEGIN CERTIFICATE" not in open(path, "rb").read():
                s.fail(f":render did not write the certificate {path}")
        finish(s)


# 12. Issue 11: :undo, a cluster declared again, :load after an edit, a cluster named early.
def undo(program, home, term):
    """:undo after a cluster takes it back; after a failed entry it takes back the last
    accepted one (the failed entry was never accepted)."""
    with start(program, home, term) as s:
        enter_topology(s)
        run_entry(s, "cluster cluster3 <", "  trust from r1; install network network1", ">")
        expect_in(s, run(s, ":show"), "clusters: cluster1, cluster2, cluster3\n", "before :undo")
        expect_in(s, run(s, ":undo"), "undone: cluster cluster3 < ...\n", ":undo after a cluster")
        shown = run(s, ":show")
        expect_in(s, shown, "clusters: cluster1, cluster2\n", ":show after :undo")
        expect_in(s, run(s, "cluster cluster4 < trust frm r1 >"), "error: unexpected word 'frm'", "the failed entry")
        shown = run(s, ":undo")
        expect_in(s, shown, "undone: cluster cluster2 < trust from r1; install network network1; discover with cluster1 >\n",
                  ":undo after a failed entry")
        shown = run(s, ":show")
        expect_in(s, shown, "clusters: cluster1\n", ":show after the second :undo")
        expect_not_in(s, shown, "links:", ":show after the second :undo")
        expect_in(s, run(s, ":check"), "ok: 1 cluster, 0 discovery links", ":check after :undo")
        for _ in range(4):
            run(s, ":undo")
        expect_in(s, run(s, ":undo"), "error: nothing to undo", ":undo with nothing left")
        expect_in(s, run(s, ":help"), ":undo", ":help")
        finish(s)


def redeclared_cluster(program, home, term):
    """A cluster declared again is an error naming the first declaration and how to replace it;
    following that help replaces it."""
    with start(program, home, term) as s:
        enter_topology(s)
        shown = run(s, "cluster cluster1 < trust from root; install network network1 >")
        expect_in(s, shown, "error: cluster 'cluster1' is already declared in this session", "the error")
        expect_in(s, shown, "note: first declared here", "the note")
        expect_in(s, shown, "cluster cluster1 < trust from r1; install network network1 >", "the first declaration's line")
        expect_in(s, shown, "help: to replace it, :undo back to the statement that declared it (or :reset), then declare it again",
                  "the help")
        expect_in(s, run(s, ":show cluster1"), "trust: from r1\n", "the first cluster1 is kept")
        run(s, ":undo")
        run(s, ":undo")
        expect_not_in(s, run(s, "cluster cluster1 < trust from root; install network network1 >"), "error", "declared again")
        expect_in(s, run(s, ":show cluster1"), "trust: from root\n", "the replaced cluster1")
        finish(s)


LIB_1 = """let prefix = "kind-"
recipe primary(name) < cluster $name < context "${prefix}${name}"; trust from r1; install network network1 > >
primary cluster1
"""

LIB_2 = """let prefix = "east-"
recipe primary(name) < cluster $name < context "${prefix}${name}"; trust from r1; install network network1 > >
primary cluster1
primary cluster5
"""


def load_after_edit(program, home, term):
    """:load of an edited file: its new values are in effect (:show and :plan prove it), and an
    edit with an error leaves the session as it was."""
    lib = os.path.join(home, "lib.mesh")
    with open(lib, "w") as f:
        f.write(LIB_1)
    with start(program, home, term) as s:
        run_all(s, "mesh mesh1", "network network1", "root r1 < key ecdsa p256 >")
        expect_in(s, run(s, ":load lib.mesh"), "loaded lib.mesh: 1 cluster in the session", "the first :load")
        run(s, "primary cluster2")
        expect_in(s, run(s, ":show cluster1"), "context: kind-cluster1", "before the edit")
        expect_in(s, run(s, ":plan"), "--context=kind-cluster1", "the plan before the edit")
        with open(lib, "w") as f:
            f.write(LIB_2)
        shown = run(s, ":load lib.mesh")
        expect_in(s, shown, "reloaded lib.mesh: added cluster cluster5; changed $prefix, cluster cluster1, cluster cluster2\n", "the reload")
        expect_in(s, run(s, ":show $prefix"), '$prefix = "east-"', ":show $prefix after the reload")
        expect_in(s, run(s, ":show cluster1"), "context: east-cluster1", ":show cluster1 after the reload")
        # cluster2's statement came after the :load: it ran again, with the new recipe.
        expect_in(s, run(s, ":show cluster2"), "context: east-cluster2", "the statement after the :load")
        expect_in(s, run(s, ":show"), "clusters: cluster1, cluster5, cluster2\n", ":show after the reload")
        plan = run(s, ":plan")
        expect_in(s, plan, "3 clusters", "the plan after the reload")
        for context in ["east-cluster1", "east-cluster5", "east-cluster2"]:
            expect_in(s, plan, "--context=" + context, "the plan after the reload")
        expect_not_in(s, plan, "kind-", "the plan after the reload")
        with open(lib, "w") as f:
            f.write(LIB_2.replace("trust from r1", "trust frm r1"))
        shown = run(s, ":load lib.mesh")
        expect_in(s, shown, "unexpected word 'frm'", "the edit with an error")
        expect_in(s, shown, "nothing from the new 'lib.mesh' was kept: the session is as it was", "the edit with an error")
        if run(s, ":plan") != plan:
            s.fail("the plan changed after a :load that failed")
        expect_in(s, run(s, ":help"), ":load FILE", ":help")
        finish(s)


def dangling_reference(program, home, term):
    """A cluster named before it is declared gets a note at entry (not an error); :check
    refuses it until it is declared."""
    with start(program, home, term) as s:
        run_all(s, "mesh mesh1", "network network1")
        shown = run(s, "cluster cluster1 < trust from root; install network network1; discover with cluster3 >")
        expect_in(s, shown, "note: cluster 'cluster3' is not declared yet: declare it before :check or :plan", "the note")
        expect_in(s, shown, "discover with cluster3", "the note's source line")
        expect_not_in(s, shown, "error", "a note, not an error")
        expect_in(s, run(s, ":show"), "clusters: cluster1\n", "the entry was accepted")
        expect_in(s, run(s, ":check"), "error: unknown cluster 'cluster3'", ":check before cluster3 exists")
        expect_not_in(s, run(s, "cluster cluster3 < trust from root; install network network1 >"), "note", "cluster3 declared")
        expect_in(s, run(s, ":check"), "ok: 2 clusters", ":check once cluster3 exists")
        finish(s)


SCENARIOS = {
    "statements-then-show": statements_then_show,
    "multi-line-block": multi_line_block,
    "tab-completion": tab_completion,
    "history-after-restart": history_after_restart,
    "held-if-history": held_if_history,
    "error-keeps-state": error_keeps_state,
    "plan": plan,
    "save-then-load": save_then_load,
    "ctrl-c": ctrl_c,
    "ctrl-c-signals-blocked": ctrl_c_signals_blocked,
    "ctrl-d": ctrl_d,
    "graph": graph,
    "check-and-render": check_and_render,
    "undo": undo,
    "redeclared-cluster": redeclared_cluster,
    "load-after-edit": load_after_edit,
    "dangling-reference": dangling_reference,
}

if __name__ == "__main__":
    run_scenarios(SCENARIOS)
