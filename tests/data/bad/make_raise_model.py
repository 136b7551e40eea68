#!/usr/bin/env python3
"""Writes raise_on_values.pt (run with Debian's python3 and python3-torch): a scripted model for inputs
[N, 1, 8, 8] (tests/data/tiny_data.h5) whose forward raises when an input's mean is above 0.45, whatever the
shape. Its failure is in the values, not the shape: actopo extract must say so (tests/data/bad/cases.tsv)."""
import os

import torch


class RaiseOnValues(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.head = torch.nn.Linear(64, 3)

    def forward(self, x):
        if bool((x.flatten(1).mean(1) > 0.45).any()):
            raise RuntimeError("an input's mean is above 0.45")
        return self.head(x.flatten(1))


torch.manual_seed(0)
torch.jit.script(RaiseOnValues()).save(os.path.join(os.path.dirname(os.path.abspath(__file__)), "raise_on_values.pt"))
