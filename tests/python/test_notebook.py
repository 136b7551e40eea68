"""The example notebook (examples/fashion-mnist.ipynb) runs from top to bottom with nbclient, so it cannot rot."""
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
