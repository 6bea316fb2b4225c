#!/usr/bin/env bash
# Installs what is missing and runs the whole test suite (unit and integration tests over
# real loopback sockets). Extra arguments go to `swift test` (e.g. --filter Region).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
tessera_require_swift
tessera_install_packages
swift build --build-tests
# One test at a time: several integration tests compare frame rates or crossing counts within
# their own run (a node or the physics service killed mid-way), and suites running beside them
# on two cores would measure each other. Serial, the suite takes about two minutes.
swift test --skip-build --no-parallel "$@"
