#!/usr/bin/env bash
# Runs the IRC conformance suite irctest (the pinned snapshot in ../shared/irctest)
# against `sock chat serve` (default) or against ngIRCd, with irctest's selection for
# non-Ergo servers. Last line: "irctest: N passed, N failed, N skipped".
#
#   tests/irctest/run.sh [--controller sock|ngircd|MODULE] [--junit FILE] [pytest args…]
#
#   env IRCTEST_DIR   the irctest snapshot (default: ../shared/irctest beside the repository,
#                     or beside the main checkout when this is a git worktree)
#       SOCK_BIN      the sock server (executable or sock.dll; default: the Debug build)
#       IRCTEST_JOBS  pytest-xdist workers (default 16: the tests mostly wait on sockets; on
#                     2 cores the full sock run took 164 s with 8, 118 s with 16, 120 s with 24)
#       IRCTEST_TIMEOUT  seconds one test may take (default 120)
# The WebSocket tests get one more try when they fail with irctest's NoMessageException (its
# two-connection race; irctest_cleanup.py says why); any other failure, or a second one, stands.
# Exit status: pytest's (0 only when nothing failed); 77 when a prerequisite is missing
# (pytest and its plugins, the irctest snapshot, ngircd), 2 when the run cannot start.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
irctest_dir=${IRCTEST_DIR:-$here/../../../shared/irctest}
if [ -z "${IRCTEST_DIR:-}" ] && [ ! -d "$irctest_dir" ]; then
  # a git worktree elsewhere: ../shared beside the main checkout
  common=$(git -C "$here" rev-parse --path-format=absolute --git-common-dir 2>/dev/null) \
    && irctest_dir=$(dirname "$common")/../shared/irctest
fi
# Anywhere else (a fresh clone without ../shared): the pinned commit (PINNED), fetched once into a
# cache folder when the network allows.
pinned_repo=$(sed -n 's/^repository=//p' "$here/PINNED")
pinned_commit=$(sed -n 's/^commit=//p' "$here/PINNED")
if [ -z "${IRCTEST_DIR:-}" ] && [ ! -f "$irctest_dir/conftest.py" ]; then
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/sock/irctest-$pinned_commit
  if [ ! -f "$cache/conftest.py" ]; then
    echo "run.sh: no ../shared/irctest; fetching irctest $pinned_commit into $cache" >&2
    rm -rf "$cache.tmp"
    if git clone -q "$pinned_repo" "$cache.tmp" 2>/dev/null && git -C "$cache.tmp" checkout -q "$pinned_commit" 2>/dev/null; then
      mv "$cache.tmp" "$cache"
    else
      rm -rf "$cache.tmp"
      echo "run.sh: irctest not found and could not be fetched; get it with:" \
           "git clone $pinned_repo && git -C irctest checkout $pinned_commit, then IRCTEST_DIR=\$PWD/irctest $0" >&2
      exit 77
    fi
  fi
  irctest_dir=$cache
fi
controller=sock
junit=""
pytest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --controller) controller=$2; shift 2 ;;
    --junit) junit=$2; shift 2 ;;
    *) pytest_args+=("$1"); shift ;;
  esac
done
case "$controller" in
  sock) module=sock_controller; export IRCTEST_KNOWN_FAILURES="$here/known-failures.txt" IRCTEST_NOT_OFFERED="$here/not-offered.txt" ;;
  ngircd) module=ngircd_controller; command -v ngircd >/dev/null || [ -x /usr/sbin/ngircd ] \
            || { echo "run.sh: ngircd is not installed (apt-get install ngircd)" >&2; exit 77; } ;;
  *) module=$controller ;;
esac
[ -f "$irctest_dir/conftest.py" ] || { echo "run.sh: irctest not found at $irctest_dir (set IRCTEST_DIR)" >&2; exit 77; }
python=/usr/bin/python3   # Debian's interpreter: its pytest and plugins are the apt packages
"$python" -c 'import pytest, pytest_timeout, filelock, ecdsa' 2>/dev/null || {
  echo "run.sh: needs Debian's python3-pytest python3-pytest-timeout python3-filelock python3-ecdsa" \
       "(and python3-pytest-xdist python3-websockets faketime openssl): apt-get install them" >&2; exit 77; }

work=$(mktemp -d -t irctest.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$irctest_dir" "$work/irctest"
chmod -R u+w "$work/irctest"   # CI's copy of shared/ has no write bits; pytest writes __pycache__
"$python" "$here/patch_conftest.py" "$work/irctest/conftest.py" || exit 2
if [ "$module" = sock_controller ]; then   # one clear line instead of 429 errors
  PYTHONPATH="$here:$work/irctest" "$python" -c 'import sys, sock_controller
try: sock_controller.sock_command()
except FileNotFoundError as e: sys.exit(f"run.sh: {e}")' || exit 2
fi
[ -n "$junit" ] || junit=$work/junit.xml
junit=$(realpath -m "$junit")
mkdir -p "$(dirname "$junit")"

parallel=()
if "$python" -c 'import xdist' 2>/dev/null; then parallel=(-n "${IRCTEST_JOBS:-16}")
else echo "run.sh: python3-pytest-xdist missing, running serially (slow)" >&2; fi
[ -x "$(command -v faketime)" ] || echo "run.sh: faketime missing: its tests wait in real time" >&2

selection='not implementation-specific and not deprecated and not strict'
# The server tests (429 in this snapshot), unless paths were given. irctest/self_tests are
# the suite's own unit tests: they never talk to a server, so they are not counted here.
paths=(irctest/server_tests)
for a in "${pytest_args[@]}"; do case "$a" in irctest/*) paths=() ;; esac; done
echo "irctest: $controller, -m '$selection', ${parallel[*]:-serial}, from $irctest_dir"
cd "$work/irctest"
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" "$python" -m pytest \
  -p no:cacheprovider -p irctest_cleanup -p websockets_sync "${parallel[@]}" --timeout="${IRCTEST_TIMEOUT:-120}" \
  --controller "$module" -m "$selection" --junit-xml="$junit" -q -rfE --tb=line \
  "${paths[@]}" "${pytest_args[@]}"
status=$?

"$python" - "$junit" "$status" <<'EOF'
import sys, xml.etree.ElementTree as ET
junit, status = sys.argv[1], int(sys.argv[2])
try:
    cases = list(ET.parse(junit).getroot().iter("testcase"))
except (OSError, ET.ParseError):
    cases = []
bad = lambda c: c.find("failure") is not None or c.find("error") is not None
failed = sum(1 for c in cases if bad(c))
skipped = sum(1 for c in cases if c.find("skipped") is not None and not bad(c))
note = ""
if status >= 2 or not cases:  # interrupted, internal/usage error, nothing collected
    failed, note = max(failed, 1), f" (pytest exit {status}: the run itself failed)"
print(f"irctest: {len(cases) - failed - skipped if cases else 0} passed, {failed} failed, {skipped} skipped{note}")
EOF
exit $status
