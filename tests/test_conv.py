"""conv2d and its backward: fast == naive == the full-convolution view, dtypes, the worked example."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnlearn import (
    conv2d,
    conv2d_backward,
    conv2d_backward_naive,
    conv2d_naive,
    input_gradient_by_full_conv,
    rel_error,
    rot180,
    worked_example,
)
from cnnlearn.example import FILTER, X
from conv_cases import conv_cases, geometries

TOL = 1e-12


# ----------------------------------------------------------------------------- fast == naive == full conv

@given(conv_cases())
def test_forward_fast_equals_naive(case):
    N, F = case.x.shape[0], case.w.shape[0]
    y = conv2d(case.x, case.w, case.b, **case.kwargs)
    y_naive = conv2d_naive(case.x, case.w, case.b, **case.kwargs)
    assert y.shape == y_naive.shape == (N, F, *case.geom.out_shape)
    assert y.dtype == y_naive.dtype == np.float64
    assert rel_error(y, y_naive) <= TOL


@given(conv_cases())
def test_backward_fast_equals_naive_equals_full_conv(case):
    dx, dw, db = conv2d_backward(case.dy, case.x, case.w, **case.kwargs)
    dx_n, dw_n, db_n = conv2d_backward_naive(case.dy, case.x, case.w, **case.kwargs)
    dx_full = input_gradient_by_full_conv(case.dy, case.w, input_shape=case.x.shape, **case.kwargs)
    assert dx.shape == dx_n.shape == dx_full.shape == case.x.shape
    assert dw.shape == dw_n.shape == case.w.shape
    assert db.shape == db_n.shape == (case.w.shape[0],)
    assert rel_error(dx, dx_n) <= TOL
    assert rel_error(dx, dx_full) <= TOL
    assert rel_error(dw, dw_n) <= TOL
    assert rel_error(db, db_n) <= TOL
    # db is the plain sum of dy over batch and positions
    assert rel_error(db, case.dy.sum(axis=(0, 2, 3))) <= TOL


@given(geometries(), st.integers(0, 2**32 - 1))
def test_two_d_case_matches_the_four_d_case(g, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((g.H, g.W)), rng.standard_normal((g.kh, g.kw))
    b = float(rng.standard_normal())
    dy = rng.standard_normal(g.out_shape)
    y = conv2d(x, w, b, **g.kwargs)
    assert y.shape == g.out_shape
    assert rel_error(y, conv2d_naive(x, w, b, **g.kwargs)) <= TOL
    assert rel_error(y, conv2d(x[None, None], w[None, None], [b], **g.kwargs)[0, 0]) <= TOL

    dx, dw, db = conv2d_backward(dy, x, w, **g.kwargs)
    dx_n, dw_n, db_n = conv2d_backward_naive(dy, x, w, **g.kwargs)
    dx_full = input_gradient_by_full_conv(dy, w, input_shape=x.shape, **g.kwargs)
    assert dx.shape == dx_full.shape == x.shape and dw.shape == w.shape
    assert isinstance(db, float) and isinstance(db_n, float)
    assert rel_error(dx, dx_n) <= TOL and rel_error(dx, dx_full) <= TOL
    assert rel_error(dw, dw_n) <= TOL
    assert abs(db - dy.sum()) <= TOL * max(1.0, abs(db)) and abs(db - db_n) <= TOL * max(1.0, abs(db))


@pytest.mark.parametrize("stride, padding, dilation", [
    (1, 0, 1), (2, 0, 1), (1, 1, 1), (1, 0, 2), ((2, 1), (1, 0), (1, 2)), (3, 2, 2), ((1, 3), (0, 2), (2, 1)),
])
def test_full_conv_multichannel_fixed_configs(stride, padding, dilation):
    """A few named configurations next to the random ones, so a failure is easy to read."""
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((2, 3, 9, 8)), rng.standard_normal((4, 3, 3, 2))
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    dy = rng.standard_normal(conv2d(x, w, **kw).shape)
    dx = conv2d_backward(dy, x, w, **kw)[0]
    assert rel_error(dx, input_gradient_by_full_conv(dy, w, input_shape=x.shape, **kw)) <= TOL
    assert rel_error(dx, conv2d_backward_naive(dy, x, w, **kw)[0]) <= TOL


def test_forward_against_explicit_sums():
    """Independent of both package kernels: write the sum out with padding, stride and dilation."""
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((2, 2, 7, 6)), rng.standard_normal((3, 2, 2, 3)), rng.standard_normal(3)
    (sh, sw), (ph, pw), (dil_h, dil_w) = (2, 1), (1, 2), (2, 1)
    y = conv2d(x, w, b, stride=(sh, sw), padding=(ph, pw), dilation=(dil_h, dil_w))
    Ho, Wo = (7 + 2 * ph - dil_h * 1 - 1) // sh + 1, (6 + 2 * pw - dil_w * 2 - 1) // sw + 1
    assert y.shape == (2, 3, Ho, Wo)
    for n in range(2):
        for f in range(3):
            for i in range(Ho):
                for j in range(Wo):
                    total = b[f]
                    for c in range(2):
                        for k in range(2):
                            for l in range(3):
                                r, s = sh * i + dil_h * k - ph, sw * j + dil_w * l - pw
                                if 0 <= r < 7 and 0 <= s < 6:
                                    total += x[n, c, r, s] * w[f, c, k, l]
                    assert abs(y[n, f, i, j] - total) <= 1e-12 * max(1.0, abs(total))


def test_bias_adds_one_constant_per_filter():
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((2, 3, 5, 6)), rng.standard_normal((4, 3, 2, 2)), np.array([1.0, -2.0, 0.5, 3.0])
    diff = conv2d(x, w, b, padding=1) - conv2d(x, w, padding=1)
    assert np.allclose(diff, b[None, :, None, None], rtol=0, atol=1e-12)


def test_delta_input_gives_the_filter_rotated():
    """Cross-correlation of a single 1 with a filter paints the filter rotated by 180 degrees."""
    x = np.zeros((5, 5))
    x[2, 2] = 1.0
    w = np.arange(1.0, 10.0).reshape(3, 3)
    assert np.array_equal(conv2d(x, w, padding=1)[1:4, 1:4], w[::-1, ::-1])


# ----------------------------------------------------------------------------- dtypes

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_is_kept(dtype):
    rng = np.random.default_rng(5)
    x, w, b = (rng.standard_normal(shape).astype(dtype) for shape in ((2, 3, 5, 5), (4, 3, 2, 2), (4,)))
    dy = rng.standard_normal((2, 4, 4, 4)).astype(dtype)
    assert conv2d(x, w, b).dtype == dtype
    assert conv2d_naive(x, w, b).dtype == dtype
    for grads in (conv2d_backward(dy, x, w), conv2d_backward_naive(dy, x, w)):
        assert [g.dtype for g in grads] == [dtype] * 3
    assert input_gradient_by_full_conv(dy, w, input_shape=x.shape).dtype == dtype
    assert rot180(w).dtype == dtype
    # the 2-D case too
    assert conv2d(x[0, 0], w[0, 0]).dtype == dtype
    assert conv2d_backward(dy[0, 0], x[0, 0], w[0, 0])[0].dtype == dtype


def test_float32_agrees_with_float64():
    rng = np.random.default_rng(6)
    x, w, dy = rng.standard_normal((2, 3, 8, 7)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal((2, 4, 6, 5))
    y32 = conv2d(x.astype(np.float32), w.astype(np.float32))
    assert rel_error(y32, conv2d(x, w)) <= 1e-5
    g32 = conv2d_backward(dy.astype(np.float32), x.astype(np.float32), w.astype(np.float32))
    for a, b in zip(g32, conv2d_backward(dy, x, w)):
        assert rel_error(a, b) <= 1e-5


def test_ints_and_lists_become_float64():
    x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    w = np.array([[1, 0], [0, -1]], dtype=np.int32)
    y = conv2d(x, w)
    assert y.dtype == np.float64
    assert y.tolist() == [[1 - 5, 2 - 6], [4 - 8, 5 - 9]]
    assert conv2d_naive(x, w).dtype == np.float64
    dx, dw, db = conv2d_backward([[1, 1], [1, 1]], x, w)
    assert dx.dtype == dw.dtype == np.float64 and isinstance(db, float)
    assert input_gradient_by_full_conv([[1, 1], [1, 1]], w, input_shape=(3, 3)).dtype == np.float64
    assert rot180(w).dtype == np.float64


def test_mixed_float32_float64_gives_float64():
    x32, w64 = np.ones((1, 1, 3, 3), np.float32), np.ones((1, 1, 2, 2))
    assert conv2d(x32, w64).dtype == np.float64
    assert conv2d(x32, x32[:, :, :2, :2], b=np.ones(1)).dtype == np.float64


# ----------------------------------------------------------------------------- rot180

def test_rot180_flips_the_last_two_axes():
    w = np.arange(24.0).reshape(2, 3, 2, 2)
    r = rot180(w)
    for f in range(2):
        for c in range(3):
            for i in range(2):
                for j in range(2):
                    assert r[f, c, i, j] == w[f, c, 1 - i, 1 - j]
    assert np.array_equal(rot180(r), w)
    assert not np.shares_memory(r, w)
    assert rot180([[1, 2], [3, 4]]).tolist() == [[4, 3], [2, 1]]


# ----------------------------------------------------------------------------- worked example

def test_worked_example_values_by_hand():
    (x11, x12, x13), (x21, x22, x23), (x31, x32, x33) = X
    (f11, f12), (f21, f22) = FILTER
    expected = [[x11 * f11 + x12 * f12 + x21 * f21 + x22 * f22, x12 * f11 + x13 * f12 + x22 * f21 + x23 * f22],
                [x21 * f11 + x22 * f12 + x31 * f21 + x32 * f22, x22 * f11 + x23 * f12 + x32 * f21 + x33 * f22]]
    y = conv2d(np.array(X), np.array(FILTER))
    assert y.tolist() == expected
    assert y.tolist() == [[-1.5, -2.0], [0.5, -0.5]]  # the numbers the notebooks print
    assert conv2d_naive(X, FILTER).tolist() == expected


def test_worked_example_namespace():
    import math

    ex = worked_example()
    assert ex.y.tolist() == conv2d(X, FILTER).tolist()
    scores = [v for row in ex.y.tolist() for v in row]
    assert ex.logits.tolist() == [scores]
    denom = sum(math.exp(s) for s in scores)
    p = [math.exp(s) / denom for s in scores]
    assert np.allclose(ex.p, [p], rtol=1e-14, atol=0)
    assert abs(ex.loss - (-math.log(p[ex.label]))) <= 1e-14
    onehot = [1.0 if k == ex.label else 0.0 for k in range(4)]
    assert np.allclose(ex.dy, np.reshape([pk - tk for pk, tk in zip(p, onehot)], (2, 2)), rtol=1e-14, atol=1e-16)
    # fresh arrays every call: changing one does not change the next
    ex.x[0, 0] = 99.0
    assert worked_example().x[0, 0] == X[0][0]


def test_worked_example_backward_by_hand():
    """dL/dx22 = dy11 f22 + dy12 f21 + dy21 f12 + dy22 f11; dL/df11 = sum of dy times the pixel it met."""
    x, w = np.array(X), np.array(FILTER)
    dy = np.array([[0.1, -0.2], [0.3, 0.4]])
    dx, dw, db = conv2d_backward(dy, x, w)
    (d11, d12), (d21, d22) = dy
    (f11, f12), (f21, f22) = w
    assert dx[1, 1] == pytest.approx(d11 * f22 + d12 * f21 + d21 * f12 + d22 * f11, rel=1e-15)
    assert dx[0, 0] == pytest.approx(d11 * f11, rel=1e-15)
    assert dx[0, 1] == pytest.approx(d11 * f12 + d12 * f11, rel=1e-15)
    assert dw[0, 0] == pytest.approx(d11 * x[0, 0] + d12 * x[0, 1] + d21 * x[1, 0] + d22 * x[1, 1], rel=1e-15)
    assert db == pytest.approx(d11 + d12 + d21 + d22, rel=1e-15)


# ----------------------------------------------------------------------------- purity

def _frozen(*arrays):
    """Read-only copies: any write inside the code under test raises."""
    out = []
    for a in arrays:
        a = np.array(a, copy=True)
        a.flags.writeable = False
        out.append(a)
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv_functions_leave_arguments_unchanged(dtype):
    rng = np.random.default_rng(8)
    x, w, b = (rng.standard_normal(s).astype(dtype) for s in ((2, 3, 6, 5), (4, 3, 3, 2), (4,)))
    dy = rng.standard_normal((2, 4, 3, 4)).astype(dtype)
    kw = dict(stride=2, padding=(1, 2), dilation=(1, 2))
    originals = [a.copy() for a in (x, w, b, dy)]
    fx, fw, fb, fdy = _frozen(x, w, b, dy)
    results = [conv2d(fx, fw, fb, **kw), conv2d_naive(fx, fw, fb, **kw),
               *conv2d_backward(fdy, fx, fw, **kw), *conv2d_backward_naive(fdy, fx, fw, **kw),
               input_gradient_by_full_conv(fdy, fw, input_shape=x.shape, **kw), rot180(fw)]
    results += [conv2d(x, w, b, **kw), *conv2d_backward(dy, x, w, **kw)]
    for a, orig in zip((x, w, b, dy), originals):
        assert np.array_equal(a, orig)
    for r in results:  # no result is a view of an argument
        for a in (x, w, b, dy, fx, fw, fb, fdy):
            assert not np.shares_memory(r, a)
