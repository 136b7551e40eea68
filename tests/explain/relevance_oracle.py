#!/usr/bin/python3
"""Independent oracle for the modified backward passes of `actopo explain` (LRP and its composites, deep Taylor,
DeepLIFT, guided backpropagation, deconvnet): each model of make_relevance_models.py (and skip of make_models.py)
written out here as its list of layers, its weights read from the TorchScript file's state_dict, BatchNorm folded
into the layer before it by the formula, and every method computed layer by layer from the formulas of
/work/shared/papers.md with explicit matrices: a convolution is its unfolded input patches times the weight matrix,
a pooling its windows. No autograd, no attribution library. Prints one line per map of the attribution file that
it knows: "<method> <relative error>" (max |ours - oracle| / max |oracle|), and "<method>_delta <abs error>" for
DeepLIFT's summation-to-delta gap.

  relevance_oracle.py MODEL_CLASS MODEL.pt DATA.h5 ATTRIBUTIONS.h5
"""
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
TINY = 1e-9  # the stabiliser of the rules that have none of their own


def program(model_class, sd):
    """The model as a list of ops: (kind, ...) with weighted ops ("w", name, type, W, b, stride, padding)."""
    def conv(name, stride=1, padding=1):
        return ["w", name, "Conv2d", sd[name + ".weight"], sd.get(name + ".bias"), stride, padding]

    def linear(name):
        return ["w", name, "Linear", sd[name + ".weight"], sd.get(name + ".bias"), None, None]

    def bn(name):
        scale = sd[name + ".weight"] / torch.sqrt(sd[name + ".running_var"] + 1e-5)
        return ["bn", scale, sd[name + ".bias"] - sd[name + ".running_mean"] * scale]

    relu, flatten = ["relu"], ["flatten"]
    if model_class == "rmlp":
        return [flatten, linear("fc1"), relu, linear("fc2"), relu, linear("fc3")]
    if model_class == "rfree":
        return [conv("conv"), relu, ["res", [conv("conv1"), relu, conv("conv2")], []], relu, ["avg", 2], flatten,
                linear("fc")]
    if model_class == "rcnn":
        return [conv("conv1"), bn("bn1"), relu, ["max", 2], conv("conv2"), relu, ["avg", 2], flatten, linear("fc1"),
                relu, linear("fc2")]
    if model_class == "rres":
        block = "layer1.0."
        return [conv("conv1"), bn("bn1"), relu, ["max", 2],
                ["res", [conv(block + "conv1", 2), bn(block + "bn1"), relu, conv(block + "conv2"), bn(block + "bn2")],
                 [conv(block + "downsample.0", 2, 0), bn(block + "downsample.1")]],
                relu, ["avg", 2], flatten, linear("fc")]
    if model_class == "rvgg":
        return [conv("features.0"), relu, ["max", 2], conv("features.3"), relu, ["max", 2], ["avg", 1], flatten,
                linear("classifier.0"), relu, linear("classifier.3")]
    if model_class == "skip":
        return [conv("stem"), relu, ["res", [conv("block.conv1"), bn("block.bn"), relu, conv("block.conv2")], []], relu,
                ["max", 2], ["avg", 4], flatten, linear("head.1")]
    raise SystemExit("unknown model class " + model_class)


def canonise(ops):
    """BatchNorm folded into the weighted op before it: W' = W * scale (per output channel), b' = b * scale + shift."""
    out = []
    for op in ops:
        if op[0] == "bn" and out and out[-1][0] == "w":
            w = out[-1]
            W, b = w[3], w[4] if w[4] is not None else torch.zeros(w[3].shape[0])
            out[-1] = w[:3] + [W * op[1].view(-1, *([1] * (W.dim() - 1))), b * op[1] + op[2]] + w[5:]
        elif op[0] == "res":
            out.append(["res", canonise(op[1]), canonise(op[2])])
        else:
            out.append(op)
    return out


# -------------------------------------------------------------------------- a weighted op as patches x matrix
def patches(op, a):
    """(P [N, in, L], W [out, in], fold) with fold(P-shaped) -> a's shape."""
    W = op[3]
    if op[2] == "Linear":
        return a[:, :, None], W, lambda p: p[:, :, 0]
    k, s, pad = W.shape[-1], op[5], op[6]
    H, Wd = a.shape[2], a.shape[3]
    return (F.unfold(a, k, padding=pad, stride=s), W.reshape(W.shape[0], -1),
            lambda p: F.fold(p, (H, Wd), k, padding=pad, stride=s))


def matmul(W, P):  # [out, in] x [N, in, L] -> [N, out, L]
    return torch.einsum("oi,nil->nol", W, P)


def tmatmul(W, S):  # W^T S: [out, in] x [N, out, L] -> [N, in, L]
    return torch.einsum("oi,nol->nil", W, S)


def to_out(op, z, shape):
    return z[:, :, 0] if op[2] == "Linear" else z.reshape(shape)


def forward_w(op, a):
    P, W, _ = patches(op, a)
    z = matmul(W, P) + (op[4].view(1, -1, 1) if op[4] is not None else 0)
    if op[2] == "Linear":
        return z[:, :, 0]
    n, o = a.shape[0], W.shape[0]
    H = (a.shape[2] + 2 * op[6] - op[3].shape[-1]) // op[5] + 1
    return z.reshape(n, o, H, -1)


def stab(z, e):
    return z + e * torch.where(z >= 0, torch.ones_like(z), -torch.ones_like(z))


def lrp_w(op, rule, a, R, eps, gamma, lo, hi):
    P, W, fold = patches(op, a)
    Rm = R[:, :, None] if op[2] == "Linear" else R.reshape(R.shape[0], R.shape[1], -1)
    b = op[4] if op[4] is not None else torch.zeros(W.shape[0])
    Wp, Wn = W.clamp(min=0), W.clamp(max=0)
    if rule in ("lrp-0", "epsilon", "gamma"):
        if rule == "gamma":
            W, b = W + gamma * Wp, b + gamma * b.clamp(min=0)
        z = matmul(W, P) + b.view(1, -1, 1)
        s = Rm / stab(z, eps if rule == "epsilon" else TINY)
        return fold(P * tmatmul(W, s))
    if rule == "alpha1-beta0":
        Pp, Pn = P.clamp(min=0), P.clamp(max=0)
        s = Rm / stab(matmul(Wp, Pp) + matmul(Wn, Pn), TINY)
        return fold(Pp * tmatmul(Wp, s) + Pn * tmatmul(Wn, s))
    if rule == "zb":
        view = [-1] + [1] * (a.dim() - 1)
        Pl, _, _ = patches(op, lo.view(view) * torch.ones_like(a))
        Ph, _, _ = patches(op, hi.view(view) * torch.ones_like(a))
        s = Rm / stab(matmul(W, P) - matmul(Wp, Pl) - matmul(Wn, Ph), TINY)
        return fold(P * tmatmul(W, s) - Pl * tmatmul(Wp, s) - Ph * tmatmul(Wn, s))
    if rule in ("flat", "w-squared"):
        P1, _, _ = patches(op, torch.ones_like(a))
        V = torch.ones_like(W) if rule == "flat" else W * W
        s = Rm / stab(matmul(V, P1), TINY)
        return fold(P1 * tmatmul(V, s))
    raise SystemExit("unknown rule " + rule)


def transpose_w(op, a, g):  # W^T g for a gradient or multiplier
    P, W, fold = patches(op, a)
    gm = g[:, :, None] if op[2] == "Linear" else g.reshape(g.shape[0], g.shape[1], -1)
    return fold(tmatmul(W, gm))


# -------------------------------------------------------------------------- pooling by windows
def windows(a, k):
    n, c, h, w = a.shape
    return F.unfold(a, k, stride=k).reshape(n, c, k * k, -1)


def unwindows(p, a, k):
    n, c, h, w = a.shape
    return F.fold(p.reshape(n, c * k * k, -1), (h, w), k, stride=k)


def pool_forward(kind, k, a):
    p = windows(a, k)
    v = p.max(2).values if kind == "max" else p.mean(2)
    return v.reshape(a.shape[0], a.shape[1], a.shape[2] // k, a.shape[3] // k)


def max_route(k, a, g):  # to the first maximum of each window
    p = windows(a, k)
    onehot = F.one_hot(p.argmax(2), k * k).permute(0, 1, 3, 2).to(a.dtype)
    return unwindows(onehot * g.reshape(g.shape[0], g.shape[1], 1, -1), a, k)


def avg_lrp(k, a, R):
    p = windows(a, k)
    s = R.reshape(R.shape[0], R.shape[1], 1, -1) / stab(p.mean(2, keepdim=True), TINY)
    return unwindows(p * s / (k * k), a, k)


def avg_transpose(k, a, g):
    return unwindows(g.reshape(g.shape[0], g.shape[1], 1, -1).expand(-1, -1, k * k, -1) / (k * k), a, k)


# -------------------------------------------------------------------------- the walks
def run(ops, x):
    """Forward: the input of every op (residual ops: (input, branch records, shortcut records, u, v))."""
    records = []
    for op in ops:
        a = x
        if op[0] == "w":
            x = forward_w(op, a)
        elif op[0] == "bn":
            x = a * op[1].view(1, -1, 1, 1) + op[2].view(1, -1, 1, 1)
        elif op[0] == "relu":
            x = a.clamp(min=0)
        elif op[0] in ("max", "avg"):
            x = pool_forward(op[0], op[1], a)
        elif op[0] == "flatten":
            x = a.reshape(a.shape[0], -1)
        elif op[0] == "res":
            u, rb = run(op[1], a)
            v, rs = run(op[2], a)
            x = u + v
            a = (a, rb, rs, u, v)
        records.append((op, a, x))
    return x, records


def back(records, R, mode, ctx, records_b=None):
    """The signal at the input of `records` for R at their output. mode: lrp | guided | deconv | deeplift."""
    for i in range(len(records) - 1, -1, -1):
        op, a, y = records[i]
        if op[0] == "res":
            a0, rb, rs, u, v = a
            if mode == "lrp":
                s = R / stab(u + v, TINY)
                Ru, Rv = u * s, v * s
            else:
                Ru = Rv = R
            bb = records_b[i][1] if records_b else None
            R = back(rb, Ru, mode, ctx, bb[1] if bb else None) + back(rs, Rv, mode, ctx, bb[2] if bb else None)
            continue
        if op[0] == "w":
            R = lrp_w(op, ctx["rules"][op[1]], a, R, ctx["eps"], ctx["gamma"], ctx["lo"], ctx["hi"]) \
                if mode == "lrp" else transpose_w(op, a, R)
        elif op[0] == "bn":  # not folded: only where no weighted op precedes (none of the fixtures)
            raise SystemExit("unfolded BatchNorm")
        elif op[0] == "relu":
            if mode == "guided":
                R = R.clamp(min=0) * (a > 0)
            elif mode == "deconv":
                R = R.clamp(min=0)
            elif mode == "deeplift":
                ab, yb = records_b[i][1], records_b[i][2]
                dx, dy = a - ab, y - yb
                near = dx.abs() <= 1e-6
                R = torch.where(near, R * (a > 0), R * dy / torch.where(near, torch.ones_like(dx), dx))
        elif op[0] == "max":
            R = max_route(op[1], a, R)
        elif op[0] == "avg":
            R = avg_lrp(op[1], a, R) if mode == "lrp" else avg_transpose(op[1], a, R)
        elif op[0] == "flatten":
            R = R.reshape(a.shape)
    return R


def weighted_ops(ops):
    for op in ops:
        if op[0] == "w":
            yield op
        elif op[0] == "res":
            yield from weighted_ops(op[1])
            yield from weighted_ops(op[2])


def rules_of(method, attrs, ops):
    composite = {"lrp": attrs.get("lrp_rule", ""), "lrp-0": "lrp-0", "deep-taylor": "deep-taylor"}.get(method, method[4:])
    overrides = dict(item.split("=") for item in attrs.get("layer_rules", "").split(",") if item)
    rules, first = {}, True
    for op in weighted_ops(ops):
        name, kind = op[1], op[2]
        if name in overrides:
            rule = overrides[name]
        elif kind in overrides:
            rule = overrides[kind]
        elif composite == "deep-taylor":
            rule = "zb" if first else "alpha1-beta0"
        elif composite == "epsilon-gamma-box":
            rule = "zb" if first else "gamma" if kind == "Conv2d" else "epsilon"
        elif composite == "epsilon-plus":
            rule = "alpha1-beta0" if kind == "Conv2d" else "epsilon"
        else:
            rule = composite
        rules[name], first = rule, False
    return rules


def main():
    model_class, model_path, data_path, attributions = sys.argv[1:5]
    dtype = torch.float64
    sd = {k: v.detach().to(dtype) for k, v in torch.jit.load(model_path).state_dict().items()}
    ops = canonise(program(model_class, sd))
    with h5py.File(data_path) as f:
        x = torch.from_numpy(f["x"][:]).to(dtype)
    with h5py.File(attributions) as f:
        index = torch.from_numpy(f["inputs/index"][:])
        t = torch.from_numpy(f["inputs/target"][:])
        x = x[index]
        for method in f["attributions"]:
            if method.endswith("_delta"):
                continue
            attrs = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in f["attributions"][method].attrs.items()}
            ours = torch.from_numpy(f["attributions"][method][:]).double()
            out, records = run(ops, x)
            onehot = F.one_hot(t, out.shape[1]).to(dtype)
            if method.startswith("lrp") or method == "deep-taylor":
                bounds = attrs.get("bounds", "data")
                if bounds == "data":
                    lo, hi = x.reshape(len(x), -1).min(1).values, x.reshape(len(x), -1).max(1).values
                else:
                    lo, hi = (torch.tensor([float(v)], dtype=dtype) for v in bounds.split(","))
                ctx = {"rules": rules_of(method, attrs, ops), "eps": float(attrs["epsilon"]),
                       "gamma": float(attrs["gamma"]), "lo": lo, "hi": hi}
                oracle = back(records, onehot * out, "lrp", ctx)
            elif method in ("guided-backprop", "deconvnet"):
                oracle = back(records, onehot, "guided" if method == "guided-backprop" else "deconv", {})
            elif method == "deeplift":
                if attrs.get("baseline") != "zero":
                    continue
                base = torch.zeros_like(x)
                out_b, records_b = run(ops, base)
                oracle = back(records, onehot, "deeplift", {}, records_b) * (x - base)
                gap = oracle.reshape(len(x), -1).sum(1) - ((out - out_b) * onehot).sum(1)
                ours_delta = torch.from_numpy(f["attributions"][method + "_delta"][:]).double()
                print(f"{method}_delta {float((ours_delta - gap).abs().max()):.3g}")
            else:
                continue
            scale = float(oracle.abs().max())
            err = float((ours - oracle).abs().max())
            print(f"{method} {err / scale if scale > 0 else err:.3g}")


if __name__ == "__main__":
    main()
