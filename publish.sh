#!/usr/bin/env bash
# Builds the native `sock` (Native AOT, linux-x64 by default) into ./publish/ and fails on any
# trim/AOT (IL) warning. Install with: sudo install -m 755 publish/sock /usr/local/bin/
# PIE=1 ./publish.sh keeps the executable position-independent (ASLR) at ~2 ms of start-up.
set -euo pipefail
cd "$(dirname "$0")"
rid="${1:-linux-x64}"
log=$(mktemp)
pie=()
[ "${PIE:-0}" = "1" ] && pie=(-p:PositionIndependentExecutable=true)   # see Sock.Cli.csproj: start-up vs ASLR
dotnet publish src/Sock.Cli -c Release -r "$rid" -p:PublishAot=true "${pie[@]}" -o publish 2>&1 | tee "$log"
if grep -E 'warning IL[0-9]+' "$log" >/dev/null; then
  echo "publish.sh: trim/AOT warnings found (above); the native build must have none" >&2
  rm -f "$log"; exit 1
fi
rm -f "$log"
echo "publish.sh: native binary at publish/sock ($(du -h publish/sock | cut -f1)); $(publish/sock --version)"
