#!/usr/bin/env bash
# Installs what is missing and runs the whole test suite (unit and integration tests over
# real loopback sockets). Extra arguments go to `swift test` (e.g. --filter Region).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
tessera_require_swift
tessera_install_packages
# Tessera's own code builds without warnings, and stays that way: a warning from Sources/ or
# Tests/ fails the run (the packages' own warnings are theirs). A fresh clone (CI) compiles every
# file, so every warning shows; an incremental build shows those of the files it recompiled.
build_log="$(mktemp)"
swift build --build-tests 2>&1 | tee "$build_log"
own_warnings="$(grep -E "^$(pwd)/(Sources|Tests)/.*: warning:" "$build_log" | sort -u || true)"
rm -f "$build_log"
if [ -n "$own_warnings" ]; then
  echo "error: the build printed warnings from Tessera's own code:" >&2
  echo "$own_warnings" >&2
  exit 1
fi
# The independent Second Life client (hippolyzer, Python >= 3.12) of the LLUDP integration tests.
if ! bash scripts/sl-client-venv.sh .build/sl-venv >/dev/null; then
  echo "error: could not set up the Python environment of the Second Life client tests (scripts/sl-client-venv.sh)" >&2
  exit 1
fi
# The web viewer's JavaScript (its protocol codec against docs/client-protocol.md): Node's test
# runner, a few seconds.
node --test Tests/viewer/
# One test at a time: several integration tests compare frame rates or crossing counts within
# their own run (a node or the physics service killed mid-way), and suites running beside them
# on two cores would measure each other. Serial, the suite takes about two minutes.
# The run's output is kept, and what failed is repeated at the very end: a CI log is often read
# from its tail only, and 500 tests' progress lines would push the failures out of it.
test_log="$(mktemp)"
status=0
swift test --skip-build --no-parallel "$@" 2>&1 | tee "$test_log" || status=$?
if [ "$status" -ne 0 ]; then
  echo "==== what failed (repeated from above) ====" >&2
  grep -E "(✘|error:|recorded an issue|XCTAssert|failed \(|Fatal error|Test Case .* failed)" "$test_log" \
    | grep -v "passed after" | tail -60 >&2 || true
fi
rm -f "$test_log"
if [ $# -eq 0 ] && [ "$(id -u)" -eq 0 ] && ip netns list >/dev/null 2>&1; then bash scripts/multihost-test.sh || status=1; fi  # the multi-host grid in network namespaces (root, full runs only): docs/deployment.md
exit "$status"
