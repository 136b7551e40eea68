"""Co-activation graphs of neurons and classes (docs/coactivation.md), computed by actopo's C++ analysis of a
store, returned as a networkx graph with the communities."""
import collections
import json
import os
import warnings

from . import _checks, _core
from .store import Store

Coactivation = collections.namedtuple("Coactivation", "graph communities modularity layers classes dropped")
Coactivation.__doc__ = """graph: networkx.Graph (nodes by name, with kind, layer, unit/class, community and the
centralities; edges with the signed correlation `weight`); communities: a list of sets of node names; modularity;
layers: per-layer summaries; classes: the class-level comparison (co-activation, confusion); dropped: the constant
neurons left out."""


def coactivation(store, layers=None, correlation="spearman", threshold=0.5, absolute=True, within=True,
                 between=True, class_nodes=True, community="louvain", seed=0, points=0):
    """The co-activation graph of a store (a path or an actopo.Store): neurons of ``layers`` (default: all; a conv
    channel averaged over space) and the classes' logits as nodes, an edge where the ``correlation`` ("spearman"
    or "pearson") over the inputs reaches ``threshold`` (in absolute value unless ``absolute=False``), communities
    by ``community`` ("louvain" or "leiden"), seeded. ``points`` > 0: a seeded subset of the inputs."""
    import networkx as nx

    if isinstance(store, Store):
        store = store.path
    if not isinstance(store, (str, os.PathLike)):
        raise TypeError(f"store: expected an actopo.Store or a store file name, got {type(store).__name__}")
    a = _core.CoactivationArgs()
    if layers is not None:
        if isinstance(layers, str) or not all(isinstance(l, str) for l in layers):
            raise TypeError("layers: expected a list of layer names")
        a.layers = list(layers)
    a.correlation = _checks.choice(correlation, "correlation", ("spearman", "pearson"))
    a.community = _checks.choice(community, "community", ("louvain", "leiden"))
    a.threshold = _checks.number(threshold, "threshold", lo=-1, hi=1)
    a.absolute = _checks.boolean(absolute, "absolute")
    a.within = _checks.boolean(within, "within")
    a.between = _checks.boolean(between, "between")
    if not (a.within or a.between):
        raise ValueError("within: at least one of within and between must be True")
    a.class_nodes = _checks.boolean(class_nodes, "class_nodes")
    a.seed = _checks.integer(seed, "seed", 0, 2 ** 64 - 1)
    a.points = _checks.integer(points, "points", 0)
    result = json.loads(_core.coactivation(os.fspath(store), a))
    if result["dropped"]:
        warnings.warn(f"{len(result['dropped'])} constant neurons left out: {', '.join(result['dropped'][:8])}"
                      + (", ..." if len(result["dropped"]) > 8 else ""), stacklevel=2)
    g = nx.Graph(modularity=result["modularity"])
    names = {}
    for node in result["nodes"]:
        names[node["id"]] = node["name"]
        g.add_node(node["name"], **{k: v for k, v in node.items() if k not in ("id", "name")})
    for link in result["links"]:
        g.add_edge(names[link["source"]], names[link["target"]], weight=link["weight"])
    groups = collections.defaultdict(set)
    for name, data in g.nodes(data=True):
        groups[data["community"]].add(name)
    return Coactivation(g, [groups[k] for k in sorted(groups)], result["modularity"], result["layers"],
                        result["classes"], result["dropped"])
