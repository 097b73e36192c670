"""The checks of notebooks 00, 01, 02 and 05: the right answer passes, each typical slip gets its own hint."""

import re

import numpy as np
import pytest
from references import ce, central, conv_loops, grad_right, rel, softmax_rows

import cnnlearn
from cnnlearn import checks
from cnnlearn.equations import fmt_number
from helpers import assert_really_wrong, unresolved

# the worked example's numbers the hints below quote, taken from the example (the checks hold for any numbers)
EX = cnnlearn.worked_example()
PATCH = EX.x[:2, :2]                        # the first window
SUM_TIMES_SUM = (f"the sum is {fmt_number(np.sum(PATCH * EX.w))}, "
                 f"you returned {fmt_number(np.sum(PATCH) * np.sum(EX.w))}")


def stub(*args):
    raise NotImplementedError()


def assert_hint(feedback, *fragments):
    assert not feedback.ok, f"a wrong answer passed: {feedback!r}"
    for fragment in fragments:
        assert fragment in feedback.message, f"{fragment!r} not in {feedback.message!r}"


ALL_CHECKS = [checks.check_window_sum, checks.check_conv_forward, checks.check_output_length,
              checks.check_softmax, checks.check_cross_entropy, checks.check_logit_gradient,
              checks.check_central_difference, checks.check_relative_error]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_stub_gets_not_written_yet(check):
    assert_hint(check(stub), "not written yet", "NotImplementedError")


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_exception_and_non_function_get_hints(check):
    def broken(*args):
        return [1, 2][5]
    assert_hint(check(broken), "raised IndexError")
    assert_hint(check(42), "pass the function itself")


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_none_gets_forgot_return(check):
    assert_hint(check(lambda *args: None), "forget a `return`")


# ----------------------------------------------------------------- window sum

def test_window_sum():
    assert checks.check_window_sum(lambda p, w: np.sum(p * w)).ok
    assert_hint(checks.check_window_sum(lambda p, w: p @ w), "matrix product")
    assert_hint(checks.check_window_sum(lambda p, w: p * w), "add them up")
    assert_hint(checks.check_window_sum(lambda p, w: np.sum(p * w[::-1, ::-1])), "rotated by 180")
    assert not np.isclose(np.sum(PATCH) * np.sum(EX.w), np.sum(PATCH * EX.w))  # wrong on the worked example
    assert_hint(checks.check_window_sum(lambda p, w: np.sum(p) * np.sum(w)), SUM_TIMES_SUM)


def test_window_sum_mutation():
    def mutates(p, w):
        p *= w
        return np.sum(p)
    assert_hint(checks.check_window_sum(mutates), "changed its argument patch")


# ----------------------------------------------------------------- forward pass


def test_conv_forward_right():
    assert checks.check_conv_forward(conv_loops).ok
    assert checks.check_conv_forward(cnnlearn.conv2d).ok


def test_conv_forward_flipped_filter():
    assert_hint(checks.check_conv_forward(lambda x, w: conv_loops(x, w, flip=True)), "rotated the filter",
                "cross-correlation")


def test_conv_forward_wrong_shape_names_sizes():
    def same_size(x, w):
        out = np.zeros_like(x)
        y = conv_loops(x, w)
        out[:y.shape[0], :y.shape[1]] = y
        return out
    assert_hint(checks.check_conv_forward(same_size), "the output is 2x2", "your output is 3x3")


def test_conv_forward_names_the_pixel_and_its_sum():
    def off_by_one(x, w):
        y = conv_loops(x, w)
        y[0, 1] = np.sum(x[0:2, 0:2] * w)  # y_12 computed from y_11's window
        return y
    fb = checks.check_conv_forward(off_by_one)
    y = conv_loops(EX.x, EX.w)
    assert y[0, 0] != y[0, 1]  # wrong on the worked example, whose y_12 the hint spells out
    assert_hint(fb, f"y_12 is {fmt_number(y[0, 0])} but should be",
                f"x_12 f_11 + x_13 f_12 + x_22 f_21 + x_23 f_22 = {fmt_number(y[0, 1])}")


def test_conv_forward_transposed_input():
    # rows and columns of x swapped, filter as it is: wrong already on the worked example
    # sliding over x transposed and transposing back is sliding the transposed filter over x
    x, w = np.array([[1.0, 0, 2], [2, 1, 0], [0, 1, 1]]), np.array([[0.5, -1], [1, -0.5]])
    assert np.allclose(conv_loops(x.T, w).T, conv_loops(x, w.T))
    assert not np.allclose(conv_loops(x, w.T), conv_loops(x, w))  # wrong: y_11 = -2, not 2
    assert_hint(checks.check_conv_forward(lambda x, w: conv_loops(x.T, w).T), "you transposed the filter")


def test_conv_forward_wrong_on_second_case_only():
    def skips_last_column(x, w):
        y = conv_loops(x, w)
        if x.shape == (4, 5):
            y[:, -1] = 0
        return y
    assert_hint(checks.check_conv_forward(skips_last_column), "for a 4x5 input with a 2x3 filter, y_13 is")


def test_conv_forward_mutation():
    def mutates(x, w):
        x -= 0
        x[0, 0] = 99
        return cnnlearn.conv2d(x, w)
    assert_hint(checks.check_conv_forward(mutates), "changed its argument x")


# ----------------------------------------------------------------- output size

def test_output_length_right():
    assert checks.check_output_length(lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s + 1).ok
    assert checks.check_output_length(
        lambda n, k, s, p, d: cnnlearn.output_size((n, 1), (k, 1), stride=s, padding=p, dilation=d)[0]).ok


@pytest.mark.parametrize("formula, fragment", [
    (lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) / s + 1, "floor division"),
    (lambda n, k, s, p, d: (n + p - d * (k - 1) - 1) // s + 1, "BOTH sides"),
    (lambda n, k, s, p, d: (n + 2 * p - k) // s + 1, "d(k - 1) + 1 pixels, not k"),
    (lambda n, k, s, p, d: (n + 2 * p - d * k) // s + 1, "not d*k"),
    (lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s, "forgot the + 1"),
    (lambda n, k, s, p, d: n + 2 * p - d * (k - 1), "left out the stride"),
    (lambda n, k, s, p, d: n - k + 1, "for n=5, k=3, stride=1, padding=1, dilation=1 the output has 5 positions"),
])
def test_output_length_slips(formula, fragment):
    assert_hint(checks.check_output_length(formula), fragment)


# ----------------------------------------------------------------- softmax and loss

# the worked example's logits z = (y11, y12, y21, y22), its probabilities and true class t (0-based); a class off
# by one, (t + 1) % 4, first differs from the right gradient at code index K_OFF
Z = EX.logits.ravel()
P = np.exp(Z) / np.exp(Z).sum()
T = EX.label
WRONG_CLASS_LOSS = f"the loss is {-np.log(P[T]):.4g}, you returned {-np.log(P[(T + 1) % 4]):.4g}"
K_OFF = min(T, (T + 1) % 4)
WRONG_CLASS_GRADIENT = [f"dL/dz_1{K_OFF + 1} (code index [0, {K_OFF}]) should be {P[K_OFF] - (K_OFF == T):.4g}",
                        f"({P[K_OFF]:.4g} - {int(K_OFF == T)}) / 1"]


def test_softmax():
    assert checks.check_softmax(softmax_rows).ok
    assert checks.check_softmax(lambda z: cnnlearn.softmax(z)).ok
    assert_hint(checks.check_softmax(lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)),
                "exp(1000) overflows")
    assert_hint(checks.check_softmax(lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True)),
                "maximum of the whole array")
    assert_hint(checks.check_softmax(lambda z: np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0)),
                "columns sum to 1")
    assert_hint(checks.check_softmax(lambda z: np.exp(z - z.max(axis=1, keepdims=True))), "rows of your result sum")
    assert_hint(checks.check_softmax(lambda z: softmax_rows(z)[:, ::-1]),
                f"p_11 (code index [0, 0]) should be {P[0]:.4g}, you have {P[3]:.4g}")
    assert_hint(checks.check_softmax(lambda z: softmax_rows(z).T), "has shape (4, 1)")


def test_softmax_mutation():
    def mutates(z):
        z -= z.max(axis=1, keepdims=True)
        return softmax_rows(z)
    assert_hint(checks.check_softmax(mutates), "changed its argument z")


def test_cross_entropy():
    assert checks.check_cross_entropy(ce).ok
    assert checks.check_cross_entropy(cnnlearn.cross_entropy).ok
    assert_hint(checks.check_cross_entropy(lambda z, t: ce(z, t) * len(t)), "the sum over the 3 examples")
    assert_hint(checks.check_cross_entropy(lambda z, t: -ce(z, t)), "your loss is negative")
    assert_hint(checks.check_cross_entropy(lambda z, t: ce(z, t) / np.log(10)), "log10")
    assert_hint(checks.check_cross_entropy(lambda z, t: np.mean(1 - softmax_rows(z)[np.arange(len(t)), t])),
                "1 - p_(n, t_n)")
    assert_hint(checks.check_cross_entropy(lambda z, t: -np.mean(np.log(softmax_rows(z)[np.arange(len(t)), t]))),
                "log(0) = -inf", "exactly 1000")
    assert_hint(checks.check_cross_entropy(lambda z, t: ce(z, (t + 1) % z.shape[1])), WRONG_CLASS_LOSS)


def test_logit_gradient():
    def grad(z, t, scale=1.0, sign=1.0, onehot=True):
        n = z.shape[0]
        y = np.eye(z.shape[1])[t] if onehot else 0
        return sign * (softmax_rows(z) - y) / n * scale

    assert checks.check_logit_gradient(grad).ok
    assert checks.check_logit_gradient(cnnlearn.cross_entropy_backward).ok
    assert_hint(checks.check_logit_gradient(lambda z, t: grad(z, t) / z.shape[0]), "divided by N twice")
    assert_hint(checks.check_logit_gradient(lambda z, t: grad(z, t) * z.shape[0]), "forgot the 1/N")
    assert_hint(checks.check_logit_gradient(lambda z, t: grad(z, t, sign=-1)), "sign is flipped")
    assert_hint(checks.check_logit_gradient(lambda z, t: grad(z, t, onehot=False)), "left out the one-hot")
    assert_hint(checks.check_logit_gradient(
        lambda z, t: -np.eye(z.shape[1])[t] / (z.shape[0] * np.where(np.eye(z.shape[1])[t] > 0, softmax_rows(z), 1))),
        "that is dL/dp")
    assert_hint(checks.check_logit_gradient(lambda z, t: grad(z, (t + 1) % z.shape[1])), *WRONG_CLASS_GRADIENT)


# ----------------------------------------------------------------- gradient check


def test_central_difference_right():
    assert checks.check_central_difference(central).ok
    assert checks.check_central_difference(lambda f, x, h: cnnlearn.numerical_gradient(f, x, h=h)).ok


def test_central_difference_slips():
    def forward(f, x, h):
        g, f0 = np.zeros_like(x), f(x)
        for i in np.ndindex(x.shape):
            xp = x.copy()
            xp[i] += h
            g[i] = (f(xp) - f0) / h
        return g

    def no_restore(f, x, h):
        g = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            x[i] += h
            fp = f(x)
            x[i] -= 2 * h
            g[i] = (fp - f(x)) / (2 * h)
        return g

    def flat_only(f, x, h):
        g = np.zeros(len(x))
        for i in range(len(x)):
            g[i] = central(f, x, h)[i].ravel()[0]
        return g

    assert_hint(checks.check_central_difference(forward), "forward difference")
    assert_hint(checks.check_central_difference(lambda f, x, h: 2 * central(f, x, h)), "twice too large")
    assert_hint(checks.check_central_difference(lambda f, x, h: central(f, x, h) / 2), "half the right size")
    assert_hint(checks.check_central_difference(lambda f, x, h: central(f, x, 1e-6)), "h = 0.001")
    assert_hint(checks.check_central_difference(no_restore), "put its old value back")
    assert_hint(checks.check_central_difference(flat_only), "np.ndindex", "(2, 3)")


def test_relative_error():
    def rel(a, b):
        scale = max(np.abs(a).max(), np.abs(b).max())
        return 0.0 if scale == 0 else np.abs(a - b).max() / scale

    assert checks.check_relative_error(rel).ok
    assert checks.check_relative_error(cnnlearn.rel_error).ok
    with np.errstate(all="ignore"):
        assert_hint(checks.check_relative_error(
            lambda a, b: np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max())), "return 0.0")
    assert_hint(checks.check_relative_error(lambda a, b: rel(a, b) * max(np.abs(a).max(), np.abs(b).max())
                                            / (np.abs(a).max() or 1)), "max|a| only")
    assert_hint(checks.check_relative_error(
        lambda a, b: 0.0 if not a.any() and not b.any() else np.max(a - b) / max(np.abs(a).max(), np.abs(b).max())),
        "absolute value")
    assert_hint(checks.check_relative_error(
        lambda a, b: 0.0 if not a.any() and not b.any() else np.sum(np.abs(a - b)) / max(np.abs(a).max(),
                                                                                       np.abs(b).max())),
        "summed the differences")

    def entrywise(a, b):
        if not a.any() and not b.any():
            return 0.0
        with np.errstate(all="ignore"):
            return np.nanmax(np.abs(a - b) / np.maximum(np.abs(a), np.abs(b)))
    assert_hint(checks.check_relative_error(entrywise), "entry by entry")
    assert_hint(checks.check_relative_error(lambda a, b: rel(a, b) + 0.5), "the relative error is 0.09091")


def test_checks_print_no_warnings(recwarn):
    checks.check_softmax(lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))
    checks.check_relative_error(lambda a, b: np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max()))
    assert len(recwarn) == 0


def test_feedback_html_is_escaped():
    fb = checks.check_window_sum(lambda p, w: "<b>")
    assert not fb.ok and "<b>" not in fb._repr_html_().split("</b>", 1)[1]


# =========================================================================== every named slip, with proof it is wrong
#
# Each row: a wrong answer, and fragments of the hint it must get. The test first asserts that the wrong
# answer really is wrong on the check's own cases (against references written here), then that the check
# returns not-ok with that hint.

from cnnlearn.checks import basics  # noqa: E402


def lse_global_max(z, t):
    m = z.max()
    with np.errstate(all="ignore"):
        lse = m + np.log(np.exp(z - m).sum(axis=1))
        return np.mean(lse - z[np.arange(len(t)), t])


def forward_diff(f, x, h):
    g, f0 = np.zeros_like(x), f(x)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xp[i] += h
        g[i] = (f(xp) - f0) / h
    return g


RUNS = {
    "window_sum": lambda: [((p, w), np.sum(p * w)) for p, w in basics._window_cases()],
    "conv_forward": lambda: [((x, w), conv_loops(x, w)) for _, x, w in basics._conv_cases()],
    "output_length": lambda: [(c, (c[0] + 2 * c[3] - c[4] * (c[1] - 1) - 1) // c[2] + 1)
                              for c in basics.OUTPUT_LENGTH_CASES],
    "softmax": lambda: [((z,), softmax_rows(z)) for _, z in basics._softmax_cases()],
    "cross_entropy": lambda: [((z, t), ce(z, t)) for _, z, t in basics._loss_cases()],
    "logit_gradient": lambda: [((z, t), grad_right(z, t)) for _, z, t in basics._label_cases()],
    "central_difference": lambda: [((basics._cd_function, x, basics.CD_STEP),
                                    central(basics._cd_function, x.copy(), basics.CD_STEP))
                                   for _, x in basics._cd_cases()],
    "relative_error": lambda: [((a, b), rel(a, b)) for _, a, b in basics._rel_cases()],
}

SLIPS = [
    ("window_sum", "matrix product", lambda p, w: p @ w, ["matrix product"]),
    ("window_sum", "products not added", lambda p, w: p * w, ["add them up"]),
    ("window_sum", "filter rotated", lambda p, w: np.sum(p * w[::-1, ::-1]), ["rotated by 180"]),
    ("window_sum", "filter transposed", lambda p, w: np.sum(p * w.T), ["the transposed filter F^T"]),
    ("window_sum", "sum times sum", lambda p, w: np.sum(p) * np.sum(w), [SUM_TIMES_SUM]),
    ("conv_forward", "filter rotated", lambda x, w: conv_loops(x, w, flip=True),
     ["rotated the filter", "cross-correlation"]),
    ("conv_forward", "filter transposed", lambda x, w: conv_loops(x, w.T),
     ["you transposed the filter", "f_12 and f_21 swapped"]),
    ("conv_forward", "filter indices swapped in the loops", lambda x, w: np.array(
        [[sum(x[i + l, j + k] * w[k, l] for k, l in np.ndindex(w.shape)) for j in range(x.shape[1] - w.shape[1] + 1)]
         for i in range(x.shape[0] - w.shape[0] + 1)]), ["you transposed the filter"]),
    ("conv_forward", "output as large as the input",
     lambda x, w: np.pad(conv_loops(x, w), ((0, w.shape[0] - 1), (0, w.shape[1] - 1))),
     ["the output is 2x2", "your output is 3x3"]),
    ("conv_forward", "last column skipped on the 4x5 case",
     lambda x, w: conv_loops(x, w) * (np.arange(x.shape[1] - w.shape[1] + 1) < 2 if x.shape == (4, 5) else 1),
     ["for a 4x5 input with a 2x3 filter, y_13 is"]),
    ("output_length", "true division", lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) / s + 1,
     ["floor division"]),
    ("output_length", "padding once", lambda n, k, s, p, d: (n + p - d * (k - 1) - 1) // s + 1, ["BOTH sides",
                                                                                                 "n + 2P"]),
    ("output_length", "dilation ignored", lambda n, k, s, p, d: (n + 2 * p - k) // s + 1,
     ["d(k - 1) + 1 pixels, not k"]),
    ("output_length", "span d*k", lambda n, k, s, p, d: (n + 2 * p - d * k) // s + 1, ["not d*k"]),
    ("output_length", "no + 1", lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s, ["forgot the + 1"]),
    ("output_length", "stride ignored", lambda n, k, s, p, d: n + 2 * p - d * (k - 1), ["left out the stride"]),
    ("output_length", "stride 1 formula", lambda n, k, s, p, d: n - k + 1,
     ["for n=5, k=3, stride=1, padding=1, dilation=1 the output has 5 positions"]),
    ("softmax", "no maximum subtracted", lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
     ["exp(1000) overflows"]),
    ("softmax", "global maximum", lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True),
     ["maximum of the whole array"]),
    ("softmax", "normalised over columns",
     lambda z: np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0), ["columns sum to 1"]),
    ("softmax", "not normalised", lambda z: np.exp(z - z.max(axis=1, keepdims=True)), ["rows of your result sum"]),
    ("softmax", "classes reversed", lambda z: softmax_rows(z)[:, ::-1],
     [f"p_11 (code index [0, 0]) should be {P[0]:.4g}, you have {P[3]:.4g}"]),
    ("softmax", "transposed", lambda z: softmax_rows(z).T, ["has shape (4, 1)"]),
    ("cross_entropy", "sum over the batch", lambda z, t: ce(z, t) * len(t), ["the sum over the 3 examples",
                                                                             "batch size N = 3"]),
    ("cross_entropy", "sign", lambda z, t: -ce(z, t), ["your loss is negative"]),
    ("cross_entropy", "log10", lambda z, t: ce(z, t) / np.log(10), ["log10"]),
    ("cross_entropy", "1 - p", lambda z, t: np.mean(1 - softmax_rows(z)[np.arange(len(t)), t]), ["1 - p_(n, t_n)"]),
    ("cross_entropy", "log of the probability", lambda z, t: -np.mean(np.log(softmax_rows(z)[np.arange(len(t)), t])),
     ["log(0) = -inf", "exactly 1000"]),
    ("cross_entropy", "global maximum in the log-sum-exp", lse_global_max,
     ["maximum of the whole array, z.max()", "each row's own maximum"]),
    ("cross_entropy", "wrong class", lambda z, t: ce(z, (t + 1) % z.shape[1]),
     [WRONG_CLASS_LOSS]),
    ("logit_gradient", "divided by N twice", lambda z, t: grad_right(z, t) / z.shape[0], ["divided by N twice"]),
    ("logit_gradient", "no 1/N", lambda z, t: grad_right(z, t) * z.shape[0], ["forgot the 1/N"]),
    ("logit_gradient", "sign", lambda z, t: -grad_right(z, t), ["sign is flipped", "p - T"]),
    ("logit_gradient", "no one-hot", lambda z, t: softmax_rows(z) / z.shape[0], ["left out the one-hot labels T"]),
    ("logit_gradient", "dL/dp", lambda z, t: -np.eye(z.shape[1])[t] / (
        z.shape[0] * np.where(np.eye(z.shape[1])[t] > 0, softmax_rows(z), 1)), ["that is dL/dp"]),
    ("logit_gradient", "wrong class", lambda z, t: grad_right(z, (t + 1) % z.shape[1]),
     WRONG_CLASS_GRADIENT),
    ("logit_gradient", "all negative zeros", lambda z, t: np.full(z.shape, -0.0), ["you have 0"]),
    ("central_difference", "forward difference", forward_diff, ["forward difference"]),
    ("central_difference", "twice too large", lambda f, x, h: 2 * central(f, x, h), ["twice too large"]),
    ("central_difference", "half", lambda f, x, h: central(f, x, h) / 2, ["half the right size"]),
    ("central_difference", "own step", lambda f, x, h: central(f, x, 1e-6), ["h = 0.001"]),
    ("central_difference", "only the first index of each row", lambda f, x, h: np.array(
        [central(f, x, h)[i].ravel()[0] for i in range(len(x))]), ["np.ndindex", "(2, 3)"]),
    ("relative_error", "0/0", lambda a, b: np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max()),
     ["return 0.0"]),
    ("relative_error", "max|a| only", lambda a, b: rel(a, b) * max(np.abs(a).max(), np.abs(b).max())
     / (np.abs(a).max() or 1), ["max|a| only"]),
    ("relative_error", "no absolute value", lambda a, b: 0.0 if not a.any() and not b.any()
     else np.max(a - b) / max(np.abs(a).max(), np.abs(b).max()), ["absolute value"]),
    ("relative_error", "summed", lambda a, b: 0.0 if not a.any() and not b.any()
     else np.sum(np.abs(a - b)) / max(np.abs(a).max(), np.abs(b).max()), ["summed the differences"]),
    ("relative_error", "absolute error", lambda a, b: float(np.max(np.abs(a - b))), ["the absolute error"]),
    ("relative_error", "off by 0.5", lambda a, b: rel(a, b) + 0.5, ["the relative error is 0.09091"]),
    ("relative_error", "entry by entry", lambda a, b: 0.0 if not a.any() and not b.any()
     else np.nanmax(np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))), ["entry by entry"]),
]


@pytest.mark.parametrize("check_name, slip, fn, fragments", SLIPS, ids=[f"{c}: {s}" for c, s, _, _ in SLIPS])
def test_every_named_slip_is_wrong_and_gets_its_hint(check_name, slip, fn, fragments):
    with np.errstate(all="ignore"):
        # central differences are checked to a relative error of 1e-8, the others to 1e-6
        assert_really_wrong(fn, RUNS[check_name](), rtol=1e-9 if check_name == "central_difference" else 1e-6)
    check = getattr(checks, f"check_{check_name}")
    fb = check(fn)
    assert_hint(fb, *fragments)
    assert not re.search(r"(?<![\w.])-0(?![.\d])", fb.message), fb.message  # never "-0"
    assert not re.search(r"\b(x|y|dy|f|p|z)_\{?0", fb.message), fb.message  # subscripts are 1-based


def test_references_here_agree_with_the_package():
    for (z, t), right in RUNS["cross_entropy"]():
        assert np.isclose(right, cnnlearn.cross_entropy(z, t))
    for (z, t), right in RUNS["logit_gradient"]():
        assert np.allclose(right, cnnlearn.cross_entropy_backward(z, t))
    for (a, b), right in RUNS["relative_error"]():
        assert np.isclose(right, cnnlearn.rel_error(a, b))


def test_decisions_are_taken_by_type_not_by_message():
    """A student's exception whose message reads like one of the checks' ("not written yet", "shape") is
    blamed on the case that raised it, like any other exception (issue 18)."""
    def fails_later(x, w):
        if x.shape != (3, 3):
            raise ValueError("not written yet")
        return conv_loops(x, w)
    assert checks.check_conv_forward(conv_loops)
    assert_hint(checks.check_conv_forward(fails_later), "conv_forward works on the worked example but raised "
                "ValueError on a 4x5 input with a 2x3 filter", "take them from the arguments")

    def not_written(x, w):
        raise NotImplementedError("a message of its own")
    assert_hint(checks.check_conv_forward(not_written), "conv_forward is not written yet")


def test_the_hints_name_only_what_exists():
    hints = "\n".join(getattr(checks, f"check_{name}")(fn).message for name, _, fn, _ in SLIPS)
    assert unresolved(hints) == []
