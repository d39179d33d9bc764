#!/usr/bin/env bash
# The IRC fan-out (100 registered IRC clients in one room, 10 senders x 500 messages; the load
# generator is `sock bench chat`, the same in every run) against two server builds, interleaved:
#   BEFORE=path/to/old/sock NEW=path/to/new/sock bench/fanout-before-after.sh [ROUNDS]
# Prints min/median/max deliveries/s and p99 latency (ms) for each build over ROUNDS runs (default 5).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
rounds=${1:-5}
gen=${NEW:?NEW=path to the sock that is measured (also the load generator)}
before=${BEFORE:?BEFORE=path to the sock to compare with}
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
run() { # BIN LABEL ROUND
  local P; P=$(free_port)
  "$1" chat serve --bind 127.0.0.1 --port "$P" --name bench.local </dev/null >/dev/null 2>&1 & local pid=$!
  wait_port "$P"
  "$gen" bench chat "127.0.0.1:$P" --irc -n 100 -m 10 -k 500 -s 100 --json > "$work/$2-$3.json" 2>/dev/null
  kill "$pid"; wait "$pid" 2>/dev/null
}
for r in $(seq "$rounds"); do run "$before" before "$r"; run "$gen" after "$r"; done
python3 - "$work" "$rounds" <<'PY'
import json, sys, statistics, glob
work, rounds = sys.argv[1], int(sys.argv[2])
print("| build | deliveries/s min / median / max | p99 ms min / median / max | lost |")
print("|---|---|---|---|")
for label in ("before", "after"):
    runs = [json.load(open(f)) for f in sorted(glob.glob(f"{work}/{label}-*.json"))]
    d = sorted(r["deliveriesPerSecond"] for r in runs)
    p = sorted(r.get("p99Ms", float("nan")) for r in runs)
    lost = sum(r.get("lost", 0) for r in runs)
    print(f"| {label} | {d[0]:,.0f} / {statistics.median(d):,.0f} / {d[-1]:,.0f} | {p[0]:.0f} / {statistics.median(p):.0f} / {p[-1]:.0f} | {lost} |")
PY
