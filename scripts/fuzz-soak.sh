#!/usr/bin/env bash
# Hostile clients against a whole running grid (GridFuzzSoakTests) and the decoders' fuzz tests,
# built with AddressSanitizer. UndefinedBehaviorSanitizer is not offered for Swift on Linux
# (`-sanitize=undefined` is refused for x86_64-unknown-linux-gnu); Swift's own arithmetic and
# bounds are checked in every build and trap instead. A separate build folder, so the everyday
# build is untouched. TESSERA_SOAK_FRAMES sets the frames sent
# (default here 20 000).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
tessera_require_swift
tessera_install_packages
export TESSERA_SOAK_FRAMES="${TESSERA_SOAK_FRAMES:-20000}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
swift build --build-tests --scratch-path .build-asan --sanitize=address
swift test --skip-build --scratch-path .build-asan --sanitize=address --no-parallel \
  --filter 'GridFuzzSoakTests|ClientProtocolFuzzTests|WireFuzzTests|GridProtocolMalformedTests' "$@"
