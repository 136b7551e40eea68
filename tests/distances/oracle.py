"""Independent oracle for tests/distances: reads cases from argv[1], prints one line per case:
gudhi bottleneck, Hera Wasserstein (gudhi.hera), and sliced Wasserstein by papers.md (numpy).
Case format: 'case P Q M' then 'A n' + n lines 'b d', then 'B m' + m lines ('inf' allowed)."""
import sys

import gudhi
import gudhi.hera
import numpy as np


def sliced(a, b, M):
    a = a[np.isfinite(a[:, 1])] if len(a) else a.reshape(0, 2)
    b = b[np.isfinite(b[:, 1])] if len(b) else b.reshape(0, 2)
    proj_a = np.repeat(((a[:, 0] + a[:, 1]) / 2)[:, None], 2, axis=1)
    proj_b = np.repeat(((b[:, 0] + b[:, 1]) / 2)[:, None], 2, axis=1)
    u = np.vstack([a, proj_b])
    v = np.vstack([b, proj_a])
    total = 0.0
    for i in range(M):
        theta = np.pi * (0.5 + i / M)
        d = np.array([np.cos(theta), np.sin(theta)])
        total += np.abs(np.sort(u @ d) - np.sort(v @ d)).sum()
    return total / M


def read_block(lines, k):
    n = int(lines[k].split()[1])
    rows = [[float(x) for x in lines[k + 1 + i].split()] for i in range(n)]
    return np.array(rows, dtype=float).reshape(n, 2), k + 1 + n


def main():
    lines = open(sys.argv[1]).read().split("\n")
    k = 0
    while k < len(lines) and lines[k].startswith("case"):
        _, p, q, M = lines[k].split()
        a, k = read_block(lines, k + 1)
        b, k = read_block(lines, k)
        bn = gudhi.bottleneck_distance(a, b)
        w = gudhi.hera.wasserstein_distance(a, b, order=float(p), internal_p=float(q), delta=1e-6)
        sw = sliced(a, b, int(M))
        print(repr(float(bn)), repr(float(w)), repr(float(sw)))


main()
