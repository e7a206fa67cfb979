#!/usr/bin/env python3
"""The exercise's contrastive_loss and triplet_loss (Exercise 4, verbatim), run on .npy files.

Usage: exercise_losses.py [--seed S] EMBEDDINGS.npy LABELS.npy [EMBEDDINGS.npy LABELS.npy ...]

For each pair of files, as the exercise does: random.seed(S) (default 1), contrastive_loss, then triplet_loss on
the same stream. Prints one JSON line per pair: {"contrastive": x, "triplet": y, "seconds": t} with full double
precision, or {"error": "..."} when the exercise's code fails on that input. Used only by tests and benchmarks to
cross-check `distembed eval-embeddings`; the product never runs Python.
"""
import json
import random
import sys
import time

import numpy as np


# --- The exercise's code, verbatim (the cut-off end of the triplet line restored). ---

def triplet_loss(y_true, y_pred):
    """ Triplet loss
        y_true: classes dos exemplos de forma numérica (não one-hot-encoding)
        y_pred: predicção da rede em termos das *representações*/embedding a
        Moacir A. Ponti/2020
    """
    L = 0 # loss acumulada
    m = 1 # margem
    size = y_true.shape[0] # tamanho do conjunto a avaliar

    # normalizar dados 0-1
    y_pred = (y_pred - np.min(y_pred)) / (np.max(y_pred) - np.min(y_pred))

    # seleciona uma ancora por exemplo no conjunto
    for i in range(size):
        a = y_pred[i] # representacao da ancora
        y = y_true[i] # classe da ancora

        # seleciona exemplo aleatorio, positivo e negativo
        pos_ind = np.where(y_true == y)
        neg_ind = np.where(y_true != y)
        p = y_pred[pos_ind[0][random.randint(0, len(pos_ind[0]) - 1)]]
        n = y_pred[neg_ind[0][random.randint(0, len(neg_ind[0]) - 1)]]

        # computa triplet loss
        lapn = np.max([0, m + np.sum(np.power(a - p, 2)) - np.sum(np.power(a - n, 2))])
        # acumula
        L += lapn

    return L / float(size)


def contrastive_loss(y_true, y_pred):
    """ Contrastive loss
        y_true: classes dos exemplos de forma numérica (não one-hot-encoding)
        y_pred: predicacao da rede em termos das *representacoes*/embedding a
        Moacir A. Ponti/2020
    """
    L = 0
    m = 1
    size = y_true.shape[0]

    # normalizar dados
    y_pred = (y_pred - np.min(y_pred)) / (np.max(y_pred) - np.min(y_pred))

    # para cada exemplo "ancora"
    for i in range(size):
        a = y_pred[i] # representacao a
        y_a = y_true[i] # classe de a

        # sorteia exemplo (nao ancora)
        ind = i
        while (ind == i):
            ind = random.randint(0, size-1)

        p = y_pred[ind] # representacao p

        # calcula contrastive loss (com base na classe)
        if (y_true[ind] == y_a):
            lapn = np.sum(np.power(a-p, 2)) / 2.0
        else:
            lapn = np.max([0, m - np.sum(np.power(a-p, 2)) ]) / 2.0

        L += lapn

    return L / float(size)

# --- End of the exercise's code. ---


def evaluate(embeddings_path, labels_path, seed):
    y_pred = np.load(embeddings_path)
    y_true = np.load(labels_path)
    if y_true.shape[0] < 2:
        raise ValueError("fewer than 2 samples: contrastive_loss would loop forever")
    start = time.perf_counter()
    random.seed(seed)
    contrastive = contrastive_loss(y_true, y_pred)
    triplet = triplet_loss(y_true, y_pred)
    seconds = time.perf_counter() - start
    for name, value in [("contrastive", contrastive), ("triplet", triplet)]:
        if not np.isfinite(value):
            raise ValueError(f"{name} is {value}")
    return {"contrastive": float(contrastive), "triplet": float(triplet), "seconds": seconds}


def main(argv):
    seed = 1
    if len(argv) >= 2 and argv[0] == "--seed":
        seed = int(argv[1])
        argv = argv[2:]
    if not argv or len(argv) % 2:
        sys.exit(__doc__)
    for embeddings_path, labels_path in zip(argv[0::2], argv[1::2]):
        try:
            result = evaluate(embeddings_path, labels_path, seed)
        except Exception as error:  # the exercise's code failing on bad input is a result here
            result = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    with np.errstate(all="ignore"):
        main(sys.argv[1:])
