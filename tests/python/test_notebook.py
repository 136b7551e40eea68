"""The example notebook (examples/fashion-mnist.ipynb) and the examples of docs/python.md run from top to bottom, so they cannot rot."""
import os

import pytest

from conftest import WITH_TORCH

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")

NOTEBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "fashion-mnist.ipynb")


@pytest.mark.skipif(not WITH_TORCH, reason="the notebook's last part runs `actopo explain` (LibTorch)")
@pytest.mark.skipif(not os.path.isdir("/usr/share/datasets/fashion-mnist"), reason="dataset-fashion-mnist missing")
def test_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend, whose figures are outputs
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "test accuracy" in text and "rank agreement" in text and "split at" in text
    assert images == 4  # diagrams, matrices, Mapper graph, saliency maps
    if os.environ.get("ACTOPO_NOTEBOOK_OUT"):  # to look at the figures
        nbformat.write(nb, os.environ["ACTOPO_NOTEBOOK_OUT"])


DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "python.md")


@pytest.mark.skipif(not WITH_TORCH, reason="the examples extract from a torch module and run `actopo explain` (LibTorch)")
def test_docs_python_examples_run(tmp_path, monkeypatch):
    """docs/python.md's examples, run in order in one namespace in an empty folder, as the page says they do."""
    import re

    import matplotlib
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    with open(DOCS) as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), re.S)
    assert len(blocks) >= 9
    ns = {}
    for k, block in enumerate(blocks):
        exec(compile(block, f"docs/python.md, example {k + 1}", "exec"), ns)
    # what the examples say they give
    assert ns["h0"].shape == (500, 2) and ns["h1"].shape[1] == 2 and ns["res"].modularity is not None
    assert ns["s"]["conv1"].shape == (300, 8, 28, 28) and ns["s"].class_names == ns["names"]
    assert ns["maps"]["saliency"].shape == (100, 1, 28, 28)
    assert (tmp_path / "cnn-test.h5").exists() and (tmp_path / "conv1.html").exists()
