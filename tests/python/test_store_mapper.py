"""actopo.Store against h5py on a store written by h5py (docs/formats.md); Mapper against scikit-learn's DBSCAN
and the cover and nerve written from their definitions in numpy."""
import json

import h5py
import numpy as np
import pytest
from sklearn.cluster import DBSCAN

import actopo


@pytest.fixture
def store_path(tmp_path, rng):
    n = 40
    path = tmp_path / "acts.h5"
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "actopo-activations"
        f.attrs["version"] = 1
        f["inputs/index"] = np.arange(100, 100 + n, dtype=np.int64)
        f["inputs/labels"] = rng.integers(0, 3, n).astype(np.int64)
        f["inputs/predictions"] = rng.integers(0, 3, n).astype(np.int64)
        f["inputs/logits"] = rng.normal(size=(n, 3)).astype(np.float32)
        f["layers/conv1/activations"] = rng.normal(size=(n, 4, 3, 3)).astype(np.float32)
        f["layers/fc1/activations"] = rng.normal(size=(n, 7)).astype(np.float32)
    return path


def test_store_reads_what_h5py_wrote(store_path):
    s = actopo.Store(store_path)
    with h5py.File(store_path) as f:
        assert sorted(s.layers) == ["conv1", "fc1"] and len(s) == 40 and "fc1" in s
        np.testing.assert_array_equal(s.labels, f["inputs/labels"][:])
        np.testing.assert_array_equal(s.predictions, f["inputs/predictions"][:])
        np.testing.assert_array_equal(s.index, f["inputs/index"][:])
        np.testing.assert_array_equal(s.logits, f["inputs/logits"][:])
        conv = s["conv1"]
        assert conv.shape == (40, 4, 3, 3) and conv.dtype == np.float32 and len(conv) == 40
        np.testing.assert_array_equal(np.asarray(conv), f["layers/conv1/activations"][:])
        np.testing.assert_array_equal(conv[5:9], f["layers/conv1/activations"][5:9])
        np.testing.assert_array_equal(conv[-1], f["layers/conv1/activations"][39])
        np.testing.assert_array_equal(conv[::3], f["layers/conv1/activations"][::3])
        a = f["layers/conv1/activations"][:]
        pooled = s.sample("conv1", method="avgpool")
        np.testing.assert_allclose(pooled.points, a.mean(axis=(2, 3)), rtol=1e-6)
        np.testing.assert_array_equal(pooled.input_ids, f["inputs/index"][:])
        sub = s.sample("fc1", method="flatten", points=10, seed=3, classes=[0, 1])
        rows = sub.input_ids - 100
        assert len(set(rows)) == 10 and set(sub.labels) <= {0, 1}
        np.testing.assert_array_equal(sub.points, f["layers/fc1/activations"][:][rows])
        np.testing.assert_array_equal(sub.labels, f["inputs/labels"][:][rows])
        # normalisations written here from their definitions (scipy's pdist for the pairwise distances)
        from scipy.spatial.distance import pdist
        raw = f["layers/fc1/activations"][:].astype(np.float64)
        for how, scale in (("mean-distance", pdist(raw).mean()), ("diameter", pdist(raw).max())):
            np.testing.assert_allclose(s.sample("fc1", method="flatten", normalize=how).points, raw / scale, rtol=1e-5)
        z = (raw - raw.mean(axis=0)) / raw.std(axis=0)
        np.testing.assert_allclose(s.sample("fc1", method="flatten", normalize="standardize").points, z, rtol=1e-4, atol=1e-5)


def test_store_bad_arguments(store_path, tmp_path):
    s = actopo.Store(store_path)
    with pytest.raises(ValueError, match="fc2"):
        s["fc2"]
    with pytest.raises(TypeError, match="layer"):
        s[0]
    with pytest.raises(ValueError, match="method"):
        s.sample("fc1", method="mean")
    with pytest.raises(ValueError, match="points"):
        s.sample("fc1", points=-1)
    with pytest.raises(ValueError, match="normalize"):
        s.sample("fc1", normalize="unit")
    with pytest.raises(TypeError, match="path"):
        actopo.Store(3)
    with pytest.raises(ValueError, match="missing.h5"):
        actopo.Store(tmp_path / "missing.h5")
    with pytest.raises(IndexError):
        s["fc1"][40]


def blobs(rng, centres, n=30, scale=0.05):
    X = np.concatenate([c + scale * rng.normal(size=(n, len(c))) for c in centres])
    return X, np.repeat(np.arange(len(centres)), n)


def test_one_cover_set_is_dbscan(rng):
    X, y = blobs(rng, [np.zeros(3), np.full(3, 2.0), np.array([4.0, 0, 0])])
    g = actopo.Mapper(intervals=1, overlap=0.1, eps=0.5, min_samples=3).fit(X, labels=y)
    want = DBSCAN(eps=0.5, min_samples=3).fit(X).labels_
    got = np.full(len(X), -1)
    for node in g.nodes:
        got[node["members"]] = node["id"]
    # the same partition (cluster numbers may differ)
    assert len(g.nodes) == len(set(want) - {-1}) == 3
    pairs = {(a, b) for a, b in zip(got, want)}
    assert len(pairs) == 3 and all(a >= 0 for a, _ in pairs)
    assert all(node["purity"] == 1.0 for node in g.nodes)


def test_cover_and_nerve_follow_their_definitions(rng):
    t = rng.uniform(0, 2 * np.pi, 300)
    X = np.c_[np.cos(t), np.sin(t)] + 0.02 * rng.normal(size=(300, 2))
    lens = X[:, 0]
    K, overlap = 6, 0.3
    g = actopo.Mapper(lens=lens, intervals=K, overlap=overlap, eps=0.3, min_samples=3).fit(X)
    lo, hi = lens.min(), lens.max()
    half = (hi - lo) / (K * (1 - overlap)) / 2
    centres = lo + (np.arange(K) + 0.5) * (hi - lo) / K
    members = {node["id"]: set(node["members"]) for node in g.nodes}
    for node in g.nodes:
        i = node["cover_set"]
        box = g.to_dict()["cover"]["sets"][i]["box"][0]
        c = [k for k in range(K) if abs(centres[k] - (box[0] + box[1]) / 2) < 1e-9]
        assert len(c) == 1 and box[1] - box[0] == pytest.approx(2 * half)
        assert all(box[0] - 1e-9 <= lens[m] <= box[1] + 1e-9 for m in node["members"])
    want_links = {}
    for a in members:
        for b in members:
            if a < b and members[a] & members[b]:
                want_links[(a, b)] = (len(members[a] & members[b]), len(members[a] & members[b]) / len(members[a] | members[b]))
    got_links = {(min(l["source"], l["target"]), max(l["source"], l["target"])): (l["intersection"], l["weight"])
                 for l in g.links}
    assert got_links.keys() == want_links.keys()
    for k in want_links:
        assert got_links[k][0] == want_links[k][0] and got_links[k][1] == pytest.approx(want_links[k][1])
    nxg = g.to_networkx()
    assert nxg.number_of_nodes() == len(g.nodes) and nxg.number_of_edges() == len(g.links)
    assert g.stats["cycles"] == 1  # a circle
    assert json.loads(g.to_json())["stats"] == g.stats


def test_html_and_hierarchy(rng, tmp_path):
    X, y = blobs(rng, [np.zeros(3), np.full(3, 0.3), np.array([4.0, 0, 0])])
    graphs = {layer: actopo.Mapper(lens="pca", intervals=4, eps=0.6, min_samples=3).fit(
                  X * s, labels=y, class_names=["a", "b", "c"] if layer == "l2" else None)
              for layer, s in (("l1", 1.0), ("l2", 2.0))}
    graphs["l2"].html(tmp_path / "g.html", title="blobs")
    page = (tmp_path / "g.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<title>blobs</title>" in page
    assert f"{len(graphs['l2'].nodes)} nodes, {len(graphs['l2'].links)} edges" in page
    h = graphs["l2"].class_hierarchy()
    assert sorted(h["classes"]) == [0, 1, 2] and len(h["merges"]) == 2
    across = actopo.class_hierarchy(graphs, class_names=["a", "b", "c"])
    assert [entry["layer"] for entry in across["layers"]] == ["l1", "l2"]
    # blobs 0 and 1 lie 0.52 apart: one cluster at eps 0.6 in l1, two in l2 (twice as far): they split at l2
    split = [s for s in across["splits"] if s["groups"] == [[0], [1]]]
    assert len(split) == 1 and split[0]["split_layer"] == "l2" and split[0]["group_names"] == [["a"], ["b"]]
    # without class_names: the names l2 was fit with (l1 has none), as docs/python.md's call gives them
    assert actopo.class_hierarchy(graphs)["splits"] == across["splits"]
    given = actopo.class_hierarchy(graphs, class_names=["p", "q", "r"])["splits"]  # given names come first
    assert [s["group_names"] for s in given if s["groups"] == [[0], [1]]] == [[["p"], ["q"]]]


@pytest.mark.parametrize("kwargs,fit,exc,word", [
    (dict(lens="density"), {}, ValueError, "lens"),
    (dict(intervals=0), {}, ValueError, "intervals"),
    (dict(overlap=1.0), {}, ValueError, "overlap"),
    (dict(clusterer="kmeans"), {}, ValueError, "clusterer"),
    (dict(metric="l1"), {}, ValueError, "metric"),
    (dict(lens=np.zeros(5)), {}, ValueError, "lens"),
    (dict(lens="prediction"), {}, ValueError, "logits"),
    ({}, dict(labels=np.zeros(3)), ValueError, "labels"),
    ({}, dict(class_names="abc"), TypeError, "class_names"),
    (dict(eps="auto"), {}, TypeError, "eps"),
])
def test_mapper_bad_arguments(rng, kwargs, fit, exc, word):
    X, y = blobs(rng, [np.zeros(2), np.ones(2)])
    with pytest.raises(exc, match=word):
        actopo.Mapper(**kwargs).fit(X, **fit)
