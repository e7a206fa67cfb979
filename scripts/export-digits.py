#!/usr/bin/env python3
"""Exports scikit-learn's bundled UCI handwritten digits as a DistEmbed dataset, and measures a simple classifier.

The digits (1,797 images of 8x8 pixels, values 0-16, 10 classes) ship inside scikit-learn's wheel: nothing is
downloaded. The script splits them once, with NumPy's generator seeded by --seed (default 1): --test-fraction of
the images (default 0.2, 360 of them) become the test set. It writes them to --out (default
/var/tmp/distembed/digits, the folder experiments/digits.json names) as one `digits.npz` holding the arrays
`train_images` (float32, N x 8 x 8, pixels / 16), `train_labels` (int64), `test_images` and `test_labels`; with
--npy, also as the four separate `.npy` files of the same names.

It then trains scikit-learn's LogisticRegression on the same training images and prints its accuracy on the same
test images, the baseline README.md compares `distembed run experiments/digits.json` with.

A tool, not a dependency of DistEmbed: it needs numpy and scikit-learn (`pip install numpy scikit-learn`).

    scripts/export-digits.py [--out DIR] [--seed 1] [--test-fraction 0.2] [--npy]
"""
import argparse
import json
import os

import numpy as np

try:
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
except ImportError:
    raise SystemExit("export-digits: scikit-learn is missing; install it with `pip install scikit-learn`")


def split(images, labels, seed, test_fraction):
    """The train and test arrays: a seeded permutation, its first test_fraction of the rows for testing, each part
    kept in the original order."""
    order = np.random.default_rng(seed).permutation(len(labels))
    test_count = int(round(len(labels) * test_fraction))
    test_rows = np.sort(order[:test_count])
    train_rows = np.sort(order[test_count:])
    return {
        "train_images": images[train_rows],
        "train_labels": labels[train_rows],
        "test_images": images[test_rows],
        "test_labels": labels[test_rows],
    }


def baseline_accuracy(arrays):
    """LogisticRegression's test accuracy on the flattened pixels."""
    train = arrays["train_images"].reshape(len(arrays["train_labels"]), -1)
    test = arrays["test_images"].reshape(len(arrays["test_labels"]), -1)
    classifier = LogisticRegression(max_iter=5000)
    classifier.fit(train, arrays["train_labels"])
    return float(classifier.score(test, arrays["test_labels"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="/var/tmp/distembed/digits")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--npy", action="store_true", help="also write the four arrays as separate .npy files")
    args = parser.parse_args()

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)
    labels = digits.target.astype(np.int64)
    arrays = split(images, labels, args.seed, args.test_fraction)

    os.makedirs(args.out, exist_ok=True)
    np.savez(os.path.join(args.out, "digits.npz"), **arrays)
    if args.npy:
        for name, array in arrays.items():
            np.save(os.path.join(args.out, name + ".npy"), array)
    print(json.dumps({
        "folder": args.out,
        "train": len(arrays["train_labels"]),
        "test": len(arrays["test_labels"]),
        "logisticRegressionTestAccuracy": round(baseline_accuracy(arrays), 4),
    }))


if __name__ == "__main__":
    main()
