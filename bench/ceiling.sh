#!/usr/bin/env bash
# The loopback ceiling: what iperf3 pushes through 127.0.0.1 on this machine (2 GiB, one stream),
# printed beside the pipe and transfer numbers so they can be read against the wire's limit.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
command -v iperf3 >/dev/null || { echo "ceiling.sh: iperf3 missing (apt-get install iperf3)" >&2; exit 1; }
port=$(free_port)
iperf3 -s -1 -p "$port" -B 127.0.0.1 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 0.5
mbps=$(iperf3 -c 127.0.0.1 -p "$port" -n 2G -J | python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["end"]["sum_received"]["bits_per_second"]/8/1e6))')
echo "loopback ceiling:"
record "Loopback ceiling" "iperf3 2 GiB, 1 stream" "iperf3" "$mbps" "-" "MB/s" higher -
