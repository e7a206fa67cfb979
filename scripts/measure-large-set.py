#!/usr/bin/env python3
"""Worker memory on a dataset bigger than it needs to hold: generates a NumPy set of --gigabytes (default 1.1) of
28x28 uint8 images, trains one epoch of a small model on all of it with a coordinator and --workers workers of its
own (`run` keeps the default spec limits), and samples each worker's /proc/PID/status while it trains.

Workers map `.npy` files instead of reading them (Docs/Datasets.md): their anonymous memory (RssAnon: heap, model,
buffers) stays small whatever the set's size; the pages of the images they read count as RssFile, page cache the
kernel can drop again. With --npz the same arrays are stored as one `.npz` in FOLDER-npz, which workers read
whole, for comparison. Prints one JSON object: the set's size and, per worker, the peak RssAnon, RssFile and VmHWM
in MB, plus the run's wall time. For people, not CI; needs numpy. The set is written once to --folder and reused.

    scripts/measure-large-set.py [--binary .build/release/distembed] [--folder /var/tmp/distembed/large]
                                 [--gigabytes 1.1] [--workers 2] [--npz]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np

SIDE = 28
TEST_COUNT = 1000


def generate(folder, gigabytes):
    """Writes train_images.npy (uint8, N x 28 x 28) and the other three arrays, in pieces, unless present."""
    os.makedirs(folder, exist_ok=True)
    count = int(gigabytes * 1e9) // (SIDE * SIDE)
    path = os.path.join(folder, "train_images.npy")
    if os.path.exists(path) and np.load(path, mmap_mode="r").shape[0] == count:
        return count
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 10, size=count, dtype=np.int64)
    images = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint8, shape=(count, SIDE, SIDE))
    piece = 100_000
    for start in range(0, count, piece):
        end = min(count, start + piece)
        noise = rng.integers(0, 128, size=(end - start, SIDE, SIDE), dtype=np.uint8)
        # A bright row per class, so there is something to learn.
        rows = labels[start:end] * 2 + 4
        noise[np.arange(end - start), rows, :] += 127
        images[start:end] = noise
    images.flush()
    del images
    np.save(os.path.join(folder, "train_labels.npy"), labels)
    test_labels = rng.integers(0, 10, size=TEST_COUNT, dtype=np.int64)
    test = rng.integers(0, 128, size=(TEST_COUNT, SIDE, SIDE), dtype=np.uint8)
    test[np.arange(TEST_COUNT), test_labels * 2 + 4, :] += 127
    np.save(os.path.join(folder, "test_images.npy"), test)
    np.save(os.path.join(folder, "test_labels.npy"), test_labels)
    return count


def archive(folder):
    """FOLDER-npz/large.npz holding the four arrays of `folder`, written once; returns its folder."""
    target = folder.rstrip("/") + "-npz"
    path = os.path.join(target, "large.npz")
    if not os.path.exists(path):
        os.makedirs(target, exist_ok=True)
        names = ("train_images", "train_labels", "test_images", "test_labels")
        np.savez(path, **{n: np.load(os.path.join(folder, n + ".npy"), mmap_mode="r") for n in names})
    return target


def status(pid):
    """RssAnon, RssFile and VmHWM of `pid` in MB, or None once it has exited."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f)
    except OSError:
        return None
    return {key: int(fields[key].split()[0]) / 1024 for key in ("RssAnon", "RssFile", "VmHWM") if key in fields}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/distembed")
    parser.add_argument("--folder", default="/var/tmp/distembed/large")
    parser.add_argument("--gigabytes", type=float, default=1.1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--npz", action="store_true", help="train from one .npz of the same arrays")
    args = parser.parse_args()

    count = generate(args.folder, args.gigabytes)
    dataset = {"path": args.folder, "format": "npy", "trainLimit": count, "testLimit": 0}
    if args.npz:
        dataset.update(path=archive(args.folder), npz="large.npz")
    spec = {
        "name": "large-set",
        "dataset": dataset,
        "model": {"input": [SIDE, SIDE, 1], "layers": [
            {"flatten": {}},
            {"dense": {"units": 16, "activation": "relu", "name": "embedding"}},
            {"dense": {"units": 10, "activation": "softmax"}},
        ]},
        "training": {"epochs": 1, "batchSize": 1024},
        "evaluation": {"samples": 50},
        "determinism": {"chunkSize": 64},
    }
    with tempfile.TemporaryDirectory() as scratch:
        spec_path = os.path.join(scratch, "spec.json")
        with open(spec_path, "w") as f:
            json.dump(spec, f)
        # `run` keeps the default spec limits; a coordinator of our own takes --max-train-samples. No test images:
        # the coordinator would embed all the training images for the kNN measures, too slow for its event loop.
        socket = f"ipc://{scratch}/coordinator.sock"
        ready = os.path.join(scratch, "ready")
        log = open(os.path.join(scratch, "processes.log"), "w")
        children = [subprocess.Popen(
            [args.binary, "coordinator", "--listen", socket, "--store", os.path.join(scratch, "store"),
             "--data", dataset["path"], "--ready-file", ready, "--max-train-samples", str(count)],
            stdout=log, stderr=log)]
        while not (os.path.exists(ready) and os.path.getsize(ready) > 0):
            time.sleep(0.1)
        workers = [subprocess.Popen(
            [args.binary, "worker", "--connect", socket, "--name", f"worker-{i}", "--data", dataset["path"]],
            stdout=log, stderr=log) for i in range(1, args.workers + 1)]
        children += workers
        started = time.monotonic()
        submitted = subprocess.run(
            [args.binary, "submit", spec_path, "--coordinator", socket, "--min-workers", str(args.workers), "--json"],
            capture_output=True, text=True, check=True)
        experiment = json.loads(submitted.stdout.strip().splitlines()[-1])["experimentId"]
        peaks = {w.pid: {} for w in workers}
        state, polled = "queued", 0.0
        while state not in ("done", "failed", "cancelled"):
            for pid, peak in peaks.items():
                for key, value in (status(pid) or {}).items():
                    peak[key] = round(max(peak.get(key, 0), value), 1)
            time.sleep(0.2)
            if time.monotonic() - polled > 1:
                # The coordinator answers nothing while it reads a large set; a status that times out is retried.
                polled = time.monotonic()
                reply = subprocess.run([args.binary, "status", experiment, "--coordinator", socket, "--json"],
                                       capture_output=True, text=True)
                if reply.returncode == 0:
                    state = json.loads(reply.stdout.strip().splitlines()[-1])["state"]
        wall = time.monotonic() - started
        out = subprocess.run([args.binary, "results", experiment, "--coordinator", socket, "--json"],
                             capture_output=True, text=True).stdout
        for child in children:
            child.terminate()
            child.wait()
        if state != "done":
            raise SystemExit(f"the experiment ended {state}; see {scratch}/processes.log")
    result = json.loads(out.strip().splitlines()[-1])
    print(json.dumps({
        "images": count,
        "format": "npz" if args.npz else "npy",
        "trainImagesMB": round(os.path.getsize(os.path.join(args.folder, "train_images.npy")) / 2**20, 1),
        "wallSeconds": round(wall, 1),
        "testAccuracy": result.get("testAccuracy"),
        "workerPeaksMB": list(peaks.values()),
    }, indent=2))


if __name__ == "__main__":
    main()
