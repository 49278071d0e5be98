#!/usr/bin/env bash
# Installs what building and testing MeshScript need, only when it is missing.
# Run by scripts/demo.sh and scripts/test.sh (--test adds what the tests use); safe to run again.
set -euo pipefail

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
need_apt=()
[ -f /usr/include/editline/readline.h ] || need_apt+=(libedit-dev)
# apply, status and `plan --live` run kubectl; Debian ships it as kubernetes-client.
command -v kubectl >/dev/null || need_apt+=(kubernetes-client)
if [ "${1:-}" = "--test" ]; then
  command -v openssl >/dev/null || need_apt+=(openssl)
  command -v tmux >/dev/null || need_apt+=(tmux)
  command -v dot >/dev/null || need_apt+=(graphviz)
  command -v python3 >/dev/null || need_apt+=(python3)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "bootstrap: installing ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
# python_module MODULE DEBIAN_PACKAGE [PYPI_NAME]: installs a python module the tests import, when
# missing, for the python3 on PATH (the one the tests run).
python_module() {
  python3 -c "import $1" 2>/dev/null && return 0
  local pypi="${3:-$1}"
  echo "bootstrap: installing $pypi" >&2
  # pip first (a pyenv or venv python); Debian's own python refuses pip installs (PEP 668) or
  # may have no pip at all, and takes Debian's package instead.
  python3 -m pip install -q "$pypi" 2>/dev/null \
    || { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$2" >/dev/null && python3 -c "import $1" 2>/dev/null; } \
    || python3 -m pip install -q --break-system-packages "$pypi"
  python3 -c "import $1" || { echo "bootstrap: could not install $1 for $(command -v python3)" >&2; exit 1; }
}
if [ "${1:-}" = "--test" ]; then
  python_module pexpect python3-pexpect       # scripts/pty's terminal scenarios
  python_module jsonschema python3-jsonschema # plan.json against schema/plan.schema.json, GitOps trees against their CRDs
  python_module yaml python3-yaml PyYAML      # scripts/testing/validate-gitops.py reads the trees
fi
command -v swift >/dev/null || { echo "bootstrap: swift is not on PATH (expected Swift 6.x)" >&2; exit 1; }
