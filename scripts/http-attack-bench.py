#!/usr/bin/env python3
"""How fast the coordinator's /healthz answers while a client attacks its metrics port (issue 21).

For each attack a fresh `distembed coordinator --metrics-listen 127.0.0.1:PORT` starts; the attack runs in a
process of its own while this one sends --probes `GET /healthz` requests, each on a fresh connection, one every
--interval seconds, and prints the latency of those that answered 200 (p50, p99, max) and how many did not. The
attacks:

  none       no attack: the baseline
  url-1mb    requests whose URL is 1 MB, two at a time, again and again
  header-1mb requests with a 1 MB header, two at a time, again and again
  slowloris  200 connections sending a request a byte a second; each one the server closes is opened again
  flood      --flood connections held open, more than the coordinator's --fd-limit; each one the server closes is
             opened again at once

Every connection goes to 127.0.0.1 only, and every attack stops when its probes are done.

  scripts/http-attack-bench.py [--binary .build/release/distembed] [--probes 100] [--attacks url-1mb,flood]
"""

import argparse
import multiprocessing
import os
import resource
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"
MEGABYTE = 1024 * 1024


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def read_status(sock, timeout):
    """The status code of the answer on `sock`, 'closed' if the server closed without one, 'no answer' if none came
    within `timeout` seconds."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        return "no answer"
    except OSError:
        return "closed"
    if not data:
        return "closed"
    parts = data.split(b" ", 2)
    return parts[1].decode() if len(parts) > 1 else "closed"


def probe(port, timeout):
    """One GET /healthz on a fresh connection: (status, seconds)."""
    start = time.perf_counter()
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
            status = read_status(s, timeout)
    except socket.timeout:
        status = "no answer"
    except OSError as error:
        status = type(error).__name__
    return status, time.perf_counter() - start


def big_request(kind):
    if kind == "url-1mb":
        return b"GET /" + b"a" * MEGABYTE + b" HTTP/1.1\r\nHost: attacker\r\n\r\n"
    return b"GET /healthz HTTP/1.1\r\nHost: attacker\r\nX-Big: " + b"a" * MEGABYTE + b"\r\n\r\n"


def attack_big(port, kind, stop, outcomes):
    """Sends 1 MB requests one after another and counts the answers (or that the connection closed)."""
    request = big_request(kind)
    seen = {}
    while not stop.is_set():
        try:
            with socket.create_connection((HOST, port), timeout=30) as s:
                try:
                    s.sendall(request)
                except OSError:
                    pass  # the server closed while we were still sending: its answer may still be there
                outcome = read_status(s, 30)
        except OSError as error:
            outcome = type(error).__name__
            time.sleep(0.01)
        seen[outcome] = seen.get(outcome, 0) + 1
    # One message at the end: a process with queued messages does not exit until they are read.
    outcomes.put(seen)


def keep_open(port, count, stop, outcomes, trickle):
    """Holds `count` connections open, opening again each one the server closes; with `trickle`, each sends a
    request a byte a second (slowloris). Notes how many the server closed."""
    selector = selectors.DefaultSelector()
    request = b"GET /healthz HTTP/1.1\r\nHost: attacker\r\n" + b"X-Slow: " + b"a" * 100000
    sent = {}
    closed = refused = 0

    def connect():
        nonlocal refused
        try:
            s = socket.create_connection((HOST, port), timeout=2)
        except OSError:
            refused += 1
            time.sleep(0.01)
            return
        s.setblocking(False)
        sent[s] = 0
        selector.register(s, selectors.EVENT_READ)

    next_byte = time.monotonic()
    while not stop.is_set():
        while len(sent) < count and not stop.is_set():
            connect()
        for key, _ in selector.select(timeout=0.05):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                selector.unregister(s)
                s.close()
                del sent[s]
                closed += 1
        if trickle and time.monotonic() >= next_byte:
            next_byte += 1
            for s, offset in list(sent.items()):
                try:
                    s.send(request[offset:offset + 1])
                    sent[s] = offset + 1
                except OSError:
                    pass  # closed: the selector sees it
    outcomes.put({f"server closed {closed}, connect failed {refused}": 1})
    for s in sent:
        s.close()


def run_attack(name, port, stop, outcomes, flood):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if name in ("url-1mb", "header-1mb"):
        workers = [multiprocessing.Process(target=attack_big, args=(port, name, stop, outcomes)) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    elif name == "slowloris":
        keep_open(port, 200, stop, outcomes, trickle=True)
    elif name == "flood":
        keep_open(port, flood, stop, outcomes, trickle=False)


class Coordinator:
    def __init__(self, binary, fd_limit):
        self.folder = tempfile.TemporaryDirectory(prefix="http-attack-bench-")
        self.port = free_port()
        ready = os.path.join(self.folder.name, "ready")
        self.log = open(os.path.join(self.folder.name, "coordinator.log"), "w")

        def limit_fds():
            resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))

        self.process = subprocess.Popen(
            [binary, "coordinator", "--listen", f"tcp://{HOST}:*", "--store", os.path.join(self.folder.name, "store"),
             "--ready-file", ready, "--metrics-listen", f"{HOST}:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=limit_fds)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if os.path.exists(ready) and probe(self.port, 1)[0] == "200":
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        sys.exit(f"the coordinator did not start; its log:\n{open(self.log.name).read()}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        self.folder.cleanup()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(args, name):
    coordinator = Coordinator(args.binary, args.fd_limit)
    stop = multiprocessing.Event()
    outcomes = multiprocessing.Queue()
    attacker = multiprocessing.Process(target=run_attack, args=(name, coordinator.port, stop, outcomes, args.flood))
    attacker.start()
    time.sleep(args.warmup if name != "none" else 0)
    results = []
    for _ in range(args.probes):
        started = time.perf_counter()
        results.append(probe(coordinator.port, args.timeout))
        time.sleep(max(0.0, args.interval - (time.perf_counter() - started)))
    stop.set()
    attacker.join(40)
    if attacker.is_alive():
        attacker.kill()
    seen = {}
    while not outcomes.empty():
        for outcome, count in outcomes.get().items():
            seen[outcome] = seen.get(outcome, 0) + count
    alive = coordinator.process.poll() is None
    coordinator.stop()
    ok = [seconds * 1000 for status, seconds in results if status == "200"]
    failed = {}
    for status, _ in results:
        if status != "200":
            failed[status] = failed.get(status, 0) + 1
    return {
        "attack": name,
        "ok": f"{len(ok)}/{len(results)}",
        "p50": f"{statistics.median(ok):.2f}" if ok else "-",
        "p99": f"{percentile(ok, 99):.2f}" if ok else "-",
        "max": f"{max(ok):.2f}" if ok else "-",
        "failed": ", ".join(f"{k} x{v}" for k, v in sorted(failed.items())) or "-",
        "attacker saw": ", ".join(f"{k} x{v}" if v > 1 else k for k, v in sorted(seen.items())) or "-",
        "coordinator": "running" if alive else "exited",
    }


def print_table(rows):
    columns = list(rows[0])
    width = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    print("| " + " | ".join(c.ljust(width[c]) for c in columns) + " |")
    print("|" + "|".join("-" * (width[c] + 2) for c in columns) + "|")
    for r in rows:
        print("| " + " | ".join(r[c].ljust(width[c]) for c in columns) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/distembed")
    parser.add_argument("--attacks", default="none,url-1mb,header-1mb,slowloris,flood")
    parser.add_argument("--probes", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between probes")
    parser.add_argument("--timeout", type=float, default=3.0, help="a probe's timeout (the Kubernetes probe's)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of attack before the first probe")
    parser.add_argument("--fd-limit", type=int, default=1024, help="the coordinator's open-file limit")
    parser.add_argument("--flood", type=int, default=1100, help="connections the flood holds open")
    args = parser.parse_args()
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < args.flood + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (args.flood + 100, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    rows = []
    for name in args.attacks.split(","):
        print(f"{name}...", file=sys.stderr, flush=True)
        rows.append(measure(args, name))
    print(f"{args.binary}: /healthz latency in ms over {args.probes} probes, one every {args.interval} s, "
          f"during each attack")
    print_table(rows)


if __name__ == "__main__":
    main()
