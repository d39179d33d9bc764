#!/usr/bin/env bash
# Server memory per idle client, side by side in one run, at several client counts:
#   sock, plain clients     (each /join's its own room, as `sock bench chat -m 0` does)
#   sock, IRC clients       (registered: NICK/USER answered with 001; in no channel)
#   InspIRCd 3, IRC clients (the same registered clients: the like-for-like peer)
# For each count N and each run (servers interleaved, so load hits all alike): start the server,
# read its RSS, connect N idle clients with `sock bench chat -n N -m 0 --hold`, read its RSS again
# once all are connected; per client = (RSS with N - RSS before) / N. RSS, not the managed heap:
# it is what the machine pays. The slope between the smallest and largest N (medians) is the cost
# of one more client, which is what 100,000 clients multiply.
#   COUNTS="1000 5000 10000 19000" RUNS=3 bench/idle.sh     (19,000: the fd hard limit is 20,000)
# Prints a markdown table (also $OUT_DIR/idle.md) and records rows for bench/report.py.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
sock=$(sock_bin)
command -v inspircd >/dev/null || { echo "idle.sh: inspircd missing" >&2; exit 1; }
COUNTS=${COUNTS:-"1000 5000 10000 19000"}
RUNS=${RUNS:-3}
# The process's own limit only (this shell and its children), never the machine's.
ulimit -n "$(ulimit -Hn)"
max_n=0; for n in $COUNTS; do [ "$n" -gt "$max_n" ] && max_n=$n; done
if [ $((max_n + 200)) -gt "$(ulimit -n)" ]; then echo "idle.sh: $max_n clients need more than ulimit -n $(ulimit -n)" >&2; exit 1; fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

rss() { awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} END {print r, a}' "/proc/$1/status"; }
# A per-address connection limit, when this sock has one, must not refuse the bench's clients.
sock_extra=()
"$sock" chat serve --help 2>/dev/null | grep -q -- '--max-per-address' && sock_extra=(--max-per-address 1000000)

start_sock() { # PORT → pid in $work/pid
  "$sock" chat serve --bind 127.0.0.1 --port "$1" --name bench.local --max-clients 1000000 "${sock_extra[@]}" </dev/null >/dev/null 2>"$work/sock-$1.log" &
  pids+=($!); echo $! > "$work/pid"; wait_port "$1"
}

# measure SERVER N → "perclient_kib anon_perclient_kib connected during_kib"
measure() {
  local server=$1 n=$2 port; port=$(free_port)
  local mode=(); [ "$server" != sock-plain ] && mode=(--irc)
  case $server in sock-*) start_sock "$port";; insp) start_inspircd "$port";; esac
  local pid; pid=$(cat "$work/pid")
  sleep 1
  read -r before before_anon < <(rss "$pid")
  "$sock" bench chat "127.0.0.1:$port" -n "$n" -m 0 --hold 8 "${mode[@]}" >"$work/b.out" 2>"$work/b.err" &
  local b=$!
  for _ in $(seq 1200); do grep -q holding "$work/b.err" && break; kill -0 $b 2>/dev/null || break; sleep 0.1; done
  sleep 3
  read -r during during_anon < <(rss "$pid")
  wait $b
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  local connected; connected=$(awk '/connected/ {split($2, a, "/"); print a[1]}' "$work/b.out")
  [ -n "$connected" ] && [ "$connected" -gt 0 ] || { echo "nan nan 0 0"; return; }
  python3 -c "import sys; b,d,ba,da,n=map(int,sys.argv[1:]); print(f'{(d-b)/n:.2f} {(da-ba)/n:.2f} {n} {d}')" "$before" "$during" "$before_anon" "$during_anon" "$connected"
}

# SERVERS="sock-irc" measures one kind alone (quick checks); the documented runs use all three.
read -r -a servers <<< "${SERVERS:-sock-plain sock-irc insp}"
: > "$work/all.tsv"
echo "idle.sh: counts $COUNTS, $RUNS runs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for run in $(seq "$RUNS"); do
  for n in $COUNTS; do
    for s in "${servers[@]}"; do
      read -r per anon connected during < <(measure "$s" "$n")
      echo "  run $run  $s  n=$n  connected=$connected  $per KiB/client (anon $anon)  load $(cut -d' ' -f1 /proc/loadavg)" >&2
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$n" "$run" "$per" "$anon" "$connected" "$during" >> "$work/all.tsv"
    done
  done
done

python3 - "$work/all.tsv" "$OUT_DIR/idle.md" "$RESULTS" <<'PY'
import statistics, sys
from collections import defaultdict
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
names = {"sock-plain": "sock, plain clients", "sock-irc": "sock, registered IRC clients", "insp": "InspIRCd 3, registered IRC clients"}
per, anon, during, short = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
for s, n, run, p, a, c, d in rows:
    n = int(n)
    # Under heavy load a client or two may miss registration; the cost is divided by those connected,
    # and a run short by more than 1% is left out (and named).
    if p == "nan" or int(c) < 0.99 * n: short[(s, n)].append(c); continue
    if int(c) < n: short[(s, n)].append(c)
    per[(s, n)].append(float(p)); anon[(s, n)].append(float(a)); during[(s, n)].append(int(d))
counts = sorted({int(r[1]) for r in rows})
def mmm(v): return f"{min(v):.2f} / {statistics.median(v):.2f} / {max(v):.2f}" if v else "—"
out = ["| server, clients | " + " | ".join(f"{n:,} clients" for n in counts) + f" | per extra client ({counts[0]:,}→{counts[-1]:,}) |",
       "|---|" + "---:|" * (len(counts) + 1)]
slopes = {}
for s in names:
    cells = []
    for n in counts:
        cell = mmm(per[(s, n)])
        if short[(s, n)]: cell += f" ({', '.join(short[(s, n)])} of {n:,} connected in a run)"
        cells.append(cell)
    lo, hi = during[(s, counts[0])], during[(s, counts[-1])]
    slope = (statistics.median(hi) - statistics.median(lo)) / (counts[-1] - counts[0]) if lo and hi and counts[-1] > counts[0] else None
    slopes[s] = slope
    out.append(f"| {names[s]} | " + " | ".join(cells) + f" | {slope:.2f} |" if slope is not None else f"| {names[s]} | " + " | ".join(cells) + " | — |")
out += ["", "Cells: server RSS growth per client in KiB, min / median / max over the runs. RssAnon (heap and", "stacks, without mapped code) per client, median:", "",
        "| server | " + " | ".join(f"{n:,}" for n in counts) + " |", "|---|" + "---:|" * len(counts)]
for s in names:
    out.append(f"| {names[s]} | " + " | ".join(f"{statistics.median(anon[(s, n)]):.2f}" if anon[(s, n)] else "—" for n in counts) + " |")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("\n".join(out))
# Rows for bench/report.py: like for like (registered IRC clients), at the largest count measured.
with open(sys.argv[3], "a") as r:
    n = counts[-1]
    med = lambda s: f"{statistics.median(per[(s, n)]):.2f}" if per[(s, n)] else "-"
    t = f"Chat, idle clients' server memory ({n:,} clients, median of runs; bench/idle.sh)"
    r.write(f"{t}\tRSS per registered IRC client (KiB)\tInspIRCd 3\t{med('insp')}\t{med('sock-irc')}\tKiB\tlower\t<=2\n")
    if slopes["insp"] is not None and slopes["sock-irc"] is not None:
        r.write(f"{t}\tRSS per extra registered IRC client, slope {counts[0]:,}→{n:,} (KiB)\tInspIRCd 3\t{slopes['insp']:.2f}\t{slopes['sock-irc']:.2f}\tKiB\tlower\t<=2\n")
    r.write(f"{t}\tRSS per plain client (KiB)\t(no plain peer)\t-\t{med('sock-plain')}\tKiB\tlower\t<=3\n")
PY
