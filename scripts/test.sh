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
# The embedding example is a package of its own (a second build of the library, minutes of CPU):
# built here with the rest, so the test that runs it recompiles only the host's own code.
swift build --package-path examples/embedding --scratch-path .build-embedding
bash scripts/docs.sh --check
swift test --skip-build "$@"
