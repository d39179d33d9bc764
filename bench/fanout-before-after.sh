#!/usr/bin/env bash
# The IRC fan-out (100 registered IRC clients in one room, 10 senders x 500 messages; the load
# generator is `sock bench chat`, the same in every run) against two server builds, interleaved:
#   BEFORE=path/to/old/sock NEW=path/to/new/sock bench/fanout-before-after.sh [ROUNDS]
# K=MESSAGES per sender (default 500; more gives longer, steadier runs).
# Prints min/median/max deliveries/s and p99 latency (ms) for each build over ROUNDS runs (default 5).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
rounds=${1:-5}
k=${K:-500}
gen=${NEW:?NEW=path to the sock that is measured (also the load generator)}
before=${BEFORE:?BEFORE=path to the sock to compare with}
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
run() { # BIN LABEL ROUND
  local P; P=$(free_port)
  "$1" chat serve --bind 127.0.0.1 --port "$P" --name bench.local </dev/null >/dev/null 2>&1 & local pid=$!
  wait_port "$P"
  local ticks; ticks=$(cpu_ticks "$pid")
  "$gen" bench chat "127.0.0.1:$P" --irc -n 100 -m 10 -k "$k" -s 100 --json > "$work/$2-$3.json" 2>/dev/null
  echo $(( $(cpu_ticks "$pid") - ticks )) > "$work/$2-$3.cpu"   # the server's CPU over the run (joins included)
  kill "$pid"; wait "$pid" 2>/dev/null
}
for r in $(seq "$rounds"); do run "$before" before "$r"; run "$gen" after "$r"; done
python3 - "$work" "$rounds" <<'PY'
import json, os, sys, statistics, glob
work, rounds = sys.argv[1], int(sys.argv[2])
hz = os.sysconf("SC_CLK_TCK")
# Deliveries/s depends on how the 2 cores are shared with the load generator; the server's own CPU
# per delivery is the steadier measure of its hot path.
print("| build | deliveries/s min / median / max | p99 ms min / median / max | server CPU µs/delivery min / median / max | lost |")
print("|---|---|---|---|---|")
for label in ("before", "after"):
    files = sorted(glob.glob(f"{work}/{label}-*.json"))
    runs = [json.load(open(f)) for f in files]
    c = sorted(int(open(f[:-5] + ".cpu").read()) / hz * 1e6 / max(1, r.get("delivered", 1)) for f, r in zip(files, runs))
    d = sorted(r["deliveriesPerSecond"] for r in runs)
    p = sorted(r.get("p99Ms", float("nan")) for r in runs)
    lost = sum(r.get("lost", 0) for r in runs)
    print(f"| {label} | {d[0]:,.0f} / {statistics.median(d):,.0f} / {d[-1]:,.0f} | {p[0]:.0f} / {statistics.median(p):.0f} / {p[-1]:.0f} | {c[0]:.2f} / {statistics.median(c):.2f} / {c[-1]:.2f} | {lost} |")
PY
