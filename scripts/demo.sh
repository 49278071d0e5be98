#!/usr/bin/env bash
# The main job on the bundled example, no cluster needed: check it, print the plan, and
# render every artifact (certificates, cacerts secrets, IstioOperator files) into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
script="${1:-examples/add-primary.mesh}"
out="${2:-out/$(basename "$script" .mesh)}"
swift build --product meshscript >&2
bin="$(swift build --show-bin-path)/meshscript"
"$bin" check "$script"
"$bin" plan "$script" --out "$out"
"$bin" render "$script" --out "$out"
