#!/usr/bin/env python3
"""Chaos soak: a coordinator and its workers under a seeded random schedule of faults, for a bounded time.

It starts a coordinator whose store is on a small tmpfs, and --workers workers in a network namespace of their
own, joined to this one by a veth pair: the workers reach the coordinator over TCP through the pair, the CLI over
an ipc socket. For --minutes it keeps about three short experiments queued (exercise4 on a few hundred or a couple
of thousand samples, seeds drawn from a small pool so specs repeat) while a schedule drawn from --seed:

- SIGKILLs a worker and restarts it a moment later, or SIGSTOPs one for 1-10 s, then SIGCONTs it;
- SIGKILLs the coordinator, or sends it SIGTERM (sometimes again, while it starts up; some of either while the
  store is full), and restarts it on the same store;
- drops, delays and slows packets on both ends of the veth pair with tc netem (100% loss is a partition) for
  3-15 s. A kernel without netem (CONFIG_NET_SCH_NETEM) gets the nearest thing from htb and u32: the packets whose
  IP id matches a mask (1 in 2^k) are dropped, and a delay becomes a rate limit;
- fills the store's tmpfs to the last byte for 2-8 s, then frees it. The tmpfs keeps about --store-mb free
  otherwise: it is grown as the store grows (every experiment leaves about half a megabyte).

Then it ends every fault, lets the queue drain (at most 5 minutes), stops everything with SIGTERM and checks:

- every experiment is `done` with the weights hash of its undisturbed twin (`train --local`, once per spec), or
  `failed`/`cancelled` with a reason; none is still queued or running, none is lost;
- a coordinator given SIGTERM exits within 5 s (the watchdog's 20 s, or our 25 s, is a failure too);
- no coordinator or worker exits without being told to;
- nothing of the soak is left: processes, /dev/shm segments of its coordinators, the namespace, the veth pair,
  the tmpfs;
- the coordinator's open files and RSS are flat after warm-up. Coordinator faults happen in the first 60% of the
  run only, so the coordinator started after the last one lives through the rest; it is the one watched.

It prints the counts (experiments, done with equal and unequal hashes, failures by reason, faults by kind, SIGTERM
exit times, RSS and open files minute by minute) and writes them as JSON (--out); the processes' logs go to
--logs. Exit status 0 when every check holds, 1 when one fails, 2 when the soak could not run.
Needs Linux and root (ip netns, tc, mount); only the soak's own processes are signalled.

    make soak                                   # 20 minutes, seed 1, 3 workers, the release build
    make soak SOAK_ARGS="--minutes 5 --seed 2"
    scripts/soak.py --minutes 5 [--seed 2] [--workers 3] [--binary .build/release/distembed] [--out bench/soak.json]
"""
import argparse
import collections
import ctypes
import errno
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(ROOT, "experiments", "exercise4.json")
# Experiment sizes: (train samples, epochs, share of submissions). Test samples are always 200.
SIZES = [(300, 2, 0.7), (2000, 3, 0.3)]
SEED_POOL = 150              # seeds 1..150 per size: specs repeat, and every repeat must give the twin's hash
QUEUE_TARGET = 3             # experiments kept queued
# Mean seconds between two faults of a kind (exponential gaps); each kind happens at least once.
MEAN_GAP = {"worker_kill": 30, "worker_stop": 30, "network": 45, "disk_full": 60,
            "coordinator_kill": 90, "coordinator_term": 90}
COORDINATOR_FAULT_SHARE = 0.6  # coordinator faults only in this first share of the run
SIGTERM_CLEAN = 5.0          # seconds a SIGTERM'd process may take
SIGTERM_LIMIT = 25.0         # then SIGKILL
DRAIN_LIMIT = 300.0          # seconds to let the queue drain after the faults stop
SAMPLE_EVERY = 10.0          # coordinator RSS, open files, /dev/shm and store usage
POLL_EVERY = 2.0             # `list`
TWIN_TIMEOUT = 300.0
CLI_TIMEOUT = 20.0
PORT = 5701
SHM = "/dev/shm"
NO_SPACE = re.compile(r"space|ENOSPC|disk full|SQLITE_FULL|database or disk is full", re.I)


def log(msg):
    print(f"[soak {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sh(*cmd, timeout=20, check=True):
    """Runs a system command (ip, tc, mount) with a timeout; returns its result."""
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {out.stderr.strip()}")
    return out


LIBC = ctypes.CDLL(None, use_errno=True)


def die_with_parent():
    """In the child before exec: SIGKILL when the soak dies, even by SIGKILL (prctl PR_SET_PDEATHSIG)."""
    LIBC.prctl(1, signal.SIGKILL, 0, 0, 0)


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def proc_rss_fds(pid):
    """(VmRSS in KB, open fds) of a process, or (None, None) once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        return rss, len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, StopIteration):
        return None, None


def shm_segments():
    """{name: creator pid} of the distembed segments in /dev/shm (named distembed-PID-HEX)."""
    found = {}
    for name in os.listdir(SHM):
        m = re.match(r"distembed-(\d+)-", name)
        if m:
            found[name] = int(m.group(1))
    return found


def reason_of(message):
    """A failure's reason for grouping: the message before its first ':' or '(', paths and ids taken out."""
    text = re.sub(r"exp-\d+", "exp-N", message.strip())
    head = re.split(r"[:(]", text, 1)[0].strip() or text[:60]
    return head + (" [no space]" if NO_SPACE.search(message) else "")


def median(values):
    return statistics.median(values) if values else None


# ---------------------------------------------------------------------------------------------------- the plan

def fault_params(rng, kind, workers):
    if kind == "worker_kill":
        return {"worker": rng.randrange(workers), "down": round(rng.uniform(0.5, 6), 2)}
    if kind == "worker_stop":
        return {"worker": rng.randrange(workers), "seconds": round(rng.uniform(1, 10), 2)}
    if kind == "network":
        loss, delay, rate = 0, 0, 0
        while loss == 0 and delay == 0 and rate == 0:
            loss, delay = rng.choice([0, 0, 1, 5, 20, 50, 100]), rng.choice([0, 10, 50, 200, 800])
            rate = rng.choice([0, 0, 0, 256, 2048])
        return {"loss": loss, "delayMs": delay, "rateKbit": rate, "seconds": round(rng.uniform(3, 15), 2)}
    if kind == "disk_full":
        return {"seconds": round(rng.uniform(2, 8), 2)}
    if kind == "coordinator_kill":
        return {"down": round(rng.uniform(0.2, 4), 2)}
    if kind == "coordinator_term":
        again = round(rng.uniform(0.05, 1.5), 2) if rng.random() < 0.3 else None
        return {"down": round(rng.uniform(0.2, 3), 2), "againAfterStart": again}
    raise ValueError(kind)


def make_plan(seed, seconds, workers):
    """The fault schedule: a list of {t, kind, ...}, sorted by t (seconds from the start), a function of the seed."""
    rng = random.Random(seed)
    plan = []
    for kind, gap in MEAN_GAP.items():
        end = seconds * (COORDINATOR_FAULT_SHARE if kind.startswith("coordinator") else 1.0)
        times, t = [], rng.expovariate(1 / gap)
        while t < end and len(times) < 100000:
            times.append(t)
            t += rng.expovariate(1 / gap)
        for t in times or [rng.uniform(0, end)]:
            plan.append(dict(t=round(t, 2), kind=kind, **fault_params(rng, kind, workers)))
    # Some disk faults meet a coordinator fault: SIGTERM or SIGKILL while the store is full (and a restart on it).
    full = [f for f in plan if f["kind"] == "disk_full" and f["t"] < seconds * COORDINATOR_FAULT_SHARE]
    for i, f in enumerate([f for f in full if rng.random() < 0.3] or full[:1]):
        kind = ("coordinator_term", "coordinator_kill")[i % 2]
        plan.append(dict(t=round(f["t"] + rng.uniform(0.3, f["seconds"] - 0.3), 2), kind=kind, duringDiskFull=True,
                         **fault_params(rng, kind, workers)))
    terms = [f for f in plan if f["kind"] == "coordinator_term"]
    if not any(f["againAfterStart"] for f in terms):   # a SIGTERM while starting up, at least once
        terms[len(terms) // 2]["againAfterStart"] = round(rng.uniform(0.05, 1.5), 2)
    return sorted(plan, key=lambda f: f["t"])


def spec_for(rng):
    """One experiment: (train samples, epochs, seed)."""
    x, acc = rng.random(), 0.0
    for train, epochs, share in SIZES:
        acc += share
        if x < acc:
            break
    return (train, epochs, rng.randint(1, SEED_POOL))


def spec_sets(spec):
    train, epochs, seed = spec
    return [f"dataset.trainLimit={train}", f"training.epochs={epochs}", "dataset.testLimit=200", f"seed={seed}"]


# ---------------------------------------------------------------------------------------------------- the soak

class Soak:
    def __init__(self, args):
        self.args = args
        self.binary = os.path.abspath(args.binary)
        self.token = f"{os.getpid()}-{time.time_ns()}"
        self.env = dict(os.environ, DISTEMBED_SOAK_MARK=self.token)  # finds leftover processes, grandchildren too
        self.rng = random.Random(args.seed * 7919 + 1)
        n = os.getpid()
        self.netns = f"dsoak-{n}"
        self.veth_root, self.veth_ns = f"dsk{n}a", f"dsk{n}b"
        self.subnet = None                # 10.77.X, an X no address of this host uses
        self.tmp = None
        self.tmpfs = None
        self.mounted = False
        self.net_up = False
        self.started = time.monotonic()
        # processes
        self.coord = None                 # Popen of the running coordinator, or None
        self.coord_ready = False
        self.coord_restart_at = None      # when a stopped coordinator starts again
        self.term_again_at = None         # SIGTERM at startup (a coordinator_term fault's second part)
        self.coord_pending_again = None   # seconds after the next start for that SIGTERM
        self.incarnations = []            # one per coordinator process
        self.workers = []                 # [{proc, state: up|stopped|down, until, restarts}]
        self.children = []                # every Popen we made (coordinators, workers)
        # faults
        self.plan = []
        self.next_fault = 0
        self.netem = None                 # tc netem in this kernel (else htb + u32)
        self.net_until = None
        self.disk_until = None
        self.fault_windows = collections.defaultdict(list)   # kind -> [[wall start, wall end]]
        self.applied = collections.Counter()
        self.skipped = collections.Counter()
        self.sigterms = []
        self.worker_stops = []
        self.findings = []               # things that fail the soak, each a sentence
        self.notes = []                  # things worth a look that do not
        # experiments
        self.attempts = {}               # k -> spec (the name is soak-k)
        self.exps = {}                   # id -> record
        self.submit_errors = collections.Counter()
        self.accepted = set()            # ids `submit` returned
        self.listed = set()              # ids the last `list` returned
        self.cli_errors = collections.Counter()
        self.twins = {}                  # spec -> hash, or "error: ..."
        self.twin_queue = collections.deque()
        self.twin_proc = None
        self.last_poll = 0.0
        self.submitted_since_poll = 0
        self.regressions = []            # experiments seen ended, then in another state
        self.refused_starts = 0          # coordinator starts that failed on a full store
        # samples
        self.samples = []
        self.last_sample = 0.0
        self.orphan_segments = set()
        self.chaos_end = None
        self.drain_seconds = None

    # ------------------------------------------------------------------------------------------ set up, tear down

    def elapsed(self):
        return time.monotonic() - self.started

    def setup(self):
        if os.geteuid() != 0:
            raise SystemExit("soak: needs root (ip netns, tc, mount -t tmpfs)")
        if not os.access(self.binary, os.X_OK):
            raise SystemExit(f"soak: no binary at {self.binary} (make build, or --binary)")
        for tool in ("ip", "tc", "mount", "umount"):
            if not shutil.which(tool):
                raise SystemExit(f"soak: needs {tool} (iproute2, util-linux)")
        self.remove_stale()
        self.tmp = tempfile.mkdtemp(prefix="distembed-soak-")
        self.tmpfs = os.path.join(self.tmp, "store-fs")
        os.makedirs(self.tmpfs)
        self.store_size_mb = self.args.store_mb
        sh("mount", "-t", "tmpfs", "-o", f"size={self.store_size_mb}m,mode=0700", self.netns, self.tmpfs)
        self.mounted = True
        self.store = os.path.join(self.tmpfs, "store")
        self.filler = os.path.join(self.tmpfs, "filler")
        self.ipc = f"ipc://{self.tmp}/coordinator.sock"
        in_use = sh("ip", "-o", "addr", "show").stdout
        x = next(x for x in [(os.getpid() + i) % 250 + 1 for i in range(250)] if f" 10.77.{x}." not in in_use)
        self.subnet = f"10.77.{x}"
        self.tcp = f"tcp://{self.subnet}.1:{PORT}"
        self.net_up = True
        sh("ip", "netns", "add", self.netns)
        sh("ip", "link", "add", self.veth_root, "type", "veth", "peer", "name", self.veth_ns, "netns", self.netns)
        sh("ip", "addr", "add", f"{self.subnet}.1/24", "dev", self.veth_root)
        sh("ip", "link", "set", self.veth_root, "up")
        sh("ip", "netns", "exec", self.netns, "ip", "addr", "add", f"{self.subnet}.2/24", "dev", self.veth_ns)
        sh("ip", "netns", "exec", self.netns, "ip", "link", "set", self.veth_ns, "up")
        sh("ip", "netns", "exec", self.netns, "ip", "link", "set", "lo", "up")
        self.netem = sh("tc", "qdisc", "add", "dev", self.veth_root, "root", "netem", "delay", "1ms",
                        check=False).returncode == 0
        sh("tc", "qdisc", "del", "dev", self.veth_root, "root", check=False)
        if not self.netem:
            log("this kernel has no tc netem: network faults use htb and u32 (drops by IP id, delays as rate limits)")
        os.makedirs(self.args.logs, exist_ok=True)
        for name in os.listdir(self.args.logs):
            if name.endswith(".log"):
                os.remove(os.path.join(self.args.logs, name))

    def remove_stale(self):
        """Namespaces and mounts a soak killed by SIGKILL left behind (named dsoak-PID, that PID gone)."""
        for line in sh("ip", "netns", "list", check=False).stdout.splitlines():
            m = re.match(r"dsoak-(\d+)\b", line)
            if m and not alive(int(m.group(1))):
                sh("ip", "netns", "del", f"dsoak-{m.group(1)}", check=False)
                log(f"removed the namespace of an earlier soak: dsoak-{m.group(1)}")
        with open("/proc/mounts") as f:
            for line in f:
                source, target = line.split()[:2]
                m = re.match(r"dsoak-(\d+)$", source)
                if m and not alive(int(m.group(1))):
                    sh("umount", "-l", target, check=False)
                    shutil.rmtree(os.path.dirname(target), ignore_errors=True)
                    log(f"removed the tmpfs and folder of an earlier soak: {target}")

    def stop_all(self):
        """SIGKILLs every process the soak started that still runs (stopped ones too), and reaps it."""
        for p in self.children + ([self.twin_proc] if self.twin_proc else []):
            if p.poll() is None:
                try:
                    p.kill()
                except ProcessLookupError:
                    pass
        for p in self.children + ([self.twin_proc] if self.twin_proc else []):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)

    def teardown(self):
        """Idempotent: kills our processes, removes netem, the namespace (and with it the veth pair), the tmpfs and
        the temporary folder. Runs from `finally`, so on errors and Ctrl-C too."""
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        self.stop_all()
        if self.net_up:
            sh("ip", "netns", "del", self.netns, check=False)
            sh("ip", "link", "del", self.veth_root, check=False)
            self.net_up = False
        if self.mounted:
            if sh("umount", self.tmpfs, check=False).returncode != 0:
                sh("umount", "-l", self.tmpfs, check=False)
            self.mounted = False
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # ------------------------------------------------------------------------------------------ processes

    def spawn(self, cmd, logname):
        with open(os.path.join(self.args.logs, logname), "a") as out:
            out.write(f"=== soak: {time.strftime('%H:%M:%S')} (t={self.elapsed():.1f}s) starting {' '.join(cmd)}\n")
            out.flush()
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=self.env,
                                 cwd=self.tmp, start_new_session=True, preexec_fn=die_with_parent)
            out.write(f"=== soak: pid {p.pid}\n")
        self.children.append(p)
        return p

    def start_coordinator(self):
        cmd = [self.binary, "coordinator", "--insecure", "--listen", self.tcp, "--listen", self.ipc,
               "--store", self.store]
        self.coord = self.spawn(cmd, "coordinator.log")
        self.coord_ready = False
        self.coord_restart_at = None
        self.incarnations.append({"pid": self.coord.pid, "started": self.elapsed(), "ready": None, "ended": None,
                                  "end": None, "wall": time.time()})
        if self.coord_pending_again is not None:
            self.term_again_at = time.monotonic() + self.coord_pending_again
            self.coord_pending_again = None

    def coordinator_gone(self, how):
        inc = self.incarnations[-1]
        inc["ended"], inc["end"] = self.elapsed(), how
        self.coord, self.coord_ready = None, False

    def start_worker(self, i):
        cmd = ["ip", "netns", "exec", self.netns, self.binary, "worker", "--connect", self.tcp, "--name", f"w{i}"]
        if i % 2:
            cmd.append("--no-shared-memory")   # odd workers send tensors over TCP, through the network faults
        w = self.workers[i]
        w.update(proc=self.spawn(cmd, f"worker-{i}.log"), state="up", until=None)
        w["restarts"] += 1

    def log_tail(self, name, lines=15):
        try:
            with open(os.path.join(self.args.logs, name), errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def check_processes(self):
        """A coordinator or worker that exited without being told to is a finding; it is started again."""
        if self.coord is not None and self.coord.poll() is not None:
            code = self.coord.returncode
            if not self.coord_ready and self.disk_until is not None:
                self.refused_starts += 1
                self.notes.append(f"t={self.elapsed():.0f}s: coordinator pid {self.coord.pid} did not start while "
                                  f"the store was full (status {code})")
            else:
                self.findings.append(f"t={self.elapsed():.0f}s: coordinator pid {self.coord.pid} exited by itself "
                                     f"(status {code}); log:\n{self.log_tail('coordinator.log')}")
            self.coordinator_gone(f"exited by itself ({code})")
            self.coord_restart_at = time.monotonic() + 1.0
        for i, w in enumerate(self.workers):
            if w["state"] in ("up", "stopped") and w["proc"].poll() is not None:
                self.findings.append(f"t={self.elapsed():.0f}s: worker w{i} pid {w['proc'].pid} exited by itself "
                                     f"(status {w['proc'].returncode}); log:\n{self.log_tail(f'worker-{i}.log')}")
                w.update(state="down", until=time.monotonic() + 1.0)

    def wait_exit(self, proc, limit):
        """Seconds until proc exits (None after `limit`); other faults still end on time meanwhile."""
        sent = time.monotonic()
        while time.monotonic() - sent < limit:
            if proc.poll() is not None:
                return time.monotonic() - sent
            self.end_due_faults(restart_coordinator=False)
            time.sleep(0.01)
        return None

    def sigterm_coordinator(self, phase):
        """SIGTERM, then time the exit: over SIGTERM_CLEAN s, or a status other than 0, is a finding."""
        proc = self.coord
        rss, fds = proc_rss_fds(proc.pid)
        context = {"phase": phase, "t": round(self.elapsed(), 1), "pid": proc.pid, "ready": self.coord_ready,
                   "rssKB": rss, "fds": fds, "diskFull": self.disk_until is not None,
                   "network": self.net_until is not None,
                   "workers": "".join(w["state"][0] for w in self.workers),
                   "running": [e["id"] for e in self.exps.values() if e["state"] == "running"]}
        proc.send_signal(signal.SIGTERM)
        took = self.wait_exit(proc, SIGTERM_LIMIT)
        if took is None:
            proc.kill()
            proc.wait(timeout=10)
        context.update(seconds=None if took is None else round(took, 3), status=proc.returncode)
        self.sigterms.append(context)
        if took is None or took > SIGTERM_CLEAN or proc.returncode != 0:
            what = "did not exit" if took is None else f"took {took:.2f} s, status {proc.returncode}"
            self.findings.append(f"SIGTERM to the coordinator ({phase}) {what}: {json.dumps(context)}; log:\n"
                                 f"{self.log_tail('coordinator.log', 25)}")
        self.coordinator_gone(f"SIGTERM ({phase})")

    # ------------------------------------------------------------------------------------------ faults

    def apply(self, f):
        kind, now = f["kind"], time.monotonic()
        wall = time.time()
        if kind in ("worker_kill", "worker_stop"):
            w = self.workers[f["worker"]]
            if w["state"] != "up" or (kind == "worker_stop" and w["proc"].poll() is not None):
                return self.skipped.update([kind])
            if kind == "worker_kill":
                w["proc"].kill()
                w["proc"].wait(timeout=10)
                w.update(state="down", until=now + f["down"])
            else:
                w["proc"].send_signal(signal.SIGSTOP)
                w.update(state="stopped", until=now + f["seconds"])
        elif kind == "network":
            if self.net_until is not None:
                return self.skipped.update([kind])
            for dev, prefix in ((self.veth_root, []), (self.veth_ns, ["ip", "netns", "exec", self.netns])):
                for rule in self.tc_rules(dev, f):
                    sh(*prefix, "tc", *rule)
            self.net_until = now + f["seconds"]
        elif kind == "disk_full":
            if self.disk_until is not None:
                return self.skipped.update([kind])
            self.fill_disk()
            self.disk_until = now + f["seconds"]
        elif kind in ("coordinator_kill", "coordinator_term"):
            if self.coord is None:
                return self.skipped.update([kind])
            if self.disk_until is not None:
                self.applied.update([f"{kind}, store full"])
            if kind == "coordinator_kill":
                self.sample()
                self.coord.kill()
                self.coord.wait(timeout=10)
                self.coordinator_gone("SIGKILL")
            else:
                self.sample()
                self.sigterm_coordinator("running" if self.coord_ready else "starting")
                self.coord_pending_again = f["againAfterStart"]
            self.coord_restart_at = time.monotonic() + f["down"]
        self.applied.update([kind])
        self.fault_windows[kind].append([wall, None])

    def tc_rules(self, dev, f):
        """The tc commands that put a network fault on one end of the pair."""
        loss, delay, rate = f["loss"], f["delayMs"], f["rateKbit"]
        if self.netem:
            return [["qdisc", "replace", "dev", dev, "root", "netem"] + (["loss", f"{loss}%"] if loss else [])
                    + (["delay", f"{delay}ms"] if delay else []) + (["rate", f"{rate}kbit"] if rate else [])]
        # No netem: class 1:1 takes the traffic (at a limited rate for a delay), class 1:2 drops all it gets (a fifo
        # of length 0), and u32 sends it the packets whose IP id has its low k bits zero: about loss% of them.
        rate = rate or {0: 0, 10: 20000, 50: 4000, 200: 1000, 800: 250}[delay]
        mask = {1: 0x3f, 5: 0xf, 20: 0x7, 50: 0x1}.get(loss)
        match = ["match", "u32", "0", "0"] if loss == 100 else ["match", "u16", "0", hex(mask or 0), "at", "4"]
        rules = [["qdisc", "replace", "dev", dev, "root", "handle", "1:", "htb", "default", "1"],
                 ["class", "add", "dev", dev, "parent", "1:", "classid", "1:1", "htb", "rate",
                  f"{rate}kbit" if rate else "10gbit", "quantum", "60000"],
                 ["class", "add", "dev", dev, "parent", "1:", "classid", "1:2", "htb", "rate", "8kbit", "quantum", "1514"],
                 ["qdisc", "add", "dev", dev, "parent", "1:2", "handle", "20:", "pfifo", "limit", "0"]]
        if loss:
            rules.append(["filter", "add", "dev", dev, "parent", "1:", "protocol", "ip", "prio", "1", "u32", *match,
                          "flowid", "1:2"])
        return rules

    def close_window(self, kind):
        if self.fault_windows[kind] and self.fault_windows[kind][-1][1] is None:
            self.fault_windows[kind][-1][1] = time.time()

    def fill_disk(self):
        """Writes a filler file until the tmpfs has no byte left (big writes, then smaller, down to one byte)."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 20, 1 << 16, 4096, 512, 1):
                block = b"\0" * size
                for _ in range(self.store_size_mb * (1 << 20) // size + 2):
                    try:
                        os.write(fd, block)
                    except OSError as e:
                        if e.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)

    def end_due_faults(self, restart_coordinator=True, everything=False):
        """Ends the faults whose time is up (all of them with everything=True): SIGCONT, restarts, netem, disk."""
        now = time.monotonic()
        due = lambda until: until is not None and (everything or now >= until)
        for i, w in enumerate(self.workers):
            if w["state"] == "stopped" and due(w["until"]):
                w["proc"].send_signal(signal.SIGCONT)
                w.update(state="up", until=None)
                self.close_window("worker_stop")
            elif w["state"] == "down" and due(w["until"]):
                self.start_worker(i)
                self.close_window("worker_kill")
        if due(self.net_until):
            sh("tc", "qdisc", "del", "dev", self.veth_root, "root", check=False)
            sh("ip", "netns", "exec", self.netns, "tc", "qdisc", "del", "dev", self.veth_ns, "root", check=False)
            self.net_until = None
            self.close_window("network")
        if due(self.disk_until):
            os.remove(self.filler)
            self.disk_until = None
            self.close_window("disk_full")
        if restart_coordinator and self.coord is None and (everything or self.coord_restart_at is not None
                                                           and now >= self.coord_restart_at):
            if everything:
                self.coord_pending_again = None
            self.start_coordinator()
            for kind in ("coordinator_kill", "coordinator_term"):
                self.close_window(kind)
        if restart_coordinator and self.term_again_at is not None and (everything or now >= self.term_again_at):
            self.term_again_at = None
            if self.coord is not None and not everything:
                self.applied.update(["coordinator_term_at_startup"])
                self.sigterm_coordinator("startup" if not self.coord_ready else "just started")
                self.coord_restart_at = time.monotonic() + 0.5

    # ------------------------------------------------------------------------------------------ experiments

    def cli(self, *args, timeout=CLI_TIMEOUT):
        """A CLI call to the coordinator; (status, stdout, stderr), status None on timeout."""
        cmd = [self.binary, *args, "--coordinator", self.ipc]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=self.env, cwd=self.tmp)
        except subprocess.TimeoutExpired:
            self.cli_errors.update([f"{args[0]}: timed out"])
            return None, "", "timed out"
        if out.returncode != 0:
            self.cli_errors.update([f"{args[0]}: {out.stderr.strip().splitlines()[-1][:80] if out.stderr.strip() else out.returncode}"])
        return out.returncode, out.stdout, out.stderr

    def submit(self):
        spec = spec_for(self.rng)
        k = len(self.attempts) + 1
        self.attempts[k] = spec
        sets = [x for s in spec_sets(spec) + [f"name=soak-{k}"] for x in ("--set", s)]
        code, out, err = self.cli("submit", SPEC, *sets, "--json")
        if code == 0:
            exp_id = json.loads(out.strip().splitlines()[-1])["experimentId"]
            self.track(exp_id, k)
            self.accepted.add(exp_id)
            self.submitted_since_poll += 1
        else:
            self.submit_errors.update([("timed out (may have been queued)" if code is None else
                                        (err.strip().splitlines() or ["?"])[-1][:100])])

    def track(self, exp_id, k):
        if exp_id not in self.exps:
            self.exps[exp_id] = {"id": exp_id, "k": k, "spec": self.attempts.get(k), "state": "queued", "message": "",
                                 "submitted": round(self.elapsed(), 1), "ended": None, "hash": None,
                                 "finishedAt": None, "hashFinishedAt": None, "states": ["queued"]}
            spec = self.attempts.get(k)
            if spec and spec not in self.twins and spec not in self.twin_queue:
                self.twin_queue.append(spec)
        return self.exps[exp_id]

    def poll(self):
        code, out, _ = self.cli("list", "--json")
        if code != 0:
            return False
        if not self.coord_ready and self.coord is not None:
            self.coord_ready = True
            self.incarnations[-1]["ready"] = self.elapsed()
        rows = json.loads(out.strip().splitlines()[-1] if out.strip() else "[]")
        self.listed = {row["id"] for row in rows}
        for row in rows:
            m = re.match(r"soak-(\d+)$", row.get("name", ""))
            if not m:
                continue
            e = self.track(row["id"], int(m.group(1)))
            state = row["state"]
            if e["states"][-1] != state:
                if e["states"][-1] in ("done", "failed", "cancelled"):   # an end that did not last
                    self.regressions.append(f"{e['id']} at t={self.elapsed():.0f}s: {' -> '.join(e['states'] + [state])}"
                                            f" (was: {e['message'][:80]})")
                e["states"].append(state)
            e.update(state=state, message=row.get("message", ""), finishedAt=row.get("finishedAt"),
                     startedAt=row.get("startedAt"))
            if state in ("done", "failed", "cancelled") and e["ended"] is None:
                e["ended"] = round(self.elapsed(), 1)
            elif state not in ("done", "failed", "cancelled"):
                e["ended"] = None
        self.submitted_since_poll = 0
        return True

    def fetch_one_result(self):
        """The weights hash of one done experiment not fetched yet (or finished again since)."""
        for e in self.exps.values():
            if e["state"] == "done" and (e["hash"] is None or e["hashFinishedAt"] != e["finishedAt"]):
                code, out, _ = self.cli("results", e["id"], "--json")
                if code == 0:
                    e["hash"] = json.loads(out.strip().splitlines()[-1]).get("weightsSha256")
                    e["hashFinishedAt"] = e["finishedAt"]
                return

    def step_twins(self):
        """Runs the undisturbed twins, one `train --local` at a time, in the background."""
        if self.twin_proc is not None:
            spec, started, path = self.twin_running
            if self.twin_proc.poll() is None:
                if time.monotonic() - started < TWIN_TIMEOUT:
                    return
                self.twin_proc.kill()
                self.twin_proc.wait(timeout=10)
            try:
                with open(path) as f:
                    lines = f.read().strip().splitlines()
                self.twins[spec] = json.loads(lines[-1])["weightsSha256"]
            except (OSError, ValueError, KeyError, IndexError):
                self.twins[spec] = f"error: train --local ended with status {self.twin_proc.returncode}"
            self.twin_proc = None
        if self.twin_queue:
            spec = self.twin_queue.popleft()
            path = os.path.join(self.tmp, "twin.json")
            cmd = [self.binary, "train", SPEC, "--local", "--json"] + [x for s in spec_sets(spec) for x in ("--set", s)]
            with open(path, "w") as out:
                self.twin_proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL,
                                                  env=self.env, cwd=self.tmp, preexec_fn=die_with_parent)
            self.twin_running = (spec, time.monotonic(), path)

    def unfinished(self):
        return [e for e in self.exps.values() if e["state"] not in ("done", "failed", "cancelled")]

    # ------------------------------------------------------------------------------------------ samples

    def keep_headroom(self):
        """Grows the tmpfs (remount) when less than half of --store-mb is free, unless a disk fault fills it; so
        only the faults fill the store. Returns the MB in use."""
        st = os.statvfs(self.tmpfs)
        used, free = (st.f_blocks - st.f_bfree) * st.f_frsize / 2**20, st.f_bavail * st.f_frsize / 2**20
        if self.disk_until is None and free < self.args.store_mb / 2:
            self.store_size_mb = int(used) + self.args.store_mb
            sh("mount", "-o", f"remount,size={self.store_size_mb}m", self.tmpfs)
        return used

    def sample(self):
        """Coordinator RSS and open files, /dev/shm segments of our coordinators, store usage."""
        self.last_sample = time.monotonic()
        ours = {inc["pid"] for inc in self.incarnations}
        segments = {name: pid for name, pid in shm_segments().items() if pid in ours}
        # A segment of a dead coordinator of ours that a later one, ready for 10 s, did not remove is an orphan.
        for name, pid in segments.items():
            if self.coord is not None and pid != self.coord.pid and self.coord_ready \
                    and self.elapsed() - (self.incarnations[-1]["ready"] or 1e9) > 10:
                self.orphan_segments.add(name)
        store_mb = self.keep_headroom()
        row = {"t": round(self.elapsed(), 1), "pid": None, "age": None, "rssKB": None, "fds": None,
               "segments": len(segments), "storeMB": round(store_mb, 1), "tmpfsMB": self.store_size_mb,
               "diskFull": self.disk_until is not None,
               "experiments": len(self.exps)}
        if self.coord is not None:
            rss, fds = proc_rss_fds(self.coord.pid)
            row.update(pid=self.coord.pid, age=round(self.elapsed() - self.incarnations[-1]["started"], 1),
                       rssKB=rss, fds=fds)
        self.samples.append(row)

    # ------------------------------------------------------------------------------------------ the run

    def tick(self, chaos):
        now = time.monotonic()
        self.check_processes()
        self.end_due_faults()
        while chaos and self.next_fault < len(self.plan) and self.plan[self.next_fault]["t"] <= self.elapsed() - self.t0:
            f = self.plan[self.next_fault]
            self.next_fault += 1
            self.apply(f)
        if now - self.last_sample >= SAMPLE_EVERY:
            self.sample()
        if now - self.last_poll >= POLL_EVERY and self.coord is not None:
            self.last_poll = now
            self.poll()
        if chaos and self.coord_ready:
            queued = sum(e["state"] == "queued" for e in self.exps.values()) + self.submitted_since_poll
            if queued < QUEUE_TARGET:
                self.submit()
        if self.coord_ready:
            self.fetch_one_result()
        self.step_twins()
        time.sleep(0.1)

    def run(self):
        self.setup()
        seconds = self.args.minutes * 60
        self.plan = make_plan(self.args.seed, seconds, self.args.workers)
        log(f"{len(self.plan)} faults planned over {seconds:.0f} s; logs in {self.args.logs}")
        self.workers = [{"proc": None, "state": "down", "until": None, "restarts": -1} for _ in range(self.args.workers)]
        self.start_coordinator()
        for i in range(self.args.workers):
            self.start_worker(i)
        deadline = time.monotonic() + 60
        while not self.poll():
            if time.monotonic() > deadline or self.coord.poll() is not None:
                raise RuntimeError("the coordinator did not answer within 60 s:\n" + self.log_tail("coordinator.log"))
            time.sleep(0.5)
        self.t0 = self.elapsed()
        last_report = 0
        while self.elapsed() - self.t0 < seconds:
            self.tick(chaos=True)
            if self.elapsed() - last_report >= 60:
                last_report = self.elapsed()
                log(f"t={self.elapsed() - self.t0:.0f}s experiments {len(self.exps)}, faults {sum(self.applied.values())}, "
                    f"twins {len(self.twins)}/{len(self.twins) + len(self.twin_queue) + (self.twin_proc is not None)}")
        self.chaos_end = self.elapsed()
        log("faults off; draining")
        self.end_due_faults(everything=True)
        deadline = time.monotonic() + DRAIN_LIMIT
        while time.monotonic() < deadline:
            self.tick(chaos=False)
            done = [e for e in self.exps.values() if e["state"] == "done"]
            if (self.coord_ready and not self.unfinished() and all(e["hash"] for e in done)
                    and not self.twin_queue and self.twin_proc is None and time.monotonic() - self.last_poll < 0.5):
                break
        self.drain_seconds = round(self.elapsed() - self.chaos_end, 1)
        self.sample()
        self.shutdown()

    def shutdown(self):
        """SIGTERM to the coordinator (timed like the others) and the workers; then what is left is a leak."""
        if self.coord is not None:
            self.sigterm_coordinator("shutdown")
        for i, w in enumerate(self.workers):
            if w["state"] == "stopped":
                w["proc"].send_signal(signal.SIGCONT)
            if w["state"] in ("up", "stopped") and w["proc"].poll() is None:
                w["proc"].send_signal(signal.SIGTERM)
                took = self.wait_exit(w["proc"], SIGTERM_LIMIT)
                self.worker_stops.append({"worker": f"w{i}", "seconds": None if took is None else round(took, 3),
                                          "status": w["proc"].returncode})
                if took is None or took > SIGTERM_CLEAN:
                    self.findings.append(f"SIGTERM to worker w{i} at shutdown: exit after {took} s")
            w["state"] = "stopped-for-good"
        time.sleep(1)

    # ------------------------------------------------------------------------------------------ checks

    def leftovers(self):
        """Processes carrying this soak's mark in their environment (ours and their children), but not us."""
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            if int(pid) == os.getpid():
                continue
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if f"DISTEMBED_SOAK_MARK={self.token}".encode() in f.read().split(b"\0"):
                        with open(f"/proc/{pid}/cmdline", "rb") as c:
                            command = c.read().replace(bytes(1), b" ").decode(errors="replace")
                        found.append(f"{pid}: {command[:120]}")
            except OSError:
                pass
        return found

    def checks_before_teardown(self):
        ours = {inc["pid"] for inc in self.incarnations}
        self.leftover_processes = self.leftovers()
        self.leftover_segments = sorted(n for n, pid in shm_segments().items() if pid in ours)

    def checks_after_teardown(self):
        netns = sh("ip", "netns", "list", check=False).stdout
        link = sh("ip", "link", "show", self.veth_root, check=False).returncode == 0
        with open("/proc/mounts") as f:
            mounted = any(line.split()[0] == self.netns for line in f)
        self.leftover_net = ([self.netns] if re.search(rf"^{self.netns}\b", netns, re.M) else []) + \
                            ([self.veth_root] if link else []) + (["tmpfs " + self.tmpfs] if mounted else [])

    def flat(self, key):
        """Growth of a sampled value on the longest-lived coordinator after its warm-up (the first 2 minutes, or a
        third of its life when shorter): median of the last 5 samples minus median of the first 5."""
        by_pid = collections.defaultdict(list)
        for s in self.samples:
            if s["pid"] is not None and s[key] is not None:
                by_pid[s["pid"]].append(s)
        if not by_pid:
            return None
        pid, rows = max(by_pid.items(), key=lambda kv: kv[1][-1]["age"])
        life = rows[-1]["age"]
        warm = [r for r in rows if r["age"] >= min(120, life / 3)]
        if len(warm) < 6:
            return {"pid": pid, "lifeSeconds": life, "samples": len(warm), "growth": None}
        first, last = median([r[key] for r in warm[:5]]), median([r[key] for r in warm[-5:]])
        return {"pid": pid, "lifeSeconds": life, "samples": len(warm), "afterWarmUp": first, "last": last,
                "max": max(r[key] for r in warm), "growth": last - first}

    def hash_verdicts(self):
        """The done experiments: (hash equal to the twin's, not equal, not checkable)."""
        equal, unequal, unchecked = [], [], []
        for e in self.exps.values():
            if e["state"] == "done":
                twin = self.twins.get(e["spec"])
                if not e["hash"] or not twin or twin.startswith("error"):
                    unchecked.append(e)
                else:
                    (equal if e["hash"] == twin else unequal).append(e)
        return equal, unequal, unchecked

    def verdicts(self):
        """[(check, ok, detail)] over everything the soak saw."""
        equal, unequal, unchecked = self.hash_verdicts()
        silent = [e for e in self.exps.values() if e["state"] in ("failed", "cancelled") and not e["message"].strip()]
        stuck = self.unfinished()
        lost = sorted(self.accepted - self.listed)
        terms = [s for s in self.sigterms if s["seconds"] is None or s["seconds"] > SIGTERM_CLEAN or s["status"] != 0]
        exits = [f for f in self.findings if "exited by itself" in f]
        rss, fds = self.flat("rssKB"), self.flat("fds")
        # None: too few samples after warm-up to tell (a run of a few minutes)
        rss_ok = None if not rss or rss["growth"] is None else rss["growth"] <= max(8 * 1024, 0.10 * rss["afterWarmUp"])
        fds_ok = None if not fds or fds["growth"] is None else fds["growth"] <= 4
        unequal_detail = "; ".join(f"{e['id']} {e['spec']} {e['hash'][:12]} vs twin {self.twins[e['spec']][:12]}"
                                   for e in unequal[:10])
        return [
            ("experiments ran", len(equal) > 0, f"{len(self.exps)} experiments, {len(equal)} done with the twin's hash"),
            ("every done experiment has its twin's hash", not unequal and not unchecked,
             f"{len(equal)} equal, {len(unequal)} not equal, {len(unchecked)} not checked" +
             (f" ({unequal_detail})" if unequal else "")),
            ("every failed or cancelled experiment says why", not silent, ", ".join(e["id"] for e in silent) or "yes"),
            ("none stuck queued or running after the drain", not stuck,
             ", ".join(f"{e['id']} {e['state']}" for e in stuck) or f"drained in {self.drain_seconds} s"),
            ("none lost (every id submit returned is in the final list)", not lost, ", ".join(lost) or "none"),
            (f"SIGTERM: coordinator out within {SIGTERM_CLEAN:.0f} s with status 0", not terms,
             f"{len(self.sigterms)} sent, {len(terms)} slow or unclean"),
            ("no coordinator or worker exited by itself", not exits, f"{len(exits)}"),
            ("no processes left", not self.leftover_processes, "; ".join(self.leftover_processes) or "none"),
            ("no shared-memory segments left", not self.leftover_segments and not self.orphan_segments,
             f"after the stop: {', '.join(self.leftover_segments) or 'none'}; not removed by the next coordinator: "
             f"{', '.join(sorted(self.orphan_segments)) or 'none'}"),
            ("no namespace, veth or tmpfs left", not self.leftover_net, ", ".join(self.leftover_net) or "none"),
            ("coordinator open files flat after warm-up", fds_ok, json.dumps(fds)),
            ("coordinator RSS flat after warm-up (growth <= max(8 MB, 10%))", rss_ok, json.dumps(rss)),
            ("other findings", not [f for f in self.findings if "exited by itself" not in f and "SIGTERM to the coord"
                                    not in f], f"{len(self.findings)} findings in all"),
        ]

    # ------------------------------------------------------------------------------------------ the report

    def report(self):
        results = self.verdicts()
        exps = sorted(self.exps.values(), key=lambda e: int(e["id"].split("-")[1]))
        by_state = collections.Counter(e["state"] for e in exps)
        failures = collections.Counter(reason_of(e["message"]) for e in exps if e["state"] in ("failed", "cancelled"))
        disk = self.fault_windows["disk_full"]

        def near_disk_full(e):
            start, end = e.get("startedAt") or 0, e.get("finishedAt") or 0
            return any(a - 3 <= end and start <= (b or a) + 3 for a, b in disk)
        unexplained = [e for e in exps if e["state"] == "failed"
                       and not (NO_SPACE.search(e["message"]) and near_disk_full(e))]
        equal, unequal, unchecked = (len(x) for x in self.hash_verdicts())
        latency = [e["ended"] - e["submitted"] for e in exps if e["ended"] is not None]
        term_times = [s["seconds"] for s in self.sigterms if s["seconds"] is not None]
        rss = [s["rssKB"] for s in self.samples if s["rssKB"]]
        fdl = [s["fds"] for s in self.samples if s["fds"]]

        print()
        print(f"distembed soak: seed {self.args.seed}, {self.args.minutes:g} min of faults, drain {self.drain_seconds} s, "
              f"{self.args.workers} workers, store tmpfs {self.args.store_mb} MB, network faults by "
              f"{'tc netem' if self.netem else 'htb + u32 (no netem in this kernel)'}")
        print(f"command: {' '.join(sys.argv)}")
        print(f"binary {self.binary}; {os.cpu_count()} CPUs; commit {commit()}")
        print()
        print(f"{'experiments submitted':<44}{len(exps):>7}   (submit attempts refused: {sum(self.submit_errors.values())})")
        print(f"{'  done':<44}{by_state['done']:>7}   hash equal to the twin's {equal}, not equal {unequal}, "
              f"not checked {unchecked}")
        print(f"{'  failed':<44}{by_state['failed']:>7}")
        print(f"{'  cancelled':<44}{by_state['cancelled']:>7}")
        print(f"{'  still queued or running':<44}{by_state['queued'] + by_state['running']:>7}")
        print(f"{'  distinct specs (twins computed)':<44}{len(self.twins):>7}")
        if latency:
            print(f"{'  submit to end, s (median / max)':<44}{median(latency):>7.1f} / {max(latency):.1f}")
        print("failures by reason")
        for reason, n in failures.most_common():
            print(f"  {reason[:70]:<70}{n:>5}")
        if unexplained:
            print(f"  of which not explained by a full disk: {len(unexplained)} "
                  f"({', '.join(e['id'] + ': ' + e['message'][:60] for e in unexplained[:5])})")
        print(f"{'faults':<44}{'injected':>9}{'skipped':>9}")
        for kind in list(MEAN_GAP) + ["coordinator_term_at_startup", "coordinator_kill, store full",
                                      "coordinator_term, store full"]:
            print(f"  {kind:<42}{self.applied[kind]:>9}{self.skipped[kind]:>9}")
        print(f"{'  total (the store full ones counted once)':<44}"
              f"{sum(n for k, n in self.applied.items() if 'store full' not in k):>9}{sum(self.skipped.values()):>9}")
        if term_times:
            print(f"SIGTERM to the coordinator: {len(self.sigterms)} sent; exit s median {median(term_times):.3f}, "
                  f"max {max(term_times):.3f}; over {SIGTERM_CLEAN:.0f} s: "
                  f"{sum(1 for s in self.sigterms if s['seconds'] is None or s['seconds'] > SIGTERM_CLEAN)}; "
                  f"statuses {dict(collections.Counter(s['status'] for s in self.sigterms))}")
            print("  by phase: " + ", ".join(f"{p} {n}" for p, n in collections.Counter(
                s["phase"] for s in self.sigterms).items()) + "; times: " +
                " ".join(f"{t:.2f}" for t in term_times))
        if self.worker_stops:
            print("SIGTERM to the workers at the end: " + ", ".join(f"{w['worker']} {w['seconds']} s" for w in self.worker_stops))
        if rss:
            print(f"coordinator RSS MB: first {rss[0] / 1024:.1f}, last {rss[-1] / 1024:.1f}, max {max(rss) / 1024:.1f} "
                  f"({len(self.incarnations)} coordinator processes)")
        if fdl:
            print(f"coordinator open files: first {fdl[0]}, last {fdl[-1]}, max {max(fdl)}")
        print(f"{'minute':>6} {'pid':>7} {'age s':>6} {'RSS MB':>7} {'fds':>4} {'shm':>4} {'store MB':>8} {'exps':>5}")
        minute_rows = {}
        for s in self.samples:
            minute_rows[int(s["t"] // 60)] = s
        for m, s in sorted(minute_rows.items()):
            print(f"{m:>6} {s['pid'] or '-':>7} {s['age'] if s['age'] is not None else '-':>6} "
                  f"{(s['rssKB'] or 0) / 1024:>7.1f} {s['fds'] if s['fds'] is not None else '-':>4} {s['segments']:>4} "
                  f"{s['storeMB']:>8.1f} {s['experiments']:>5}")
        if self.submit_errors:
            print("submit attempts refused: " + "; ".join(f"{n} x {r}" for r, n in self.submit_errors.most_common(5)))
        if self.refused_starts:
            print(f"coordinator starts refused while the store was full (started again after): {self.refused_starts}")
        if self.regressions:
            print(f"experiments seen ended, then in another state: {len(self.regressions)}")
            for r in self.regressions[:10]:
                print("  " + r)
        for note in self.notes[:5]:
            print("note: " + note)
        print("checks")
        for name, ok, detail in results:
            print(f"  {'SKIP' if ok is None else 'PASS' if ok else 'FAIL'}  {name}: {detail[:300]}")
        for f in self.findings:
            print("finding: " + f)

        out = {"seed": self.args.seed, "minutes": self.args.minutes, "workers": self.args.workers,
               "binary": self.binary, "commit": commit(), "storeMB": self.args.store_mb, "cpus": os.cpu_count(),
               "networkFaults": "tc netem" if self.netem else "htb + u32",
               "drainSeconds": self.drain_seconds,
               "counts": {"experiments": len(exps), "byState": dict(by_state), "hashEqual": equal,
                          "failuresByReason": dict(failures), "unexplainedFailures": [e["id"] for e in unexplained],
                          "faultsInjected": dict(self.applied), "faultsSkipped": dict(self.skipped),
                          "submitErrors": dict(self.submit_errors), "cliErrors": dict(self.cli_errors)},
               "checks": [{"check": n, "ok": ok, "detail": d} for n, ok, d in results],
               "findings": self.findings, "notes": self.notes, "regressions": self.regressions,
               "sigterms": self.sigterms, "workerStops": self.worker_stops, "samples": self.samples,
               "incarnations": self.incarnations, "faultWindows": self.fault_windows, "plan": self.plan,
               "experiments": [dict(e, spec=list(e["spec"]) if e["spec"] else None,
                                    twin=self.twins.get(e["spec"])) for e in exps]}
        os.makedirs(os.path.dirname(os.path.abspath(self.args.out)), exist_ok=True)
        with open(self.args.out, "w") as f:
            json.dump(out, f, indent=1)
        print("wrote", self.args.out)
        return all(ok is not False for _, ok, _ in results)


def commit():
    out = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
    return out.stdout.strip() or "?"


def interrupted(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=20, help="how long faults are injected (default 20)")
    parser.add_argument("--seed", type=int, default=1, help="seeds the fault schedule and the experiments")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "distembed"))
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "soak.json"))
    parser.add_argument("--logs", default=os.path.join(ROOT, "bench", "soak-logs"),
                        help="the coordinator's and workers' logs (emptied first)")
    parser.add_argument("--store-mb", type=int, default=64,
                        help="free space on the store's tmpfs, which a disk fault fills (default 64)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    soak = Soak(args)
    try:
        try:
            soak.run()
            soak.checks_before_teardown()
        finally:
            soak.teardown()
    except KeyboardInterrupt:
        sys.exit("soak: interrupted; cleaned up")
    except Exception:
        traceback.print_exc()
        print("soak: could not run; cleaned up", file=sys.stderr)
        sys.exit(2)
    soak.checks_after_teardown()
    sys.exit(0 if soak.report() else 1)


if __name__ == "__main__":
    main()
