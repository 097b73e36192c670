"""im2col / col2im and the matrix-product convolution, held to the loop references of conv.py."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cnnlearn
from cnnlearn.equations import col2im_equation, column_equation, im2col_equation
from cnnlearn.im2col import (
    col2im,
    col2im_naive,
    column_memory,
    conv2d_im2col,
    conv2d_im2col_backward,
    im2col,
    im2col_naive,
    im2col_sources,
    network_column_memory,
    pixel_counts,
)
from cnnlearn.receptive import window
from cnnlearn.speed import compare_speed
from cnnlearn.viz import plot_im2col


@st.composite
def layers(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    s, p, d = draw(st.integers(1, 2)), draw(st.integers(0, 2)), draw(st.integers(1, 2))
    H = draw(st.integers(max(1, d * (kh - 1) + 1 - 2 * p), 6))
    W = draw(st.integers(max(1, d * (kw - 1) + 1 - 2 * p), 6))
    N, C, Co = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (N, C, H, W), (Co, C, kh, kw), dict(stride=s, padding=p, dilation=d), draw(st.integers(0, 10 ** 6))


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
    assert r"\begin{bmatrix}-1.5 & -2 & 0.5 & -0.5\end{bmatrix}" in tex
    fig = plot_im2col(ex.x, 2, 2, 3)
    assert len(fig.axes) == 2 and "y22" in fig.axes[0].get_title()


@given(layers())
def test_sources_say_where_every_entry_was_copied_from(case):
    (_, _, H, W), (_, _, kh, kw), geo, seed = case
    x = np.random.default_rng(seed).normal(size=(H, W))
    src = im2col_sources((H, W), kh, kw, **geo)
    cols = im2col(x, kh, kw, **geo)
    assert src.shape == cols.shape and src.dtype.kind == "i"
    np.testing.assert_array_equal(cols, np.where(src >= 0, x.ravel()[src], 0.0))  # -1: the zero padding
    np.testing.assert_array_equal([np.count_nonzero(src == k) for k in range(H * W)],
                                  pixel_counts((H, W), kh, kw, **geo).ravel())
    Wo = cnnlearn.output_size((H, W), (kh, kw), **geo)[1]
    for c in range(src.shape[1]):  # each column is the window of its output pixel, in the filter's order
        taps = window(divmod(c, Wo), (H, W), (kh, kw), **geo)
        assert {r: int(src[r, c]) for r in range(kh * kw) if src[r, c] >= 0} == \
            {ki * kw + kj: i * W + j for (i, j), (ki, kj) in taps}


@given(layers())
def test_column_and_col2im_equations_agree_with_the_per_pixel_ones(case):
    (_, _, H, W), (_, _, kh, kw), geo, seed = case
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=(H, W)), rng.normal(size=(kh, kw))
    y = cnnlearn.conv2d(x, w, **geo)
    Ho, Wo = y.shape
    for oi, oj in np.ndindex(Ho, Wo):
        sym = column_equation(oi, oj, (H, W), (kh, kw), **geo)
        num = column_equation(oi, oj, (H, W), (kh, kw), **geo, x=x, w=w)
        assert num.startswith(sym + " = ") and sym.count("&") == 2 * (kh * kw - 1)
        assert f"\\mathrm{{cols}}_{{:,{oi * Wo + oj + 1}}}" in sym
        value = cnnlearn.forward_equation(oi, oj, (H, W), (kh, kw), **geo, x=x, w=w).split(" = ")[-1]
        assert num.endswith(" = " + value)
    for i, j in np.ndindex(H, W):
        eq = col2im_equation(i, j, (H, W), (kh, kw), **geo)
        grad = cnnlearn.input_gradient_equation(i, j, (H, W), (kh, kw), **geo)
        assert eq.split(" = ")[0] == grad.split(" = ")[0] and eq.split(" = ")[-1] == grad.split(" = ")[-1]
        assert eq.count("dcols") == pixel_counts((H, W), kh, kw, **geo)[i, j]


def test_worked_example_column_and_col2im_equations():
    ex = cnnlearn.worked_example()
    assert column_equation(1, 0, (3, 3), (2, 2), x=ex.x, w=ex.w) == (
        r"y_{21} = \mathrm{vec}(F)^\top\, \mathrm{cols}_{:,3} = "
        r"\begin{bmatrix}f_{11} & f_{12} & f_{21} & f_{22}\end{bmatrix}"
        r"\begin{bmatrix}x_{21} & x_{22} & x_{31} & x_{32}\end{bmatrix}^\top = "
        r"\begin{bmatrix}-1.5 & 2.5 & -2 & 0.5\end{bmatrix}\begin{bmatrix}2 & 3 & 2 & 0\end{bmatrix}^\top = 0.5")
    assert ex.y[1, 0] == 0.5
    assert col2im_equation(1, 1, (3, 3), (2, 2)) == (
        r"\frac{\partial L}{\partial x_{22}} = \mathrm{dcols}_{4,1} + \mathrm{dcols}_{3,2} + \mathrm{dcols}_{2,3}"
        r" + \mathrm{dcols}_{1,4} = dy_{11} f_{22} + dy_{12} f_{21} + dy_{21} f_{12} + dy_{22} f_{11}")
    # with padding 1 the first window holds three zeros of the padding and x11
    assert r"\begin{bmatrix}0 & 0 & 0 & x_{11}\end{bmatrix}^\top" in column_equation(0, 0, (3, 3), (2, 2), padding=1)
    assert col2im_equation(0, 4, (4, 5), (2, 2), stride=2) == r"\frac{\partial L}{\partial x_{15}} = 0"


def test_2d_and_batch_forms_match():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5))
    np.testing.assert_array_equal(im2col(x, 2, 3, padding=1), im2col(x[None, None], 2, 3, padding=1)[0])
    d = rng.normal(size=im2col(x, 2, 3, padding=1).shape)
    np.testing.assert_array_equal(col2im(d, (4, 5), 2, 3, padding=1),
                                  col2im(d[None], (1, 1, 4, 5), 2, 3, padding=1)[0, 0])


@pytest.mark.parametrize("call, words", [
    (lambda: im2col(np.ones((2, 3, 3)), 2, 2), "x must have shape (N, C, H, W)"),
    (lambda: im2col(np.ones((3, 3)), 4, 2), "x.shape=(3, 3)"),
    (lambda: im2col(np.ones((3, 3)), 0, 2), "kh must be >= 1"),
    (lambda: col2im(np.ones((4, 3)), (3, 3), 2, 2), "dcols must have the shape"),
    (lambda: col2im(np.ones((4, 4)), (3, 3, 3), 2, 2), "x_shape"),
    (lambda: conv2d_im2col_backward(np.ones((3, 3)), np.ones((3, 3)), np.ones((2, 2))), "dy must have the shape"),
    (lambda: plot_im2col(np.ones((3, 3)), 2, 2, 4), "column must be in 0..3"),
    (lambda: im2col_sources((1, 3, 3), 2, 2), "x_shape must"),
    (lambda: column_equation(2, 0, (3, 3), (2, 2)), "output pixel (2, 0) is outside the 2x2 grid"),
    (lambda: column_equation(0, 0, (3, 3), (2, 2), x=np.ones((3, 3))), "pass both x and w; missing w"),
    (lambda: column_equation(0, 0, (3, 3), (2, 2), x=np.ones((3, 2)), w=np.ones((2, 2))), "x and w must have shapes"),
    (lambda: col2im_equation(0, 3, (3, 3), (2, 2)), "input pixel (0, 3) is outside"),
    (lambda: col2im_equation(0, 0, (3, 3), (4, 2)), "larger than the padded input"),
])
def test_bad_input_names_the_argument(call, words):
    with pytest.raises((ValueError, TypeError)) as err:
        call()
    assert words in str(err.value)


def test_compare_speed_puts_loops_im2col_and_conv2d_side_by_side():
    rng = np.random.default_rng(1)
    t = compare_speed(rng.normal(size=(2, 1, 4, 4)), rng.normal(size=(3, 1, 2, 2)), padding=1, repeat=1)
    assert set(t) == {"loops", "im2col", "conv2d", "speedup"}
    assert all(t[k] > 0 for k in ("loops", "im2col", "conv2d"))
    assert t["speedup"] == {"im2col": t["loops"] / t["im2col"], "conv2d": t["loops"] / t["conv2d"]}


def test_compare_speed_refuses_to_time_a_wrong_answer(monkeypatch):
    from cnnlearn import speed as module
    monkeypatch.setattr(module, "conv2d", lambda x, w, **geo: cnnlearn.conv2d_naive(x, w, **geo) + 1)
    rng = np.random.default_rng(2)
    with pytest.raises(AssertionError, match="conv2d differs from the loops"):
        module.compare_speed(rng.normal(size=(1, 1, 3, 3)), rng.normal(size=(1, 1, 2, 2)), repeat=1)


@given(layers())
def test_column_memory_is_what_the_columns_hold(case):
    xs, (_, _, kh, kw), geo, seed = case
    x = np.random.default_rng(seed).normal(size=xs)
    m = column_memory(x, kh, kw, **geo)
    N, C, H, W = xs
    Ho, Wo = cnnlearn.output_size((H, W), (kh, kw), **geo)
    assert m["x_shape"] == xs and m["cols_shape"] == (N, C * kh * kw, Ho * Wo)
    assert m["x_bytes"] == 8 * N * C * H * W and m["cols_bytes"] == 8 * N * C * kh * kw * Ho * Wo
    assert m["ratio"] == pytest.approx(kh * kw * Ho * Wo / (H * W), rel=1e-12)


def test_network_column_memory_measures_each_convolution_on_its_own_input():
    from cnnlearn import digits_net
    net = digits_net.build_network(seed=0)
    x = np.random.default_rng(3).random((5, 1, 8, 8))
    rows = network_column_memory(net, x)
    assert [r["layer"] for r in rows] == [k for k, layer in enumerate(net.layers) if type(layer).__name__ == "Conv2D"]
    assert [r["x_shape"] for r in rows] == [(5, 1, 8, 8), (5, 16, 4, 4)]
    # stride 1 and padding 1 keep the size, so a 3x3 filter copies every pixel 9 times
    assert [r["cols_shape"] for r in rows] == [(5, 9, 64), (5, 144, 16)]
    assert [r["ratio"] for r in rows] == [9.0, 9.0] and rows[1]["cols_bytes"] == 5 * 144 * 16 * 8


def test_im2col_figure_is_made_with_pyplot_so_jupyter_shows_it():
    import matplotlib.pyplot as plt
    fig = plot_im2col(cnnlearn.worked_example().x, 2, 2, 3)
    assert plt.fignum_exists(fig.number)  # a bare Figure has no number and shows up as text in a notebook
    plt.close(fig)
