#!/usr/bin/env bash
# File transfer: a 2 GiB file sent over loopback and written to a file, sock against nc and socat,
# in one run. Prints the median of RUNS runs (seconds, and MB/s) for each. The source file is read
# once beforehand so every tool starts from the page cache; each receiver writes a fresh file.
#   sock send FILE 127.0.0.1:P   → sock recv --listen P -o DIR   (xxh128 verified; also sha256 and --raw)
#   nc -N 127.0.0.1 P < FILE     → nc -l P > FILE
#   socat -u FILE:F TCP:…        → socat -u TCP-LISTEN:P OPEN:F,creat,trunc
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
SOCK="${SOCK_BIN:-$(sock_bin)}"   # SOCK_BIN= or SOCK= picks another binary
SIZE_MIB="${SIZE_MIB:-2048}"
RUNS="${RUNS:-3}"
work="${BENCH_TMP:-/tmp/sock-bench-transfer}"
mkdir -p "$work"
bench_source "$SIZE_MIB"
trap 'rm -rf "$work/out"' EXIT

now() { date +%s.%N; }

# run_one NAME RECEIVER_CMD SENDER_CMD: receiver listens first; the time runs from the sender's start
# until both have exited and the output file is complete.
run_one() {
  local recv_cmd=$1 send_cmd=$2
  rm -rf "$work/out"; mkdir -p "$work/out"
  bash -c "$recv_cmd" 2>"$work/recv.err" &
  local rpid=$!
  sleep 0.4
  local t0; t0=$(now)
  bash -c "$send_cmd" 2>"$work/send.err" >/dev/null
  wait "$rpid"
  local t1; t1=$(now)
  local got; got=$(find "$work/out" -type f -name '*.bin' -printf '%s\n' | head -1)
  [ "$got" = "$((SIZE_MIB * 1048576))" ] || { echo "transfer.sh: incomplete output ($got bytes): $(cat "$work/recv.err" "$work/send.err")" >&2; exit 1; }
  echo "$t1 - $t0" | bc -l
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() {
  local recv_cmd=$1 send_cmd=$2 times=()
  for _ in $(seq "$RUNS"); do
    local port; port=$(free_port)
    times+=("$(run_one "${recv_cmd//PORT/$port}" "${send_cmd//PORT/$port}")")
  done
  printf '%s\n' "${times[@]}" | median
}

echo "file transfer, ${SIZE_MIB} MiB over loopback to a file, median of $RUNS ($(nproc) cores, $(date -u +%F)):"
nc_s=$(measure "nc -l 127.0.0.1 PORT > '$work/out/f.bin' < /dev/null" "nc -N 127.0.0.1 PORT < '$src'")
socat_s=$(measure "socat -u TCP-LISTEN:PORT,bind=127.0.0.1,reuseaddr OPEN:'$work/out/f.bin',creat,trunc" "socat -u FILE:'$src' TCP:127.0.0.1:PORT")
sock_s=$(measure "'$SOCK' recv --listen PORT -o '$work/out'" "'$SOCK' send '$src' 127.0.0.1:PORT")
sha_s=$(measure "'$SOCK' recv --listen PORT -o '$work/out'" "'$SOCK' send --hash sha256 '$src' 127.0.0.1:PORT")
raw_s=$(measure "'$SOCK' recv --raw --listen PORT -o '$work/out/f.bin'" "'$SOCK' send --raw '$src' 127.0.0.1:PORT")

mbps() { echo "$SIZE_MIB * 1.048576 / $1" | bc -l | xargs printf '%.0f'; }
printf '  %-44s %8.2f s  %6s MB/s\n' "nc -N → nc -l > file" "$nc_s" "$(mbps "$nc_s")"
printf '  %-44s %8.2f s  %6s MB/s\n' "socat -u → socat -u file" "$socat_s" "$(mbps "$socat_s")"
printf '  %-44s %8.2f s  %6s MB/s\n' "sock send → sock recv (xxh128 verified)" "$sock_s" "$(mbps "$sock_s")"
printf '  %-44s %8.2f s  %6s MB/s\n' "sock send --hash sha256 → sock recv" "$sha_s" "$(mbps "$sha_s")"
printf '  %-44s %8.2f s  %6s MB/s\n' "sock send --raw → sock recv --raw" "$raw_s" "$(mbps "$raw_s")"
record "File transfer ${SIZE_MIB} MiB" "send+recv to file (s)" "nc" "$(printf %.2f "$nc_s")" "$(printf %.2f "$sock_s")" "s" lower 1
record "File transfer ${SIZE_MIB} MiB" "send+recv to file (s)" "socat" "$(printf %.2f "$socat_s")" "$(printf %.2f "$sock_s")" "s" lower 1
record "File transfer ${SIZE_MIB} MiB" "--raw send+recv (s)" "nc" "$(printf %.2f "$nc_s")" "$(printf %.2f "$raw_s")" "s" lower 1
