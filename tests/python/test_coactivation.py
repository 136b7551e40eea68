"""actopo.coactivation against scipy's Spearman/Pearson correlations and networkx's modularity."""
import h5py
import networkx as nx
import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr

import actopo


@pytest.fixture
def store(tmp_path, rng):
    n = 120
    z = rng.normal(size=(n, 3))
    a = np.c_[z[:, [0, 0, 0, 1, 1]] + 0.4 * rng.normal(size=(n, 5)), np.ones(n)]  # a:5 is constant
    b = np.c_[z[:, [0, 1, 2, 2]] + 0.4 * rng.normal(size=(n, 4))]
    logits = np.c_[z[:, 0], z[:, 1], z[:, 2]] + 0.3 * rng.normal(size=(n, 3))
    path = tmp_path / "acts.h5"
    with h5py.File(path, "w") as f:
        f["inputs/labels"] = logits.argmax(1).astype(np.int64)
        f["inputs/predictions"] = logits.argmax(1).astype(np.int64)
        f["inputs/logits"] = logits.astype(np.float32)
        f["layers/a/activations"] = a.astype(np.float32)
        f["layers/b/activations"] = b.astype(np.float32)
    columns = {f"a:{i}": a[:, i] for i in range(5)}
    columns.update({f"b:{i}": b[:, i] for i in range(4)})
    return path, columns, logits.astype(np.float32)


@pytest.mark.parametrize("correlation", ["spearman", "pearson"])
def test_edges_are_the_correlations_above_threshold(store, correlation):
    path, columns, logits = store
    with pytest.warns(UserWarning, match="a:5"):
        res = actopo.coactivation(actopo.Store(path), correlation=correlation, threshold=0.5, seed=1)
    assert res.dropped == ["a:5"]
    g = res.graph
    neurons = {name for name, d in g.nodes(data=True) if d["kind"] == "neuron"}
    assert neurons == set(columns)
    classes = [name for name, d in g.nodes(data=True) if d["kind"] == "class"]
    assert len(classes) == 3
    values = dict(columns)
    for name in classes:
        values[name] = logits[:, g.nodes[name]["class"]]
    corr = spearmanr if correlation == "spearman" else pearsonr
    names = sorted(values)
    want = {}
    for i, u in enumerate(names):
        for v in names[i + 1:]:
            r = corr(values[u], values[v])[0]
            if abs(r) >= 0.5:
                want[frozenset((u, v))] = r
    got = {frozenset(e): d["weight"] for *e, d in [(u, v, d) for u, v, d in g.edges(data=True)]}
    assert got.keys() == want.keys()
    for k in want:
        assert got[k] == pytest.approx(want[k], abs=1e-6)
    h = nx.Graph()
    h.add_nodes_from(g)
    h.add_weighted_edges_from((u, v, abs(d["weight"])) for u, v, d in g.edges(data=True))
    assert res.modularity == pytest.approx(nx.algorithms.community.modularity(h, res.communities), abs=1e-9)
    assert set().union(*res.communities) == set(g)


def test_bad_arguments(store):
    path = store[0]
    for kwargs, exc, word in [(dict(store=5), TypeError, "store"), (dict(correlation="kendall"), ValueError, "correlation"),
                              (dict(threshold=2), ValueError, "threshold"), (dict(layers="a"), TypeError, "layers"),
                              (dict(layers=["c"]), ValueError, "c"), (dict(community="infomap"), ValueError, "community"),
                              (dict(within=False, between=False), ValueError, "within")]:
        args = dict(store=path)
        args.update(kwargs)
        with pytest.raises(exc, match=word):
            actopo.coactivation(**args)
