"""Shared helpers of the Python package's tests (run by ctest with PYTHONPATH=<build>/python, Debian's python3).

The oracles are independent of actopo: the `ripser` executable, python3-gudhi, numpy written from the formula,
scikit-learn, h5py; never actopo itself."""
import os
import re
import subprocess

import numpy as np
import pytest

BUILD_DIR = os.environ.get("ACTOPO_BUILD_DIR", "")
WITH_TORCH = os.environ.get("ACTOPO_WITH_TORCH", "1") not in ("0", "FALSE", "OFF", "")


def ripser_executable(X, maxdim=1, thresh=None, coeff=2, distance_matrix=False):
    """Diagrams from Debian's `ripser` (`ripser-coeff` for coeff != 2), a list of (n, 2) arrays."""
    cmd = ["ripser" if coeff == 2 else "ripser-coeff", "--dim", str(maxdim),
           "--format", "distance" if distance_matrix else "point-cloud"]
    if thresh is not None:
        cmd += ["--threshold", repr(float(thresh))]
    if coeff != 2:
        cmd += ["--modulus", str(coeff)]
    text = "\n".join(",".join(repr(float(v)) for v in row) for row in np.asarray(X)) + "\n"
    out = subprocess.run(cmd, input=text, capture_output=True, text=True, check=True).stdout
    dgms = [[] for _ in range(maxdim + 1)]
    dim = None
    for line in out.splitlines():
        m = re.match(r"persistence intervals in dim (\d+):", line)
        if m:
            dim = int(m.group(1))
            continue
        m = re.match(r"\s*\[([^,]+),\s*([^)]*)\)", line)
        if m and dim is not None:
            death = float(m.group(2)) if m.group(2).strip() else np.inf
            dgms[dim].append((float(m.group(1)), death))
    return [np.array(d, dtype=float).reshape(-1, 2) for d in dgms]


def gudhi_rips(X, maxdim=1, thresh=np.inf, distance_matrix=False):
    import gudhi

    rc = gudhi.RipsComplex(distance_matrix=X, max_edge_length=thresh) if distance_matrix else \
        gudhi.RipsComplex(points=X, max_edge_length=thresh)
    st = rc.create_simplex_tree(max_dimension=maxdim + 1)
    st.compute_persistence(homology_coeff_field=2)
    return [np.array(st.persistence_intervals_in_dimension(k), dtype=float).reshape(-1, 2) for k in range(maxdim + 1)]


def canonical(dgm):
    """A diagram without zero-length pairs, rows sorted, for comparison."""
    d = np.asarray(dgm, dtype=float).reshape(-1, 2)
    d = d[d[:, 1] > d[:, 0]]
    return d[np.lexsort((d[:, 1], d[:, 0]))]


def assert_same_diagrams(got, want, rtol=1e-5, atol=1e-5):
    assert len(got) == len(want)
    for k, (g, w) in enumerate(zip(got, want)):
        g, w = canonical(g), canonical(w)
        assert g.shape == w.shape, f"H{k}: {g.shape[0]} pairs, expected {w.shape[0]}"
        assert np.array_equal(np.isinf(g), np.isinf(w)), f"H{k}: essential classes differ"
        fin = np.isfinite(w)
        np.testing.assert_allclose(g[fin], w[fin], rtol=rtol, atol=atol, err_msg=f"H{k}")


def noisy_circles(seed, n=120, dim=3):
    """A held-out cloud: two noisy circles of random radii in a random plane of R^dim, plus noise points."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(rng.random(n) < 0.5, rng.uniform(0.5, 1.0), rng.uniform(1.5, 2.5))
    plane = np.linalg.qr(rng.normal(size=(dim, 2)))[0]
    X = (np.c_[radius * np.cos(t), radius * np.sin(t)] @ plane.T) + rng.normal(scale=0.05, size=(n, dim))
    X[: n // 10] = rng.uniform(-2, 2, size=(n // 10, dim))
    return X


def peak_memory_growth(fn):
    """Bytes by which this process's peak resident memory rose above its resident memory while fn() ran (Linux:
    /proc/self/clear_refs resets the peak, VmHWM). A copy of an input shows up as that input's size."""
    def status(key):
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith(key))

    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status("VmRSS:")
    assert status("VmHWM:") <= before + (1 << 20), "the peak did not reset"
    fn()
    return status("VmHWM:") - before


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
