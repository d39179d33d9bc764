#!/usr/bin/env bash
# BenchmarkDotNet micro-benchmarks of the hot paths (IRC parse/format, hashing, framing, fan-out).
# On demand only; pass a filter, e.g. bench/micro.sh '*Irc*'. Results land in bench/out/micro/.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Sock.Benchmarks -- --filter "${1:-*}" --artifacts bench/out/micro
