#!/usr/bin/env python3
"""Where each method's relevance lies (run.sh runs it on the attribution file): the share of sum |R| on pixels that
are 0 in the input (a map that is x times something is 0 there, whatever the model), the share of sum |R| that is
negative, guided backprop vs deconvnet (mean Spearman correlation of their maps), and DeepLIFT's summation error.
  python3 zero_pixels.py attributions.h5 [fashion-mnist dir]"""
import gzip
import sys

import h5py
import numpy as np
from scipy.stats import spearmanr

path = sys.argv[1]
data = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
f = h5py.File(path, "r")
index = f["/inputs/index"][:]
with gzip.open(data + "/t10k-images-idx3-ubyte.gz") as g:
    raw = g.read()
x = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 1, 28, 28)[index].astype(np.float32) / 255
zero = x == 0
print(f"{len(index)} inputs; pixels that are 0: {zero.mean():.3f}")
print(f"{'method':24s} {'|R| on 0 pixels':>16s} {'negative |R|':>13s}")
for m in f["/attributions"]:
    if m.endswith("_delta"):
        continue
    a = f["/attributions/" + m][:]
    if a.shape != x.shape:
        continue
    mass = np.abs(a).sum()
    print(f"{m:24s} {np.abs(a)[zero].sum() / mass:16.3f} {np.clip(-a, 0, None).sum() / mass:13.3f}")
gb = f["/attributions/guided-backprop"][:].reshape(len(index), -1)
dc = f["/attributions/deconvnet"][:].reshape(len(index), -1)
rho = np.mean([spearmanr(gb[i], dc[i]).correlation for i in range(len(index))])
print(f"guided-backprop vs deconvnet: mean Spearman {rho:.3f}")
d = np.abs(f["/attributions/deeplift_delta"][:])
print(f"deeplift |sum of map - (f(x) - f(0))|: mean {d.mean():.3f}, median {np.median(d):.3f}, max {d.max():.3f}")
