#!/usr/bin/env bash
# The IRC fan-out over TCP and over WebSocket, on the same sock server build, interleaved:
#   bench/websocket.sh [ROUNDS]        (SOCK=path/to/sock to choose the build; default: bench/lib.sh's)
# Each run is 100 registered IRC clients in one room, 10 senders x 500 messages of 100 bytes, the
# load generator `sock bench chat --irc`, with `--websocket` for the web row: every client then
# connects to ws://127.0.0.1:PORT/ (text.ircv3.net) on the same port and sends and receives one
# IRC line per WebSocket message, as gamja, Kiwi IRC and the built-in web client do. A fresh server
# per run. The load generator's WebSocket side (ClientWebSocket, unmasking, one message per line)
# costs more CPU than its TCP side, and it shares the machine with the server: the bench CPU per
# delivery is printed beside each row so the two costs can be told apart.
# Prints min/median/max deliveries/s, p99 latency (ms), and the server's and the bench's CPU µs per
# delivery (the server's from /proc over the whole run, joins included; the bench's while sending).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
rounds=${1:-5}
sock=${SOCK:-$(sock_bin)}
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
run() { # LABEL ROUND EXTRA…
  local label=$1 round=$2 P; shift 2; P=$(free_port)
  "$sock" chat serve --bind 127.0.0.1 --port "$P" --name bench.local </dev/null >/dev/null 2>&1 & local pid=$!
  wait_port "$P"
  local before; before=$(cpu_ticks "$pid")
  "$sock" bench chat "127.0.0.1:$P" --irc -n 100 -m 10 -k 500 -s 100 "$@" --json > "$work/$label-$round.json" 2>/dev/null
  echo $(( $(cpu_ticks "$pid") - before )) > "$work/$label-$round.cpu"   # the server's CPU over the run (joins included)
  kill "$pid"; wait "$pid" 2>/dev/null
}
echo "websocket.sh: $sock, $rounds interleaved rounds, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for r in $(seq "$rounds"); do run tcp "$r"; run websocket "$r" --websocket; done
echo "websocket.sh: done, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$work" <<'PY'
import json, sys, statistics, glob
work = sys.argv[1]
import os
hz = os.sysconf("SC_CLK_TCK")
print("| transport | deliveries/s min / median / max | p99 ms min / median / max | server CPU µs/delivery (median) | bench CPU µs/delivery (median) | lost |")
print("|---|---|---|---|---|---|")
for label in ("tcp", "websocket"):
    files = sorted(glob.glob(f"{work}/{label}-*.json"))
    runs = [json.load(open(f)) for f in files]
    server = statistics.median(int(open(f[:-5] + ".cpu").read()) / hz * 1e6 / max(1, r.get("delivered", 1)) for f, r in zip(files, runs))
    d = sorted(r["deliveriesPerSecond"] for r in runs)
    p = sorted(r.get("p99Ms", float("nan")) for r in runs)
    cpu = statistics.median(r.get("benchSendCpuSeconds", float("nan")) * 1e6 / max(1, r.get("delivered", 1)) for r in runs)
    lost = sum(r.get("lost", 0) for r in runs)
    print(f"| {label} | {d[0]:,.0f} / {statistics.median(d):,.0f} / {d[-1]:,.0f} | {p[0]:.0f} / {statistics.median(p):.0f} / {p[-1]:.0f} | {server:.2f} | {cpu:.2f} | {lost} |")
PY
