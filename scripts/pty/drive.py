"""Drive an interactive program through a real pseudo-terminal (pexpect), for tests.

Reusable by any MeshScript pty test (the line editor's, later `meshscript repl`'s):

    from drive import Session, ScenarioFailure
    with Session(["meshscript", "repl"], home=tmp) as s:
        s.expect_exact("> ")
        s.line("print 1")
        s.expect_exact("1")
        s.key("ctrl-d")
        s.expect_end(status=0)

Every expectation failure raises ScenarioFailure whose message ends with what the
terminal showed (escape sequences made visible), so a test log says what went wrong.
"""

import os
import re
import signal
import sys
import termios
import time

try:
    import pexpect
except ImportError:  # pragma: no cover - reported by the caller
    pexpect = None

# What a terminal sends for each key (xterm, normal cursor mode).
KEYS = {
    "enter": "\r",
    "tab": "\t",
    "backspace": "\x7f",
    "escape": "\x1b",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "home": "\x1b[H",
    "end": "\x1b[F",
    "delete": "\x1b[3~",
}
for _letter in "abcdefghijklmnopqrstuvwxyz":
    KEYS["ctrl-" + _letter] = chr(ord(_letter) - ord("a") + 1)

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>78]|\x07")


def plain(text):
    """The text without escape sequences and bells."""
    return ANSI.sub("", text)


def visible(text):
    """Control characters spelt out, for failure messages."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append("\\n\n")
        elif ch == "\x1b":
            out.append("\\e")
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append("^" + chr((ord(ch) + 0x40) % 0x80))
        else:
            out.append(ch)
    return "".join(out)


class ScenarioFailure(Exception):
    pass


class Key(str):
    """A key by its name in KEYS, among typed text: s.type("world", Key("ctrl-a"), "hello ")."""


class Session:
    """One program on a fresh pty (24x120 unless told), UTF-8, TERM=xterm unless told."""

    def __init__(self, argv, env=None, home=None, term="xterm", rows=24, cols=120, timeout=15, cwd=None,
                 blocked_signals=None):
        """blocked_signals: when not None, the program starts with exactly these signals
        blocked (by default it inherits this process's mask, which under a test runner
        may block SIGINT: a program started from a shell on a terminal blocks none)."""
        if pexpect is None:
            raise ScenarioFailure("python3 cannot import pexpect (install python3-pexpect or `pip install pexpect`)")
        environment = dict(os.environ)
        environment.pop("COLUMNS", None)
        environment.pop("LINES", None)
        if term is None:
            environment.pop("TERM", None)
        else:
            environment["TERM"] = term
        if home is not None:
            environment["HOME"] = home
        environment.update(env or {})
        self.transcript = []
        preexec = None
        if blocked_signals is not None:
            mask = set(blocked_signals)

            def preexec():
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        self.child = pexpect.spawn(argv[0], list(argv[1:]), env=environment, cwd=cwd, encoding="utf-8",
                                   codec_errors="replace", dimensions=(rows, cols), timeout=timeout,
                                   preexec_fn=preexec)
        self.child.logfile_read = self  # collects everything the program wrote

    # pexpect's logfile protocol
    def write(self, data):
        self.transcript.append(data)

    def flush(self):
        pass

    def output(self):
        return "".join(self.transcript)

    def fail(self, message):
        tail = self.output()[-3000:]
        raise ScenarioFailure(f"{message}\n--- terminal output (last 3000 characters) ---\n{visible(tail)}")

    def mark(self):
        """A position in the output, for `since`."""
        return len(self.output())

    def since(self, mark, strip=True):
        text = self.output()[mark:]
        return plain(text) if strip else text

    def _wait(self, expect, target, what, timeout):
        """One pexpect wait; a timeout, or the program ending first, fails the scenario."""
        try:
            expect(target, timeout=timeout)
        except pexpect.TIMEOUT:
            self.fail(f"timed out waiting for {what or repr(target)}")
        except pexpect.EOF:
            self.fail(f"program ended while waiting for {what or repr(target)}")

    def expect_exact(self, text, what=None, timeout=-1):
        self._wait(self.child.expect_exact, text, what, timeout)
        return self.child.before

    def expect(self, pattern, what=None, timeout=-1):
        self._wait(self.child.expect, pattern, what, timeout)
        return self.child.match

    def send(self, text):
        self.child.send(text)

    def line(self, text):
        self.child.send(text + KEYS["enter"])

    def key(self, *names):
        for name in names:
            self.child.send(KEYS[name])

    def type(self, *parts):
        """Types text and presses Keys in order, each part sent on its own."""
        for part in parts:
            if isinstance(part, Key):
                self.key(part)
            else:
                self.send(part)

    def resize(self, rows, cols):
        self.child.setwinsize(rows, cols)

    def local_modes(self):
        """The terminal's lflag bits (ECHO, ICANON, ...) as the program last set them."""
        return termios.tcgetattr(self.child.child_fd)[3]

    def wait_for_modes(self, predicate, what, timeout=5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.local_modes()):
                return
            time.sleep(0.05)
        self.fail(f"timed out waiting for terminal modes: {what}")

    def suspend_to_shell_and_resume(self):
        """What Ctrl-Z then `fg` does to the program: it stops, the shell puts the
        terminal back in cooked mode with echo, and the program is continued. (A real
        Ctrl-Z cannot be used: the pty's process group is orphaned, so the kernel
        ignores SIGTSTP for it.)"""
        self.child.kill(signal.SIGSTOP)
        time.sleep(0.2)
        attributes = termios.tcgetattr(self.child.child_fd)
        attributes[3] |= termios.ECHO | termios.ICANON
        termios.tcsetattr(self.child.child_fd, termios.TCSANOW, attributes)
        self.child.kill(signal.SIGCONT)

    def expect_end(self, status=0, timeout=-1):
        self._wait(self.child.expect, pexpect.EOF, "the program to end", timeout)
        self.child.close()
        if status is not None and self.child.exitstatus != status:
            self.fail(f"program ended with status {self.child.exitstatus} (signal {self.child.signalstatus}), expected {status}")

    def close(self):
        if self.child.isalive():
            self.child.close(force=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def run_scenarios(scenarios, argv=None):
    """Command line: SCENARIO --home DIR [--term TERM] -- PROGRAM ARGS...

    Runs scenarios[SCENARIO](program_argv, home, term); prints PASS or the failure and
    exits 0 or 1.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        sys.exit("usage: SCENARIO [--home DIR] [--term TERM] -- PROGRAM ARGS...")
    split = argv.index("--")
    options, program = argv[:split], argv[split + 1:]
    name = options.pop(0) if options else ""
    settings = {"--home": None, "--term": "xterm"}
    while options:
        flag = options.pop(0)
        if flag not in settings or not options:
            sys.exit(f"unknown or incomplete option {flag}")
        settings[flag] = options.pop(0)
    if name not in scenarios:
        sys.exit(f"unknown scenario {name!r}; known: {', '.join(sorted(scenarios))}")
    try:
        scenarios[name](program, settings["--home"], settings["--term"])
    except ScenarioFailure as failure:
        print(f"FAIL {name}: {failure}")
        sys.exit(1)
    print(f"PASS {name}")
