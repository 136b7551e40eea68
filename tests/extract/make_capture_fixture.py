#!/usr/bin/python3
"""Makes the capture fixture with real PyTorch (python3-torch): the models of capture_models.py, each exported with
torch.jit.script and torch.jit.trace, and their small datasets. What the tests compare against is not stored here:
tests/extract/capture_oracle.py recomputes it with PyTorch forward hooks when the test runs.

  data/capture_<model>_scripted.pt, data/capture_<model>_traced.pt   (models: capture_models.MODELS)
  data/images.h5      /x float32 [6, 1, 8, 8], /labels int64 [6]
  data/sequences.h5   /x float32 [6, 5, 4], /labels
  data/tokens.h5      /x int64 [6, 5] token ids in 0..11, /mask bool [6, 5] (True: a padded position; rows 1 and 4
                      padded at the end), /labels
  data/tokens_nomask.h5  /x and /labels of tokens.h5 without /mask (a forward argument missing)
To keep them small the model archives are rewritten deflated and without their debug source maps (*.debug_pkl,
which only improve TorchScript's error messages); torch.jit.load reads them as they are.
Run from anywhere:  /usr/bin/python3 tests/extract/make_capture_fixture.py
"""
import os
import sys
import zipfile

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture_models  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def datasets():
    g = torch.Generator().manual_seed(1)
    labels = torch.randint(0, 3, (6,), generator=g).numpy()
    tokens = torch.randint(0, 12, (6, 5), generator=g)
    mask = torch.zeros(6, 5, dtype=torch.bool)
    mask[1, 3:] = True
    mask[4, 4:] = True
    files = {
        "images.h5": {"x": torch.rand(6, 1, 8, 8, generator=g).numpy()},
        "sequences.h5": {"x": torch.randn(6, 5, 4, generator=g).numpy()},
        "tokens.h5": {"x": tokens.numpy(), "mask": mask.numpy()},
        "tokens_nomask.h5": {"x": tokens.numpy()},
    }
    for name, arrays in files.items():
        with h5py.File(os.path.join(HERE, name), "w") as f:
            for key, value in arrays.items():
                f[key] = value
            f["labels"] = labels
    return {name: {k: torch.from_numpy(v) for k, v in arrays.items()} for name, arrays in files.items()}


def save_small(module, path):
    module.save(path + ".tmp")
    with zipfile.ZipFile(path + ".tmp") as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if not info.filename.endswith(".debug_pkl"):
                dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), src.read(info.filename),
                             compress_type=zipfile.ZIP_DEFLATED)
    os.remove(path + ".tmp")


def main():
    os.makedirs(HERE, exist_ok=True)
    data = datasets()
    for i, (name, (cls, dataset)) in enumerate(capture_models.MODELS.items()):
        torch.manual_seed(10 + i)
        model = cls()
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
        model.eval()
        save_small(torch.jit.script(model), os.path.join(HERE, "capture_%s_scripted.pt" % name))
        inputs = data[dataset]
        args = (inputs["x"][:2], inputs["mask"][:2]) if name == "masked_transformer" else (inputs["x"][:2],)
        with torch.no_grad():
            save_small(torch.jit.trace(model, args, strict=False), os.path.join(HERE, "capture_%s_traced.pt" % name))


if __name__ == "__main__":
    main()
