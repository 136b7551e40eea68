#!/usr/bin/python3
"""Independent oracle for `actopo visualize`: the seeded, regularised gradient ascent of docs/visualize.md written
again from its formulas with PyTorch eager autograd on the nn.Module of make_models.py (weights loaded from the
TorchScript file's state_dict), the layer read by a forward hook. Compares with the file actopo wrote and prints one
line per dataset: "<name> <relative error>" (max |ours - oracle| / max |oracle|). With a decoder (code space) the
code is optimised and the image is decoder.decode(code), the decoder run by torch.jit.load.

  visualize_oracle.py MODEL_CLASS MODEL.pt LAYER|logits VISUALIZATION.h5 [DECODER.pt]
"""
import math
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import make_models  # noqa: E402

torch.set_num_threads(1)


def load(model_class, path):
    model = {"mlp": make_models.MLP, "gapcnn": make_models.GapCNN}[model_class]()
    model.load_state_dict(torch.jit.load(path).state_dict())
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def blur(x, sigma):
    # separable Gaussian, radius max(1, ceil(3 sigma)), zero padding, over the last two axes
    r = max(1, math.ceil(3 * sigma))
    k = torch.exp(-torch.arange(-r, r + 1, dtype=torch.float64) ** 2 / (2 * sigma * sigma))
    k = (k / k.sum()).float()
    shape = x.shape
    y = x.reshape(-1, 1, shape[-2], shape[-1])
    y = F.conv2d(y, k.view(1, 1, 1, -1), padding=(0, r))
    y = F.conv2d(y, k.view(1, 1, -1, 1), padding=(r, 0))
    return y.reshape(shape)


def ascent(model, layer, units, shape, a, decoder=None):
    captured = {}
    if layer != "logits":
        getattr(model, layer).register_forward_hook(lambda m, i, o: captured.__setitem__("a", o))

    def activation(x):
        out = model(x)
        out = out if layer == "logits" else captured["a"]
        out = out.reshape(out.shape[0], out.shape[1], -1)
        return out[torch.arange(len(units)), torch.tensor(units)].mean(1)

    span = a["input_max"] - a["input_min"]
    starts = []
    for u in units:  # one generator per unit, seeded seed * 2^20 + u
        g = torch.Generator().manual_seed((a["seed"] * (1 << 20) + u) % (1 << 64))
        starts.append(torch.randn(decoder.code_size, generator=g) if decoder else torch.rand(shape, generator=g))
    v = torch.stack(starts) if decoder else (torch.stack(starts) - 0.5) * (0.2 * span) + (a["input_min"] + 0.5 * span)
    image = (lambda z: decoder.decode(z)) if decoder else (lambda z: z)
    with torch.no_grad():
        initial = activation(image(v))
    jitter = torch.Generator().manual_seed(a["seed"])
    trace = []
    for t in range(a["steps"]):
        v.requires_grad_(True)
        x = image(v)
        shifted = x
        if a["jitter"] > 0:
            s = torch.randint(-a["jitter"], a["jitter"] + 1, (2,), generator=jitter)
            shifted = torch.roll(x, (int(s[0]), int(s[1])), (2, 3))
        act = activation(shifted)
        tv = (x[..., 1:, :] - x[..., :-1, :]).abs().flatten(1).sum(1) + (x[..., :, 1:] - x[..., :, :-1]).abs().flatten(1).sum(1)
        objective = act - a["l2"] * (v * v).flatten(1).sum(1) - a["tv"] * tv
        (g,) = torch.autograd.grad(objective.sum(), [v])
        trace.append(act.detach())
        with torch.no_grad():
            rms = g.pow(2).flatten(1).mean(1).sqrt().view(-1, *([1] * (v.dim() - 1)))
            v = v.detach() + a["lr"] * (g / (rms + 1e-12))
            if not decoder:
                if a["blur_sigma"] > 0 and (t + 1) % a["blur_every"] == 0:
                    v = blur(v, a["blur_sigma"])
                v = v.clamp(a["input_min"], a["input_max"])
    with torch.no_grad():
        x = image(v)
        reached = activation(x)
    return x, v, initial, reached, torch.stack(trace, 1)


def rel(ours, oracle):
    ours, oracle = np.asarray(ours, np.float64), np.asarray(oracle, np.float64)
    scale = np.abs(oracle).max()
    diff = np.abs(ours - oracle).max()
    return diff / scale if scale > 0 else diff


def main():
    model_class, model_path, layer, file = sys.argv[1:5]
    f = h5py.File(file, "r")
    attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    a = {k: float(attrs[k]) for k in ("lr", "l2", "tv", "blur_sigma", "input_min", "input_max")}
    a.update({k: int(attrs[k]) for k in ("steps", "jitter", "blur_every", "seed")})
    units = [int(u) for u in f["units"][()]]
    shape = tuple(f["images"].shape[1:])
    decoder = torch.jit.load(sys.argv[5]) if len(sys.argv) > 5 else None
    x, v, initial, reached, trace = ascent(load(model_class, model_path), layer, units, shape, a, decoder)
    print("images", rel(f["images"][()], x.numpy()))
    print("initial_activation", rel(f["initial_activation"][()], initial.numpy()))
    print("activation", rel(f["activation"][()], reached.numpy()))
    print("trace", rel(f["trace"][()], trace.numpy()))
    if decoder:
        print("codes", rel(f["codes"][()], v.numpy()))


if __name__ == "__main__":
    main()
