#!/usr/bin/env python3
"""Interpreter speed, side by side with Lua 5.4 as a reference (not a test).

Measures, each as the best of several runs:
  start-up      `meshscript --version`            vs `lua5.4 -e ''`
  lex + parse   `meshscript check` on a 10 MB script whose statements are never run
                (a recipe body that is not called)  vs `luac5.4 -p` on a 10 MB Lua file
  check         `meshscript check` on a 10 MB script declaring ~130k clusters
                (evaluation + validation)         vs `lua5.4` building the same tables
  loop          1000 x 1000 nested loop with a let and an addition
                                                  vs the same loop in Lua
Usage: scripts/bench-interpreter.py [--meshscript PATH]   (default: the static release build, rebuilt when out of date)
"""
import os, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def meshscript_binary():
    if "--meshscript" in sys.argv:
        return sys.argv[sys.argv.index("--meshscript") + 1]
    path = os.path.join(ROOT, ".build", "release", "meshscript")
    # Always ask SwiftPM: a release binary left from older sources would be measured otherwise.
    # Up to date, this takes a second; from scratch, a few minutes on two cores.
    print("building the release binary if it is out of date...", file=sys.stderr)
    # The binary the README tells users to build: statically linked runtime (start-up halves).
    subprocess.run(["swift", "build", "-c", "release", "--product", "meshscript", "--static-swift-stdlib"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return path

def best(argv, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            sys.exit(f"failed: {' '.join(argv)}\n{result.stderr.decode()[-2000:]}")
    return min(times)

def main():
    lua, luac = shutil.which("lua5.4"), shutil.which("luac5.4")
    if not lua or not luac:
        sys.exit("lua5.4 is missing: apt-get install -y lua5.4")
    mesh = meshscript_binary()
    work = tempfile.mkdtemp(prefix="bench-interpreter-")
    size = 10_000_000

    clusters, lua_clusters, count = ["mesh m", "network n"], ["local t = {}"], 0
    while sum(map(len, clusters)) + len(clusters) < size:
        clusters.append(f'cluster c{count} < context "ctx-{count}"; trust from root; install network n >')
        lua_clusters.append(f't["c{count}"] = {{ context = "ctx-{count}", trust = "root", network = "n" }}')
        count += 1
    write = lambda name, lines: open(os.path.join(work, name), "w").write("\n".join(lines) + "\n")
    write("check.mesh", clusters)
    write("parse.mesh", ["recipe unused() <"] + clusters[2:] + [">"])
    write("check.lua", lua_clusters)
    write("parse.lua", ["local function unused()"] + lua_clusters[1:] + ["end"])
    write("loop.mesh", ["for i in range(0, 1000) <", "  for j in range(0, 1000) < let x = $i + $j >", ">"])
    write("loop.lua", ["for i = 0, 999 do", "  for j = 0, 999 do local x = i + j end", "end"])
    path = lambda name: os.path.join(work, name)

    rows = [
        ("start-up", best([mesh, "--version"], 20), best([lua, "-e", ""], 20)),
        (f"lex + parse 10 MB", best([mesh, "check", path("parse.mesh")]), best([luac, "-p", path("parse.lua")])),
        (f"check {count} clusters", best([mesh, "check", path("check.mesh")], 3), best([lua, path("check.lua")], 3)),
        ("loop 1000x1000", best([mesh, "check", "--max-steps", "100000000", path("loop.mesh")], 3), best([lua, path("loop.lua")], 3)),
    ]
    print(f"{'benchmark':<28}{'meshscript':>12}{'lua5.4':>12}{'ratio':>9}")
    for name, ours, reference in rows:
        print(f"{name:<28}{ours * 1000:>10.1f}ms{reference * 1000:>10.1f}ms{ours / reference:>8.1f}x")
    shutil.rmtree(work)

if __name__ == "__main__":
    main()
