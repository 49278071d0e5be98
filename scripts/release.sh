#!/usr/bin/env bash
# Builds the release `meshscript`, the binary the README, the benchmarks and a bastion host use, and
# prints its path. Installs what building needs when it is missing (scripts/bootstrap.sh).
#
# --static-swift-stdlib links the Swift runtime and Foundation in; on Linux Package.swift links the
# rest in too, so the binary runs on a machine without Swift.
#
# -disable-concrete-type-metadata-mangled-name-accessors: the compiler gets a concrete generic type's
# metadata (say `[String: String]`) through its metadata accessor, handing it the witness tables it
# needs, instead of by demangling the type's name at run time. Demangled, each Dictionary or Set type
# asks the runtime whether its key is Hashable, and the first such question scans every protocol
# conformance in the binary (about 7,000 with Foundation linked in). The scan and the demangling
# were 40% of the instructions of `check` on an empty file (1.73M; 1.04M with the flag:
# BENCHMARKS.md, "The ninth round").
# It is a build flag, not a setting in Package.swift: SwiftPM refuses a library product whose
# targets carry unsafe flags when another package depends on it by version.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh >&2
swift build -c release --product meshscript --static-swift-stdlib \
    -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors >&2
echo "$(swift build -c release --show-bin-path)/meshscript"
