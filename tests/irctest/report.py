#!/usr/bin/env python3
"""docs/conformance.md from two irctest runs (junit XML from tests/irctest/run.sh).

    tests/irctest/run.sh --controller sock   --junit /tmp/sock.xml
    tests/irctest/run.sh --controller ngircd --junit /tmp/ngircd.xml
    tests/irctest/report.py /tmp/sock.xml /tmp/ngircd.xml > docs/conformance.md

    tests/irctest/report.py --failures /tmp/sock.xml   # node id + reason, one a line

Every sock skip is listed with irctest's own skip message and, from SKIP_REASONS
below, why the feature is not offered: consciously ("by design") or not yet
("planned", with the issue that brings it). A skip with no entry there is flagged as
unexplained, so a new skip cannot pass unnoticed.
"""

import collections
import re
import sys
import xml.etree.ElementTree as ET
from typing import Dict, List, NamedTuple, Optional, Tuple

SELECTION = "not implementation-specific and not deprecated and not strict"

# (regex on irctest's skip message, kind, explanation). First match wins.
# kind: "by design" = consciously not offered; "planned" = not offered yet, the issue
# that adds it is named; "environment" = this machine cannot run the test.
SKIP_REASONS: List[Tuple[str, str, str]] = [
    (r"Missing websockets library", "environment",
     "irctest's WebSocket client needs `websockets.sync` (websockets >= 11); Debian 12 ships "
     "python3-websockets 10.4 and no other registry is reachable. Sock has no WebSocket "
     "listener yet either (web issue)."),
    (r"Not implemented by controller: Websocket", "planned",
     "IRC over WebSocket comes with the web issue (the controller's `--listen` TODO)."),
    (r"Not implemented by controller: account registration", "planned",
     "No accounts yet: `registerUser` (NickServ REGISTER) comes with the accounts issue."),
    (r"Unsupported SASL mechanism", "planned",
     "SASL needs accounts (accounts issue)."),
    (r"Unsupported capability: draft/account-registration", "planned",
     "Account registration needs accounts (accounts issue)."),
    (r"Unsupported capability: (account-notify|account-tag)\b", "planned",
     "Account caps need accounts (accounts issue)."),
    (r"Unsupported capability: draft/read-marker", "planned",
     "read-marker needs accounts to keep markers on (accounts issue)."),
    (r"Unsupported capability: sts", "by design",
     "STS is not offered: sock's TLS is on the same port and self-signed by default, so "
     "pinning clients to it would lock them out."),
    (r"Unsupported capability: .*draft/metadata", "by design",
     "draft/metadata-2/3 (per-user key/value metadata) is a draft that PRODUCT.md does not list."),
    (r"Unsupported capability: .*draft/multiline", "by design",
     "draft/multiline is a draft that PRODUCT.md does not list."),
    (r"Unsupported capability: .*draft/message-redaction", "by design",
     "draft/message-redaction is a draft that PRODUCT.md does not list."),
    (r"Unsupported capability: draft/channel-rename", "by design",
     "draft/channel-rename is a draft that PRODUCT.md does not list."),
    (r"Unsupported capability:", "planned",
     "An IRCv3 capability of PRODUCT.md's list that is not there yet (issue 12)."),
    (r"Unsupported ISUPPORT token:", "planned",
     "The feature behind this ISUPPORT token is in PRODUCT.md but not there yet (issue 12)."),
    (r"Unsupported command: (HELPOP)", "by design",
     "HELPOP is an old alias; sock answers HELP only."),
    (r"Unsupported command:", "planned",
     "A command of PRODUCT.md's list that is not there yet (issue 12)."),
    (r"Optional behavior not supported: OptionalBehaviors\.(MULTI_|ELIST|INVITE_LIST|BAN_EXCEPTION|INVITE_EXCEPTION|CAP_REQ_MINUS|INVITE_OVERRIDES)", "planned",
     "Part of PRODUCT.md's modern protocol (mode lists, LIST filters, multi-target commands), not there yet (issue 12)."),
    (r"Optional behavior not supported: OptionalBehaviors\.NO_CTCP", "by design",
     "No +C (no-CTCP) channel mode: not in PRODUCT.md's mode list."),
    (r"Optional behavior not supported: OptionalBehaviors\.METADATA", "by design",
     "draft/metadata is not offered (see above)."),
    (r"Optional behavior not supported: OptionalBehaviors\.NON_UTF8", "by design",
     "Sock is UTF-8 throughout: invalid bytes become U+FFFD (PRODUCT.md)."),
    (r"Optional behavior not supported: OptionalBehaviors\.SASL", "planned",
     "SASL needs accounts (accounts issue)."),
    (r"Unsupported extban", "by design",
     "No extended bans: PRODUCT.md lists plain +b/+e/+I masks."),
    (r"Not consistently implemented", "by design",
     "irctest skips these for every server: the behaviour differs between implementations."),
    (r"Controller does not expect any ISUPPORT token", "by design",
     "irctest's own check, skipped when the controller declares no expected ISUPPORT values."),
]


class Case(NamedTuple):
    file: str  # irctest/server_tests/foo.py
    node: str  # file::Class::test
    outcome: str  # passed / failed / skipped
    message: str  # failure's one-line reason, or the skip message


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
        cases.append(Case(file, node, outcome, message))
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


def explain(message: str) -> Tuple[str, str]:
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
    w("--history 1000`, plus `--password`/`--tls` when the test asks) and talks to it as one or more clients.")
    w("ngIRCd (Debian's `ngircd`, irctest's stock controller made root-safe in `tests/irctest/ngircd_controller.py`)")
    w("runs the same selection beside it, for comparison.")
    w("")
    w(f"Selection: irctest's for non-Ergo servers, `-m '{SELECTION}'`, over `irctest/server_tests`")
    w("(services tests included: with no services process they run against the bare server and skip where they")
    w("need account registration or SASL). Nothing is deselected.")
    w("")
    w("## Totals")
    w("")
    w("| server | tests | passed | failed | skipped |")
    w("|---|---:|---:|---:|---:|")
    for name, tot, cs in (("sock", s_tot, sock), ("ngIRCd", n_tot, ngircd)):
        w(f"| {name} | {len(cs)} | {tot['passed']} | {tot['failed']} | {tot['skipped']} |")
    w("")
    ran = len(sock)
    if ran:
        w(f"sock passes {100 * s_tot['passed'] / ran:.0f} % of the selection (the goal: 0 failures, at least 90 % passing).")
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
    if not failed:
        w("None.")
    else:
        w("| test | reason |")
        w("|---|---|")
        for c in sorted(failed):
            w(f"| `{short(c.node)}` | {md(c.message)} |")
    w("")

    skipped = [c for c in sock if c.outcome == "skipped"]
    w(f"## sock's skips ({len(skipped)}) and why")
    w("")
    w("A skip is acceptable only where a feature is consciously not offered (*by design*). *planned* marks one that")
    w("is not offered yet, with the issue that brings it; *environment* one that this machine cannot run.")
    w("")
    groups: Dict[Tuple[str, str, str], List[Case]] = collections.defaultdict(list)
    for c in skipped:
        kind, why = explain(c.message)
        groups[(kind, why, c.message)].append(c)
    by_kind = collections.Counter()
    for (kind, _, _), cs in groups.items():
        by_kind[kind] += len(cs)
    if by_kind:
        w(", ".join(f"{kind}: {n}" for kind, n in sorted(by_kind.items())))
        w("")
    w("| kind | irctest's skip message | tests | why |")
    w("|---|---|---:|---|")
    order = {"UNEXPLAINED": 0, "planned": 1, "environment": 2, "by design": 3}
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
