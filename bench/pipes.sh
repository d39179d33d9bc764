#!/usr/bin/env bash
# Pushes the same bytes (2 GiB by default) over loopback TCP through three pairs, in one run:
#   sock listen  <-  sock connect
#   ncat -l      <-  ncat
#   nc -l        <-  nc -N          (OpenBSD netcat)
# The sender reads `head -c SIZE /dev/zero` from a pipe, the receiver writes to /dev/null;
# the time is from the sender's start until the receiver has exited. Prints MiB/s for each.
#   bench/pipes.sh [SIZE_BYTES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-$((2 * 1024 * 1024 * 1024))}
ROUNDS=${2:-3}

if [ -n "${SOCK:-}" ]; then :   # SOCK=/path/to/sock bench/pipes.sh (e.g. a Native AOT publish)
elif [ -x publish/sock ]; then SOCK=publish/sock
else
  dotnet build src/Sock.Cli -c Release -v q -nologo >/dev/null
  SOCK=src/Sock.Cli/bin/Release/net10.0/sock
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_listening() { # /proc/net/tcp, so no probe connection eats the one-shot listener's accept
  local hex; hex=$(printf ':%04X ' "$1")
  for _ in $(seq 200); do grep -q "$hex[0-9A-F:]* 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null && return 0; sleep 0.02; done
  echo "nothing listening on $1" >&2; return 1
}

# run_pair NAME "RECEIVER CMD (PORT substituted)" "SENDER CMD" -> prints seconds
run_pair() {
  local port recv send start end pid
  port=$(free_port)
  recv=${2//PORT/$port}; send=${3//PORT/$port}
  bash -c "exec $recv" </dev/null >/dev/null 2>/tmp/pipes-bench-recv.err & pid=$!
  wait_listening "$port"
  start=$(date +%s.%N)
  head -c "$SIZE" /dev/zero | timeout 300 bash -c "exec $send" >/dev/null
  timeout 60 tail --pid="$pid" -f /dev/null
  end=$(date +%s.%N)
  wait "$pid" 2>/dev/null || true
  echo "$end - $start" | bc -l
}

declare -A best
names=(sock ncat nc)
for round in $(seq "$ROUNDS"); do
  for name in "${names[@]}"; do
    case $name in
      sock) t=$(run_pair sock "$SOCK listen 127.0.0.1 PORT" "$SOCK connect 127.0.0.1 PORT") ;;
      ncat) t=$(run_pair ncat "ncat -l 127.0.0.1 PORT" "ncat 127.0.0.1 PORT") ;;
      nc)   t=$(run_pair nc "nc -l 127.0.0.1 PORT" "nc -N 127.0.0.1 PORT") ;;
    esac
    rate=$(echo "$SIZE / 1048576 / $t" | bc -l)
    printf '  round %d  %-5s %8.2f s  %8.0f MiB/s\n' "$round" "$name" "$t" "$rate"
    prev=${best[$name]:-0}
    if (( $(echo "$rate > $prev" | bc -l) )); then best[$name]=$rate; fi
  done
done

echo
echo "sock binary: $SOCK"
echo "pipes: $(numfmt --to=iec "$SIZE")B over loopback TCP, best of $ROUNDS ($(nproc) cores, $(date -u +%Y-%m-%d))"
for name in "${names[@]}"; do printf '  %-5s %8.0f MiB/s\n' "$name" "${best[$name]}"; done

# Rows for bench/run's report (docs/BENCHMARKS.md).
source bench/lib.sh
gib=$(numfmt --to=iec "$SIZE")
for peer in ncat nc; do
  record "Bulk pipe ${gib}B (best of $ROUNDS)" "sock listen <- sock connect" "$peer" \
    "$(printf %.0f "${best[$peer]}")" "$(printf %.0f "${best[sock]}")" "MiB/s" higher 1
done
