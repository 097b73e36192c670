"""The checks of notebooks 03, 04 and 06: right answers pass, typical slips get their specific hint,
an untouched stub gets the "not written yet" hint, and nothing ends in a traceback."""

import re
import types

import numpy as np
import pytest
from references import (
    corr,
    counts_by_loops,
    dw_batch_right,
    dw_strided_right,
    dx22_right,
    dx_by_loops,
    dx_strided_right,
)

import cnnlearn
from cnnlearn import checks
from cnnlearn.checks import gradients
from helpers import assert_really_wrong, names_in, unresolved


def stub(*args):
    raise NotImplementedError()


def dx_right(dy, w):
    H, W = dy.shape[0] + w.shape[0] - 1, dy.shape[1] + w.shape[1] - 1
    return cnnlearn.conv2d_backward(dy, np.zeros((H, W)), w)[0]


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
    assert not fb and "changed its argument" in fb.message


def test_input_gradient_exception_becomes_a_hint():
    fb = checks.check_input_gradient(lambda dy, w: dy[5, 5])
    assert not fb and "raised IndexError" in fb.message


# --------------------------------------------------------------------------- the dx22 slip


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
        return cnnlearn.conv2d(x, dy).T
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
    assert not np.array_equal(np.ones((3, 3)), right((3, 3), (2, 2)))  # really wrong
    assert not np.array_equal(right((4, 5), (3, 2)), np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]))
    fb = checks.check_feed_counts(lambda shape, kshape: np.ones(shape))
    assert not fb and "x_12 feeds 2 output(s) (y_11, y_12), your answer says 1" in fb.message
    fb = checks.check_feed_counts(lambda shape, kshape: np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]))
    assert not fb and "4x5" in fb.message  # hard-coded: fails on the next shape


def test_bias_gradient():
    assert checks.check_bias_gradient(lambda dy: dy.sum(axis=(0, 2, 3)))
    cases = {
        lambda dy: dy.mean(axis=(0, 2, 3)): "you took the mean",
        lambda dy: dy.sum(axis=(0, 2, 3)) / dy.shape[0]: "you divided by N",
        lambda dy: dy.sum(axis=(2, 3)): "shape (N, C_out)",
        lambda dy: dy.sum(axis=(0,)): "shape (C_out, Ho, Wo)",
        lambda dy: dy.sum(): "one bias per filter",
        lambda dy: dy[0].sum(axis=(1, 2)): "only the first example",
        lambda dy: dy.sum(axis=(0, 2, 3)) + 1: "db_1 (filter 1, code index 0) should be the sum",
        lambda dy: dy.sum(axis=(1, 2, 3))[:dy.shape[1]]: "summed over the wrong axes",
    }
    dy = np.random.default_rng(0).normal(size=(3, 2, 4, 5))
    for fn, words in cases.items():
        wrong = np.asarray(fn(dy))
        assert wrong.shape != (2,) or not np.allclose(wrong, dy.sum(axis=(0, 2, 3)))  # really wrong
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


# =========================================================================== every named slip, with proof it is wrong
#
# Each table lists wrong answers a student writes, and a fragment of the hint each must get. The test first
# runs the wrong answer on the check's own cases and asserts that it really is wrong there (against
# references written here with loops, independent of the checks), then that the check names the slip.


def full(dy, v):
    kh, kw = v.shape
    return corr(np.pad(dy, ((kh - 1, kh - 1), (kw - 1, kw - 1))), v)


def rot(w):
    return w[::-1, ::-1]


def assert_hint(fb, fragments, absent=()):
    assert not fb.ok, f"a wrong answer passed: {fb!r}"
    for f in fragments:
        assert f in fb.message, f"{f!r} not in {fb.message!r}"
    for f in absent:
        assert f not in fb.message, f"{f!r} should not be in {fb.message!r}"
    assert "broadcast" not in fb.message and "operands could not" not in fb.message


# --------------------------------------------------------------------------- dL/dF, one example

def dw_hard_coded_2x2(x, dy):
    dw = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            dw[i, j] = np.sum(x[i:i + 2, j:j + 2] * dy)
    return dw


FILTER_WRONG = {
    "dw rotated by 180": (lambda x, dy: rot(corr(x, dy)), ["rotated by 180 degrees", "without flipping"]),
    "dy flipped (true convolution)": (lambda x, dy: corr(x, rot(dy)), ["rotated dL/dY by 180 degrees",
                                                                      "true convolution"]),
    "dw transposed": (lambda x, dy: corr(x, dy).T, ["the transpose"]),
    "hard-coded 2x2 windows": (dw_hard_coded_2x2, ["works on the worked example", "must work for any sizes",
                                                   "raised ValueError"]),
    "hard-coded 2x2 result": (lambda x, dy: corr(x, dy)[:2, :2], ["has shape (2, 2)", "any sizes"]),
}


def filter_runs():
    return [((x, dy), corr(x, dy)) for _, x, _, dy in gradients._cases("general")]


@pytest.mark.parametrize("slip", FILTER_WRONG)
def test_filter_gradient_slips(slip):
    fn, fragments = FILTER_WRONG[slip]
    assert_really_wrong(fn, filter_runs())
    assert_hint(checks.check_filter_gradient(fn), fragments)


def test_filter_gradient_right_and_mutation():
    assert checks.check_filter_gradient(corr)

    def mutates(x, dy):
        dy[0, 0] = 0
        return corr(x, dy)
    assert_hint(checks.check_filter_gradient(mutates), ["changed its argument"])
    assert_hint(checks.check_filter_gradient(lambda x, dy: x[9, 9]), ["raised IndexError"])


# --------------------------------------------------------------------------- dL/dX, one example

def input_runs():
    return [((dy, w), dx_by_loops(dy, w)) for _, _, w, dy in gradients._cases("general")]


INPUT_WRONG = {
    "filter not rotated": (lambda dy, w: full(dy, w), ["without rotating it"]),
    "transposed instead of rotated": (lambda dy, w: full(dy, w.T),
                                      ["you transposed the filter instead of rotating it"]),
    "flipped up-down only": (lambda dy, w: full(dy, w[::-1]), ["flipped the filter up-down only"]),
    "flipped left-right only": (lambda dy, w: full(dy, w[:, ::-1]), ["flipped the filter left-right only"]),
    "hard-coded 3x3 result": (lambda dy, w: dx_by_loops(dy, w)[:3, :3], ["has shape (3, 3)", "any sizes"]),
    "a missing term at x_22": (lambda dy, w: dx_by_loops(dy, w) - np.pad([[0, 0, 0], [0, dy[0, 1] * w[1, 0], 0]],
                                                                        ((0, dy.shape[0] + w.shape[0] - 3),
                                                                         (0, dy.shape[1] + w.shape[1] - 4))),
                               ["x_22 feeds 4 outputs; your answer has 3: missing dy_12 * f_21"]),
    "an extra term at x_11": (lambda dy, w: dx_by_loops(dy, w) + np.pad([[dy[1, 1] * w[0, 0]]], (
        (0, dy.shape[0] + w.shape[0] - 2), (0, dy.shape[1] + w.shape[1] - 2))),
        ["x_11 feeds 1 output; your answer has 2 terms", "drop dy_22 * f_11"]),
    "a filter entry in place of another at x_12": (
        lambda dy, w: dx_by_loops(dy, w) + np.pad([[0, dy[0, 0] * (w[1, 0] - w[0, 1])]], (
            (0, dy.shape[0] + w.shape[0] - 2), (0, dy.shape[1] + w.shape[1] - 3))),
        ["the term dy_11 * f_21 should be dy_11 * f_12"]),
    "shape of dL/dY": (lambda dy, w: dy * 2, ["the shape of dL/dY"]),
}


@pytest.mark.parametrize("slip", INPUT_WRONG)
def test_input_gradient_slips(slip):
    fn, fragments = INPUT_WRONG[slip]
    assert_really_wrong(fn, input_runs())
    assert_hint(checks.check_input_gradient(fn), fragments)


def test_the_transposed_filter_is_caught_on_the_worked_example():
    ex = cnnlearn.worked_example()
    assert not np.allclose(full(ex.dy, ex.w.T), dx_by_loops(ex.dy, ex.w))
    fb = checks.check_input_gradient(INPUT_WRONG["transposed instead of rotated"][0])
    assert fb.message.startswith("for the worked example")


# --------------------------------------------------------------------------- the dL/dx22 line

DX22_WRONG = {
    "the article's slip (f_12 twice)": (
        lambda dy, w: dy[0, 0] * w[1, 1] + dy[0, 1] * w[0, 1] + dy[1, 0] * w[0, 1] + dy[1, 1] * w[0, 0],
        ["repeats the slip", "f_12 now appears twice"]),
    "same place": (lambda dy, w: float(np.sum(dy * w)), ["same place, f_ij"]),
    "off-diagonal terms not swapped": (
        lambda dy, w: dy[0, 0] * w[1, 1] + dy[0, 1] * w[0, 1] + dy[1, 0] * w[1, 0] + dy[1, 1] * w[0, 0],
        ["rotated the corners", "kept dy_12 with f_12"]),
    "transposed instead of rotated": (lambda dy, w: float(np.sum(dy * w.T)), ["that is the transpose F^T"]),
    "flipped up-down only": (lambda dy, w: float(np.sum(dy * w[::-1])), ["up-down only"]),
    "flipped left-right only": (lambda dy, w: float(np.sum(dy * w[:, ::-1])), ["left-right only"]),
    "a missing term": (lambda dy, w: dy[0, 0] * w[1, 1] + dy[1, 0] * w[0, 1] + dy[1, 1] * w[0, 0],
                       ["x_22 feeds 4 outputs; your answer has 3: missing dy_12 * f_21"]),
}


@pytest.mark.parametrize("slip", DX22_WRONG)
def test_dx22_slips(slip):
    fn, fragments = DX22_WRONG[slip]
    assert_really_wrong(fn, [((dy, w), dx22_right(dy, w)) for _, _, w, dy in gradients._cases("dx22")])
    others = [f for s, (_, fs) in DX22_WRONG.items() if s != slip for f in fs if f not in fragments]
    assert_hint(checks.check_dx22_line(fn), fragments, absent=others)


def test_dx22_slips_do_not_coincide_on_the_checks_cases():
    """Every named slip has its own value on each random case, so a hint names one slip only."""
    for label, _, w, dy in gradients._cases("dx22")[1:]:
        values = [fn(dy, w) for fn, _ in DX22_WRONG.values()] + [dx22_right(dy, w)]
        assert len(values) == len(set(np.round(values, 9))), label


# --------------------------------------------------------------------------- dL/dF for a batch (03)


def dw_batch_hard_coded(x, dy):
    dw = np.zeros((2, 2))
    for n in range(len(x)):
        for i in range(2):
            for j in range(2):
                dw[i, j] += np.sum(x[n, i:i + 2, j:j + 2] * dy[n])
    return dw


BATCH_WRONG = {
    "mean over the batch": (lambda x, dy: dw_batch_right(x, dy) / len(x), ["averaged over the batch"]),
    "only the first example": (lambda x, dy: corr(x[0], dy[0]), ["only the first example"]),
    "one result per example": (lambda x, dy: np.stack([corr(x[n], dy[n]) for n in range(len(x))]),
                               ["one dL/dF per example", "sum over the batch axis"]),
    "dy flipped": (lambda x, dy: sum(corr(x[n], rot(dy[n])) for n in range(len(x))), ["rotated dL/dY"]),
    "result transposed": (lambda x, dy: dw_batch_right(x, dy).T, ["transpose"]),
    "hard-coded 2x2 windows": (dw_batch_hard_coded, ["must work for any sizes"]),
    "an entry off": (lambda x, dy: dw_batch_right(x, dy) + np.eye(*dw_batch_right(x, dy).shape)[::-1],
                     ["dL/df_12 should be", "x_n,i(j+1)"]),
}


def batch_runs():
    return [((x, dy), dw_batch_right(x, dy)) for _, x, dy in gradients._batch_cases()]


@pytest.mark.parametrize("slip", BATCH_WRONG)
def test_filter_gradient_batch_slips(slip):
    fn, fragments = BATCH_WRONG[slip]
    assert_really_wrong(fn, batch_runs())
    assert_hint(checks.check_filter_gradient_batch(fn), fragments)


def test_filter_gradient_batch_right_and_accidents():
    assert checks.check_filter_gradient_batch(dw_batch_right)
    assert checks.check_filter_gradient_batch(lambda x, dy: cnnlearn.conv2d_backward(
        dy[:, None], x[:, None], np.zeros((1, 1, x.shape[1] - dy.shape[1] + 1, x.shape[2] - dy.shape[2] + 1)))[1][0, 0])
    check_accidents(checks.check_filter_gradient_batch, dw_batch_right)


def check_accidents(check, right):
    """Untouched stub, exception, missing return, non-function, changed inputs."""
    assert_hint(check(stub), ["not written yet"])
    assert_hint(check(lambda *a: [1][4]), ["raised IndexError"])
    assert_hint(check(lambda *a: None), ["forget a `return`"])
    assert_hint(check(7), ["pass the function itself"])

    def mutates(*args):
        out = right(*args)
        args[0][...] = 0
        return out
    assert_hint(check(mutates), ["changed its argument"])


# ----------------------------------------------------------------- dL/dF and dL/dX with stride and padding (06)


def dw_strided_no_stride(x, dy, kshape, s, p):
    return dw_strided_right(x, dy, kshape, 1, p)


def dw_strided_no_padding_clipped(x, dy, kshape, s, p):
    """Forgets the padding; reads past the input's end as zeros."""
    kh, kw = kshape
    xz = np.pad(x, ((0, 3 * kh + 2 * p), (0, 3 * kw + 2 * p)))
    dw = np.zeros(kshape)
    for oi, oj in np.ndindex(*dy.shape):
        dw += dy[oi, oj] * xz[oi * s:oi * s + kh, oj * s:oj * s + kw]
    return dw


def dw_strided_no_padding(x, dy, kshape, s, p):
    return dw_strided_right(x, dy, kshape, s, 0)


def dw_strided_stride1_shape(x, dy, kshape, s, p):
    return corr(np.pad(x, p), dy)


STRIDED_DW_WRONG = {
    "ignored the stride": (dw_strided_no_stride, ["ignored the stride", "one pixel apart"]),
    "ignored the padding (reads past the end as 0)": (dw_strided_no_padding_clipped, ["ignored the padding"]),
    "ignored the padding (crashes)": (dw_strided_no_padding, ["first case with padding", "np.pad"]),
    "result rotated": (lambda *a: rot(dw_strided_right(*a)), ["rotated by 180 degrees"]),
    "dy rotated": (lambda x, dy, k, s, p: dw_strided_right(x, rot(dy), k, s, p), ["rotated dL/dY"]),
    "result transposed": (lambda *a: dw_strided_right(*a).T, ["transpose"]),
    "shape of a stride-1 correlation": (dw_strided_stride1_shape, ["stride-1 correlation",
                                                                   "kernel_shape = (2, 2)"]),
}


def strided_dw_runs():
    return [((x, dy, w.shape, s, p), dw_strided_right(x, dy, w.shape, s, p))
            for _, x, w, dy, s, p in gradients._strided_cases()]


def test_strided_references_agree_with_the_package():
    for _, x, w, dy, s, p in gradients._strided_cases():
        dx, dw, _ = cnnlearn.conv2d_backward(dy, x, w, stride=s, padding=p)
        assert np.allclose(dw, dw_strided_right(x, dy, w.shape, s, p))
        assert np.allclose(dx, dx_strided_right(dy, w, x.shape, s, p))
        assert np.allclose(dx, gradients._gather_dx(dy, cnnlearn.rot180(w), x.shape, s, p))


@pytest.mark.parametrize("slip", STRIDED_DW_WRONG)
def test_filter_gradient_strided_slips(slip):
    fn, fragments = STRIDED_DW_WRONG[slip]
    assert_really_wrong(fn, strided_dw_runs())
    assert_hint(checks.check_filter_gradient_strided(fn), fragments)


def test_filter_gradient_strided_right_and_accidents():
    assert checks.check_filter_gradient_strided(dw_strided_right)
    assert checks.check_filter_gradient_strided(
        lambda x, dy, k, s, p: cnnlearn.conv2d_backward(dy, x, np.zeros(k), stride=s, padding=p)[1])
    check_accidents(checks.check_filter_gradient_strided, dw_strided_right)


def dx_gather(dy, v, shape, s, p, zero_insert=True):
    """Gather form with v in place of rot180(F): zero-insert dy, full correlation with v, crop."""
    H, W = shape
    if zero_insert:
        z = np.zeros(((dy.shape[0] - 1) * s + 1, (dy.shape[1] - 1) * s + 1))
        z[::s, ::s] = dy
    else:
        z = dy
    f = full(z, v)
    dxp = np.zeros((H + 2 * p, W + 2 * p))
    h, w_ = min(f.shape[0], dxp.shape[0]), min(f.shape[1], dxp.shape[1])
    dxp[:h, :w_] = f[:h, :w_]
    return dxp[p:p + H, p:p + W]


STRIDED_DX_WRONG = {
    "ignored the stride": (lambda dy, w, shape, s, p: dx_strided_right(dy, w, shape, s, p, step=1),
                           ["ignored the stride", "one pixel apart"]),
    "padding not cropped": (lambda dy, w, shape, s, p: dx_strided_right(dy, w, shape, s, p, crop=False),
                            ["gradient of the padded input", "Crop the P = 1"]),
    "gather form, filter not rotated": (lambda dy, w, shape, s, p: dx_gather(dy, w, shape, s, p),
                                        ["without rotating it"]),
    "gather form, filter transposed": (lambda dy, w, shape, s, p: dx_gather(dy, w.T, shape, s, p),
                                       ["you transposed the filter instead of rotating it"]),
    "gather form, dy not zero-inserted": (
        lambda dy, w, shape, s, p: dx_gather(dy, rot(w), shape, s, p, zero_insert=False),
        ["ignored the stride", "did not insert zeros"]),
    "full convolution of dy as it is (shape)": (lambda dy, w, shape, s, p: full(dy, rot(w)),
                                                ["insert 1 zero(s) between neighbouring entries"]),
    "wrong shape": (lambda dy, w, shape, s, p: np.zeros((2, 2)), ["input_shape = (3, 3)"]),
    "ignored the padding (windows on the unpadded grid)": (
        lambda dy, w, shape, s, p: dx_strided_right(dy, w, shape, s, 0), ["you ignored the padding"]),
}


def strided_dx_runs():
    return [((dy, w, x.shape, s, p), dx_strided_right(dy, w, x.shape, s, p))
            for _, x, w, dy, s, p in gradients._strided_cases()]


@pytest.mark.parametrize("slip", STRIDED_DX_WRONG)
def test_input_gradient_strided_slips(slip):
    fn, fragments = STRIDED_DX_WRONG[slip]
    assert_really_wrong(fn, strided_dx_runs())
    assert_hint(checks.check_input_gradient_strided(fn), fragments)


def test_input_gradient_strided_right_and_accidents():
    assert checks.check_input_gradient_strided(dx_strided_right)
    assert checks.check_input_gradient_strided(
        lambda dy, w, shape, s, p: cnnlearn.input_gradient_by_full_conv(dy, w, stride=s, padding=p, input_shape=shape))
    assert checks.check_input_gradient_strided(lambda dy, w, shape, s, p: dx_gather(dy, rot(w), shape, s, p))
    check_accidents(checks.check_input_gradient_strided, dx_strided_right)


def test_existing_checks_accidents():
    check_accidents(checks.check_filter_gradient, corr)
    check_accidents(checks.check_input_gradient, dx_by_loops)
    check_accidents(checks.check_dx22_line, dx22_right)


# =========================================================================== both forms of dL/dX (issue 18)
#
# 04's exercise 2 asks for the scatter form, 06's exercise 2 for the gather form, and one check serves both. A
# slip of one form often gives the numbers of a slip of the other, so the hint must say what each form did.

def scatter(dy, w, v=lambda w: w, op="+=", swap_dy=False):
    """04's exercise 2 as a student writes it: the scatter loop, v(w) in place of w, op in place of +=."""
    Ho, Wo = dy.shape
    kh, kw = w.shape
    dx = np.zeros((Ho + kh - 1, Wo + kw - 1))
    for i in range(Ho):
        for j in range(Wo):
            share = (dy[j, i] if swap_dy else dy[i, j]) * v(w)
            if op == "+=":
                dx[i:i + kh, j:j + kw] += share
            elif op == "-=":
                dx[i:i + kh, j:j + kw] -= share
            else:
                dx[i:i + kh, j:j + kw] = share
    return dx


def gather(dy, w, v):
    """06's exercise 2 as a student writes it: the zero-padded dL/dY (padded for w), full convolution with v(w)."""
    kh, kw = w.shape
    return corr(np.pad(dy, ((kh - 1, kh - 1), (kw - 1, kw - 1))), v(w))


FORMS_WRONG = {
    # wrong answer: (function, fragments the hint must have, fragments it must not have)
    "scatter: filter rotated in the loop": (
        lambda dy, w: scatter(dy, w, rot), ["if you scattered (`dx[window] += dy_ij * F`), you rotated the filter",
                                            "the scatter form uses F as it is"],
        ["over the zero-padded dL/dY without rotating it"]),
    "scatter: -= for +=": (lambda dy, w: scatter(dy, w, op="-="), ["wrong sign", "(not `-=`)"],
                           ["without rotating it", "rotated the filter"]),
    "scatter: = for +=": (lambda dy, w: scatter(dy, w, op="="), ["you assign (=)", "instead of adding it (+=)"], []),
    "scatter: flipped up-down": (lambda dy, w: scatter(dy, w, lambda w: w[::-1, :]),
                                 ["if you scattered, you flipped the filter up-down (its rows, w[::-1, :])",
                                  "If you gathered, you flipped the filter left-right only"],
                                 ["if you scattered, you flipped the filter left-right"]),
    "scatter: flipped left-right": (lambda dy, w: scatter(dy, w, lambda w: w[:, ::-1]),
                                    ["if you scattered, you flipped the filter left-right (its columns, w[:, ::-1])",
                                     "If you gathered, you flipped the filter up-down only"],
                                    ["if you scattered, you flipped the filter up-down"]),
    "scatter: F^T (fails on a non-square filter)": (lambda dy, w: scatter(dy, w, lambda w: w.T),
                                                    ["if you scattered, you used the transposed filter F^T"], []),
    "scatter: dL/dY read transposed": (lambda dy, w: scatter(dy, w, swap_dy=True), ["you read dL/dY transposed"],
                                       []),
    "gather: filter not rotated": (lambda dy, w: gather(dy, w, lambda w: w),
                                   ["If you gathered", "you slid the filter without rotating it"], []),
    "gather: flipped up-down only": (lambda dy, w: gather(dy, w, lambda w: w[::-1, :]),
                                     ["If you gathered, you flipped the filter up-down only"], []),
    "gather: F^T, padded for F": (lambda dy, w: gather(dy, w, lambda w: w.T),
                                  ["you transposed the filter instead of rotating it"], []),
    "gather: negated instead of rotated": (lambda dy, w: gather(dy, w, lambda w: -w),
                                           ["you negated the filter instead of rotating it"], []),
    "gather: turned by 90 degrees": (lambda dy, w: gather(dy, w, np.rot90), ["turned the filter by 90 degrees"], []),
    "gather: turned by -90 degrees": (lambda dy, w: gather(dy, w, lambda w: np.rot90(w, -1)),
                                      ["turned the filter by 90 degrees"], []),
}


def test_form_references_are_right():
    for (dy, w), right in input_runs():
        assert np.allclose(scatter(dy, w), right) and np.allclose(gather(dy, w, rot), right)


def test_a_rotated_scatter_is_an_unrotated_gather():
    """Why the hint speaks to both forms: the two slips give the same numbers on every case."""
    for (dy, w), _ in input_runs():
        assert np.allclose(scatter(dy, w, rot), gather(dy, w, lambda w: w))
        assert np.allclose(scatter(dy, w, lambda w: w[::-1, :]), gather(dy, w, lambda w: w[:, ::-1]))


def scatter_strided(dy, w, shape, s, p, v=lambda w: w, op="+=", crop="centre"):
    """06's exercise 4 as a student writes it, with v(w) for w, op for +=, and the crop: "centre" (right),
    "corner" (dx_padded[:H, :W]), "minus" (dx_padded[P:-P, P:-P]) or None."""
    H, W = shape
    kh, kw = w.shape
    dxp = np.zeros((H + 2 * p, W + 2 * p))
    for i in range(dy.shape[0]):
        for j in range(dy.shape[1]):
            window = (slice(i * s, i * s + kh), slice(j * s, j * s + kw))
            if op == "+=":
                dxp[window] += dy[i, j] * v(w)
            elif op == "-=":
                dxp[window] -= dy[i, j] * v(w)
            else:
                dxp[window] = dy[i, j] * v(w)
    return {"centre": dxp[p:p + H, p:p + W], "corner": dxp[:H, :W], "minus": dxp[p:-p, p:-p], None: dxp}[crop]


STRIDED_FORMS_WRONG = {
    "scatter: filter rotated in the loop": (
        lambda dy, w, shape, s, p: scatter_strided(dy, w, shape, s, p, rot),
        ["if you scattered (`dx[window] += dy_ij * F`), you rotated the filter"],
        ["in the gather form you used the filter without rotating it"]),
    "scatter: -= for +=": (lambda dy, w, shape, s, p: scatter_strided(dy, w, shape, s, p, op="-="),
                           ["wrong sign", "(not `-=`)"], ["without rotating it"]),
    "scatter: = for +=": (lambda dy, w, shape, s, p: scatter_strided(dy, w, shape, s, p, op="="),
                          ["you assign (=)"], []),
    "scatter: flipped up-down": (lambda dy, w, shape, s, p: scatter_strided(dy, w, shape, s, p, lambda w: w[::-1]),
                                 ["if you scattered, you flipped the filter up-down"], []),
    "scatter: flipped left-right": (
        lambda dy, w, shape, s, p: scatter_strided(dy, w, shape, s, p, lambda w: w[:, ::-1]),
        ["if you scattered, you flipped the filter left-right"], []),
    "scatter: F^T": (lambda dy, w, shape, s, p: scatter_strided(dy, w, shape, s, p, lambda w: w.T),
                     ["if you scattered, you used the transposed filter F^T"], []),
    "crop dx_padded[P:-P, P:-P] (empty at P = 0)": (
        lambda dy, w, shape, s, p: scatter_strided(dy, w, shape, s, p, crop="minus"),
        ["is empty, shape (0, 0)", "-0 is 0", "dx_padded[P:P + H, P:P + W]"], ["[P:-P, P:-P])"]),
    "kept the top-left corner": (lambda dy, w, shape, s, p: scatter_strided(dy, w, shape, s, p, crop="corner"),
                                 ["top-left corner", "dx_padded[P:P + H, P:P + W]"], []),
    "not cropped": (lambda dy, w, shape, s, p: scatter_strided(dy, w, shape, s, p, crop=None),
                    ["gradient of the padded input", "dx_padded[P:P + H, P:P + W]"], ["P:-P"]),
    "gather: negated instead of rotated": (lambda dy, w, shape, s, p: dx_gather(dy, -w, shape, s, p),
                                           ["negated the filter instead of rotating it"], []),
}


FORM_TABLES = {"04 and 06 exercise 2": (checks.check_input_gradient, input_runs, FORMS_WRONG),
               "06 exercise 4": (checks.check_input_gradient_strided, strided_dx_runs, STRIDED_FORMS_WRONG)}


@pytest.mark.parametrize("exercise, slip", [(e, s) for e, (_, _, table) in FORM_TABLES.items() for s in table])
def test_input_gradient_slips_of_both_forms(exercise, slip):
    check, runs, table = FORM_TABLES[exercise]
    fn, fragments, absent = table[slip]
    assert_really_wrong(fn, runs())
    assert_hint(check(fn), fragments, absent)


def test_ignoring_the_padding_gives_the_top_left_corner():
    """Why one hint names both: scattering on the unpadded grid and keeping dx_padded[:H, :W] agree everywhere."""
    for (dy, w, shape, s, p), _ in strided_dx_runs():
        assert np.allclose(dx_strided_right(dy, w, shape, s, 0), scatter_strided(dy, w, shape, s, p, crop="corner"))


# --------------------------------------------------------------------------- code a hint recommends works on every case

def test_the_recommended_crop_fixes_every_wrong_crop():
    """The crop the hints recommend, dx_padded[P:P + H, P:P + W], is right on every case, P = 0 included."""
    def fixed(dy, w, shape, s, p):
        dx_padded, (H, W), P = scatter_strided(dy, w, shape, s, p, crop=None), shape, p
        return dx_padded[P:P + H, P:P + W]
    assert any(p == 0 for *_, p in gradients._strided_cases())
    assert checks.check_input_gradient_strided(fixed)
    for slip in ("not cropped", "kept the top-left corner", "crop dx_padded[P:-P, P:-P] (empty at P = 0)"):
        fb = checks.check_input_gradient_strided(STRIDED_FORMS_WRONG[slip][0])
        assert "dx_padded[P:P + H, P:P + W]" in fb.message


def test_the_recommended_zero_insertion_fixes_the_gather_form():
    """The stride hints recommend cnnlearn.conv.dilate(dy, (s, s)): with it the gather form passes every case."""
    fb = checks.check_input_gradient_strided(STRIDED_DX_WRONG["gather form, dy not zero-inserted"][0])
    assert "cnnlearn.conv.dilate(dy, (s, s))" in fb.message

    def fixed(dy, w, shape, s, p):
        dy_z = cnnlearn.conv.dilate(dy, (s, s))
        return dx_gather(dy_z, rot(w), shape, 1, p)
    assert checks.check_input_gradient_strided(fixed)
    fb = checks.check_input_gradient_strided(STRIDED_DX_WRONG["full convolution of dy as it is (shape)"][0])
    assert "cnnlearn.conv.dilate(dy, (s, s))" in fb.message


def test_the_recommended_padding_fixes_the_filter_gradient():
    fb = checks.check_filter_gradient_strided(dw_strided_no_padding)
    assert "np.pad(x, P)" in fb.message
    assert checks.check_filter_gradient_strided(
        lambda x, dy, k, s, p: dw_strided_no_padding(np.pad(x, p), dy, k, s, 0))


def test_the_recommended_copy_fixes_a_changed_argument():
    def mutates(dy, w):
        dy *= 1.5
        return dx_by_loops(dy / 1.5, w)
    fb = checks.check_input_gradient(mutates)
    assert_hint(fb, ["changed its argument dy", "`dy = dy.copy()`"])
    assert checks.check_input_gradient(lambda dy, w: mutates(dy.copy(), w))


# --------------------------------------------------------------------------- dL/dF: indices read the wrong way

def dw_loops(x, dy, read):
    """03's exercise 1 as a student writes it, with the four indices read by read(x, dy, ki, kj, oi, oj)."""
    (H, W), (Ho, Wo) = x.shape, dy.shape
    dw = np.zeros((H - Ho + 1, W - Wo + 1))
    for ki, kj, oi, oj in np.ndindex(*dw.shape, Ho, Wo):
        dw[ki, kj] += read(x, dy, ki, kj, oi, oj)
    return dw


def dw_strided_loops(x, dy, kshape, s, p, transpose=False, swap=False):
    """06's exercise 3 as a student writes it: np.pad, windows s apart; X transposed, or rows and columns of
    the windows swapped."""
    (kh, kw), xp = kshape, np.pad(x, p).T if transpose else np.pad(x, p)
    dw = np.zeros(kshape)
    for i, j in np.ndindex(*dy.shape):
        top, left = (j * s, i * s) if swap else (i * s, j * s)
        dw += dy[i, j] * xp[top:top + kh, left:left + kw]
    return dw


INDEX_WRONG = {
    "X read transposed (loops)": (lambda x, dy: dw_loops(x, dy, lambda x, dy, k, l, i, j: dy[i, j] * x[j + l, i + k]),
                                  ["you read X transposed"]),
    "X transposed (x.T)": (lambda x, dy: corr(x.T, dy), ["you read X transposed"]),
    "dL/dY read transposed": (lambda x, dy: dw_loops(x, dy, lambda x, dy, k, l, i, j: dy[j, i] * x[i + k, j + l]),
                              ["you read dL/dY transposed"]),
    "filter indices swapped": (lambda x, dy: dw_loops(x, dy, lambda x, dy, k, l, i, j: dy[i, j] * x[i + l, j + k]),
                               ["(it is the transpose)"]),
    "sign flipped": (lambda x, dy: -corr(x, dy), ["wrong sign"]),
}


@pytest.mark.parametrize("slip", INDEX_WRONG)
def test_filter_gradient_index_slips(slip):
    fn, fragments = INDEX_WRONG[slip]
    assert_really_wrong(fn, filter_runs())
    assert_hint(checks.check_filter_gradient(fn), fragments, ["is off: it should be"])


STRIDED_INDEX_WRONG = {
    "X transposed": (lambda *a: dw_strided_loops(*a, transpose=True), ["you read X transposed"]),
    "windows' rows and columns swapped": (lambda *a: dw_strided_loops(*a, swap=True),
                                          ["yours starts at row (j - 1) s + 1, column (i - 1) s + 1"]),
    "sign flipped": (lambda *a: -dw_strided_right(*a), ["wrong sign"]),
}


@pytest.mark.parametrize("slip", STRIDED_INDEX_WRONG)
def test_filter_gradient_strided_index_slips(slip):
    fn, fragments = STRIDED_INDEX_WRONG[slip]
    assert_really_wrong(fn, strided_dw_runs())
    assert_hint(checks.check_filter_gradient_strided(fn), fragments, ["should be"])


def test_filter_gradient_batch_sign():
    fn = lambda x, dy: -dw_batch_right(x, dy)  # noqa: E731
    assert_really_wrong(fn, batch_runs())
    assert_hint(checks.check_filter_gradient_batch(fn), ["wrong sign"])


# --------------------------------------------------------------------------- no decision leans on the worked numbers

def coincident_example():
    """The worked example of before issue 18, full of coincidences: rot180(F) = -F, dL/dY sums to 0 and
    x_12 + x_21 = 2, so forgetting the rotation, a -= and reading X transposed each look like a sign slip."""
    x = np.array([[1.0, 0, 2], [2, 1, 0], [0, 1, 1]])
    w = np.array([[0.5, -1], [1, -0.5]])
    dy = cnnlearn.cross_entropy_backward(cnnlearn.conv2d(x, w).reshape(1, 4), [3]).reshape(2, 2)
    return types.SimpleNamespace(x=x, w=w, dy=dy)


@pytest.fixture
def coincident(monkeypatch):
    ex = coincident_example()
    assert np.allclose(rot(ex.w), -ex.w) and np.isclose(ex.dy.sum(), 0) and ex.x[0, 1] + ex.x[1, 0] == 2
    monkeypatch.setattr(gradients, "worked_example", lambda: ex)
    return ex


def test_coincident_worked_example_decides_nothing(coincident):
    ex = coincident
    minus = FORMS_WRONG["scatter: -= for +="][0]
    rotated = FORMS_WRONG["scatter: filter rotated in the loop"][0]
    assert np.allclose(minus(ex.dy, ex.w), rotated(ex.dy, ex.w))  # the same numbers on the worked example
    assert_hint(checks.check_input_gradient(minus), ["wrong sign"], ["rotated the filter"])
    assert_hint(checks.check_input_gradient(rotated), ["you rotated the filter"], ["wrong sign"])
    negated = FORMS_WRONG["gather: negated instead of rotated"][0]
    assert np.allclose(negated(ex.dy, ex.w), dx_by_loops(ex.dy, ex.w))  # right on the worked example
    assert_hint(checks.check_input_gradient(negated), ["negated the filter instead of rotating it"])
    x_transposed = INDEX_WRONG["X transposed (x.T)"][0]
    assert np.isclose(x_transposed(ex.x, ex.dy)[0, 0], -corr(ex.x, ex.dy)[0, 0])  # -dL/df_11 there
    assert_hint(checks.check_filter_gradient(x_transposed), ["you read X transposed"], ["wrong sign"])
    assert_hint(checks.check_filter_gradient(INDEX_WRONG["sign flipped"][0]), ["wrong sign"], ["transposed"])
    for slip, fragment in (("scatter: -= for +=", "wrong sign"), ("scatter: filter rotated in the loop",
                                                                  "you rotated the filter")):
        assert_hint(checks.check_input_gradient_strided(STRIDED_FORMS_WRONG[slip][0]), [fragment])
    assert_hint(checks.check_filter_gradient_strided(STRIDED_INDEX_WRONG["X transposed"][0]),
                ["you read X transposed"], ["wrong sign"])


def test_feed_counts_one_window_short():
    assert not np.array_equal(counts_by_loops((3, 3), (2, 2), short=1), [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    assert_hint(checks.check_feed_counts(lambda *a: counts_by_loops(*a, short=1)),
                ["one position short", "range(H - kh + 1)"])
    assert checks.check_feed_counts(counts_by_loops)  # the loop the hint recommends


# --------------------------------------------------------------------------- every table above

ALL_TABLES = [(checks.check_filter_gradient, FILTER_WRONG), (checks.check_input_gradient, INPUT_WRONG),
              (checks.check_dx22_line, DX22_WRONG), (checks.check_filter_gradient_batch, BATCH_WRONG),
              (checks.check_filter_gradient_strided, STRIDED_DW_WRONG),
              (checks.check_input_gradient_strided, STRIDED_DX_WRONG), (checks.check_input_gradient, FORMS_WRONG),
              (checks.check_input_gradient_strided, STRIDED_FORMS_WRONG), (checks.check_filter_gradient, INDEX_WRONG),
              (checks.check_filter_gradient_strided, STRIDED_INDEX_WRONG)]


def test_hints_are_one_based_and_use_the_notation():
    """No 0-based subscript (x_01, dy_0...) and no F for the number of filters in any hint."""
    for check, table in ALL_TABLES:
        for slip, (fn, *_) in table.items():
            msg = check(fn).message
            assert not re.search(r"\b(x|y|dy|f|db|p)_\{?0", msg), (slip, msg)
            assert "(N, F" not in msg and " F filters" not in msg, (slip, msg)


def test_the_hints_name_only_what_exists():
    """Every cnnlearn name the hints of the wrong answers above write resolves (tests/test_named_apis.py reads
    the checks' string literals, the notebooks and the docs)."""
    hints = "\n".join(check(fn).message for check, table in ALL_TABLES for fn, *_ in table.values())
    assert "cnnlearn.rot180" in names_in(hints)  # the collection is not empty
    assert unresolved(hints) == []
