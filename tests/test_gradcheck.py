"""numerical_gradient and rel_error, and every analytic gradient of the package checked against them."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnnlearn import (
    conv2d,
    conv2d_backward,
    conv2d_backward_naive,
    cross_entropy,
    cross_entropy_backward,
    numerical_gradient,
    rel_error,
)
from conv_cases import conv_cases

GRAD_TOL = 1e-7


# ----------------------------------------------------------------------------- numerical_gradient itself

def test_numerical_gradient_of_known_functions():
    x = np.array([[0.3, -1.2, 2.0], [0.0, 0.7, -0.4]])
    assert rel_error(numerical_gradient(lambda v: np.sum(v ** 2), x), 2 * x) <= GRAD_TOL
    assert rel_error(numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x)) <= GRAD_TOL
    a = np.arange(6.0).reshape(2, 3)
    assert rel_error(numerical_gradient(lambda v: float(np.sum(a * v)), x), a) <= GRAD_TOL
    # f may return an array of size 1
    assert rel_error(numerical_gradient(lambda v: np.sum(v ** 3, keepdims=True), x), 3 * x ** 2) <= GRAD_TOL


def test_numerical_gradient_step_size_matters():
    """The central difference has O(h^2) error: a huge h is visibly off for a cubic, 1e-6 is not."""
    x = np.array([1.0, 2.0])
    exact = 3 * x ** 2
    assert rel_error(numerical_gradient(lambda v: np.sum(v ** 3), x, h=0.5), exact) > 1e-2
    assert rel_error(numerical_gradient(lambda v: np.sum(v ** 3), x, h=1e-6), exact) <= GRAD_TOL


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_numerical_gradient_leaves_x_unchanged(dtype):
    x = np.array([[1, 2], [3, -4]], dtype=dtype)
    before = x.copy()
    seen = []

    def f(v):
        seen.append(v)
        assert v is not x and not np.shares_memory(v, x)  # f gets a copy, never x itself
        return np.sum(v ** 2)

    g = numerical_gradient(f, x)
    assert np.array_equal(x, before) and x.dtype == dtype
    assert g.dtype == np.float64 and g.shape == x.shape
    assert len(seen) == 2 * x.size
    # read-only x works too: nothing is written into it
    x.flags.writeable = False
    numerical_gradient(lambda v: np.sum(v), x)
    assert np.array_equal(x, before)


def test_numerical_gradient_leaves_x_unchanged_when_f_fails_midway():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return v.sum()

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    assert x.tolist() == [1.0, 2.0, 3.0]


def test_numerical_gradient_restores_each_entry_before_the_next():
    """f sees exactly one perturbed entry at a time."""
    x = np.zeros((2, 2))
    h = 1e-3

    def f(v):
        assert np.count_nonzero(v) == 1 and np.abs(v).max() == h
        return float(v[0, 1])

    assert numerical_gradient(f, x, h=h).tolist() == [[0.0, 1.0], [0.0, 0.0]]


# ----------------------------------------------------------------------------- rel_error

def test_rel_error_values_by_hand():
    assert rel_error([1.0, 2.0], [1.0, 2.5]) == 0.5 / 2.5
    assert rel_error([[0.0, -4.0]], [[0.0, -3.0]]) == 1.0 / 4.0
    assert rel_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert rel_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0
    assert rel_error([3.0], [3.0]) == 0.0
    assert type(rel_error([1.0], [2.0])) is float


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=st.floats(-1e6, 1e6)),
       st.floats(1e-3, 1e3))
def test_rel_error_is_symmetric_and_scale_free(a, scale):
    b = a * 1.001 + 0.5
    e = rel_error(a, b)
    assert e == rel_error(b, a)
    assert 0.0 <= e <= 2.0
    assert rel_error(a * scale, b * scale) == pytest.approx(e, rel=1e-9, abs=1e-300)
    assert rel_error(a, a) == 0.0


def test_rel_error_with_nan_never_looks_small():
    e = rel_error([np.nan, 1.0], [1.0, 1.0])
    assert not (e <= GRAD_TOL)


# ----------------------------------------------------------------------------- conv gradients

@given(conv_cases(max_batch=2, max_channels=2, max_filters=2, max_kernel=3, max_extra=3))
def test_conv_gradients_match_numerical_gradient(case):
    """L = sum(y * dy): its gradient with respect to y is dy, so the backward of dy is dL/dx, dL/dw, dL/db."""
    x, w, b, dy, kw = case.x, case.w, case.b, case.dy, case.kwargs

    def loss(x_, w_, b_):
        return np.sum(conv2d(x_, w_, b_, **kw) * dy)

    dx, dw, db = conv2d_backward(dy, x, w, **kw)
    assert rel_error(dx, numerical_gradient(lambda v: loss(v, w, b), x)) <= GRAD_TOL
    assert rel_error(dw, numerical_gradient(lambda v: loss(x, v, b), w)) <= GRAD_TOL
    # L is linear in b, so the central difference is off only by the rounding of L's terms, about 1e-10 of their
    # size for h = 1e-6; that does not shrink with db = sum of dy when the sum nearly cancels (db ~ 0.008 from dy ~ 1)
    rounding = 1e-9 * np.sum(np.abs(conv2d(x, w, b, **kw) * dy))
    assert np.allclose(db, numerical_gradient(lambda v: loss(x, w, v), b), rtol=GRAD_TOL, atol=rounding)
    # the naive twin passes the same check (it is held equal to the fast one elsewhere, but check directly too)
    assert rel_error(conv2d_backward_naive(dy, x, w, **kw)[1], numerical_gradient(lambda v: loss(x, v, b), w)) \
        <= GRAD_TOL


def test_conv_gradients_match_numerical_gradient_in_2d():
    rng = np.random.default_rng(0)
    x, w, dy = rng.standard_normal((5, 4)), rng.standard_normal((2, 3)), rng.standard_normal((4, 2))
    dx, dw, db = conv2d_backward(dy, x, w)
    assert rel_error(dx, numerical_gradient(lambda v: np.sum(conv2d(v, w) * dy), x)) <= GRAD_TOL
    assert rel_error(dw, numerical_gradient(lambda v: np.sum(conv2d(x, v) * dy), w)) <= GRAD_TOL
    assert rel_error(np.array([db]), numerical_gradient(lambda v: np.sum(conv2d(x, w, v[0]) * dy), [0.3])) \
        <= GRAD_TOL


# ----------------------------------------------------------------------------- cross-entropy gradients

@given(st.integers(1, 4), st.integers(1, 6), st.integers(0, 2**32 - 1), st.booleans())
def test_cross_entropy_backward_matches_numerical_gradient(N, K, seed, soft):
    rng = np.random.default_rng(seed)
    # logits of unit scale: when one class wins by a wide margin the gradient shrinks towards the
    # central difference's rounding floor (about 1e-16 * |lse| / h), and no 1e-7 check can hold
    z = rng.standard_normal((N, K))
    if soft:
        labels = rng.random((N, K)) + 0.01
        labels /= labels.sum(axis=1, keepdims=True)
    else:
        labels = rng.integers(0, K, size=N)
    dz = cross_entropy_backward(z, labels)
    assert rel_error(dz, numerical_gradient(lambda v: cross_entropy(v, labels), z)) <= GRAD_TOL


def test_chain_cross_entropy_through_conv_matches_numerical_gradient():
    """The whole worked pipeline on a batch: conv2d -> flatten -> cross_entropy, backward by hand."""
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((3, 2, 5, 5)), rng.standard_normal((2, 2, 3, 3)), rng.standard_normal(2)
    labels = np.array([0, 7, 3])
    kw = dict(stride=2, padding=1)

    def loss(x_, w_, b_):
        y = conv2d(x_, w_, b_, **kw)
        return cross_entropy(y.reshape(3, -1), labels)

    y = conv2d(x, w, b, **kw)
    dy = cross_entropy_backward(y.reshape(3, -1), labels).reshape(y.shape)
    dx, dw, db = conv2d_backward(dy, x, w, **kw)
    assert rel_error(dx, numerical_gradient(lambda v: loss(v, w, b), x)) <= GRAD_TOL
    assert rel_error(dw, numerical_gradient(lambda v: loss(x, v, b), w)) <= GRAD_TOL
    # L is linear in b, so the central difference is off only by the rounding of L's terms, about 1e-10 of their
    # size for h = 1e-6; that does not shrink with db = sum of dy when the sum nearly cancels (db ~ 0.008 from dy ~ 1)
    rounding = 1e-9 * np.sum(np.abs(conv2d(x, w, b, **kw) * dy))
    assert np.allclose(db, numerical_gradient(lambda v: loss(x, w, v), b), rtol=GRAD_TOL, atol=rounding)


def test_rel_error_leaves_its_arguments_unchanged():
    a, b = np.array([1.0, -2.0], np.float32), np.array([1.5, -2.0])
    rel_error(a, b)
    assert a.tolist() == [1.0, -2.0] and a.dtype == np.float32 and b.tolist() == [1.5, -2.0]
