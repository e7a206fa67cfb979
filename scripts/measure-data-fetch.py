#!/usr/bin/env python3
"""Measures delivery by digest (Docs/Datasets.md, "Delivered by digest"):

1. the time a new worker takes to fetch the coordinator's dataset (Fashion-MNIST: 30.9 MB in 33 pieces) over tcp
   loopback, at each serving rate given (`coordinator --serve-data-rate`), with `worker --fetch-data DIR
   --fetch-only` and an empty DIR each time;
2. with --link RATE (root: network namespaces from scripts/bench-hosts.py), the same across an emulated link
   shaped to RATE (e.g. 1gbit);
3. the step time of a running experiment (the exercise, 2 workers on the coordinator's host, a few epochs) with
   no fetch, and while one fetch after another runs beside it for the whole run, at each serving rate; beside it
   the CPU time of the coordinator's loop (its busiest thread) and of each fetching worker;
4. what serving costs each of the coordinator's threads, with no experiment running (so its loop does nothing
   else): on-CPU time (/proc/PID/task/TID/schedstat) of the loop, of the `data serving` thread and of libzmq's
   I/O thread during the first fetch (which may include hashing the set) and per fetch after it.

    scripts/measure-data-fetch.py [--binary .build/release/distembed]... [--data /usr/share/datasets/fashion-mnist]
                                  [--rates 50,1000] [--repeats 3] [--epochs 3] [--link 1gbit] [--fetcher-nice 19]
                                  [--worker-cpus 0,1] [--fetcher-cpu 1] [--only fetch|steps|serving]

`--binary` may be given more than once (e.g. a build before a change and one after): part 3 then runs each binary
in turn within each repeat, so they see the same hour of the machine. Every emulated host and process shares this
machine's CPUs; the fetching worker's hashing and writing compete with the training workers for them
(`--fetcher-nice N` runs the fetches of part 3 at that nice value, `--fetcher-cpu N` pins them to CPU N with
`taskset`, `--worker-cpus` pins the training workers with `worker --cpu`, `--coordinator-cpus` the coordinator
with `taskset`: `--worker-cpus 0,0 --coordinator-cpus 0 --fetcher-cpu 1` gives the fetches a CPU the training
does not use, on a machine of two). The coordinator's loop CPU time tells
its serving cost apart from the fetcher's. The load average is printed: other work on the machine shows in every
figure.
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


def start_coordinator(binary, folder, data, rate, listen, prefix=(), cpus=None):
    ready = os.path.join(folder, "ready")
    if os.path.exists(ready):
        os.remove(ready)
    log = open(os.path.join(folder, "coordinator.log"), "a")
    pinned = ["taskset", "-c", cpus] if cpus is not None else []
    process = subprocess.Popen(list(prefix) + pinned + [
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


def fetch_once(binary, endpoint, folder, prefix=(), nice=None, cpu=None):
    """One `worker --fetch-data --fetch-only` into an empty folder: (wall seconds, the fetch's own seconds, the
    fetching process's CPU seconds)."""
    cache = tempfile.mkdtemp(prefix="fetch-", dir=folder)
    try:
        started = time.monotonic()
        niced = ["nice", "-n", str(nice)] if nice is not None else []
        pinned = ["taskset", "-c", str(cpu)] if cpu is not None else []
        with tempfile.TemporaryFile(mode="w+") as log:
            process = subprocess.Popen(list(prefix) + pinned + niced + [
                binary, "worker", "--connect", endpoint, "--fetch-data", cache, "--fetch-only", "--name", "fetcher"],
                stdout=subprocess.DEVNULL, stderr=log)
            deadline = started + 600
            while (waited := os.wait4(process.pid, os.WNOHANG))[0] == 0:
                if time.monotonic() > deadline:
                    process.kill()
                    process.wait()
                    raise SystemExit("measure-data-fetch: a fetch took more than 600 s")
                time.sleep(0.01)
            process.returncode = os.waitstatus_to_exitcode(waited[1])
            usage = waited[2]
            wall = time.monotonic() - started
            log.seek(0)
            stderr = log.read()
        if process.returncode != 0:
            raise SystemExit(f"measure-data-fetch: the fetch failed: {stderr.strip()}")
        match = re.search(r"seconds=([0-9.]+).*dataset fetched and verified", stderr)
        return wall, float(match.group(1)) if match else float("nan"), usage.ru_utime + usage.ru_stime
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def threads_cpu_seconds(pid):
    """CPU seconds (user + system) each thread of process `pid` has used so far, by thread id."""
    seconds = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            fields = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # the thread ended meanwhile
            continue
        seconds[tid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def threads_on_cpu(pid):
    """Nanoseconds on a CPU so far of each thread of process `pid`: {tid: (name, ns)}."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
            threads[tid] = (name, int(open(f"/proc/{pid}/task/{tid}/schedstat").read().split()[0]))
        except FileNotFoundError:  # the thread ended meanwhile
            continue
    return threads


def split_on_cpu(before, after):
    """ms on a CPU between two `threads_on_cpu`: (the loop, the data serving thread, libzmq's threads). The loop is
    the busiest of the other threads: with no experiment running, the others of them wait."""
    spent = {tid: (name, (ns - before.get(tid, (name, 0))[1]) / 1e6) for tid, (name, ns) in after.items()}
    zmq = sum(ms for name, ms in spent.values() if name.startswith("ZMQbg"))
    serving = sum(ms for name, ms in spent.values() if name == "data serving")
    loop = max(ms for name, ms in spent.values() if not name.startswith("ZMQbg") and name != "data serving")
    return loop, serving, zmq


def serving_cost(binary, data, rate, fetches, folder):
    """`split_on_cpu` over the first fetch from a new coordinator and per fetch over `fetches` more, and the
    fetcher's CPU seconds per fetch."""
    process, endpoint = start_coordinator(binary, folder, data, rate, "tcp://127.0.0.1:*")
    try:
        start = threads_on_cpu(process.pid)
        fetch_once(binary, endpoint, folder)
        first = threads_on_cpu(process.pid)
        later = [fetch_once(binary, endpoint, folder) for _ in range(fetches)]
        end = threads_on_cpu(process.pid)
        return (split_on_cpu(start, first), [ms / fetches for ms in split_on_cpu(first, end)],
                statistics.median(f[2] for f in later))
    finally:
        stop(process)


def loop_cpu_seconds(before, after):
    """The CPU seconds the coordinator's loop used between two `threads_cpu_seconds`: the thread that used the most
    (the loop runs on a thread of the async runtime, not always the main one)."""
    return max(after[tid] - before.get(tid, 0) for tid in after)


def fetch_times(binary, data, rate, repeats, folder, listen="tcp://127.0.0.1:*", prefix=(), endpoint=None):
    process, bound = start_coordinator(binary, folder, data, rate, listen, prefix)
    try:
        fetch_once(binary, endpoint or bound, folder, prefix)  # not timed: the coordinator may still be hashing
        return [fetch_once(binary, endpoint or bound, folder, prefix) for _ in range(repeats)]
    finally:
        stop(process)


def step_time(binary, data, rate, epochs, folder, fetching, nice=None, fetcher_cpu=None, worker_cpus=None,
              coordinator_cpus=None):
    """The exercise on 2 workers: (ms per step, fetches, the coordinator loop's CPU ms per step, the fetchers' CPU
    seconds per fetch); with `fetching`, fetches run one after another all along."""
    process, endpoint = start_coordinator(binary, folder, data, rate, "ipc://" + os.path.join(folder, "c.sock"),
                                          cpus=coordinator_cpus)
    workers = [subprocess.Popen([binary, "worker", "--connect", endpoint, "--name", f"w{i}", "--data", data]
                                + (["--cpu", str(worker_cpus[i - 1])] if worker_cpus else []),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in (1, 2)]
    done = threading.Event()
    fetches = []

    def fetch_all_along():
        while not done.is_set():
            fetches.append(fetch_once(binary, endpoint, folder, nice=nice, cpu=fetcher_cpu))

    try:
        thread = threading.Thread(target=fetch_all_along) if fetching else None
        threads = threads_cpu_seconds(process.pid)
        if thread:
            thread.start()
        submitted = subprocess.run([binary, "submit", SPEC, "--coordinator", endpoint, "--min-workers", "2",
                                    "--wait", "--json", "--set", f"training.epochs={epochs}",
                                    "--set", "dataset.testLimit=0"], capture_output=True, text=True, timeout=1800)
        loop_cpu = loop_cpu_seconds(threads, threads_cpu_seconds(process.pid))
        done.set()
        if thread:
            thread.join()
        if submitted.returncode != 0:
            raise SystemExit(f"measure-data-fetch: the run failed: {submitted.stderr.strip()}")
        timings = json.loads(submitted.stdout.strip().splitlines()[-1])["stepTimings"]
        fetcher_cpu_seconds = statistics.median(f[2] for f in fetches) if fetches else float("nan")
        return (1000 * timings["wall"] / timings["steps"], len(fetches), 1000 * loop_cpu / timings["steps"],
                fetcher_cpu_seconds)
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
    parser.add_argument("--binary", action="append",
                        help="the distembed binary (default .build/release/distembed); repeat to compare builds")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--rates", default="50,1000", help="serving rates in MB/s, comma-separated")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3, help="epochs of each step-time run")
    parser.add_argument("--fetcher-nice", type=int, help="run the fetches beside the training at this nice value")
    parser.add_argument("--fetcher-cpu", type=int, help="pin the fetches beside the training to this CPU (taskset)")
    parser.add_argument("--worker-cpus", help="pin the two training workers to these CPUs (worker --cpu), e.g. 0,1")
    parser.add_argument("--coordinator-cpus", help="pin the coordinator of part 3 to these CPUs (taskset), e.g. 0")
    parser.add_argument("--only", choices=["fetch", "steps", "serving"],
                        help="measure only the fetch times (parts 1 and 2), the step times (part 3) or what serving "
                             "costs the coordinator's threads (part 4)")
    parser.add_argument("--link", help="also fetch across an emulated link of this rate (tc syntax; needs root)")
    args = parser.parse_args()
    binaries = [os.path.abspath(b) for b in args.binary or [".build/release/distembed"]]
    binary = binaries[0]
    worker_cpus = [int(c) for c in args.worker_cpus.split(",")] if args.worker_cpus else None
    if worker_cpus and len(worker_cpus) != 2:
        raise SystemExit("measure-data-fetch: --worker-cpus takes two CPUs, e.g. 0,1")
    rates = [float(r) for r in args.rates.split(",")]
    size = sum(os.path.getsize(os.path.join(args.data, n)) for n in os.listdir(args.data))
    print(f"CPU: {cpu_name()}, {os.cpu_count()} logical CPUs; load average {os.getloadavg()[0]:.2f} at start")
    print(f"dataset: {args.data} ({size / 1e6:.1f} MB); median of {args.repeats} fetches, each into an empty folder")
    with tempfile.TemporaryDirectory(prefix="measure-data-fetch-") as folder:
        for rate in rates if args.only in (None, "fetch") else []:
            print(f"loopback tcp, --serve-data-rate {rate:g}: "
                  f"{describe(fetch_times(binary, args.data, rate, args.repeats, folder))}", flush=True)
        if args.link and args.only in (None, "fetch"):
            if os.geteuid() != 0:
                raise SystemExit("measure-data-fetch: --link needs root (ip netns, tc)")
            print(f"emulated {args.link} link, --serve-data-rate 1000: "
                  f"{describe(across_link(binary, args.data, args.link, args.repeats, folder))}", flush=True)
        if args.only in (None, "steps"):
            niced = f", fetches at nice {args.fetcher_nice}" if args.fetcher_nice is not None else ""
            niced += f", fetches on CPU {args.fetcher_cpu}" if args.fetcher_cpu is not None else ""
            niced += f", workers on CPUs {args.worker_cpus}" if worker_cpus else ""
            niced += f", coordinator on CPUs {args.coordinator_cpus}" if args.coordinator_cpus else ""
            print(f"step time of the exercise on 2 workers ({args.epochs} epochs{niced}), ms per step; the "
                  f"coordinator loop's CPU ms per step; each fetching worker's CPU seconds:")
            for rate in rates:
                for repeat in range(args.repeats):
                    for binary in binaries:
                        alone, _, loop_alone, _ = step_time(binary, args.data, rate, args.epochs, folder,
                                                            fetching=False, worker_cpus=worker_cpus,
                                                            coordinator_cpus=args.coordinator_cpus)
                        beside, count, loop_beside, fetcher = step_time(
                            binary, args.data, rate, args.epochs, folder, fetching=True, nice=args.fetcher_nice,
                            fetcher_cpu=args.fetcher_cpu, worker_cpus=worker_cpus,
                            coordinator_cpus=args.coordinator_cpus)
                        print(f"  {binary}, --serve-data-rate {rate:g}, run {repeat + 1}: no fetch {alone:.2f} "
                              f"(loop {loop_alone:.3f}), with fetches all along {beside:.2f} (loop {loop_beside:.3f}; "
                              f"{count} fetches of {size / 1e6:.1f} MB, {fetcher:.2f} CPU s each)", flush=True)
        if args.only in (None, "serving"):
            print(f"what serving costs the coordinator's threads (no experiment running), CPU ms: loop / data serving "
                  f"thread / libzmq I/O; first fetch, then per fetch over {2 * args.repeats} more:")
            for repeat in range(args.repeats):
                for binary in binaries:
                    for rate in rates:
                        first, later, fetcher = serving_cost(binary, args.data, rate, 2 * args.repeats, folder)
                        print(f"  {binary}, --serve-data-rate {rate:g}, run {repeat + 1}: first fetch "
                              f"{first[0]:.1f} / {first[1]:.1f} / {first[2]:.1f}, per fetch after "
                              f"{later[0]:.1f} / {later[1]:.1f} / {later[2]:.1f} (the fetcher: {fetcher:.2f} CPU s)",
                              flush=True)
        print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    sys.exit(main())
