#!/usr/bin/env python3
"""Grammar-shaped MeshScript programs for the fuzzer, and seed inputs from existing scripts.

  generate.py programs --count N --seed S --out DIR   N random programs, one fuzz input each
  generate.py pack --out DIR FILE...                  each script with the files it imports

A fuzz input is the main script, then each imported file after a line `#== PATH` (see
Fuzz/MeshFuzz/FuzzInput.swift). Programs follow grammar/meshscript.ebnf: the generator reads the
statement and word alternatives and the keywords from it and refuses to run when the grammar has
one it cannot produce, so the two stay in step. Programs use the mesh commands as a real script
does (mesh, networks, roots, clusters with trust, install and discover; recipes, loops, ifs,
lists, interpolation, imports between the files), so most are valid and reach planning and
rendering; a few are mutated afterwards (a token dropped, doubled or swapped) for error paths.
"""
import argparse
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GRAMMAR = os.path.join(HERE, "..", "grammar", "meshscript.ebnf")
SEPARATOR = "#== "

# What this generator produces for each alternative of the grammar's `statement` and `word`.
STATEMENTS = {"let-statement", "set-statement", "recipe-statement", "yield-statement", "return-statement", "for-statement",
              "if-statement", "import-statement", "assert-statement", "print-statement", "command"}
WORDS = {'"-"', "primary", "identifier", "variable", "number", '"true"', '"false"', "string", "list", "comprehension",
         "map", "call", '"("'}


def grammar_facts(path):
    """The alternatives of `statement` and `word`, and the keywords, as the grammar states them."""
    text = open(path, encoding="utf-8").read()
    body = re.sub(r"\(\*.*?\*\)", " ", text, flags=re.S)

    def alternatives(name):
        match = re.search(r"^\s*" + re.escape(name) + r"\s*=(.*?);", body, flags=re.S | re.M)
        if not match:
            sys.exit(f"generate.py: no production '{name}' in {path}")
        return {alt.strip().split(",")[0].strip() for alt in match.group(1).split("|")}

    keywords = re.search(r"Keywords \(reserved: never names\):\s*\n\s*(.*?)\n", text)
    if not keywords:
        sys.exit(f"generate.py: no keyword list in {path}")
    return alternatives("statement"), alternatives("word") | alternatives("primary"), keywords.group(1).split()


def check_in_step(path):
    statements, words, keywords = grammar_facts(path)
    unknown = (statements - STATEMENTS) | (words - WORDS)
    if unknown:
        sys.exit(f"generate.py: the grammar has alternatives this generator cannot produce: {sorted(unknown)}")
    return keywords


class Program:
    """One random program: a main script and a few library files it imports."""

    def __init__(self, rng, keywords):
        self.rng = rng
        self.keywords = set(keywords)
        self.variables = []          # (name, kind) bound at the top level of main so far
        self.recipes = []            # (name, parameter count) main can call
        self.networks = []
        self.roots = ["root"]
        self.clusters = []           # names declared so far (forward references are fine too)
        self.counter = 0
        self.legacy = False

    # Names and literals -----------------------------------------------------------------

    def fresh(self, stem):
        self.counter += 1
        name = f"{stem}{self.counter}"
        return name if name not in self.keywords else name + "x"

    def string_literal(self, text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'

    def name_word(self, name):
        """A name as a command word: bare, quoted, interpolated or from a `let`."""
        choice = self.rng.random()
        if choice < 0.55:
            return name
        if choice < 0.75:
            return self.string_literal(name)
        head, tail = name[:1], name[1:]
        return f'"{head}${{"{tail}"}}"' if tail else self.string_literal(name)

    # Expressions, following the grammar's levels: or, and, not, ==/!=, +, word ------------

    def expr(self, kind, depth=0):
        if depth > 3:
            return self.atom(kind, depth)
        roll = self.rng.random()
        if kind == "bool":
            if roll < 0.2:
                return f"{self.expr('bool', depth + 1)} {self.rng.choice(['and', 'or'])} {self.expr('bool', depth + 1)}"
            if roll < 0.3:
                return f"not {self.atom('bool', depth + 1)}"
            if roll < 0.6:
                other = self.rng.choice(["int", "str", "list"])
                return f"{self.expr(other, depth + 1)} {self.rng.choice(['==', '!='])} {self.expr(other, depth + 1)}"
        elif kind in ("int", "str", "list") and roll < 0.3:
            return f"{self.atom(kind, depth + 1)} + {self.atom(kind, depth + 1)}"
        return self.atom(kind, depth)

    # The values of the language's later additions: minus, comparisons in parentheses, `in`,
    # maps and fields, indexing and slicing, comprehensions, string functions, recipe values.
    EXTRA = {
        "int": ["-3", "(7 - 2)", "len({a: 1, b: 2})", "{n: 4}.n", "[5, 6][-1]", "len(range(0, 9)[2:5])"],
        "str": ['lower("AB")', 'upper("ab")', 'replace("a-b", "-", "_")', 'join(["a", "b"], "-")',
                'format("{}-{}", 1, "x")', '"abc"[1:]', '{k: "v"}["k"]', 'split("a,b", ",")[0]'],
        "bool": ["(1 < 2)", "(3 >= 3)", '"a" in ["a", "b"]', '"k" in {k: 1}', '"b" in "abc"', "{a: 1} == {a: 1}"],
        "list": ["[$x + 1 for x in range(0, 3) if ($x > 0)]", "range(0, 5)[1:3]", 'keys({a: 1, b: 2})',
                 'split("a b", " ")', "[1, 2] + [3]"],
    }

    def atom(self, kind, depth):
        if self.rng.random() < 0.15:
            return self.rng.choice(self.EXTRA[kind])
        bound = [name for name, k in self.variables if k == kind]
        if bound and self.rng.random() < 0.3:
            return "$" + self.rng.choice(bound)
        if self.rng.random() < 0.12 and depth < 4:
            return "(" + self.expr(kind, depth + 1) + ")"
        return getattr(self, "atom_" + kind)(depth)

    def atom_int(self, depth):
        roll = self.rng.random()
        if roll < 0.6:
            return str(self.rng.choice([0, 1, 2, 3, 7, 42, 65535, 9223372036854775807]))
        if roll < 0.85:
            return f"len({self.expr(self.rng.choice(['str', 'list']), depth + 1)})"
        return "len(clusters())"

    def atom_str(self, depth):
        roll = self.rng.random()
        if roll < 0.35:
            return self.string_literal(self.rng.choice(["", "eu", "kind-x", "a b", "tab\there", "ünï", "👍🏽", "line\nbreak"]))
        if roll < 0.55:
            return self.fresh("name")
        if roll < 0.75:
            inner = self.expr(self.rng.choice(["int", "str"]), depth + 1)
            # `${name}` is the variable $name: a bare name goes in parentheses to stay a string.
            inner = f"({inner})" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", inner) else inner
            return f'"pre-${{{inner}}}-post"'
        if roll < 0.9:
            return f"str({self.expr(self.rng.choice(['int', 'bool', 'list']), depth + 1)})"
        return f'env("MESH_{self.rng.randint(0, 9)}", {self.expr("str", depth + 1)})'

    def atom_bool(self, depth):
        return self.rng.choice(["true", "false"])

    def atom_list(self, depth):
        roll = self.rng.random()
        if roll < 0.4:
            items = [self.expr(self.rng.choice(["int", "str", "bool"]), depth + 1) for _ in range(self.rng.randint(0, 3))]
            return "[" + ", ".join(items) + ("," if items and self.rng.random() < 0.2 else "") + "]"
        if roll < 0.8:
            args = [str(self.rng.randint(0, 3))] + ([str(self.rng.randint(0, 6))] if self.rng.random() < 0.5 else [])
            return "range(" + ", ".join(args) + ")"
        return "clusters()"

    # Statements ---------------------------------------------------------------------------

    def let(self, kind=None):
        kind = kind or self.rng.choice(["int", "str", "bool", "list"])
        name = self.fresh("v")
        line = f"let {name} = {self.expr(kind)}"
        self.variables.append((name, kind))
        return line

    def check_statement(self):
        if self.rng.random() < 0.5:
            return f"print {self.expr(self.rng.choice(['int', 'str', 'bool', 'list']))}"
        message = "" if self.rng.random() < 0.5 else ",\n  " + self.expr("str")
        return f"assert {self.rng.choice(['true', 'not false', 'len([1]) == 1', '1 + 1 == 2'])}{message}"

    def cluster_body(self, name, network, root):
        lines = []
        if self.rng.random() < 0.5:
            lines.append("context " + self.name_word("kind-" + name))
        if self.rng.random() < 0.2:
            lines.append(f'server "https://10.{self.rng.randint(0, 255)}.0.{self.rng.randint(1, 254)}:6443"')
        lines.append("trust from " + self.name_word(root))
        options = []
        if network and (len(self.networks) != 1 or self.rng.random() < 0.5):
            options.append("network " + self.name_word(network))
        if self.rng.random() < 0.25:
            options.append('revision "1-' + str(self.rng.randint(6, 30)) + '"')
        if self.rng.random() < 0.2:
            options.append("profile " + self.rng.choice(["default", "demo", '"minimal"']))
        self.rng.shuffle(options)
        lines.append(" ".join(["install"] + options))
        peers = [c for c in self.clusters if c != name]
        if peers and self.rng.random() < 0.7:
            chosen = self.rng.sample(peers, self.rng.randint(1, min(3, len(peers))))
            joiner = self.rng.choice([", ", ",\n    "])
            lines.append(f"discover {self.rng.choice(['with', 'with', 'from'])} " + joiner.join(self.name_word(c) for c in chosen))
        if self.rng.random() < 0.15:
            lines.append(self.check_statement())
        return lines

    def cluster(self, network=None, root=None):
        name = self.fresh(self.rng.choice(["c", "east-", "west-", "kind-"]))
        network = network or (self.rng.choice(self.networks) if self.networks else None)
        body = self.cluster_body(name, network, root or self.roots[0])
        self.clusters.append(name)
        return self.block(f"cluster {self.name_word(name)}", body)

    def block(self, head, lines):
        if self.rng.random() < 0.4 and all("\n" not in line for line in lines):
            return f"{head} < " + "; ".join(lines) + " >"
        return f"{head} <\n" + "\n".join("  " + line.replace("\n", "\n  ") for line in lines) + "\n>"

    def header(self):
        lines = []
        self.legacy = self.rng.random() < 0.15
        version = '"1.6"' if self.legacy else self.rng.choice(['"1.24"', '"current"', '"latest"'])
        mesh = self.fresh("mesh")
        lines.append(f"mesh {self.name_word(mesh)}" + (f" < istio {version} >" if self.legacy or self.rng.random() < 0.3 else ""))
        for _ in range(1 if self.legacy else self.rng.randint(1, 3)):
            network = self.fresh("net")
            self.networks.append(network)
            lines.append("network " + self.name_word(network))
        if self.rng.random() < 0.3:
            root = self.fresh("ca")
            options = [f'org "{self.fresh("Org")}"', 'cn "Root CA"', f"days {self.rng.randint(1, 36500)}",
                       self.rng.choice(["key rsa 2048", "key rsa 4096", "key ecdsa p256", 'key ecdsa "p384"'])]
            lines.append(self.block("root " + root, self.rng.sample(options, self.rng.randint(1, len(options)))))
            self.roots = [root]
        return lines

    def recipe(self):
        name = self.fresh("primary-")
        network = self.networks[0] if self.networks else None
        body = ["let peers = clusters()", "let seen = []", "for p in $peers < set seen = $seen + [$p] >",
                self.block("cluster $name", ["context \"kind-${name}\"", f"trust from {self.roots[0]}",
                                             "install" + (f" network {network}" if network else ""),
                                             "if len($seen) != 0 < discover with $seen >", "yield"])]
        if self.rng.random() < 0.3:
            body.append("return $name")
        self.recipes.append((name, 1))
        parameters = self.rng.choice(["(name", "(name: name", "(name, extra = 1", "(name, extra: int = 1"])
        return self.block(f"recipe {name}{parameters}" + ("," if self.rng.random() < 0.2 else "") + ")", body), name

    def control(self, recipe):
        if self.rng.random() < 0.5:
            var = self.fresh("i")
            start = self.rng.randint(0, 3)
            loop = f'for {var} in range({start}, {start + self.rng.randint(0, 3)}) < {recipe} "rc{self.counter}-${{{var}}}" >'
            return loop
        condition = self.expr("bool")
        return f'if {condition} <\n  {recipe} "ri{self.counter}-a"\n> else if {self.expr("bool")} <\n  {recipe} "ri{self.counter}-b"\n>' \
            + ("\nelse < print \"neither\" >" if self.rng.random() < 0.5 else "")

    def library(self, path):
        """A file main imports: variables and a recipe (its names are fresh, so no clash)."""
        saved = self.variables
        self.variables = []
        lines = [f"# {path}", self.let("str"), self.let("list")]
        text, name = self.recipe()
        lines.append(text)
        exported = self.variables
        self.variables = saved + exported
        return "\n".join(lines) + "\n", name

    def generate(self):
        files = []
        lines = self.header()
        for index in range(self.rng.randint(0, 2)):
            path = self.rng.choice(["lib/", "", "lib/deep/"]) + f"part{index}.mesh"
            text, recipe = self.library(path)
            if files and self.rng.random() < 0.5:
                # This file imports the previous one (relative to itself) and main imports only
                # this one: the previous file's names come along.
                previous = files[-1][0]
                text = f"import {self.string_literal(os.path.relpath(previous, os.path.dirname(path) or '.'))}\n" + text
                lines = [line for line in lines if line != f"import {self.string_literal(previous)}"]
            files.append((path, text))
            lines.insert(self.rng.randint(0, len(lines)), f"import {self.string_literal(path)}")
            lines.append(self.control(recipe))
        statements = [self.let, self.check_statement, self.cluster, self.cluster, self.cluster]
        for _ in range(self.rng.randint(1, 6)):
            lines.append(self.rng.choice(statements)())
        if self.rng.random() < 0.5:
            text, name = self.recipe()
            lines += [text, self.control(name)]
        separator = self.rng.choice(["\n", "\n", "\n\n", ";\n"])
        main = separator.join(lines) + "\n"
        return main + "".join(f"{SEPARATOR}{path}\n{text}" for path, text in files)


def mutate(rng, text, keywords):
    """One small syntactic change: a token dropped, doubled or replaced, or a line cut."""
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|\$?[A-Za-z_][A-Za-z0-9_-]*|\d+|==|!=|\s+|.', text, flags=re.S)
    if not tokens:
        return text
    index = rng.randrange(len(tokens))
    roll = rng.random()
    if roll < 0.3:
        tokens[index] = ""
    elif roll < 0.5:
        tokens[index] = tokens[index] * 2
    elif roll < 0.8:
        tokens[index] = rng.choice(sorted(keywords) + ["<", ">", "[", "]", "(", ")", ",", ";", "=", "+", "==", "!=", "\n",
                                                       "${", "}", "\\", "$", "#", '"', "\t", "\r", "é", "{"])
    else:
        return text[: rng.randrange(len(text) + 1)]
    return "".join(tokens)


def programs(args):
    keywords = check_in_step(args.grammar)
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for number in range(args.count):
        text = Program(rng, keywords).generate()
        if rng.random() < args.mutate:
            for _ in range(rng.randint(1, 3)):
                text = mutate(rng, text, keywords)
        with open(os.path.join(args.out, f"gen-{args.seed}-{number:06d}.mesh"), "w", encoding="utf-8") as out:
            out.write(text)


IMPORT = re.compile(r'^\s*import\s+"([^"$\\]+)"', re.M)


def pack_one(path):
    """`path` with every file it imports (transitively, by literal path) after separators."""
    base = os.path.dirname(os.path.abspath(path))
    main = open(path, encoding="utf-8", errors="surrogateescape").read()
    parts, seen, queue = [], set(), [(main, base)]
    while queue:
        text, directory = queue.pop(0)
        for target in IMPORT.findall(text):
            full = os.path.normpath(os.path.join(directory, target))
            relative = os.path.relpath(full, base)
            if relative in seen or relative.startswith("..") or not os.path.isfile(full):
                continue
            seen.add(relative)
            body = open(full, encoding="utf-8", errors="surrogateescape").read()
            parts.append(f"{SEPARATOR}{relative}\n{body}" + ("" if body.endswith("\n") else "\n"))
            queue.append((body, os.path.dirname(full)))
    return main + ("" if main.endswith("\n") or not parts else "\n") + "".join(parts)


def pack(args):
    os.makedirs(args.out, exist_ok=True)
    for path in args.files:
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.relpath(path))
        with open(os.path.join(args.out, "seed-" + name), "w", encoding="utf-8", errors="surrogateescape") as out:
            out.write(pack_one(path))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    generated = commands.add_parser("programs", help="write random grammar-shaped programs")
    generated.add_argument("--count", type=int, default=1000)
    generated.add_argument("--seed", type=int, default=1)
    generated.add_argument("--mutate", type=float, default=0.2, help="the share of programs mutated afterwards")
    generated.add_argument("--grammar", default=GRAMMAR)
    generated.add_argument("--out", required=True)
    packed = commands.add_parser("pack", help="write each script with its imports as one fuzz input")
    packed.add_argument("--out", required=True)
    packed.add_argument("files", nargs="+")
    args = parser.parse_args()
    programs(args) if args.command == "programs" else pack(args)


if __name__ == "__main__":
    main()
