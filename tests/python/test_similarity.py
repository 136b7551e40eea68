"""Similarity metrics against numpy (and scipy's Spearman) written here from the papers' formulas."""
import numpy as np
import pytest
from scipy.spatial.distance import pdist
from scipy.stats import spearmanr

import actopo
from conftest import peak_memory_growth


def centre(x):
    return x - x.mean(0)


def cka_from_grams(k, l):
    n = k.shape[0]
    h = np.eye(n) - 1.0 / n
    kc, lc = h @ k @ h, h @ l @ h
    return (kc * lc).sum() / (np.linalg.norm(kc) * np.linalg.norm(lc))


def hsic_unbiased(k, l):  # Song et al. 2012, eq. 5
    n = k.shape[0]
    k, l = k - np.diag(np.diag(k)), l - np.diag(np.diag(l))
    one = np.ones(n)
    return (np.trace(k @ l) + (one @ k @ one) * (one @ l @ one) / ((n - 1) * (n - 2))
            - 2.0 / (n - 2) * (one @ k @ l @ one)) / (n * (n - 3))


def rbf_gram(x):
    d = pdist(x)
    sigma = np.sort(d)[len(d) // 2]  # the median (an odd number of pairs here)
    sq = ((x[:, None] - x[None]) ** 2).sum(-1)
    return np.exp(-sq / (2 * sigma ** 2))


def basis(x):
    u, s, _ = np.linalg.svd(centre(x), full_matrices=False)
    return u[:, s > s[0] * 1e-10 * max(x.shape)]


def cca(x, y):
    return np.clip(np.linalg.svd(basis(x).T @ basis(y), compute_uv=False), None, 1)


def svcca(x, y, keep=0.99):
    def reduce(m):
        u, s, _ = np.linalg.svd(centre(m), full_matrices=False)
        k = max(1, int(np.searchsorted(np.cumsum(s ** 2), keep * (s ** 2).sum()) + 1))
        return u[:, :k] * s[:k]
    return cca(reduce(x), reduce(y)).mean()


def pwcca(x, y):
    def side(a, b):
        qa, qb = basis(a), basis(b)
        u, rho, _ = np.linalg.svd(qa.T @ qb, full_matrices=False)
        rho = np.clip(rho, None, 1)
        h = qa @ u[:, : len(rho)]
        alpha = np.abs(h.T @ centre(a)).sum(1)
        return alpha @ rho / alpha.sum()
    return 0.5 * (side(x, y) + side(y, x))


def nuclear(x, y):
    xn, yn = centre(x) / np.linalg.norm(centre(x)), centre(y) / np.linalg.norm(centre(y))
    return np.linalg.svd(xn.T @ yn, compute_uv=False).sum()


@pytest.fixture
def layers(rng):
    n = 30  # 435 pairs: an odd count, one median
    x = rng.normal(size=(n, 6))
    y = np.tanh(x @ rng.normal(size=(6, 5))) + 0.3 * rng.normal(size=(n, 5))
    return x, y


def test_every_metric_equals_numpy(layers):
    x, y = layers
    lin = lambda a: a @ a.T
    cases = [
        (actopo.cka(x, y), cka_from_grams(lin(centre(x)), lin(centre(y)))),
        (actopo.cka(x, y, kernel="rbf"), cka_from_grams(rbf_gram(x), rbf_gram(y))),
        (actopo.cka(x, y, debiased=True),
         hsic_unbiased(lin(centre(x)), lin(centre(y)))
         / np.sqrt(hsic_unbiased(lin(centre(x)), lin(centre(x))) * hsic_unbiased(lin(centre(y)), lin(centre(y))))),
        (actopo.svcca(x, y), svcca(x, y)),
        (actopo.pwcca(x, y), pwcca(x, y)),
        (actopo.procrustes(x, y), 2 - 2 * nuclear(x, y)),
        (actopo.procrustes(x, y, angular=True), np.arccos(min(1.0, nuclear(x, y)))),
        (actopo.rsa(x, y), spearmanr(pdist(x), pdist(y)).correlation),
    ]
    for k, (got, want) in enumerate(cases):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12), f"case {k}"


def test_invariances_and_conv_layers(rng, layers):
    x, _ = layers
    q = np.linalg.qr(rng.normal(size=(6, 6)))[0]
    assert actopo.cka(x, 3 * x @ q + 1) == pytest.approx(1.0)
    conv = rng.normal(size=(30, 2, 3, 3)).astype(np.float32)  # rows are flattened
    assert actopo.cka(conv, x) == pytest.approx(actopo.cka(conv.reshape(30, -1), x))


def test_float64_rows_are_read_in_place(layers):
    x, y = layers
    ro = [np.frombuffer(a.tobytes()).reshape(a.shape) for a in (x, y)]  # read-only, not owned by numpy
    assert actopo.cka(*ro) == pytest.approx(cka_from_grams(centre(x) @ centre(x).T, centre(y) @ centre(y).T), rel=1e-9)
    # no copy: rsa of 12 inputs x 2^17 features (12 MB a layer) needs only the 12 x 12 distances
    rng = np.random.default_rng(3)
    wide = [rng.standard_normal((12, 1 << 17)) for _ in range(2)]
    grown = peak_memory_growth(lambda: actopo.rsa(*wide))
    assert grown < wide[0].nbytes // 4, f"the peak memory grew by {grown} bytes for two {wide[0].nbytes}-byte layers"


def test_similarity_matrix(layers):
    x, y = layers
    m = actopo.similarity_matrix({"a": x, "b": y, "c": x[:, :3]}, metric="rsa")
    assert m.shape == (3, 3)
    assert m[0, 1] == pytest.approx(spearmanr(pdist(x), pdist(y)).correlation, rel=1e-9)
    assert m[2, 0] == pytest.approx(spearmanr(pdist(x[:, :3]), pdist(x)).correlation, rel=1e-9)
    np.testing.assert_allclose(np.diag(m), 1.0)


@pytest.mark.parametrize("call,exc,word", [
    (lambda x, y: actopo.cka(x, y[:10]), ValueError, "Y"),
    (lambda x, y: actopo.cka(x[:2], y[:2]), ValueError, "X"),
    (lambda x, y: actopo.cka("x", y), TypeError, "X"),
    (lambda x, y: actopo.cka(x, np.where(y > 0, np.nan, y)), ValueError, "Y"),
    (lambda x, y: actopo.cka(x, y, kernel="poly"), ValueError, "kernel"),
    (lambda x, y: actopo.cka(x, y, kernel="rbf", debiased=True), ValueError, "debiased"),
    (lambda x, y: actopo.cka(x[:, 0], y), ValueError, "X"),
    (lambda x, y: actopo.procrustes(x, y, angular=1), TypeError, "angular"),
    (lambda x, y: actopo.similarity_matrix([x, y]), TypeError, "layers"),
    (lambda x, y: actopo.similarity_matrix({"a": x}, metric="cca"), ValueError, "metric"),
    (lambda x, y: actopo.similarity_matrix({"a": x, "b": y[:9]}), ValueError, "layers"),
    (lambda x, y: actopo.pwcca(x[:6], y[:6]), ValueError, "inputs"),  # the library's own refusal
])
def test_bad_arguments_name_themselves(layers, call, exc, word):
    with pytest.raises(exc, match=word):
        call(*layers)
