"""Diagram distances against python3-gudhi (bottleneck, hera's Wasserstein), sliced Wasserstein against numpy
written from persim's definition, and the summary transformers against gudhi.representations."""
import gudhi
import gudhi.hera
import numpy as np
import pytest
from gudhi.representations import BettiCurve, Entropy, Landscape, PersistenceImage

import actopo


def random_diagram(rng, n, essential=0):
    b = rng.uniform(0, 1, n)
    d = b + rng.exponential(0.3, n)
    out = np.c_[b, d]
    if essential:
        out = np.r_[out, np.c_[rng.uniform(0, 0.2, essential), np.full(essential, np.inf)]]
    return out


@pytest.fixture
def pairs(rng):
    return [(random_diagram(rng, rng.integers(0, 40), e), random_diagram(rng, rng.integers(1, 40), e))
            for e in (0, 0, 1, 2) for _ in range(3)]


def test_bottleneck_equals_gudhi(pairs):
    for a, b in pairs:
        assert actopo.bottleneck(a, b) == pytest.approx(gudhi.bottleneck_distance(a, b), abs=1e-12)


@pytest.mark.parametrize("order,internal_p", [(1, np.inf), (2, np.inf), (2, 2.0), (1.5, 1.0)])
def test_wasserstein_equals_gudhi_exact(pairs, order, internal_p):
    for a, b in pairs:
        want = gudhi.hera.wasserstein_distance(a, b, order=order, internal_p=internal_p, delta=1e-9)
        got = actopo.wasserstein(a, b, order=order, internal_p=internal_p, delta=0)
        assert got == pytest.approx(want, rel=1e-6, abs=1e-9)


def test_wasserstein_relative_error_is_kept(rng):
    a, b = random_diagram(rng, 400), random_diagram(rng, 450)
    exact = gudhi.hera.wasserstein_distance(a, b, order=2, delta=1e-9)
    got = actopo.wasserstein(a, b, order=2, delta=0.01)
    assert exact * (1 - 1e-9) <= got <= exact * 1.01


def sliced_oracle(a, b, M):
    """persim's sliced Wasserstein, written from its definition (docs/distances.md)."""
    a, b = a[np.isfinite(a[:, 1])], b[np.isfinite(b[:, 1])]
    diag = lambda d: np.c_[(d[:, 0] + d[:, 1]) / 2, (d[:, 0] + d[:, 1]) / 2]
    A, B = np.r_[a, diag(b)], np.r_[b, diag(a)]
    total = 0.0
    for i in range(M):
        theta = np.pi * (0.5 + i / M)
        u = np.array([np.cos(theta), np.sin(theta)])
        total += np.abs(np.sort(A @ u) - np.sort(B @ u)).sum()
    return total / M


def test_sliced_wasserstein_equals_the_definition(pairs):
    for a, b in pairs:
        assert actopo.sliced_wasserstein(a, b, M=37) == pytest.approx(sliced_oracle(a, b, 37), rel=1e-9, abs=1e-12)


def test_pairwise_distances(pairs):
    ds = [a for a, _ in pairs[:6]]
    for metric, one in [("bottleneck", gudhi.bottleneck_distance),
                        ("wasserstein", lambda a, b: gudhi.hera.wasserstein_distance(a, b, order=1, delta=1e-9)),
                        ("sliced_wasserstein", lambda a, b: sliced_oracle(a, b, 50))]:
        m = actopo.pairwise_distances(ds, metric=metric, n_jobs=2, delta=0)
        want = np.array([[one(a, b) for b in ds] for a in ds])
        np.testing.assert_allclose(m, want, rtol=1e-6, atol=1e-9)
        np.testing.assert_array_equal(m, m.T)


def test_transformers_equal_gudhi_representations(rng):
    train = [random_diagram(rng, rng.integers(1, 30)) for _ in range(8)]
    test = [random_diagram(rng, rng.integers(1, 30)) for _ in range(5)]
    betti = actopo.BettiCurve(resolution=50).fit(train)
    lo, hi = betti.sample_range_fit_
    np.testing.assert_array_equal(betti.transform(test),
                                  BettiCurve(resolution=50, sample_range=[lo, hi]).fit_transform(test))
    land = actopo.Landscape(num_landscapes=3, resolution=40, sample_range=(lo, hi)).fit(train)
    np.testing.assert_allclose(land.transform(test) * np.sqrt(2),
                               Landscape(num_landscapes=3, resolution=40, sample_range=[lo, hi]).fit_transform(test),
                               atol=1e-12)
    img = actopo.PersistenceImage(bandwidth=0.05, resolution=10).fit(train)
    blo, bhi, maxp = img.im_range_fit_
    bw, pw = (bhi - blo) / 10, maxp / 10
    gud = PersistenceImage(bandwidth=0.05, resolution=[10, 10], weight=lambda p: min(1.0, p[1] / maxp),
                           im_range=[blo + bw / 2, bhi - bw / 2, pw / 2, maxp - pw / 2])
    # gudhi samples a linspace over im_range (here our pixel centres), row-major with rows = persistence
    want = gud.fit_transform(test)
    np.testing.assert_allclose(img.transform(test), want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(actopo.PersistenceEntropy().fit_transform(test),
                               Entropy(mode="scalar").fit_transform(test), rtol=1e-12)


def test_transformers_as_sklearn_estimators(rng):
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    ds = [random_diagram(rng, 10) for _ in range(4)]
    est = clone(actopo.BettiCurve(resolution=20))
    assert est.get_params() == {"resolution": 20, "sample_range": actopo.BettiCurve().sample_range}
    assert make_pipeline(actopo.Landscape(resolution=10), StandardScaler()).fit_transform(ds).shape == (4, 50)
    with pytest.raises(ValueError, match="fit"):
        actopo.PersistenceImage().transform(ds)


@pytest.mark.parametrize("call,exc,word", [
    (lambda: actopo.bottleneck("x", np.zeros((0, 2))), TypeError, "dgm1"),
    (lambda: actopo.bottleneck(np.zeros((0, 2)), np.ones((3, 3))), ValueError, "dgm2"),
    (lambda: actopo.bottleneck(np.array([[1.0, 0.5]]), np.zeros((0, 2))), ValueError, "dgm1"),
    (lambda: actopo.bottleneck(np.array([[np.nan, 1]]), np.zeros((0, 2))), ValueError, "dgm1"),
    (lambda: actopo.wasserstein(np.zeros((0, 2)), np.zeros((0, 2)), order=0.5), ValueError, "order"),
    (lambda: actopo.wasserstein(np.zeros((0, 2)), np.zeros((0, 2)), internal_p=0), ValueError, "internal_p"),
    (lambda: actopo.wasserstein(np.zeros((0, 2)), np.zeros((0, 2)), delta=-1), ValueError, "delta"),
    (lambda: actopo.sliced_wasserstein(np.zeros((0, 2)), np.zeros((0, 2)), M=0), ValueError, "M"),
    (lambda: actopo.pairwise_distances(np.zeros((3, 2))), TypeError, "diagrams"),
    (lambda: actopo.pairwise_distances([np.zeros((0, 2))], metric="l2"), ValueError, "metric"),
    (lambda: actopo.pairwise_distances([np.zeros((0, 2))], n_jobs="all"), TypeError, "n_jobs"),
    (lambda: actopo.pairwise_distances([np.zeros((0, 2)), [[0, 1, 2]]]), ValueError, r"diagrams\[1\]"),
    (lambda: actopo.BettiCurve(resolution=1).fit([np.zeros((0, 2))]), ValueError, "resolution"),
    (lambda: actopo.Landscape(sample_range=(2, 1)).fit([np.zeros((0, 2))]), ValueError, "sample_range"),
    (lambda: actopo.PersistenceImage(bandwidth=-1).fit([np.zeros((0, 2))]), ValueError, "bandwidth"),
    (lambda: actopo.PersistenceEntropy().fit(5), TypeError, "X"),
])
def test_bad_arguments_name_themselves(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


def test_empty_and_essential():
    empty = np.zeros((0, 2))
    assert actopo.bottleneck(empty, empty) == 0
    a = np.array([[0.0, np.inf], [0.1, 0.5]])
    assert actopo.bottleneck(a, a) == 0
    assert actopo.bottleneck(a, np.array([[0.1, 0.5]])) == np.inf
