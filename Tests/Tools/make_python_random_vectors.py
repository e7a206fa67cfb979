#!/usr/bin/env python3
"""Writes Tests/CoreTests/Fixtures/python_random_vectors.json: CPython's own `random` outputs, the golden
values that PythonRandomTests compares PythonRandom against (no Python runs at test time).

Run from anywhere:  python3 Tests/Tools/make_python_random_vectors.py
Each case seeds a fresh generator with random.seed(seed), then makes the listed calls in order on that one
stream, so the vectors also check that rejection sampling consumes exactly CPython's draws.
"""
import json
import pathlib
import platform
import random

SEEDS = [0, 1, 42, 2**40 + 3, -7, 12345678901, 2**63 - 1]

# (a, b) ranges for randint: small, large, powers of two and their neighbours, negative bounds.
RANDINT_RANGES = [
    (0, 1), (0, 2), (0, 9), (1, 6), (0, 49), (-10, 10), (0, 99), (0, 59999),
    (0, 2**31 - 1), (0, 2**31), (0, 2**32 - 1), (0, 2**32), (0, 10**12 + 39),
    (-2**62, 2**62), (0, 2**63 - 1), (-2**63, 2**63 - 2),
]
RANDRANGE_RANGES = [(0, 1), (0, 3), (5, 12), (-100, 7), (0, 2**33 + 5), (-2**63, 2**63 - 1)]
RANDBELOW_BOUNDS = [1, 2, 3, 7, 8, 50, 1000, 2**32 - 1, 2**32 + 1, 2**53 + 7, 2**63 - 1]
GETRANDBITS_WIDTHS = [0, 1, 5, 31, 32, 33, 48, 53, 63, 64]


def calls_for(rng):
    calls = []

    def record(op, args, result):
        calls.append({"op": op, "args": list(args), "result": result})

    for _ in range(3):
        record("getrandbits", [32], rng.getrandbits(32))
    for k in GETRANDBITS_WIDTHS:
        for _ in range(2):
            record("getrandbits", [k], rng.getrandbits(k))
    for a, b in RANDINT_RANGES:
        for _ in range(4):
            record("randint", [a, b], rng.randint(a, b))
    for a, b in RANDRANGE_RANGES:
        for _ in range(3):
            record("randrange", [a, b], rng.randrange(a, b))
    for n in RANDBELOW_BOUNDS:
        for _ in range(3):
            record("randbelow", [n], rng._randbelow(n))
    # The exercise's pattern: many draws over a range that is not a power of two.
    for _ in range(200):
        record("randint", [0, 49], rng.randint(0, 49))
    return calls


def render(document):
    """JSON with one call per line: small enough to review, easy to diff."""
    lines = ["{"]
    for key in ["generator", "python", "seed1Word1000"]:
        lines.append(f' "{key}": {json.dumps(document[key])},')
    lines.append(' "cases": [')
    for i, case in enumerate(document["cases"]):
        lines.append(f'  {{"seed": {case["seed"]}, "calls": [')
        calls = [json.dumps(call, separators=(", ", ": ")) for call in case["calls"]]
        lines.append(",\n".join("   " + call for call in calls))
        lines.append("  ]}" + ("," if i + 1 < len(document["cases"]) else ""))
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    cases = []
    for seed in SEEDS:
        rng = random.Random()
        rng.seed(seed)
        cases.append({"seed": seed, "calls": calls_for(rng)})
    # A state more than one twist (624 words) in: the 1,000th 32-bit output after seed(1).
    rng = random.Random(1)
    for _ in range(999):
        rng.getrandbits(32)
    document = {
        "generator": "Tests/Tools/make_python_random_vectors.py",
        "python": platform.python_version(),
        "cases": cases,
        "seed1Word1000": rng.getrandbits(32),
    }
    out = pathlib.Path(__file__).resolve().parents[1] / "CoreTests" / "Fixtures" / "python_random_vectors.json"
    out.write_text(render(document))
    print(f"wrote {out} ({sum(len(c['calls']) for c in cases)} calls)")


if __name__ == "__main__":
    main()
