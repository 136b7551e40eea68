"""Writes a small activation store with h5py (argv[1]) and prints, as CSV, the H<dim> bottleneck distance
between the Rips diagrams (python3-gudhi) of every pair of its layers. argv[2]: dim, argv[3]: seed."""
import sys

import gudhi
import h5py
import numpy as np

path, dim, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(seed)
n = 40
t = rng.uniform(0, 2 * np.pi, n)
layers = {
    "circle": np.stack([np.cos(t), np.sin(t)], 1) + rng.normal(0, 0.05, (n, 2)),
    "blob": rng.normal(0, 1, (n, 3)),
    "fc.2": np.stack([2 * np.cos(t), np.sin(t), 0.3 * rng.normal(size=n)], 1),
}
with h5py.File(path, "w") as f:
    f.attrs["format"] = "actopo-activations"
    f.attrs["version"] = 1
    f.attrs["model"] = "toy.pt"
    f.attrs["dataset"] = "toy"
    f.create_dataset("inputs/index", data=np.arange(n, dtype=np.int64))
    f.create_dataset("inputs/labels", data=np.zeros(n, dtype=np.int64))
    f.create_dataset("inputs/predictions", data=np.zeros(n, dtype=np.int64))
    f.create_dataset("inputs/logits", data=np.zeros((n, 2), dtype=np.float32))
    for name, x in layers.items():
        d = f.create_dataset("layers/" + name + "/activations", data=x.astype(np.float32))
        d.attrs["module"] = name
        d.attrs["shape"] = np.array(x.shape[1:], dtype=np.int64)

diagrams = []
for name, x in layers.items():
    x = x.astype(np.float32).astype(np.float64)
    st = gudhi.RipsComplex(points=x).create_simplex_tree(max_dimension=dim + 1)
    st.compute_persistence()
    diagrams.append(st.persistence_intervals_in_dimension(dim))
names = list(layers)


def bottleneck(a, b):
    v = float(gudhi.bottleneck_distance(a, b))
    return 0.0 if v < 1e-300 else v  # gudhi reports identical diagrams as a subnormal, not 0


print("name," + ",".join(names))
for i, a in enumerate(names):
    print(a + "," + ",".join(repr(bottleneck(diagrams[i], d)) for d in diagrams))
