"""Argument checks shared by the package: every bad argument raises TypeError or ValueError naming it."""
import numbers
import operator

import numpy as np


def array(value, name, ndim=None, min_rows=1, dtype=np.float64, finite=True):
    """`value` as a C-contiguous array of `dtype` (no copy when it already is one)."""
    if isinstance(value, (str, bytes, dict)) or value is None:
        raise TypeError(f"{name}: expected an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as err:  # ragged lists and the like
        raise ValueError(f"{name}: not an array of numbers ({err})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"{name}: expected an array of numbers, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name}: complex values are not supported")
    if ndim is not None and arr.ndim not in (ndim if isinstance(ndim, tuple) else (ndim,)):
        raise ValueError(f"{name}: expected a {ndim}-dimensional array, got shape {arr.shape}")
    if arr.ndim >= 1 and arr.shape[0] < min_rows:
        raise ValueError(f"{name}: expected at least {min_rows} rows, got {arr.shape[0]}")
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if finite and arr.size and not (np.isfinite(arr.min()) and np.isfinite(arr.max())):  # NaN propagates; no temporary
        raise ValueError(f"{name}: contains NaN or infinite values")
    return arr


def points(value, name, min_rows=1):
    """An (n, d) matrix of finite numbers with n >= min_rows and d >= 1, as float32 (the library's floats)."""
    arr = array(value, name, ndim=2, min_rows=min_rows, dtype=np.float32)
    if arr.shape[1] < 1:
        raise ValueError(f"{name}: expected at least one column, got shape {arr.shape}")
    return arr


def diagram(value, name):
    """An (n, 2) array of (birth, death) pairs: finite births, deaths >= births, +inf allowed for deaths."""
    arr = array(value, name, min_rows=0, finite=False)
    if arr.size == 0:
        return np.zeros((0, 2))
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name}: expected an (n, 2) array of (birth, death), got shape {arr.shape}")
    if np.isnan(arr).any() or not np.isfinite(arr[:, 0]).all():
        raise ValueError(f"{name}: births must be finite and no value NaN")
    if (arr[:, 1] < arr[:, 0]).any():
        raise ValueError(f"{name}: a death is smaller than its birth")
    return arr


def diagrams(values, name):
    if isinstance(values, np.ndarray) and values.ndim == 2:
        raise TypeError(f"{name}: expected a list of diagrams, got one diagram (wrap it in a list)")
    try:
        items = list(values)
    except TypeError:
        raise TypeError(f"{name}: expected a list of (n, 2) diagrams, got {type(values).__name__}") from None
    return [diagram(d, f"{name}[{k}]") for k, d in enumerate(items)]


def integer(value, name, lo=None, hi=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        try:
            value = operator.index(value)
        except TypeError:
            raise TypeError(f"{name}: expected an integer, got {value!r}") from None
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = f"between {lo} and {hi}" if hi is not None else f">= {lo}"
        raise ValueError(f"{name}: expected an integer {bounds}, got {value}")
    return value


def number(value, name, lo=None, hi=None, allow_inf=False, open_lo=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a number, got {value!r}")
    value = float(value)
    bad = np.isnan(value) or (np.isinf(value) and not allow_inf)
    bad = bad or (lo is not None and (value <= lo if open_lo else value < lo)) or (hi is not None and value > hi)
    if bad:
        what = ">" if open_lo else ">="
        bounds = "" if lo is None else f" {what} {lo}" + ("" if hi is None else f" and <= {hi}")
        raise ValueError(f"{name}: expected a number{bounds}{' (or inf)' if allow_inf else ''}, got {value}")
    return value


def choice(value, name, options):
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {', '.join(options)}, got {value!r}")
    if value not in options:
        raise ValueError(f"{name}: expected one of {', '.join(options)}, got {value!r}")
    return value


def boolean(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def threads(n_jobs, name="n_jobs"):
    """scikit-learn's n_jobs (None: 1, -1: all cores) or ripser's n_threads (0: all cores) -> the library's."""
    if n_jobs is None:
        return 1
    n = integer(n_jobs, name, lo=-1, hi=1024)
    return 0 if n in (-1, 0) else n
