"""Oracle for the diagram summaries in tests/distances: python3-gudhi's gudhi.representations
(BettiCurve, Landscape, PersistenceImage, Entropy), run at test time.

gudhi.representations imports scikit-learn (and joblib) at module level. The four classes used here
need none of it once the sampling ranges are given, so when scikit-learn is missing we install
minimal stand-ins for the imported names (BaseEstimator, TransformerMixin.fit_transform, ...) before
importing gudhi; every number still comes from gudhi's own code. The first output line says which.

Input (argv[1]): blocks 'case LO HI SAMPLES LEVELS RES SIGMA BLO BHI MAXP' then 'n' and n lines 'b d'
('inf' allowed). Output per case, one line each:
  betti <SAMPLES values>        BettiCurve(resolution=SAMPLES, sample_range=[LO, HI])
  landscape <LEVELS*SAMPLES>    Landscape(num_landscapes=LEVELS, ...) (gudhi scales by sqrt 2)
  image <RES*RES>               PersistenceImage(bandwidth=SIGMA, weight=min(1, pers/MAXP)) sampled at
                                the pixel centres of [BLO, BHI] x [0, MAXP]
  entropy <value>               Entropy(mode='scalar') (finite pairs)
"""
import sys
import types

try:
    import sklearn  # noqa: F401
    SKLEARN = "scikit-learn"
except ImportError:
    SKLEARN = "stand-ins"

    class BaseEstimator:
        pass

    class TransformerMixin:
        def fit_transform(self, X, y=None, **kw):
            return self.fit(X, y).transform(X)

    class _Unused:
        def __init__(self, *a, **k):
            raise RuntimeError("scikit-learn stand-in called: give explicit ranges")

    def _unused(*a, **k):
        raise RuntimeError("scikit-learn stand-in called")

    def module(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    module("sklearn")
    module("sklearn.base", BaseEstimator=BaseEstimator, TransformerMixin=TransformerMixin)
    module("sklearn.exceptions", NotFittedError=RuntimeError)
    module("sklearn.preprocessing", MinMaxScaler=_Unused, MaxAbsScaler=_Unused, StandardScaler=_Unused)
    pairwise = module("sklearn.metrics.pairwise", pairwise_distances=_unused)
    module("sklearn.metrics", pairwise=pairwise, pairwise_distances=_unused, pairwise_kernels=_unused,
           DistanceMetric=_Unused)
    module("sklearn.neighbors", DistanceMetric=_Unused)
    try:
        import joblib  # noqa: F401
    except ImportError:
        module("joblib", Parallel=_Unused, delayed=_unused)

import numpy as np
from gudhi.representations import BettiCurve, Entropy, Landscape, PersistenceImage


def out(name, values):
    print(name, " ".join(repr(float(v)) for v in np.ravel(values)))


def main():
    lines = [l for l in open(sys.argv[1]).read().split("\n") if l.strip()]
    print("sklearn", SKLEARN)
    k = 0
    while k < len(lines):
        head = lines[k].split()
        lo, hi = float(head[1]), float(head[2])
        samples, levels, res = int(head[3]), int(head[4]), int(head[5])
        sigma, blo, bhi, maxp = (float(x) for x in head[6:10])
        n = int(lines[k + 1])
        pts = np.array([[float(x) for x in lines[k + 2 + i].split()] for i in range(n)], dtype=float).reshape(n, 2)
        k += 2 + n
        finite = pts[np.isfinite(pts[:, 1])]
        finite = finite[finite[:, 1] > finite[:, 0]]
        out("betti", BettiCurve(resolution=samples, sample_range=[lo, hi])(pts))
        out("landscape", Landscape(num_landscapes=levels, resolution=samples, sample_range=[lo, hi])(finite))
        bw, pw = (bhi - blo) / res, maxp / res
        image = PersistenceImage(bandwidth=sigma, weight=lambda q: min(1.0, q[1] / maxp), resolution=[res, res],
                                 im_range=[blo + bw / 2, bhi - bw / 2, pw / 2, maxp - pw / 2])
        out("image", image(finite) if len(finite) else np.zeros(res * res))
        out("entropy", Entropy(mode="scalar")(finite) if len(finite) else [0.0])


main()
