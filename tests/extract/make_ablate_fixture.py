#!/usr/bin/python3
"""Makes the ablation fixture and its expected numbers with PyTorch forward hooks (the independent oracle of
actopo ablate, which rewrites the TorchScript graph instead).

  data/ablate_cnn.pt     a small CNN (conv1, relu1, conv2, relu2, pool, flat, fc1, relu3, fc2), torch.jit.script
  data/ablate_data.h5    /x float32 [60, 1, 8, 8], /labels int64 [60]: the intact model's predictions with every
                         third one moved to the next class, so that accuracy is neither 0 nor 1
  data/ablate_expected.json  per case (layer -> units, zero or mean): for each class and for all inputs the
                         number of inputs, the intact and ablated accuracy and the mean change of the true-class
                         logit, computed by hooks that overwrite the chosen units of the module's output (mean:
                         each element's mean over the 60 inputs of the intact model)
  data/ablate_hand.pt    logits = relu(x) for x in R^2 (Linear 'hidden' = identity, ReLU 'act', Linear 'out' =
                         identity); data/ablate_hand.h5 six inputs whose accuracies tests/extract/test_ablate.cpp
                         works out by hand
Run from anywhere:  /usr/bin/python3 tests/extract/make_ablate_fixture.py
"""
import json
import os

import h5py
import numpy as np
import torch
import torch.nn as nn

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.flat = nn.Flatten()
        self.fc1 = nn.Linear(24, 8)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        x = self.relu2(self.conv2(self.relu1(self.conv1(x))))
        return self.fc2(self.relu3(self.fc1(self.flat(self.pool(x)))))


class Hand(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 2)
        self.act = nn.ReLU()
        self.out = nn.Linear(2, 2)
        with torch.no_grad():
            for layer in (self.hidden, self.out):
                layer.weight.copy_(torch.eye(2))
                layer.bias.zero_()

    def forward(self, x):
        return self.out(self.act(self.hidden(x)))


CASES = [
    {"name": "zero conv2 1,4", "units": {"conv2": [1, 4]}, "fill": "zero"},
    {"name": "mean conv2 0,5", "units": {"conv2": [0, 5]}, "fill": "mean"},
    {"name": "mean relu3 0,3,5", "units": {"relu3": [0, 3, 5]}, "fill": "mean"},
    {"name": "zero conv1 2 and fc1 1,7", "units": {"conv1": [2], "fc1": [1, 7]}, "fill": "zero"},
]


def outputs(model, x):
    """The intact output of every named module (forward hooks)."""
    seen, handles = {}, []
    for name, module in model.named_modules():
        if name:
            handles.append(module.register_forward_hook(
                lambda m, i, out, name=name: seen.__setitem__(name, out.detach().clone())))
    with torch.no_grad():
        logits = model(x)
    for h in handles:
        h.remove()
    return logits, seen


def ablated_logits(model, x, case, intact):
    handles = []
    modules = dict(model.named_modules())
    for layer, units in case["units"].items():
        def hook(m, i, out, units=units, layer=layer):
            out = out.clone()
            if case["fill"] == "zero":
                out[:, units] = 0
            else:
                out[:, units] = intact[layer].mean(dim=0)[units]
            return out
        handles.append(modules[layer].register_forward_hook(hook))
    with torch.no_grad():
        logits = model(x)
    for h in handles:
        h.remove()
    return logits


def rows(labels, intact_logits, ablated):
    out = []
    groups = [(str(c), labels == c) for c in range(intact_logits.shape[1])] + [("all", np.ones_like(labels, bool))]
    for name, mask in groups:
        li, la, y = intact_logits[mask], ablated[mask], labels[mask]
        out.append({"group": name, "inputs": int(mask.sum()),
                    "intact_accuracy": float((li.argmax(1) == y).mean()),
                    "ablated_accuracy": float((la.argmax(1) == y).mean()),
                    "logit_change": float((la[np.arange(len(y)), y] - li[np.arange(len(y)), y]).astype(np.float64).mean())})
    return out


def main():
    torch.manual_seed(3)
    model = Cnn().eval()
    with torch.no_grad():  # logits spread widely enough that the model predicts every class
        model.fc1.weight.mul_(3)
        model.fc2.weight.mul_(8)
        model.fc2.bias.zero_()
    x = torch.randn(60, 1, 8, 8)
    logits, intact = outputs(model, x)
    labels = logits.argmax(1).numpy().copy()
    labels[::3] = (labels[::3] + 1) % 3
    torch.jit.script(model).save(os.path.join(HERE, "ablate_cnn.pt"))
    with h5py.File(os.path.join(HERE, "ablate_data.h5"), "w") as f:
        f["x"] = x.numpy().astype(np.float32)
        f["labels"] = labels.astype(np.int64)
    expected = []
    for case in CASES:
        ablated = ablated_logits(model, x, case, intact).numpy()
        expected.append(dict(case, rows=rows(labels, logits.numpy(), ablated)))
    with open(os.path.join(HERE, "ablate_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)

    torch.jit.script(Hand().eval()).save(os.path.join(HERE, "ablate_hand.pt"))
    with h5py.File(os.path.join(HERE, "ablate_hand.h5"), "w") as f:
        f["x"] = np.array([[2, 1], [3, 0.5], [1, 2], [0.5, 1], [1, 3], [2, 1]], np.float32)
        f["labels"] = np.array([0, 0, 0, 1, 1, 1], np.int64)


if __name__ == "__main__":
    main()
