#!/usr/bin/env bash
# Bulk file transfer over loopback, the native sock against the JIT one (the `dotnet tool` / `dotnet
# run -c Release` build) and nc, interleaved run by run (nc, native, JIT, nc, …) so the machine's
# load hits all three alike; then the iperf3 loopback ceiling. Each run sends a SIZE_MIB file from
# the page cache and the receiver writes a fresh file.
#   nc -N 127.0.0.1 P < F        → nc -l P > F
#   sock send F 127.0.0.1:P      → sock recv --listen P -o DIR   (xxh128 verified end to end)
# JIT_ENV adds variables to the JIT runs only (e.g. JIT_ENV="DOTNET_TieredPGO=0").
# JIT=tool makes the JIT row the tool package README installs (`dotnet pack` → `dotnet tool install`
# into a temporary tool path; on linux-x64 the ReadyToRun package), what `dotnet tool` users run;
# JIT unset is the Release build (what `dotnet run -c Release` runs); JIT=PATH any other binary.
#   RUNS=5 SIZE_MIB=2048 bench/bulk.sh
#   JIT=tool RUNS=5 bench/bulk.sh
# Prints min / median / max seconds and MB/s per tool, and the median CPU seconds (user+system) of
# each side, (also $OUT_DIR/bulk.md) and records rows. Then two ceilings: iperf3 over loopback (no
# disk) and dd of the same file into the page cache (no network).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
NATIVE="${NATIVE:-$REPO_DIR/publish/sock}"
JIT="${JIT:-}"
work="${BENCH_TMP:-/tmp/sock-bench-bulk}"
mkdir -p "$work"
jit_name="JIT (Release build)"
if [ -z "$JIT" ]; then
  dotnet build "$REPO_DIR/src/Sock.Cli" -c Release -v q -nologo >/dev/null || { echo "bulk.sh: Release build failed" >&2; exit 1; }
  JIT="$REPO_DIR/src/Sock.Cli/bin/Release/net10.0/sock"
elif [ "$JIT" = tool ]; then
  # A private package folder, so a repacked Sock.Cli 0.1.0 is never taken from a cache.
  rm -rf "$work/artifacts" "$work/tool" "$work/nuget"
  dotnet pack "$REPO_DIR/src/Sock.Cli" -c Release -o "$work/artifacts" -v q -nologo >/dev/null \
    && NUGET_PACKAGES="$work/nuget" dotnet tool install --tool-path "$work/tool" Sock.Cli --add-source "$work/artifacts" >/dev/null \
    || { echo "bulk.sh: packing or installing the tool failed" >&2; exit 1; }
  JIT="$work/tool/sock"
  # The RID package links its executable into the tool path; the portable one gets a shim.
  rid=any; [ -L "$JIT" ] && rid=$(basename "$(dirname "$(readlink -f "$JIT")")")
  jit_name="JIT (dotnet tool package, $rid)"
fi
[ -x "$NATIVE" ] || { echo "bulk.sh: no native sock at $NATIVE (run ./publish.sh)" >&2; exit 1; }
for p in nc ss iperf3 python3; do command -v $p >/dev/null || { echo "bulk.sh: $p missing" >&2; exit 1; }; done
SIZE_MIB="${SIZE_MIB:-2048}"
RUNS="${RUNS:-5}"
JIT_ENV="${JIT_ENV:-}"
bench_source "$SIZE_MIB"
trap 'rm -rf "$work/out"' EXIT

# one PORT RECEIVER SENDER → seconds from the sender's start until both exited and the file is whole.
# The sender starts once the receiver listens (a fixed sleep lost the race on a loaded machine and
# left a receiver waiting for ever).
one() {
  local port=$1; shift
  rm -rf "$work/out"; mkdir -p "$work/out"
  /usr/bin/time -o "$work/recv.cpu" -f '%U %S' bash -c "$1" 2>"$work/recv.err" &
  local rpid=$!
  for _ in $(seq 600); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.05; done
  local t0; t0=$(date +%s.%N)
  /usr/bin/time -o "$work/send.cpu" -f '%U %S' bash -c "$2" 2>"$work/send.err" >/dev/null
  wait "$rpid"
  local t1; t1=$(date +%s.%N)
  local got; got=$(find "$work/out" -type f -printf '%s\n' | head -1)
  [ "$got" = "$((SIZE_MIB * 1048576))" ] || { echo "bulk.sh: incomplete output ($got bytes): $(cat "$work/recv.err" "$work/send.err")" >&2; echo nan; return; }
  python3 -c "print(f'{$t1 - $t0:.3f}')"
}
# CPU seconds (user+system) of the last run's sender and receiver: "SEND RECV".
cpu() { python3 -c "import sys; f=lambda p: sum(map(float, open(p).read().split()[-2:])); print(f'{f(sys.argv[1]):.2f} {f(sys.argv[2]):.2f}')" "$work/send.cpu" "$work/recv.cpu"; }

: > "$work/times.tsv"
echo "bulk.sh: ${SIZE_MIB} MiB x $RUNS runs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for run in $(seq "$RUNS"); do
  p=$(free_port); t=$(one "$p" "nc -l 127.0.0.1 $p > '$work/out/f.bin' < /dev/null" "nc -N 127.0.0.1 $p < '$src'"); printf 'nc\t%s\t%s\n' "$t" "$(cpu)" >> "$work/times.tsv"
  p=$(free_port); t2=$(one "$p" "'$NATIVE' recv --listen $p -o '$work/out'" "'$NATIVE' send '$src' 127.0.0.1:$p"); printf 'native\t%s\t%s\n' "$t2" "$(cpu)" >> "$work/times.tsv"
  p=$(free_port); t3=$(one "$p" "env $JIT_ENV '$JIT' recv --listen $p -o '$work/out'" "env $JIT_ENV '$JIT' send '$src' 127.0.0.1:$p"); printf 'jit\t%s\t%s\n' "$t3" "$(cpu)" >> "$work/times.tsv"
  echo "  run $run: nc $t s, native $t2 s, JIT $t3 s (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
port=$(free_port)
iperf3 -s -1 -p "$port" -B 127.0.0.1 >/dev/null 2>&1 &
ip=$!
sleep 0.5
ceiling=$(iperf3 -c 127.0.0.1 -p "$port" -n "${SIZE_MIB}M" -J | python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["end"]["sum_received"]["bits_per_second"]/8/1e6))')
kill $ip 2>/dev/null; wait $ip 2>/dev/null
# The page-cache write of the same 2 GiB without a network, in the receiver's write size (256 KiB).
rm -rf "$work/out"; mkdir -p "$work/out"
t0=$(date +%s.%N); dd if="$src" of="$work/out/f.bin" bs=256K status=none; t1=$(date +%s.%N)
ddrate=$(python3 -c "print(round($SIZE_MIB * 1.048576 / ($t1 - $t0)))")

python3 - "$work/times.tsv" "$SIZE_MIB" "$ceiling" "$OUT_DIR/bulk.md" "$RESULTS" "$JIT_ENV" "$ddrate" "$jit_name" <<'PY'
import statistics, sys
from collections import defaultdict
t = defaultdict(list)
c = defaultdict(list)
for l in open(sys.argv[1]):
    k, v, cs, cr = l.split()
    if v != "nan":
        t[k].append(float(v))
        c[k].append((float(cs), float(cr)))
mib, ceiling, jit_env = int(sys.argv[2]), sys.argv[3], sys.argv[6]
mb = lambda s: mib * 1.048576 / s
names = {"nc": "nc -N → nc -l > file", "native": "sock send → sock recv, native (publish.sh)", "jit": f"sock send → sock recv, {sys.argv[8]}" + (f", {jit_env}" if jit_env else "")}
out = [f"| {mib} MiB to a file | min s | median s | max s | median MB/s | CPU s send / recv (median) | runs (s) |", "|---|---:|---:|---:|---:|---:|---|"]
for k in ("nc", "native", "jit"):
    v = t[k]
    if not v: out.append(f"| {names[k]} | — | — | — | — | — | failed |"); continue
    cpu = f"{statistics.median(x for x, _ in c[k]):.2f} / {statistics.median(y for _, y in c[k]):.2f}"
    out.append(f"| {names[k]} | {min(v):.2f} | {statistics.median(v):.2f} | {max(v):.2f} | {mb(statistics.median(v)):.0f} | {cpu} | {' '.join(f'{x:.2f}' for x in v)} |")
out.append(f"| iperf3 loopback ceiling, 1 stream (no disk) | | | | {ceiling} | | |")
out.append(f"| dd bs=256K of the file into the page cache (no network) | | | | {sys.argv[7]} | | |")
open(sys.argv[4], "w").write("\n".join(out) + "\n")
print("\n".join(out))
with open(sys.argv[5], "a") as r:
    med = lambda k: f"{statistics.median(t[k]):.2f}" if t[k] else "-"
    r.write(f"Bulk transfer {mib} MiB, median of {len(t['nc'])} interleaved runs (bench/bulk.sh)\tnative send+recv to file (s)\tnc\t{med('nc')}\t{med('native')}\ts\tlower\t1\n")
    r.write(f"Bulk transfer {mib} MiB, median of {len(t['nc'])} interleaved runs (bench/bulk.sh)\tJIT send+recv to file (s)\tnc\t{med('nc')}\t{med('jit')}\ts\tlower\t1\n")
PY
