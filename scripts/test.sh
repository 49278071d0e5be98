#!/usr/bin/env bash
# Runs every test: installs what is missing, the Kubernetes API emulator's self-test (real kubectl
# against it), then builds, builds the documentation (failing on any DocC warning: scripts/docs.sh
# --check; not a Swift test, since SwiftPM holds .build while `swift test` runs) and runs the
# Swift test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --test
python3 scripts/testing/test_emulator.py
swift build --build-tests
bash scripts/docs.sh --check
swift test --skip-build "$@"
