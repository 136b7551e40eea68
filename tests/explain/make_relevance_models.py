#!/usr/bin/python3
"""Makes the fixtures of the modified backward passes (LRP, deep Taylor, DeepLIFT, guided backprop, deconvnet) with
real PyTorch (python3-torch), as a PyTorch user would hand them in. Inputs: tests/explain/data/data.h5 (make_models.py).

  rmlp.pt   Flatten -> Linear(64, 12) -> ReLU -> Linear(12, 8) -> ReLU -> Linear(8, 3), no biases   (script)
  rfree.pt  conv -> ReLU -> a residual block (conv, ReLU, conv, += x, ReLU) -> AvgPool2d(2) -> Flatten
            -> Linear, no biases, no max pooling (conservation and summation-to-delta hold exactly)        (script)
  rcnn.pt   conv -> BatchNorm -> ReLU -> MaxPool -> conv -> ReLU -> Dropout -> AdaptiveAvgPool2d(2)
            -> Flatten -> Linear -> ReLU -> Linear, with biases                                            (script)
  rres.pt   the torchvision ResNet layout: conv1 (no bias) -> bn1 -> relu (in place) -> maxpool -> layer1.0, a
            BasicBlock with stride 2 and a downsample (1x1 conv + BatchNorm), out += identity -> avgpool
            -> torch.flatten -> fc                                                                          (trace)
  rvgg.pt   the torchvision VGG layout: features (conv, ReLU, MaxPool) x 2 -> avgpool (adaptive, 2x2)
            -> torch.flatten -> classifier (Linear, ReLU, Dropout, Linear)                                  (script)
  rgate.pt  Flatten -> Linear(64, 6) -> x * sigmoid(x) (a product of two tensors: no relevance rule) -> Linear(6, 3)
                                                                                                            (script)
  two.pt    Linear(2, 2) -> ReLU -> Linear(2, 1), no biases, weights by hand: guided backprop and deconvnet
            on paper (tests/explain/test_relevance.cpp)                                                     (script)
  rconv.pt  no ReLU: Conv2d dilated 2, unpadded -> Conv2d (3, 2) kernel, padding (2, 0) -> view as a sequence
            -> Conv1d dilated 3, padded -> Conv1d unpadded -> Flatten -> Linear: the convolutions' backward as a
            forward convolution with flipped weights, where guided backprop is the gradient                (script)
The weights are seeded and random (BatchNorm statistics too), with no training.
Run from anywhere:  /usr/bin/python3 tests/explain/make_relevance_models.py
"""
import os

import h5py
import torch
import torch.nn as nn

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


class RMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(64, 12, bias=False)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(12, 8, bias=False)
        self.relu2 = nn.ReLU()
        self.fc3 = nn.Linear(8, 3, bias=False)

    def forward(self, x):
        return self.fc3(self.relu2(self.fc2(self.relu1(self.fc1(self.flatten(x))))))


class RFree(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1, bias=False)
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1, bias=False)
        self.relu2 = nn.ReLU()
        self.pool = nn.AvgPool2d(2)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(64, 3, bias=False)

    def forward(self, x):
        x = self.relu(self.conv(x))
        out = self.conv2(self.relu1(self.conv1(x)))
        out = out + x
        return self.fc(self.flatten(self.pool(self.relu2(out))))


class RCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.relu1 = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.drop = nn.Dropout(0.3)
        self.avgpool = nn.AdaptiveAvgPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(24, 10)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(10, 3)

    def forward(self, x):
        x = self.pool(self.relu1(self.bn1(self.conv1(x))))
        x = self.avgpool(self.drop(self.relu2(self.conv2(x))))
        return self.fc2(self.relu3(self.fc1(self.flatten(x))))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class RRes(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(2)
        self.layer1 = nn.Sequential(BasicBlock(4, 6, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        x = self.layer1(self.maxpool(self.relu(self.bn1(self.conv1(x)))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class RVGG(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
                                      nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2))
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(nn.Linear(24, 10), nn.ReLU(True), nn.Dropout(), nn.Linear(10, 3))

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


class RGate(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(64, 6)
        self.fc2 = nn.Linear(6, 3)

    def forward(self, x):
        h = self.fc1(self.flatten(x))
        return self.fc2(h * torch.sigmoid(h))


class Two(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 2, bias=False)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(2, 1, bias=False)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


class RConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 3, 3, dilation=2)
        self.conv2 = nn.Conv2d(3, 2, (3, 2), padding=(2, 0))
        self.seq1 = nn.Conv1d(2, 4, 3, padding=1, dilation=3)
        self.seq2 = nn.Conv1d(4, 2, 2)
        self.fc = nn.Linear(2 * 13, 3)

    def forward(self, x):
        h = self.conv2(self.conv1(x))  # [N, 2, 6, 3]
        h = self.seq2(self.seq1(h.view(h.size(0), 2, 18)))
        return self.fc(torch.flatten(h, 1))


def main():
    torch.manual_seed(11)
    with h5py.File(os.path.join(HERE, "data.h5")) as f:
        x = torch.from_numpy(f["x"][:2])
    for name, model in [("rmlp", RMLP()), ("rfree", RFree()), ("rcnn", RCNN()), ("rres", RRes()), ("rvgg", RVGG()),
                        ("rgate", RGate())]:
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                with torch.no_grad():
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.2, 0.2)
                    m.running_mean.uniform_(-0.2, 0.2)
                    m.running_var.uniform_(0.5, 1.5)
        model.eval()
        path = os.path.join(HERE, name + ".pt")
        if name == "rres":
            with torch.no_grad():
                torch.jit.trace(model, x).save(path)
        else:
            torch.jit.script(model).save(path)
    two = Two()
    with torch.no_grad():
        two.fc1.weight.copy_(torch.tensor([[1.0, -1.0], [-1.0, 2.0]]))
        two.fc2.weight.copy_(torch.tensor([[-1.0, 2.0]]))
    torch.jit.script(two.eval()).save(os.path.join(HERE, "two.pt"))
    torch.manual_seed(12)  # its own seed: the models above keep their weights
    torch.jit.script(RConv().eval()).save(os.path.join(HERE, "rconv.pt"))


if __name__ == "__main__":
    main()
