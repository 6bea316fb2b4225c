#!/usr/bin/env bash
# What an idle connection costs: runs the grid of grid-config/idle.toml as separate processes
# (two region nodes, one client manager, release build), then `tessera bots --idle` at a small
# baseline count and at the large count, and prints for each the client manager's resident
# memory (VmRSS from /proc) before and while the bots hold their connections, KiB per
# connection, the region nodes' memory per avatar, and the CPU the idle connections cost.
# Raises the file limit (and, as root, the kernel's socket limits) first.
# Usage: scripts/bench-idle.sh [COUNT] [BASELINE] [CONNECT_RATE]   (default: 50000 1000 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-50000}"
baseline="${2:-1000}"
rate="${3:-1000}"
hold=20

# Each connection is a file descriptor in the client manager and in the bots' process.
ulimit -Hn 1048576 2>/dev/null || true
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(id -u)" -eq 0 ]; then
  sysctl -qw fs.nr_open=1048576 fs.file-max=2097152 || true
  sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535 || true
  sysctl -qw net.ipv4.ip_local_port_range="10000 65000" || true
fi
limit=$(ulimit -n)
echo "file limit: $limit"
# One descriptor per connection in the client manager: past the limit it cannot accept more.
# Without CAP_SYS_RESOURCE the hard limit cannot be raised, so measure what fits.
if [ "$count" -gt $((limit - 1000)) ]; then
  echo "the file limit is $limit and could not be raised to hold $count connections in one process:" \
       "measuring $((limit - 1000)) connections instead"
  count=$((limit - 1000))
fi
# Bots in several processes when one could not hold them all.
per_process=$((limit - 1000))

# TESSERA_BIN: an executable to use instead of building the release one.
if [ -n "${TESSERA_BIN:-}" ]; then
  tessera=$TESSERA_BIN
else
  swift build -c release --product tessera >/dev/null
  tessera=.build/release/tessera
fi
config=grid-config/idle.toml
logs=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$logs"
}
trap cleanup EXIT

"$tessera" region --config "$config" --node idle-node-1 --log-level warning >"$logs/node-1.log" 2>&1 &
node1=$!; pids+=("$node1")
"$tessera" region --config "$config" --node idle-node-2 --log-level warning >"$logs/node-2.log" 2>&1 &
node2=$!; pids+=("$node2")
for port in 9150 9151; do until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do sleep 0.2; done; done
"$tessera" client-manager --config "$config" --log-level warning >"$logs/edge.log" 2>&1 &
edge=$!; pids+=("$edge")
until curl -sf http://127.0.0.1:9050/health >/dev/null; do sleep 0.2; done
sleep 3

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }          # KiB
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }              # utime + stime, clock ticks
hz=$(getconf CLK_TCK)

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(lscpu | sed -n 's/^Model name: *//p'); $(date -u '+%Y-%m-%d %H:%M UTC')"
connected_now() {  # the bots' latest progress lines, summed over their processes
  local total=0 file last
  for file in "$@"; do
    last=$(grep -o 'connected=[0-9]*' "$file" 2>/dev/null | tail -n 1 | cut -d= -f2)
    total=$((total + ${last:-0}))
  done
  echo "$total"
}
run() {
  local n=$1 edge_before node_before
  edge_before=$(rss "$edge")
  node_before=$(( $(rss "$node1") + $(rss "$node2") ))
  local processes=$(( (n + per_process - 1) / per_process )) part bots=() logs_of_run=() left=$n
  for part in $(seq 1 "$processes"); do
    local share=$(( left / (processes - part + 1) )) log="$logs/bots-$n-$part.log"
    left=$((left - share))
    : >"$log"
    "$tessera" bots --config "$config" --idle --count "$share" --connect-rate $((rate / processes)) --warmup 5 \
      --duration "$hold" --name-prefix "Idle$part" --json >"$log.json" 2>"$log" &
    bots+=($!); logs_of_run+=("$log")
  done
  # Every bot welcomed (the progress lines count them), or the ramp and warm-up are over.
  local waited=0 patience=$(( n / rate + 60 ))
  until [ "$(connected_now "${logs_of_run[@]}")" -ge "$n" ] || [ $waited -ge $patience ]; do sleep 1; waited=$((waited + 1)); done
  sleep 5
  local edge_held node_held edge_ticks0 edge_ticks1 nodes_ticks0 nodes_ticks1
  edge_held=$(rss "$edge")
  node_held=$(( $(rss "$node1") + $(rss "$node2") ))
  edge_ticks0=$(ticks "$edge"); nodes_ticks0=$(( $(ticks "$node1") + $(ticks "$node2") ))
  sleep 10
  edge_ticks1=$(ticks "$edge"); nodes_ticks1=$(( $(ticks "$node1") + $(ticks "$node2") ))
  local connected
  connected=$(connected_now "${logs_of_run[@]}")
  for pid in "${bots[@]}"; do wait "$pid" || true; done
  python3 - "$n" "$connected" "$edge_before" "$edge_held" "$node_before" "$node_held" \
    "$((edge_ticks1 - edge_ticks0))" "$((nodes_ticks1 - nodes_ticks0))" "$hz" "${logs_of_run[@]/%/.json}" <<'PY'
import json, sys
n, connected, eb, eh, nb, nh, et, nt, hz = (int(x) for x in sys.argv[1:10])
s = {"connected": 0, "failed": 0, "errors": 0, "bytes_in_per_bot_per_s": 0.0, "error_samples": []}
for path in sys.argv[10:]:
    try:
        part = json.load(open(path))
    except Exception:
        s["error_samples"].append(f"no summary in {path}")
        continue
    for key in ("connected", "failed", "errors"):
        s[key] += part[key]
    s["bytes_in_per_bot_per_s"] += part["bytes_in_per_bot_per_s"] * part["bots"] / n
    s["error_samples"] += part["error_samples"]
held = max(connected, 1)
print(f"{n} idle bots: {connected} held at the measurement; client manager RSS {eb/1024:.1f} -> {eh/1024:.1f} MiB "
      f"= {(eh-eb)/held:.2f} KiB per connection; region nodes {nb/1024:.1f} -> {nh/1024:.1f} MiB = {(nh-nb)/held:.2f} KiB per avatar; "
      f"CPU while idle: client manager {et/hz/10:.3f} cores, region nodes {nt/hz/10:.3f} cores; "
      f"bots: connected {s.get('connected')}, failed {s.get('failed')}, errors {s.get('errors')}, "
      f"{s.get('bytes_in_per_bot_per_s', 0):.1f} B/bot/s {s.get('error_samples', [])[:3]}")
PY
  # Let the client manager see every connection go before the next run.
  sleep 5
}
run "$baseline"
run "$count"
