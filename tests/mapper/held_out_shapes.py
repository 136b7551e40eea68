#!/usr/bin/python3
"""Held-out shapes for `actopo mapper`'s defaults (tests/mapper/test_default_eps.cpp) and the sklearn oracle of
its DBSCAN step.

  held_out_shapes.py make DIR SEED...     writes DIR/<shape>-<seed>.h5 (an activation store written by h5py, one
                                           layer 'cloud' of 16 columns) for every shape and seed, and prints one
                                           line per store: file, expected components, expected independent cycles
  held_out_shapes.py dbscan STORE GRAPH [STORE GRAPH...]
                                           checks each GRAPH (actopo mapper's JSON of STORE, l2norm lens, DBSCAN)
                                           cover set by cover set against sklearn.cluster.DBSCAN with the graph's eps
                                           and min_samples; prints one line per disagreement, nothing when all agree

Shapes (each in a random 2-plane of R^16, moved away from the origin along the plane's x axis so that the
default lens, the l2 norm, runs along the shape, then turned by a random rotation of R^16):
  circle-in    radius 1, noise sd 0.05 within the circle's plane (0.005 off it)       1 component, 1 cycle
  circle-off   radius 1, noise sd 0.03 in all 16 directions                           1 component, 1 cycle
  eight        lemniscate x = 1.5 sin t, y = sin t cos t, noise sd 0.03 in the plane   1 component, 2 cycles
  y            three arms of length 1.5 at 120 degrees (random turn), noise sd 0.03    1 component, 0 cycles
  blobs        three Gaussian blobs of 100/150/250 points, sd 0.2/0.3/0.4, 5 apart     3 components, 0 cycles
  blobs8       three Gaussian blobs of 8 dimensions (sd 0.3 in each), 4 apart           3 components, 0 cycles
500 points each; the shapes other than circle-off get noise sd 0.005 off their plane.
"""
import os
import sys

import h5py
import numpy as np

D = 16
EXPECTED = {'circle-in': (1, 1), 'circle-off': (1, 1), 'eight': (1, 2), 'y': (1, 0), 'blobs': (3, 0),
            'blobs8': (3, 0)}


def plane_points(kind, rng, n=500):
    """n points of the shape in the plane (n x 2) and the noise to add in R^16 (n x D, first two columns in-plane)."""
    noise = np.zeros((n, D))
    noise[:, 2:] = rng.normal(scale=0.005, size=(n, D - 2))  # a little thickness off the plane
    t = rng.uniform(0, 2 * np.pi, n)
    if kind == 'circle-in':
        p = np.c_[np.cos(t), np.sin(t)]
        noise[:, :2] = rng.normal(scale=0.05, size=(n, 2))
    elif kind == 'circle-off':
        p = np.c_[np.cos(t), np.sin(t)]
        noise = rng.normal(scale=0.03, size=(n, D))
    elif kind == 'eight':
        p = np.c_[1.5 * np.sin(t), np.sin(t) * np.cos(t)]
        a = rng.uniform(-0.15, 0.15)  # the long axis within about 9 degrees of the lens direction
        p = p @ np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
        noise[:, :2] = rng.normal(scale=0.03, size=(n, 2))
    elif kind == 'y':
        arm = rng.integers(0, 3, n)
        r = rng.uniform(0, 1.5, n)
        a = arm * 2 * np.pi / 3 + rng.uniform(0, 2 * np.pi)
        p = np.c_[r * np.cos(a), r * np.sin(a)]
        noise[:, :2] = rng.normal(scale=0.03, size=(n, 2))
    elif kind == 'blobs':
        sizes, sds = [100, 150, 250], [0.2, 0.3, 0.4]
        centres = 5 * np.array([[0, 0], [1, 0], [0.5, np.sqrt(0.75)]])
        p = np.concatenate([centres[k] + rng.normal(scale=sds[k], size=(sizes[k], 2)) for k in range(3)])
    elif kind == 'blobs8':
        centres = 4 * np.array([[0, 0], [1, 0], [0.5, np.sqrt(0.75)]])
        k = rng.integers(0, 3, n)
        p = centres[k]
        noise[:, :8] = rng.normal(scale=0.3, size=(n, 8))
    else:
        raise SystemExit(f'unknown shape {kind}')
    return p, noise


def make(folder, seeds):
    for seed in seeds:
        for k, kind in enumerate(EXPECTED):
            rng = np.random.default_rng(1000 * seed + k)
            p, noise = plane_points(kind, rng)
            p = p - p.mean(axis=0) + np.array([4.0, 0.0])  # the l2 norm grows along the plane's x axis
            x = np.zeros((len(p), D))
            x[:, :2] = p
            x[:, 2:] = rng.normal(size=D - 2) / np.sqrt(D - 2)  # and a constant offset off the plane
            x += noise
            q, _ = np.linalg.qr(rng.normal(size=(D, D)))
            x = (x @ q).astype(np.float32)
            path = os.path.join(folder, f'{kind}-{seed}.h5')
            with h5py.File(path, 'w') as f:
                f['/inputs/index'] = np.arange(len(x), dtype=np.int64)
                f['/inputs/labels'] = np.zeros(len(x), dtype=np.int64)
                f['/layers/cloud/activations'] = x
            print(path, *EXPECTED[kind])


def dbscan(store, graph_path):
    import json
    from sklearn.cluster import DBSCAN
    with h5py.File(store, 'r') as f:
        x = f['/layers/cloud/activations'][:].astype(np.float64)
        ids = f['/inputs/index'][:]
    graph = json.load(open(graph_path))
    meta = graph['meta']
    assert meta['lens'] == 'l2norm' and meta['clusterer'] == 'dbscan' and meta['metric'] == 'euclidean', meta
    eps, min_samples = meta['eps'], meta['min_samples']
    lens = np.sqrt((x * x).sum(axis=1))
    row_of = {int(i): r for r, i in enumerate(ids)}
    problems = []
    for s, cover_set in enumerate(graph['cover']['sets']):
        lo, hi = cover_set['box'][0]
        if np.any(np.abs(lens - lo) < 1e-9) or np.any(np.abs(lens - hi) < 1e-9):
            problems.append(f'set {s}: a lens value within 1e-9 of the box {lo}, {hi} (choose other seeds)')
            continue
        rows = np.flatnonzero((lens >= lo) & (lens <= hi))
        if len(rows) != cover_set['size']:
            problems.append(f'set {s}: {len(rows)} points in the box, the graph says {cover_set["size"]}')
            continue
        fit = DBSCAN(eps=eps, min_samples=min_samples, algorithm='ball_tree').fit(x[rows])
        core = np.zeros(len(rows), bool)
        core[fit.core_sample_indices_] = True
        # actopo's clusters of this set as labels over `rows` (-1: noise)
        ours = np.full(len(rows), -1)
        position = {r: j for j, r in enumerate(rows)}
        for node in graph['nodes']:
            if node['cover_set'] != s:
                continue
            for m in node['members']:
                j = position.get(row_of[m])
                if j is None:
                    problems.append(f'set {s}: node {node["id"]} holds input {m}, outside the box')
                elif ours[j] != -1:
                    problems.append(f'set {s}: input {m} in two nodes of one cover set')
                else:
                    ours[j] = node['id']
        if not np.array_equal(ours == -1, fit.labels_ == -1):
            problems.append(f'set {s}: noise differs: {int((ours == -1).sum())} points, sklearn '
                            f'{int((fit.labels_ == -1).sum())}')
            continue
        # core points: the same partition (labels may be named differently)
        pairs = set(zip(ours[core].tolist(), fit.labels_[core].tolist()))
        if len(pairs) != len(set(ours[core].tolist())) or len(pairs) != len(set(fit.labels_[core].tolist())):
            problems.append(f'set {s}: the clusters of the core points differ from sklearn\'s')
            continue
        # border points: actopo gives each to the cluster of its nearest core point (sklearn to the first one
        # its expansion reached, which may differ); both must be a cluster holding a core point within eps
        for j in np.flatnonzero(~core & (ours != -1)):
            d = np.sqrt(((x[rows[core]] - x[rows[j]]) ** 2).sum(axis=1))
            nearest = ours[core][np.argmin(d)]
            if d.min() > eps or ours[j] != nearest:
                problems.append(f'set {s}: border input {ids[rows[j]]} is in node {ours[j]}, its nearest core '
                                f'point (at {d.min():.4g}, eps {eps:.4g}) in node {nearest}')
    if not graph['cover']['sets']:
        problems.append('the graph has no cover sets')
    for p in problems:
        print(f'{graph_path}: {p}')


if __name__ == '__main__':
    if len(sys.argv) >= 4 and sys.argv[1] == 'make':
        make(sys.argv[2], [int(s) for s in sys.argv[3:]])
    elif len(sys.argv) >= 4 and len(sys.argv) % 2 == 0 and sys.argv[1] == 'dbscan':
        for k in range(2, len(sys.argv), 2):
            dbscan(sys.argv[k], sys.argv[k + 1])
    else:
        raise SystemExit(__doc__)
