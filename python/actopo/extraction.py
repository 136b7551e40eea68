"""Extraction from a live (eager) torch.nn.Module with forward hooks, into the activation store format of
docs/formats.md, written by actopo's C++ store writer. torch is imported here only, when extract is called.

What a hook keeps (the documented rule): a module's output that is a tensor is kept as it is; a tuple or list
gives its first tensor element; a dict its first tensor value (insertion order). The model's own output follows
the same rule and must then be [batch, classes] logits. A module called several times in one forward pass
keeps the output of its last call (as `actopo extract` does for TorchScript models)."""
import difflib
import hashlib
import os

import numpy as np

from . import _checks, _core
from .store import Store


def _first_tensor(value, what):
    import torch

    if isinstance(value, torch.Tensor):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (tuple, list)) else ()
    for item in items:
        if isinstance(item, torch.Tensor):
            return item
    raise ValueError(f"{what}: its output is a {type(value).__name__} holding no tensor")


def _batches(data, labels, batch_size):
    """(x, labels or None) per batch from a tensor or array (with `labels`), a DataLoader or any iterable of
    x or (x, y) batches, or a map-style Dataset of (x, y) items."""
    import torch

    if isinstance(data, (np.ndarray, torch.Tensor)):
        x = torch.as_tensor(data) if isinstance(data, torch.Tensor) else torch.from_numpy(
            _checks.array(data, "data", dtype=np.float32))
        if x.ndim < 2:
            raise ValueError(f"data: expected a [N, ...] batch of inputs, got shape {tuple(x.shape)}")
        y = None
        if labels is not None:
            y = _checks.array(labels, "labels", ndim=1, min_rows=0, dtype=np.int64)
            if len(y) != x.shape[0]:
                raise ValueError(f"labels: expected {x.shape[0]} labels (one per input), got {len(y)}")
        for k in range(0, x.shape[0], batch_size):
            yield x[k:k + batch_size], None if y is None else y[k:k + batch_size]
        return
    if isinstance(data, (str, bytes)) or not hasattr(data, "__iter__") and not hasattr(data, "__getitem__"):
        raise TypeError(f"data: expected a tensor, an array, a Dataset or a DataLoader, got {type(data).__name__}")
    if labels is not None:
        raise ValueError("labels: give labels only with a tensor or array of inputs (a loader yields its own)")
    if isinstance(data, torch.utils.data.Dataset) and not isinstance(data, torch.utils.data.IterableDataset):
        data = torch.utils.data.DataLoader(data, batch_size=batch_size)
    iterator = iter(data)
    for batch in iterator:
        if isinstance(batch, (tuple, list)) and len(batch) >= 2:
            yield batch[0], np.asarray(batch[1], dtype=np.int64).reshape(-1)
        elif isinstance(batch, (tuple, list)):
            yield batch[0], None
        else:
            yield batch, None


def _model_digest(model):
    """sha256 over the names and bytes of the parameters and buffers: the provenance of a live module."""
    h = hashlib.sha256()
    for name, t in model.state_dict().items():
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def extract(model, data, layers="all", path="activations.h5", batch_size=256, labels=None, force=False,
            compression=0, class_names=None, model_name=None):
    """Runs ``data`` through ``model`` (in eval mode, without gradients, on the device of its parameters) and
    writes the outputs of ``layers`` (module paths as ``model.named_modules()`` gives them, e.g. "layer1.0.conv1",
    or "all": every leaf module that forward calls), with labels, predictions and logits, to the store ``path``.
    ``data``: a tensor or array [N, ...] (with ``labels`` [N]), a DataLoader or iterable of x or (x, y) batches,
    or a Dataset of (x, y). Returns the written ``actopo.Store``."""
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a file name, got {type(path).__name__}")
    path = os.fspath(path)
    force = _checks.boolean(force, "force")
    if os.path.exists(path) and not force:
        raise ValueError(f"path: {path} exists (force=True to overwrite)")
    batch_size = _checks.integer(batch_size, "batch_size", 1)
    compression = _checks.integer(compression, "compression", 0, 9)
    if class_names is not None and (isinstance(class_names, str) or not all(isinstance(c, str) for c in class_names)):
        raise TypeError("class_names: expected a list of strings")
    modules = dict(model.named_modules())
    if isinstance(layers, str) and layers == "all":
        wanted = [n for n, m in modules.items() if n and not any(True for _ in m.children())]
    else:
        if isinstance(layers, str) or not all(isinstance(l, str) for l in layers):
            raise TypeError("layers: expected 'all' or a list of module paths")
        wanted = list(dict.fromkeys(layers))
        if not wanted:
            raise ValueError("layers: the list is empty")
        for name in wanted:
            if name not in modules or not name:
                close = difflib.get_close_matches(name, [n for n in modules if n], n=3)
                raise ValueError(f"layers: the model has no module {name!r}" +
                                 (f"; did you mean {', '.join(close)}?" if close else ""))
    outputs = {}
    hooks = [modules[name].register_forward_hook(
        lambda mod, inp, out, name=name: outputs.__setitem__(name, _first_tensor(out, f"layers: {name!r}")))
        for name in wanted]
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    was_training = model.training
    model.eval()
    writer, captured, done = None, None, 0
    try:
        with torch.no_grad():
            for x, y in _batches(data, labels, batch_size):
                outputs.clear()
                x = torch.as_tensor(x)
                logits = _first_tensor(model(x.to(device)), "model").float()
                if logits.ndim != 2:
                    raise ValueError(f"model: its output must be [batch, classes] logits, got shape {tuple(logits.shape)}")
                b = x.shape[0]
                if captured is None:
                    captured = [n for n in wanted if n in outputs]
                    if not captured:
                        raise ValueError("layers: forward called none of them")
                    if not (isinstance(layers, str) and layers == "all") and len(captured) < len(wanted):
                        missing = [n for n in wanted if n not in outputs]
                        raise ValueError(f"layers: forward never called {', '.join(missing)}")
                    specs = [(n, list(outputs[n].shape[1:])) for n in captured]
                    info = {"model": model_name or type(model).__name__, "model_sha256": _model_digest(model),
                            "dataset": f"python:{type(data).__name__}", "split": "",
                            "class_names": list(class_names or [])}
                    num_classes = logits.shape[1]
                    writer = _core.StoreWriter(path, info, specs, num_classes, force, compression)
                arrays = []
                for n, (_, shape) in zip(captured, specs):
                    if n not in outputs:
                        raise ValueError(f"layers: {n!r} was not called in the forward pass of batch at input {done}")
                    a = outputs[n].detach().to("cpu", torch.float32).contiguous().numpy()
                    if list(a.shape) != [b, *shape]:
                        raise ValueError(f"layers: {n!r} gave shape {list(a.shape)} for a batch of {b}, "
                                         f"expected [{b}, {', '.join(map(str, shape))}]")
                    arrays.append(a)
                lg = logits.detach().cpu().contiguous().numpy()
                if lg.shape[1] != num_classes:
                    raise ValueError(f"model: gave {lg.shape[1]} logits per input, {num_classes} in the first batch")
                labels_b = np.full(b, -1, np.int64) if y is None else np.ascontiguousarray(y, dtype=np.int64)
                if labels_b.shape != (b,):
                    raise ValueError(f"data: a batch of {b} inputs came with {labels_b.size} labels")
                writer.append(np.arange(done, done + b, dtype=np.int64), labels_b, lg.argmax(1).astype(np.int64),
                              lg, arrays)
                done += b
        if writer is None:
            raise ValueError("data: holds no inputs")
        writer.finish()
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
        del writer
    return Store(path)
