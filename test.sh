#!/usr/bin/env bash
# Runs every test. First installs the real peers the interop tests talk to (Debian packages),
# when they are missing and we are allowed to install; then builds the solution once and runs,
# side by side, `dotnet test --no-build` and the IRC conformance suite irctest against the
# built server (tests/irctest/run.sh).
# Also a short fuzz smoke (fuzz/run: every harness a few seconds under afl-fuzz) beside them.
# Ends with one line: "N passed, N failed" (and skipped, when any), all suites together.
set -uo pipefail
cd "$(dirname "$0")"
args=("$@")   # extra dotnet test arguments; saved before the peer loop reuses $@

# command-to-check  package
peers=(
  "ncat ncat"
  "nc netcat-openbsd"
  "socat socat"
  "tmux tmux"
  "irssi irssi"
  "weechat-headless weechat-headless"
  "/usr/bin/python3 python3"
  "/usr/sbin/inspircd inspircd"
  "/usr/sbin/ngircd ngircd"
  "sqlite3 sqlite3"
  "chattr e2fsprogs"
  "setpriv util-linux"
  "script bsdutils"
  "openssl openssl"
  "faketime faketime"
  "microsocks microsocks"
  "/usr/sbin/danted dante-server"
  "tinyproxy tinyproxy"
  "iperf3 iperf3"
  "traceroute traceroute"
  "mtr mtr-tiny"
  "nft nftables"
  "ip iproute2"
  "redis-server redis-server"
  "redis-sentinel redis-sentinel"
  "/usr/bin/ping iputils-ping"
  "nmap nmap"
  "curl curl"
  "node nodejs"
  "npm npm"
  "/usr/bin/chromium chromium"
  "weechat-headless weechat-headless"
  "afl-fuzz afl++"
  "wormhole magic-wormhole"
  "twist3 python3-twisted"
  "tcpdump tcpdump"
)
# Python modules for Debian's interpreter (irctest runs on Debian's pytest).
python_peers=(
  "irc python3-irc"
  "pytest python3-pytest"
  "pytest_timeout python3-pytest-timeout"
  "xdist python3-pytest-xdist"
  "filelock python3-filelock"
  "ecdsa python3-ecdsa"
  "websockets python3-websockets"
  "aiosmtpd python3-aiosmtpd"
  "prometheus_client python3-prometheus-client"
  "spake2 python3-spake2"
  "nacl python3-nacl"
  "wormhole_mailbox_server python3-magic-wormhole-mailbox-server"
  "wormhole_transit_relay magic-wormhole-transit-relay"
)
missing=()
for entry in "${peers[@]}"; do
  set -- $entry
  command -v "$1" >/dev/null 2>&1 || missing+=("$2")
done
# OpenBSD's nc specifically (the traditional one lacks -N); python3-irc for Debian's interpreter.
if command -v nc >/dev/null 2>&1 && ! nc -h 2>&1 | grep -q -- '-N'; then missing+=(netcat-openbsd); fi
for entry in "${python_peers[@]}"; do
  set -- $entry
  /usr/bin/python3 -c "import $1" >/dev/null 2>&1 || missing+=("$2")
done
# Fonts for the web client's screenshots (docs/web.md): without them Chromium draws 你好 and emoji as boxes.
font_peers=(
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf fonts-dejavu-core"
  "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc fonts-wqy-microhei"
  "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf fonts-noto-color-emoji"
)
for entry in "${font_peers[@]}"; do
  set -- $entry
  [ -e "$1" ] || missing+=("$2")
done
# A second SCRAM-SHA-256 client implementation besides WeeChat's (the accounts tests).
perl -MAuthen::SCRAM::Client -e 1 >/dev/null 2>&1 || missing+=(libauthen-scram-perl)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo="sudo -n"; }
  if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
    echo "test.sh: installing peers: ${missing[*]}"
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
      || echo "test.sh: apt-get install failed for: ${missing[*]}" >&2
  else
    echo "test.sh: peers missing and cannot install (not root): ${missing[*]} — their tests will skip (fail under CI=true)" >&2
  fi
fi

# Build once, so that dotnet test and irctest never build the same project at the same time.
config=Debug   # follow a -c/--configuration given for dotnet test
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in -c|--configuration) config=${args[i+1]:-Debug} ;; esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! dotnet build Sock.slnx -c "$config" > "$work/build.log" 2>&1; then
  grep -E 'error|warning' "$work/build.log" | sort -u | head -30
  echo "0 passed, 1 failed (build failed: dotnet build Sock.slnx -c $config)"
  exit 1
fi

# irctest in the background against the built server; its output goes to a log shown at the end.
# Exit 77 from run.sh: a prerequisite (pytest, ../shared/irctest) is missing.
# irctest runs the native binary (./publish.sh; .ci/run builds it first), built here when it is
# missing or older than the sources: irctest starts a fresh server per test and times it against a
# second connection, and a JIT build compiles each path on first use (about 10 ms for the first
# private message, seen with strace), enough to lose those races (websocket.py's relay tests lost
# 4 of 6 that way on the JIT build). If the native build fails, the JIT build runs it, with a warning.
native_current() {
  [ -x publish/sock ] && [ -z "$(find src Directory.Build.props Directory.Packages.props \
    \( -name bin -o -name obj \) -prune -o -type f -newer publish/sock -print -quit 2>/dev/null)" ]
}
irctest_bin=$PWD/publish/sock
if ! native_current; then
  echo "test.sh: building the native binary for irctest (./publish.sh, a few minutes)…" >&2
  if ! ./publish.sh > "$work/publish.log" 2>&1; then
    irctest_bin=$PWD/src/Sock.Cli/bin/$config/net10.0/sock
    echo "test.sh: ./publish.sh failed (see below); irctest runs the JIT build, whose start-up can lose irctest's timing races" >&2
    tail -5 "$work/publish.log" >&2
  fi
fi
echo "test.sh: irctest runs $irctest_bin" >&2
SOCK_BIN=$irctest_bin COLUMNS=200 IRCTEST_JOBS=${IRCTEST_JOBS:-8} timeout 900 \
  tests/irctest/run.sh --controller sock --junit "$work/irctest.xml" > "$work/irctest.log" 2>&1 &
irctest_pid=$!

# The fuzz smoke in the background too, once irctest is done (its Release build and afl-fuzz
# would otherwise take the two cores from irctest's sixteen servers and dotnet test's at once):
# each harness FUZZ_SMOKE_SECONDS (5) under afl-fuzz, one passed test per harness without a crash.
( while kill -0 "$irctest_pid" 2>/dev/null; do sleep 1; done
  exec timeout 600 fuzz/run --seconds "${FUZZ_SMOKE_SECONDS:-5}" --out "$work/fuzz" ) > "$work/fuzz.log" 2>&1 &
fuzz_pid=$!

timeout 1500 dotnet test Sock.slnx --no-build "${args[@]}" 2>&1 | tee "$work/dotnet.log"
status=${PIPESTATUS[0]}
total=$(grep -E '^\s+total:' "$work/dotnet.log" | tail -1 | awk '{print $2}')
failed=$(grep -E '^\s+failed:' "$work/dotnet.log" | tail -1 | awk '{print $2}')
passed=$(grep -E '^\s+succeeded:' "$work/dotnet.log" | tail -1 | awk '{print $2}')
skipped=$(grep -E '^\s+skipped:' "$work/dotnet.log" | tail -1 | awk '{print $2}')
summary_note=""
[ -z "$total" ] || [ "$total" = "0" ] && summary_note=" (no dotnet test summary: build or run failed, exit $status)"

# A background group's outcome: 77 means a prerequisite is missing (a skip on a laptop, a failure
# under CI=true); no result line means it broke. Prints why; returns 0 when its counts can be folded in,
# 1 when it counted as one failure, 2 when it was skipped. Usage: group_outcome NAME STATUS LINE LOG WHAT
group_outcome() {
  local name=$1 status=$2 line=$3 log=$4 what=$5
  if [ "$status" -eq 77 ]; then
    tail -3 "$log"
    if [ "${CI:-}" = "true" ]; then
      echo "$name: not run, $what is missing: a failure under CI=true"
      failed=$(( ${failed:-0} + 1 )); return 1
    fi
    echo "$name: skipped ($what is missing, see above)"; return 2
  fi
  if [ -z "$line" ]; then
    tail -20 "$log"
    echo "$name: no result (exit $status; 124 = timed out)"
    failed=$(( ${failed:-0} + 1 )); return 1
  fi
  return 0
}

wait "$irctest_pid"
irctest_status=$?
echo
echo "== irctest (tests/irctest/run.sh; the page: docs/conformance.md) =="
sed -n '/short test summary info/,$p' "$work/irctest.log" | grep -v '^irctest: [0-9]'
irctest_line=$(grep -E '^irctest: [0-9]+ passed' "$work/irctest.log" | tail -1)
group_outcome irctest "$irctest_status" "$irctest_line" "$work/irctest.log" "a prerequisite"
case $? in
  0) echo "$irctest_line"
     read -r irc_passed irc_failed irc_skipped < <(echo "$irctest_line" | grep -oE '[0-9]+' | head -3 | tr '\n' ' ')
     passed=$(( ${passed:-0} + irc_passed ))
     failed=$(( ${failed:-0} + irc_failed ))
     skipped=$(( ${skipped:-0} + irc_skipped )) ;;
  1) [ "$irctest_status" -ne 0 ] || irctest_status=1 ;;
  2) irctest_status=0 ;;
esac

wait "$fuzz_pid"
fuzz_status=$?
echo
echo "== fuzz smoke (fuzz/run; long runs: docs/fuzzing.md) =="
fuzz_line=$(grep -E '^fuzz: [0-9]+ harnesses' "$work/fuzz.log" | tail -1)
group_outcome fuzz "$fuzz_status" "$fuzz_line" "$work/fuzz.log" "afl-fuzz"
case $? in
  0) sed -n '/^harness /,$p' "$work/fuzz.log"
     read -r fuzz_clean fuzz_crashed fuzz_broken < <(echo "$fuzz_line" | sed 's/.*each: //' | grep -oE '[0-9]+' | head -3 | tr '\n' ' ')
     passed=$(( ${passed:-0} + fuzz_clean ))
     failed=$(( ${failed:-0} + fuzz_crashed + fuzz_broken )) ;;
  1) [ "$fuzz_status" -ne 0 ] || fuzz_status=1 ;;
  2) fuzz_status=0 ;;
esac

summary="${passed:-0} passed, ${failed:-0} failed"
[ "${skipped:-0}" != "0" ] && summary="$summary, ${skipped} skipped"
echo "$summary$summary_note"
[ "$status" -ne 0 ] && exit "$status"
[ "$irctest_status" -ne 0 ] && exit "$irctest_status"
exit "$fuzz_status"
