"""cnnlearn.saliency: input gradients through the net's backward pass, occlusion, FGSM and the iterative attack,
accuracy under attack."""

import numpy as np
import pytest
from references import loop_fgsm, loop_iterative_fgsm, loop_occlusion

from cnnlearn import saliency as S
from cnnlearn.digits_net import build_network
from cnnlearn.layers import Flatten, Linear, Sequential
from cnnlearn.losses import cross_entropy
from conftest import require_torch


@pytest.fixture(scope="module")
def net():
    return build_network(seed=3)


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(1).uniform(0, 1, size=(3, 1, 8, 8))


def numeric(f, x, h=1e-6):
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        g[idx] = (f(xp) - f(xm)) / (2 * h)
    return g


def test_score_gradient_matches_central_differences(net, x):
    x1 = x[:1]
    g = S.input_gradient(net, x1, 4)
    num = numeric(lambda v: net.forward(v)[0, 4], x1)
    assert np.abs(g - num).max() < 1e-6 * max(1.0, np.abs(num).max())


def test_loss_gradient_matches_central_differences(net, x):
    labels = np.array([2, 7, 0])
    g = S.input_gradient(net, x, labels=labels)
    num = numeric(lambda v: cross_entropy(net.forward(v), labels), x)
    assert np.abs(g - num).max() < 1e-6 * max(1.0, np.abs(num).max())


def test_saliency_is_abs_of_predicted_class_gradient(net, x):
    pred = net.forward(x).argmax(axis=1)
    want = np.abs(np.stack([S.input_gradient(net, x[n:n + 1], int(pred[n]))[0, 0] for n in range(3)]))
    got = S.saliency(net, x)
    assert got.shape == (3, 8, 8)
    assert np.allclose(got, want)


def test_fgsm_formula_bounds_and_no_mutation(x):
    dx = np.random.default_rng(2).normal(size=x.shape)
    dx[0, 0, 0, 0] = 0.0
    x0, dx0 = x.copy(), dx.copy()
    adv = S.fgsm(x, dx, 0.1)
    assert np.array_equal(x, x0) and np.array_equal(dx, dx0)
    assert adv.min() >= 0 and adv.max() <= 1
    assert np.abs(adv - x).max() <= 0.1 + 1e-12
    assert adv[0, 0, 0, 0] == x[0, 0, 0, 0]
    inside = (x > 0.1) & (x < 0.9)
    assert np.allclose((adv - x)[inside], 0.1 * np.sign(dx)[inside])
    assert np.array_equal(S.fgsm(x, dx, 0), x)


def test_fgsm_raises_the_loss(net, x):
    labels = net.forward(x).argmax(axis=1)
    dx = S.input_gradient(net, x, labels=labels)
    assert cross_entropy(net.forward(S.fgsm(x, dx, 0.05)), labels) > cross_entropy(net.forward(x), labels)


def test_accuracy_under_attack_matches_a_loop(net, x):
    labels = np.array([1, 2, 3])
    eps = [0.0, 0.1, 0.3]
    got = S.accuracy_under_attack(net, x, labels, eps)
    dx = S.input_gradient(net, x, labels=labels)
    want = [np.mean([net.forward(S.fgsm(x, dx, e))[n].argmax() == labels[n] for n in range(3)]) for e in eps]
    assert got == pytest.approx(want)


@pytest.mark.parametrize("size, fill", [(1, 0.5), (2, 0.5), (3, 0.0), (8, 0.25)])
def test_occlusion_matches_a_loop(net, x, size, fill):
    classes = np.array([4, 0, 9])
    got = S.occlusion(net, x, classes, size=size, fill=fill)
    assert got.shape == (3, 9 - size, 9 - size)
    assert np.allclose(got, loop_occlusion(net, x, classes, size, fill), rtol=1e-12, atol=1e-12)


def test_occlusion_of_a_linear_network_is_the_gradient_times_the_change(x):
    """For a network without a kink the first-order formula of the docstring is exact."""
    lin = Sequential(Flatten(), Linear(64, 10, rng=1))
    g = S.input_gradient(lin, x, 7)
    for size in (1, 3):
        got = S.occlusion(lin, x, 7, size=size)
        want = np.zeros_like(got)
        for n, i, j in np.ndindex(*got.shape):
            want[n, i, j] = np.sum(g[n, :, i:i + size, j:j + size] * (x[n, :, i:i + size, j:j + size] - 0.5))
        assert np.allclose(got, want, rtol=1e-10, atol=1e-12)


def test_occlusion_leaves_x_alone(net, x):
    x0 = x.copy()
    S.occlusion(net, x, 1, size=2)
    assert np.array_equal(x, x0)


@pytest.mark.parametrize("eps, steps, alpha", [(0.1, 3, 0.04), (0.05, 5, None), (0.2, 2, 0.15), (0.0, 2, None)])
def test_iterative_fgsm_matches_a_loop(net, x, eps, steps, alpha):
    labels = np.array([3, 1, 8])
    got = S.iterative_fgsm(net, x, labels, eps, steps=steps, alpha=alpha)
    want = loop_iterative_fgsm(net, x, labels, eps, steps, 2.5 * eps / steps if alpha is None else alpha)
    assert np.allclose(got, want, rtol=0, atol=1e-12)


def test_iterative_fgsm_keeps_to_the_eps_ball_and_the_image(net, x):
    x0 = x.copy()
    labels = net.forward(x).argmax(axis=1)
    adv = S.iterative_fgsm(net, x, labels, 0.1, steps=10, alpha=0.05)
    assert np.array_equal(x, x0)
    assert adv.min() >= 0 and adv.max() <= 1 and np.abs(adv - x).max() <= 0.1 + 1e-12
    assert cross_entropy(net.forward(adv), labels) > cross_entropy(net.forward(x), labels)


def test_one_step_of_the_iterative_attack_is_fgsm(net, x):
    labels = np.array([2, 2, 5])
    dx = S.input_gradient(net, x, labels=labels)
    for alpha in (0.1, 0.3, None):
        assert np.allclose(S.iterative_fgsm(net, x, labels, 0.1, steps=1, alpha=alpha), loop_fgsm(x, dx, 0.1),
                           rtol=0, atol=1e-12)


def test_accuracy_under_the_iterative_attack_matches_a_loop(net, x):
    labels = np.array([1, 2, 3])
    eps = [0.0, 0.1, 0.3]
    got = S.accuracy_under_attack(net, x, labels, eps, steps=3)
    want = [np.mean(net.forward(loop_iterative_fgsm(net, x, labels, e, 3, 2.5 * e / 3)).argmax(axis=1) == labels)
            for e in eps]
    assert got == pytest.approx(want)


@pytest.mark.parametrize("call, words", [
    (lambda net, x: S.input_gradient(net, x), "exactly one of classes="),
    (lambda net, x: S.input_gradient(net, x, 3, labels=1), "exactly one of classes="),
    (lambda net, x: S.input_gradient(net, x[0], 1), "x must have shape (N, C, H, W)"),
    (lambda net, x: S.input_gradient(net, x, 10), "classes must be classes 0..9"),
    (lambda net, x: S.input_gradient(net, x, [1, 2]), "3 integer classes"),
    (lambda net, x: S.fgsm(x, x[:1], 0.1), "dx must have the shape of x"),
    (lambda net, x: S.fgsm(x, x, -0.1), "eps must be a number >= 0"),
    (lambda net, x: S.occlusion(net, x, 1, size=0), "size must be >= 1"),
    (lambda net, x: S.occlusion(net, x, 1, size=9), "size must be at most min(H, W) = 8"),
    (lambda net, x: S.occlusion(net, x, 1, fill=float("nan")), "fill must be a number"),
    (lambda net, x: S.occlusion(net, x, [1, 2]), "3 integer classes"),
    (lambda net, x: S.iterative_fgsm(net, x, 1, 0.1, steps=0), "steps must be >= 1"),
    (lambda net, x: S.iterative_fgsm(net, x, 1, 0.1, alpha=-1), "alpha must be a number >= 0"),
    (lambda net, x: S.iterative_fgsm(net, x, 1, True), "eps must be a number >= 0"),
    (lambda net, x: S.accuracy_under_attack(net, x, [1, 2, 3], [0.1], steps=1.5), "steps must be an integer"),
])
def test_bad_input(net, x, call, words):
    with pytest.raises((ValueError, TypeError)) as info:
        call(net, x)
    assert words in str(info.value)


def test_saliency_matches_torch_autograd(net, x):
    torch = require_torch()
    from torch import nn
    tnet = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(512, 10)).double()
    with torch.no_grad():
        for k in (0, 3, 6):
            tnet[k].weight.copy_(torch.from_numpy(net.layers[k].params["w"]))
            tnet[k].bias.copy_(torch.from_numpy(net.layers[k].params["b"]))
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    z = tnet(xt)
    pred = z.argmax(dim=1)
    z[torch.arange(3), pred].sum().backward()
    assert np.allclose(S.saliency(net, x), xt.grad.abs().amax(dim=1).numpy(), rtol=1e-10, atol=1e-12)


def test_occlusion_in_several_forward_passes_is_the_same(net, x, monkeypatch):
    monkeypatch.setattr(S, "OCCLUSION_BATCH", 5)                  # 1 position of 3 images per forward pass
    assert np.allclose(S.occlusion(net, x, [0, 1, 2], size=2), loop_occlusion(net, x, [0, 1, 2], 2),
                       rtol=1e-12, atol=1e-12)
