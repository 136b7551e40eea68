"""Representational similarity between two layers seen on the same inputs (rows), by actopo's C++ metrics
(docs/similarity.md). A layer is an (n, ...) array; each row is flattened to one vector per input."""
import warnings

import numpy as np

from . import _checks, _core


def _layer(value, name):
    arr = _checks.array(value, name, ndim=None, min_rows=3)
    if arr.ndim < 2:
        raise ValueError(f"{name}: expected an (n_inputs, n_features...) array, got shape {arr.shape}")
    return arr.reshape(arr.shape[0], -1)


def _pair(X, Y):
    x, y = _layer(X, "X"), _layer(Y, "Y")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"Y: expected the same number of rows (inputs) as X, {x.shape[0]}, got {y.shape[0]}")
    return x, y


def cka(X, Y, kernel="linear", debiased=False):
    """Centred kernel alignment (Kornblith et al. 2019). kernel "linear" or "rbf" (bandwidth: the median
    pairwise distance of each layer); debiased=True: the unbiased HSIC estimator (linear kernel only)."""
    _checks.choice(kernel, "kernel", ("linear", "rbf"))
    if _checks.boolean(debiased, "debiased") and kernel == "rbf":
        raise ValueError("debiased: the debiased estimator is available for kernel='linear' only")
    metric = "debiased-cka" if debiased else f"{kernel}-cka"
    return _core.similarity(metric, *_pair(X, Y))


def svcca(X, Y):
    """SVCCA (Raghu et al. 2017): the mean canonical correlation of the top singular directions (99 %)."""
    return _core.similarity("svcca", *_pair(X, Y))


def pwcca(X, Y):
    """PWCCA (Morcos et al. 2018): canonical correlations weighted by their share of X."""
    return _core.similarity("pwcca", *_pair(X, Y))


def procrustes(X, Y, angular=False):
    """Orthogonal Procrustes distance of the centred, normalised layers: 2 - 2 ||Xn^T Yn||_* (squared), or
    with angular=True the metric arccos ||Xn^T Yn||_* (Williams et al. 2021)."""
    metric = "procrustes-angular" if _checks.boolean(angular, "angular") else "procrustes-squared"
    return _core.similarity(metric, *_pair(X, Y))


def rsa(X, Y):
    """Representational similarity analysis: Spearman correlation of the two input x input Euclidean distance
    matrices (upper triangles)."""
    return _core.similarity("rsa", *_pair(X, Y))


METRICS = ("cka", "linear-cka", "rbf-cka", "debiased-cka", "svcca", "pwcca", "procrustes", "procrustes-squared",
           "procrustes-angular", "rsa")


def similarity_matrix(layers, metric="cka"):
    """The (k, k) matrix of ``metric`` between every two layers of a dict {name: (n, ...) array} (all on the
    same n inputs, in the same order); rows and columns in the dict's order. Caveats (SVCCA keeping a large
    share of the inputs' dimensions) are issued as warnings."""
    if not isinstance(layers, dict) or not layers:
        raise TypeError(f"layers: expected a non-empty dict {{name: array}}, got {type(layers).__name__}")
    _checks.choice(metric, "metric", METRICS)
    names = [str(k) for k in layers]
    arrays = [_layer(v, f"layers[{k!r}]") for k, v in layers.items()]
    for name, a in zip(names, arrays):
        if a.shape[0] != arrays[0].shape[0]:
            raise ValueError(f"layers[{name!r}]: {a.shape[0]} rows, but layers[{names[0]!r}] has {arrays[0].shape[0]}")
    matrix, notes = _core.similarity_matrix(names, arrays, metric)
    for note in notes:
        warnings.warn(note, stacklevel=2)
    return matrix
