#!/usr/bin/env bash
# Toolbox benchmark: sock beside its peers in one run (hyperfine), loopback only.
#   1. one resolver lookup: sock resolve vs python3 socket.getaddrinfo vs getent ahosts
#   2. a 2000-port TCP scan of closed loopback ports: sock probe vs nc -z (OpenBSD)
# SOCK=path/to/sock (default: bench/lib.sh's sock_bin). Prints markdown tables.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
SOCK=$(sock_bin)
[[ -x "${SOCK:-}" ]] || { echo "build sock first (dotnet build -c Release src/Sock.Cli)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is needed" >&2; exit 1; }
out=$(mktemp); trap 'rm -f "$out"' EXIT
echo "sock: $SOCK   machine: $(nproc) cores   date: $(date -u +%F)"

echo; echo "## one getaddrinfo(localhost, 80)"
hyperfine -N --warmup 3 --runs 30 --style basic --export-markdown "$out" --export-json "$out.resolve.json" \
  "$SOCK resolve localhost 80 --json" \
  "python3 -c 'import socket; socket.getaddrinfo(\"localhost\", 80)'" \
  "getent ahosts localhost" >/dev/null
cat "$out"

echo; echo "## TCP scan of 2000 closed loopback ports"
hyperfine -N -i --warmup 1 --runs 10 --style basic --export-markdown "$out" --export-json "$out.probe.json" \
  "$SOCK probe 127.0.0.1 40001-42000 --concurrency 64" \
  "nc -z -w1 127.0.0.1 40001-42000" >/dev/null 2>&1
cat "$out"

# Rows for bench/run's report (docs/BENCHMARKS.md).
ms() { python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['mean']*1000,1))" "$1" "$2"; }
record "Toolbox" "one getaddrinfo (ms)" "python3" "$(ms "$out.resolve.json" 1)" "$(ms "$out.resolve.json" 0)" ms lower -
record "Toolbox" "one getaddrinfo (ms)" "getent ahosts" "$(ms "$out.resolve.json" 2)" "$(ms "$out.resolve.json" 0)" ms lower -
record "Toolbox" "scan 2000 closed ports (ms)" "nc -z" "$(ms "$out.probe.json" 1)" "$(ms "$out.probe.json" 0)" ms lower -
rm -f "$out.resolve.json" "$out.probe.json"
