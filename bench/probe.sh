#!/usr/bin/env bash
# Full TCP sweep of 127.0.0.1 (ports 1-65535): `sock probe` beside `nmap -sT -p-`, 5 runs each,
# interleaved (sock, nmap, sock, nmap, …) so that machine load falls on both alike. Three listeners
# are opened first so both have something to find, and both must find them.
# Prints min / median / max wall seconds and the load average before and after.
# SOCK=path/to/sock (default: bench/lib.sh's sock_bin: publish/sock if built, else Release).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
SOCK=$(sock_bin)
RUNS=${RUNS:-5}
command -v nmap >/dev/null || { echo "nmap is needed (apt-get install nmap)" >&2; exit 1; }
work=$(mktemp -d)
ports=("$(free_port)" "$(free_port)" "$(free_port)")
python3 -c '
import socket, sys, select
ss = []
for p in sys.argv[1:]:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(p))); s.listen(128); ss.append(s)
while True:
    for s in select.select(ss, [], [])[0]:
        try: s.accept()[0].close()
        except OSError: pass
' "${ports[@]}" & listener=$!
trap 'kill $listener 2>/dev/null; rm -rf "$work"' EXIT
for p in "${ports[@]}"; do wait_port "$p"; done

echo "sock: $SOCK   nmap: $(nmap --version | head -1)   machine: $(nproc) cores   date: $(date -u +%F)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
time_of() { # command… → wall seconds on stdout; its output in $work/out
  local start end
  start=$(date +%s.%N); "$@" > "$work/out" 2>/dev/null || true; end=$(date +%s.%N)
  python3 -c "print(round($end - $start, 3))"
}
for i in $(seq "$RUNS"); do
  time_of "$SOCK" probe 127.0.0.1 1-65535 >> "$work/sock.times"
  for p in "${ports[@]}"; do grep -qE "^127\.0\.0\.1 +$p +open" "$work/out" || { echo "sock missed port $p" >&2; exit 1; }; done
  time_of nmap -sT -p- -n -T4 127.0.0.1 >> "$work/nmap.times"
  for p in "${ports[@]}"; do grep -q "^$p/tcp *open" "$work/out" || { echo "nmap missed port $p" >&2; exit 1; }; done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
summary() { python3 -c '
import statistics, sys
t = sorted(float(x) for x in open(sys.argv[1]))
print(f"| {sys.argv[2]} | {t[0]:.2f} | {statistics.median(t):.2f} | {t[-1]:.2f} |")' "$1" "$2"; }
echo
echo "| full TCP sweep of 127.0.0.1, $RUNS runs | min s | median s | max s |"
echo "|---|---|---|---|"
summary "$work/sock.times" "sock probe 127.0.0.1 1-65535"
summary "$work/nmap.times" "nmap -sT -p- -n -T4 127.0.0.1"
