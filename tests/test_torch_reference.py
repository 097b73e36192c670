"""PyTorch as an independent oracle: conv2d, its gradients, and cross-entropy, all in float64.

Skips with one line when PyTorch is missing; fails instead when CNNLEARN_REQUIRE_TORCH=1 (CI).
"""

import numpy as np
import pytest
from hypothesis import given

from cnnlearn import (
    conv2d,
    conv2d_backward,
    conv2d_backward_naive,
    cross_entropy,
    cross_entropy_backward,
    input_gradient_by_full_conv,
    rel_error,
    softmax,
)
from conftest import require_torch
from conv_cases import conv_cases

require_torch()  # without PyTorch the whole module skips here: one line for all its tests

TOL = 1e-12


def torch_conv(torch, x, w, b, dy, **kw):
    """y, dx, dw, db from torch.nn.functional.conv2d and autograd."""
    tx, tw = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, w))
    tb = None if b is None else torch.tensor(b, dtype=torch.float64, requires_grad=True)
    ty = torch.nn.functional.conv2d(tx, tw, tb, **kw)
    ty.backward(torch.tensor(dy, dtype=torch.float64))
    db = None if tb is None else tb.grad.numpy()
    return ty.detach().numpy(), tx.grad.numpy(), tw.grad.numpy(), db


@pytest.mark.parametrize("N, C, H, W, F, kh, kw, stride, padding, dilation, bias", [
    (1, 1, 3, 3, 1, 2, 2, 1, 0, 1, False),            # the worked example's shapes
    (2, 3, 8, 8, 4, 3, 3, 1, 1, 1, True),
    (3, 2, 9, 7, 5, 3, 2, 2, 0, 1, True),             # non-square input and filter, stride 2
    (2, 4, 10, 11, 3, 3, 3, (2, 3), (1, 2), 1, True),
    (1, 2, 12, 12, 2, 3, 3, 1, 2, 2, False),          # dilation 2
    (2, 1, 9, 10, 3, 2, 3, 3, (0, 1), (2, 1), True),
    (4, 3, 6, 6, 8, 1, 1, 1, 0, 1, True),             # 1x1 filters
    (64, 1, 28, 28, 8, 3, 3, 1, 0, 1, True),          # the benchmark shapes, LeNet-sized
    (8, 3, 32, 32, 6, 5, 5, 2, 2, 1, True),
])
def test_conv2d_matches_torch(torch, N, C, H, W, F, kh, kw, stride, padding, dilation, bias):
    rng = np.random.default_rng(N * 1000 + H * 10 + F)
    x, w = rng.standard_normal((N, C, H, W)), rng.standard_normal((F, C, kh, kw))
    b = rng.standard_normal(F) if bias else None
    kw_ = dict(stride=stride, padding=padding, dilation=dilation)
    y = conv2d(x, w, b, **kw_)
    dy = rng.standard_normal(y.shape)
    ty, tdx, tdw, tdb = torch_conv(torch, x, w, b, dy, **kw_)
    assert y.shape == ty.shape
    assert rel_error(y, ty) <= TOL
    dx, dw, db = conv2d_backward(dy, x, w, **kw_)
    assert rel_error(dx, tdx) <= TOL
    assert rel_error(dw, tdw) <= TOL
    if bias:
        assert rel_error(db, tdb) <= TOL
    assert rel_error(input_gradient_by_full_conv(dy, w, input_shape=x.shape, **kw_), tdx) <= TOL


@given(conv_cases())
def test_random_conv_cases_match_torch(torch, case):
    ty, tdx, tdw, tdb = torch_conv(torch, case.x, case.w, case.b, case.dy, **case.kwargs)
    assert rel_error(conv2d(case.x, case.w, case.b, **case.kwargs), ty) <= TOL
    dx, dw, db = conv2d_backward_naive(case.dy, case.x, case.w, **case.kwargs)
    assert rel_error(dx, tdx) <= TOL and rel_error(dw, tdw) <= TOL and rel_error(db, tdb) <= TOL


def test_float32_matches_torch_float32(torch):
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((4, 3, 12, 12)).astype(np.float32), rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
    y = conv2d(x, w, padding=1)
    assert y.dtype == np.float32
    ty = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1).numpy()
    assert rel_error(y, ty) <= 1e-5


# ----------------------------------------------------------------------------- cross-entropy

def torch_cross_entropy(torch, z, target):
    tz = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    tt = torch.tensor(target) if np.asarray(target).dtype.kind == "i" else torch.tensor(target, dtype=torch.float64)
    loss = torch.nn.functional.cross_entropy(tz, tt)
    loss.backward()
    return loss.item(), tz.grad.numpy()


@pytest.mark.parametrize("N, K, scale", [(1, 4, 1.0), (5, 3, 1.0), (16, 10, 5.0), (3, 2, 1e4), (64, 10, 30.0)])
def test_cross_entropy_with_integer_labels_matches_torch(torch, N, K, scale):
    rng = np.random.default_rng(N + K)
    z = rng.standard_normal((N, K)) * scale
    labels = rng.integers(0, K, size=N)
    loss, dz = torch_cross_entropy(torch, z, labels)
    assert cross_entropy(z, labels) == pytest.approx(loss, rel=1e-13, abs=1e-14)
    assert rel_error(cross_entropy_backward(z, labels), dz) <= TOL


@pytest.mark.parametrize("N, K, scale", [(1, 4, 1.0), (5, 3, 1.0), (16, 10, 5.0), (3, 2, 1e4)])
def test_cross_entropy_with_probability_rows_matches_torch(torch, N, K, scale):
    rng = np.random.default_rng(10 * N + K)
    z = rng.standard_normal((N, K)) * scale
    t = rng.random((N, K))
    t /= t.sum(axis=1, keepdims=True)
    loss, dz = torch_cross_entropy(torch, z, t)
    assert cross_entropy(z, t) == pytest.approx(loss, rel=1e-13, abs=1e-14)
    assert rel_error(cross_entropy_backward(z, t), dz) <= TOL
    # one-hot rows are the integer labels
    labels = rng.integers(0, K, size=N)
    loss, dz = torch_cross_entropy(torch, z, np.eye(K)[labels])
    assert cross_entropy(z, labels) == pytest.approx(loss, rel=1e-13, abs=1e-14)


def test_softmax_matches_torch(torch):
    z = np.random.default_rng(3).standard_normal((6, 7)) * 50
    for axis in (0, 1, -1):
        assert rel_error(softmax(z, axis=axis), torch.softmax(torch.from_numpy(z), dim=axis).numpy()) <= TOL


# ----------------------------------------------------------------------------- input gradients

def test_two_conv_network_input_gradients_match_torch(torch):
    """dL/dX of the digits network and dL/d(input of conv 2) against autograd's x.grad and retain_grad."""
    from cnnlearn.digits_net import build_network
    from cnnlearn.layers import Sequential

    net = build_network(seed=3)
    rng = np.random.default_rng(5)
    for k in (0, 3, 6):
        net.layers[k].params["b"][...] = rng.normal(scale=0.1, size=net.layers[k].params["b"].shape)
    tnet = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(512, 10),
    ).double()
    with torch.no_grad():
        for k in (0, 3, 6):
            tnet[k].weight.copy_(torch.from_numpy(net.layers[k].params["w"]))
            tnet[k].bias.copy_(torch.from_numpy(net.layers[k].params["b"]))
    x, labels = rng.standard_normal((6, 1, 8, 8)), rng.integers(0, 10, size=6)
    logits = net.forward(x)
    dz = cross_entropy_backward(logits, labels)
    dx = net.backward(dz)
    dh = Sequential(*net.layers[3:]).backward(dz)
    tx = torch.tensor(x, requires_grad=True)
    th = tnet[:3](tx)
    th.retain_grad()
    torch.nn.functional.cross_entropy(tnet[3:](th), torch.from_numpy(labels)).backward()
    assert dx.shape == x.shape and rel_error(dx, tx.grad.numpy()) <= TOL
    assert rel_error(dh, th.grad.numpy()) <= TOL


@given(conv_cases())
def test_input_gradient_is_conv_transpose2d(torch, case):
    """dL/dX of a convolution is torch's transposed convolution of dL/dY with the same filters."""
    from conv_cases import pair

    kw_ = case.kwargs
    (sh, sw), (ph, pw), (dil_h, dil_w) = (pair(kw_[k]) for k in ("stride", "padding", "dilation"))
    Ho, Wo = case.dy.shape[2:]
    H, W = case.x.shape[2:]
    kh, kw = case.w.shape[2:]
    extra = (H - ((Ho - 1) * sh - 2 * ph + dil_h * (kh - 1) + 1), W - ((Wo - 1) * sw - 2 * pw + dil_w * (kw - 1) + 1))
    dx, _, _ = conv2d_backward(case.dy, case.x, case.w, **kw_)
    tdx = torch.nn.functional.conv_transpose2d(torch.from_numpy(case.dy), torch.from_numpy(case.w),
                                               stride=(sh, sw), padding=(ph, pw), dilation=(dil_h, dil_w),
                                               output_padding=extra).numpy()
    assert tdx.shape == case.x.shape and rel_error(dx, tdx) <= TOL
