"""Vietoris-Rips persistence with ripser.py's interface, computed by actopo's C++ backends."""
import numpy as np

from . import _checks, _core

_METRICS = ("euclidean", "cosine", "correlation", "precomputed")


def _is_prime(p):
    return p >= 2 and all(p % k for k in range(2, int(p ** 0.5) + 1))


def rips(X, maxdim=1, thresh=np.inf, coeff=2, metric="euclidean", distance_matrix=False, n_threads=0,
         backend=None, sparse=0.0, representatives=0):
    """Persistence diagrams of the Vietoris-Rips filtration of a point cloud or a distance matrix.

    Arguments and result follow ripser.py: ``X`` is an (n, d) point cloud, or with ``distance_matrix=True``
    (or ``metric="precomputed"``) an (n, n) distance matrix or a scipy.sparse matrix of edges (absent edges
    are at +inf). Returns ``{"dgms": [array (m_k, 2) for k = 0..maxdim], "cocycles": [[]...], "num_edges",
    "idx_perm", "r_cover", "meta"}``, essential classes with death ``np.inf``.

    ``backend``: "native" (actopo's engine, the default), "gudhi" or "ripser" (the executable);
    ``n_threads`` 0 uses every core; ``sparse`` in (0, 1) asks for the sparse Rips approximation
    with that epsilon (native or gudhi backend): diagrams within a factor 1 / (1 - sparse) of the exact ones. The GIL is released while the diagrams are computed.

    ``representatives`` = K > 0 (native backend) adds the representatives of the K longest classes of each
    dimension >= 1, longest first: ``"cocycles"[k]`` a list of int arrays (s, k + 2), one row per simplex
    (vertices largest first, then the coefficient in Z/coeff), as ripser.py lays them out; ``"cycles"`` a list
    of int arrays, the vertex loop of each H1 class (an edge loop born by the birth, not a boundary before the
    death); ``"representatives"[k]`` the (birth, death) of each, an array (K, 2). See docs/persistence.md.
    """
    args = _core.RipsArgs()
    args.maxdim = _checks.integer(maxdim, "maxdim", 0, 16)
    t = _checks.number(thresh, "thresh", lo=0, allow_inf=True)
    args.thresh = None if np.isinf(t) else t
    args.coeff = _checks.integer(coeff, "coeff", 2, 65521)
    if not _is_prime(args.coeff):
        raise ValueError(f"coeff: expected a prime number, got {args.coeff}")
    _checks.choice(metric, "metric", _METRICS)
    precomputed = _checks.boolean(distance_matrix, "distance_matrix") or metric == "precomputed"
    args.threads = _checks.integer(n_threads, "n_threads", 0, 1024)
    args.backend = _core.default_backend() if backend is None else _checks.choice(backend, "backend",
                                                                                   _core.backend_names())
    args.sparse_epsilon = _checks.number(sparse, "sparse", lo=0, hi=0.999)
    args.representatives = _checks.integer(representatives, "representatives", 0, 10 ** 6)
    if args.representatives > 0 and args.backend != "native":
        raise ValueError(f"representatives: computed by backend='native' only, got {args.backend!r}")
    if args.sparse_epsilon > 0 and args.backend == "ripser":
        raise ValueError("sparse: the sparse Rips approximation needs backend='native' or 'gudhi', got 'ripser'")
    if precomputed:
        out = _rips_distances(X, args)
        n = out.pop("n")
    else:
        pts = _checks.points(X, "X")
        n = pts.shape[0]
        out = _core.rips_points(pts, metric, args)
    out.setdefault("cocycles", [[] for _ in range(args.maxdim + 1)])
    out["idx_perm"] = np.arange(n)
    out["r_cover"] = 0.0
    return out


def _rips_distances(X, args):
    try:
        import scipy.sparse as sp
        sparse_input = sp.issparse(X)
    except ImportError:
        sparse_input = False
    if sparse_input:
        coo = X.tocoo()
        if coo.shape[0] != coo.shape[1]:
            raise ValueError(f"X: a distance matrix must be square, got shape {coo.shape}")
        d = _checks.array(coo.data, "X (its values)", ndim=1, min_rows=0)
        if (d < 0).any():
            raise ValueError("X: distances must be >= 0")
        lo, hi = np.minimum(coo.row, coo.col), np.maximum(coo.row, coo.col)
        keep = lo != hi
        lo, hi, d = lo[keep], hi[keep], d[keep]
        key = lo.astype(np.int64) * coo.shape[0] + hi
        order = np.lexsort((d, key))
        key, lo, hi, d = key[order], lo[order], hi[order], d[order]
        first = np.ones(len(key), bool)
        first[1:] = key[1:] != key[:-1]
        if not np.array_equal(d[first], d[np.r_[first[1:], True]]):
            raise ValueError("X: the sparse matrix gives an edge two different lengths (not symmetric)")
        out = _core.rips_edges(coo.shape[0], lo[first].astype(np.int64), hi[first].astype(np.int64),
                               d[first].astype(np.float32), args)
        out["n"] = coo.shape[0]
        return out
    dm = _checks.array(X, "X", ndim=2, dtype=np.float32, finite=False)
    if dm.shape[0] != dm.shape[1]:
        raise ValueError(f"X: a distance matrix must be square, got shape {dm.shape}")
    if not np.isfinite(dm).all() or (dm < 0).any():
        raise ValueError("X: distances must be finite and >= 0 (give missing edges as a scipy.sparse matrix)")
    if (np.diag(dm) != 0).any():
        raise ValueError("X: the diagonal of a distance matrix must be 0 (vertex birth times are not supported)")
    if not np.array_equal(dm, dm.T):
        raise ValueError("X: the distance matrix is not symmetric")
    out = _core.rips_distance_matrix(dm, args)
    out["n"] = dm.shape[0]
    return out
