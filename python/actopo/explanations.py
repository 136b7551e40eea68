"""Attribution maps (docs/explain.md) from Python: the C++ explainers run in `actopo explain` (the program of the
same build or installation, which loads LibTorch in its own process), on a TorchScript model file, a scripted
module, or an eager module that torch.jit.script accepts. torch and h5py are imported when called."""
import os
import shutil
import subprocess
import tempfile

import numpy as np

from . import _checks


def _program():
    """`actopo` beside this package: $ACTOPO_PROGRAM, the build tree (<build>/python/actopo -> <build>/actopo),
    an installation (<prefix>/lib/python3.X/dist-packages/actopo -> <prefix>/bin/actopo), then PATH."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("ACTOPO_PROGRAM"), os.path.join(here, "..", "..", "actopo"),
                  os.path.join(here, "..", "..", "..", "..", "bin", "actopo"), shutil.which("actopo")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise OSError("actopo explain: the program `actopo` was not found beside the package or on PATH "
                  "(set ACTOPO_PROGRAM)")


def explain(model, x, labels=None, method="saliency", target="predicted", options=None):
    """Attribution maps of ``x`` (an array or tensor [N, ...], the model's input) for ``model`` (a TorchScript
    file, a torch.jit.ScriptModule, or an nn.Module that torch.jit.script accepts). ``method``: one name or a list
    (saliency, gradient, integrated-gradients, grad-cam, occlusion, smoothgrad[:m], ...); ``target``: "label"
    (needs ``labels``), "predicted" or a class index; ``options``: the command's other options by name, e.g.
    {"steps": 32, "baseline": "blur"}. Returns {method: float32 array [N, ...]} plus "predictions" and "target"."""
    import h5py
    import torch

    methods = [method] if isinstance(method, str) else list(method) if method is not None else []
    if not methods or not all(isinstance(m, str) and m for m in methods):
        raise TypeError("method: expected a method name or a list of them")
    if isinstance(target, bool) or not isinstance(target, (str, int, np.integer)):
        raise TypeError(f"target: expected 'label', 'predicted' or a class index, got {target!r}")
    if isinstance(target, str) and target not in ("label", "predicted"):
        raise ValueError(f"target: expected 'label', 'predicted' or a class index, got {target!r}")
    if isinstance(target, (int, np.integer)):
        target = str(_checks.integer(target, "target", 0))
    if target == "label" and labels is None:
        raise ValueError("labels: target='label' needs the labels of x")
    options = {} if options is None else options
    if not isinstance(options, dict):
        raise TypeError(f"options: expected a dict of option names and values, got {type(options).__name__}")
    data = _checks.array(x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else x, "x", dtype=np.float32)
    if data.ndim < 2:
        raise ValueError(f"x: expected a [N, ...] batch of inputs, got shape {data.shape}")
    y = np.full(len(data), -1, np.int64) if labels is None else _checks.array(labels, "labels", ndim=1, min_rows=0,
                                                                               dtype=np.int64)
    if len(y) != len(data):
        raise ValueError(f"labels: expected {len(data)} labels (one per input), got {len(y)}")
    with tempfile.TemporaryDirectory(prefix="actopo-explain-") as work:
        if isinstance(model, (str, os.PathLike)):
            model_path = os.fspath(model)
        elif isinstance(model, torch.nn.Module):
            model_path = os.path.join(work, "model.pt")
            scripted = model if isinstance(model, torch.jit.ScriptModule) else torch.jit.script(model)
            scripted.save(model_path)
        else:
            raise TypeError(f"model: expected a TorchScript file or a torch.nn.Module, got {type(model).__name__}")
        with h5py.File(os.path.join(work, "data.h5"), "w") as f:
            f["x"], f["labels"] = data, y
        out = os.path.join(work, "attributions.h5")
        cmd = [_program(), "explain", "--model", model_path, "--dataset", os.path.join(work, "data.h5"),
               "--method", ",".join(methods), "--target", target, "--quiet", "-o", out]
        for key, value in options.items():
            cmd += [f"--{str(key).replace('_', '-')}", str(value)]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode == 1:  # the user's input: the command's one-line message
            raise ValueError(run.stderr.strip().removeprefix("actopo: "))
        if run.returncode != 0:
            raise OSError(f"actopo explain failed (exit {run.returncode}): {run.stderr.strip()}")
        with h5py.File(out) as f:
            result = {m: f["attributions"][m][:] for m in methods}
            result["predictions"], result["target"] = f["inputs/predictions"][:], f["inputs/target"][:]
    return result
