#!/usr/bin/env bash
# Hostile clients against a whole running grid (GridFuzzSoakTests) and the decoders' fuzz tests,
# built with AddressSanitizer and UndefinedBehaviorSanitizer (the C/C++ parts: Bullet's shim,
# BoringSSL, NIO's C shims; Swift's own arithmetic traps on overflow in any build). A separate
# build folder, so the everyday build is untouched. TESSERA_SOAK_FRAMES sets the frames sent
# (default here 20 000).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
tessera_require_swift
tessera_install_packages
export TESSERA_SOAK_FRAMES="${TESSERA_SOAK_FRAMES:-20000}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
swift build --build-tests --scratch-path .build-asan --sanitize=address --sanitize=undefined
swift test --skip-build --scratch-path .build-asan --sanitize=address --sanitize=undefined --no-parallel \
  --filter 'GridFuzzSoakTests|ClientProtocolFuzzTests|WireFuzzTests|GridProtocolMalformedTests' "$@"
