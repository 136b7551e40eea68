"""actopo: the shape of neural-network activations (persistent homology, Mapper, representational
similarity) from numpy arrays and live PyTorch modules, computed by actopo's C++ library (docs/python.md).

Importing the package loads no LibTorch and no torch: only actopo.extract imports torch, when called."""
from ._core import __version__
from .coactivation import Coactivation, coactivation
from .distances import bottleneck, pairwise_distances, sliced_wasserstein, wasserstein
from .mapper import Mapper, MapperGraph, class_hierarchy
from .persistence import rips
from .representations import BettiCurve, Landscape, PersistenceEntropy, PersistenceImage
from .similarity import cka, procrustes, pwcca, rsa, similarity_matrix, svcca
from .store import Layer, PointCloud, Store

__all__ = ["__version__", "rips", "bottleneck", "wasserstein", "sliced_wasserstein", "pairwise_distances",
           "BettiCurve", "Landscape", "PersistenceImage", "PersistenceEntropy", "cka", "svcca", "pwcca",
           "procrustes", "rsa", "similarity_matrix", "Store", "Layer", "PointCloud", "Mapper", "MapperGraph",
           "class_hierarchy", "coactivation", "Coactivation", "extract", "explain", "plot_diagrams", "plot_barcode", "plot_matrix", "plot_mapper"]


def __getattr__(name):  # the modules that import torch or matplotlib load on first use
    if name == "extract":
        from .extraction import extract
        return extract
    if name == "explain":
        from .explanations import explain
        return explain
    if name in ("plot_diagrams", "plot_barcode", "plot_matrix", "plot_mapper"):
        from . import plot
        return getattr(plot, name)
    raise AttributeError(f"module 'actopo' has no attribute {name!r}")
