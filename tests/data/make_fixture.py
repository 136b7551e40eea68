#!/usr/bin/python3
"""Makes the extraction fixture with real PyTorch (python3-torch), as a PyTorch user would hand it in.

  tiny_scripted.pt   a small CNN with a residual block, exported with torch.jit.script
  tiny_traced.pt     the same model exported with torch.jit.trace
  tiny_state_dict.pt torch.save(state_dict): a PyTorch file that is NOT TorchScript (error test)
  tiny_data.h5       /x float32 [16, 1, 8, 8], /labels int64 [16], /class_names (3 names)
  tiny_rgb.h5        /x float32 [4, 3, 8, 8]: inputs whose shape the model rejects (error test)
  tiny_nan.h5        /x float32 [3, 1, 8, 8] with one NaN pixel in input 1: NaN activations to count
  tiny_reference.h5  an activation store (the layout of docs/formats.md, written by h5py) holding what
                     PyTorch forward hooks recorded: /inputs/logits [16, 3], /inputs/labels, and
                     /layers/<module path>/activations [16, ...] (the output of the LAST call when a module
                     runs twice, as a dict-storing hook keeps it).

The residual block adds its shortcut in place (`out += x`) right after conv2 and calls its ReLU twice, so the
fixture checks both that a captured tensor is the value at call time and the "last call" rule.
Run from anywhere:  /usr/bin/python3 tests/data/make_fixture.py
"""
import os

import h5py
import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.bn = nn.BatchNorm2d(c)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        out = self.relu(self.bn(self.conv1(x)))
        out = self.conv2(out)
        out += x
        return self.relu(out)


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 4, 3, padding=1)
        self.act = nn.ReLU()
        self.layer1 = nn.Sequential(Block(4))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))

    def forward(self, x):
        x = self.act(self.stem(x))
        x = self.layer1(x)
        return self.head(self.pool(x))


def main():
    torch.manual_seed(0)
    model = Tiny()
    bn = model.layer1[0].bn
    bn.running_mean.uniform_(-0.2, 0.2)
    bn.running_var.uniform_(0.5, 1.5)
    model.eval()

    x = torch.rand(16, 1, 8, 8)
    labels = torch.randint(0, 3, (16,), dtype=torch.int64)

    captured = {}
    order = []

    def hook(name):
        def record(_module, _inputs, output):
            if name not in captured:
                order.append(name)
            captured[name] = output.detach().clone()
        return record

    leaves = [(n, m) for n, m in model.named_modules() if n and not list(m.children())]
    handles = [m.register_forward_hook(hook(n)) for n, m in leaves]
    with torch.no_grad():
        logits = model(x)
    for h in handles:
        h.remove()

    torch.jit.script(model).save(os.path.join(HERE, "tiny_scripted.pt"))
    with torch.no_grad():
        torch.jit.trace(model, x[:2]).save(os.path.join(HERE, "tiny_traced.pt"))
    torch.save(model.state_dict(), os.path.join(HERE, "tiny_state_dict.pt"))

    with h5py.File(os.path.join(HERE, "tiny_data.h5"), "w") as f:
        f["x"] = x.numpy()
        f["labels"] = labels.numpy()
        f["class_names"] = np.array([b"alpha", b"beta", b"gamma"], dtype=h5py.string_dtype())
    with h5py.File(os.path.join(HERE, "tiny_rgb.h5"), "w") as f:
        f["x"] = torch.rand(4, 3, 8, 8).numpy()
        f["labels"] = np.zeros(4, dtype=np.int64)
    with h5py.File(os.path.join(HERE, "tiny_nan.h5"), "w") as f:
        bad = x[:3].clone()
        bad[1, 0, 4, 4] = float("nan")
        f["x"] = bad.numpy()
        f["labels"] = labels[:3].numpy()
    with h5py.File(os.path.join(HERE, "tiny_reference.h5"), "w") as f:
        for key, value in [("format", "actopo-activations"), ("model", "tiny_scripted.pt"), ("model_sha256", ""),
                           ("dataset", "tiny_data.h5"), ("split", ""), ("created", ""),
                           ("actopo_version", "pytorch-hooks")]:
            f.attrs[key] = value
        f.attrs["version"] = 1
        f["inputs/index"] = np.arange(16, dtype=np.int64)
        f["inputs/labels"] = labels.numpy()
        f["inputs/predictions"] = logits.argmax(1).numpy()
        f["inputs/logits"] = logits.numpy()
        for name in order:
            f["layers/" + name + "/activations"] = captured[name].numpy()


if __name__ == "__main__":
    main()
