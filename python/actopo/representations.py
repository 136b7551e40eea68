"""Vector summaries of persistence diagrams as scikit-learn style transformers (fit on a list of diagrams,
transform a list into an (n_diagrams, n_features) array), with gudhi.representations' argument names. The
numbers come from actopo's C++ summaries (docs/distances.md): Betti curves, Bubenik's landscapes (gudhi's are
these times sqrt 2), persistence images weighted by min(1, persistence / max persistence), entropy."""
import inspect

import numpy as np

from . import _checks, _core


class _Transformer:
    """fit/transform/fit_transform and get_params/set_params (so that sklearn.base.clone and Pipeline work)."""

    def get_params(self, deep=True):
        return {k: getattr(self, k) for k in inspect.signature(type(self).__init__).parameters if k != "self"}

    def set_params(self, **params):
        valid = self.get_params()
        for k, v in params.items():
            if k not in valid:
                raise ValueError(f"{k}: not a parameter of {type(self).__name__} ({', '.join(valid)})")
            setattr(self, k, v)
        return self

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform(X)

    def _fitted(self, attribute):
        if not hasattr(self, attribute):
            raise ValueError(f"{type(self).__name__}: call fit before transform")
        return getattr(self, attribute)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_params().items())})"


def _range(sample_range, name):
    r = _checks.array(sample_range, name, ndim=1, finite=False)
    if r.shape != (2,) or (np.isfinite(r).all() and not r[0] < r[1]) or np.isinf(r).any():
        raise ValueError(f"{name}: expected [lo, hi] with lo < hi (NaN: from the data), got {list(r)}")
    return r


class _Sampled(_Transformer):
    def fit(self, X, y=None):
        ds = _checks.diagrams(X, "X")
        self._samples = _checks.integer(self.resolution, "resolution", 2, 10 ** 7)
        r = _range(self.sample_range, "sample_range")
        lo, hi = _core.grid_for(ds, self._samples) if np.isnan(r).any() else (None, None)
        self.sample_range_fit_ = (r[0] if not np.isnan(r[0]) else lo, r[1] if not np.isnan(r[1]) else hi)
        if not self.sample_range_fit_[0] < self.sample_range_fit_[1]:
            raise ValueError(f"sample_range: the range {self.sample_range_fit_} is empty")
        self.grid_ = np.linspace(*self.sample_range_fit_, self._samples)
        return self


class BettiCurve(_Sampled):
    """beta(t) = #{pairs with birth <= t < death} at ``resolution`` points of ``sample_range`` (from the
    fitted diagrams where NaN: smallest birth to largest finite death or essential birth)."""

    def __init__(self, resolution=100, sample_range=(np.nan, np.nan)):
        self.resolution, self.sample_range = resolution, sample_range

    def transform(self, X):
        lo, hi = self._fitted("sample_range_fit_")
        return _core.betti_curves(_checks.diagrams(X, "X"), lo, hi, self._samples)


class Landscape(_Sampled):
    """Persistence landscapes lambda_1..lambda_num_landscapes sampled at ``resolution`` points, level-major."""

    def __init__(self, num_landscapes=5, resolution=100, sample_range=(np.nan, np.nan)):
        self.num_landscapes, self.resolution, self.sample_range = num_landscapes, resolution, sample_range

    def transform(self, X):
        lo, hi = self._fitted("sample_range_fit_")
        levels = _checks.integer(self.num_landscapes, "num_landscapes", 1, 10 ** 6)
        return _core.landscapes(_checks.diagrams(X, "X"), levels, lo, hi, self._samples)


class PersistenceImage(_Transformer):
    """Persistence images of ``resolution`` x ``resolution`` pixels (row 0: lowest persistence), Gaussian of
    std ``bandwidth`` (0: one pixel height) at the pixel centres; ``im_range`` = (birth_lo, birth_hi,
    max_persistence), NaN entries taken from the fitted diagrams."""

    def __init__(self, bandwidth=0.0, resolution=20, im_range=(np.nan, np.nan, np.nan)):
        self.bandwidth, self.resolution, self.im_range = bandwidth, resolution, im_range

    def fit(self, X, y=None):
        ds = _checks.diagrams(X, "X")
        res = _checks.integer(self.resolution, "resolution", 1, 10 ** 4)
        sigma = _checks.number(self.bandwidth, "bandwidth", lo=0)
        given = _checks.array(self.im_range, "im_range", ndim=1, finite=False)
        if given.shape != (3,) or np.isinf(given).any():
            raise ValueError(f"im_range: expected (birth_lo, birth_hi, max_persistence), NaN for from the data")
        fitted = _core.image_range(ds, res, sigma)
        rng = [fitted[k] if np.isnan(given[k]) else given[k] for k in range(3)]
        if not (rng[0] < rng[1] and rng[2] > 0):
            raise ValueError(f"im_range: expected birth_lo < birth_hi and max_persistence > 0, got {rng}")
        self._resolution, self.im_range_fit_ = res, tuple(rng)
        self.sigma_ = sigma if sigma > 0 else rng[2] / res
        return self

    def transform(self, X):
        lo, hi, maxp = self._fitted("im_range_fit_")
        return _core.images(_checks.diagrams(X, "X"), self._resolution, self.sigma_, lo, hi, maxp)


class PersistenceEntropy(_Transformer):
    """-sum (l_i / L) log(l_i / L) over the finite lifetimes l_i (L their sum); one column."""

    def __init__(self):
        pass

    def fit(self, X, y=None):
        _checks.diagrams(X, "X")
        self.fitted_ = True
        return self

    def transform(self, X):
        self._fitted("fitted_")
        return _core.entropies(_checks.diagrams(X, "X"))
