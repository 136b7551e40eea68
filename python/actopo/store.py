"""Activation stores (docs/formats.md) read through actopo's C++ store reader: layers are read lazily."""
import collections
import os

import numpy as np

from . import _checks, _core

PointCloud = collections.namedtuple("PointCloud", "points labels predictions input_ids positions description tokens")
PointCloud.__doc__ = """A sampled layer: points (n, d) float32 and per point its input's label, the model's
prediction, the input id (/inputs/index), the spatial or token position (-1 when neither) and the token id (the
store's /inputs/tokens at that position; -1 when none)."""

SAMPLINGS = ("flatten", "avgpool", "top-l2", "spatial", "tokens", "token-mean", "first-token", "last-token")
NORMALIZATIONS = ("none", "standardize", "mean-distance", "diameter")


class Layer:
    """One layer of a store, read only when indexed: ``layer[10:20]`` reads those rows, ``np.asarray(layer)``
    the whole layer, (N, *shape) float32."""

    def __init__(self, reader, name):
        self._reader, self.name = reader, name
        self.shape = (reader.size, *reader.layer_shape(name))
        self.dtype = np.dtype(np.float32)

    ndim = property(lambda self: len(self.shape))

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, key):
        n = self.shape[0]
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            i = int(key) + n if key < 0 else int(key)
            if not 0 <= i < n:
                raise IndexError(f"{self.name}: row {key} out of range for {n} inputs")
            return self._reader.read_rows(self.name, i, 1)[0]
        if isinstance(key, slice):
            start, stop, step = key.indices(n)
            if step == 1:
                return self._reader.read_rows(self.name, start, max(0, stop - start))
        return np.asarray(self)[key]

    def __array__(self, dtype=None):
        arr = self._reader.read_rows(self.name, 0, self.shape[0])
        return arr if dtype is None else arr.astype(dtype)

    def __repr__(self):
        return f"<actopo layer {self.name!r} {self.shape} float32>"


class Store:
    """An activation store: ``.layers`` (names in the model's order), ``.labels``, ``.predictions`` (None when the
    file has none), ``.logits``, ``.index``, ``.class_names``, ``.info``; ``store["fc1"]`` a lazily read Layer."""

    def __init__(self, path):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path: expected a file name, got {type(path).__name__}")
        self._reader = _core.StoreReader(os.fspath(path))

    path = property(lambda self: self._reader.path)
    layers = property(lambda self: list(self._reader.layer_names))
    info = property(lambda self: self._reader.info)
    class_names = property(lambda self: self._reader.info["class_names"])
    labels = property(lambda self: self._reader.labels())
    index = property(lambda self: self._reader.index())
    logits = property(lambda self: self._reader.logits())

    @property
    def predictions(self):
        return self._reader.predictions() if self._reader.has_predictions else None

    def __len__(self):
        return self._reader.size

    def __contains__(self, layer):
        return layer in self._reader.layer_names

    def __getitem__(self, layer):
        if not isinstance(layer, str):
            raise TypeError(f"layer: expected a layer name, got {type(layer).__name__}")
        return Layer(self._reader, layer)  # the reader names the closest layers when it does not exist

    def nonfinite(self, layer):
        """NaN/Inf values in a layer."""
        return self._reader.layer_nonfinite(layer)

    def sample(self, layer, method="top-l2", points=0, seed=0, classes=None, relu=False, pca=0, normalize="none"):
        """A point cloud of a layer (docs/formats.md, sampling): ``method`` flatten, avgpool, top-l2 or spatial, or
        for a sequence layer [T, D] tokens, token-mean, first-token or last-token (padded positions left out);
        ``points`` > 0: a seeded uniform subsample; ``classes``: only inputs of these labels; then ReLU, PCA to
        ``pca`` dimensions, and ``normalize``: none, standardize (per coordinate), mean-distance (mean distance
        between two points 1) or diameter (largest distance 1)."""
        if not isinstance(layer, str):
            raise TypeError(f"layer: expected a layer name, got {type(layer).__name__}")
        _checks.choice(method, "method", SAMPLINGS)
        _checks.choice(normalize, "normalize", NORMALIZATIONS)
        classes = [] if classes is None else [_checks.integer(c, "classes") for c in classes]
        cloud = self._reader.sample(layer, method, _checks.integer(points, "points", 0),
                                    _checks.integer(seed, "seed", 0, 2 ** 63 - 1), classes,
                                    _checks.boolean(relu, "relu"), _checks.integer(pca, "pca", 0),
                                    normalize)
        return PointCloud(**cloud)

    def __repr__(self):
        return f"<actopo store {self.path!r}: {len(self)} inputs, layers {', '.join(self.layers)}>"
