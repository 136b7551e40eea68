"""Pictures with matplotlib (imported on first use): persistence diagrams in persim's look, barcodes, matrices,
Mapper graphs (laid out by the library's Graphviz layout). Each function draws on ``ax`` (a new figure's axes
when None) and returns the axes."""
import numpy as np

from . import _checks
from .mapper import MapperGraph


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    return ax


def _diagram_list(diagrams):
    if isinstance(diagrams, dict) and "dgms" in diagrams:  # the result of actopo.rips
        diagrams = diagrams["dgms"]
    if isinstance(diagrams, np.ndarray) and diagrams.ndim == 2:
        return [_checks.diagram(diagrams, "diagrams")]
    return _checks.diagrams(diagrams, "diagrams")


def plot_diagrams(diagrams, plot_only=None, title=None, xy_range=None, labels=None, size=20, diagonal=True,
                  legend=True, ax=None):
    """Persistence diagrams (one array, a list with H_k at index k, or actopo.rips's result) as persim draws
    them: one colour per dimension, the diagonal dashed, essential classes on a dashed line marked inf."""
    dgms = _diagram_list(diagrams)
    ax = _axes(ax)
    dims = range(len(dgms)) if plot_only is None else [_checks.integer(k, "plot_only", 0, len(dgms) - 1)
                                                      for k in np.atleast_1d(plot_only)]
    if labels is not None and len(labels) != len(dgms):
        raise ValueError(f"labels: expected {len(dgms)} labels, one per diagram")
    finite = np.concatenate([d[np.isfinite(d)] for d in dgms] + [np.zeros(1)])
    lo, hi = (float(finite.min()), float(finite.max())) if xy_range is None else (None, None)
    if xy_range is not None:
        r = _checks.array(xy_range, "xy_range", ndim=1)
        if r.shape != (4,):
            raise ValueError("xy_range: expected [x_lo, x_hi, y_lo, y_hi]")
        lo, hi = float(min(r[0], r[2])), float(max(r[1], r[3]))
    span = (hi - lo) or 1.0
    lo, top = lo - 0.05 * span, hi + 0.05 * span
    inf_at = hi + 0.1 * span
    if diagonal:
        ax.plot([lo, inf_at], [lo, inf_at], "--", c="k", lw=0.8)
    if any(np.isinf(dgms[k][:, 1]).any() for k in dims):
        ax.axhline(inf_at, ls="--", c="k", lw=0.8)
        top = inf_at + 0.05 * span
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
    for k in dims:
        d = dgms[k].copy()
        d[np.isinf(d[:, 1]), 1] = inf_at
        ax.scatter(d[:, 0], d[:, 1], s=size, color=colours[k % len(colours)], edgecolor="none",
                   label=labels[k] if labels is not None else f"$H_{k}$")
    ax.set_xlim(lo, inf_at if xy_range is None else xy_range[1])
    ax.set_ylim(lo, top if xy_range is None else xy_range[3])
    ticks = [t for t in ax.get_yticks() if lo <= t < inf_at - 0.04 * span]
    ax.set_yticks(ticks + ([inf_at] if top > inf_at else []))
    ax.set_yticklabels([f"{t:g}" for t in ticks] + (["$\\infty$"] if top > inf_at else []))
    ax.set_xlabel("Birth")
    ax.set_ylabel("Death")
    ax.set_aspect("equal", "box")
    if legend:
        ax.legend(loc="lower right")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_barcode(diagrams, dims=None, title=None, ax=None):
    """Barcodes: one horizontal bar per pair, dimensions stacked (H0 at the top), essential classes as arrows
    to the right edge."""
    dgms = _diagram_list(diagrams)
    dims = range(len(dgms)) if dims is None else [_checks.integer(k, "dims", 0, len(dgms) - 1) for k in dims]
    ax = _axes(ax)
    finite = np.concatenate([d[np.isfinite(d)] for d in dgms] + [np.zeros(1)])
    right = float(finite.max()) * 1.1 or 1.0
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]
    y, ticks = 0, []
    for k in dims:
        d = dgms[k][np.lexsort((-dgms[k][:, 1], dgms[k][:, 0]))]
        start = y
        for b, e in d:
            ax.plot([b, right if np.isinf(e) else e], [y, y], color=colours[k % len(colours)], lw=1.5)
            if np.isinf(e):
                ax.plot(right, y, ">", color=colours[k % len(colours)], ms=4)
            y -= 1
        ticks.append(((start + y + 1) / 2, f"$H_{k}$"))
        y -= 2
    ax.set_yticks([t for t, _ in ticks])
    ax.set_yticklabels([name for _, name in ticks])
    ax.set_xlim(0, right * 1.02)
    ax.set_xlabel("filtration value")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_matrix(matrix, names=None, title=None, cmap="viridis", annotate=None, colorbar=True, ax=None):
    """A (layer x layer) matrix as a heat map with its names on both axes; values written in the cells when
    ``annotate`` (default: when at most 12 rows)."""
    m = _checks.array(matrix, "matrix", ndim=2, finite=False)
    if names is not None and (len(names) != m.shape[0] or m.shape[0] != m.shape[1]):
        raise ValueError(f"names: expected {m.shape[0]} names for a square matrix, got {len(names)}")
    ax = _axes(ax)
    im = ax.imshow(m, cmap=cmap)
    if names is not None:
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=60, ha="right")
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels(names)
    if annotate if annotate is not None else m.shape[0] <= 12:
        mid = np.nanmean(m)
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if m[i, j] < mid else "black")
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_mapper(graph, color="majority", class_names=None, title=None, ax=None):
    """A Mapper graph: node area by size, colour by majority class (``color="majority"``), purity or lens mean,
    edges by Jaccard weight; positions from the library's Graphviz layout (neato)."""
    if not isinstance(graph, MapperGraph):
        raise TypeError(f"graph: expected an actopo.MapperGraph, got {type(graph).__name__}")
    _checks.choice(color, "color", ("majority", "purity", "lens"))
    import matplotlib.pyplot as plt

    ax = _axes(ax)
    pos = graph._result.layout()
    nodes = graph.nodes
    for link in graph.links:
        (x0, y0), (x1, y1) = pos[link["source"]], pos[link["target"]]
        ax.plot([x0, x1], [y0, y1], color="#999999", lw=0.5 + 3 * link["weight"], zorder=1)
    xy = np.array([pos[n["id"]] for n in nodes]).reshape(-1, 2)
    sizes = np.array([n["size"] for n in nodes], float)
    area = 30 + 400 * sizes / max(sizes.max(initial=1), 1)
    if color == "majority":
        tab = plt.get_cmap("tab10")
        colours = [tab(n["majority"] % 10) if n["majority"] >= 0 else (0.8, 0.8, 0.8, 1) for n in nodes]
        ax.scatter(xy[:, 0], xy[:, 1], s=area, c=colours, edgecolor="k", linewidth=0.5, zorder=2)
        for label in sorted({n["majority"] for n in nodes if n["majority"] >= 0}):
            name = class_names[label] if class_names and label < len(class_names) else str(label)
            ax.scatter([], [], color=tab(label % 10), label=name)
        ax.legend(fontsize=7, loc="best", title="majority class", title_fontsize=7)
    else:
        values = [n["purity"] if color == "purity" else n["lens_mean"] if np.isscalar(n["lens_mean"])
                  else n["lens_mean"][0] for n in nodes]
        sc = ax.scatter(xy[:, 0], xy[:, 1], s=area, c=values, cmap="viridis", edgecolor="k", linewidth=0.5, zorder=2)
        ax.figure.colorbar(sc, ax=ax, fraction=0.046, pad=0.04, label=color)
    ax.set_axis_off()
    ax.set_aspect("equal", "datalim")
    if title is not None:
        ax.set_title(title)
    return ax
