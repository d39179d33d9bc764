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
for r in $(seq "$rounds"); do fanout_run "$before" "$gen" "$work/before-$r" -k "$k"; fanout_run "$gen" "$gen" "$work/after-$r" -k "$k"; done
PYTHONPATH="$here" python3 - "$work" <<'PY'
import sys
from fanout_rows import summary, spread
# Deliveries/s depends on how the 2 cores are shared with the load generator; the server's own CPU
# per delivery is the steadier measure of its hot path.
print("| build | deliveries/s min / median / max | p99 ms min / median / max | server CPU µs/delivery min / median / max | lost |")
print("|---|---|---|---|---|")
for label in ("before", "after"):
    s = summary(sys.argv[1], label)
    print(f"| {label} | {spread(s['deliveries'], ',.0f')} | {spread(s['p99'], '.0f')} | {spread(s['server_cpu'], '.2f')} | {s['lost']} |")
PY
