#!/usr/bin/python3
"""Independent oracle of `actopo extract` on the capture fixture: rebuilds each model from capture_models.py, loads
the exported file's weights, runs the dataset through it in eager PyTorch with a forward hook on every submodule,
and compares every layer of the store actopo wrote with what the hooks recorded.

  capture_oracle.py JOBS_FILE
JOBS_FILE: one job a line, "model store.h5 dataset.h5 calls output layers", calls "last" or "all", output the
address of the logits in forward's output ("-": forward returns them), layers "all" (then every leaf that ran, and every
nn.MultiheadAttention that ran, which calls none of its submodules, must be in the store) or "some". Prints one line per finding:
  "<store> <layer> <max abs difference>"   for every stored layer (and "/inputs/logits")
  "<store> MISSING <module path> <why>"     for a leaf that the hooks saw run and the store lacks
  "<store> UNSEEN <layer>"                  for a stored layer of a module the hooks never saw run
The rules the comparison follows are those of docs/extract.md: a stored layer `path` or `path<address>` is the
module's output at its last call (calls "all": every call stacked on axis 1), an address picking an element of a
tuple, list or dict ([i], ["key"]), a bare name the default element (element [0] of tuples and lists, repeatedly; a traced module's dict is the tuple of
its values),
and the hidden states (element [1]) of nn.LSTM, nn.GRU and nn.RNN with their batch axis moved first. A scripted
model runs with gradients on (nn.TransformerEncoderLayer's standard path, which actopo takes to reach its sublayers),
a traced one without (the fast path it was traced on).
"""
import re
import sys
import warnings

import h5py
import numpy as np
import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import capture_models  # noqa: E402

torch.set_num_threads(1)
warnings.filterwarnings("ignore", message="The PyTorch API of nested tensors")  # the encoder's fast path, eager
RNN = (torch.nn.LSTM, torch.nn.GRU, torch.nn.RNN)


def parse(name):
    """'a.b[1]["k"]' -> ('a.b', [1, 'k'])"""
    m = re.match(r"^([^\[]*)(.*)$", name)
    path, rest = m.group(1), m.group(2)
    steps = []
    for index, key in re.findall(r"\[(?:(-?\d+)|\"([^\"]*)\"|'[^']*')\]", rest):
        steps.append(int(index) if index else key)
    return path, steps


def pick(value, steps, module):
    for s in steps:
        if isinstance(s, str) and hasattr(value, "_fields"):
            value = getattr(value, s)
        elif isinstance(s, int) and isinstance(value, dict):  # torch.jit.trace makes a dict a tuple of its values
            value = list(value.values())[s]
        else:
            value = value[s]
    while isinstance(value, (tuple, list, dict)):
        value = list(value.values())[0] if isinstance(value, dict) else value[0]
    if steps and steps[0] == 1 and isinstance(module, RNN):
        value = value.transpose(0, 1)
    return value


def clone(v):
    if isinstance(v, torch.Tensor):
        return v.detach().clone()
    if isinstance(v, (tuple, list)):
        return type(v)(clone(x) for x in v) if not hasattr(v, "_fields") else type(v)(*[clone(x) for x in v])
    if isinstance(v, dict):
        return {k: clone(x) for k, x in v.items()}
    return v


def run_job(model_name, store, dataset, calls, output, layers):
    cls = capture_models.MODELS[model_name][0]
    model = cls()
    scripted = torch.jit.load(store_model(store))
    model.load_state_dict(scripted.state_dict())
    model.eval()
    seen = {}
    modules = dict(model.named_modules())
    for name, m in modules.items():
        if name:
            m.register_forward_hook(lambda mod, inp, out, name=name: seen.setdefault(name, []).append(clone(out)))
    with h5py.File(dataset, "r") as f:
        args = [torch.from_numpy(f["x"][()])]
        if model_name == "masked_transformer":
            args.append(torch.from_numpy(f["mask"][()]))
    # docs/extract.md: a scripted nn.TransformerEncoderLayer whose sublayers are captured runs PyTorch's standard path,
    # which eager PyTorch takes with gradients on (the parameters require them); a traced one keeps the path it was
    # traced on, the fused fast path under torch.no_grad() (make_capture_fixture.py)
    with torch.set_grad_enabled("_scripted" in store_model(store)):
        out = model(*args)
    if output != "-":
        out = pick(out, parse(output if output.startswith("[") else '["%s"]' % output)[1], None)
    lines = []
    with h5py.File(store, "r") as f:
        stored = list(f["layers"].keys())
        lines.append("%s /inputs/logits %.3g" % (store, (torch.from_numpy(f["inputs/logits"][()]) - out).abs().max()))
        for layer in stored:
            path, steps = parse(layer)
            if path not in seen:
                lines.append("%s UNSEEN %s" % (store, layer))
                continue
            values = [pick(v, steps, modules[path]) for v in seen[path]]
            want = torch.stack(values, 1) if calls == "all" else values[-1]
            got = torch.from_numpy(f["layers"][layer]["activations"][()])
            diff = (got - want).abs().max().item() if got.shape == want.shape else float("inf")
            lines.append("%s %s %.3g" % (store, layer, diff))
        stored_paths = {parse(layer)[0] for layer in stored}
        for name, m in modules.items():
            leaf = not list(m.children()) or isinstance(m, torch.nn.MultiheadAttention)
            if layers == "all" and name and leaf and name in seen and name not in stored_paths:
                lines.append("%s MISSING %s" % (store, name))
    return lines


def store_model(store):
    with h5py.File(store, "r") as f:
        return f.attrs["model"]


def main():
    for line in open(sys.argv[1]):
        if line.strip():
            for out in run_job(*line.split()):
                print(out)


if __name__ == "__main__":
    main()
