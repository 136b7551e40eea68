"""Mapper graphs (docs/mapper.md) built by actopo's C++ pipeline: lens, cover, clustering, nerve."""
import json
import os

import numpy as np

from . import _checks, _core

LENSES = ("l2norm", "l1norm", "mean", "max", "knn", "eccentricity", "pca", "pca2", "prediction", "margin")


class MapperGraph:
    """The graph of one fit: ``nodes`` (dicts with id, members, size, lens_mean, classes, majority, purity,
    misclassified), ``links`` (source, target, weight, intersection), ``stats``, ``meta``."""

    def __init__(self, result):
        self._result = result
        self._json = json.loads(result.to_json())

    nodes = property(lambda self: self._json["nodes"])
    links = property(lambda self: self._json["links"])
    stats = property(lambda self: self._json["stats"])
    meta = property(lambda self: self._json["meta"])

    def to_dict(self):
        """The graph as docs/mapper.md's JSON schema, as Python objects."""
        return json.loads(json.dumps(self._json))

    def to_json(self):
        return json.dumps(self._json)

    def to_networkx(self):
        """A networkx.Graph: node attributes as in ``nodes``, edge attributes weight and intersection."""
        import networkx as nx

        g = nx.Graph()
        for node in self.nodes:
            g.add_node(node["id"], **{k: v for k, v in node.items() if k != "id"})
        for link in self.links:
            g.add_edge(link["source"], link["target"], **{k: v for k, v in link.items() if k not in ("source", "target")})
        return g

    def html(self, path, title="Mapper graph"):
        """Writes the interactive page (hover a node for its statistics) to ``path``."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path: expected a file name, got {type(path).__name__}")
        if not isinstance(title, str):
            raise TypeError(f"title: expected a string, got {type(title).__name__}")
        with open(path, "w", encoding="utf-8") as f:
            f.write(self._result.to_html(title))

    def class_hierarchy(self):
        """The classes this graph groups together: similarity matrix and average-linkage merges."""
        return json.loads(self._result.hierarchy())

    def __repr__(self):
        s = self.stats
        return f"<actopo MapperGraph: {s['nodes']} nodes, {s['links']} links, {s['components']} components>"


class Mapper:
    """Mapper of a point cloud. ``lens``: a name (l2norm, l1norm, mean, max, knn[:K], eccentricity, pca, pca2,
    neuron:I, prediction, margin; the last two need ``logits`` at fit) or an array of n (or n x 2) values;
    ``intervals`` and ``overlap`` of a ``cover`` ("uniform" or "balanced"); ``clusterer`` "dbscan" or
    "single-linkage" with ``min_samples`` and ``eps`` (0: chosen from the data); ``metric`` euclidean or
    cosine."""

    def __init__(self, lens="l2norm", intervals=10, overlap=0.5, cover="uniform", clusterer="dbscan",
                 metric="euclidean", min_samples=5, eps=0.0, min_intersection=1, seed=0, n_jobs=-1):
        self.lens, self.intervals, self.overlap, self.cover = lens, intervals, overlap, cover
        self.clusterer, self.metric, self.min_samples, self.eps = clusterer, metric, min_samples, eps
        self.min_intersection, self.seed, self.n_jobs = min_intersection, seed, n_jobs

    def _args(self):
        a = _core.MapperArgs()
        if isinstance(self.lens, str):
            base = self.lens.split(":")[0]
            if base not in LENSES + ("neuron",):
                raise ValueError(f"lens: expected one of {', '.join(LENSES)}, knn:K, neuron:I or an array, got {self.lens!r}")
            a.lens = self.lens
        a.intervals = _checks.integer(self.intervals, "intervals", 1, 10 ** 5)
        a.overlap = _checks.number(self.overlap, "overlap", lo=0, hi=0.999999, open_lo=True)
        a.cover = _checks.choice(self.cover, "cover", ("uniform", "balanced"))
        a.clusterer = _checks.choice(self.clusterer, "clusterer", ("dbscan", "single-linkage"))
        a.metric = _checks.choice(self.metric, "metric", ("euclidean", "cosine"))
        a.min_samples = _checks.integer(self.min_samples, "min_samples", 1, 10 ** 6)
        a.eps = _checks.number(self.eps, "eps", lo=0)
        a.min_intersection = _checks.integer(self.min_intersection, "min_intersection", 1)
        a.seed = _checks.integer(self.seed, "seed", 0, 2 ** 64 - 1)
        a.threads = _checks.threads(self.n_jobs)
        return a

    def fit(self, X, labels=None, predictions=None, ids=None, logits=None, class_names=None):
        """Builds the graph of the rows of ``X`` (n, d); ``labels``, ``predictions`` (default -1) and ``ids``
        (default 0..n-1) per row feed the node statistics; ``logits`` (n, C) the prediction and margin lenses."""
        a = self._args()
        x = _checks.points(X, "X")
        n = x.shape[0]

        def per_row(value, name, default):
            if value is None:
                return default
            v = _checks.array(value, name, ndim=1, min_rows=0, dtype=np.int64)
            if v.shape[0] != n:
                raise ValueError(f"{name}: expected {n} values (one per row of X), got {v.shape[0]}")
            return v

        labels = per_row(labels, "labels", np.full(n, -1, np.int64))
        predictions = per_row(predictions, "predictions", np.full(n, -1, np.int64))
        ids = per_row(ids, "ids", np.arange(n, dtype=np.int64))
        lens_values = None
        if not isinstance(self.lens, str):
            lens_values = _checks.array(self.lens, "lens", ndim=(1, 2))
            if lens_values.shape[0] != n or (lens_values.ndim == 2 and lens_values.shape[1] not in (1, 2)):
                raise ValueError(f"lens: expected {n} values or ({n}, 2), got shape {lens_values.shape}")
        if logits is not None:
            logits = _checks.points(logits, "logits")
            if logits.shape[0] != n:
                raise ValueError(f"logits: expected {n} rows (one per row of X), got {logits.shape[0]}")
        elif isinstance(self.lens, str) and self.lens in ("prediction", "margin"):
            raise ValueError(f"logits: the lens {self.lens!r} needs the model's logits per row")
        if class_names is None:
            class_names = []
        elif isinstance(class_names, str) or not all(isinstance(c, str) for c in class_names):
            raise TypeError("class_names: expected a list of strings")
        self.graph_ = MapperGraph(_core.mapper_fit(x, labels, predictions, ids, lens_values, logits, a,
                                                   list(class_names)))
        return self.graph_

    fit_transform = fit


def class_hierarchy(graphs, threshold=0.5, class_names=None):
    """How a model separates classes across its layers: ``graphs`` a dict {layer: MapperGraph} in the model's
    order; for each merge of the last layer's dendrogram, the similarity of its two class groups per layer and
    the first layer from which it stays below ``threshold``. ``class_names`` default to those the graphs were
    fit with (the first graph's that has them)."""
    if not isinstance(graphs, dict) or not graphs or not all(isinstance(g, MapperGraph) for g in graphs.values()):
        raise TypeError("graphs: expected a non-empty dict {layer: MapperGraph}")
    t = _checks.number(threshold, "threshold", lo=0, hi=1)
    return json.loads(_core.hierarchy_across_layers(list(graphs), [g._result for g in graphs.values()], t,
                                                    list(class_names or [])))
