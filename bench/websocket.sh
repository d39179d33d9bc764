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
echo "websocket.sh: $sock, $rounds interleaved rounds, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for r in $(seq "$rounds"); do fanout_run "$sock" "$sock" "$work/tcp-$r" -k 500; fanout_run "$sock" "$sock" "$work/websocket-$r" -k 500 --websocket; done
echo "websocket.sh: done, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
PYTHONPATH="$here" python3 - "$work" <<'PY'
import sys, statistics
from fanout_rows import summary, spread
print("| transport | deliveries/s min / median / max | p99 ms min / median / max | server CPU µs/delivery (median) | bench CPU µs/delivery (median) | lost |")
print("|---|---|---|---|---|---|")
for label in ("tcp", "websocket"):
    s = summary(sys.argv[1], label)
    print(f"| {label} | {spread(s['deliveries'], ',.0f')} | {spread(s['p99'], '.0f')} | {statistics.median(s['server_cpu']):.2f} | {s['bench_cpu']:.2f} | {s['lost']} |")
PY
