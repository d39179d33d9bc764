#!/usr/bin/env bash
# Chat client, DCC SEND: a file offered by `sock chat join` (through ngIRCd on loopback) and
# received by `sock chat join` (/accept) and by irssi (/dcc get, driven in tmux), in one run.
# Time: from the accept command until the complete file is on disk (median of RUNS runs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
SOCK="$(sock_bin)"
SIZE_MIB="${SIZE_MIB:-256}"
RUNS="${RUNS:-3}"
for p in ngircd irssi tmux; do command -v $p >/dev/null || { echo "chat-client.sh: $p missing" >&2; exit 1; }; done
work="$(mktemp -d /tmp/sock-bench-chat-client.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() { tmux -L "$(basename "$work")" kill-server 2>/dev/null || true; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
head -c "$((SIZE_MIB * 1048576))" /dev/urandom > "$work/source.bin"
port=$(free_port)
cat > "$work/ngircd.conf" <<CONF
[Global]
Name = bench.test
Info = bench
Listen = 127.0.0.1
Ports = $port
MotdFile = $work/ngircd.conf
[Options]
PAM = no
DNS = no
Ident = no
RequireAuthPing = no
CONF
chmod 644 "$work/ngircd.conf"
ngircd --nodaemon --config "$work/ngircd.conf" >"$work/ngircd.log" 2>&1 & pids+=($!)
sleep 1
mkdir -p "$work/sock-dl" "$work/irssi-dl" "$work/irssi-home"
mkfifo "$work/alice.in" "$work/bob.in"
"$SOCK" chat join "127.0.0.1:$port" --nick alice --plain < "$work/alice.in" > "$work/alice.out" 2>&1 & pids+=($!)
exec 3>"$work/alice.in"
"$SOCK" chat join "127.0.0.1:$port" --nick bob --plain --downloads "$work/sock-dl" < "$work/bob.in" > "$work/bob.out" 2>&1 & pids+=($!)
exec 4>"$work/bob.in"
T="tmux -L $(basename "$work")"
$T -f /dev/null new -d -s s -x 200 -y 50 "irssi --home=$work/irssi-home -c 127.0.0.1 -p $port -n ivy"
wait_for() { # FILE-or-COMMAND TEXT
  for _ in $(seq 1 600); do
    if eval "$1" 2>/dev/null | grep -qF -- "$2"; then return 0; fi
    sleep 0.05
  done
  echo "chat-client.sh: '$2' not seen" >&2; exit 1
}
wait_size() { for _ in $(seq 1 60000); do [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" = "$2" ] && return 0; sleep 0.01; done; exit 1; }
wait_for "$T capture-pane -p -t s" "End of MOTD"
$T send-keys -t s "/set dcc_download_path $work/irssi-dl" Enter
wait_for "cat $work/bob.out" "you joined"
size=$((SIZE_MIB * 1048576))
now() { date +%s.%N; }
sock_times=(); irssi_times=()
for i in $(seq 1 "$RUNS"); do
  ln -sf "$work/source.bin" "$work/s$i.bin"
  echo "/send bob $work/s$i.bin" >&3
  wait_for "cat $work/bob.out" "offers 's$i.bin'"
  t0=$(now); echo "/accept alice" >&4
  wait_for "cat $work/bob.out" "received 's$i.bin'"
  sock_times+=("$(echo "$(now) - $t0" | bc)")
  ln -sf "$work/source.bin" "$work/i$i.bin"
  echo "/send ivy $work/i$i.bin" >&3
  wait_for "$T capture-pane -p -t s" "DCC SEND from alice"
  t0=$(now); $T send-keys -t s "/dcc get alice" Enter
  wait_size "$work/irssi-dl/i$i.bin" "$size"
  irssi_times+=("$(echo "$(now) - $t0" | bc)")
  wait_for "cat $work/alice.out" "sent 'i$i.bin'"
  $T send-keys -t s "/clear" Enter
  cmp -s "$work/source.bin" "$work/sock-dl/s$i.bin" && cmp -s "$work/source.bin" "$work/irssi-dl/i$i.bin" || { echo "chat-client.sh: files differ" >&2; exit 1; }
  rm -f "$work/sock-dl/s$i.bin" "$work/irssi-dl/i$i.bin"
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
ms=$(median "${sock_times[@]}"); mi=$(median "${irssi_times[@]}")
mbps() { echo "scale=0; $SIZE_MIB * 1.048576 / $1" | bc; }
echo "DCC SEND of $SIZE_MIB MiB from sock via ngIRCd, median of $RUNS runs:"
record "DCC receive ${SIZE_MIB} MiB" "receive time (s)" "irssi /dcc get" "$(printf %.2f "$mi")" "$(printf %.2f "$ms")" "s" lower -
record "DCC receive ${SIZE_MIB} MiB" "throughput (MB/s)" "irssi /dcc get" "$(mbps "$mi")" "$(mbps "$ms")" "MB/s" higher -
