"""im2col / col2im and the matrix-product convolution, held to the loop references of conv.py."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnnlearn
from cnnlearn.im2col import (col2im, col2im_naive, conv2d_im2col, conv2d_im2col_backward, im2col, im2col_naive,
                             im2col_equation, pixel_counts, plot_im2col)


@st.composite
def layers(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    s, p, d = draw(st.integers(1, 2)), draw(st.integers(0, 2)), draw(st.integers(1, 2))
    H = draw(st.integers(max(1, d * (kh - 1) + 1 - 2 * p), 6))
    W = draw(st.integers(max(1, d * (kw - 1) + 1 - 2 * p), 6))
    N, C, Co = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (N, C, H, W), (Co, C, kh, kw), dict(stride=s, padding=p, dilation=d), draw(st.integers(0, 10 ** 6))


@settings(max_examples=60, deadline=None)
@given(layers())
def test_matrix_form_equals_loop_convolution(case):
    xs, ws, geo, seed = case
    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0])
    x0, w0 = x.copy(), w.copy()
    y = conv2d_im2col(x, w, b, **geo)
    np.testing.assert_allclose(y, cnnlearn.conv2d_naive(x, w, b, **geo), rtol=1e-10, atol=1e-12)
    dy = rng.normal(size=y.shape)
    dy0 = dy.copy()
    for got, want in zip(conv2d_im2col_backward(dy, x, w, **geo), cnnlearn.conv2d_backward_naive(dy, x, w, **geo)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert np.array_equal(x, x0) and np.array_equal(w, w0) and np.array_equal(dy, dy0)


@settings(max_examples=60, deadline=None)
@given(layers())
def test_fast_and_naive_twins_agree_and_col2im_is_the_adjoint(case):
    xs, ws, geo, seed = case
    kh, kw = ws[2:]
    rng = np.random.default_rng(seed)
    x = rng.normal(size=xs)
    cols = im2col(x, kh, kw, **geo)
    np.testing.assert_array_equal(cols, im2col_naive(x, kh, kw, **geo))
    dcols = rng.normal(size=cols.shape)
    dx = col2im(dcols, xs, kh, kw, **geo)
    np.testing.assert_allclose(dx, col2im_naive(dcols, xs, kh, kw, **geo), rtol=1e-12, atol=1e-12)
    # adjoint: <im2col(x), dcols> = <x, col2im(dcols)>
    assert np.isclose(np.sum(cols * dcols), np.sum(x * dx), rtol=1e-10, atol=1e-10)


def test_worked_example_columns_counts_and_equation():
    ex = cnnlearn.worked_example()
    cols = im2col(ex.x, 2, 2)
    # column oi*Wo + oj is the window of y[oi, oj], read row by row
    for oi in range(2):
        for oj in range(2):
            np.testing.assert_array_equal(cols[:, oi * 2 + oj], ex.x[oi:oi + 2, oj:oj + 2].ravel())
    np.testing.assert_array_equal(pixel_counts((3, 3), 2, 2), [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    tex = im2col_equation(ex.x, ex.w)
    assert r"\begin{bmatrix}2 & -1 & -0.5 & 1\end{bmatrix}" in tex
    fig = plot_im2col(ex.x, 2, 2, 3)
    assert len(fig.axes) == 2 and "y22" in fig.axes[0].get_title()


def test_2d_and_batch_forms_match():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5))
    np.testing.assert_array_equal(im2col(x, 2, 3, padding=1), im2col(x[None, None], 2, 3, padding=1)[0])
    d = rng.normal(size=im2col(x, 2, 3, padding=1).shape)
    np.testing.assert_array_equal(col2im(d, (4, 5), 2, 3, padding=1), col2im(d[None], (1, 1, 4, 5), 2, 3, padding=1)[0, 0])


@pytest.mark.parametrize("call, words", [
    (lambda: im2col(np.ones((2, 3, 3)), 2, 2), "x must have shape (N, C, H, W)"),
    (lambda: im2col(np.ones((3, 3)), 4, 2), "x.shape=(3, 3)"),
    (lambda: im2col(np.ones((3, 3)), 0, 2), "kh must be >= 1"),
    (lambda: col2im(np.ones((4, 3)), (3, 3), 2, 2), "dcols must have the shape"),
    (lambda: col2im(np.ones((4, 4)), (3, 3, 3), 2, 2), "x_shape"),
    (lambda: conv2d_im2col_backward(np.ones((3, 3)), np.ones((3, 3)), np.ones((2, 2))), "dy must have the shape"),
    (lambda: plot_im2col(np.ones((3, 3)), 2, 2, 4), "column must be in 0..3"),
])
def test_bad_input_names_the_argument(call, words):
    with pytest.raises((ValueError, TypeError)) as err:
        call()
    assert words in str(err.value)


def test_compare_speed_reports_medians_and_their_ratio():
    from cnnlearn.im2col import compare_speed
    rng = np.random.default_rng(1)
    t = compare_speed(rng.normal(size=(2, 1, 4, 4)), rng.normal(size=(3, 1, 2, 2)), padding=1, repeat=1)
    assert set(t) == {"naive", "matrix", "ratio"} and t["naive"] > 0 and t["matrix"] > 0
    assert np.isclose(t["ratio"], t["naive"] / t["matrix"])
