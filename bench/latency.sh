#!/usr/bin/env bash
# Paced latency (PRODUCT.md: "with the load paced at half of sock's maximum rate, p99 latency ≤ 5 ms"):
#   the IRC fan-out of bench/chat.sh (100 registered IRC clients in one room, 10 senders x 500
#   messages of 100 B), first unpaced against sock to find its maximum rate, then paced at half of
#   it (`sock bench chat --rate`, messages/s per sender) against sock and InspIRCd 3 in turn,
#   RUNS interleaved runs each so machine noise hits both alike.
# Prints min/median/max of p50 and p99 latency (and the deliveries/s each run reached) as a markdown
# table (also $OUT_DIR/latency.md) and appends rows to $RESULTS for bench/report.py.
#   RUNS=5 MAXRUNS=3 bench/latency.sh        RATE=1500 skips the unpaced runs
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
sock=$(sock_bin)
for p in inspircd python3; do command -v $p >/dev/null || { echo "latency.sh: $p missing" >&2; exit 1; }; done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
RUNS=${RUNS:-5}
MAXRUNS=${MAXRUNS:-3}
load=(--irc -n 100 -m 10 -k 500 -s 100)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# bench NAME PORT ARGS… → $work/NAME.json
bench() { local name=$1 port=$2; shift 2; "$sock" bench chat "127.0.0.1:$port" "${load[@]}" "$@" --json > "$work/$name.json" 2>"$work/$name.err" || true; }
start_sock() { # PORT → pid
  "$sock" chat serve --bind 127.0.0.1 --port "$1" --name bench.local --max-clients 100000 </dev/null >/dev/null 2>"$work/sock-$1.log" &
  pids+=($!); echo $! > "$work/pid"; wait_port "$1"
}

# One server of each for the whole run: the paced runs measure servers that have already carried
# this load (for sock's JIT build that means compiled code, not the first call's JIT).
PS=$(free_port); start_sock "$PS"
PI=$(free_port); start_inspircd "$PI"

if [ -z "${RATE:-}" ]; then
  echo "latency.sh: sock's maximum rate, $MAXRUNS unpaced runs…" >&2
  for i in $(seq "$MAXRUNS"); do bench "max-$i" "$PS"; sleep 1; done
  # Median deliveries/s → messages/s per sender (each message reaches the other 99), halved.
  RATE=$(python3 -c "
import json, statistics, sys
d = statistics.median(json.load(open(f'$work/max-{i}.json'))['deliveriesPerSecond'] for i in range(1, $MAXRUNS + 1))
print(f'{d:.0f} {d / 99 / 10 / 2:.0f}')")
  read -r MAX RATE <<<"$RATE"
  echo "latency.sh: sock's median unpaced rate $MAX deliveries/s; pacing at $RATE messages/s per sender" >&2
else
  MAX="-"
fi

echo "latency.sh: $RUNS interleaved paced runs each, sock and InspIRCd 3 at $RATE msg/s per sender…" >&2
for i in $(seq "$RUNS"); do
  bench "sock-$i" "$PS" --rate "$RATE"; sleep 1
  bench "insp-$i" "$PI" --rate "$RATE"; sleep 1
done

# "min median max" of a field over the runs of PREFIX (and the lost count summed over them).
spread() { # PREFIX FIELD
  python3 -c "
import json, statistics, sys
runs = [json.load(open(f'$work/{sys.argv[1]}-{i}.json')) for i in range(1, $RUNS + 1)]
if sys.argv[2] == 'lost': print(sum(r['lost'] for r in runs) if all('lost' in r for r in runs) else 'a-run-failed'); sys.exit()
v = sorted(r.get(sys.argv[2], float('nan')) for r in runs)
f = (lambda x: f'{x:.2f}') if sys.argv[2].endswith('Ms') else (lambda x: f'{x:.0f}')
print(f(v[0]), f(statistics.median(v)), f(v[-1]))" "$1" "$2"
}
read -r s50a s50m s50b < <(spread sock p50Ms)
read -r s99a s99m s99b < <(spread sock p99Ms)
read -r sda sdm sdb < <(spread sock deliveriesPerSecond)
read -r i50a i50m i50b < <(spread insp p50Ms)
read -r i99a i99m i99b < <(spread insp p99Ms)
read -r ida idm idb < <(spread insp deliveriesPerSecond)
slost=$(spread sock lost); ilost=$(spread insp lost)

T="Chat fan-out, IRC, paced at half sock's max ($RATE msg/s per sender; 100 clients, 10×500; median of $RUNS)"
record "$T" "p50 latency (ms)" "InspIRCd 3" "$i50m" "$s50m" "ms" lower -
record "$T" "p99 latency (ms)" "InspIRCd 3" "$i99m" "$s99m" "ms" lower "<=5"
record "$T" "lost" "InspIRCd 3" "$ilost" "$slost" "msgs" lower "<=0"

md="$OUT_DIR/latency.md"
{
  echo "sock's unpaced rate (median of $MAXRUNS): $MAX deliveries/s; paced at $RATE messages/s per sender ($((RATE * 10 * 99)) deliveries/s asked); $RUNS interleaved runs each; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| server | p50 ms min / median / max | p99 ms min / median / max | deliveries/s min / median / max | lost (all runs) |"
  echo "|---|---|---|---|---|"
  echo "| sock | $s50a / $s50m / $s50b | $s99a / $s99m / $s99b | $sda / $sdm / $sdb | $slost |"
  echo "| InspIRCd 3 | $i50a / $i50m / $i50b | $i99a / $i99m / $i99b | $ida / $idm / $idb | $ilost |"
} | tee "$md"
