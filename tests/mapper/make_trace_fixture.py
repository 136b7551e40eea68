#!/usr/bin/python3
"""Fixtures of tests/mapper/test_trace.cpp, written with h5py and numpy as another tool would:
  data/attributions.h5  an attribution file (docs/formats.md) of the 300 inputs of that test's store
                        (dataset "toy.h5"): /attributions/saliency [300, 1, 2, 2] whose every element of input i
                        is i, so a node's mean map is the mean of its member ids
  data/values.npy       float64 [300]: 0.5 * i        data/values_i4.npy  int32 [300]: i % 2
Run from anywhere:  /usr/bin/python3 tests/mapper/make_trace_fixture.py
"""
import os

import h5py
import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
N = 300

with h5py.File(os.path.join(HERE, "attributions.h5"), "w") as f:
    for key, value in {"format": "actopo-attributions", "model": "toy.pt", "dataset": "toy.h5", "split": "",
                       "target": "label"}.items():
        f.attrs[key] = value
    f.attrs["version"] = 1
    ids = np.arange(N, dtype=np.int64)
    f["inputs/index"] = ids
    f["inputs/labels"] = ids % 3
    f["inputs/predictions"] = ids % 3
    f["inputs/target"] = ids % 3
    f["attributions/saliency"] = np.repeat(ids.astype(np.float32), 4).reshape(N, 1, 2, 2)
np.save(os.path.join(HERE, "values.npy"), 0.5 * np.arange(N, dtype=np.float64))
np.save(os.path.join(HERE, "values_i4.npy"), (np.arange(N) % 2).astype(np.int32))
