"""The models of the capture fixture (tests/extract/make_capture_fixture.py), as a PyTorch user writes them: the
fixture script exports them, the oracle (tests/extract/capture_oracle.py) rebuilds them from this file, loads the
exported weights and records what PyTorch's forward hooks see.

  MobileBlocks   a mobilenet_v2-style model: inverted residual blocks whose forward is `if self.use_res_connect:
                 return x + self.conv(x) else: return self.conv(x)`, and a `refine` convolution called twice in a loop
  LstmNet        nn.LSTM (returns (output, (h_n, c_n))) then a classifier on the last step
  GruNet         nn.GRU; the model itself returns a tuple (logits, h_n)
  TokenMlp       nn.Embedding on int64 token ids, mean over tokens, two linear layers
  TokenTransformer  nn.Embedding + nn.TransformerEncoder (two layers, batch_first) on token ids, forward(x)
  MaskedTransformer the same with forward(x, mask): mask is the bool padding mask [N, T] (True: padded), and the
                 encoder's default enable_nested_tensor (on its fast path a padded batch becomes a nested tensor)
  DictNet        a submodule returning a dict {"main", "aux"}; the model returns a dict {"logits", "aux"}
"""
from typing import Dict, Tuple

import torch
import torch.nn as nn


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.use_res_connect = stride == 1 and cin == cout
        self.conv = nn.Sequential(
            nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden),
            nn.ReLU6(inplace=True), nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        else:
            return self.conv(x)


class MobileBlocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 4, 3, padding=1)
        self.act = nn.ReLU6()
        self.features = nn.Sequential(InvertedResidual(4, 4, 1, 2), InvertedResidual(4, 6, 2, 2))
        self.refine = nn.Conv2d(6, 6, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        x = self.features(self.act(self.stem(x)))
        for _ in range(2):
            x = torch.relu(self.refine(x))
        return self.fc(torch.flatten(self.pool(x), 1))


class LstmNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 6, batch_first=True)
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        return self.fc(out[:, -1])


class GruNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(4, 5, num_layers=2, batch_first=True)
        self.fc = nn.Linear(5, 3)

    def forward(self, x) -> Tuple[torch.Tensor, torch.Tensor]:
        out, h = self.gru(x)
        return self.fc(out[:, -1]), h


class TokenMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(12, 6)
        self.fc1 = nn.Linear(6, 8)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(self.emb(x).mean(1))))


def encoder(nested=False):
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
    return nn.TransformerEncoder(layer, 2, enable_nested_tensor=nested)


class TokenTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(12, 8)
        self.encoder = encoder()
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc(self.encoder(self.emb(x)).mean(1))


class MaskedTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(12, 8)
        self.encoder = encoder(nested=True)  # PyTorch's default: a padded batch becomes a nested tensor (fast path)
        self.fc = nn.Linear(8, 3)

    def forward(self, x, mask):
        h = self.encoder(self.emb(x), src_key_padding_mask=mask)
        keep = (~mask).unsqueeze(2).to(h.dtype)
        return self.fc((h * keep).sum(1) / keep.sum(1))


class Branch(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Linear(20, 6)
        self.aux = nn.Linear(20, 2)

    def forward(self, x) -> Dict[str, torch.Tensor]:
        return {"main": torch.relu(self.main(x)), "aux": self.aux(x)}


class DictNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.flat = nn.Flatten()
        self.branch = Branch()
        self.head = nn.Linear(6, 3)

    def forward(self, x) -> Dict[str, torch.Tensor]:
        b = self.branch(self.flat(x))
        return {"logits": self.head(b["main"]), "aux": b["aux"]}


# name -> (class, dataset file, exported with torch.jit.trace too)
MODELS = {
    "mobile": (MobileBlocks, "images.h5"),
    "lstm": (LstmNet, "sequences.h5"),
    "gru": (GruNet, "sequences.h5"),
    "token_mlp": (TokenMlp, "tokens.h5"),
    "transformer": (TokenTransformer, "tokens.h5"),
    "masked_transformer": (MaskedTransformer, "tokens.h5"),
    "dict": (DictNet, "sequences.h5"),
}
