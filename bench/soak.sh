#!/usr/bin/env bash
# Soak: one `sock chat serve`, thousands of clients for a bounded time (bench/soak.py): stable
# members (plain and IRC) that read and talk, churners that join, part, quit, close, reset (RST)
# and reconnect at random, and stalled clients that stop reading. Checks at the end:
#   every stable client got every message of its room in order, uncorrupted (missing = 0,
#   outOfOrder = 0, corrupt = 0); every stalled client was cut (stalledNotCut = 0); the server's
#   RSS came back near where it started; no exception in the server log. Prints the numbers.
# Parameters (environment): CLIENTS (1000), DURATION seconds of talk (90), ROOMS (8), RATE msgs/s
# per talker (0.5), SIZE bytes (160), MAX_QUEUE server --max-queue (16384: stalls are cut sooner).
# Connects from 127.0.0.1, which the per-address limits exempt.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
sock=$(sock_bin)
command -v python3 >/dev/null || { echo "soak.sh: python3 missing" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

port=$(free_port)
"$sock" chat serve --bind 127.0.0.1 --port "$port" --name soak.local --max-queue "${MAX_QUEUE:-16384}" </dev/null >/dev/null 2>"$work/server.log" &
server=$!
for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
sleep 1
rss_start=$(rss_kib "$server")
fd_start=$(ls "/proc/$server/fd" | wc -l)
# Peak RSS, sampled once a second while the driver runs.
( peak=0; while kill -0 "$server" 2>/dev/null; do r=$(rss_kib "$server" 2>/dev/null || echo 0); [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" > "$work/peak"; sleep 1; done ) &
sampler=$!
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
python3 "$here/soak.py" "$port" > "$work/result.json"
driver=$?
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
# Every client is gone: give the server a moment to close them and collect.
for _ in $(seq 30); do sleep 1; [ "$(ls "/proc/$server/fd" | wc -l)" -le $((fd_start + 10)) ] && break; done
sleep 5
rss_end=$(rss_kib "$server")
# What the server still holds once everyone left: connections, members, rooms (all should be 0).
curl -s "http://127.0.0.1:$port/metrics" > "$work/metrics" 2>/dev/null || python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())" "http://127.0.0.1:$port/metrics" > "$work/metrics"
kill "$sampler" 2>/dev/null
rss_peak=$(cat "$work/peak" 2>/dev/null || echo "$rss_end")
exceptions=$(grep -cE "Exception|Unhandled|^\s+at " "$work/server.log")
sendq=$(grep -c "quit (SendQ exceeded)" "$work/server.log")
stall_cut=$(grep -cE "stall[0-9]+ quit \(SendQ exceeded\)" "$work/server.log")
cp "$work/server.log" "$OUT_DIR/soak-server.log"
kill -TERM "$server"; wait "$server" 2>/dev/null; server=""
[ $driver -eq 0 ] || { echo "soak.sh: the driver failed" >&2; tail -20 "$work/server.log" >&2; exit 1; }
python3 - "$work/result.json" "$rss_start" "$rss_peak" "$rss_end" "$exceptions" "$sendq" "$load_start" "$load_end" "$work/metrics" "$stall_cut" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
left = {}
for line in open(sys.argv[9]):
    if line.startswith(("sock_chat_connections", "sock_chat_members ", "sock_chat_rooms ", "sock_chat_queued_bytes ")):
        name = line.split("{")[0].split(" ")[0]
        left[name] = left.get(name, 0) + float(line.rsplit(" ", 1)[1])
r.update(serverLogStalledCut=int(sys.argv[10]), serverHoldsAfter={k: int(v) for k, v in left.items()})
start, peak, end, exc, sendq = (int(x) for x in sys.argv[2:7])
r.update(serverRssStartMiB=round(start / 1024, 1), serverRssPeakMiB=round(peak / 1024, 1), serverRssEndMiB=round(end / 1024, 1),
         serverLogExceptions=exc, serverLogSendQExceeded=sendq, loadAvgStart=sys.argv[7], loadAvgEnd=sys.argv[8])
for k, v in r.items():
    print(f"  {k:24} {v}")
# "Near its start": within 64 MiB. .NET keeps the heap it grew until a later collection needs it
# (nothing allocates when idle), so some growth stays; a leak shows as connections, members or
# rooms still held (checked above) and as RSS growing with the run's length.
back = end - start <= 64 * 1024
checks = {"the server holds no connection, member or room afterwards": len(left) >= 3 and all(v == 0 for v in left.values()),
          "every stable client got every message in order": r["missing"] == 0 and r["outOfOrder"] == 0 and r["corrupt"] == 0 and r["stableBroken"] == 0,
          "every stalled client was cut (SendQ exceeded, in its last line and the server log)": r["stalledNotCut"] == 0 and r["serverLogStalledCut"] == r["stalled"],
          "server RSS back within 64 MiB of its start": back,
          "no exception in the server log": exc == 0}
for name, ok in checks.items():
    print(f"  {'ok  ' if ok else 'FAIL'} {name}")
sys.exit(0 if all(checks.values()) else 1)
PY
