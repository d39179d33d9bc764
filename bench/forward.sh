#!/usr/bin/env bash
# sock forward vs socat (TCP-LISTEN:…,fork TCP:…) vs ncat --sh-exec "ncat …", side by side over loopback:
#   1. a bulk stream: iperf3 -n SIZE through each relay (and direct, the loopback ceiling), RUNS interleaved runs;
#   2. SHORT short connections (connect, one line, close) through each relay.
# Prints min/median/max per relay. Usage: bench/forward.sh [SIZE (default 2G; 0 skips the bulk part)] [RUNS (default 5)] [SHORT (default 1000)]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-2G}; runs=${2:-5}; short=${3:-1000}
sock=${SOCK:-publish/sock}
[ -x "$sock" ] || { echo "bench/forward.sh: $sock not found: run ./publish.sh first (or SOCK=path)" >&2; exit 2; }
for p in iperf3 socat ncat python3; do command -v $p >/dev/null || { echo "bench/forward.sh: $p missing" >&2; exit 2; }; done

py=$(command -v /usr/bin/python3 || command -v python3)   # Debian's interpreter: no pyenv shim per call
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }

target=$(free_port)
iperf3 -s -p "$target" -B 127.0.0.1 >/dev/null 2>&1 & pids+=($!)
p_sock=$(free_port); p_socat=$(free_port); p_ncat=$(free_port)
"$sock" forward --quiet 127.0.0.1 "$p_sock" 127.0.0.1 "$target" 2>/dev/null & pids+=($!)
# iperf3 ends its data stream with a reset, which socat and ncat log; that noise is not the measurement.
socat TCP-LISTEN:"$p_socat",bind=127.0.0.1,reuseaddr,fork TCP:127.0.0.1:"$target" 2>/dev/null & pids+=($!)
ncat -l -k 127.0.0.1 "$p_ncat" --sh-exec "ncat 127.0.0.1 $target" 2>/dev/null & pids+=($!)
for p in "$target" "$p_sock" "$p_socat" "$p_ncat"; do wait_port "$p"; done

declare -A port=([direct]=$target [sock]=$p_sock [socat]=$p_socat [ncat]=$p_ncat)
order=(direct sock socat ncat)
declare -A bulk
stats() { $py -c 'import sys,statistics as s; v=sorted(map(float,sys.argv[1:])); print("min %8.2f  median %8.2f  max %8.2f" % (v[0], s.median(v), v[-1]))' "$@"; }
if [ "$size" != "0" ]; then
echo "bulk: iperf3 -n $size, $runs interleaved runs (Gbit/s, receiver side)"
for r in $(seq "$runs"); do
  for name in "${order[@]}"; do
    gbps=$(iperf3 -c 127.0.0.1 -p "${port[$name]}" -n "$size" -J 2>/dev/null \
      | $py -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))')
    bulk[$name]+="$gbps "
  done
done
for name in "${order[@]}"; do printf '  %-7s %s   (%s)\n' "$name" "$(stats ${bulk[$name]})" "${bulk[$name]% }"; done
fi

# Short connections need a target that answers and closes: a one-line echo server that forks per client.
# A threaded Python echo server is the target: the same cost behind every relay, no process per connection.
echo_port=$(free_port)
$py - "$echo_port" <<'PY' & pids+=($!)
import socketserver, sys
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            b = self.request.recv(65536)
            if not b: break
            self.request.sendall(b)
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer.request_queue_size = 512
socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
PY
s_sock=$(free_port); s_socat=$(free_port); s_ncat=$(free_port)
"$sock" forward --quiet 127.0.0.1 "$s_sock" 127.0.0.1 "$echo_port" 2>/dev/null & pids+=($!)
socat TCP-LISTEN:"$s_socat",bind=127.0.0.1,reuseaddr,fork,backlog=512 TCP:127.0.0.1:"$echo_port" & pids+=($!)
ncat -l -k 127.0.0.1 "$s_ncat" --sh-exec "ncat 127.0.0.1 $echo_port" & pids+=($!)
for p in "$echo_port" "$s_sock" "$s_socat" "$s_ncat"; do wait_port "$p"; done
declare -A sport=([direct]=$echo_port [sock]=$s_sock [socat]=$s_socat [ncat]=$s_ncat)
declare -A conn
echo "short: $short connections one after another (connect, send a line, read the echo, close), $runs interleaved runs; connections/s"
for r in $(seq "$runs"); do
  for name in "${order[@]}"; do
    rate=$($py - "${sport[$name]}" "$short" <<'PY'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
t = time.perf_counter()
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    # No half-close: ncat --sh-exec drops the reply when the client shuts down its side first.
    s.sendall(b"ping\n")
    got = b""
    while len(got) < 5:
        b = s.recv(64)
        if not b: break
        got += b
    assert got == b"ping\n", (port, got)
    s.close()
print("%.0f" % (n / (time.perf_counter() - t)))
PY
)
    conn[$name]+="$rate "
  done
done
for name in "${order[@]}"; do printf '  %-7s %s   (%s)\n' "$name" "$(stats ${conn[$name]})" "${conn[$name]% }"; done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
