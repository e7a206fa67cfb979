#!/usr/bin/env python3
"""Measures delivery by digest (Docs/Datasets.md, "Delivered by digest"):

1. the time a new worker takes to fetch the coordinator's dataset (Fashion-MNIST: 30.9 MB in 33 pieces) over tcp
   loopback, at each serving rate given (`coordinator --serve-data-rate`), with `worker --fetch-data DIR
   --fetch-only` and an empty DIR each time;
2. with --link RATE (root: network namespaces from scripts/bench-hosts.py), the same across an emulated link
   shaped to RATE (e.g. 1gbit);
3. the step time of a running experiment (the exercise, 2 workers on the coordinator's host, a few epochs) with
   no fetch, and while one fetch after another runs beside it for the whole run, at each serving rate.

    scripts/measure-data-fetch.py [--binary .build/release/distembed] [--data /usr/share/datasets/fashion-mnist]
                                  [--rates 50,1000] [--repeats 3] [--epochs 3] [--link 1gbit] [--fetcher-nice 19]

Every emulated host and process shares this machine's CPUs; the fetching worker's hashing and writing compete
with the training workers for them (`--fetcher-nice N` runs the fetches of part 3 at that nice value, to tell that
share from the coordinator's). The load average is printed: other work on the machine shows in every figure.
"""
import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SPEC = "experiments/exercise4.json"


def cpu_name():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def start_coordinator(binary, folder, data, rate, listen, prefix=()):
    ready = os.path.join(folder, "ready")
    if os.path.exists(ready):
        os.remove(ready)
    log = open(os.path.join(folder, "coordinator.log"), "a")
    process = subprocess.Popen(list(prefix) + [
        binary, "coordinator", "--listen", listen, "--store", os.path.join(folder, f"store-{time.time_ns()}"),
        "--data", data, "--serve-data-rate", str(rate), "--ready-file", ready] + (["--insecure"] if prefix else []),
        stdout=log, stderr=log)
    deadline = time.time() + 60
    while time.time() < deadline:
        if os.path.exists(ready) and open(ready).read().strip():
            return process, open(ready).read().split("\n")[0]
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"measure-data-fetch: the coordinator did not start; see {folder}/coordinator.log")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def fetch_once(binary, endpoint, folder, prefix=(), nice=None):
    """One `worker --fetch-data --fetch-only` into an empty folder: (wall seconds, the fetch's own seconds)."""
    cache = tempfile.mkdtemp(prefix="fetch-", dir=folder)
    try:
        started = time.monotonic()
        niced = ["nice", "-n", str(nice)] if nice is not None else []
        result = subprocess.run(list(prefix) + niced + [binary, "worker", "--connect", endpoint, "--fetch-data", cache,
                                                "--fetch-only", "--name", "fetcher"],
                                capture_output=True, text=True, timeout=600)
        wall = time.monotonic() - started
        if result.returncode != 0:
            raise SystemExit(f"measure-data-fetch: the fetch failed: {result.stderr.strip()}")
        match = re.search(r"seconds=([0-9.]+).*dataset fetched and verified", result.stderr)
        return wall, float(match.group(1)) if match else float("nan")
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def fetch_times(binary, data, rate, repeats, folder, listen="tcp://127.0.0.1:*", prefix=(), endpoint=None):
    process, bound = start_coordinator(binary, folder, data, rate, listen, prefix)
    try:
        fetch_once(binary, endpoint or bound, folder, prefix)  # the coordinator hashes its pieces at the first
        return [fetch_once(binary, endpoint or bound, folder, prefix) for _ in range(repeats)]
    finally:
        stop(process)


def step_time(binary, data, rate, epochs, folder, fetching, nice=None):
    """ms per step of the exercise on 2 workers; with `fetching`, fetches run one after another all along."""
    process, endpoint = start_coordinator(binary, folder, data, rate, "ipc://" + os.path.join(folder, "c.sock"))
    workers = [subprocess.Popen([binary, "worker", "--connect", endpoint, "--name", f"w{i}", "--data", data],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in (1, 2)]
    done = threading.Event()
    fetches = []

    def fetch_all_along():
        while not done.is_set():
            fetches.append(fetch_once(binary, endpoint, folder, nice=nice))

    try:
        thread = threading.Thread(target=fetch_all_along) if fetching else None
        if thread:
            thread.start()
        submitted = subprocess.run([binary, "submit", SPEC, "--coordinator", endpoint, "--min-workers", "2",
                                    "--wait", "--json", "--set", f"training.epochs={epochs}",
                                    "--set", "dataset.testLimit=0"], capture_output=True, text=True, timeout=1800)
        done.set()
        if thread:
            thread.join()
        if submitted.returncode != 0:
            raise SystemExit(f"measure-data-fetch: the run failed: {submitted.stderr.strip()}")
        timings = json.loads(submitted.stdout.strip().splitlines()[-1])["stepTimings"]
        return 1000 * timings["wall"] / timings["steps"], len(fetches)
    finally:
        done.set()
        for worker in workers:
            stop(worker)
        stop(process)


def across_link(binary, data, link, repeats, folder):
    spec = importlib.util.spec_from_file_location(
        "bench_hosts", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-hosts.py"))
    bench_hosts = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_hosts)
    hosts = bench_hosts.Hosts(1, link, bench_hosts.has_netem())
    try:
        hosts.setup()
        endpoint = f"tcp://{hosts.address('c')}:{bench_hosts.PORT}"
        coordinator = ["ip", "netns", "exec", hosts.ns("c")]
        worker = ["ip", "netns", "exec", hosts.ns("w1")]
        process, _ = start_coordinator(binary, folder, data, 1000, endpoint, coordinator)
        try:
            fetch_once(binary, endpoint, folder, worker)
            return [fetch_once(binary, endpoint, folder, worker) for _ in range(repeats)]
        finally:
            stop(process)
    finally:
        hosts.teardown()


def describe(times):
    walls = sorted(t[0] for t in times)
    fetches = sorted(t[1] for t in times)
    return (f"fetch {statistics.median(fetches):.2f} s (range {fetches[0]:.2f}-{fetches[-1]:.2f}), "
            f"worker start to exit {statistics.median(walls):.2f} s (range {walls[0]:.2f}-{walls[-1]:.2f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=".build/release/distembed")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--rates", default="50,1000", help="serving rates in MB/s, comma-separated")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3, help="epochs of each step-time run")
    parser.add_argument("--fetcher-nice", type=int, help="run the fetches beside the training at this nice value")
    parser.add_argument("--link", help="also fetch across an emulated link of this rate (tc syntax; needs root)")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    rates = [float(r) for r in args.rates.split(",")]
    size = sum(os.path.getsize(os.path.join(args.data, n)) for n in os.listdir(args.data))
    print(f"CPU: {cpu_name()}, {os.cpu_count()} logical CPUs; load average {os.getloadavg()[0]:.2f} at start")
    print(f"dataset: {args.data} ({size / 1e6:.1f} MB); median of {args.repeats} fetches, each into an empty folder")
    with tempfile.TemporaryDirectory(prefix="measure-data-fetch-") as folder:
        for rate in rates:
            print(f"loopback tcp, --serve-data-rate {rate:g}: "
                  f"{describe(fetch_times(binary, args.data, rate, args.repeats, folder))}", flush=True)
        if args.link:
            if os.geteuid() != 0:
                raise SystemExit("measure-data-fetch: --link needs root (ip netns, tc)")
            print(f"emulated {args.link} link, --serve-data-rate 1000: "
                  f"{describe(across_link(binary, args.data, args.link, args.repeats, folder))}", flush=True)
        niced = f", fetches at nice {args.fetcher_nice}" if args.fetcher_nice is not None else ""
        print(f"step time of the exercise on 2 workers ({args.epochs} epochs{niced}), ms per step:")
        for rate in rates:
            for repeat in range(args.repeats):
                alone, _ = step_time(binary, args.data, rate, args.epochs, folder, fetching=False)
                beside, count = step_time(binary, args.data, rate, args.epochs, folder, fetching=True,
                                          nice=args.fetcher_nice)
                print(f"  --serve-data-rate {rate:g}, run {repeat + 1}: no fetch {alone:.2f}, "
                      f"with fetches all along {beside:.2f} ({count} fetches of {size / 1e6:.1f} MB)", flush=True)
        print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    sys.exit(main())
