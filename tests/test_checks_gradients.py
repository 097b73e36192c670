"""The checks of notebooks 03, 04 and 06: right answers pass, typical slips get their specific hint,
an untouched stub gets the "not written yet" hint, and nothing ends in a traceback."""

import numpy as np
import pytest

import cnnlearn
from cnnlearn import checks
from cnnlearn.checks import gradients


def stub(*args):
    raise NotImplementedError()


def dx_right(dy, w):
    H, W = dy.shape[0] + w.shape[0] - 1, dy.shape[1] + w.shape[1] - 1
    return cnnlearn.conv2d_backward(dy, np.zeros((H, W)), w)[0]


def dx_by_loops(dy, w):
    """A student's loop version, written from the 'which outputs does this pixel feed' idea."""
    Ho, Wo = dy.shape
    kh, kw = w.shape
    dx = np.zeros((Ho + kh - 1, Wo + kw - 1))
    for oi in range(Ho):
        for oj in range(Wo):
            dx[oi:oi + kh, oj:oj + kw] += dy[oi, oj] * w
    return dx


def test_every_check_is_exported():
    for name in gradients.__all__:
        assert getattr(checks, name) is getattr(gradients, name)


@pytest.mark.parametrize("check", [checks.check_filter_gradient, checks.check_input_gradient,
                                   checks.check_dx22_line, checks.check_feed_counts, checks.check_bias_gradient])
def test_stub_and_non_function_get_hints(check):
    fb = check(stub)
    assert not fb and "not written yet" in fb.message
    fb = check(42)
    assert not fb and "pass the function itself" in fb.message
    fb = check(lambda *a: None)
    assert not fb and "forget a `return`" in fb.message


# --------------------------------------------------------------------------- dL/dX

def test_input_gradient_right_answers():
    assert checks.check_input_gradient(dx_right)
    assert checks.check_input_gradient(dx_by_loops)
    assert checks.check_input_gradient(
        lambda dy, w: cnnlearn.input_gradient_by_full_conv(
            dy, w, input_shape=(dy.shape[0] + w.shape[0] - 1, dy.shape[1] + w.shape[1] - 1)))


def test_input_gradient_missing_term_is_named():
    def missing(dy, w):
        dx = dx_right(dy, w)
        dx[1, 1] -= dy[0, 1] * w[1, 0]
        return dx
    fb = checks.check_input_gradient(missing)
    assert not fb
    assert "x_22 feeds 4 outputs; your answer has 3: missing dy_12 * f_21" in fb.message


def test_input_gradient_extra_and_swapped_terms_are_named():
    def extra(dy, w):
        dx = dx_right(dy, w)
        dx[0, 0] += dy[1, 1] * w[0, 0]
        return dx
    fb = checks.check_input_gradient(extra)
    assert not fb and "x_11 feeds 1 output; your answer has 2 terms" in fb.message
    assert "drop dy_22 * f_11" in fb.message

    def swapped(dy, w):
        dx = dx_right(dy, w)
        dx[0, 1] += dy[0, 0] * (w[1, 0] - w[0, 1])  # dy_11 * f_21 in place of dy_11 * f_12
        return dx
    fb = checks.check_input_gradient(swapped)
    assert not fb and "the term dy_11 * f_21 should be dy_11 * f_12" in fb.message


def test_input_gradient_unrotated_filter_and_wrong_shape():
    fb = checks.check_input_gradient(lambda dy, w: cnnlearn.conv2d(dy, w, padding=(w.shape[0] - 1, w.shape[1] - 1)))
    assert not fb and "without rotating it" in fb.message
    fb = checks.check_input_gradient(lambda dy, w: dy * 2)
    assert not fb and "the shape of dL/dY" in fb.message
    fb = checks.check_input_gradient(lambda dy, w: np.zeros((7, 7)))
    assert not fb and "shape (7, 7)" in fb.message


def test_input_gradient_hard_coded_worked_example_fails_on_random_case():
    ex = cnnlearn.worked_example()
    fixed = dx_right(ex.dy, ex.w)
    fb = checks.check_input_gradient(lambda dy, w: fixed)
    assert not fb and "random" in fb.message


def test_input_gradient_mutating_the_arguments_gets_a_hint():
    def mutates(dy, w):
        dx = dx_right(dy, w)
        dy *= 0
        return dx
    fb = checks.check_input_gradient(mutates)
    assert not fb and "changed an array it was given" in fb.message


def test_input_gradient_exception_becomes_a_hint():
    fb = checks.check_input_gradient(lambda dy, w: dy[5, 5])
    assert not fb and "raised IndexError" in fb.message


# --------------------------------------------------------------------------- the dx22 slip

def dx22_right(dy, w):
    return dy[0, 0] * w[1, 1] + dy[0, 1] * w[1, 0] + dy[1, 0] * w[0, 1] + dy[1, 1] * w[0, 0]


def test_dx22_slip_terms_are_made_from_the_right_ones():
    right, wrong = gradients.wrong_dx22_terms()
    assert right == cnnlearn.contributions((3, 3), (2, 2))[1, 1]
    assert [k for _, k in wrong].count((0, 1)) == 2  # f_12 twice
    assert sum(a != b for a, b in zip(right, wrong)) == 1


def test_dx22_line():
    assert checks.check_dx22_line(dx22_right)
    assert checks.check_dx22_line(lambda dy, w: np.array([dx22_right(dy, w)]))
    fb = checks.check_dx22_line(
        lambda dy, w: dy[0, 0] * w[1, 1] + dy[0, 1] * w[0, 1] + dy[1, 0] * w[0, 1] + dy[1, 1] * w[0, 0])
    assert not fb and "repeats the slip" in fb.message
    assert "the term dy_12 * f_12 should be dy_12 * f_21" in fb.message and "f_12 now appears twice" in fb.message
    fb = checks.check_dx22_line(lambda dy, w: float(np.sum(dy * w)))
    assert not fb and "rotated by 180 degrees" in fb.message
    fb = checks.check_dx22_line(lambda dy, w: dy[0, 0] * w[1, 1] + dy[1, 0] * w[0, 1] + dy[1, 1] * w[0, 0])
    assert not fb and "x_22 feeds 4 outputs; your answer has 3: missing dy_12 * f_21" in fb.message
    fb = checks.check_dx22_line(lambda dy, w: dy)
    assert not fb and "one number" in fb.message
    fb = checks.check_dx22_line(lambda dy, w: "a")
    assert not fb and "one number" in fb.message


# --------------------------------------------------------------------------- dL/dF

def test_filter_gradient():
    assert checks.check_filter_gradient(lambda x, dy: cnnlearn.conv2d(x, dy))
    fb = checks.check_filter_gradient(lambda x, dy: cnnlearn.rot180(cnnlearn.conv2d(x, dy)))
    assert not fb and "rotated by 180 degrees" in fb.message

    def one_off(x, dy):
        dw = cnnlearn.conv2d(x, dy)
        dw[0, 1] += 1.0
        return dw
    fb = checks.check_filter_gradient(one_off)
    assert not fb and "dL/df_12 is off" in fb.message
    assert "dy_11 * x_12 + dy_12 * x_13 + dy_21 * x_22 + dy_22 * x_23" in fb.message
    fb = checks.check_filter_gradient(lambda x, dy: cnnlearn.conv2d(x, dy)[:1])
    assert not fb and "shape" in fb.message


def test_filter_gradient_transpose_hint():
    def transposed(x, dy):
        dw = cnnlearn.conv2d(x, dy)
        return dw.T if dw.shape[0] == dw.shape[1] else dw
    fb = checks.check_filter_gradient(transposed)
    assert not fb and "transpose" in fb.message


# --------------------------------------------------------------------------- counts and bias

def test_feed_counts():
    def right(shape, kshape):
        H, W = shape
        kh, kw = kshape
        rows = [min(i, H - kh) - max(0, i - kh + 1) + 1 for i in range(H)]
        cols = [min(j, W - kw) - max(0, j - kw + 1) + 1 for j in range(W)]
        return np.outer(rows, cols)
    assert checks.check_feed_counts(right)
    fb = checks.check_feed_counts(lambda shape, kshape: np.ones(shape))
    assert not fb and "x_12 feeds 2 output(s) (y_11, y_12), your answer says 1" in fb.message
    fb = checks.check_feed_counts(lambda shape, kshape: np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]))
    assert not fb and "4x5" in fb.message  # hard-coded: fails on the next shape


def test_bias_gradient():
    assert checks.check_bias_gradient(lambda dy: dy.sum(axis=(0, 2, 3)))
    cases = {
        lambda dy: dy.mean(axis=(0, 2, 3)): "you took the mean",
        lambda dy: dy.sum(axis=(0, 2, 3)) / dy.shape[0]: "you divided by N",
        lambda dy: dy.sum(axis=(2, 3)): "shape (N, F)",
        lambda dy: dy.sum(axis=(0,)): "shape (F, Ho, Wo)",
        lambda dy: dy.sum(): "one bias per filter",
        lambda dy: dy[0].sum(axis=(1, 2)): "only the first example",
        lambda dy: dy.sum(axis=(0, 2, 3)) + 1: "db_1 should be the sum of dy[:, 0, :, :]",
    }
    for fn, words in cases.items():
        fb = checks.check_bias_gradient(fn)
        assert not fb and words in fb.message, fb.message


@pytest.mark.parametrize("seed", range(5))
def test_explain_pixel_names_the_missing_term_for_random_geometry(seed):
    rng = np.random.default_rng(seed)
    H, W, kh, kw = rng.integers(3, 6), rng.integers(3, 6), rng.integers(1, 4), rng.integers(1, 4)
    dy, w = rng.normal(size=(H - kh + 1, W - kw + 1)), rng.normal(size=(kh, kw))
    feeds = cnnlearn.contributions((H, W), (kh, kw))
    (i, j), pairs = max(feeds.items(), key=lambda kv: len(kv[1]))
    right = sum(dy[o] * w[k] for o, k in pairs)
    assert gradients.explain_pixel(right, i, j, (H, W), dy, w) is None
    o, k = pairs[int(rng.integers(len(pairs)))]
    why = gradients.explain_pixel(right - dy[o] * w[k], i, j, (H, W), dy, w)
    assert f"missing dy_{o[0] + 1}{o[1] + 1} * f_{k[0] + 1}{k[1] + 1}" in why
