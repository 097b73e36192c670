"""Every layer, the whole network and SGD against PyTorch (float64), the reference CI always has."""

import numpy as np
import pytest

import cnnlearn
from cnnlearn.layers import Conv2D, Flatten, Linear, MaxPool2D, ReLU, Sequential
from cnnlearn.optim import SGD
from conftest import require_torch

torch = require_torch()
nn = torch.nn

TOL = 1e-12  # float64: the two differ only by the order of summation


def t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=True)


def close(a, b, tol=TOL):
    b = b.detach().numpy() if hasattr(b, "detach") else b
    assert a.shape == b.shape
    assert cnnlearn.rel_error(a, b) < tol


def compare(layer, torch_layer, x, seed=0):
    """Forward, dx and every parameter gradient of a cnnlearn layer and its torch twin, for L = sum(y * r)."""
    rng = np.random.default_rng(seed)
    y = layer.forward(x)
    xt = t(x)
    yt = torch_layer(xt)
    close(y, yt)
    r = rng.normal(size=y.shape)
    (yt * torch.from_numpy(r)).sum().backward()
    close(layer.backward(r), xt.grad)
    for key, torch_name in (("w", "weight"), ("b", "bias")):
        if key in layer.params:
            close(layer.grads[key], getattr(torch_layer, torch_name).grad)


@pytest.mark.parametrize("C, F, k, stride, padding, dilation", [
    (1, 4, 3, 1, 1, 1), (3, 2, 2, 2, 0, 1), (2, 3, (3, 2), (2, 1), (1, 0), (1, 2)), (2, 2, 3, 3, 2, 2)])
def test_conv2d(C, F, k, stride, padding, dilation):
    rng = np.random.default_rng(0)
    layer = Conv2D(C, F, k, stride=stride, padding=padding, dilation=dilation, rng=rng)
    layer.params["b"][...] = rng.normal(size=F)
    tl = nn.Conv2d(C, F, k, stride=stride, padding=padding, dilation=dilation).double()
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(layer.params["w"]))
        tl.bias.copy_(torch.from_numpy(layer.params["b"]))
    compare(layer, tl, rng.normal(size=(2, C, 7, 8)))


def test_linear():
    rng = np.random.default_rng(1)
    layer = Linear(6, 4, rng=rng)
    layer.params["b"][...] = rng.normal(size=4)
    tl = nn.Linear(6, 4).double()
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(layer.params["w"]))
        tl.bias.copy_(torch.from_numpy(layer.params["b"]))
    compare(layer, tl, rng.normal(size=(5, 6)))


def test_relu_with_exact_zeros():
    x = np.random.default_rng(2).integers(-2, 3, size=(2, 3, 4, 4)).astype(float)
    compare(ReLU(), nn.ReLU(), x)


@pytest.mark.parametrize("kernel, stride", [(2, None), (2, 1), (3, 1), (3, 2), ((2, 3), (1, 2))])
@pytest.mark.parametrize("ties", [False, True])
def test_maxpool_overlapping_and_ties(kernel, stride, ties):
    rng = np.random.default_rng(3)
    shape = (2, 3, 7, 8)
    x = rng.integers(0, 3, size=shape).astype(float) if ties else rng.normal(size=shape)
    compare(MaxPool2D(kernel, stride), nn.MaxPool2d(kernel, stride), x)


def test_flatten():
    compare(Flatten(), nn.Flatten(), np.random.default_rng(4).normal(size=(3, 2, 3, 4)))


def build_pair(seed):
    rng = np.random.default_rng(seed)
    net = Sequential(Conv2D(1, 4, 3, padding=1, rng=rng), ReLU(), MaxPool2D(2), Flatten(), Linear(64, 10, rng=rng))
    net.layers[0].params["b"][...] = rng.normal(scale=0.1, size=4)
    tnet = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(64, 10)).double()
    with torch.no_grad():
        for k in (0, 4):
            tnet[k].weight.copy_(torch.from_numpy(net.layers[k].params["w"]))
            tnet[k].bias.copy_(torch.from_numpy(net.layers[k].params["b"]))
    return net, tnet, rng


def test_whole_network_loss_and_gradients():
    net, tnet, rng = build_pair(5)
    x, labels = rng.uniform(size=(16, 1, 8, 8)), rng.integers(0, 10, size=16)
    logits = net.forward(x)
    loss = cnnlearn.cross_entropy(logits, labels)
    net.backward(cnnlearn.cross_entropy_backward(logits, labels))
    tloss = nn.functional.cross_entropy(tnet(torch.from_numpy(x)), torch.from_numpy(labels))
    tloss.backward()
    assert abs(loss - tloss.item()) < 1e-12 * abs(loss)
    for k in (0, 4):
        close(net.grads[f"{k}.w"], tnet[k].weight.grad)
        close(net.grads[f"{k}.b"], tnet[k].bias.grad)


@pytest.mark.parametrize("kwargs", [dict(lr=0.1), dict(lr=0.05, momentum=0.9),
                                    dict(lr=0.05, momentum=0.9, weight_decay=1e-3, dampening=0.1),
                                    dict(lr=0.05, momentum=0.8, nesterov=True)])
def test_sgd_matches_torch_over_several_steps(kwargs):
    net, tnet, rng = build_pair(6)
    opt, topt = SGD(net, **kwargs), torch.optim.SGD(tnet.parameters(), **kwargs)
    for _ in range(4):
        x, labels = rng.uniform(size=(8, 1, 8, 8)), rng.integers(0, 10, size=8)
        logits = net.forward(x)
        net.backward(cnnlearn.cross_entropy_backward(logits, labels))
        opt.step()
        topt.zero_grad()
        nn.functional.cross_entropy(tnet(torch.from_numpy(x)), torch.from_numpy(labels)).backward()
        topt.step()
    for k in (0, 4):
        close(net.params[f"{k}.w"], tnet[k].weight, 1e-11)
        close(net.params[f"{k}.b"], tnet[k].bias, 1e-11)
