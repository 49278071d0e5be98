#!/usr/bin/env bash
# The main job on the bundled example, no cluster needed: check it, print the plan, and
# render every artifact (certificates, cacerts secrets, IstioOperator files) into out/.
# Then day 2 on emulated clusters: two Kubernetes API servers on loopback (scripts/testing),
# driven by the real kubectl. cluster1 runs a mesh already; apply adds cluster2, running only
# the steps that change something, and status compares the clusters with the script.
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

[ -z "${1:-}" ] || exit 0
if ! command -v python3 >/dev/null || ! command -v kubectl >/dev/null; then
  echo "demo: day 2 on emulated clusters skipped (it needs python3 and kubectl)" >&2
  exit 0
fi
day2="out/day2"
rm -rf "$day2" && mkdir -p "$day2/home"
python3 scripts/testing/kube-emulator.py --clusters cluster1,cluster2 --kubeconfig "$day2/kubeconfig" \
  --context cluster1=kind-cluster1 --context cluster2=kind-cluster2 > "$day2/emulator.json" &
emulator=$!
trap 'kill "$emulator" 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s "$day2/emulator.json" ] && break; sleep 0.1; done
mesh() { # the seed's mesh with the clusters given; `server` is the address peers dial
  printf 'mesh mesh1\nnetwork network1\nroot root < key ecdsa p256 >\nkubeconfig "kubeconfig"\n'
  printf 'cluster cluster1 < context "kind-cluster1"; server "https://cluster1.example:6443"; trust from root; install network network1 >\n'
  [ "$1" = 2 ] && printf 'cluster cluster2 < context "kind-cluster2"; server "https://cluster2.example:6443"; trust from root; install network network1; discover with cluster1 >\n'
  return 0
}
mesh 1 > "$day2/first.mesh"
mesh 2 > "$day2/add-primary.mesh"
# The istioctl stand-in first on PATH; a HOME of its own keeps kubectl's cache for these ports apart.
export PATH="$PWD/scripts/testing:$PATH" HOME="$PWD/$day2/home"
echo "== day 1: cluster1 alone" >&2
"$bin" apply "$day2/first.mesh" --out "$day2/work" --yes > /dev/null 2>&1
echo "== day 2: the live plan for adding cluster2" >&2
"$bin" plan "$day2/add-primary.mesh" --out "$day2/work" --live 2>/dev/null
"$bin" apply "$day2/add-primary.mesh" --out "$day2/work" --yes 2>/dev/null | grep -E '^\[|^applied'
"$bin" status "$day2/add-primary.mesh" --out "$day2/work" --verify 2>/dev/null
