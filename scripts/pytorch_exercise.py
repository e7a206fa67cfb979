#!/usr/bin/env python3
"""The exercise (experiments/exercise4.json) in PyTorch: same data, model and recipe, for timing against distembed.

Fashion-MNIST's first 10,000 training images scaled by 1/255; Conv2D 32/64/64 3x3 stride 2 valid relu, Flatten,
Dense 64 relu, Dropout 0.25, Dense 10 softmax; categorical cross-entropy; Adam lr 0.001 with Keras's epsilon 1e-7;
batch 32, 20 epochs, reshuffled each epoch, last partial batch kept; Glorot-uniform kernels and zero biases, as
Keras initialises them. With --processes N it trains with DistributedDataParallel (gloo), each process taking
32 / N samples of every batch, so the recipe and the number of steps stay the same.

Prints one JSON object: training wall seconds (data loading and start-up excluded), samples/s, test accuracy.
Used by scripts/compare-pytorch.sh; needs only torch.

    python pytorch_exercise.py [--threads 1] [--processes 1] [--data DIR] [--epochs 20] [--train-limit 10000]
"""
import argparse
import gzip
import json
import os
import struct
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn


def read_idx(folder, name):
    """One IDX file (`name` or `name.gz`) as a uint8 tensor of its dimensions."""
    path = os.path.join(folder, name)
    opener = open
    if not os.path.exists(path):
        path, opener = path + ".gz", gzip.open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim :]), dtype=torch.uint8).reshape(shape)


def load(folder, prefix, limit):
    """Images as float NCHW scaled by 1/255 and labels as int64, the first `limit` of each."""
    images = read_idx(folder, f"{prefix}-images-idx3-ubyte")[:limit]
    labels = read_idx(folder, f"{prefix}-labels-idx1-ubyte")[:limit]
    return images.unsqueeze(1).float() / 255, labels.long()


def model():
    """The exercise's CNN; the softmax is in the loss (cross-entropy on logits)."""
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, stride=2), nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride=2), nn.ReLU(),
        nn.Conv2d(64, 64, 3, stride=2), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(256, 64), nn.ReLU(),
        nn.Dropout(0.25),
        nn.Linear(64, 10),
    )
    for layer in net:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return net


def train(args, rank=0, world=1):
    """Trains and returns (training seconds, test accuracy); with world > 1, this process's share of DDP."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x, y = load(args.data, "train", args.train_limit)
    net = model()
    if world > 1:
        net = nn.parallel.DistributedDataParallel(net)
    optimizer = torch.optim.Adam(net.parameters(), lr=args.learning_rate, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    share = args.batch_size // world
    if world > 1:
        dist.barrier()
    start = time.perf_counter()
    for epoch in range(args.epochs):
        net.train()
        order = torch.randperm(len(x), generator=torch.Generator().manual_seed(args.seed + epoch))
        for begin in range(0, len(x), args.batch_size):
            batch = order[begin : begin + args.batch_size]
            mine = batch[rank * share : (rank + 1) * share] if rank < world - 1 else batch[rank * share :]
            optimizer.zero_grad(set_to_none=True)
            # Each process averages over its share; DDP averages over processes: the batch mean when shares are
            # equal (every batch but the last partial one).
            loss_fn(net(x[mine]), y[mine]).backward()
            optimizer.step()
    if world > 1:
        dist.barrier()
    seconds = time.perf_counter() - start
    net.eval()
    with torch.no_grad():
        tx, ty = load(args.data, "t10k", args.test_limit)
        accuracy = (net(tx).argmax(1) == ty).float().mean().item()
    return seconds, accuracy


def ddp_process(rank, args, queue):
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{args.port}", rank=rank, world_size=args.processes)
    seconds, accuracy = train(args, rank, args.processes)
    if rank == 0:
        queue.put((seconds, accuracy))
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    parser.add_argument("--processes", type=int, default=1, help="DDP processes; 1 trains in this process")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--train-limit", type=int, default=10_000)
    parser.add_argument("--test-limit", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=29517, help="the DDP rendezvous port on 127.0.0.1")
    args = parser.parse_args()

    if args.processes == 1:
        seconds, accuracy = train(args)
    else:
        context = mp.get_context("spawn")
        queue = context.SimpleQueue()
        mp.start_processes(ddp_process, args=(args, queue), nprocs=args.processes, start_method="spawn")
        seconds, accuracy = queue.get()
    samples = args.epochs * args.train_limit
    print(json.dumps({
        "framework": f"torch {torch.__version__}", "threads": args.threads, "processes": args.processes,
        "trainSeconds": seconds, "samplesPerSecond": samples / seconds, "testAccuracy": accuracy,
    }))


if __name__ == "__main__":
    main()
