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

# The sock binary the benchmarks use: $SOCK if set, the native one when published (bench/run
# publishes it fresh), else the Release build, rebuilt so it is current.
sock_bin() {
  if [ -n "${SOCK:-}" ]; then echo "$SOCK"; return; fi
  if [ -x "$REPO_DIR/publish/sock" ]; then echo "$REPO_DIR/publish/sock"; return; fi
  dotnet build "$REPO_DIR/src/Sock.Cli" -c Release -v q -nologo >/dev/null   # incremental: cheap when current
  echo "$REPO_DIR/src/Sock.Cli/bin/Release/net10.0/sock"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits (up to 10 s) until something listens on 127.0.0.1:PORT.
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; return 1; }

# InspIRCd 3 on PORT with no limits in the way of a benchmark (needs $work, $pids and wait_port).
start_inspircd() { # PORT → pid in $work/pid
  cat > "$work/insp-$1.conf" <<CONF
<server name="bench.local" description="bench" network="bench">
<admin name="bench" nick="bench" email="bench@localhost">
<bind address="127.0.0.1" port="$1" type="clients">
<power diepass="x" restartpass="x">
<connect name="main" allow="*" maxchans="20" timeout="60" pingfreq="600" hardsendq="1G" softsendq="1G" recvq="1G" threshold="100000000" commandrate="100000000" fakelag="no" localmax="200000" globalmax="200000" useident="no" resolvehostnames="no" usednsbl="no" limit="200000">
<pid file="$work/insp-$1.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="$work/insp-$1.log">
<performance softlimit="60000" somaxconn="4096" netbuffersize="65536" quietbursts="yes" clonesonconnect="no">
<channels users="200000" opers="200000">
CONF
  inspircd --runasroot --nofork --config "$work/insp-$1.conf" >"$work/insp-$1.out" 2>&1 &
  pids+=($!); echo $! > "$work/pid"; wait_port "$1"
}

# A random file of SIZE_MIB MiB in $work (made once, kept between runs), read once so the page cache holds it.
bench_source() { # SIZE_MIB → its path in $src
  src="$work/source-$1M.bin"
  if [ ! -f "$src" ] || [ "$(stat -c %s "$src")" != "$(($1 * 1048576))" ]; then
    head -c "$(($1 * 1048576))" /dev/urandom > "$src"
  fi
  cat "$src" > /dev/null
}

# utime + stime of a process, in clock ticks (os.sysconf("SC_CLK_TCK") per second): the server's CPU over a run.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One IRC fan-out run against a fresh `SERVER chat serve`: 100 registered clients in one room, 10
# senders of 100-byte messages, the load generator GEN's `bench chat` with ARGS (-k, --websocket…).
# Writes OUT.json (the bench's report) and OUT.cpu (the server's CPU ticks over the run, joins included);
# bench/fanout_rows.py reads them.
fanout_run() { # SERVER GEN OUT ARGS…
  local server=$1 gen=$2 out=$3 P; shift 3; P=$(free_port)
  "$server" chat serve --bind 127.0.0.1 --port "$P" --name bench.local </dev/null >/dev/null 2>&1 & local pid=$!
  wait_port "$P"
  local ticks; ticks=$(cpu_ticks "$pid")
  "$gen" bench chat "127.0.0.1:$P" --irc -n 100 -m 10 -s 100 "$@" --json > "$out.json" 2>/dev/null
  echo $(( $(cpu_ticks "$pid") - ticks )) > "$out.cpu"
  kill "$pid"; wait "$pid" 2>/dev/null
}
