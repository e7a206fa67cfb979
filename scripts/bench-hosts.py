#!/usr/bin/env python3
"""Emulated multi-host bench: the coordinator and each worker in a network namespace of its own, each joined by a
veth pair to a bridge in a switch namespace, every link shaped with tc. Needs root and iproute2.

    scripts/bench-hosts.py [--binary .build/release/distembed] [--workers 1,2,4] [--links none,10gbit,1gbit]
                           [--specs experiments/exercise4.json,experiments/wide.json] [--epochs 1]
                           [--reductions star,sharded] [--set KEY=VALUE ...] [--repeat 1] [--timeout 600]
                           [--out rows.json]

For each spec, link, worker count and reduction it trains one run across the emulated hosts (workers without
shared memory, as on separate machines) and prints one row: the step time split into the slowest worker's
compute, the coordinator's reduce and Adam, a sharded group's exchange (the slowest member's time from the end of
its compute to holding the new weights, so it includes waiting for the slowest member's gradients: compute plus
exchange can pass the step, and "other" is then 0) and the rest (messages, copies and waiting); bytes per step on
the coordinator's link and on the busiest worker's link (both directions, counted by the kernel on the veth; with
more workers than a step's chunks some get none); the speed-up over one worker with the same reduction on the same
link; and the step time of the same spec on one host with shared memory (`distembed run --workers N`). For each N
the links and designs take turns (`--repeat K` times: a row then shows the run of median step time, with the range
of the K), so that the machine's other load falls on all of them alike.

`star` is the coordinator's reduction (`coordinator --reduction star`): every worker gets all the weights from the
coordinator and sends its gradients back. `sharded` starts each worker with `--peer-listen` on its own address and
the coordinator with `--reduction sharded`; the bench checks the coordinator's log for "sharded group formed" and
says "no group" when none formed (as with one worker). Audits are off in every run (`determinism.auditFraction=0`),
so that both designs do the same work. Their final weights must be the same bits: the bench warns when a sharded
run's `weightsSha256` differs from the star's at the same spec, link and N.

What it cannot separate: every emulated host runs on this machine's CPUs, so N workers share its cores. The
`none` link (veth without shaping) shows what the CPUs alone cost; the difference to a shaped link is what the
link costs. A link is shaped with htb to the rate in each direction (both ends of each veth pair), plus 0.1 ms of
netem delay when this kernel has netem (the bench says when it has not).

Traffic stays inside the namespaces (10.79.0.0/24, on a bridge no interface outside them joins). Every wait is
bounded, and the namespaces and processes are removed on exit, also when the bench fails or is interrupted. A run
that fails or times out is reported in its row, and the bench goes on; the processes' logs are then kept (their
folder is printed), else removed.
"""
import argparse
import atexit
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

SUBNET = "10.79.0"
PORT = 5555
PEER_PORT = 7001


class RunFailed(Exception):
    """A run across the hosts that failed or timed out; the message names it and where its logs are."""


def sh(*cmd, check=True, timeout=30):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise SystemExit(f"bench-hosts: {' '.join(cmd)} failed: {result.stderr.strip()}")
    return result


def cpu_name():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


class Hosts:
    """N + 1 namespaces (c, w1..wN) on a bridge in a switch namespace, with each link shaped to `rate`."""

    def __init__(self, workers, rate, netem):
        self.tag = f"dbh{os.getpid() % 100000}"
        self.switch = f"{self.tag}-sw"
        self.names = ["c"] + [f"w{i}" for i in range(1, workers + 1)]
        self.processes = []
        self.rate = rate
        self.netem = netem
        self.made = []

    def ns(self, name):
        return f"{self.tag}-{name}"

    def address(self, name):
        return f"{SUBNET}.{1 if name == 'c' else 10 + int(name[1:])}"

    def setup(self):
        sh("ip", "netns", "add", self.switch)
        self.made.append(self.switch)
        sh("ip", "-n", self.switch, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.switch, "link", "set", "br0", "up")
        for name in self.names:
            ns = self.ns(name)
            sh("ip", "netns", "add", ns)
            self.made.append(ns)
            port = f"p-{name}"
            sh("ip", "link", "add", port, "netns", self.switch, "type", "veth", "peer", "name", "eth0", "netns", ns)
            sh("ip", "-n", self.switch, "link", "set", port, "master", "br0")
            sh("ip", "-n", self.switch, "link", "set", port, "up")
            sh("ip", "-n", ns, "addr", "add", f"{self.address(name)}/24", "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            if self.rate != "none":
                self.shape(ns, "eth0")
                self.shape(self.switch, port)

    def shape(self, ns, dev):
        """Egress of `dev` at the link's rate (htb), with netem's delay under it when there is netem."""
        base = ["ip", "netns", "exec", ns, "tc"]
        sh(*base, "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "1")
        sh(*base, "class", "add", "dev", dev, "parent", "1:", "classid", "1:1", "htb", "rate", self.rate,
           "ceil", self.rate)
        if self.netem:
            sh(*base, "qdisc", "add", "dev", dev, "parent", "1:1", "handle", "10:", "netem", "delay", "0.1ms",
               "limit", "100000")

    def spawn(self, name, args, log):
        process = subprocess.Popen(["ip", "netns", "exec", self.ns(name)] + args, stdout=log, stderr=log,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def run(self, name, args, timeout):
        return subprocess.run(["ip", "netns", "exec", self.ns(name)] + args, capture_output=True, text=True,
                              timeout=timeout)

    def link_bytes(self, name):
        """Bytes sent plus received on host `name`'s link so far."""
        total = 0
        for counter in ("tx_bytes", "rx_bytes"):
            result = self.run(name, ["cat", f"/sys/class/net/eth0/statistics/{counter}"], timeout=10)
            total += int(result.stdout.strip())
        return total

    def teardown(self):
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.processes = []
        for ns in reversed(self.made):
            for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            sh("ip", "netns", "del", ns, check=False)
        self.made = []


def train_across_hosts(binary, spec, workers, rate, netem, reduction, overrides, folder, timeout):
    """One run across emulated hosts, with its processes' logs in `folder`; returns the result JSON, the link
    bytes per step and whether a sharded group formed."""
    hosts = Hosts(workers, rate, netem)
    atexit.register(hosts.teardown)
    try:
        hosts.setup()
        endpoint = f"tcp://{hosts.address('c')}:{PORT}"
        local = f"tcp://127.0.0.1:{PORT}"
        coordinator_log = os.path.join(folder, "coordinator.log")
        with open(coordinator_log, "w") as log:
            hosts.spawn("c", [binary, "coordinator", "--listen", endpoint, "--listen", local, "--store",
                              os.path.join(folder, "store"), "--insecure", "--reduction", reduction], log)
        time.sleep(0.5)
        for name in hosts.names[1:]:
            peer = ["--peer-listen", f"tcp://{hosts.address(name)}:{PEER_PORT}"] if reduction == "sharded" else []
            with open(os.path.join(folder, f"{name}.log"), "w") as log:
                hosts.spawn(name, [binary, "worker", "--connect", endpoint, "--name", name, "--no-shared-memory"]
                            + peer, log)
        before = {name: hosts.link_bytes(name) for name in hosts.names}
        sets = [arg for key in overrides for arg in ("--set", key)]
        command = [binary, "submit", spec, "--min-workers", str(workers), "--wait", "--json", "--coordinator",
                   local] + sets
        try:
            submitted = hosts.run("c", command, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RunFailed(f"no result within {timeout} s: {' '.join(command)} (logs in {folder})")
        if submitted.returncode != 0:
            raise RunFailed(f"{' '.join(command)} exited {submitted.returncode}: {submitted.stderr.strip()} "
                            f"(logs in {folder})")
        after = {name: hosts.link_bytes(name) for name in hosts.names}
        result = json.loads(submitted.stdout.strip().splitlines()[-1])  # `submit --wait --json`: the result
        steps = result["stepTimings"]["steps"]
        per_step = {name: (after[name] - before[name]) / steps for name in after}
        per_step["worker"] = max(per_step[name] for name in hosts.names[1:])  # the busiest worker's link
        with open(coordinator_log) as log:
            grouped = "sharded group formed" in log.read()
        return result, per_step, grouped
    finally:
        hosts.teardown()
        atexit.unregister(hosts.teardown)


def train_on_one_host(binary, spec, workers, overrides):
    sets = [arg for key in overrides for arg in ("--set", key)]
    result = subprocess.run([binary, "run", spec, "--workers", str(workers), "--json"] + sets,
                            capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"bench-hosts: run on one host failed: {result.stderr.strip()}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def per_step_ms(result):
    t = result["stepTimings"]
    steps = max(1, t["steps"])
    return {key: 1000 * t.get(key, 0) / steps
            for key in ("wall", "compute", "reduce", "optimizer", "exchange", "other")}


def has_netem():
    probe = f"dbhprobe{os.getpid() % 100000}"
    sh("ip", "netns", "add", probe)
    try:
        sh("ip", "-n", probe, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
        return sh("ip", "netns", "exec", probe, "tc", "qdisc", "add", "dev", "v0", "root", "netem", "delay",
                  "1ms", check=False).returncode == 0
    finally:
        sh("ip", "netns", "del", probe, check=False)


def log_tail(folder, lines=15):
    tails = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".log"):
            with open(os.path.join(folder, name), errors="replace") as log:
                tails.append(f"--- {name}\n" + "".join(log.readlines()[-lines:]))
    return "\n".join(tails)


def bench_row(binary, spec, n, link, netem, reduction, overrides, timeout):
    """One run across the hosts as a row of the table; a failed run's row has its error and log folder."""
    name = os.path.splitext(os.path.basename(spec))[0]
    row = {"spec": name, "link": link, "workers": n, "reduction": reduction}
    folder = tempfile.mkdtemp(prefix=f"bench-hosts-{name}-{link}-{n}-{reduction}-")
    try:
        result, per_step, grouped = train_across_hosts(binary, spec, n, link, netem, reduction, overrides, folder,
                                                       timeout)
    except RunFailed as failure:
        return dict(row, error=str(failure), logs=folder, logTail=log_tail(folder))
    shutil.rmtree(folder)
    row.update(parameters=result["parameterCount"], steps=result["stepTimings"]["steps"], ms=per_step_ms(result),
               coordinatorBytesPerStep=per_step["c"], workerBytesPerStep=per_step["worker"],
               weightsSha256=result["weightsSha256"])
    if reduction == "sharded":
        row["groupFormed"] = grouped
    return row


def median_row(runs):
    """The run of median step time among `runs` (of one spec, link, N and reduction), with the range of them."""
    done = sorted((run for run in runs if "ms" in run), key=lambda run: run["ms"]["wall"])
    if not done:
        return dict(runs[0], error=f"all {len(runs)} runs failed")
    row = dict(done[(len(done) - 1) // 2], runs=len(runs), failed=len(runs) - len(done))
    row["stepRangeMs"] = [done[0]["ms"]["wall"], done[-1]["ms"]["wall"]]
    return row


HEADER = (f"{'spec':<10} {'link':<7} {'N':>2} {'design':<7} {'step':>7} {'range':>12} {'compute':>7} {'reduce':>6} "
          f"{'adam':>5} {'exchange':>8} {'other':>7} {'coord KB':>8} {'worker KB':>9} {'speed-up':>8} {'1-host':>7}  "
          f"weights       group")


def format_row(row):
    lead = f"{row['spec']:<10} {row['link']:<7} {row['workers']:>2} {row['reduction']:<7}"
    if "ms" not in row:
        return f"{lead} FAILED: {row['error']}"
    ms = row["ms"]
    spread = "{:.1f}-{:.1f}".format(*row["stepRangeMs"])
    speedup = f"{row['speedup']:.2f}x" if row.get("speedup") else "-"
    group = {True: "group", False: "no group"}.get(row.get("groupFormed"), "")
    failed = f" ({row['failed']} of {row['runs']} runs failed)" if row["failed"] else ""
    return (f"{lead} {ms['wall']:>7.2f} {spread:>12} {ms['compute']:>7.2f} {ms['reduce']:>6.2f} "
            f"{ms['optimizer']:>5.2f} {ms['exchange']:>8.2f} {ms['other']:>7.2f} "
            f"{row['coordinatorBytesPerStep'] / 1000:>8.0f} {row['workerBytesPerStep'] / 1000:>9.0f} {speedup:>8} "
            f"{row['oneHostMs']:>7.2f}  {row['weightsSha256'][:12]}  {group}{failed}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=".build/release/distembed")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--links", default="none,10gbit,1gbit", help="link rates (tc syntax), or none")
    parser.add_argument("--specs", default="experiments/exercise4.json,experiments/wide.json")
    parser.add_argument("--reductions", default="star,sharded", help="star, sharded or both, comma-separated")
    parser.add_argument("--epochs", type=int, default=1, help="epochs of each run (training.epochs)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a spec override for every run, e.g. dataset.trainLimit=4096 (repeatable)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each row, interleaved; a row shows the run of median step")
    parser.add_argument("--timeout", type=int, default=600, help="seconds a run may take")
    parser.add_argument("--out", help="also write the rows to this JSON file (after each row)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench-hosts: needs root (ip netns, tc)")
    binary = os.path.abspath(args.binary)
    netem = has_netem()
    workers = [int(n) for n in args.workers.split(",")]
    links = args.links.split(",")
    reductions = args.reductions.split(",")
    if not set(reductions) <= {"star", "sharded"}:
        raise SystemExit(f"bench-hosts: --reductions takes star and sharded, not {args.reductions}")
    # Steps only: the held-out evaluation at the end runs on the coordinator's loop, and for a large model it
    # keeps the coordinator from answering the CLI for longer than the CLI waits. No audits, so that both
    # designs do the same work.
    overrides = [f"training.epochs={args.epochs}", "dataset.testLimit=0", "determinism.auditFraction=0"] + args.set
    with open(binary, "rb") as file:
        binary_sha256 = hashlib.file_digest(file, "sha256").hexdigest()

    print(f"CPU: {cpu_name()}, {os.cpu_count()} logical CPUs, shared by every emulated host: N workers divide "
          f"them, so compare a shaped link with `none` to see what the link costs.")
    print("links: htb at the rate, each direction of each host's link"
          + (", plus 0.1 ms netem delay" if netem else "; this kernel has no netem, so no added delay"))
    print(f"binary: {binary} (sha256 {binary_sha256})")
    print(f"overrides: {' '.join(overrides)}; load average at the start: {os.getloadavg()[0]:.2f}")
    print("ms per step: step = compute (slowest worker) + reduce + adam (coordinator) + exchange (sharded group) "
          "+ other (messages, copies, waiting); KB/step: sent + received on the link")
    print(HEADER, flush=True)
    report = {"cpu": cpu_name(), "cpus": os.cpu_count(), "netem": netem, "overrides": overrides, "binary": binary,
              "binarySha256": binary_sha256, "repeat": args.repeat, "rows": [], "failures": []}
    for spec in args.specs.split(","):
        one_host = {n: statistics.median(per_step_ms(train_on_one_host(binary, spec, n, overrides))["wall"]
                                         for _ in range(args.repeat)) for n in workers}
        alone = {}  # the step time with one worker, by link and reduction
        for n in workers:
            runs = {(link, reduction): [] for link in links for reduction in reductions}
            for _ in range(args.repeat):  # links and designs interleaved, so the machine's other load falls on all
                for link, reduction in runs:
                    run = bench_row(binary, spec, n, link, netem, reduction, overrides, args.timeout)
                    runs[link, reduction].append(run)
                    if "error" in run:
                        report["failures"].append(run)
                        print(f"FAILED: {run['error']}\n{run['logTail']}", flush=True)
            for (link, reduction), done in runs.items():
                row = dict(median_row(done), oneHostMs=one_host[n])
                if "ms" in row:
                    if n == 1:
                        alone[link, reduction] = row["ms"]["wall"]
                    if (link, reduction) in alone:
                        row["speedup"] = alone[link, reduction] / row["ms"]["wall"]
                report["rows"].append(row)
                print(format_row(row), flush=True)
            for link in links:
                weights = {reduction: {run["weightsSha256"] for run in runs[link, reduction] if "weightsSha256" in run}
                           for reduction in reductions}
                if len(set().union(*weights.values())) > 1:
                    print(f"WARNING: weights differ at {spec} {link} N={n}: {weights} (a bug: every run, star and "
                          f"sharded, must give the same bits)", flush=True)
            if args.out:
                with open(args.out, "w") as out:
                    json.dump(report, out, indent=1)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    if report["failures"]:
        print("logs of the failed runs kept in: " + " ".join(run["logs"] for run in report["failures"]))


if __name__ == "__main__":
    main()
