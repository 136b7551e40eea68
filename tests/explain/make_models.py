#!/usr/bin/python3
"""Makes the explanation test fixtures with real PyTorch (python3-torch), as a PyTorch user would hand them in.

  mlp.pt        Flatten -> Linear(64, 16) -> ReLU -> Linear(16, 3)                      (torch.jit.script)
  gapcnn.pt     conv1 -> relu1 -> conv2 -> relu2 -> avgpool (GAP) -> flatten -> fc       (torch.jit.script)
  skip.pt       a conv stem, a residual block (out += x) with BatchNorm, max pooling, GAP, a linear head
                (torch.jit.trace)
  badout.pt     returns [N, 3, 2] instead of one logit vector per input                 (torch.jit.script)
  nanmap.pt     Flatten -> Linear(64, 3) + sum(sqrt(0 x)): finite logits, NaN gradients (0 * inf)  (torch.jit.script)
  linear.pt     Flatten -> Linear(16, 2) with weight[c, i] = (c + 1) * (i + 1) / 10, bias (0.5, -1): occlusion by hand
  data4.h5      /x float32 [2, 1, 4, 4] = (k + 1) * (i + 1) / 16 for input k, pixel i; /labels [0, 1]
  data.h5       /x float32 [10, 1, 8, 8] in [0, 1], /labels int64 [10], /class_names (3 names)
  nan.h5        /x float32 [4, 1, 8, 8] with one NaN pixel in input 2
The weights are seeded, small and random (no training): the tests compare computations, not explanations.
Run from anywhere:  /usr/bin/python3 tests/explain/make_models.py
"""
import os

import h5py
import numpy as np
import torch
import torch.nn as nn

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(64, 16)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(self.relu1(self.fc1(self.flatten(x))))


class GapCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1, stride=2)
        self.relu2 = nn.ReLU()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        x = self.relu2(self.conv2(self.relu1(self.conv1(x))))
        return self.fc(self.flatten(self.avgpool(x)))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.bn = nn.BatchNorm2d(c)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.relu2 = nn.ReLU()

    def forward(self, x):
        out = self.relu1(self.bn(self.conv1(x)))
        out = self.conv2(out)
        out += x
        return self.relu2(out)


class Skip(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 5, 3, padding=1)
        self.act = nn.ReLU()
        self.block = Block(5)
        self.pool = nn.MaxPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(5, 3))

    def forward(self, x):
        x = self.pool(self.block(self.act(self.stem(x))))
        return self.head(self.gap(x))


class BadOut(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 6)

    def forward(self, x):
        return self.fc(x.flatten(1)).view(-1, 3, 2)


class Linear(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(16, 2)

    def forward(self, x):
        return self.fc(self.flatten(x))


class NanMap(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(64, 3)

    def forward(self, x):
        x = self.flatten(x)
        return self.fc(x) + torch.sqrt(x * 0.0).sum(1, keepdim=True)  # d/dx: 0 * 1 / (2 sqrt(0)) = NaN


def main():
    os.makedirs(HERE, exist_ok=True)
    torch.manual_seed(3)
    x = torch.rand(10, 1, 8, 8)
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 1], dtype=torch.int64)
    for name, model in [("mlp", MLP()), ("gapcnn", GapCNN()), ("skip", Skip()), ("badout", BadOut())]:
        if name == "skip":
            bn = model.block.bn
            bn.running_mean.uniform_(-0.2, 0.2)
            bn.running_var.uniform_(0.5, 1.5)
        model.eval()
        path = os.path.join(HERE, name + ".pt")
        if name == "skip":
            with torch.no_grad():
                torch.jit.trace(model, x[:2]).save(path)
        else:
            torch.jit.script(model).save(path)
    linear = Linear()
    with torch.no_grad():
        linear.fc.weight.copy_(torch.tensor([[(c + 1) * (i + 1) / 10 for i in range(16)] for c in range(2)]))
        linear.fc.bias.copy_(torch.tensor([0.5, -1.0]))
    linear.eval()
    torch.jit.script(linear).save(os.path.join(HERE, "linear.pt"))
    torch.jit.script(NanMap().eval()).save(os.path.join(HERE, "nanmap.pt"))
    with h5py.File(os.path.join(HERE, "data4.h5"), "w") as f:
        f["x"] = np.array([[(k + 1) * (i + 1) / 16 for i in range(16)] for k in range(2)], np.float32).reshape(2, 1, 4, 4)
        f["labels"] = np.array([0, 1], np.int64)
    with h5py.File(os.path.join(HERE, "data.h5"), "w") as f:
        f["x"] = x.numpy()
        f["labels"] = labels.numpy()
        f["class_names"] = np.array([b"alpha", b"beta", b"gamma"], dtype=h5py.string_dtype())
    with h5py.File(os.path.join(HERE, "nan.h5"), "w") as f:
        bad = x[:4].clone()
        bad[2, 0, 3, 5] = float("nan")
        f["x"] = bad.numpy()
        f["labels"] = labels[:4].numpy()


if __name__ == "__main__":
    main()
