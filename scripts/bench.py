#!/usr/bin/env python3
"""End-to-end benchmark: the full exercise with `distembed run` at 1 and 2 workers.

Prints a table (wall seconds, samples/s, speed-up, per-phase step time, peak RSS per process) and writes it as
JSON. For people, not CI. Timings vary 10-40% on shared machines, so each worker count runs --repeat times,
interleaved (1, 2, 1, 2, ...) so that drifting load hits both alike; the table shows the median run of each and
the range, the JSON every run.

    scripts/bench.py [--spec experiments/exercise4.json] [--workers 1 2] [--repeat 3] [--out bench/results.json]
                     [--set k=v ...] [--run-arg=--no-shared-memory ...]
"""
import statistics
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(binary, spec, workers, overrides, run_args):
    command = [binary, "run", spec, "--workers", str(workers), "--json"] + run_args
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
    parser.add_argument("--repeat", type=int, default=3, help="runs per worker count (the table shows the median)")
    parser.add_argument("--run-arg", dest="run_args", action="append", default=[],
                        help="an extra argument for every `distembed run`, e.g. --run-arg=--no-shared-memory")
    args = parser.parse_args()

    before = host()
    runs = {workers: [] for workers in args.workers}
    for _ in range(max(1, args.repeat)):
        for workers in args.workers:
            r = run(args.binary, args.spec, workers, args.overrides, args.run_args)
            t = r.get("stepTimings", {})
            steps = max(t.get("steps", 1), 1)
            runs[workers].append({
                "workers": workers,
                "trainSeconds": r["trainSeconds"],
                "commandSeconds": r["commandSeconds"],
                "samplesPerSecond": r["samplesPerSecond"],
                "stepMs": {k: 1000 * t.get(k, 0) / steps for k in ("wall", "compute", "reduce", "optimizer", "other")},
                # The share of a step not spent computing gradients (issue 9's target: 10 % at 2 workers).
                "notComputingPercent": 100 * (1 - t.get("compute", 0) / t["wall"]) if t.get("wall") else None,
                "peakResidentMB": r.get("peakResidentMB", {}),
                "testAccuracy": r.get("testAccuracy"),
                "weightsSha256": r["weightsSha256"],
            })
    rows = []
    for workers in args.workers:
        ordered = sorted(runs[workers], key=lambda row: row["trainSeconds"])
        row = dict(ordered[(len(ordered) - 1) // 2])
        row["trainSecondsRange"] = [ordered[0]["trainSeconds"], ordered[-1]["trainSeconds"]]
        row["trainSecondsMedian"] = statistics.median(x["trainSeconds"] for x in ordered)
        row["runs"] = runs[workers]
        rows.append(row)
    base = rows[0]["trainSeconds"]
    for row in rows:
        row["speedUp"] = base / row["trainSeconds"]

    print(f"{'workers':>7} {'train s':>8} {'range':>13} {'cmd s':>7} {'samples/s':>10} {'speed-up':>8} "
          f"{'step ms':>8} {'compute':>8} {'reduce':>7} {'adam':>6} {'other':>7} {'overhead %':>10}  peak RSS MB")
    for row in rows:
        ms = row["stepMs"]
        rss = " ".join(f"{k}={v:.0f}" for k, v in sorted(row["peakResidentMB"].items()))
        low, high = row["trainSecondsRange"]
        share = "-" if row["notComputingPercent"] is None else f"{row['notComputingPercent']:.1f}"
        print(f"{row['workers']:>7} {row['trainSeconds']:>8.2f} {f'{low:.2f}-{high:.2f}':>13} {row['commandSeconds']:>7.2f} "
              f"{row['samplesPerSecond']:>10.0f} {row['speedUp']:>8.2f} {ms['wall']:>8.3f} {ms['compute']:>8.3f} "
              f"{ms['reduce']:>7.3f} {ms['optimizer']:>6.3f} {ms['other']:>7.3f} {share:>10}  {rss}")
    hashes = {run["weightsSha256"] for workers in args.workers for run in runs[workers]}
    print(f"weights identical across worker counts and runs: {len(hashes) == 1}"
          + (f" ({args.repeat} runs each, median shown)" if args.repeat > 1 else ""))
    after = os.getloadavg()[0]
    print(f"commit {before['commit']}, {before['cpus']} CPUs, load average {before['loadAverage'][0]:.2f} before, "
          f"{after:.2f} after")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"spec": args.spec, "overrides": args.overrides, "runArguments": args.run_args, "host": before,
                   "loadAverageAfter": round(after, 2), "repeat": args.repeat, "rows": rows}, f, indent=2)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
