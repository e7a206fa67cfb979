#!/usr/bin/env python3
"""End-to-end benchmark: the full exercise with `distembed run` at 1 and 2 workers.

Prints a table (wall seconds, samples/s, speed-up, per-phase step time, peak RSS per process) and writes it as
JSON. For people, not CI: timings vary 10-40% on shared machines, so run it more than once.

    scripts/bench.py [--spec experiments/exercise4.json] [--workers 1 2] [--out bench/results.json] [--set k=v ...]
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(binary, spec, workers, overrides):
    command = [binary, "run", spec, "--workers", str(workers), "--json"]
    for o in overrides:
        command += ["--set", o]
    started = time.monotonic()
    out = subprocess.run(command, capture_output=True, text=True)
    wall = time.monotonic() - started
    if out.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed:\n{out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["commandSeconds"] = wall
    return result


def host():
    """What the timings depend on besides the code: load average (1, 5, 15 min), CPUs and the commit measured."""
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                           text=True)
    return {"loadAverage": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
            "commit": commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", default=os.path.join(ROOT, "experiments", "exercise4.json"))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results.json"))
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "distembed"))
    args = parser.parse_args()

    before = host()
    rows = []
    for workers in args.workers:
        r = run(args.binary, args.spec, workers, args.overrides)
        t = r.get("stepTimings", {})
        steps = max(t.get("steps", 1), 1)
        rows.append({
            "workers": workers,
            "trainSeconds": r["trainSeconds"],
            "commandSeconds": r["commandSeconds"],
            "samplesPerSecond": r["samplesPerSecond"],
            "stepMs": {k: 1000 * t.get(k, 0) / steps for k in ("wall", "compute", "reduce", "optimizer", "other")},
            "peakResidentMB": r.get("peakResidentMB", {}),
            "testAccuracy": r.get("testAccuracy"),
            "weightsSha256": r["weightsSha256"],
        })
    base = rows[0]["trainSeconds"]
    for row in rows:
        row["speedUp"] = base / row["trainSeconds"]

    print(f"{'workers':>7} {'train s':>8} {'cmd s':>7} {'samples/s':>10} {'speed-up':>8} "
          f"{'step ms':>8} {'compute':>8} {'reduce':>7} {'adam':>6} {'other':>7}  peak RSS MB")
    for row in rows:
        ms = row["stepMs"]
        rss = " ".join(f"{k}={v:.0f}" for k, v in sorted(row["peakResidentMB"].items()))
        print(f"{row['workers']:>7} {row['trainSeconds']:>8.2f} {row['commandSeconds']:>7.2f} "
              f"{row['samplesPerSecond']:>10.0f} {row['speedUp']:>8.2f} {ms['wall']:>8.3f} {ms['compute']:>8.3f} "
              f"{ms['reduce']:>7.3f} {ms['optimizer']:>6.3f} {ms['other']:>7.3f}  {rss}")
    hashes = {row["weightsSha256"] for row in rows}
    print("weights identical across worker counts:", len(hashes) == 1)
    after = os.getloadavg()[0]
    print(f"commit {before['commit']}, {before['cpus']} CPUs, load average {before['loadAverage'][0]:.2f} before, "
          f"{after:.2f} after")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"spec": args.spec, "overrides": args.overrides, "host": before, "loadAverageAfter": round(after, 2),
                   "rows": rows}, f, indent=2)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
