# Writes a small activation store with h5py, as a PyTorch user would hand one in (layout: docs/formats.md).
# Two hidden factors drive the neurons: conv channels 0-1 and fc units 0-2 follow factor 1, the rest factor 2;
# classes 0 and 2 follow factor 1, class 1 factor 2. Conv channel 3 is dead (always 0).
# usage: make_store.py OUT.h5 [nan|small]   ("nan" puts a NaN into fc unit 4 of input 7; "small": 300 inputs)
import sys
import h5py
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(0)
n = 300 if sys.argv[2:] == ["small"] else 600
f1, f2 = rng.normal(size=n), rng.normal(size=n)
conv = np.zeros((n, 4, 3, 3), np.float32)
for c, f in enumerate([f1, f1, f2]):
    conv[:, c] = np.maximum(0, f[:, None, None] + 0.4 * rng.normal(size=(n, 3, 3)))
fc = np.stack([f1 + 0.3 * rng.normal(size=n) if u < 3 else f2 + 0.3 * rng.normal(size=n) for u in range(6)], 1)
fc = fc.astype(np.float32)
if len(sys.argv) > 2 and sys.argv[2] == "nan":
    fc[7, 4] = np.nan
logits = np.stack([f1 + 0.3 * rng.normal(size=n), f2 + 0.3 * rng.normal(size=n), 0.8 * f1 + 0.3 * rng.normal(size=n)], 1)
pred = logits.argmax(1)
labels = np.where(np.arange(n) % 10 == 0, (pred + 1) % 3, pred)
with h5py.File(out, "w") as h:
    h.attrs["format"] = "actopo-activations"
    h.attrs["version"] = 1
    for k in ["model", "model_sha256", "dataset", "split", "created", "actopo_version"]:
        h.attrs[k] = "synthetic"
    h["inputs/index"] = np.arange(n, dtype=np.int64)
    h["inputs/labels"] = labels.astype(np.int64)
    h["inputs/predictions"] = pred.astype(np.int64)
    h["inputs/logits"] = logits.astype(np.float32)
    h.create_dataset("inputs/class_names", data=["zero", "one", "two"], dtype=h5py.string_dtype())
    fc2 = np.maximum(0, np.nan_to_num(fc) @ rng.normal(size=(6, 5))).astype(np.float32)
    for name, a in [("conv", conv), ("fc", fc), ("fc2", fc2)]:
        d = h.create_dataset("layers/" + name + "/activations", data=a)
        d.attrs["module"] = name
        d.attrs["shape"] = np.array(a.shape[1:], dtype=np.int64)
