"""actopo.rips against the `ripser` executable and python3-gudhi on clouds the library was never tuned on."""
import numpy as np
import pytest
import scipy.sparse

import actopo
from conftest import assert_same_diagrams, gudhi_rips, noisy_circles, peak_memory_growth, ripser_executable


@pytest.mark.parametrize("seed", [101, 202, 303])
def test_equals_ripser_executable_and_gudhi(seed):
    X = noisy_circles(seed, n=70)
    want_ripser = ripser_executable(X, maxdim=2)
    want_gudhi = gudhi_rips(X, maxdim=1)
    for backend in ["native", "gudhi", "ripser"]:
        got = actopo.rips(X, maxdim=2, backend=backend)
        assert set(got) >= {"dgms", "cocycles", "num_edges", "idx_perm", "r_cover"}
        assert [d.shape[1] for d in got["dgms"]] == [2, 2, 2] and all(d.dtype == np.float64 for d in got["dgms"])
        assert got["meta"]["backend"] == backend
        assert_same_diagrams(got["dgms"], want_ripser)
        assert_same_diagrams(got["dgms"][:2], want_gudhi)
        assert np.isinf(got["dgms"][0][:, 1]).sum() == 1  # one component, its death np.inf
        assert got["num_edges"] == 70 * 69 // 2


def test_threshold_distance_matrix_and_num_edges():
    X = noisy_circles(404, n=80, dim=4)
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    t = float(np.quantile(D[np.triu_indices(80, 1)], 0.3))
    got = actopo.rips(D, maxdim=1, thresh=t, distance_matrix=True)
    assert_same_diagrams(got["dgms"], ripser_executable(D, maxdim=1, thresh=t, distance_matrix=True))
    assert got["num_edges"] == int((D[np.triu_indices(80, 1)] <= np.float32(t)).sum())
    assert np.isinf(got["dgms"][0][:, 1]).sum() > 1  # cut below the enclosing radius: several components
    same = actopo.rips(D, maxdim=1, thresh=t, metric="precomputed")
    assert all(np.array_equal(a, b) for a, b in zip(same["dgms"], got["dgms"]))


def test_sparse_distance_matrix_is_the_thresholded_one():
    X = noisy_circles(505, n=70)
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    t = 1.0
    S = scipy.sparse.coo_matrix(np.triu(np.where(D <= t, D, 0), 1))  # upper triangle only, as users give it
    got = actopo.rips(S, maxdim=1, distance_matrix=True)
    assert_same_diagrams(got["dgms"], gudhi_rips(D, maxdim=1, thresh=t, distance_matrix=True))


@pytest.mark.parametrize("metric", ["cosine", "correlation"])
def test_metrics_equal_ripser_on_numpy_distances(metric):
    X = noisy_circles(606, n=60, dim=5) + 3.0
    if metric == "correlation":
        X = X - X.mean(1, keepdims=True)
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    D = np.clip(1 - U @ U.T, 0, None)
    np.fill_diagonal(D, 0)
    got = actopo.rips(X, maxdim=1, metric=metric)
    assert_same_diagrams(got["dgms"], ripser_executable(D, maxdim=1, distance_matrix=True), atol=2e-5)


def test_coefficients_equal_ripser_coeff():
    # the real projective plane's triangulation sample: Z/2 and Z/3 differ in H1/H2 for RP^2-like data; here a
    # held-out random cloud must at least agree with ripser-coeff for p = 3
    X = noisy_circles(707, n=60)
    got = actopo.rips(X, maxdim=1, coeff=3)
    assert_same_diagrams(got["dgms"], ripser_executable(X, maxdim=1, coeff=3))


def test_float32_input_and_threads_give_the_same():
    X = noisy_circles(808, n=100).astype(np.float32)
    a = actopo.rips(X, n_threads=1)["dgms"]
    b = actopo.rips(np.asfortranarray(X), n_threads=2)["dgms"]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_float32_cloud_is_read_in_place():
    # a read-only array over memory numpy does not own (bytes) is computed on as it lies
    X = noisy_circles(909, n=60).astype(np.float32)
    view = np.frombuffer(X.tobytes(), dtype=np.float32).reshape(X.shape)
    assert not view.flags.writeable and not view.flags.owndata
    assert_same_diagrams(actopo.rips(view, maxdim=1)["dgms"], ripser_executable(X, maxdim=1))
    # no copy: 8 points of 2^19 coordinates (16 MB) raise the peak memory by far less than the cloud
    wide = np.random.default_rng(9).standard_normal((8, 1 << 19), dtype=np.float32)
    grown = peak_memory_growth(lambda: actopo.rips(wide, maxdim=0, n_threads=1))
    assert grown < wide.nbytes // 4, f"the peak memory grew by {grown} bytes for a {wide.nbytes}-byte cloud"


@pytest.mark.parametrize("backend", ["native", "gudhi"])
def test_num_edges_of_a_thresholded_cloud(backend):
    X = noisy_circles(1010, n=70).astype(np.float32)
    d = np.sort(np.sqrt(((X[:, None, :].astype(np.float64) - X[None, :, :]) ** 2).sum(-1))[np.triu_indices(70, 1)])
    k = int(0.3 * len(d))
    t = float(d[k - 1] + d[k]) / 2  # between two distances, far from either in float32
    got = actopo.rips(X, maxdim=1, thresh=t, backend=backend)
    assert got["num_edges"] == k
    assert_same_diagrams(got["dgms"], ripser_executable(X, maxdim=1, thresh=t))


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(X="points"), TypeError, "X"),
    (dict(X=np.zeros((0, 3))), ValueError, "X"),
    (dict(X=np.ones(5)), ValueError, "X"),
    (dict(X=np.array([[0, np.nan], [1, 1.0]])), ValueError, "X"),
    (dict(maxdim=-1), ValueError, "maxdim"),
    (dict(maxdim=1.5), TypeError, "maxdim"),
    (dict(thresh=-1), ValueError, "thresh"),
    (dict(thresh="big"), TypeError, "thresh"),
    (dict(coeff=4), ValueError, "coeff"),
    (dict(metric="manhattan"), ValueError, "metric"),
    (dict(metric=len), TypeError, "metric"),
    (dict(n_threads=-3), ValueError, "n_threads"),
    (dict(backend="dionysus"), ValueError, "backend"),
    (dict(distance_matrix="yes"), TypeError, "distance_matrix"),
    (dict(distance_matrix=True), ValueError, "X"),       # 4 x 2 is not square
    (dict(sparse=0.5, backend="ripser"), ValueError, "sparse"),  # sparse Rips needs the native or gudhi backend
])
def test_bad_arguments_name_themselves(kwargs, exc, word):
    args = dict(X=np.random.default_rng(0).normal(size=(4, 2)))
    args.update(kwargs)
    with pytest.raises(exc, match=word):
        actopo.rips(args.pop("X"), **args)


def test_bad_distance_matrices():
    D = np.array([[0, 1, 2], [1, 0, 3], [2, 3, 0]], float)
    inf = np.where(D == 3, np.inf, D)
    for bad, word in [(D + np.eye(3), "diagonal"), (D - 5 * (D > 2), ">= 0"), (np.triu(D), "symmetric"),
                      (inf, "sparse")]:
        with pytest.raises(ValueError, match=word):
            actopo.rips(bad, distance_matrix=True)


def test_representatives_wind_around_the_circles():
    """The cycles of actopo.rips(..., representatives=2) on two separate circles: each loop's vertices come from
    one circle and go once around its centre (winding computed here with numpy), the cocycles have ripser.py's
    layout with the value 1 on the birth edge, and other backends refuse."""
    rng = np.random.default_rng(9)
    t = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    centres = np.array([[0.0, 0.0], [5.0, 0.0]])
    X = np.concatenate([np.c_[np.cos(t), np.sin(t)] + c for c in centres]) + rng.normal(0, 0.03, (80, 2))
    got = actopo.rips(X, maxdim=1, representatives=2)
    assert len(got["cycles"]) == 2 and got["representatives"][1].shape == (2, 2)
    longest = np.sort(got["dgms"][1][:, 1] - got["dgms"][1][:, 0])[::-1][:2]
    assert np.allclose(got["representatives"][1][:, 1] - got["representatives"][1][:, 0], longest)
    circles = set()
    for z, cocycle in zip(got["cycles"], got["cocycles"][1]):
        assert cocycle.shape[1] == 3 and (cocycle[:, 2] > 0).all() and (cocycle[:, 2] < 2).all()
        circle = set(z // 40)
        assert len(circle) == 1
        circles |= circle
        p = X[z] - centres[z[0] // 40]
        angles = np.diff(np.unwrap(np.r_[np.arctan2(p[:, 1], p[:, 0]), np.arctan2(p[0, 1], p[0, 0])]))
        assert abs(round(angles.sum() / (2 * np.pi))) == 1
    assert circles == {0, 1}
    with pytest.raises(ValueError, match="native"):
        actopo.rips(X, maxdim=1, representatives=1, backend="gudhi")


def test_gil_is_released_while_computing():
    """While actopo.rips computes in one thread, another runs Python. Counted in the middle 40 % of the call
    (away from the argument checks and the result's conversion, which hold the GIL): with the GIL held there
    the other thread cannot run a single iteration (checked by removing the release: 0)."""
    import threading
    import time
    X = np.random.default_rng(4).normal(size=(1200, 3))
    started, span = threading.Event(), {}

    def work():
        started.set()
        span["t0"] = time.perf_counter()
        span["res"] = actopo.rips(X, maxdim=1, n_threads=1)
        span["t1"] = time.perf_counter()

    worker = threading.Thread(target=work)
    worker.start()
    started.wait()
    stamps = []
    while worker.is_alive():
        stamps.append(time.perf_counter())
        sum(range(100))  # bytecode that needs the GIL
    worker.join()
    assert len(span["res"]["dgms"]) == 2
    t0, t1 = span["t0"], span["t1"]
    middle = [s for s in stamps if t0 + 0.3 * (t1 - t0) <= s <= t0 + 0.7 * (t1 - t0)]
    assert len(middle) > 100
