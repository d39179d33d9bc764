#!/usr/bin/env python3
"""docs/conformance.md from two irctest runs (junit XML from tests/irctest/run.sh).

    tests/irctest/run.sh --controller sock   --junit /tmp/sock.xml
    tests/irctest/run.sh --controller ngircd --junit /tmp/ngircd.xml
    tests/irctest/report.py /tmp/sock.xml /tmp/ngircd.xml > docs/conformance.md

    tests/irctest/report.py --failures /tmp/sock.xml   # node id + reason, one a line

Every sock skip is listed with irctest's own skip message and, from CAPS and
SKIP_REASONS below, why the feature is not offered: consciously ("not offered", not in
PRODUCT.md) or not yet ("planned", with the issue that brings it). A skip with no entry
there is flagged UNEXPLAINED, so a new skip cannot pass unnoticed.
"""

import collections
import re
import sys
from pathlib import Path
import xml.etree.ElementTree as ET
from typing import Dict, List, NamedTuple, Optional, Set, Tuple

SELECTION = "not implementation-specific and not deprecated and not strict"

# How a sock skip is explained. Kinds:
#   "planned"      not offered yet; the issue that brings it is named (PRODUCT.md lists it)
#   "not offered"  consciously not offered: PRODUCT.md does not list it (the reason is given)
#   "suite"        irctest skips it for every server
#   "environment"  this machine cannot run the test
#   "known failure"  a line of known-failures.txt, run as xfail (it fails today, with why)
# Capability skips ("Unsupported capability: a or b or c": the test asked for all of them
# and was refused) are explained by the caps the server did not offer, read from the CAP LS
# it really sent in the run (see offered_caps), so this table never goes stale.
IRC = "issue 12 (IRC, complete)"
ACCOUNTS = "issue 13 (accounts)"
WEB = "issue 14 (web)"
NOT_LISTED = "not in PRODUCT.md"

CAPS: Dict[str, Tuple[str, str]] = {
    "sasl": ("planned", ACCOUNTS),
    "account-notify": ("planned", ACCOUNTS),
    "account-tag": ("planned", ACCOUNTS),
    "draft/account-registration": ("planned", ACCOUNTS),
    "draft/read-marker": ("planned", ACCOUNTS + ": markers are kept per account"),
    "draft/metadata-2": ("not offered", NOT_LISTED + " (per-user key/value metadata, a draft)"),
}
# anything else missing from CAP LS: ("planned", IRC), as PRODUCT.md's IRCv3 list is issue 12's

# (regex on irctest's skip message, kind, why). First match wins.
SKIP_REASONS: List[Tuple[str, str, str]] = [
    (r"Missing websockets library", "environment",
     "irctest's WebSocket client needs `websockets.sync` (websockets >= 11); Debian 12 ships "
     "python3-websockets 10.4, and tests/irctest/websockets_sync.py (loaded by run.sh) did not "
     "provide it in this run."),
    (r"Not implemented by controller: Websocket", "planned", "IRC over WebSocket: " + WEB + "."),
    (r"Not implemented by controller: account registration", "planned",
     "registerUser (NickServ REGISTER): " + ACCOUNTS + "."),
    (r"Unsupported SASL mechanism", "planned", "SASL: " + ACCOUNTS + "."),
    (r"Unsupported ISUPPORT token: (WHOX|MONITOR|BOT|UTF8ONLY|TARGMAX|ELIST|INVEX|EXCEPTS)", "planned",
     "In PRODUCT.md's ISUPPORT list, not advertised yet: " + IRC + "."),
    (r"Unsupported command: (HELP|LINKS|INFO|VERSION|ADMIN|STATS|TIME)", "planned",
     "In PRODUCT.md's command list, not there yet: " + IRC + "."),
    (r"Optional behavior not supported: OptionalBehaviors\.(MULTI_|ELIST|INVITE_LIST|BAN_EXCEPTION|"
     r"INVITE_EXCEPTION|CAP_REQ_MINUS|INVITE_OVERRIDES)", "planned",
     "Part of PRODUCT.md's modern protocol (mode lists +e/+I, ELIST, multi-target commands): " + IRC + "."),
    (r"Optional behavior not supported: OptionalBehaviors\.NON_UTF8", "not offered",
     "Sock is UTF-8 throughout: invalid bytes become U+FFFD (PRODUCT.md)."),
    (r"Optional behavior not supported: OptionalBehaviors\.SASL", "planned", "SASL: " + ACCOUNTS + "."),
    (r"Unsupported extban", "not offered", "Extended bans beyond $a: and $m: are " + NOT_LISTED + "."),
    # run.sh's skip of a line of not-offered.txt: the skip message is that line's reason.
    (r"\(not offered\)$", "not offered",
     "Listed in tests/irctest/not-offered.txt with its reason: a feature PRODUCT.md does not list, consciously left out."),
    # run.sh's xfail of a line of known-failures.txt: the skip message is that line's reason.
    (r"\(known failure\)$", "known failure",
     "Listed in tests/irctest/known-failures.txt with its reason (see the failing tests above); it runs as xfail."),
    (r"Not consistently implemented", "suite",
     "irctest skips these for every server (`@pytest.mark.skip`): implementations disagree."),
    (r"Controller does not expect any ISUPPORT token", "suite",
     "irctest's check of the values a controller declares; this controller declares none."),
]


class Case(NamedTuple):
    file: str  # irctest/server_tests/foo.py
    node: str  # file::Class::test
    outcome: str  # passed / failed / skipped
    message: str  # failure's one-line reason, or the skip message
    xfail: bool = False  # a skip that is irctest's xfail (a known bug of that server)


def load(path: str) -> List[Case]:
    cases = []
    for tc in ET.parse(path).getroot().iter("testcase"):
        parts = tc.get("classname", "").split(".")
        module, cls = parts[:-1], parts[-1]
        file = "/".join(module) + ".py"
        node = f"{file}::{cls}::{tc.get('name')}"
        bad = tc.find("failure")
        if bad is None:
            bad = tc.find("error")
        skip = tc.find("skipped")
        if bad is not None:
            outcome, message = "failed", failure_reason(bad)
        elif skip is not None:
            # an xfail is reported as a skip by junit; irctest uses xfail only for
            # other servers' known bugs (xfailIfSoftware)
            outcome, message = "skipped", one_line(skip.get("message") or "")
        else:
            outcome, message = "passed", ""
        xfail = skip is not None and skip.get("type") == "pytest.xfail"
        cases.append(Case(file, node, outcome, message, xfail))
    return cases


def failure_reason(element: ET.Element) -> str:
    """The failure's one-line reason; for a bare `assert x == y` (message "AssertionError:
    None"), pytest's rewritten comparison from the traceback."""
    message = one_line(element.get("message") or "")
    if message in ("", "AssertionError", "AssertionError: None"):
        lines = (element.text or "").splitlines()
        for i, line in enumerate(lines):
            if line.startswith("E   ") and "AssertionError" in line:
                detail = [l.strip() for l in lines[i + 1 : i + 4] if l.strip()]
                if detail:
                    return one_line("AssertionError: " + detail[0])
        if not message:
            message = one_line(element.text or element.tag)
    return message


def one_line(text: str) -> str:
    text = text.strip().splitlines()[0] if text.strip() else ""
    return text if len(text) <= 240 else text[:237] + "..."


def offered_caps(path: str) -> Set[str]:
    """The capabilities the server listed in CAP LS, from the run's captured traffic."""
    caps: Set[str] = set()
    for out in ET.parse(path).getroot().iter("system-out"):
        for m in re.finditer(r" CAP \S+ LS (?:\* )?:?([^\r\n]*)", out.text or ""):
            caps.update(token.split("=", 1)[0] for token in m.group(1).split())
    return caps


def explain(message: str, offered: Set[str]) -> Tuple[str, str]:
    m = re.match(r"Unsupported capability: (.*)", message)
    if m:
        missing = [c for c in m.group(1).split(" or ") if c not in offered]
        if not missing:
            return "UNEXPLAINED", "The server lists all of these in CAP LS but refused the request."
        why = [(c, *CAPS.get(c, ("planned", IRC))) for c in missing]
        blocking = [w for w in why if w[1] == "not offered"] or [w for w in why if ACCOUNTS in w[2]] or why
        kind = blocking[0][1]
        return kind, "Not in CAP LS: " + "; ".join(f"{c} ({k}: {r})" for c, k, r in why) + "."
    for pattern, kind, why in SKIP_REASONS:
        if re.search(pattern, message):
            return kind, why
    return "UNEXPLAINED", "No entry in tests/irctest/report.py SKIP_REASONS: fix the server or explain it."


def counts(cases: List[Case]) -> Dict[str, collections.Counter]:
    per_file: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for c in cases:
        per_file[c.file][c.outcome] += 1
    return per_file


def cell(counter: Optional[collections.Counter]) -> str:
    if not counter:
        return "–"
    return f"{counter['passed']} / {counter['failed']} / {counter['skipped']}"


def md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def short(file: str) -> str:
    return file.removeprefix("irctest/server_tests/")


def report(sock_path: str, ngircd_path: str) -> str:
    sock, ngircd = load(sock_path), load(ngircd_path)
    s_files, n_files = counts(sock), counts(ngircd)
    s_tot = collections.Counter(c.outcome for c in sock)
    n_tot = collections.Counter(c.outcome for c in ngircd)
    out: List[str] = []
    w = out.append
    w("# IRC conformance (irctest)")
    w("")
    w("<!-- Generated: do not edit by hand. -->")
    w("*Generated by `tests/irctest/report.py SOCK_JUNIT NGIRCD_JUNIT > docs/conformance.md` from two runs of")
    w("`tests/irctest/run.sh --controller sock --junit SOCK_JUNIT` and `tests/irctest/run.sh --controller ngircd "
      "--junit NGIRCD_JUNIT`.*")
    w("")
    w("[irctest](https://github.com/progval/irctest) is the conformance suite Ergo, InspIRCd, Solanum, UnrealIRCd and")
    w("ngIRCd run; the pinned snapshot is `../shared/irctest/` (see its `SNAPSHOT.md`). Each test starts its own")
    w("server (`tests/irctest/sock_controller.py`: `sock chat serve --name My.Little.Server --oper operuser:operpassword")
    w("--history 1000`, plus `--password`/`--tls` when the test asks, `--services-server My.Little.Services` when it")
    w("wants services, and a `--listen` port for its WebSocket client, which Debian's websockets 10.4 drives through")
    w("`tests/irctest/websockets_sync.py`) and talks to it as one or more clients. `./test.sh` runs the native binary")
    w("(`./publish.sh`) when it is the current commit, as in CI, and the JIT build otherwise.")
    w("ngIRCd (Debian's `ngircd`, irctest's stock controller made root-safe in `tests/irctest/ngircd_controller.py`)")
    w("runs the same selection beside it, for comparison.")
    w("")
    w(f"Selection: irctest's for non-Ergo servers, `-m '{SELECTION}'`, over `irctest/server_tests`")
    w("(services tests included: sock's NickServ is built in, shown on a services server of its own, and the controller's registerUser registers through it")
    w("with `NS REGISTER`, as a user would; ngIRCd has no services, so its services tests skip). Nothing is deselected.")
    w("")
    w("## Totals")
    w("")
    w("| server | tests | passed | failed | skipped | of the skips, xfail |")
    w("|---|---:|---:|---:|---:|---:|")
    for name, tot, cs in (("sock", s_tot, sock), ("ngIRCd", n_tot, ngircd)):
        xf = sum(1 for c in cs if c.xfail)
        w(f"| {name} | {len(cs)} | {tot['passed']} | {tot['failed']} | {tot['skipped']} | {xf} |")
    w("")
    w("*xfail*: a test irctest itself marks as a known bug of that server (`xfailIfSoftware`), counted as a skip.")
    w("")
    ran = len(sock)
    if ran:
        w(f"sock passes {100 * s_tot['passed'] / ran:.0f} % of the selection (the goal: 0 failures, at least 90 % passing).")
        w("")
    for name, path in (("sock", sock_path), ("ngIRCd", ngircd_path)):
        suite = next(ET.parse(path).getroot().iter("testsuite"), None)
        if suite is not None:
            w(f"- {name}: run at {suite.get('timestamp', '?')[:16].replace('T', ' ')}, "
              f"{float(suite.get('time', 0)):.0f} s on host `{suite.get('hostname', '?')}` (pytest-xdist, shared 2-core machine)")
    w("")
    w("## Per test file")
    w("")
    w("passed / failed / skipped")
    w("")
    w("| file | sock | ngIRCd |")
    w("|---|---|---|")
    for file in sorted(set(s_files) | set(n_files)):
        w(f"| `{short(file)}` | {cell(s_files.get(file))} | {cell(n_files.get(file))} |")
    w("")

    failed = [c for c in sock if c.outcome == "failed"]
    w(f"## sock's failing tests ({len(failed)})")
    w("")
    known = Path(__file__).with_name("known-failures.txt")
    known_lines = [l.split("\t", 1) for l in known.read_text(encoding="utf-8").splitlines()
                   if l.strip() and not l.startswith("#") and "\t" in l] if known.exists() else []
    if known_lines:
        w("Known failures, each with why: `tests/irctest/run.sh` marks these xfail (not strict) from")
        w("`tests/irctest/known-failures.txt`, so they still run every time, and ./test.sh counts them as skipped")
        w("until the feature lands (they are not hidden: this list and that file name them).")
        w("")
        w("| test | why |")
        w("|---|---|")
        for node, reason in known_lines:
            w(f"| `{short(node)}` | {md(reason)} |")
        w("")
    if not failed:
        w("None.")
    else:
        w("| test | reason |")
        w("|---|---|")
        for c in sorted(failed):
            w(f"| `{short(c.node)}` | {md(c.message)} |")
    w("")

    skipped = [c for c in sock if c.outcome == "skipped"]
    offered = offered_caps(sock_path)
    w(f"## sock's skips ({len(skipped)}) and why")
    w("")
    w("A skip is acceptable only where a feature is consciously not offered. Kinds: *not offered*: PRODUCT.md")
    w("does not list the feature (the reason is given); *planned*: PRODUCT.md lists it, not there yet, the issue")
    w("that brings it is named; *suite*: irctest skips it for every server; *environment*: this machine cannot")
    w("run it. Capability skips name the caps missing from the CAP LS sock sent in this run")
    w(f"(`{' '.join(sorted(offered)) or 'none'}`).")
    w("")
    groups: Dict[Tuple[str, str, str], List[Case]] = collections.defaultdict(list)
    for c in skipped:
        kind, why = explain(c.message, offered)
        groups[(kind, why, c.message)].append(c)
    by_kind = collections.Counter()
    for (kind, _, _), cs in groups.items():
        by_kind[kind] += len(cs)
    if by_kind:
        w(", ".join(f"{kind}: {n}" for kind, n in sorted(by_kind.items())))
        w("")
    w("| kind | irctest's skip message | tests | why |")
    w("|---|---|---:|---|")
    order = {"UNEXPLAINED": 0, "planned": 1, "not offered": 2, "environment": 3, "suite": 4}
    for (kind, why, message), cs in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 9), -len(kv[1]), kv[0][2])):
        w(f"| {kind} | {md(message)} | {len(cs)} | {md(why)} |")
    w("")
    w("<details><summary>every skipped test</summary>")
    w("")
    for c in sorted(skipped):
        w(f"- `{short(c.node)}`: {md(c.message)}")
    w("")
    w("</details>")
    w("")
    return "\n".join(out)


def failures(path: str) -> str:
    lines = []
    by_file: Dict[str, List[Case]] = collections.defaultdict(list)
    for c in load(path):
        if c.outcome == "failed":
            by_file[c.file].append(c)
    for file in sorted(by_file):
        lines.append(f"# {file} ({len(by_file[file])} failing)")
        for c in sorted(by_file[file]):
            lines.append(f"{c.node}  --  {c.message}")
        lines.append("")
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    if len(argv) == 2 and argv[0] == "--failures":
        print(failures(argv[1]))
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    print(report(*argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
