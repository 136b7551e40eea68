#!/usr/bin/python3
"""Independent oracle for `actopo explain`: recomputes every map of an attribution file from the definitions
(docs/explain.md) with PyTorch eager autograd on the nn.Module of make_models.py, its weights loaded from the
TorchScript file's state_dict. No attribution library. Prints one line per dataset: "<name> <relative error>",
the relative error being max |ours - oracle| / max |oracle| (0 when both are 0).

  oracle.py MODEL_CLASS MODEL.pt DATA.h5 ATTRIBUTIONS.h5
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
    model = {"mlp": make_models.MLP, "gapcnn": make_models.GapCNN, "skip": make_models.Skip}[model_class]()
    model.load_state_dict(torch.jit.load(path).state_dict())
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def f_target(model, x, t):
    return model(x).gather(1, t.view(-1, 1)).view(-1)


def grad(model, x, t):
    x = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f_target(model, x, t).sum(), [x])
    return g


def legendre(m):
    # nodes and weights on [0, 1] from numpy's Gauss-Legendre (a different implementation from ours)
    z, w = np.polynomial.legendre.leggauss(m)
    order = np.argsort((1 - z) / 2)
    return ((1 - z) / 2)[order], (w / 2)[order]


def gaussian_blur(x, sigma):
    r = max(1, math.ceil(3 * sigma))
    k = torch.tensor([math.exp(-(i * i) / (2 * sigma * sigma)) for i in range(-r, r + 1)], dtype=torch.float64)
    k = (k / k.sum()).float()
    kernel = (k.view(-1, 1) * k.view(1, -1)).view(1, 1, 2 * r + 1, 2 * r + 1)
    n, c, h, w = x.shape
    return F.conv2d(x.reshape(n * c, 1, h, w), kernel, padding=r).reshape(n, c, h, w)


MASK = (1 << 64) - 1


def noise_seed(seed, row, stream):
    """The seed of one input's noise as docs/explain.md states it: splitmix64's finaliser over
    seed * 0x9E3779B97F4A7C15 ^ (row + 0x632BE59BD9B4E019) * 0xBF58476D1CE4E5B9 ^ (stream + 1) * 0x94D049BB133111EB
    (arithmetic mod 2^64); stream 1: the uniform baseline, 2: smoothgrad's noise."""
    z = ((seed * 0x9E3779B97F4A7C15) & MASK) ^ (((row + 0x632BE59BD9B4E019) * 0xBF58476D1CE4E5B9) & MASK) ^ \
        (((stream + 1) * 0x94D049BB133111EB) & MASK)
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def generator(seed, row, stream):
    return torch.Generator().manual_seed(noise_seed(seed, row, stream))


def integrated_gradients(model, x, t, attrs, mean, rows):
    steps, rule, baseline = int(attrs["steps"]), attrs["rule"], attrs["baseline"]
    if baseline == "zero":
        base = torch.zeros_like(x)
    elif baseline == "mean":
        base = mean.expand_as(x)
    elif baseline == "blur":
        base = gaussian_blur(x, float(attrs["blur_sigma"]))
    else:  # uniform: U(min x_i, max x_i) over input i's shape, drawn from its own generator (stream 1)
        base = torch.empty_like(x)
        for i in range(x.shape[0]):
            lo, hi = float(x[i].min()), float(x[i].max())
            base[i].uniform_(lo, hi if hi > lo else lo + 1e-12, generator=generator(int(attrs["seed"]), int(rows[i]), 1))
    if rule == "midpoint":
        ts, ws = [(k + 0.5) / steps for k in range(steps)], [1.0 / steps] * steps
    else:
        ts, ws = legendre(steps)
    total = torch.zeros_like(x)
    for tk, wk in zip(ts, ws):
        total += float(wk) * grad(model, base + float(tk) * (x - base), t)
    ig = (x - base) * total
    with torch.no_grad():
        delta = ig.flatten(1).double().sum(1) - (f_target(model, x, t) - f_target(model, base, t)).double()
    return ig, delta.float()


def layer_output(model, name, x):
    store = {}
    module = dict(model.named_modules())[name]
    handle = module.register_forward_hook(lambda _m, _i, out: store.__setitem__("a", out))
    logits = model(x)
    handle.remove()
    return logits, store["a"]


def cams(model, x, t, method, layer):
    if method == "cam":
        with torch.no_grad():
            _, a = layer_output(model, layer, x)
            fc = [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1]
            cam = torch.einsum("nk,nkhw->nhw", fc.weight[t], a)
    else:
        x = x.clone().requires_grad_(True)
        logits, a = layer_output(model, layer, x)
        (g,) = torch.autograd.grad(logits.gather(1, t.view(-1, 1)).sum(), [a])
        a = a.detach()
        if method == "grad-cam":
            alpha = g.mean(dim=(2, 3), keepdim=True)
            cam = torch.relu((alpha * a).sum(1))
        else:  # grad-cam++: alpha = g^2 / (2 g^2 + sum_ab A_ab g^3), w = sum alpha relu(g)
            num = g ** 2
            den = 2 * g ** 2 + a.sum(dim=(2, 3), keepdim=True) * g ** 3
            alpha = torch.where(den != 0, num / torch.where(den != 0, den, torch.ones_like(den)), torch.zeros_like(den))
            w = (alpha * torch.relu(g)).sum(dim=(2, 3), keepdim=True)
            cam = torch.relu((w * a).sum(1))
    up = F.interpolate(cam.unsqueeze(1), size=x.shape[-2:], mode="bilinear", align_corners=False)
    return up, cam


def occlusion(model, x, t, attrs):
    window, stride, value = int(attrs["window"]), int(attrs["stride"]), float(attrs["occlusion_value"])
    n, c, h, w = x.shape
    out = torch.zeros(n, 1, h, w)
    count = torch.zeros(1, 1, h, w)
    with torch.no_grad():
        fx = f_target(model, x, t)
        for py in range(0, h - window + 1, stride):
            for px in range(0, w - window + 1, stride):
                occluded = x.clone()
                occluded[:, :, py:py + window, px:px + window] = value
                drop = fx - f_target(model, occluded, t)
                out[:, :, py:py + window, px:px + window] += drop.view(n, 1, 1, 1)
                count[:, :, py:py + window, px:px + window] += 1
    return (out / torch.where(count > 0, count, torch.ones_like(count))).expand(n, c, h, w)


def noise_tunnel(model, x, t, base, attrs, mean, rows):
    """smoothgrad: input i's n noisy copies x_i + sigma_i z, z ~ N(0, 1) of shape [n, input shape] from its own
    generator (stream 2), sigma_i = noise * (max x_i - min x_i); the mean, mean square or variance of their maps."""
    n, noise, seed = int(attrs["samples"]), float(attrs["noise"]), int(attrs["seed"])
    maps = []
    for i in range(x.shape[0]):
        z = torch.empty((n,) + tuple(x.shape[1:])).normal_(0, 1, generator=generator(seed, int(rows[i]), 2))
        sigma = (x[i].max() - x[i].min()) * noise
        noisy = x[i].unsqueeze(0) + z * sigma
        maps.append(base_map(model, noisy, t[i].repeat(n), base, attrs, mean, [rows[i]] * n).detach())
    maps = torch.stack(maps)
    variant = attrs["variant"]
    if variant == "mean":
        return maps.mean(1)
    if variant == "squared":
        return (maps ** 2).mean(1)
    return maps.var(1, unbiased=False)


def base_map(model, x, t, method, attrs, mean, rows):
    if method == "gradient":
        return grad(model, x, t)
    if method == "saliency":
        return grad(model, x, t) ** 2
    if method == "saliency-max":
        return grad(model, x, t).abs().amax(dim=1, keepdim=True)
    if method == "gradient-x-input":
        return grad(model, x, t) * x
    if method == "integrated-gradients":
        return integrated_gradients(model, x, t, attrs, mean, rows)[0]
    if method == "occlusion":
        return occlusion(model, x, t, attrs)
    if method in ("cam", "grad-cam", "grad-cam++"):
        return cams(model, x, t, method, attrs["layer"])[0]
    return None


def rel(ours, oracle):
    ours, oracle = np.asarray(ours, np.float64), np.asarray(oracle, np.float64)
    if ours.shape != oracle.shape:
        return float("inf")
    scale = np.abs(oracle).max()
    diff = np.abs(ours - oracle).max()
    return 0.0 if scale == 0 and diff == 0 else diff / max(scale, 1e-30)


def main():
    model_class, pt, data, attributions = sys.argv[1:5]
    model = load(model_class, pt)
    with h5py.File(data, "r") as d, h5py.File(attributions, "r") as f:
        index = f["inputs/index"][:]
        x = torch.from_numpy(d["x"][:][index])
        t = torch.from_numpy(f["inputs/target"][:])
        with torch.no_grad():
            print("predictions", rel(f["inputs/predictions"][:], model(x).argmax(1).numpy()))
        mean = torch.from_numpy(d["x"][:].mean(0, dtype=np.float64).astype(np.float32))
        for name, ds in f["attributions"].items():
            if name.endswith("_delta"):
                continue
            attrs = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in ds.attrs.items()}
            method = attrs["method"]
            if method.startswith("smoothgrad"):
                expected = noise_tunnel(model, x, t, attrs["base_method"], attrs, mean, index)
            elif method == "integrated-gradients":
                expected, delta = integrated_gradients(model, x, t, attrs, mean, index)
                with torch.no_grad():  # relative to the size of f(x) - f(baseline): delta is a small difference
                    scale = float(f_target(model, x, t).abs().max())
                ours = f["attributions"][name + "_delta"][:]
                print(name + "_delta", float(np.abs(ours - delta.numpy()).max()) / max(scale, 1e-30))
            else:
                expected = base_map(model, x, t, method, attrs, mean, index)
            print(name, rel(ds[:], expected.detach().numpy()))
            if method in ("cam", "grad-cam", "grad-cam++"):
                cam = cams(model, x, t, method, attrs["layer"])[1]
                print("cams/" + name, rel(f["cams"][name][attrs["layer"]][:], cam.detach().numpy()))


if __name__ == "__main__":
    main()
