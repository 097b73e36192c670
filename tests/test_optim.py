"""SGD: the update rule written out by hand, in-place updates, bad arguments (torch comparison in test_layers_torch)."""

import numpy as np
import pytest

from cnnlearn.layers import Linear, Sequential
from cnnlearn.optim import SGD


class Params:
    """A bare model: one parameter and a gradient we set by hand."""

    def __init__(self, w, g):
        self.params = {"w": np.array(w, dtype=float)}
        self.grads = {"w": np.array(g, dtype=float)}


def test_plain_sgd_step():
    m = Params([1.0, -2.0], [0.5, 0.25])
    SGD(m, lr=0.1).step()
    np.testing.assert_allclose(m.params["w"], [0.95, -2.025])


def test_momentum_weight_decay_dampening_by_hand():
    lr, mu, wd, tau = 0.1, 0.9, 0.01, 0.2
    m = Params([1.0, -2.0], [0.5, 0.25])
    opt = SGD(m, lr=lr, momentum=mu, weight_decay=wd, dampening=tau)
    w, v = np.array([1.0, -2.0]), None
    for g in ([0.5, 0.25], [-1.0, 2.0], [0.3, 0.3]):
        m.grads["w"] = np.array(g)
        opt.step()
        d = np.array(g) + wd * w
        v = d.copy() if v is None else mu * v + (1 - tau) * d  # first step: buffer = gradient, no dampening
        w = w - lr * v
        np.testing.assert_allclose(m.params["w"], w, rtol=1e-14)


def test_nesterov_by_hand():
    m = Params([1.0], [2.0])
    opt = SGD(m, lr=0.5, momentum=0.5, nesterov=True)
    opt.step()   # v = 2, step = 2 + 0.5 * 2 = 3
    np.testing.assert_allclose(m.params["w"], [1.0 - 1.5])
    opt.step()   # v = 0.5 * 2 + 2 = 3, step = 2 + 1.5 = 3.5
    np.testing.assert_allclose(m.params["w"], [-0.5 - 1.75])


def test_updates_the_layers_in_place_and_leaves_grads_alone():
    net = Sequential(Linear(3, 2, rng=0))
    w = net.layers[0].params["w"]
    w0 = w.copy()
    net.forward(np.ones((1, 3)))
    net.backward(np.ones((1, 2)))
    g0 = net.grads["0.w"].copy()
    SGD(net, lr=0.1, momentum=0.9).step()
    assert net.layers[0].params["w"] is w
    np.testing.assert_allclose(w, w0 - 0.1 * g0)
    np.testing.assert_array_equal(net.grads["0.w"], g0)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(lr=0), ValueError, "lr must be > 0"),
    (dict(lr=-1), ValueError, "lr must be >= 0.0, got -1.0"),
    (dict(lr="fast"), TypeError, "lr must be a finite number, got 'fast'"),
    (dict(lr=0.1, momentum=-0.5), ValueError, "momentum must be >= 0.0, got -0.5"),
    (dict(lr=0.1, dampening=1.0), ValueError, "dampening must be >= 0.0 and < 1.0, got 1.0"),
    (dict(lr=0.1, nesterov=True), ValueError, "nesterov=True needs momentum > 0"),
    (dict(lr=0.1, weight_decay=float("nan")), TypeError, "weight_decay must be a finite number"),
])
def test_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        SGD(Params([1.0], [1.0]), **kwargs)


def test_bad_model_and_mismatched_grads():
    with pytest.raises(TypeError, match="model must have params and grads"):
        SGD([np.zeros(3)], lr=0.1)
    m = Params([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match=r"grads\['w'\] has shape \(1,\) but params\['w'\] has shape \(2,\)"):
        SGD(m, lr=0.1).step()
