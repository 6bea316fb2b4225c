#!/usr/bin/env bash
# Crowd benchmark: runs `tessera up` (release build, grid-config/local.toml, with the physics
# service attached as `tessera up` runs it), then `tessera bots` at a 10-bot baseline and at each
# requested count, all bots arriving in the default region's 48 m spawn disc and walking there.
# For every run it prints update latency p50/p99, the region's frame rate and time dilation (from
# `tessera up`'s status lines during the measured window), bytes per avatar update (the
# EntityUpdate/EntityDeltas bytes, headers included, per entity update; and all bytes received
# per entity update), bytes per client per second, and the CPU (cores) of the grid's process
# tree and of the bots over the measured window (utime + stime from /proc/PID/stat, children
# included).
#
# Usage: scripts/bench-crowd.sh [--cross] [--protocol-version N] [DURATION_S] [COUNTS...]
#   default: 30 s; counts 200 500 1000 2000 (--cross: 1000).
#   --cross: the bots run across the borders of the 2×2 grid (`tessera bots --cross`); prints
#   crossings, failures, crossing p50/p99 and update latency instead, beside a 200-bot baseline.
#   --protocol-version N: the bots' client protocol version (default: the newest).
#   TESSERA=path: run that tessera binary instead of building and running the release one.
set -euo pipefail
cd "$(dirname "$0")/.."

cross=0
version_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cross) cross=1; shift ;;
    --protocol-version) version_args=(--protocol-version "$2"); shift 2 ;;
    *) break ;;
  esac
done
duration="${1:-30}"
[ $# -gt 0 ] && shift
counts=("$@")
if [ ${#counts[@]} -eq 0 ]; then
  if [ $cross -eq 1 ]; then counts=(1000); else counts=(200 500 1000 2000); fi
fi
baseline_count=10
[ $cross -eq 1 ] && baseline_count=200
warmup=5
[ $cross -eq 1 ] && warmup=20
# 100 logins a second (a 2,000-bot row ramps for 20 s): the logins' grid calls queue behind the
# streaming to the crowd already in, and a bot gives up after 15 s without Welcome.
connect_rate=100

# Several thousand sockets (bots, the client manager's side, the grid's own links).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# TESSERA=path runs that binary instead of building the release one.
tessera="${TESSERA:-}"
if [ -z "$tessera" ]; then
  swift build -c release --product tessera >/dev/null
  tessera=.build/release/tessera
fi
work=$(mktemp -d)
uplog="$work/up.log"
"$tessera" up --config grid-config/local.toml >"$uplog" 2>&1 &
up_pid=$!
cleanup() {
  [ -n "${bots_pid:-}" ] && kill "$bots_pid" 2>/dev/null || true
  kill -INT "$up_pid" 2>/dev/null || true
  wait "$up_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
until grep -q "is up" "$uplog"; do
  if ! kill -0 "$up_pid" 2>/dev/null; then
    echo "tessera up exited:" >&2
    cat "$uplog" >&2
    exit 1
  fi
  sleep 0.5
done

clock_ticks=$(getconf CLK_TCK)
# CPU ticks (utime + stime + cutime + cstime) of a process and all its live descendants.
tree_ticks() {
  python3 - "$1" <<'PY'
import os, sys
root = int(sys.argv[1])
stats = {}
for entry in os.listdir('/proc'):
    if not entry.isdigit():
        continue
    try:
        with open(f'/proc/{entry}/stat') as f:
            text = f.read()
    except OSError:
        continue
    fields = text[text.rindex(')') + 2:].split()
    # fields[0] is state (field 3); ppid is field 4, utime..cstime fields 14..17.
    stats[int(entry)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
children = {}
for pid, (ppid, _) in stats.items():
    children.setdefault(ppid, []).append(pid)
total, todo = 0, [root]
while todo:
    pid = todo.pop()
    if pid in stats:
        total += stats[pid][1]
    todo.extend(children.get(pid, []))
print(total)
PY
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(lscpu | sed -n 's/^Model name: *//p'); $(date -u +%Y-%m-%dT%H:%MZ); commit $(git rev-parse --short HEAD)"

# One run of N bots: waits for the measured window (after the ramp and the warm-up), samples the
# CPU of the grid and of the bots at its start and near its end, and collects the region's
# status lines printed in between. Writes the bots' JSON to $work/last.json and the rest to
# $work/last.env.
run() {
  local count=$1
  local out="$work/bots.json" err="$work/bots.err"
  local extra=()
  [ $cross -eq 1 ] && extra=(--cross)
  "$tessera" bots --count "$count" --duration "$duration" --warmup "$warmup" --connect-rate "$connect_rate" \
    "${extra[@]}" "${version_args[@]}" --json >"$out" 2>"$err" &
  bots_pid=$!
  # The swarm's clock starts at the line announcing it; progress lines carry "t=<seconds>s".
  # (Progress lines come every 2 s; the window is sampled from the first one past the ramp and
  # the warm-up to 1.5 s before the bots' end.)
  local window_start t=""
  window_start=$(python3 -c "print($count / $connect_rate + $warmup + 0.5)")
  while kill -0 "$bots_pid" 2>/dev/null; do
    t=$(grep -o 't= *[0-9.]*s' "$err" 2>/dev/null | tail -n 1 | tr -dc '0-9.' || true)
    if [ -n "$t" ] && python3 -c "import sys; sys.exit(0 if $t >= $window_start else 1)"; then break; fi
    sleep 0.2
  done
  local lines_before grid0 bots0 time0 grid1 bots1 time1
  lines_before=$(wc -l <"$uplog")
  grid0=$(tree_ticks "$up_pid"); bots0=$(tree_ticks "$bots_pid"); time0=$(date +%s.%N)
  sleep "$(python3 -c "print(max(1, $count / $connect_rate + $warmup + $duration - ${t:-0} - 1.5))")"
  grid1=$(tree_ticks "$up_pid"); bots1=$(tree_ticks "$bots_pid"); time1=$(date +%s.%N)
  tail -n +"$((lines_before + 1))" "$uplog" | grep 'fps (dilation' >"$work/status.txt" || true
  wait "$bots_pid" || true
  bots_pid=""
  cp "$out" "$work/last.json"
  python3 - "$grid0" "$grid1" "$bots0" "$bots1" "$time0" "$time1" "$clock_ticks" >"$work/last.env" <<'PY'
import sys
g0, g1, b0, b1 = (int(x) for x in sys.argv[1:5])
t0, t1, hz = float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
span = t1 - t0
print(f"grid_cores={(g1 - g0) / hz / span:.2f}")
print(f"bots_cores={(b1 - b0) / hz / span:.2f}")
PY
}

report() {
  local label=$1
  python3 - "$label" "$work/last.json" "$work/last.env" "$work/status.txt" "$cross" <<'PY'
import json, re, sys
label, path, env_path, status_path, cross = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1"
try:
    s = json.load(open(path))
except Exception:
    print(f"| {label} | bots printed no summary |")
    sys.exit(0)
env = dict(line.strip().split("=", 1) for line in open(env_path) if "=" in line)
regions = {}
for line in open(status_path):
    m = re.search(r"region (.+?): (\d+) avatars, \d+ objects, ([0-9.]+) fps \(dilation ([0-9.]+)\)", line)
    if m:
        regions.setdefault(m.group(1), []).append((int(m.group(2)), float(m.group(3)), float(m.group(4))))
def fps_text(samples):
    if not samples:
        return "—", "—"
    fps = [x[1] for x in samples]; dil = [x[2] for x in samples]
    return (f"{sum(fps) / len(fps):.1f} (min {min(fps):.1f})", f"{sum(dil) / len(dil):.2f} (min {min(dil):.2f})")
lat = s["latency_ms"]
if cross:
    fps = "; ".join(f"{name} {sum(x[1] for x in v) / len(v):.1f}" for name, v in sorted(regions.items()))
    c = s["crossing_ms"]
    print(f"| {label} | {s['connected']} | {s['failed']} | {s['errors']} | {s['crossings']} | {s['crossing_failures']} | "
          f"{c['p50']:.1f} / {c['p99']:.1f} / {c['max']:.1f} | {lat['p50']:.1f} / {lat['p99']:.1f} | {fps} | "
          f"{env['grid_cores']} | {env['bots_cores']} |")
else:
    # The crowd is in the default region: the one with the most avatars.
    busiest = max(regions.items(), key=lambda kv: max(x[0] for x in kv[1]))[1] if regions else []
    fps, dil = fps_text(busiest)
    updates = s["updates_per_s"]
    all_in = s["bytes_in_per_bot_per_s"] * s["connected"] / updates if updates > 0 else 0
    print(f"| {label} | {s['connected']} | {s['failed']} | {s['errors']} | {lat['p50']:.1f} | {lat['p99']:.1f} | {fps} | {dil} | "
          f"{s['bytes_per_avatar_update']:.2f} | {all_in:.2f} | {s['bytes_in_per_bot_per_s']:.0f} | "
          f"{env['grid_cores']} | {env['bots_cores']} |")
PY
}

if [ $cross -eq 1 ]; then
  echo "| bots (--cross, ${duration} s) | connected | failed | errors | crossings | failed crossings | crossing ms p50 / p99 / max | update latency ms p50 / p99 | regions' fps (mean) | grid CPU (cores) | bots CPU (cores) |"
  echo "|---|---:|---:|---:|---:|---:|---|---|---|---:|---:|"
else
  echo "| bots (${duration} s) | connected | failed | errors | latency p50 ms | p99 ms | region fps (mean, min) | dilation | bytes per avatar update | all bytes per update | bytes per client per s | grid CPU (cores) | bots CPU (cores) |"
  echo "|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|"
fi
run "$baseline_count"
report "$baseline_count (baseline)"
for count in "${counts[@]}"; do
  run "$count"
  report "$count"
done
