#!/usr/bin/env bash
# Chat, side by side in one run (Release sock):
#   IRC fan-out   100 clients in one room, 10 senders x 500 msgs   sock chat serve  vs InspIRCd 3
#   plain fan-out  10 clients, 10 senders x 2,000 lines             sock chat serve  vs ncat --chat
#   idle memory    10,000 connected idle clients (server RSS growth / client): registered IRC
#                  clients, sock vs InspIRCd (like for like); plain clients, sock alone (no plain
#                  peer keeps per-client state). bench/idle.sh does this at 1,000-19,000 clients.
#   logged in      the IRC fan-out with every client logged in (SASL PLAIN) vs guests, sock vs sock,
#                  ACCOUNT_RUNS interleaved runs each, min/median/max
# The load generator for all of them is `sock bench chat`. Prints a markdown table (also written
# to $OUT_DIR/chat.md) and appends rows to $RESULTS for bench/report.py when bench/lib.sh exists.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
sock=$(sock_bin)
for p in inspircd ncat python3; do command -v $p >/dev/null || { echo "chat.sh: $p missing" >&2; exit 1; }; done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
IDLE=${IDLE:-10000}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
# bench NAME ARGS… → $work/NAME.json
bench() { local name=$1; shift; "$sock" bench chat "$@" --json > "$work/$name.json" 2>"$work/$name.err" || true; }
get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); v=d.get(sys.argv[2], 'n/a'); print(round(v,1) if isinstance(v,float) else v)" "$work/$1.json" "$2"; }

start_sock() { # PORT → pid
  "$sock" chat serve --bind 127.0.0.1 --port "$1" --name bench.local --max-clients 100000 </dev/null >/dev/null 2>"$work/sock-$1.log" &
  pids+=($!); echo $! > "$work/pid"; wait_port "$1"
}
start_ncat() { ncat --chat -l 127.0.0.1 "$1" </dev/null >/dev/null 2>&1 & pids+=($!); echo $! > "$work/pid"; wait_port "$1"; }
stop_last() { kill "$(cat "$work/pid")" 2>/dev/null; sleep 0.3; }

# Idle memory: server RSS before, and while N idle clients are connected.
idle() { # NAME PID PORT ARGS…
  local name=$1 pid=$2 port=$3; shift 3
  local before; before=$(rss_kib "$pid")
  "$sock" bench chat "127.0.0.1:$port" -n "$IDLE" -m 0 --hold 6 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  local b=$!
  for _ in $(seq 600); do grep -q holding "$work/$name.err" && break; sleep 0.1; done
  sleep 3
  local during; during=$(rss_kib "$pid")
  wait $b
  local connected; connected=$(awk '/connected/ {print $2}' "$work/$name.out")
  python3 -c "import sys; b,d,n=int(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3].split('/')[0]); print(f'{(d-b)/n:.2f} {b} {d} {n}')" "$before" "$during" "$connected"
}

echo "chat.sh: IRC fan-out (100 clients, 10 senders x 500)…" >&2
P=$(free_port); start_sock "$P";     bench sock-irc "127.0.0.1:$P" --irc -n 100 -m 10 -k 500 -s 100; stop_last
P=$(free_port); start_inspircd "$P"; bench insp-irc "127.0.0.1:$P" --irc -n 100 -m 10 -k 500 -s 100; stop_last
echo "chat.sh: plain fan-out (10 clients, 10 senders x 2,000)…" >&2
P=$(free_port); start_sock "$P";     bench sock-plain "127.0.0.1:$P" -n 10 -m 10 -k 2000 -s 100; stop_last
P=$(free_port); start_ncat "$P";     bench ncat-plain "127.0.0.1:$P" -n 10 -m 10 -k 2000 -s 100 --quiet 3; stop_last
echo "chat.sh: $IDLE idle clients…" >&2
P=$(free_port); start_sock "$P";     read -r sock_idle sb sd sn < <(idle sock-idle "$(cat "$work/pid")" "$P"); stop_last
P=$(free_port); start_sock "$P";     read -r sock_idle_irc _ _ sin < <(idle sock-idle-irc "$(cat "$work/pid")" "$P" --irc); stop_last
P=$(free_port); start_inspircd "$P"; read -r insp_idle ib id in_ < <(idle insp-idle "$(cat "$work/pid")" "$P" --irc); stop_last

# Logged-in users against guests: the same IRC fan-out on two sock servers with --db, one whose
# clients all log in with SASL PLAIN first (`--login`: accounts registered on the first run), one
# of guests; runs interleaved so machine noise hits both alike. Min/median/max of ACCOUNT_RUNS.
ACCOUNT_RUNS=${ACCOUNT_RUNS:-5}
start_sock_db() { # PORT DB → pid (4096 PBKDF2 iterations: login cost is outside the measured fan-out)
  "$sock" chat serve --bind 127.0.0.1 --port "$1" --name bench.local --max-clients 100000 --db "$2" --password-iterations 4096 </dev/null >/dev/null 2>"$work/sock-$1.log" &
  pids+=($!); echo $! > "$work/pid"; wait_port "$1"
}
echo "chat.sh: IRC fan-out, guests vs logged-in ($ACCOUNT_RUNS interleaved runs each)…" >&2
PG=$(free_port); start_sock_db "$PG" "$work/guests.db"; guest_pid=$(cat "$work/pid")
PL=$(free_port); start_sock_db "$PL" "$work/accounts.db"; login_pid=$(cat "$work/pid")
for i in $(seq "$ACCOUNT_RUNS"); do
  bench "guest-$i" "127.0.0.1:$PG" --irc -n 100 -m 10 -k 500 -s 100
  bench "login-$i" "127.0.0.1:$PL" --irc -n 100 -m 10 -k 500 -s 100 --login bench-password
done
kill "$guest_pid" "$login_pid" 2>/dev/null
spread() { # PREFIX → "min median max" of deliveriesPerSecond (and total lost)
  python3 -c "
import json, statistics, sys
runs = [json.load(open(f'{sys.argv[1]}-{i}.json')) for i in range(1, int(sys.argv[2]) + 1)]
v = sorted(r['deliveriesPerSecond'] for r in runs)
print(round(v[0]), round(statistics.median(v)), round(v[-1]), sum(r['lost'] for r in runs))" "$work/$1" "$ACCOUNT_RUNS"
}
read -r g_min g_med g_max g_lost < <(spread guest)
read -r l_min l_med l_max l_lost < <(spread login)

# Fan-out throughput against client count, for the plot: IRC, one room, 10 senders, about
# 500,000 deliveries per point (fewer messages as the room grows). SWEEP="" skips it.
SWEEP=${SWEEP-"10 100 1000 10000"}
for n in $SWEEP; do
  k=$(( 500000 / (10 * (n - 1)) )); [ "$k" -gt 500 ] && k=500; [ "$k" -lt 1 ] && k=1
  echo "chat.sh: sweep $n clients, 10 senders x $k…" >&2
  P=$(free_port); start_sock "$P";     bench "sweep-sock-$n" "127.0.0.1:$P" --irc -n "$n" -m 10 -k "$k" -s 100 --quiet 20; stop_last
  P=$(free_port); start_inspircd "$P"; bench "sweep-insp-$n" "127.0.0.1:$P" --irc -n "$n" -m 10 -k "$k" -s 100 --quiet 20; stop_last
  record "Fan-out sweep" "$n" "InspIRCd 3" "$(get "sweep-insp-$n" deliveriesPerSecond)" "$(get "sweep-sock-$n" deliveriesPerSecond)" "msg/s" higher -
done

T1="Chat fan-out, IRC (100 clients, 10×500)"
record "$T1" "deliveries/s" "InspIRCd 3" "$(get insp-irc deliveriesPerSecond)" "$(get sock-irc deliveriesPerSecond)" "msg/s" higher 2
record "$T1" "p99 latency (ms)" "InspIRCd 3" "$(get insp-irc p99Ms)" "$(get sock-irc p99Ms)" "ms" lower 1
record "$T1" "lost" "InspIRCd 3" "$(get insp-irc lost)" "$(get sock-irc lost)" "msgs" lower "<=0"
T2="Chat fan-out, plain (10 clients, 10×2,000)"
record "$T2" "deliveries/s (whole lines)" "ncat --chat" "$(get ncat-plain deliveriesPerSecond)" "$(get sock-plain deliveriesPerSecond)" "msg/s" higher -
record "$T2" "lost" "ncat --chat" "$(get ncat-plain lost)" "$(get sock-plain lost)" "msgs" lower "<=0"
record "$T2" "corrupt (split/merged)" "ncat --chat" "$(get ncat-plain corrupt)" "$(get sock-plain corrupt)" "lines" lower "<=0"
T4="Chat fan-out, IRC, logged-in vs guests (100 clients, 10×500, median of $ACCOUNT_RUNS)"
record "$T4" "deliveries/s" "sock, guests" "$g_med" "$l_med" "msg/s" higher 0.95
record "$T4" "lost" "sock, guests" "$g_lost" "$l_lost" "msgs" lower "<=0"
T3="Chat, $IDLE idle clients"
# Like for like: both servers hold registered IRC clients (NICK/USER done, in no channel).
record "$T3" "server RSS per registered IRC client (KiB)" "InspIRCd 3" "$insp_idle" "$sock_idle_irc" "KiB" lower "<=10"
record "$T3" "server RSS per plain client, each in its own room (KiB)" "(no plain peer)" "-" "$sock_idle" "KiB" lower "<=10"

md="$OUT_DIR/chat.md"
{
  echo "| load | metric | peer | peer | sock | target |"
  echo "|---|---|---|---|---|---|"
  for m in deliveriesPerSecond p50Ms p99Ms lost corrupt outOfOrder; do
    echo "| IRC 100 clients, 10×500×100 B | $m | InspIRCd 3 | $(get insp-irc $m) | $(get sock-irc $m) | $(case $m in deliveriesPerSecond) echo '≥ 2× peer';; p99Ms) echo '< peer';; lost) echo 0;; *) echo;; esac) |"
  done
  for m in deliveriesPerSecond p50Ms p99Ms lost corrupt outOfOrder; do
    echo "| plain 10 clients, 10×2,000×100 B | $m | ncat --chat | $(get ncat-plain $m) | $(get sock-plain $m) | $(case $m in deliveriesPerSecond) echo 'close to peer';; lost|corrupt) echo 0;; *) echo;; esac) |"
  done
  echo "| IRC 100 clients, 10×500×100 B, all logged in (SASL PLAIN) vs guests, $ACCOUNT_RUNS interleaved runs | deliveries/s min / median / max | sock, guests | $g_min / $g_med / $g_max | $l_min / $l_med / $l_max | ≥ guests (within noise) |"
  echo "| same | lost (all runs) | sock, guests | $g_lost | $l_lost | 0 |"
  echo "| $IDLE idle clients (plain) | server KiB per client | — | — | $sock_idle | < 10 |"
  echo "| $IDLE idle clients (IRC, registered) | server KiB per client | InspIRCd 3 | $insp_idle | $sock_idle_irc | < 10 |"
} | tee "$md"
echo "(idle: sock connected $sn/$IDLE plain, $sin/$IDLE IRC; InspIRCd $in_/$IDLE)"
