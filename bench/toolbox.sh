#!/usr/bin/env bash
# Toolbox benchmark: sock beside its peers in one run (hyperfine), loopback only.
#   1. one resolver lookup: sock resolve vs python3 socket.getaddrinfo vs getent ahosts
#   2. a 2000-port TCP scan of closed loopback ports: sock probe vs nc -z (OpenBSD)
# SOCK=path/to/sock (default: the Release build, else the Debug build). Prints markdown tables.
set -euo pipefail
cd "$(dirname "$0")/.."
SOCK=${SOCK:-}
if [[ -z "$SOCK" ]]; then
  for c in src/Sock.Cli/bin/Release/net10.0/linux-x64/publish/sock src/Sock.Cli/bin/Release/net10.0/sock src/Sock.Cli/bin/Debug/net10.0/sock; do
    [[ -x "$c" ]] && { SOCK=$c; break; }
  done
fi
[[ -x "${SOCK:-}" ]] || { echo "build sock first (dotnet build -c Release src/Sock.Cli)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is needed" >&2; exit 1; }
out=$(mktemp); trap 'rm -f "$out"' EXIT
echo "sock: $SOCK   machine: $(nproc) cores   date: $(date -u +%F)"

echo; echo "## one getaddrinfo(localhost, 80)"
hyperfine -N --warmup 3 --runs 30 --style basic --export-markdown "$out" \
  "$SOCK resolve localhost 80 --json" \
  "python3 -c 'import socket; socket.getaddrinfo(\"localhost\", 80)'" \
  "getent ahosts localhost" >/dev/null
cat "$out"

echo; echo "## TCP scan of 2000 closed loopback ports"
hyperfine -N -i --warmup 1 --runs 10 --style basic --export-markdown "$out" \
  "$SOCK probe 127.0.0.1 40001-42000 --concurrency 64" \
  "nc -z -w1 127.0.0.1 40001-42000" >/dev/null 2>&1
cat "$out"
