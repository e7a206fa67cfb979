#!/usr/bin/env python3
"""Times the exercise in PyTorch and in distembed in one invocation and prints the ratios.

PyTorch runs scripts/pytorch_exercise.py single-process (1 and 2 threads) and with DistributedDataParallel
(2 processes, gloo, 1 thread each); distembed runs `distembed run SPEC --workers N --json` for N in 1 and 2.
Each row is the training wall time (start-up, data loading and evaluation excluded on both sides) and how many
times longer it took than distembed with 2 workers. For people, not CI: timings vary 10-40% on shared machines,
so the load average is printed before and after. Run it on an otherwise idle machine: with more runnable threads
than cores, PyTorch's 2-thread run slows down several-fold (its OpenMP threads wait for each other at every
operation), and every row is slower.

Run it through scripts/compare-pytorch.sh, which makes the venv; by hand:

    python compare_pytorch.py --distembed .build/release/distembed [--spec experiments/exercise4.json] [--json FILE]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# Every run: (framework, processes or workers, torch threads per process).
RUNS = {
    "torch-1-thread": ("torch", 1, 1),
    "torch-2-threads": ("torch", 1, 2),
    "torch-ddp-2": ("torch", 2, 1),
    "distembed-1": ("distembed", 1, None),
    "distembed-2": ("distembed", 2, None),
}


def last_json_line(command, env=None):
    """Runs `command` and returns the JSON object on the last line of its stdout; exits with its stderr on failure."""
    out = subprocess.run(command, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"compare-pytorch: {' '.join(command)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def pytorch(threads, processes, data):
    """One PyTorch run with `threads` threads in each of `processes` processes."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    command = [sys.executable, os.path.join(HERE, "pytorch_exercise.py"), "--threads", str(threads),
               "--processes", str(processes), "--data", data]
    r = last_json_line(command, env)
    label = f"PyTorch DDP {processes} processes x {threads} thread" if processes > 1 else \
        f"PyTorch 1 process, {threads} thread{'s' if threads > 1 else ''}"
    return {"name": label, "trainSeconds": r["trainSeconds"], "testAccuracy": r["testAccuracy"],
            "version": r["framework"]}


def distembed(binary, spec, workers):
    """One `distembed run` with `workers` worker processes."""
    r = last_json_line([binary, "run", spec, "--workers", str(workers), "--json"])
    return {"name": f"distembed {workers} worker{'s' if workers > 1 else ''}", "trainSeconds": r["trainSeconds"],
            "testAccuracy": r.get("testAccuracy"), "weightsSha256": r["weightsSha256"]}


def load_average():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distembed", default=os.path.join(ROOT, ".build", "release", "distembed"))
    parser.add_argument("--spec", default=os.path.join(ROOT, "experiments", "exercise4.json"))
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--runs", nargs="+", choices=RUNS, default=list(RUNS),
                        help="a subset of the runs (distembed-2 is the yardstick, so it always runs)")
    args = parser.parse_args()

    before = load_average()
    print(f"load average before: {before} ({os.cpu_count()} CPUs)", flush=True)
    rows = []
    for run, (kind, count, threads) in RUNS.items():
        if run not in args.runs and run != "distembed-2":
            continue
        if kind == "torch":
            rows.append(pytorch(threads, count, args.data))
        else:
            rows.append(distembed(args.distembed, args.spec, count))
        print(f"  {rows[-1]['name']}: {rows[-1]['trainSeconds']:.1f} s", flush=True)
    after = load_average()

    ours = rows[-1]["trainSeconds"]
    versions = {row["version"] for row in rows if "version" in row}
    print(f"\n{', '.join(versions) or 'no PyTorch run'}; load average before {before}, after {after}")
    print(f"{'run':<40} {'train s':>8} {'× distembed 2 workers':>22} {'test acc':>9}")
    for row in rows:
        row["ratioToDistembed2"] = row["trainSeconds"] / ours
        accuracy = f"{row['testAccuracy']:.3f}" if row["testAccuracy"] is not None else "-"
        print(f"{row['name']:<40} {row['trainSeconds']:>8.1f} {row['ratioToDistembed2']:>22.2f} {accuracy:>9}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"loadAverage": {"before": before, "after": after}, "cpus": os.cpu_count(), "rows": rows}, f,
                      indent=2)
        print("wrote", args.json)


if __name__ == "__main__":
    main()
