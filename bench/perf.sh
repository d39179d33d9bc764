#!/usr/bin/env bash
# sock perf vs iperf3 over loopback, on the same wire protocol: iperf3↔iperf3, sock↔sock and both mixed
# pairs, RUNS interleaved runs of SECONDS each (TCP, one stream). Prints min/median/max Gbit/s at the
# receiver, as the client reports it (the receiver's own count, passed back in the results exchange).
# Usage: bench/perf.sh [SECONDS (default 5)] [RUNS (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}; runs=${2:-5}
sock=${SOCK:-publish/sock}
[ -x "$sock" ] || { echo "bench/perf.sh: $sock not found: run ./publish.sh first (or SOCK=path)" >&2; exit 2; }
command -v iperf3 >/dev/null || { echo "bench/perf.sh: iperf3 missing" >&2; exit 2; }
py=$(command -v /usr/bin/python3 || command -v python3)
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
# Listening check without connecting (a probe connection would be a client to the server).
wait_listen() { local hex; hex=$(printf '%04X' "$1"); for _ in $(seq 200); do awk '{print $2,$4}' /proc/net/tcp /proc/net/tcp6 | grep -q ":$hex 0A" && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }

p_iperf=$(free_port); p_sock=$(free_port)
iperf3 -s -p "$p_iperf" >/dev/null 2>&1 & pids+=($!)
"$sock" perf -s -p "$p_sock" -i 0 >/dev/null 2>&1 & pids+=($!)
wait_listen "$p_iperf"; wait_listen "$p_sock"

declare -A result
order=("iperf3→iperf3" "sock→sock" "sock→iperf3" "iperf3→sock")
run_pair() {
  case "$1" in
    "iperf3→iperf3") iperf3 -c 127.0.0.1 -p "$p_iperf" -t "$secs" -J ;;
    "sock→sock") "$sock" perf -c 127.0.0.1 -p "$p_sock" -t "$secs" --json ;;
    "sock→iperf3") "$sock" perf -c 127.0.0.1 -p "$p_iperf" -t "$secs" --json ;;
    "iperf3→sock") iperf3 -c 127.0.0.1 -p "$p_sock" -t "$secs" -J ;;
  esac
}
echo "TCP, 1 stream, -t $secs, $runs interleaved runs (Gbit/s at the receiver; client → server)"
for r in $(seq "$runs"); do
  for name in "${order[@]}"; do
    gbps=$(run_pair "$name" | $py -c 'import json,sys; d=json.load(sys.stdin); e=d.get("end",d); print("%.2f" % (e["sum_received"]["bits_per_second"]/1e9))')
    result[$name]+="$gbps "
    sleep 0.5
  done
done
echo "| client → server | min | median | max | runs |"
echo "|---|---:|---:|---:|---|"
for name in "${order[@]}"; do
  $py -c 'import sys,statistics as s; n=sys.argv[1]; v=list(map(float,sys.argv[2:])); w=sorted(v); print("| %s | %.2f | %.2f | %.2f | %s |" % (n, w[0], s.median(w), w[-1], " ".join("%.2f" % x for x in v)))' "$name" ${result[$name]}
done
