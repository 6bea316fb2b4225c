#!/usr/bin/env bash
# Load benchmark of the walking skeleton: runs `tessera up` (release build) with the local
# config, then `tessera bots` at a small baseline count and at each requested count, and prints
# one line per run with the bots' JSON summary, the p99 ratio against the baseline, and the
# region's achieved frame rate as `tessera up` reported it during that run.
# Usage: scripts/bench-bots.sh [DURATION_S] [COUNTS...]     (default: 30 200 500 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30}"
[ $# -gt 0 ] && shift
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(200 500 1000)
baseline_count=10

swift build -c release --product tessera >/dev/null
tessera=.build/release/tessera
log=$(mktemp)
"$tessera" up --config grid-config/local.toml >"$log" 2>&1 &
up_pid=$!
trap 'kill -INT $up_pid 2>/dev/null; wait $up_pid 2>/dev/null; rm -f "$log"' EXIT
until grep -q "is up" "$log"; do sleep 0.2; done

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(lscpu | sed -n 's/^Model name: *//p')"
run() {
  local count=$1 lines_before
  lines_before=$(wc -l <"$log")
  local summary
  summary=$("$tessera" bots --count "$count" --duration "$duration" --json 2>/dev/null || true)
  # Region status lines printed while this run was going.
  local fps
  fps=$(tail -n +"$lines_before" "$log" | grep -o '[0-9.]* fps (dilation [0-9.]*)' | tail -n 3 | tr '\n' ' ')
  echo "$summary" >"$log.last"
  echo "count=$count region=[$fps] $summary"
}
run "$baseline_count"
base_p99=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["latency_ms"]["p99"])' "$log.last")
for count in "${counts[@]}"; do
  run "$count"
  python3 - "$log.last" "$base_p99" "$count" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); base = float(sys.argv[2])
print(f"  -> {sys.argv[3]} bots: connected {s['connected']}, failed {s['failed']}, errors {s['errors']}, "
      f"p50 {s['latency_ms']['p50']:.1f} ms, p99 {s['latency_ms']['p99']:.1f} ms (x{s['latency_ms']['p99']/base:.2f} of the {base:.1f} ms baseline), "
      f"max {s['latency_ms']['max']:.1f} ms, {s['updates_per_s']:.0f} updates/s, {s['bytes_in_per_bot_per_s']:.0f} B/bot/s")
PY
done
rm -f "$log.last"
