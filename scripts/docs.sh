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
