#!/usr/bin/env python3
"""Summarises results/fashion-normalize (normalised, mean distance 1) beside results/fashion-normalize-raw
(the same models and inputs, raw) as the table of results/fashion-normalize/README.md.

Per matrix: the mean over pairs of layers of each kind (same layer in the other seed, another layer of the
same architecture, the other architecture), how often a layer's nearest layer is its counterpart in the other
seed or of the same architecture, the Spearman correlation with linear CKA over all pairs, and the Spearman
correlation of the distance with the two layers' difference in scale, |log(s_a / s_b)|, where s is the mean
distance between two points of the layer's raw cloud (computed here with scipy from the stores).
Usage: python3 results/fashion-normalize/summarize.py   (from the repository root)"""
import csv
import os

import h5py
import numpy as np
from scipy.spatial.distance import pdist
from scipy.stats import spearmanr

ROOT = "results"


def read_matrix(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    names = rows[0][1:]
    return names, np.array([[float(v) for v in r[1:]] for r in rows[1:]])


def layer_scale(store, layer):
    with h5py.File(store) as f:
        a = f[f"layers/{layer}/activations"][:].astype(np.float64)
    a = a.reshape(a.shape[0], a.shape[1], -1).mean(axis=2) if a.ndim > 2 else a  # avgpool, as the study samples
    return pdist(a).mean()


def kinds(names):
    model = [n.split(":")[0] for n in names]
    arch = [m.split("-")[0] for m in model]
    layer = [n.split(":")[1] for n in names]
    n = len(names)
    k = np.empty((n, n), dtype=object)
    for i in range(n):
        for j in range(n):
            if i == j:
                k[i, j] = "self"
            elif arch[i] != arch[j]:
                k[i, j] = "other architecture"
            elif layer[i] == layer[j]:
                k[i, j] = "same layer, other seed"
            else:
                k[i, j] = "same architecture, other layer"
    return k, arch, layer


def summary(names, m, similarity, cka, scale_gap):
    k, arch, layer = kinds(names)
    n = len(names)
    out = {}
    for kind in ("same layer, other seed", "same architecture, other layer", "other architecture"):
        out[kind] = m[k == kind].mean()
    best = np.where(np.eye(n, dtype=bool), -np.inf if similarity else np.inf, m)
    nearest = best.argmax(axis=1) if similarity else best.argmin(axis=1)
    out["nearest is the counterpart"] = sum(k[i, nearest[i]] == "same layer, other seed" for i in range(n))
    out["nearest is of the same architecture"] = sum(arch[i] == arch[nearest[i]] for i in range(n))
    iu = np.triu_indices(n, 1)
    out["Spearman with CKA"] = spearmanr(m[iu], cka[iu])[0]
    out["Spearman with scale gap"] = spearmanr(m[iu], scale_gap[iu])[0]
    return out


def main():
    norm, raw = os.path.join(ROOT, "fashion-normalize"), os.path.join(ROOT, "fashion-normalize-raw")
    names, cka = read_matrix(os.path.join(norm, "similarity", "cka.csv"))
    scales = np.array([layer_scale(os.path.join(norm, "stores", n.split(":")[0] + ".h5"), n.split(":")[1]) for n in names])
    gap = np.abs(np.log(scales[:, None] / scales[None, :]))
    print(f"layer scales (mean distance between two points of the raw avgpool cloud): {scales.min():.3g} to "
          f"{scales.max():.3g} ({scales.max() / scales.min():.0f}x)\n")
    cols = ["same layer, other seed", "same architecture, other layer", "other architecture", "nearest is the counterpart",
            "nearest is of the same architecture", "Spearman with CKA", "Spearman with scale gap"]
    print("| matrix | clouds | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    rows = [("linear CKA", "either (CKA ignores scale)", os.path.join(norm, "similarity", "cka.csv"), True)]
    for metric in ("sliced-wasserstein-h1", "bottleneck-h1", "sliced-wasserstein-h0", "bottleneck-h0"):
        for label, folder in (("raw", raw), ("mean distance 1", norm)):
            rows.append((metric, label, os.path.join(folder, "distances", metric + ".csv"), False))
    for metric, label, path, similarity in rows:
        n2, m = read_matrix(path)
        assert n2 == names, path
        s = summary(names, m, similarity, cka, gap)
        cells = [f"{s[c]:.3g}" if isinstance(s[c], float) else f"{s[c]} / {len(names)}" for c in cols]
        print(f"| {metric} | {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
