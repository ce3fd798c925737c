#!/usr/bin/env python3
"""Runs each benchmark program built against libvirt and against virtevent, alternating which
goes first, several repetitions, and prints the medians side by side with the issue's targets.

Usage: run.py --ours DIR [--libvirt DIR] [--reps N] [--seconds S] [--json FILE]

Timed cases run every repetition. Memory is deterministic (peak RSS varies by well under 1%
between runs) and libvirt needs over a minute to register 100,000 callbacks (its duplicate
check scans every registration), so each memory case runs once per library.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

# (row label, size label, program argv after the seconds are added, metrics)
# A metric is (key in the RESULT line, unit, how to read it: "higher" or "lower" is better).
TIMED = [
    ("churn", "1 domain", ["churn"], [("events_per_s", "events/s", "higher")]),
    ("fanout", "D=1", ["fanout", "1"], [("events_per_s", "events/s", "higher")]),
    ("fanout", "D=100", ["fanout", "100"], [("events_per_s", "events/s", "higher")]),
    ("fanout", "D=1000", ["fanout", "1000"], [("events_per_s", "events/s", "higher")]),
    ("fanout", "D=5000", ["fanout", "5000"], [("events_per_s", "events/s", "higher")]),
    ("register", "5000 others", ["register", "5000"], [("pairs_per_s", "pairs/s", "higher")]),
    ("latency", "loop thread", ["latency", "loop"],
     [("p50_us", "µs p50", "lower"), ("p99_us", "µs p99", "lower"), ("max_us", "µs max", "lower")]),
    ("latency", "thread impl", ["latency", "thread"],
     [("p50_us", "µs p50", "lower"), ("p99_us", "µs p99", "lower"), ("max_us", "µs max", "lower")]),
    # Real QEMU processes (machine 'none') behind qemu:///embed: libvirt's run needs its QEMU
    # driver set up for embedding, and reports the cases unsupported otherwise.
    ("qemu start", "machine none", ["qemu", "start"], [("p50_ms", "ms p50", "lower"), ("p99_ms", "ms p99", "lower")]),
    ("qemu event", "suspend/resume", ["qemu", "event"], [("p50_us", "µs p50", "lower"), ("p99_us", "µs p99", "lower")]),
]

# (row label, size label, kind, count, unit)
MEMORY = [
    ("memory", "100000 callbacks", "callbacks", 100000, "B/callback"),
    ("memory", "10000 domains", "domains", 10000, "B/domain"),
]


def run(directory, argv):
    """Runs one program; returns the key=value pairs of its RESULT line, {} if unsupported, or None."""
    path = os.path.join(directory, argv[0])
    try:
        proc = subprocess.run([path] + argv[1:], capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        print(f"  {' '.join(argv)} ({directory}): timed out", file=sys.stderr)
        return None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            if line.endswith(" unsupported"):
                return {}
            fields = dict(tok.split("=", 1) for tok in line.split()[3:] if "=" in tok)
            return {k: float(v) for k, v in fields.items()}
    print(f"  {' '.join(argv)} ({directory}) failed with status {proc.returncode}:\n{proc.stderr.strip()}",
          file=sys.stderr)
    return None


def median(values):
    return statistics.median(values) if values else None


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt(value, unit):
    if value is None:
        return "n/a"
    if unit.startswith("µs") or unit.startswith("ms"):
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours", required=True)
    ap.add_argument("--libvirt")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=0.5)
    ap.add_argument("--json")
    args = ap.parse_args()

    builds = {"ours": args.ours}
    if args.libvirt:
        builds["libvirt"] = args.libvirt
    else:
        print("libvirt (pkg-config libvirt) not found: only virtevent's figures", file=sys.stderr)

    load_at_start = os.getloadavg()
    began = time.monotonic()
    # samples[(row, size, key)][build] = [values...]
    samples = {}
    for rep in range(args.reps):
        order = list(builds) if rep % 2 == 0 else list(reversed(builds))
        print(f"repetition {rep + 1}/{args.reps} ({time.monotonic() - began:.0f} s)", file=sys.stderr)
        for row, size, argv, metrics in TIMED:
            for build in order:
                result = run(builds[build], argv + [str(args.seconds)])
                for key, _, _ in metrics:
                    cell = samples.setdefault((row, size, key), {}).setdefault(build, [])
                    if result and key in result:
                        cell.append(result[key])

    print(f"memory ({time.monotonic() - began:.0f} s)", file=sys.stderr)
    memory = {}
    for row, size, kind, count, _ in MEMORY:
        for build, directory in builds.items():
            empty = run(directory, ["memory", kind, "0"])
            full = run(directory, ["memory", kind, str(count)])
            if empty and full:
                memory[(row, size, build)] = (full["peak_rss_kib"] - empty["peak_rss_kib"]) * 1024 / count
    elapsed = time.monotonic() - began

    rows = []  # (case, size, unit, libvirt, ours)
    for row, size, _, metrics in TIMED:
        for key, unit, _ in metrics:
            cell = samples[(row, size, key)]
            ours = median(cell.get("ours", []))
            libvirt = median(cell.get("libvirt", []))
            if size == "thread impl":
                # libvirt has no thread mode: compare with its loop run by an application thread.
                libvirt = median(samples[(row, "loop thread", key)].get("libvirt", []))
            rows.append((row, size, unit, libvirt, ours))
    for row, size, _, _, unit in MEMORY:
        rows.append((row, size, unit, memory.get((row, size, "libvirt")), memory.get((row, size, "ours"))))

    def lookup(case, size, unit):
        return next(((lv, us) for c, s, u, lv, us in rows if (c, s, u) == (case, size, unit)), (None, None))

    def ratio(lv, us):
        return us / lv if lv and us is not None else None

    def target(case, size, unit, lv, us):
        r = ratio(lv, us)
        if case == "churn":
            return ("≥ 10×", r is not None and r >= 10)
        if case == "fanout" and size == "D=5000":
            _, ours_one = lookup("fanout", "D=1", unit)
            flat = us is not None and ours_one and us >= 0.8 * ours_one
            drop = f"{(us / ours_one - 1) * 100:+.0f}% vs D=1" if us is not None and ours_one else "?"
            return (f"≥ 100×, within 20% of D=1 ({drop})", r is not None and r >= 100 and flat)
        if case == "register":
            return ("≥ 100×", r is not None and r >= 100)
        if case == "latency" and unit in ("µs p50", "µs p99"):
            return ("≤ 0.5×", r is not None and r <= 0.5)
        if case == "qemu event" and unit == "µs p99":
            return ("≤ 1 ms", us is not None and us <= 1000)
        if case == "memory" and unit == "B/callback":
            return ("≤ 128 B", us is not None and us <= 128)
        if case == "memory" and unit == "B/domain":
            return ("≤ 2048 B", us is not None and us <= 2048)
        return ("", None)

    header = ("case", "size", "unit", "libvirt 9.0", "virtevent", "ours/libvirt", "target")
    table = []
    for case, size, unit, lv, us in rows:
        r = ratio(lv, us)
        goal, met = target(case, size, unit, lv, us)
        verdict = "" if met is None else (" met" if met else " MISSED")
        table.append((case, size, unit, fmt(lv, unit), fmt(us, unit), f"{r:.3g}×" if r is not None else "n/a",
                      goal + verdict))
    widths = [max(len(str(line[i])) for line in [header] + table) for i in range(len(header))]
    numeric = {3, 4, 5}

    def line(cells):
        return "| " + " | ".join(str(c).rjust(w) if i in numeric else str(c).ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    load = os.getloadavg()
    print(f"CPU: {cpu_model()}, {os.cpu_count()} CPUs; medians of {args.reps} alternating repetitions, "
          f"{args.seconds} s per timed measurement; memory measured once per library; "
          f"whole run {elapsed:.0f} s; load average at start {load_at_start[0]:.2f}, at end {load[0]:.2f}")
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for cells in table:
        print(line(cells))
    print("latency 'thread impl': libvirt has no such mode; its column repeats libvirt's loop-thread figure.")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu_model(), "reps": args.reps, "seconds": args.seconds,
                       "samples": {"|".join(k): v for k, v in samples.items()},
                       "memory": {"|".join(k): v for k, v in memory.items()}}, f, indent=1)


if __name__ == "__main__":
    main()
