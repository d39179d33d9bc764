#!/usr/bin/env bash
# Join storm and fan-out at N members in one room (issue 17): N IRC clients register and JOIN one
# room (N²/2 JOIN lines and N NAMES lists), then M of them send K messages each to the other N-1.
# The load generator is `sock bench chat` (its report gives the join storm's duration and its own
# CPU per phase); the server's CPU is read from /proc/PID/stat when the room has gone quiet and
# again at the end, its peak RSS from /proc/PID/status (VmHWM).
#   N=10000 M=10 K=50 RUNS=1 bench/storm.sh        SOCK=path/to/sock picks the build
# Prints one line per run and appends them to $OUT_DIR/storm.md.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
sock=$(sock_bin)
N=${N:-10000}; M=${M:-10}; K=${K:-50}; RUNS=${RUNS:-1}
TIMEOUT=${TIMEOUT:-600}   # --connect-timeout: late joiners of a 10,000 storm wait behind millions of JOIN lines
# This shell's own descriptor limit only (the server and the bench each hold N sockets).
ulimit -n "$(ulimit -Hn)"
if [ $((N + 200)) -gt "$(ulimit -n)" ]; then echo "storm.sh: $N clients need more than ulimit -n $(ulimit -n)" >&2; exit 1; fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
tck=$(getconf CLK_TCK)
cpu() { awk -v t="$tck" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat"; }  # utime + stime, seconds
hwm() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }         # MiB

md="$OUT_DIR/storm.md"
for run in $(seq "$RUNS"); do
  port=$(free_port)
  "$sock" chat serve --bind 127.0.0.1 --port "$port" --name bench.local --max-clients 100000 </dev/null >/dev/null 2>"$work/server.log" &
  spid=$!; pids+=($spid); wait_port "$port"
  sleep 1
  cpu0=$(cpu $spid); rss0=$(hwm $spid)
  # The bench's progress lines arrive on stderr as they happen (not with --json): sample the server at "room quiet".
  "$sock" bench chat "127.0.0.1:$port" --irc -n "$N" -m "$M" -k "$K" --quiet 20 --connect-timeout "$TIMEOUT" \
    > "$work/run.txt" 2> >(while IFS= read -r line; do
         echo "$line" >&2
         case $line in *"room quiet"*) echo "$(cpu $spid) $(hwm $spid)" > "$work/quiet";; esac
       done)
  sleep 0.5
  cpu2=$(cpu $spid); rss2=$(hwm $spid)
  [ -s "$work/quiet" ] || echo "$cpu2 $rss2" > "$work/quiet"
  read -r cpu1 rss1 < "$work/quiet"; rm -f "$work/quiet"
  kill $spid 2>/dev/null; wait $spid 2>/dev/null
  python3 - "$work/run.txt" "$cpu0" "$cpu1" "$cpu2" "$rss0" "$rss1" "$rss2" "$N" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY' | tee -a "$md"
import re, sys
# The text report: "connected 10000/10000", "join storm 12.34 s … quiet 0.32 s later; bench CPU 5.67 s", "delivered 4999500", …
t = open(sys.argv[1]).read()
def num(pattern, default=0.0):
    m = re.search(pattern, t)
    return float(m.group(1)) if m else default
r = {'connected': int(num(r'connected\s+(\d+)/')), 'joinSeconds': num(r'join storm\s+([\d.]+) s'), 'quietSeconds': num(r'room quiet ([\d.]+) s later'),
     'benchJoinCpuSeconds': num(r'later; bench CPU ([\d.]+) s'), 'delivered': int(num(r'delivered\s+(\d+)')), 'expected': int(num(r'expected\s+(\d+)')),
     'deliveriesPerSecond': num(r'deliveries/s\s+([\d.]+)'), 'p50Ms': num(r'p50\s+([\d.]+) ms'), 'p99Ms': num(r'p99\s+([\d.]+) ms'),
     'benchSendCpuSeconds': num(r'bench CPU\s+([\d.]+) s while sending'), 'connectError': 'not all joined'}
c0, c1, c2 = map(float, sys.argv[2:5]); m0, m1, m2 = map(int, sys.argv[5:8]); n = int(sys.argv[8])
d = r.get('delivered', 0)
print(f"- {r['connected']}/{n} joined in {r['joinSeconds']:.1f} s, room quiet {r['quietSeconds']:.1f} s later; "
      f"server CPU {c1 - c0:.1f} s, VmHWM {m0} → {m1} MiB; bench CPU {r['benchJoinCpuSeconds']:.1f} s"
      + (f" | fan-out: {d}/{r['expected']} delivered, {r['deliveriesPerSecond']:.0f} deliveries/s, p50 {r['p50Ms']:.1f} ms, p99 {r['p99Ms']:.1f} ms; "
         f"server {(c2 - c1) * 1e6 / d:.2f} µs and bench {r['benchSendCpuSeconds'] * 1e6 / d:.2f} µs CPU per delivery; VmHWM {m2} MiB" if d else
         f" | no fan-out ({r.get('connectError')})")
      + f" (load average {sys.argv[9]})")
PY
  sleep 2
done
