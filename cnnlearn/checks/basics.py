r"""Checks for the exercises of notebooks 00, 01, 02 and 05: window sums, the forward pass,
the output size, softmax, cross-entropy, dL/dlogits, central differences and the relative error.

Every check takes the student's function, runs it on the worked example and on a few
seeded random cases through :func:`~._runner.run_check`, and answers with a
:class:`~cnnlearn.checks.Feedback`. A wrong answer is compared on every case with the
typical slips (a rotated filter, a sum instead of a mean, dividing by N twice, a forward
difference ...) so the hint can name the slip, or at least the pixel or entry that is off.
Hints are 1-based like the equations (p_12 is ``p[0, 1]``); where they name a code index they
say so. N is the batch size, t the true class of an example and T the one-hot label matrix.
"""

import numpy as np

from ..conv import conv2d, rot180
from ..example import worked_example
from ..gradcheck import numerical_gradient, rel_error
from ..losses import cross_entropy, cross_entropy_backward, softmax
from ..notation import fmt_number, sub
from ..receptive import output_size, window
from ._runner import Case, Slip, first_off, run_check

__all__ = [
    "check_window_sum",
    "check_conv_forward",
    "check_output_length",
    "check_softmax",
    "check_cross_entropy",
    "check_logit_gradient",
    "check_central_difference",
    "check_relative_error",
]


# --------------------------------------------------------------------------- helpers

def _entry(name, idx):
    """'p_12 (code index [0, 1])': a 1-based entry name, with the code's 0-based index once."""
    code = ", ".join(str(int(i)) for i in idx)
    return f"{name}_{sub(*idx) if len(idx) == 2 else idx[0] + 1} (code index [{code}])"


def _pixel_sum_text(oi, oj, x, w):
    """'x_11 f_11 + ... = 3' in plain text, for a hint."""
    terms = window((oi, oj), x.shape, w.shape)
    sym = " + ".join(f"x_{sub(*ij)} f_{sub(*k)}" for ij, k in terms)
    return f"y_{sub(oi, oj)} = {sym} = {fmt_number(sum(x[ij] * w[k] for ij, k in terms))}"


# --------------------------------------------------------------------------- 00: one window

def _window_cases():
    ex = worked_example()
    rng = np.random.default_rng(0)
    return [(ex.x[:2, :2], ex.w), (rng.integers(-3, 4, (3, 3)).astype(float),
                                   rng.integers(-3, 4, (3, 3)).astype(float))]


def check_window_sum(fn):
    """Exercise ``window_sum(patch, w)``: the sum of the elementwise product of a window and a filter."""
    ex = worked_example()
    cases = [Case(label, (patch, w), np.float64(np.sum(patch * w)), patch=patch, w=w)
             for label, (patch, w) in zip(("the worked example's first window", "a 3x3 window"), _window_cases())]
    slips = [
        Slip("you used `@`, the matrix product. A window needs the elementwise product `patch * w`, then the "
             "sum of all its entries", lambda c: c.patch @ c.w),
        Slip("you multiplied entry by entry, good, but returned the products: add them up with `np.sum(...)` to "
             "get one number", lambda c: c.patch * c.w),
        Slip("you paired the window with the filter rotated by 180 degrees. In a CNN the top-left input of the "
             "window meets f_11, the top-left filter entry", lambda c: np.sum(c.patch * rot180(c.w))),
        Slip("you paired the window with the transposed filter F^T, so the input under f_12 met f_21. In a CNN "
             "the window meets the filter as it is: each input pixel the entry in the same place",
             lambda c: np.sum(c.patch * c.w.T)),
    ]
    return run_check(fn, cases, name="window_sum", names=("patch", "w"), what="window_sum's result",
                     sizes="`kh, kw = w.shape`", slips=slips,
                     explain=lambda c, got: f"for patch {c.patch.tolist()} and filter {c.w.tolist()} the sum is "
                                            f"{fmt_number(c.right)}, you returned {fmt_number(got)}",
                     right=f"the worked example's first window gives {fmt_number(np.sum(ex.x[:2, :2] * ex.w))}, "
                           "which is y_11. The forward pass is this sum, once per window position")


# --------------------------------------------------------------------------- 01: forward pass, output size

def _conv_cases():
    ex = worked_example()
    rng = np.random.default_rng(1)
    return [("the worked example", ex.x, ex.w),
            ("a 4x5 input with a 2x3 filter", rng.integers(-3, 4, (4, 5)).astype(float),
             rng.integers(-2, 3, (2, 3)).astype(float))]


def _loop_forward(x, w):
    """The forward loops with the filter's indices swapped, x[i + l, j + k] * w[k, l]: an IndexError where
    a student's loops would read past the input."""
    (kh, kw), (Ho, Wo) = w.shape, (x.shape[0] - w.shape[0] + 1, x.shape[1] - w.shape[1] + 1)
    y = np.zeros((Ho, Wo))
    for i, j, k, l in np.ndindex(Ho, Wo, kh, kw):
        y[i, j] += x[i + l, j + k] * w[k, l]
    return y


def _forward_shape(case, got):
    if got.ndim != 2:
        return None
    (H, W), (kh, kw), (Ho, Wo) = case.x.shape, case.w.shape, case.right.shape
    return (f"for {case.label} (x {H}x{W}, filter {kh}x{kw}) the output is {Ho}x{Wo}: the filter fits in "
            f"H - kh + 1 = {Ho} rows and W - kw + 1 = {Wo} columns, your output is {got.shape[0]}x{got.shape[1]}. "
            "Check the ranges of your loops")


def _forward_hint(case, got):
    oi, oj = first_off(got, case.right, 1e-6, 1e-9)
    return (f"for {case.label}, y_{sub(oi, oj)} is {fmt_number(got[oi, oj])} but should be "
            f"{_pixel_sum_text(oi, oj, case.x, case.w)}. Check which input pixels your window takes there")


def check_conv_forward(fn):
    """Exercise ``conv_forward(x, w)``: a 2-D cross-correlation, stride 1, no padding."""
    cases = [Case(label, (x, w), conv2d(x, w), x=x, w=w) for label, x, w in _conv_cases()]
    transposed = ("you transposed the filter: your windows meet f_ji where they should meet f_ij (f_12 and f_21 "
                  "swapped). CNN layers slide the filter as it is: y_ij = sum over k, l of x_(i+k-1)(j+l-1) f_kl")
    slips = [
        Slip("you rotated the filter by 180 degrees: that is the convolution of signal processing. CNN layers "
             "compute the cross-correlation: y_ij = sum over k, l of x_(i+k-1)(j+l-1) f_kl, with the filter as "
             "it is", lambda c: conv2d(c.x, rot180(c.w))),
        Slip(transposed, lambda c: conv2d(c.x, c.w.T)),
        Slip(transposed, lambda c: _loop_forward(c.x, c.w)),
    ]
    return run_check(fn, cases, name="conv_forward", names=("x", "w"), what="conv_forward's result",
                     sizes="`H, W = x.shape`, `kh, kw = w.shape`", slips=slips, say="for {label} {text}",
                     screen=_forward_shape, explain=_forward_hint,
                     right="your loop slides the window like conv2d does, on the worked example and on a "
                           "non-square case")


def _output_length_slips(n, k, s, p, d):
    """Right answer and the typical slips for one axis."""
    span = d * (k - 1) + 1
    return {
        "right": (n + 2 * p - span) // s + 1,
        "float": (n + 2 * p - span) / s + 1,
        "pad_once": (n + p - span) // s + 1,
        "no_dilation": (n + 2 * p - k) // s + 1,
        "dilation_dk": (n + 2 * p - d * k) // s + 1,
        "no_plus_one": (n + 2 * p - span) // s,
        "no_stride": n + 2 * p - span + 1,
    }


FLOOR = ("not a whole number: use floor division `//`, a window that would stick out past the edge does not count")

_OUTPUT_LENGTH_HINTS = {
    "float": f"you divided with `/`, so some of your lengths are {FLOOR}",
    "pad_once": "padding adds P zeros on BOTH sides, so the padded length is n + 2P, not n + P",
    "no_dilation": "with dilation d the filter's taps are d apart, so it spans d(k - 1) + 1 pixels, not k",
    "dilation_dk": "a dilated filter spans d(k - 1) + 1 pixels, not d*k: there are only k - 1 gaps between "
                   "k taps",
    "no_plus_one": "you forgot the + 1: the first window position counts too (a 2-wide filter on 3 pixels "
                   "has 2 positions, not 1)",
    "no_stride": "you left out the stride: the window moves s pixels at a time, so divide the free room by s",
}


OUTPUT_LENGTH_CASES = [(3, 2, 1, 0, 1), (5, 3, 1, 1, 1), (7, 3, 2, 0, 1), (8, 3, 2, 1, 1), (7, 2, 2, 0, 1),
                       (7, 3, 1, 0, 2), (6, 3, 2, 1, 2), (9, 3, 3, 1, 1), (10, 4, 3, 2, 1)]


def _length_hint(case, got):
    if got != round(float(got)):
        return f"for {case.label} you returned {float(got):g}, {FLOOR}"
    return f"for {case.label} the output has {case.right:g} positions, you returned {float(got):g}"


def check_output_length(fn):
    """Exercise ``output_length(n, k, stride, padding, dilation)``: the output size along one axis."""
    cases = [Case(f"n={n}, k={k}, stride={s}, padding={p}, dilation={d}", (n, k, s, p, d),
                  np.float64(output_size((n, 1), (k, 1), stride=s, padding=p, dilation=d)[0]))
             for n, k, s, p, d in OUTPUT_LENGTH_CASES]
    slips = [Slip(text, lambda c, slip=slip: _output_length_slips(*c.args)[slip])
             for slip, text in _OUTPUT_LENGTH_HINTS.items()]
    return run_check(fn, cases, name="output_length", what="output_length's result", rtol=0, atol=0,
                     slips=slips, explain=_length_hint,
                     right="floor((n + 2P - d(k - 1) - 1) / s) + 1 holds on all nine cases, "
                           "with stride, padding and dilation")


# --------------------------------------------------------------------------- 02: softmax and the loss

def _softmax_cases():
    ex = worked_example()
    rng = np.random.default_rng(2)
    return [("the worked example's logits", ex.logits),
            ("3 examples with 5 classes", rng.normal(size=(3, 5))),
            ("the large logits [[1000, 1001, 999]]", np.array([[1000.0, 1001.0, 999.0]])),
            ("two rows far apart, [[0, 1, 2], [-1000, -999, -998]]",
             np.array([[0.0, 1.0, 2.0], [-1000.0, -999.0, -998.0]]))]


# the two cases no softmax without a row maximum survives, after the two ordinary ones
KINDS = (None, None, "large", "far")

OVERFLOW = ("for the logits [[1000, 1001, 999]] your softmax gives NaN or infinity: exp(1000) overflows. Subtract "
            "each row's maximum before np.exp; it cancels in the fraction")
GLOBAL_MAX = ("the second row, [-1000, -999, -998], gives NaN: you subtracted the maximum of the whole array, so "
              "every exponent in that row underflows to 0. Subtract each row's own maximum: "
              "z.max(axis=1, keepdims=True)")


def _softmax_screen(case, p):
    if p.shape == case.right.shape and not np.isfinite(p).all():
        return {"large": OVERFLOW, "far": GLOBAL_MAX}.get(case.kind)
    return None


def _softmax_hint(case, p):
    if np.allclose(p.sum(axis=0), 1) and not np.allclose(p.sum(axis=1), 1):
        return (f"for {case.label} your columns sum to 1 but the rows do not: normalise along axis=1, each "
                "example (row) gets its own distribution over the classes")
    if not np.allclose(p.sum(axis=1), 1):
        sums = ", ".join(fmt_number(s) for s in p.sum(axis=1))
        return (f"for {case.label} the rows of your result sum to {sums}: divide each row of exponentials by that "
                "row's sum, so each row sums to 1")
    n, k = first_off(p, case.right, 1e-6, 1e-9)
    return (f"for {case.label}, {_entry('p', (n, k))} should be {fmt_number(case.right[n, k])}, "
            f"you have {fmt_number(p[n, k])}")


def check_softmax(fn):
    """Exercise ``stable_softmax(z)``: softmax along each row of z, shape (N, K), without overflow."""
    cases = [Case(label, (z,), softmax(z, axis=1), z=z, kind=kind)
             for (label, z), kind in zip(_softmax_cases(), KINDS)]
    slips = [
        Slip(OVERFLOW, lambda c: np.exp(c.z) / np.exp(c.z).sum(axis=1, keepdims=True)),
        Slip(GLOBAL_MAX, lambda c: np.exp(c.z - c.z.max()) / np.exp(c.z - c.z.max()).sum(axis=1, keepdims=True)),
        Slip("your columns sum to 1 but the rows do not: you normalised along axis=0. Normalise along axis=1: "
             "each example (row) gets its own distribution over the classes", lambda c: softmax(c.z, axis=0)),
    ]
    return run_check(fn, cases, name="stable_softmax", names=("z",), what="stable_softmax's result",
                     sizes="`N, K = z.shape`", slips=slips, screen=_softmax_screen, explain=_softmax_hint,
                     right="your softmax is right and stays finite for logits of +-1000")


def _label_cases():
    ex = worked_example()
    rng = np.random.default_rng(3)
    return [("the worked example (N = 1)", ex.logits, np.array([ex.label])),
            ("3 examples with 4 classes", rng.normal(size=(3, 4)) * 2, np.array([2, 0, 3]))]


def _loss_cases():
    return _label_cases() + [("the large logits [[0, 1000]] with true class t = 0 (code index)",
                              np.array([[0.0, 1000.0]]), np.array([0])),
                             ("two rows far apart, [[0, 1, 2], [-1000, -999, -998]], true classes (2, 0)",
                              np.array([[0.0, 1.0, 2.0], [-1000.0, -999.0, -998.0]]), np.array([2, 0]))]


LOG_OF_ZERO = ("for logits [[0, 1000]] and true class 0 (code index) the loss is exactly 1000, but yours is infinite "
               "or NaN: p_1 = e^-1000 rounds to 0 and log(0) = -inf. Skip the probability: -log p_k = "
               "log(sum_j e^(z_j - m)) + m - z_k with m the row maximum")
LOSS_GLOBAL_MAX = ("for the rows [[0, 1, 2], [-1000, -999, -998]] your loss is infinite, NaN or wrong: you "
                   "subtracted the maximum of the whole array, z.max(), so every exponent of the second row "
                   "underflows to 0. Subtract each row's own maximum, m = z.max(axis=1, keepdims=True), as in the "
                   "stable softmax")


def _global_max_loss(z, t):
    """The loss of the slip that subtracts z.max() of the whole array (infinite for rows far apart)."""
    with np.errstate(all="ignore"):
        m = z.max()
        lse = m + np.log(np.exp(z - m).sum(axis=1))
        return float(np.mean(lse - z[np.arange(len(t)), t]))


def check_cross_entropy(fn):
    """Exercise ``cross_entropy_loss(logits, labels)``: L = -(1/N) sum over n of log p_(n, t_n)."""
    cases = [Case(label, (z, t), np.float64(cross_entropy(z, t)), z=z, t=t, kind=kind)
             for (label, z, t), kind in zip(_loss_cases(), KINDS)]

    def true_p(c):
        return softmax(c.z, axis=1)[np.arange(len(c.t)), c.t]
    slips = [
        Slip(lambda c, got: f"you returned the sum over the {len(c.t)} examples; the loss is their mean, divide by "
             f"the batch size N = {len(c.t)}", lambda c: c.right * len(c.t)),
        Slip("your loss is negative: it is MINUS the log of the true class's probability (a probability is below "
             "1, so its log is negative)", lambda c: -c.right),
        Slip("you used log10; cross-entropy uses the natural logarithm, np.log", lambda c: c.right / np.log(10)),
        Slip("you averaged 1 - p_(n, t_n); the loss averages -log p_(n, t_n), the probability of each example's "
             "true class t_n", lambda c: np.mean(1 - true_p(c))),
        Slip(LOG_OF_ZERO, lambda c: -np.mean(np.log(true_p(c)))),
        Slip(LOSS_GLOBAL_MAX, lambda c: _global_max_loss(c.z, c.t)),
    ]
    return run_check(fn, cases, name="cross_entropy_loss", names=("logits", "labels"),
                     what="cross_entropy_loss's result", sizes="`N, K = logits.shape`", slips=slips,
                     say="for {label}: {text}",
                     screen=lambda c, got: {"large": LOG_OF_ZERO, "far": LOSS_GLOBAL_MAX}.get(c.kind)
                     if got.size == 1 else None,
                     explain=lambda c, got: f"for {c.label} the loss is {fmt_number(c.right)}, "
                     f"you returned {fmt_number(got)}. "
                     "Pick each example's probability of its true class t_n, take -log, then average over the N "
                     "examples",
                     right="your loss matches, averaged over the N examples and finite even for logits of 1000")


def _logit_hint(case, dz):
    i, k = first_off(dz, case.right, 1e-6, 1e-9)
    n, p = len(case.t), softmax(case.z, axis=1)
    return (f"for {case.label}, dL/dz_{sub(i, k)} (code index [{i}, {k}]) should be {fmt_number(case.right[i, k])} = "
            f"(p_{sub(i, k)} - T_{sub(i, k)})/N = ({fmt_number(p[i, k])} - {int(case.onehot[i, k])}) / {n}, "
            f"you have {fmt_number(dz[i, k])}")


def check_logit_gradient(fn):
    """Exercise ``logit_gradient(logits, labels)``: dL/dz = (p - T) / N, shape (N, K)."""
    cases = [Case(label, (z, t), cross_entropy_backward(z, t), z=z, t=t, onehot=np.eye(z.shape[1])[t])
             for label, z, t in _label_cases()]

    def p_minus_t(c):
        return softmax(c.z, axis=1) - c.onehot
    slips = [
        Slip("you divided by N twice: the mean over the examples brings ONE factor 1/N",
             lambda c: p_minus_t(c) / len(c.t) ** 2),
        Slip("you forgot the 1/N from the mean over the N examples", p_minus_t),
        Slip("your sign is flipped: it is p - T, the probabilities minus the one-hot labels (raising the true "
             "class's score must lower the loss)", lambda c: -c.right),
        Slip("you left out the one-hot labels T: subtract 1 at each example's true class t_n",
             lambda c: softmax(c.z, axis=1) / len(c.t)),
        Slip("that is dL/dp, the gradient with respect to the probabilities; push it through softmax to get "
             "(p - T)/N",
             lambda c: -c.onehot / (len(c.t) * np.where(c.onehot > 0, softmax(c.z, axis=1), 1))),
    ]
    return run_check(fn, cases, name="logit_gradient", names=("logits", "labels"), what="logit_gradient's result",
                     sizes="`N, K = logits.shape`", slips=slips, explain=_logit_hint,
                     right="dL/dz = (p - T)/N, for one example and for a batch")


# --------------------------------------------------------------------------- 05: gradient checking

def _cd_function(x):
    """A function whose gradient couples all entries: sum(x^3) + (sum x)^2."""
    return float(np.sum(x ** 3) + np.sum(x) ** 2)


CD_STEP = 1e-3


def _cd_cases():
    rng = np.random.default_rng(5)
    return [("a 1-D x of 4 entries", rng.normal(size=4)), ("a 2x3 x", rng.normal(size=(2, 3)))]


def _forward_difference(x, h):
    """(f(x + h e_i) - f(x)) / h for every entry i: the slip of a one-sided difference."""
    steps = h * np.eye(x.size).reshape(x.size, *x.shape)
    return np.array([_cd_function(x + e) - _cd_function(x) for e in steps]).reshape(x.shape) / h


def _cd_screen(case, g):
    if g.shape != case.x.shape and case.x.ndim > 1:
        return (f"for {case.label} your gradient has shape {g.shape}, it needs x's shape {case.x.shape}. "
                "Loop over every entry of x, whatever its shape: `for i in np.ndindex(x.shape)`")
    return None


def _cd_hint(case, g):
    if rel_error(g, 3 * case.x ** 2 + 2 * np.sum(case.x)) < 1e-4:
        return (f"close, but not with the step you were given: use h = {CD_STEP:g} from the argument, not a step "
                "of your own")
    i = first_off(g, case.right, 1e-8, 1e-10)
    code = ", ".join(str(v) for v in i)
    return (f"for {case.label}, the entry at code index [{code}] of your gradient is {fmt_number(g[i])}, central "
            f"differences give {fmt_number(case.right[i])}")


def check_central_difference(fn):
    """Exercise ``central_difference(f, x, h)``: the gradient of scalar f at x by central differences."""
    cases = [Case(label, (_cd_function, x, CD_STEP), numerical_gradient(_cd_function, x, h=CD_STEP), x=x)
             for label, x in _cd_cases()]
    slips = [
        Slip("that is the forward difference (f(x + h) - f(x)) / h, whose error shrinks only like h. Use "
             "(f(x + h e_i) - f(x - h e_i)) / (2h): the h terms cancel", lambda c: _forward_difference(c.x, CD_STEP)),
        Slip("your gradient is twice too large: the two points x + h and x - h are 2h apart, so divide by 2h",
             lambda c: 2 * c.right),
        Slip("your gradient is half the right size: divide by 2h, not by 4h or (2h)*2", lambda c: c.right / 2),
    ]
    return run_check(fn, cases, name="central_difference", names=("f", "x", "h"), what="central_difference's result",
                     sizes="`for i in np.ndindex(x.shape)`", rtol=1e-8, atol=1e-10, slips=slips,
                     screen=_cd_screen, explain=_cd_hint,
                     changed="after the two evaluations for an entry, put its old value back (x[i] = old)",
                     right="central differences on every entry, any shape, and x left untouched")


def _rel_cases():
    return [
        ("a = [1, 2, 3], b = [1, 2, 3.3]", np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.3])),
        ("a = [4, -2], b = [1, -2]", np.array([4.0, -2.0]), np.array([1.0, -2.0])),
        ("a = [1, -2], b = [4, -2]", np.array([1.0, -2.0]), np.array([4.0, -2.0])),
        ("a = [0, 10], b = [1e-9, 10] (a tiny entry next to a large one)", np.array([0.0, 10.0]),
         np.array([1e-9, 10.0])),
        ("a = [1, 1], b = [3, 3]", np.array([1.0, 1.0]), np.array([3.0, 3.0])),
        ("a = [0, 0], b = [0, 0]", np.zeros(2), np.zeros(2)),
        ("a 2x3 pair", np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(2, 3) * 1.01),
    ]


def _zero_guarded(formula):
    """A slip's formula, with the 0 for two all-zero arrays that a student needs to pass the zero case."""
    return lambda c: 0.0 if not (c.a.any() or c.b.any()) else formula(c.a, c.b, max(np.abs(c.a).max(),
                                                                                    np.abs(c.b).max()))


def check_relative_error(fn):
    """Exercise ``relative_error(a, b)``: max|a - b| / max(max|a|, max|b|), and 0 for two zero arrays."""
    cases = [Case(label, (a, b), np.float64(rel_error(a, b)), a=a, b=b) for label, a, b in _rel_cases()]
    no_abs = "you are off: take the absolute value of the differences, |a - b|, before the maximum"
    slips = [
        Slip("you divided by max|a| only. Use the larger of max|a| and max|b|, so that relative_error(a, b) == "
             "relative_error(b, a)", _zero_guarded(lambda a, b, scale: np.max(np.abs(a - b)) / np.abs(a).max())),
        Slip(no_abs, _zero_guarded(lambda a, b, scale: np.max(a - b) / scale)),
        Slip(no_abs, _zero_guarded(lambda a, b, scale: np.max(b - a) / scale)),
        Slip("you returned the absolute error max|a - b|; the relative error divides it by the larger of max|a| "
             "and max|b|", _zero_guarded(lambda a, b, scale: np.max(np.abs(a - b)))),
        Slip("you summed the differences; take their maximum",
             _zero_guarded(lambda a, b, scale: np.sum(np.abs(a - b)) / scale)),
        Slip("you divided entry by entry, so a tiny entry reports a huge error that is only rounding. Divide the "
             "largest difference by the largest entry",
             _zero_guarded(lambda a, b, scale: np.nanmax(np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))))),
    ]
    return run_check(fn, cases, name="relative_error", names=("a", "b"), what="relative_error's result",
                     sizes="`a.shape`", rtol=1e-9, atol=1e-15, slips=slips, say="for {label} {text}",
                     screen=lambda c, got: "for two all-zero arrays you return NaN (0/0): they agree perfectly, "
                     "return 0.0" if not (c.a.any() or c.b.any()) and got.size == 1 else None,
                     explain=lambda c, got: f"for {c.label} the relative error is {c.right:.4g}, you returned "
                                            f"{float(got):.4g}",
                     right="your relative error matches cnnlearn.rel_error, zeros included")
