"""Distances between persistence diagrams, with persim's and gudhi's names and argument order."""
import numpy as np

from . import _checks, _core

_METRICS = {"bottleneck": "bottleneck", "wasserstein": "wasserstein", "sliced_wasserstein": "sliced-wasserstein",
            "sliced-wasserstein": "sliced-wasserstein"}


def _distance(dgm1, dgm2, metric, order=1.0, internal_p=np.inf, delta=0.01, M=50):
    a, b = _checks.diagram(dgm1, "dgm1"), _checks.diagram(dgm2, "dgm2")
    return _core.distance(a, b, metric, order, internal_p, delta, M)


def _wasserstein_args(order, internal_p, delta):
    return (_checks.number(order, "order", lo=1), _checks.number(internal_p, "internal_p", lo=1, allow_inf=True),
            _checks.number(delta, "delta", lo=0, hi=1e6))


def bottleneck(dgm1, dgm2):
    """Bottleneck distance (L-infinity ground metric), exact, as ``gudhi.bottleneck_distance`` and
    ``persim.bottleneck``. Essential classes (death inf) are matched among themselves."""
    return _distance(dgm1, dgm2, "bottleneck")


def wasserstein(dgm1, dgm2, order=1.0, internal_p=np.inf, delta=0.01):
    """p-Wasserstein distance, ``gudhi.hera.wasserstein_distance``'s arguments: ``order`` p >= 1, ``internal_p``
    the norm of the plane (inf by default), ``delta`` the relative error allowed (0: exact)."""
    order, internal_p, delta = _wasserstein_args(order, internal_p, delta)
    return _distance(dgm1, dgm2, "wasserstein", order, internal_p, delta)


def sliced_wasserstein(dgm1, dgm2, M=50):
    """Sliced Wasserstein distance with M directions, persim's convention (finite pairs only)."""
    return _distance(dgm1, dgm2, "sliced-wasserstein", M=_checks.integer(M, "M", 1, 100000))


def pairwise_distances(diagrams, metric="bottleneck", n_jobs=None, order=1.0, internal_p=np.inf, delta=0.01, M=50):
    """The symmetric (n, n) matrix of distances between every two diagrams of a list, computed in parallel
    (``n_jobs`` as scikit-learn: None one thread, -1 every core). ``metric``: "bottleneck", "wasserstein" or
    "sliced_wasserstein" (with their own arguments)."""
    ds = _checks.diagrams(diagrams, "diagrams")
    name = _checks.choice(metric, "metric", tuple(_METRICS))
    order, internal_p, delta = _wasserstein_args(order, internal_p, delta)
    M = _checks.integer(M, "M", 1, 100000)
    return _core.pairwise(ds, _METRICS[name], order, internal_p, delta, M, _checks.threads(n_jobs))
