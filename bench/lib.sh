# Shared by the bench/*.sh scripts: where results go and how a row is recorded.
# Each script appends rows to $RESULTS (tab-separated) and prints them; bench/report.py turns
# the rows into docs/BENCHMARKS.md.
#
#   record TARGET METRIC PEER PEER_VALUE SOCK_VALUE UNIT BETTER GOAL
#     BETTER: "higher" or "lower" (which direction wins)
#     GOAL:   the ratio sock/peer (BETTER=higher) or peer/sock (BETTER=lower) the target asks for,
#             e.g. 1 for "at least as fast", 2 for "twice the deliveries/s"; "-" for no ratio goal.
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
OUT_DIR="${OUT_DIR:-$BENCH_DIR/out}"
RESULTS="${RESULTS:-$OUT_DIR/results.tsv}"
mkdir -p "$OUT_DIR"

record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RESULTS"
  printf '  %-28s %-22s %-16s peer=%-12s sock=%-12s %s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}

# The sock binary the benchmarks use: the native one when published, else the Release build.
sock_bin() {
  if [ -x "$REPO_DIR/publish/sock" ]; then echo "$REPO_DIR/publish/sock"; return; fi
  if [ ! -x "$REPO_DIR/src/Sock.Cli/bin/Release/net10.0/sock" ]; then
    dotnet build "$REPO_DIR/src/Sock.Cli" -c Release >/dev/null
  fi
  echo "$REPO_DIR/src/Sock.Cli/bin/Release/net10.0/sock"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
