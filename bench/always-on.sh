#!/usr/bin/env bash
# Server memory per always-on member with no device connected (docs/devices.md).
# One accounts database with N accounts, each always-on and kept in one of 100 rooms (as a restart
# finds them); the server is started on it twice per run, interleaved:
#   --always-on off   the same database and accounts, no member restored (the baseline)
#   (default opt-in)  the N members restored at start, each in its room, away, with no device
# per member = (RSS restored - RSS baseline) / N, read once the server listens and has settled.
#   N=10000 RUNS=3 bench/always-on.sh
# Prints a markdown table (also $OUT_DIR/always-on.md).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
sock=$(sock_bin)
command -v sqlite3 >/dev/null || { echo "always-on.sh: sqlite3 missing (apt-get install sqlite3)" >&2; exit 1; }
N=${N:-10000}
RUNS=${RUNS:-3}
OUT_DIR=${OUT_DIR:-$here/out}
mkdir -p "$OUT_DIR"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# The schema is the server's own: one account made with the CLI, then N copies of its row by SQL
# (the password never matters: nobody logs in), each always-on with a nick and a room.
db="$work/chat.db"
printf 'seed-password\n' | "$sock" chat accounts add seed --db "$db" --iterations 4096 >/dev/null || exit 1
sqlite3 "$db" <<SQL || exit 1
CREATE TABLE IF NOT EXISTS account_settings (account TEXT NOT NULL COLLATE NOCASE, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (account, key));
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO accounts SELECT 'ao' || i, created, salt, iterations, stored_key, server_key, verified, email FROM accounts, n WHERE name = 'seed';
INSERT INTO account_settings SELECT name, 'always-on', 'on' FROM accounts WHERE name LIKE 'ao%';
INSERT INTO account_settings SELECT name, 'nick', name FROM accounts WHERE name LIKE 'ao%';
INSERT INTO account_settings SELECT name, 'rooms', '#room' || (CAST(substr(name, 3) AS INTEGER) % 100) FROM accounts WHERE name LIKE 'ao%';
SQL

rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
measure() { # POLICY → "rss_kib restored"
  local port; port=$(free_port)
  "$sock" chat serve --bind 127.0.0.1 --port "$port" --name bench.local --db "$db" --always-on "$1" </dev/null >/dev/null 2>"$work/serve.log" &
  local pid=$!; pids+=($pid)
  # "listening on" is logged once the start (and so the restore) is done; the port opens before it.
  for _ in $(seq 600); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
  sleep 3
  local kib; kib=$(rss "$pid")
  local restored; restored=$(grep -o "[0-9]* always-on member(s) restored" "$work/serve.log" | awk '{print $1}')
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  echo "$kib ${restored:-0}"
}

rows=()
for run in $(seq "$RUNS"); do
  read -r base _ < <(measure off)
  read -r on restored < <(measure opt-in)
  per=$(python3 -c "import sys; b,o,n=map(int,sys.argv[1:]); print(f'{(o-b)*1024/n:.0f}')" "$base" "$on" "$N")
  rows+=("| $run | $N | $restored | $base | $on | **$per** |")
done
{
  echo "| run | always-on accounts | members restored | RSS, --always-on off (KiB) | RSS, restored (KiB) | bytes per member |"
  echo "|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} | tee "$OUT_DIR/always-on.md"
