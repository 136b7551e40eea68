"""The matplotlib pictures draw what they are given: the points, bars, cells and nodes are read back from the
axes. PNGs go to $ACTOPO_PLOT_DIR when set (to look at them), else to a temporary folder."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import actopo  # noqa: E402
from conftest import noisy_circles  # noqa: E402


@pytest.fixture
def out_dir(tmp_path):
    d = os.environ.get("ACTOPO_PLOT_DIR")
    if d:
        os.makedirs(d, exist_ok=True)
        return d
    return str(tmp_path)


def save(ax, out_dir, name):
    path = os.path.join(out_dir, name)
    ax.figure.savefig(path, dpi=80)
    plt.close(ax.figure)
    assert os.path.getsize(path) > 2000


def test_plot_diagrams_draws_every_pair(out_dir):
    res = actopo.rips(noisy_circles(11, n=100), maxdim=1)
    ax = actopo.plot_diagrams(res, title="two circles")
    offsets = [c.get_offsets() for c in ax.collections]
    assert len(offsets) == 2
    for k, off in enumerate(offsets):
        d = res["dgms"][k]
        fin = np.isfinite(d[:, 1])
        np.testing.assert_allclose(np.asarray(off)[fin], d[fin])
        inf_rows = np.asarray(off)[~fin]
        assert (inf_rows[:, 1] > d[fin, 1].max(initial=0)).all() and ax.get_yticklabels()[-1].get_text() == "$\\infty$"
    save(ax, out_dir, "diagrams.png")


def test_plot_barcode_has_one_bar_per_pair(out_dir):
    dgms = actopo.rips(noisy_circles(12, n=40), maxdim=1)["dgms"]
    ax = actopo.plot_barcode(dgms)
    bars = [l for l in ax.lines if len(l.get_xdata()) == 2]
    assert len(bars) == sum(len(d) for d in dgms)
    save(ax, out_dir, "barcode.png")


def test_plot_matrix_shows_the_matrix(out_dir, rng):
    m = rng.random((4, 4))
    ax = actopo.plot_matrix(m, names=["conv1", "relu1", "fc1", "fc2"], title="CKA")
    np.testing.assert_array_equal(ax.images[0].get_array(), m)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["conv1", "relu1", "fc1", "fc2"]
    save(ax, out_dir, "matrix.png")
    with pytest.raises(ValueError, match="names"):
        actopo.plot_matrix(m, names=["a"])


def test_plot_mapper_draws_nodes_and_links(out_dir, rng):
    t = rng.uniform(0, 2 * np.pi, 300)
    X = np.c_[np.cos(t), np.sin(t)] + 0.03 * rng.normal(size=(300, 2))
    g = actopo.Mapper(lens=X[:, 0], intervals=8, overlap=0.3, eps=0.3, min_samples=3).fit(X, labels=(t > np.pi))
    ax = actopo.plot_mapper(g, class_names=["upper", "lower"], title="circle")
    assert len(ax.collections[0].get_offsets()) == len(g.nodes)
    assert len(ax.lines) == len(g.links)
    save(ax, out_dir, "mapper.png")
    with pytest.raises(TypeError, match="graph"):
        actopo.plot_mapper({"nodes": []})
    with pytest.raises(ValueError, match="color"):
        actopo.plot_mapper(g, color="size")
