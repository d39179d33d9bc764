#!/usr/bin/env python3
"""Turns bench/out/results.tsv (rows written by bench/lib.sh's `record`) into docs/BENCHMARKS.md:
one table per target with the peer's number beside sock's, the ratio, the goal and whether it is
met, plus the machine and date. Also draws the fan-out sweep (if measured) as an SVG."""
import datetime, os, platform, subprocess, sys
from collections import OrderedDict

bench = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(bench)
results = sys.argv[1] if len(sys.argv) > 1 else os.path.join(bench, "out", "results.tsv")
out_md = os.path.join(repo, "docs", "BENCHMARKS.md")

def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip(); break
    except OSError: pass
    mem_gib = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem_gib = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"; break
    except OSError: pass
    commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib} RAM, {platform.system()} {platform.release()}, sock {commit}"

def fnum(s):
    try: return float(s)
    except ValueError: return None

def verdict(peer, sock, better, goal):
    p, s = fnum(peer), fnum(sock)
    if goal.startswith("<="):
        limit = float(goal[2:])
        return ("", f"≤ {goal[2:]}", "met" if s is not None and s <= limit else "NOT met")
    if p is None or s is None or p == 0 or s == 0:
        return ("", goal if goal != "-" else "", "" if goal == "-" else "n/a")
    ratio = s / p if better == "higher" else p / s
    if goal == "-":
        return (f"{ratio:.2f}×", "", "")
    return (f"{ratio:.2f}×", f"≥ {goal}×", "met" if ratio >= float(goal) else "NOT met")

rows = OrderedDict()
sweep = []
for line in open(results, encoding="utf-8"):
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 8: continue
    target, metric, peer, pv, sv, unit, better, goal = parts
    if target == "Fan-out sweep":
        sweep.append((int(metric), fnum(pv), fnum(sv), peer)); continue
    rows.setdefault(target, []).append((metric, peer, pv, sv, unit, better, goal))

lines = ["# Benchmarks", "",
         f"Written by `bench/run` on {datetime.date.today().isoformat()}; machine: {machine()}.",
         "Every row ran sock and the named peer side by side in the same run. Ratio > 1 means sock is better",
         "(faster, more throughput, less time or memory); the goal is the target from PRODUCT.md.", ""]
for target, items in rows.items():
    lines += [f"## {target}", "", "| metric | peer | peer | sock | ratio | goal | |", "|---|---|---:|---:|---:|---|---|"]
    for metric, peer, pv, sv, unit, better, goal in items:
        ratio, g, met = verdict(pv, sv, better, goal)
        lines.append(f"| {metric} | {peer} | {pv} {unit} | {sv} {unit} | {ratio} | {g} | {met} |")
    lines.append("")
if sweep:
    sweep.sort()
    lines += ["## Fan-out throughput against client count", "",
              "![fan-out](fanout.svg)", "", "| clients | " + sweep[0][3] + " deliveries/s | sock deliveries/s |", "|---:|---:|---:|"]
    lines += [f"| {n} | {p:.0f} | {s:.0f} |" for n, p, s, _ in sweep if p is not None and s is not None]
    lines.append("")
    # A log-x line chart, written directly as SVG (no plotting dependency).
    import math
    W, H, L, B = 640, 360, 70, 40
    xs = [math.log10(n) for n, _, _, _ in sweep]
    ymax = max(max(p or 0, s or 0) for _, p, s, _ in sweep) * 1.1 or 1
    X = lambda v: L + (v - min(xs)) / ((max(xs) - min(xs)) or 1) * (W - L - 20)
    Y = lambda v: H - B - v / ymax * (H - B - 20)
    def path(idx, color):
        pts = " ".join(f"{X(x):.1f},{Y(r[idx]):.1f}" for x, r in zip(xs, sweep) if r[idx] is not None)
        return f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>'
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<line x1="{L}" y1="{H-B}" x2="{W-10}" y2="{H-B}" stroke="black"/><line x1="{L}" y1="10" x2="{L}" y2="{H-B}" stroke="black"/>',
           path(2, "#1f77b4"), path(1, "#d62728")]
    for x, (n, _, _, _) in zip(xs, sweep):
        svg.append(f'<text x="{X(x):.1f}" y="{H-B+16}" text-anchor="middle">{n}</text>')
    for i in range(5):
        v = ymax * i / 4
        svg.append(f'<text x="{L-6}" y="{Y(v)+4:.1f}" text-anchor="end">{v/1000:.0f}k</text>')
    svg += [f'<text x="{W/2}" y="{H-6}" text-anchor="middle">clients in one room (log scale)</text>',
            f'<text x="{L+10}" y="20" fill="#1f77b4">sock</text><text x="{L+60}" y="20" fill="#d62728">{sweep[0][3]}</text>',
            '</svg>']
    open(os.path.join(repo, "docs", "fanout.svg"), "w").write("\n".join(svg) + "\n")

notes = os.path.join(bench, "NOTES.md")
if os.path.exists(notes):
    lines += ["## Notes", "", open(notes, encoding="utf-8").read().strip(), ""]
# Sections written by other scripts (bench/forward.sh's results, kept by hand) live below this marker and survive a re-run.
marker = "<!-- kept by report.py: sections below are written by hand from other bench scripts -->"
if os.path.exists(out_md):
    old = open(out_md, encoding="utf-8").read()
    if marker in old:
        lines += [marker + old.split(marker, 1)[1].rstrip("\n"), ""]
open(out_md, "w", encoding="utf-8").write("\n".join(lines))
print(f"report.py: wrote {out_md}")
