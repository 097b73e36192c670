"""Layers: every backward against central differences, pooling against its loop twin, purity, bad arguments."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnnlearn
from cnnlearn.layers import (
    Conv2D,
    Flatten,
    Linear,
    MaxPool2D,
    ReLU,
    Sequential,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_backward_naive,
    max_pool2d_naive,
)

TOL = 1e-7  # relative error of an analytic gradient against central differences, float64


def distinct(rng, shape, gap=0.1):
    """Values at least ``gap`` apart, so a 1e-6 step can never change which entry is a window's maximum."""
    return (rng.permutation(int(np.prod(shape))) * gap - 1.0).reshape(shape) + rng.uniform(0, gap / 10, shape)


def check_layer_gradients(layer, x, seed=0):
    """Backward of ``layer`` against numerical gradients of L = sum(y * r), for x and every parameter."""
    rng = np.random.default_rng(seed)
    r = rng.normal(size=layer.forward(x).shape)

    def loss(x_):
        return float(np.sum(layer.forward(x_) * r))

    layer.forward(x)
    dx = layer.backward(r.copy())
    grads = {k: g.copy() for k, g in layer.grads.items()}
    assert cnnlearn.rel_error(dx, cnnlearn.numerical_gradient(loss, x)) < TOL
    for key, w in layer.params.items():
        original = w.copy()

        def loss_w(w_, key=key):
            layer.params[key][...] = w_
            return float(np.sum(layer.forward(x) * r))

        num = cnnlearn.numerical_gradient(loss_w, original)
        layer.params[key][...] = original
        assert grads[key].shape == w.shape
        assert cnnlearn.rel_error(grads[key], num) < TOL, key


# --------------------------------------------------------------------------- gradients

@pytest.mark.parametrize("seed", range(4))
def test_conv2d_gradients_random_shapes(seed):
    rng = np.random.default_rng(seed)
    C, F = rng.integers(1, 4, size=2)
    kh, kw = rng.integers(1, 4, size=2)
    stride, padding, dilation = int(rng.integers(1, 3)), int(rng.integers(0, 2)), int(rng.integers(1, 3))
    H = W = int(rng.integers(dilation * (max(kh, kw) - 1) + 1, 8))
    layer = Conv2D(C, F, (kh, kw), stride=stride, padding=padding, dilation=dilation, rng=rng)
    layer.params["b"][...] = rng.normal(size=F)
    check_layer_gradients(layer, rng.normal(size=(2, C, H, W + 1)), seed)


def test_conv2d_calls_the_core():
    rng = np.random.default_rng(1)
    layer = Conv2D(2, 3, 3, stride=2, padding=1, rng=rng)
    x, dy = rng.normal(size=(2, 2, 7, 6)), rng.normal(size=(2, 3, 4, 3))
    y = layer.forward(x)
    np.testing.assert_allclose(y, cnnlearn.conv2d_naive(x, layer.params["w"], layer.params["b"], stride=2, padding=1))
    dx = layer.backward(dy)
    dx_ref, dw_ref, db_ref = cnnlearn.conv2d_backward_naive(dy, x, layer.params["w"], stride=2, padding=1)
    np.testing.assert_allclose(dx, dx_ref)
    np.testing.assert_allclose(layer.grads["w"], dw_ref)
    np.testing.assert_allclose(layer.grads["b"], db_ref)


@pytest.mark.parametrize("seed", range(3))
def test_linear_gradients(seed):
    rng = np.random.default_rng(seed)
    fi, fo = rng.integers(1, 7, size=2)
    layer = Linear(fi, fo, rng=rng)
    layer.params["b"][...] = rng.normal(size=fo)
    check_layer_gradients(layer, rng.normal(size=(3, fi)), seed)


def test_relu_gradient_away_from_the_kink():
    rng = np.random.default_rng(2)
    x = distinct(rng, (2, 3, 4, 5)) + 0.005  # no entry within 1e-6 of 0
    check_layer_gradients(ReLU(), x)


def test_relu_gradient_is_zero_at_zero_like_pytorch():
    layer = ReLU()
    layer.forward(np.array([[-1.0, 0.0, 2.0]]))
    np.testing.assert_array_equal(layer.backward(np.ones((1, 3))), [[0.0, 0.0, 1.0]])


def test_flatten_gradient():
    rng = np.random.default_rng(3)
    check_layer_gradients(Flatten(), rng.normal(size=(2, 3, 2, 4)))


@pytest.mark.parametrize("kernel, stride", [(2, None), (2, 1), (3, 1), (3, 2), ((2, 3), (1, 2))])
def test_maxpool_gradients_including_overlapping_windows(kernel, stride):
    rng = np.random.default_rng(4)
    check_layer_gradients(MaxPool2D(kernel, stride), distinct(rng, (2, 2, 6, 7)))


def test_overlapping_pooling_adds_the_gradients_of_every_window():
    # the 9 is the maximum of all four 2x2 windows (stride 1) of this 3x3 input
    x = np.array([[1., 2., 3.], [4., 9., 5.], [0., 6., 2.]])[None, None]
    dy = np.array([[1., 10.], [100., 1000.]])[None, None]
    dx = max_pool2d_backward(dy, x, 2, 1)
    expected = np.zeros((3, 3))
    expected[1, 1] = 1111.0
    np.testing.assert_array_equal(dx[0, 0], expected)


def test_ties_go_to_the_first_maximum_in_row_major_order():
    x = np.array([[0., 5., 5., 1.],
                  [5., 5., 2., 5.]])[None, None]
    dx = max_pool2d_backward(np.array([[[[1., 2.]]]]), x, 2)
    np.testing.assert_array_equal(dx[0, 0], [[0., 1., 2., 0.], [0., 0., 0., 0.]])
    np.testing.assert_array_equal(dx, max_pool2d_backward_naive(np.array([[[[1., 2.]]]]), x, 2))


@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.integers(0, 4), st.integers(0, 4), st.integers(0, 2**32 - 1), st.booleans())
def test_maxpool_fast_equals_loop_twin(kh, kw, sh, sw, extra_h, extra_w, seed, with_ties):
    rng = np.random.default_rng(seed)
    shape = (2, 2, kh + extra_h, kw + extra_w)
    # small integers make ties common; distinct values make them impossible
    x = rng.integers(0, 3, size=shape).astype(float) if with_ties else distinct(rng, shape)
    y = max_pool2d(x, (kh, kw), (sh, sw))
    np.testing.assert_array_equal(y, max_pool2d_naive(x, (kh, kw), (sh, sw)))
    dy = rng.normal(size=y.shape)
    np.testing.assert_allclose(max_pool2d_backward(dy, x, (kh, kw), (sh, sw)),
                               max_pool2d_backward_naive(dy, x, (kh, kw), (sh, sw)), rtol=1e-12, atol=1e-14)
    # every dy arrives somewhere, exactly once
    assert np.isclose(max_pool2d_backward(dy, x, (kh, kw), (sh, sw)).sum(), dy.sum())


def test_whole_network_gradients():
    rng = np.random.default_rng(5)
    net = Sequential(Conv2D(1, 2, 3, padding=1, rng=rng), ReLU(), MaxPool2D(2), Flatten(), Linear(8, 3, rng=rng))
    net.layers[0].params["b"][...] = [0.05, -0.02]
    x, labels = rng.uniform(size=(2, 1, 4, 4)), np.array([0, 2])

    def loss():
        return cnnlearn.cross_entropy(net.forward(x), labels)

    logits = net.forward(x)
    net.backward(cnnlearn.cross_entropy_backward(logits, labels))
    grads = {k: g.copy() for k, g in net.grads.items()}
    assert set(grads) == {"0.w", "0.b", "4.w", "4.b"}
    for key, w in net.params.items():
        original = w.copy()

        def f(w_, key=key):
            net.params[key][...] = w_
            return loss()

        num = cnnlearn.numerical_gradient(f, original)
        net.params[key][...] = original
        assert cnnlearn.rel_error(grads[key], num) < TOL, key


# --------------------------------------------------------------------------- purity and bookkeeping

def _layers(rng):
    return [Conv2D(2, 3, 2, rng=rng), ReLU(), MaxPool2D(2, 1), Flatten()]


@pytest.mark.parametrize("k", range(4))
def test_backward_mutates_neither_dy_nor_the_cache_nor_x(k):
    rng = np.random.default_rng(6)
    layer = _layers(rng)[k]
    x = rng.normal(size=(2, 2, 4, 4))
    x0 = x.copy()
    y = layer.forward(x)
    dy = rng.normal(size=y.shape)
    dy0 = dy.copy()
    dx1 = layer.backward(dy)
    dx2 = layer.backward(dy)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(dy, dy0)
    np.testing.assert_array_equal(dx1, dx2)  # the cache survived the first backward
    assert not np.shares_memory(dx1, dy)


def test_linear_is_pure_and_does_not_touch_weights():
    rng = np.random.default_rng(7)
    layer = Linear(4, 3, rng=rng)
    w0 = layer.params["w"].copy()
    x = rng.normal(size=(5, 4))
    dy = rng.normal(size=(5, 3))
    dy0 = dy.copy()
    layer.forward(x)
    layer.backward(dy)
    np.testing.assert_array_equal(dy, dy0)
    np.testing.assert_array_equal(layer.params["w"], w0)


def test_grads_hold_the_last_backward_not_a_sum():
    rng = np.random.default_rng(8)
    layer = Linear(3, 2, rng=rng)
    x, dy = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    layer.forward(x)
    layer.backward(dy)
    first = layer.grads["w"].copy()
    layer.backward(dy)
    np.testing.assert_array_equal(layer.grads["w"], first)


def test_sequential_params_are_the_layers_arrays():
    rng = np.random.default_rng(9)
    net = Sequential(Conv2D(1, 2, 3, rng=rng), ReLU(), Flatten(), Linear(8, 2, rng=rng))
    assert list(net.params) == ["0.w", "0.b", "3.w", "3.b"]
    assert net.params["0.w"] is net.layers[0].params["w"]
    assert net.params["3.w"].shape == (2, 8) and net.params["0.w"].shape == (2, 1, 3, 3)
    assert len(net) == 4 and net[1] is net.layers[1]
    assert "Conv2D(1, 2, kernel_size=3)" in repr(net)


def test_initialisation_is_seeded_and_scaled():
    a = Conv2D(16, 32, 3, rng=np.random.default_rng(0)).params["w"]
    b = Conv2D(16, 32, 3, rng=np.random.default_rng(0)).params["w"]
    c = Conv2D(16, 32, 3, rng=np.random.default_rng(1)).params["w"]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert abs(a.std() / np.sqrt(2 / (16 * 9)) - 1) < 0.05  # He: std sqrt(2 / fan_in)
    w = Linear(200, 100, rng=3).params["w"]
    limit = np.sqrt(6 / 300)  # Glorot uniform bound
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.95 * limit
    assert np.all(Linear(5, 4, rng=3).params["b"] == 0) and np.all(Conv2D(1, 4, 2, rng=3).params["b"] == 0)


# --------------------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("make, error, words", [
    (lambda: Conv2D(0, 4, 3), ValueError, "in_channels must be >= 1, got 0"),
    (lambda: Conv2D(1, 2.5, 3), TypeError, "out_channels must be an integer, got 2.5"),
    (lambda: Conv2D(1, 4, (3, 3, 3)), ValueError, "kernel_size must be an int or a pair"),
    (lambda: Conv2D(1, 4, 3, stride=0), ValueError, "stride must be >= 1, got 0"),
    (lambda: Conv2D(1, 4, 3, padding=-1), ValueError, "padding must be >= 0, got -1"),
    (lambda: Conv2D(1, 4, 3, rng="seed"), TypeError, "rng must be a numpy.random.Generator"),
    (lambda: Conv2D(1, 4, 3, init="zeros"), ValueError, "init must be 'he' or 'glorot', got 'zeros'"),
    (lambda: Linear(4, 0), ValueError, "out_features must be >= 1, got 0"),
    (lambda: MaxPool2D(0), ValueError, "kernel_size must be >= 1, got 0"),
    (lambda: MaxPool2D(2, stride=True), TypeError, "stride must be an integer, got True"),
    (lambda: Sequential(ReLU(), "relu"), TypeError, "layer 1 must have forward and backward"),
])
def test_bad_constructor_arguments(make, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(")):
        make()


def test_bad_forward_and_backward_arguments():
    conv = Conv2D(3, 4, 3, rng=0)
    with pytest.raises(ValueError, match=r"x has 1 channel\(s\).*in_channels=3"):
        conv.forward(np.zeros((2, 1, 5, 5)))
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\)"):
        conv.forward(np.zeros((3, 5, 5)))
    with pytest.raises(RuntimeError, match="needs the forward pass first"):
        Conv2D(1, 1, 1, rng=0).backward(np.zeros((1, 1, 2, 2)))
    conv.forward(np.zeros((2, 3, 5, 5)))
    with pytest.raises(ValueError, match=r"dy must have the shape of the last forward output, \(2, 4, 3, 3\)"):
        conv.backward(np.zeros((2, 4, 5, 5)))
    lin = Linear(4, 2, rng=0)
    with pytest.raises(ValueError, match=r"x has 3 features .*in_features=4"):
        lin.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="contains 1 non-finite"):
        lin.forward(np.array([[0, 0, np.nan, 0]]))
    with pytest.raises(ValueError, match="larger than the padded input"):
        MaxPool2D(3).forward(np.zeros((1, 1, 2, 2)))
    with pytest.raises(ValueError, match="Flatten: x must have a batch axis"):
        Flatten().forward(np.zeros(4))
    with pytest.raises(TypeError, match="x must be a numeric array"):
        ReLU().forward("x")
