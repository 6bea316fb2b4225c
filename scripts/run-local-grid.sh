#!/usr/bin/env bash
# Installs what is missing, builds Tessera (release), and runs the local grid of
# grid-config/local.toml (two client managers, ws://127.0.0.1:9000/ws and ws://127.0.0.1:9001/ws)
# with a few bots walking around, spread over both. Ctrl-C stops it.
# Usage: scripts/run-local-grid.sh [BOTS]   (default 8 bots)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
tessera_require_swift
tessera_install_packages
swift build -c release --product tessera
exec .build/release/tessera up --config grid-config/local.toml --bots "${1:-8}"
