#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then the Swift test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --test
swift build --build-tests
swift test --skip-build "$@"
