#!/usr/bin/env bash
# The cluster row: the IRC fan-out (100 registered IRC clients in one room, 10 senders x 500
# messages of 100 bytes; load generator `sock bench chat`, the same in every run) against
#   single: one `chat serve` on its own, and
#   cluster: three `chat serve --cluster` nodes sharing one redis-server, clients spread over the
#            three (client i on node i mod 3), so most deliveries cross Redis.
# Interleaved ROUNDS times (default 5); prints min/median/max deliveries/s, p50/p99 latency, lost
# and out-of-order counts, the chat servers' CPU per delivery (all three nodes together for the
# cluster; less noisy than wall-clock rates on a shared machine) and the Redis CPU seconds per run.
# Every server gets one unmeasured warm-up load first (in another room, so its history is not
# replayed to the measured clients): the row is a running server's rate, not its first second
# (with the JIT build that first second is mostly compiling, and three nodes compile three times).
# The binary is the native one when published (./publish.sh), as lib.sh's sock_bin picks it.
#   SOCK=path/to/sock bench/cluster.sh [ROUNDS]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
rounds=${1:-5}
sock=$(sock_bin)
[ -x "$sock" ] || { echo "cluster.sh: build first (./publish.sh or dotnet build -c Release) or set SOCK" >&2; exit 2; }
echo "cluster.sh: $sock, $rounds rounds, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
command -v redis-server >/dev/null || { echo "cluster.sh: needs redis-server (apt-get install redis-server)" >&2; exit 2; }
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
load() { "$sock" bench chat "$@" --irc -n 100 -m 10 -k 500 -s 100 --json; }
warm() { "$sock" bench chat "$@" --irc -n 100 -m 10 -k 200 -s 100 --room '#warm-up' --json >/dev/null 2>&1; sleep 1; }  # the pause: its nicks are free again before the measured clients take them
cpu_seconds() { local p t=0; for p in "$@"; do t=$(echo "$t + $(awk '{print ($14 + $15) / 100}' "/proc/$p/stat")" | bc); done; echo "$t"; }

single() { # ROUND
  local P; P=$(free_port)
  "$sock" chat serve --bind 127.0.0.1 --port "$P" --name bench.local </dev/null >/dev/null 2>&1 & local pid=$!
  wait_port "$P"
  warm "127.0.0.1:$P"
  local before; before=$(cpu_seconds "$pid")
  load "127.0.0.1:$P" > "$work/single-$1.json" 2>/dev/null
  echo "$(cpu_seconds "$pid") - $before" | bc > "$work/single-cpu-$1.txt"
  kill "$pid"; wait "$pid" 2>/dev/null
}

cluster() { # ROUND
  local R; R=$(free_port)
  redis-server --port "$R" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 & local rpid=$!
  wait_port "$R"
  local pids=() ports=()
  for n in 1 2 3; do
    local P; P=$(free_port); ports+=("$P")
    "$sock" chat serve --bind 127.0.0.1 --port "$P" --name "n$n.bench.local" --cluster "redis://127.0.0.1:$R" --node-id "n$n" </dev/null >"$work/node$n-$1.log" 2>&1 &
    pids+=($!)
  done
  for P in "${ports[@]}"; do wait_port "$P"; done
  warm "127.0.0.1:${ports[0]}" --also "127.0.0.1:${ports[1]}" --also "127.0.0.1:${ports[2]}"
  local before nodes; before=$(cpu_seconds "$rpid"); nodes=$(cpu_seconds "${pids[@]}")
  load "127.0.0.1:${ports[0]}" --also "127.0.0.1:${ports[1]}" --also "127.0.0.1:${ports[2]}" > "$work/cluster-$1.json" 2>/dev/null
  echo "$(cpu_seconds "$rpid") - $before" | bc > "$work/redis-cpu-$1.txt"
  echo "$(cpu_seconds "${pids[@]}") - $nodes" | bc > "$work/cluster-cpu-$1.txt"
  kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null
  kill "$rpid"; wait "$rpid" 2>/dev/null
}

for r in $(seq "$rounds"); do single "$r"; cluster "$r"; done
python3 - "$work" <<'PY'
import json, sys, statistics, glob
work = sys.argv[1]
def spread(xs, fmt):
    xs = sorted(xs)
    return " / ".join(fmt.format(x) for x in (xs[0], statistics.median(xs), xs[-1]))
print("| setup | deliveries/s min / median / max | p50 ms | p99 ms | lost | out of order | server CPU µs per delivery | Redis CPU s |")
print("|---|---|---|---|---|---|---|---|")
def floats(pattern): return [float(open(f).read()) for f in sorted(glob.glob(f"{work}/{pattern}"))]
for label in ("single", "cluster"):
    runs = [json.load(open(f)) for f in sorted(glob.glob(f"{work}/{label}-[0-9]*.json"))]
    if not runs: continue
    # CPU (user + system, /proc) of the chat server processes during the measured run, per delivery; clock ticks are 10 ms.
    per = [c * 1e6 / max(r.get('delivered', 0), 1) for c, r in zip(floats(f"{label}-cpu-*.txt"), runs)]
    cpu = floats("redis-cpu-*.txt") if label == "cluster" else []
    print(f"| {label} | {spread([r['deliveriesPerSecond'] for r in runs], '{:,.0f}')} | {spread([r.get('p50Ms', 0) for r in runs], '{:.0f}')} | "
          f"{spread([r.get('p99Ms', 0) for r in runs], '{:.0f}')} | {sum(r.get('lost', 0) for r in runs)} | {sum(r.get('outOfOrder', 0) for r in runs)} | "
          f"{spread(per, '{:.2f}') if per else '-'} | {spread(cpu, '{:.2f}') if cpu else '-'} |")
print(f"load average at the end: {open('/proc/loadavg').read().split()[:3]}")
PY
