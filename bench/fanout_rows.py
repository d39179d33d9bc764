"""The runs bench/lib.sh's fanout_run left in a directory, summed up per label (LABEL-ROUND.json/.cpu).

Used by bench/websocket.sh and bench/fanout-before-after.sh, which print their own tables from it.
"""
import glob
import json
import os
import statistics


def summary(work: str, label: str) -> dict:
    """Sorted deliveries/s, p99 ms and server CPU µs per delivery over the runs; the median bench
    CPU µs per delivery (while sending); the messages lost in all."""
    hz = os.sysconf("SC_CLK_TCK")
    files = sorted(glob.glob(f"{work}/{label}-*.json"))
    runs = [json.load(open(f)) for f in files]
    per = lambda r: max(1, r.get("delivered", 1))
    return {
        "deliveries": sorted(r["deliveriesPerSecond"] for r in runs),
        "p99": sorted(r.get("p99Ms", float("nan")) for r in runs),
        "server_cpu": sorted(int(open(f[:-5] + ".cpu").read()) / hz * 1e6 / per(r) for f, r in zip(files, runs)),
        "bench_cpu": statistics.median(r.get("benchSendCpuSeconds", float("nan")) * 1e6 / per(r) for r in runs),
        "lost": sum(r.get("lost", 0) for r in runs),
    }


def spread(values: list, fmt: str) -> str:
    """min / median / max of sorted values."""
    return " / ".join(format(v, fmt) for v in (values[0], statistics.median(values), values[-1]))
