#!/usr/bin/env bash
# What TLS costs at the client port: one region node and two client managers as separate
# processes, edge-ws (plain ws://) and edge-wss (wss://, a certificate from a throwaway
# authority made with `tessera certs`), and the same number of bots on each at once
# (`tessera bots`, one process per client manager), so both stream the same world in the same
# run. Prints, for each client manager, the bots' updates and bytes per second and the client
# manager process's CPU time per bot over the measured window (utime + stime from /proc).
# No grid services (bots log in by name).
# Usage: scripts/bench-edge-tls.sh [BOTS_PER_MANAGER] [SECONDS]   (default: 50 30)
set -euo pipefail
cd "$(dirname "$0")/.."
bots="${1:-50}"
seconds="${2:-30}"
warmup=5

# TESSERA_BIN: an executable to use instead of building the release one.
if [ -n "${TESSERA_BIN:-}" ]; then
  tessera=$TESSERA_BIN
else
  swift build -c release --product tessera >/dev/null
  tessera=.build/release/tessera
fi
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$tessera" certs init --dir "$work/certs" --grid "TLS bench" >/dev/null
"$tessera" certs issue edge-wss --role client-manager --host localhost --host 127.0.0.1 --dir "$work/certs" >/dev/null
cat >"$work/grid.toml" <<TOML
[grid]
name = "Tessera TLS Bench"
secret = "tls-bench-secret-change-me"
default_region = "Bench"

[database]
state_directory = "state"

[[region_node]]
name = "bench-node"
port = 9160
  [[region_node.region]]
  name = "Bench"
  position = [1000, 1000]
  spawn_radius = 40

[[client_manager]]
name = "edge-ws"
port = 9060

[[client_manager]]
name = "edge-wss"
port = 9061
tls_certificate = "certs/edge-wss.pem"
tls_key = "certs/edge-wss-key.pem"
TOML

"$tessera" region --config "$work/grid.toml" --node bench-node --log-level warning >"$work/node.log" 2>&1 &
pids+=("$!")
until (exec 3<>/dev/tcp/127.0.0.1/9160) 2>/dev/null; do sleep 0.2; done
"$tessera" client-manager --config "$work/grid.toml" --name edge-ws --log-level warning >"$work/edge-ws.log" 2>&1 &
plain=$!; pids+=("$plain")
"$tessera" client-manager --config "$work/grid.toml" --name edge-wss --log-level warning >"$work/edge-wss.log" 2>&1 &
secure=$!; pids+=("$secure")
until curl -sf http://127.0.0.1:9060/health >/dev/null; do sleep 0.2; done
until curl -sf --cacert "$work/certs/ca.pem" https://127.0.0.1:9061/health >/dev/null; do sleep 0.2; done

# CPU seconds (user + system) of a process so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }

ramp=$(( (bots + 19) / 20 ))
"$tessera" bots --config "$work/grid.toml" --url ws://127.0.0.1:9060/ws --count "$bots" --connect-rate 20 \
  --warmup "$warmup" --duration "$seconds" --name-prefix Plain --json >"$work/ws.json" 2>"$work/ws.err" &
bots_plain=$!
"$tessera" bots --config "$work/grid.toml" --url wss://localhost:9061/ws --ca-file "$work/certs/ca.pem" --count "$bots" --connect-rate 20 \
  --warmup "$warmup" --duration "$seconds" --name-prefix Secure --json >"$work/wss.json" 2>"$work/wss.err" &
bots_secure=$!
# The measured window: after the ramp and the warm-up, for the bots' duration.
sleep $((ramp + warmup))
plain0=$(cpu "$plain"); secure0=$(cpu "$secure")
sleep "$seconds"
plain1=$(cpu "$plain"); secure1=$(cpu "$secure")
wait "$bots_plain" || { echo "ws bots failed:"; cat "$work/ws.err" "$work/ws.json"; exit 1; }
wait "$bots_secure" || { echo "wss bots failed:"; cat "$work/wss.err" "$work/wss.json"; exit 1; }

report() {
  python3 - "$1" "$2" "$3" "$4" "$bots" "$seconds" <<'PY'
import json, sys
name, path, before, after, bots, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
s = json.load(open(path))
cpu = (after - before) / seconds
print(f"{name:4}  bots {s['connected']}/{s['bots']}  updates/s {s['updates_per_s']:.0f}  frames/s {s['frames_per_s']:.0f}  "
      f"bytes in per bot per s {s['bytes_in_per_bot_per_s']:.0f}  latency p50 {s['latency_ms']['p50']:.1f} ms p99 {s['latency_ms']['p99']:.1f} ms  "
      f"client manager CPU {cpu * 100:.1f} % of a core = {cpu / bots * 1000:.2f} ms per bot per s")
PY
}
report ws "$work/ws.json" "$plain0" "$plain1"
report wss "$work/wss.json" "$secure0" "$secure1"
