#!/usr/bin/env bash
# Builds Tests/Fixtures/HostPackage, a Swift 6 package that uses MeshScript across Tasks, with
# warnings as errors: it fails if the public API draws a strict-concurrency warning in a host.
# Slow (it builds the library again in its own scratch directory), so not part of `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${TMPDIR:-/tmp}/meshscript-host-package"
swift build --package-path Tests/Fixtures/HostPackage --scratch-path "$scratch" --target Host 2>&1 | tee "$scratch.log"
if grep -E "Tests/Fixtures/HostPackage/.*warning:" "$scratch.log"; then
    echo "check-host-package: the host package builds with warnings" >&2
    exit 1
fi
echo "check-host-package: ok"
