"""actopo.extract from a live module with forward hooks, against the C++ extraction (`actopo extract`) of the
same module scripted; the package imports no LibTorch until extract is called."""
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

from conftest import BUILD_DIR, WITH_TORCH

torch = pytest.importorskip("torch")
import actopo  # noqa: E402


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.relu1 = torch.nn.ReLU()
        self.pool = torch.nn.MaxPool2d(2)
        self.block = torch.nn.Sequential(torch.nn.Conv2d(4, 4, 3, padding=1), torch.nn.ReLU())
        self.flatten = torch.nn.Flatten()
        self.fc1 = torch.nn.Linear(4 * 7 * 7, 16)
        self.relu2 = torch.nn.ReLU()
        self.fc2 = torch.nn.Linear(16, 5)

    def forward(self, x):
        x = self.pool(self.relu1(self.conv1(x)))
        x = x + self.block(x)
        return self.fc2(self.relu2(self.fc1(self.flatten(x))))


@pytest.fixture
def setup(tmp_path):
    torch.manual_seed(7)
    model = Net().eval()
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 1, 14, 14)).astype(np.float32)
    y = rng.integers(0, 5, 50).astype(np.int64)
    return model, x, y


@pytest.mark.skipif(not WITH_TORCH, reason="actopo is built without LibTorch (no `actopo extract`)")
def test_live_module_equals_cpp_extraction_of_the_scripted_module(setup, tmp_path):
    model, x, y = setup
    torch.jit.script(model).save(str(tmp_path / "net.pt"))
    with h5py.File(tmp_path / "data.h5", "w") as f:
        f["x"], f["labels"] = x, y
    subprocess.run([os.path.join(BUILD_DIR, "actopo"), "extract", "--model", str(tmp_path / "net.pt"), "--dataset",
                    str(tmp_path / "data.h5"), "--layers", "all", "--batch", "16", "--quiet", "-o",
                    str(tmp_path / "cpp.h5")], check=True, capture_output=True)
    store = actopo.extract(model, x, labels=y, layers="all", path=tmp_path / "py.h5", batch_size=16)
    cpp = actopo.Store(tmp_path / "cpp.h5")
    assert sorted(store.layers) == sorted(cpp.layers) == sorted(
        ["conv1", "relu1", "pool", "block.0", "block.1", "flatten", "fc1", "relu2", "fc2"])
    for layer in cpp.layers:
        assert store[layer].shape == cpp[layer].shape
        np.testing.assert_allclose(np.asarray(store[layer]), np.asarray(cpp[layer]), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(store.labels, cpp.labels)
    np.testing.assert_array_equal(store.predictions, cpp.predictions)
    np.testing.assert_array_equal(store.index, cpp.index)
    np.testing.assert_allclose(store.logits, cpp.logits, rtol=1e-5, atol=1e-6)


def test_loaders_containers_and_output_rules(setup, tmp_path):
    model, x, y = setup
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                                         batch_size=7)
    store = actopo.extract(model, loader, layers=["block", "fc1"], path=tmp_path / "a.h5", class_names=list("abcde"))
    assert store.layers == ["block", "fc1"] and store.class_names == list("abcde")
    xt = torch.from_numpy(x)
    with torch.no_grad():
        h = model.pool(model.relu1(model.conv1(xt)))
        np.testing.assert_allclose(np.asarray(store["block"]), model.block(h).numpy(), rtol=1e-6, atol=1e-6)
        np.testing.assert_array_equal(store.labels, y)
        np.testing.assert_array_equal(store.predictions, model(xt).argmax(1).numpy())

    class TupleOut(torch.nn.Module):  # a module returning (tensor, extra) and a model returning a dict
        def __init__(self):
            super().__init__()
            self.inner = Net()
            self.twice = torch.nn.Identity()

        def forward(self, x):
            out = self.inner(x)
            self.twice(out * 2)
            return {"logits": out, "aux": self.twice(out)}

    m = TupleOut()
    s = actopo.extract(m, x, layers=["twice"], path=tmp_path / "b.h5")
    with torch.no_grad():
        want = m.inner(xt)
    np.testing.assert_allclose(np.asarray(s["twice"]), want.numpy(), rtol=1e-6)  # the last call's output
    np.testing.assert_array_equal(s.predictions, want.argmax(1).numpy())
    assert (s.labels == -1).all()


def test_bad_arguments(setup, tmp_path):
    model, x, y = setup
    cases = [
        (dict(model="net"), TypeError, "model"),
        (dict(layers=["fc3"]), ValueError, "fc1|fc2"),
        (dict(layers="fc1"), TypeError, "layers"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(labels=y[:3]), ValueError, "labels"),
        (dict(data="images"), TypeError, "data"),
        (dict(path=5), TypeError, "path"),
        (dict(compression=11), ValueError, "compression"),
    ]
    for kwargs, exc, word in cases:
        args = dict(model=model, data=x, labels=y, path=tmp_path / "c.h5")
        args.update(kwargs)
        with pytest.raises(exc, match=word):
            actopo.extract(**args)
        assert not (tmp_path / "c.h5").exists()
    bad_loader = [(torch.from_numpy(x[:8]), torch.from_numpy(y[:8])), (torch.from_numpy(x[8:16]), torch.from_numpy(y[:3]))]
    with pytest.raises(ValueError, match="data: a batch of 8 inputs came with 3 labels"):  # after the first batch
        actopo.extract(model, bad_loader, path=tmp_path / "c.h5")
    assert list(tmp_path.iterdir()) == []  # nothing left, not even the temporary file
    actopo.extract(model, x, path=tmp_path / "c.h5")
    with pytest.raises(ValueError, match="exists"):
        actopo.extract(model, x, path=tmp_path / "c.h5")


def test_import_loads_neither_torch_nor_libtorch(tmp_path):
    code = ("import sys, actopo, numpy as np; actopo.rips(np.eye(3)); actopo.Mapper; "
            "maps = open('/proc/self/maps').read(); "
            "print('torch' in sys.modules, 'libtorch' in maps, 'libactopo_nn' in maps)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


@pytest.mark.skipif(not WITH_TORCH, reason="actopo is built without LibTorch (no `actopo explain`)")
def test_explain_saliency_equals_autograd(setup):
    model, x, y = setup
    xs = x[:6]
    res = actopo.explain(model, xs, labels=y[:6], method=["saliency", "gradient"], target="label")
    inp = torch.from_numpy(xs).requires_grad_(True)
    model(inp).gather(1, torch.from_numpy(y[:6])[:, None]).sum().backward()
    grad = inp.grad.numpy()
    np.testing.assert_array_equal(res["target"], y[:6])
    np.testing.assert_allclose(res["gradient"], grad, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(res["saliency"], grad ** 2, rtol=1e-4, atol=1e-10)
    with pytest.raises(ValueError, match="labels"):
        actopo.explain(model, xs, target="label")
    with pytest.raises(ValueError, match="method"):  # the program's own message, naming the option
        actopo.explain(model, xs, method="shap")
    with pytest.raises(TypeError, match="model"):
        actopo.explain(42, xs)
