#!/usr/bin/env bash
# Builds the library's documentation with swift-docc-plugin: one combined archive of the modules
# `import MeshScript` brings (the catalog Sources/MeshScript/MeshScript.docc is its landing page).
#   scripts/docs.sh            build it, into .build/plugins/Swift-DocC/outputs/MeshScript.doccarchive
#   scripts/docs.sh --check    the same, failing when DocC or the plugin print any warning (scripts/test.sh runs this)
#   scripts/docs.sh --preview  build it, then serve it at http://localhost:8000/documentation/meshscript/ (Ctrl-C stops)
# Offline: the plugin comes from the package's dependencies like any other package.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(MeshScriptInterpreter MeshKube MeshDomain MeshTrust MeshRender MeshApply MeshLive MeshScript)
target_flags=()
for t in "${targets[@]}"; do target_flags+=(--target "$t"); done

case "${1:-}" in
  --check | --preview | "") ;;
  *) echo "usage: scripts/docs.sh [--check|--preview]" >&2; exit 64 ;;
esac

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
swift package generate-documentation --enable-experimental-combined-documentation "${target_flags[@]}" >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  cat "$log" >&2
  echo "docs: the documentation build failed (exit $status)" >&2
  exit 1
fi
if [ "${1:-}" = "--check" ]; then
  # DocC prints each problem as "warning: ..." followed by the source lines it is about.
  if grep -q -E "(^|[^a-z])(warning|error):" "$log"; then
    grep -E -A6 "(^|[^a-z])(warning|error):" "$log" >&2
    echo "docs: the documentation build printed warnings (above); fix the doc comments or the catalog" >&2
    exit 1
  fi
  # DocC does not warn about a public symbol without documentation; the symbol graphs it was
  # built from say which have none (enum cases and protocol requirements included, which the
  # source scan of DocumentationTests cannot see). A case written on its enum's own line shares
  # the enum's comment.
  python3 - "$PWD/Sources/" <<'PY'
import glob, json, sys
sources = "file://" + sys.argv[1]
symbols = {}
for path in glob.glob(".build/*/extracted-symbols/*/*/*.symbols.json"):
    for symbol in json.load(open(path))["symbols"]:
        uri = symbol.get("location", {}).get("uri", "")
        if not uri.startswith(sources) or symbol["kind"]["identifier"] == "swift.extension":
            continue
        line = symbol["location"]["position"]["line"] + 1
        name = ".".join(symbol["pathComponents"])
        symbols[(uri, line, name)] = (symbol["kind"]["identifier"], "docComment" in symbol)
documented_lines = {(uri, line) for (uri, line, _), (kind, has) in symbols.items() if has and kind != "swift.enum.case"}
missing = sorted(f"{uri[len('file://'):]}:{line}: {name}" for (uri, line, name), (kind, has) in symbols.items()
                 if not has and not (kind == "swift.enum.case" and (uri, line) in documented_lines))
if not symbols:
    sys.exit("docs: no symbol graphs under .build/*/extracted-symbols")
if missing:
    print("\n".join(missing), file=sys.stderr)
    sys.exit(f"docs: {len(missing)} public symbols have no doc comment (above)")
print(f"docs: all {len(symbols)} public symbols declared in Sources/ have a doc comment")
PY
  echo "docs: the documentation of ${#targets[@]} modules built without warnings"
else
  grep -v '^\[' "$log" | tail -2
fi
if [ "${1:-}" = "--preview" ]; then
  # The archive is laid out for static hosting: any file server will do.
  rm -f "$log"
  echo "docs: serving http://localhost:8000/documentation/meshscript/"
  exec python3 -m http.server 8000 --bind 127.0.0.1 --directory .build/plugins/Swift-DocC/outputs/MeshScript.doccarchive
fi
