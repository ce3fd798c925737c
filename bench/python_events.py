#!/usr/bin/env python3
"""Events per second delivered to Python for bench/churn.c's case: domain `test` of
test:///default, one lifecycle listener, suspend/resume pairs made from Python, 100 operations
per round; every event is counted and the run fails if one is missing.

  libvirt-python  Debian's python3-libvirt on real libvirt 9.0: domainEventRegisterAny
                  callbacks, virEventRunDefaultImpl once per round (as churn.c does)
  conn.on         virtevent's package: callbacks on the library's dispatch thread
                  (virEventRegisterThreadImpl), each receiving a decoded Event
  stream          virtevent's package: `for ev in conn.events(…)`, read in batches

Events/s is end to end (wall clock, from the first operation to the last event delivered);
events per CPU-second divides by the process's CPU time instead, which moves less on a shared
machine. Each mode runs in its own process (libvirt and libvirtevent export the same symbol names);
modes alternate order across repetitions and the table shows medians.

Usage: python_events.py [--reps N] [--seconds S] [--json FILE] [--markdown]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODES = ["libvirt-python", "conn.on", "stream"]
ROUND = 100


def run_libvirt_python(seconds):
    import libvirt

    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    libvirt.virEventRegisterDefaultImpl()
    conn = libvirt.open("test:///default")
    dom = conn.lookupByName("test")
    delivered = [0]

    def on_lifecycle(conn, dom, event, detail, opaque):
        delivered[0] += 1

    conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_lifecycle, None)

    def one_round():
        for _ in range(ROUND // 2):
            dom.suspend()
            dom.resume()
        libvirt.virEventRunDefaultImpl()

    def drain(expected):
        while delivered[0] < expected:
            libvirt.virEventRunDefaultImpl()

    for _ in range(20):
        one_round()
    drain(20 * ROUND)
    delivered[0] = 0
    operations = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    while True:
        one_round()
        operations += ROUND
        if time.perf_counter() - start >= seconds:
            break
    drain(operations)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    conn.close()
    return delivered[0], operations, elapsed, cpu


def run_conn_on(seconds):
    import virtevent

    with virtevent.open("test:///default") as conn:
        dom = conn.lookup("test")
        if dom.state()[0] == virtevent.DomainState.PAUSED:
            dom.resume()
        delivered = [0]

        def on_lifecycle(ev):
            delivered[0] += 1

        def one_round():
            for _ in range(ROUND // 2):
                dom.suspend()
                dom.resume()

        def drain(expected):
            deadline = time.monotonic() + 60
            while delivered[0] < expected and time.monotonic() < deadline:
                time.sleep(0.0005)

        with conn.on("lifecycle", on_lifecycle):
            for _ in range(20):
                one_round()
            drain(20 * ROUND)
            delivered[0] = 0
            operations = 0
            start, cpu_start = time.perf_counter(), time.process_time()
            while True:
                one_round()
                operations += ROUND
                if time.perf_counter() - start >= seconds:
                    break
            drain(operations)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        return delivered[0], operations, elapsed, cpu


def run_stream(seconds):
    import itertools

    import virtevent

    with virtevent.open("test:///default") as conn:
        conn.set_history_size(65536)
        dom = conn.lookup("test")
        if dom.state()[0] == virtevent.DomainState.PAUSED:
            dom.resume()
        delivered = 0
        with conn.events(event="lifecycle") as stream:
            events = iter(stream)

            def one_round():
                nonlocal delivered
                for _ in range(ROUND // 2):
                    dom.suspend()
                    dom.resume()
                for ev in itertools.islice(events, ROUND):
                    delivered += 1

            for _ in range(20):
                one_round()
            delivered = 0
            operations = 0
            start, cpu_start = time.perf_counter(), time.process_time()
            while True:
                one_round()
                operations += ROUND
                if time.perf_counter() - start >= seconds:
                    break
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        return delivered, operations, elapsed, cpu


RUNNERS = {"libvirt-python": run_libvirt_python, "conn.on": run_conn_on, "stream": run_stream}


def child(mode, seconds):
    delivered, operations, elapsed, cpu = RUNNERS[mode](seconds)
    if delivered != operations:
        print(f"{mode}: {delivered} events delivered for {operations} operations", file=sys.stderr)
        sys.exit(1)
    print(f"RESULT {mode} events_per_s={delivered / elapsed:.0f} events_per_cpu_s={delivered / cpu:.0f} "
          f"events={delivered} seconds={elapsed:.3f} cpu_seconds={cpu:.3f}")


def measure(mode, seconds):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(ROOT, "python")
    env.setdefault("VIRTEVENT_LIBRARY", os.path.join(ROOT, "target", "release", "libvirtevent.so"))
    proc = subprocess.run([sys.executable, __file__, "--child", mode, "--seconds", str(seconds)],
                          capture_output=True, text=True, env=env, timeout=300)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            fields = dict(token.split("=") for token in line.split()[2:])
            return float(fields["events_per_s"]), float(fields["events_per_cpu_s"])
    print(f"  {mode} failed (status {proc.returncode}): {proc.stderr.strip()}", file=sys.stderr)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--json")
    ap.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.seconds)
        return

    load_at_start = os.getloadavg()
    samples = {mode: [] for mode in MODES}
    cpu_samples = {mode: [] for mode in MODES}
    for rep in range(args.reps):
        order = MODES if rep % 2 == 0 else list(reversed(MODES))
        print(f"repetition {rep + 1}/{args.reps}", file=sys.stderr)
        for mode in order:
            value = measure(mode, args.seconds)
            if value is not None:
                samples[mode].append(value[0])
                cpu_samples[mode].append(value[1])
    load_at_end = os.getloadavg()

    medians = {m: statistics.median(v) if v else None for m, v in samples.items()}
    base = medians["libvirt-python"]
    goals = {"conn.on": 1.0, "stream": 3.0}
    print(f"Python {sys.version.split()[0]} ({sys.executable}); medians of {args.reps} alternating "
          f"repetitions, {args.seconds} s each; load average {load_at_start[0]:.2f} at start, "
          f"{load_at_end[0]:.2f} at end")
    cpu_medians = {m: statistics.median(v) if v else None for m, v in cpu_samples.items()}
    print("| delivered through | events/s (median) | min | max | vs libvirt-python | goal | events per CPU-second | vs libvirt-python |")
    print("|---|---|---|---|---|---|---|---|")
    failed = False
    for mode in MODES:
        values, median = samples[mode], medians[mode]
        if median is None:
            print(f"| {mode} | n/a | | | | | | |")
            failed = True
            continue
        ratio = f"{median / base:.2f}×" if base else "n/a"
        goal = ""
        if mode in goals:
            met = base is not None and median >= goals[mode] * base
            goal = f"≥ {goals[mode]:g}× {'met' if met else 'MISSED'}"
        cpu_base, cpu_median = cpu_medians["libvirt-python"], cpu_medians[mode]
        cpu_ratio = f"{cpu_median / cpu_base:.2f}×" if cpu_base and cpu_median else "n/a"
        print(f"| {mode} | {median:,.0f} | {min(values):,.0f} | {max(values):,.0f} | {ratio} | {goal} "
              f"| {cpu_median:,.0f} | {cpu_ratio} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"events_per_s": samples, "events_per_cpu_s": cpu_samples, "medians": medians}, f, indent=2)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
