"""Models and inputs of `actopo bench --suite extract` (apps/bench/bench_extract.cpp), made at run time:
  resnet18.pt    torchvision's resnet18 definition, random weights (torch.manual_seed(0)), eval mode, traced on
                 [1, 3, 224, 224]; images.h5 holds N seeded uniform images [N, 3, 224, 224] with labels.
  encoder.pt     a small transformer encoder classifier on fashion-mnist-rows ([N, 28, 28]: 28 tokens of 28
                 pixels): a token embedding Linear(28, 64) plus learned positions, 2 nn.TransformerEncoderLayer
                 (d_model 64, 4 heads, feed-forward 128, batch_first), mean over tokens, Linear(64, 10); random
                 weights, traced with gradients on so that PyTorch's fused fast path does not hide the sublayers.
Usage: bench_extract_models.py OUT_DIR N   (exit 3 with a line on stderr when torchvision is not installed)
"""
import os
import sys

import h5py
import numpy as np
import torch

out, n = sys.argv[1], int(sys.argv[2])
torch.manual_seed(0)


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Linear(28, 64)
        self.position = torch.nn.Parameter(torch.randn(1, 28, 64) * 0.1)
        layer = torch.nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0, batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.fc = torch.nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(self.encoder(self.embed(x) + self.position).mean(dim=1))


encoder = Encoder().eval()
torch.jit.trace(encoder, torch.rand(2, 28, 28), check_trace=False).save(os.path.join(out, "encoder.pt"))

try:
    import torchvision
except ImportError:
    sys.stderr.write("torchvision is not installed (Debian: python3-torchvision)\n")
    sys.exit(3)
resnet = torchvision.models.resnet18(weights=None).eval()
torch.jit.trace(resnet, torch.rand(1, 3, 224, 224), check_trace=False).save(os.path.join(out, "resnet18.pt"))
rng = np.random.default_rng(0)
with h5py.File(os.path.join(out, "images.h5"), "w") as f:
    f["x"] = rng.random((n, 3, 224, 224), dtype=np.float32)
    f["labels"] = rng.integers(0, 1000, n).astype(np.int64)
