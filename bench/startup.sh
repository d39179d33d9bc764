#!/usr/bin/env bash
# Start-up: the native `sock --version` and `sock info` against `ncat --version`, with hyperfine,
# in one run. Needs the native binary: ./publish.sh first (bench/run does).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
sock=$(sock_bin)
command -v hyperfine >/dev/null || { echo "startup.sh: hyperfine missing (apt-get install hyperfine)" >&2; exit 1; }
json="$OUT_DIR/startup.json"
hyperfine -N --warmup 20 --runs 300 --export-json "$json" \
  "ncat --version" "$sock --version" "$sock info" >/dev/null
mean_ms() { python3 -c "import json,sys; d=json.load(open('$json')); print(round([r for r in d['results'] if r['command']==sys.argv[1]][0]['mean']*1000,2))" "$1"; }
ncat=$(mean_ms "ncat --version")
echo "start-up (mean of 300 runs, ms):"
record "Start-up" "sock --version (ms)" "ncat --version" "$ncat" "$(mean_ms "$sock --version")" "ms" lower 1
record "Start-up" "sock info (ms)" "ncat --version" "$ncat" "$(mean_ms "$sock info")" "ms" lower 1
