#!/usr/bin/env bash
# Installs what is missing and runs the whole test suite (unit and integration tests over
# real loopback sockets). Extra arguments go to `swift test` (e.g. --filter Region).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
tessera_require_swift
tessera_install_packages
swift build --build-tests
swift test --skip-build "$@"
