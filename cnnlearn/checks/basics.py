r"""Checks for the exercises of notebooks 00, 01, 02 and 05: window sums, the forward pass,
the output size, softmax, cross-entropy, dL/dlogits, central differences and the relative error.

Every check takes the student's function, runs it on the worked example and on a few
seeded random cases, and answers with a :class:`~cnnlearn.checks.Feedback`. A wrong
answer is compared with the typical slips (a rotated filter, a sum instead of a mean,
dividing by N twice, a forward difference ...) so the hint can name the slip, or at
least the pixel or entry that is off. Hints are 1-based like the equations (p_12 is
``p[0, 1]``); where they name a code index they say so. N is the batch size, t the
true class of an example and T the one-hot label matrix.
"""

import warnings

import numpy as np

from ..conv import conv2d, rot180
from ..equations import fmt_number
from ..example import worked_example
from ..gradcheck import numerical_gradient, rel_error
from ..losses import cross_entropy, cross_entropy_backward, softmax
from ..receptive import output_size, window
from ._feedback import AnswerError, as_answer_array, call_answer, correct, hint

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

def _quiet_call(fn, *args, name):
    """call_answer with numpy's overflow/divide warnings silenced: the hint explains them instead."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return call_answer(fn, *args, name=name)


def _raw_array(value):
    """The value as a float array if possible (NaN allowed), else None."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def _matches(arr, ref, rtol=1e-6, atol=1e-9):
    return (arr is not None and ref is not None and arr.shape == np.shape(ref)
            and np.all(np.isfinite(arr)) and np.allclose(arr, ref, rtol=rtol, atol=atol))


def _sub(i, j):
    """1-based subscript as the equations write it: (0, 1) -> '12'."""
    return f"{i + 1}{j + 1}" if max(i, j) < 9 else f"{i + 1},{j + 1}"


def _num(v):
    """A number in a hint: as the equations print it (no "-0", whole numbers without a point)."""
    return fmt_number(v)


def _entry(name, idx):
    """'p_12 (code index [0, 1])': a 1-based entry name, with the code's 0-based index once."""
    code = ", ".join(str(int(i)) for i in idx)
    return f"{name}_{_sub(*idx) if len(idx) == 2 else idx[0] + 1} (code index [{code}])"


def _pixel_sum_text(oi, oj, x, w):
    """'x_11 f_11 + ... = 3' in plain text, for a hint."""
    terms = window((oi, oj), x.shape, w.shape)
    sym = " + ".join(f"x_{_sub(*ij)} f_{_sub(*k)}" for ij, k in terms)
    return f"y_{_sub(oi, oj)} = {sym} = {_num(sum(x[ij] * w[k] for ij, k in terms))}"


def _unchanged(before, after):
    return np.array_equal(before, after)


def _mutation_hint(what):
    return hint(f"your function changed the {what} it was given. Work on a copy (e.g. `x = x.copy()`) "
                "or build a new array: the caller's arrays must stay as they were")


def _first_off(arr, ref, rtol=1e-6, atol=1e-9):
    """Index of the first entry of arr that differs from ref."""
    off = ~np.isclose(arr, ref, rtol=rtol, atol=atol) | ~np.isfinite(arr)
    return tuple(int(i) for i in np.argwhere(off)[0])


# --------------------------------------------------------------------------- 00: one window

def _window_cases():
    ex = worked_example()
    rng = np.random.default_rng(0)
    return [(ex.x[:2, :2], ex.w), (rng.integers(-3, 4, (3, 3)).astype(float),
                                   rng.integers(-3, 4, (3, 3)).astype(float))]


def check_window_sum(fn):
    """Exercise ``window_sum(patch, w)``: the sum of the elementwise product of a window and a filter."""
    ex = worked_example()
    cases = _window_cases()
    try:
        for patch, w in cases:
            p_in, w_in = patch.copy(), w.copy()
            value = _quiet_call(fn, p_in, w_in, name="window_sum")
            if not (_unchanged(patch, p_in) and _unchanged(w, w_in)):
                return _mutation_hint("patch or filter")
            expected = float(np.sum(patch * w))
            raw = _raw_array(value)
            if raw is not None and raw.shape == patch.shape:
                if np.allclose(raw, patch @ w):
                    return hint("you used `@`, the matrix product. A window needs the elementwise "
                                "product `patch * w`, then the sum of all its entries")
                if np.allclose(raw, patch * w):
                    return hint("you multiplied entry by entry, good, but returned the products: "
                                "add them up with `np.sum(...)` to get one number")
            arr = as_answer_array(value, (), name="window_sum's result")
            if np.isclose(arr, np.sum(patch * rot180(w))) and not np.isclose(expected, np.sum(patch * rot180(w))):
                return hint("you paired the window with the filter rotated by 180 degrees. In a CNN the "
                            "top-left input of the window meets f_11, the top-left filter entry")
            if not np.isclose(arr, expected):
                return hint(f"for patch {patch.tolist()} and filter {w.tolist()} the sum is {_num(expected)}, "
                            f"you returned {_num(arr)}")
    except AnswerError as err:
        return hint(str(err))
    return correct(f"the worked example's first window gives {_num(np.sum(ex.x[:2, :2] * ex.w))}, "
                   "which is y_11. The forward pass is this sum, once per window position")


# --------------------------------------------------------------------------- 01: forward pass, output size

def _conv_cases():
    ex = worked_example()
    rng = np.random.default_rng(1)
    return [("the worked example", ex.x, ex.w),
            ("a 4x5 input with a 2x3 filter", rng.integers(-3, 4, (4, 5)).astype(float),
             rng.integers(-2, 3, (2, 3)).astype(float))]


def check_conv_forward(fn):
    """Exercise ``conv_forward(x, w)``: a 2-D cross-correlation, stride 1, no padding."""
    cases = _conv_cases()
    first_wrong, rotated = None, []
    try:
        for label, x, w in cases:
            x_in, w_in = x.copy(), w.copy()
            value = _quiet_call(fn, x_in, w_in, name="conv_forward")
            if not (_unchanged(x, x_in) and _unchanged(w, w_in)):
                return _mutation_hint("x or w")
            expected = conv2d(x, w)
            raw = _raw_array(value)
            if raw is not None and raw.ndim == 2 and raw.shape != expected.shape:
                (H, W), (kh, kw), (Ho, Wo) = x.shape, w.shape, expected.shape
                return hint(f"for {label} (x {H}x{W}, filter {kh}x{kw}) the output is {Ho}x{Wo}: the filter "
                            f"fits in H - kh + 1 = {Ho} rows and W - kw + 1 = {Wo} columns, your output is "
                            f"{raw.shape[0]}x{raw.shape[1]}. Check the ranges of your loops")
            arr = as_answer_array(value, expected.shape, name="conv_forward's result")
            if _matches(arr, expected):
                continue
            if w.shape[0] == w.shape[1] and _matches(arr, conv2d(x, w.T)) and not _matches(expected, conv2d(x, w.T)):
                return hint(f"for {label} you transposed the filter: your windows meet f_ji where they should "
                            "meet f_ij (f_12 and f_21 swapped). CNN layers slide the filter as it is: "
                            "y_ij = sum over k, l of x_(i+k-1)(j+l-1) f_kl")
            if _matches(arr, conv2d(x, rot180(w))):
                # a rotation is only named once every case confirms it
                first_wrong = first_wrong or (label, x, w, arr)
                rotated.append(label)
                continue
            first_wrong = first_wrong or (label, x, w, arr)
            break
    except AnswerError as err:
        return hint(str(err))
    if len(rotated) == len(cases):
        return hint("you rotated the filter by 180 degrees: that is the convolution of signal "
                    "processing. CNN layers compute the cross-correlation: y_ij = sum over k, l of "
                    "x_(i+k-1)(j+l-1) f_kl, with the filter as it is")
    if first_wrong is not None:
        label, x, w, arr = first_wrong
        oi, oj = _first_off(arr, conv2d(x, w))
        return hint(f"for {label}, y_{_sub(oi, oj)} is {_num(arr[oi, oj])} but should be "
                    f"{_pixel_sum_text(oi, oj, x, w)}. Check which input pixels your window takes there")
    return correct("your loop slides the window like conv2d does, on the worked example and on a "
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


_OUTPUT_LENGTH_HINTS = {
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


def check_output_length(fn):
    """Exercise ``output_length(n, k, stride, padding, dilation)``: the output size along one axis."""
    cases = OUTPUT_LENGTH_CASES
    answers = []
    try:
        for case in cases:
            value = _quiet_call(fn, *case, name="output_length")
            arr = as_answer_array(value, (), name="output_length's result")
            answers.append(float(arr))
    except AnswerError as err:
        return hint(str(err))
    slips = [_output_length_slips(*c) for c in cases]
    for (n, k, s, p, d), got, sl in zip(cases, answers, slips):
        assert sl["right"] == output_size((n, 1), (k, 1), stride=s, padding=p, dilation=d)[0]
        if got != round(got):
            return hint(f"for n={n}, k={k}, stride={s}, padding={p}, dilation={d} you returned {got:g}, "
                        "not a whole number: use floor division `//`, a window that would stick out "
                        "past the edge does not count")
    if all(got == sl["right"] for got, sl in zip(answers, slips)):
        return correct("floor((n + 2P - d(k - 1) - 1) / s) + 1 holds on all nine cases, "
                       "with stride, padding and dilation")
    for slip, text in _OUTPUT_LENGTH_HINTS.items():
        differs = [got for got, sl in zip(answers, slips) if sl[slip] != sl["right"]]
        if differs and all(got == sl[slip] for got, sl in zip(answers, slips)):
            return hint(text)
    for (n, k, s, p, d), got, sl in zip(cases, answers, slips):
        if got != sl["right"]:
            return hint(f"for n={n}, k={k}, stride={s}, padding={p}, dilation={d} the output has "
                        f"{sl['right']} positions, you returned {got:g}")
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------- 02: softmax and the loss

def _softmax_cases():
    ex = worked_example()
    rng = np.random.default_rng(2)
    return [("the worked example's logits", ex.logits),
            ("3 examples with 5 classes", rng.normal(size=(3, 5))),
            ("the large logits [[1000, 1001, 999]]", np.array([[1000.0, 1001.0, 999.0]])),
            ("two rows far apart, [[0, 1, 2], [-1000, -999, -998]]",
             np.array([[0.0, 1.0, 2.0], [-1000.0, -999.0, -998.0]]))]


def check_softmax(fn):
    """Exercise ``stable_softmax(z)``: softmax along each row of z, shape (N, K), without overflow."""
    try:
        for label, z in _softmax_cases():
            z_in = z.copy()
            value = _quiet_call(fn, z_in, name="stable_softmax")
            if not _unchanged(z, z_in):
                return _mutation_hint("logits")
            raw = _raw_array(value)
            if raw is not None and raw.shape == z.shape and not np.all(np.isfinite(raw)):
                if label.startswith("the large"):
                    return hint("for the logits [[1000, 1001, 999]] your softmax gives NaN or infinity: "
                                "exp(1000) overflows. Subtract each row's maximum before np.exp; it "
                                "cancels in the fraction")
                if label.startswith("two rows"):
                    return hint("the second row, [-1000, -999, -998], gives NaN: you subtracted the maximum of "
                                "the whole array, so every exponent in that row underflows to 0. Subtract "
                                "each row's own maximum: z.max(axis=1, keepdims=True)")
            p = as_answer_array(value, z.shape, name="stable_softmax's result")
            expected = softmax(z, axis=1)
            if _matches(p, expected):
                continue
            if np.allclose(p.sum(axis=0), 1) and not np.allclose(p.sum(axis=1), 1):
                return hint(f"for {label} your columns sum to 1 but the rows do not: normalise along "
                            "axis=1, each example (row) gets its own distribution over the classes")
            if not np.allclose(p.sum(axis=1), 1):
                sums = ", ".join(_num(s) for s in p.sum(axis=1))
                return hint(f"for {label} the rows of your result sum to {sums}: divide each row of "
                            "exponentials by that row's sum, so each row sums to 1")
            n, k = _first_off(p, expected)
            return hint(f"for {label}, {_entry('p', (n, k))} should be {_num(expected[n, k])}, "
                        f"you have {_num(p[n, k])}")
    except AnswerError as err:
        return hint(str(err))
    return correct("your softmax is right and stays finite for logits of +-1000")


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


def check_cross_entropy(fn):
    """Exercise ``cross_entropy_loss(logits, labels)``: L = -(1/N) sum over n of log p_(n, t_n)."""
    cases = _loss_cases()
    try:
        for label, z, t in cases:
            z_in, t_in = z.copy(), t.copy()
            value = _quiet_call(fn, z_in, t_in, name="cross_entropy_loss")
            if not (_unchanged(z, z_in) and _unchanged(t, t_in)):
                return _mutation_hint("logits or labels")
            raw = _raw_array(value)
            if label.startswith("the large") and raw is not None and raw.size == 1 and not np.isfinite(raw).all():
                return hint("for logits [[0, 1000]] and true class 0 (code index) the loss is exactly 1000, but "
                            "yours is infinite or NaN: p_1 = e^-1000 rounds to 0 and log(0) = -inf. Skip the "
                            "probability: -log p_k = log(sum_j e^(z_j - m)) + m - z_k with m the row maximum")
            global_max = _global_max_loss(z, t)
            if label.startswith("two rows") and raw is not None and raw.size == 1 and (
                    not np.isfinite(raw).all() or np.isclose(float(raw.ravel()[0]), global_max)):
                return hint("for the rows [[0, 1, 2], [-1000, -999, -998]] your loss is infinite, NaN or wrong: "
                            "you subtracted the maximum of the whole array, z.max(), so every exponent of the "
                            "second row underflows to 0. Subtract each row's own maximum, "
                            "m = z.max(axis=1, keepdims=True), as in the stable softmax")
            loss = float(as_answer_array(value, (), name="cross_entropy_loss's result"))
            expected = cross_entropy(z, t)
            if np.isclose(loss, expected, rtol=1e-6, atol=1e-9):
                continue
            n = z.shape[0]
            p = softmax(z, axis=1)
            if n > 1 and np.isclose(loss, expected * n):
                return hint(f"for {label} you returned the sum over the {n} examples; the loss is their mean, "
                            f"divide by the batch size N = {n}")
            if np.isclose(loss, -expected):
                return hint("your loss is negative: it is MINUS the log of the true class's probability "
                            "(a probability is below 1, so its log is negative)")
            if np.isclose(loss, expected / np.log(10)):
                return hint("you used log10; cross-entropy uses the natural logarithm, np.log")
            if np.isclose(loss, np.mean(1 - p[np.arange(n), t])):
                return hint("you averaged 1 - p_(n, t_n); the loss averages -log p_(n, t_n), the probability "
                            "of each example's true class t_n")
            return hint(f"for {label} the loss is {_num(expected)}, you returned {_num(loss)}. Pick each "
                        "example's probability of its true class t_n, take -log, then average over the N examples")
    except AnswerError as err:
        return hint(str(err))
    return correct("your loss matches, averaged over the N examples and finite even for logits of 1000")


def _global_max_loss(z, t):
    """The loss of the slip that subtracts z.max() of the whole array (infinite for rows far apart)."""
    with np.errstate(all="ignore"):
        m = z.max()
        lse = m + np.log(np.exp(z - m).sum(axis=1))
        return float(np.mean(lse - z[np.arange(len(t)), t]))


def check_logit_gradient(fn):
    """Exercise ``logit_gradient(logits, labels)``: dL/dz = (p - T) / N, shape (N, K)."""
    try:
        for label, z, t in _label_cases():
            z_in, t_in = z.copy(), t.copy()
            value = _quiet_call(fn, z_in, t_in, name="logit_gradient")
            if not (_unchanged(z, z_in) and _unchanged(t, t_in)):
                return _mutation_hint("logits or labels")
            dz = as_answer_array(value, z.shape, name="logit_gradient's result")
            expected = cross_entropy_backward(z, t)
            if _matches(dz, expected):
                continue
            n = z.shape[0]
            p = softmax(z, axis=1)
            onehot = np.eye(z.shape[1])[t]
            slips = [
                ((p - onehot) / n ** 2, f"you divided by N twice: the mean over the examples brings ONE factor "
                                        f"1/N, here 1/{n}"),
                (p - onehot, f"you forgot the 1/N from the mean over the N = {n} examples"),
                ((onehot - p) / n, "your sign is flipped: it is p - T, the probabilities minus the one-hot "
                                   "labels (raising the true class's score must lower the loss)"),
                (p / n, "you left out the one-hot labels T: subtract 1 at each example's true class t_n"),
                (-onehot / (n * np.where(onehot > 0, p, 1)), "that is dL/dp, the gradient with respect to "
                                                            "the probabilities; push it through softmax "
                                                            "to get (p - T)/N"),
            ]
            for wrong, text in slips:
                if not _matches(expected, wrong) and _matches(dz, wrong):
                    return hint(text)
            i, k = _first_off(dz, expected)
            return hint(f"for {label}, dL/dz_{_sub(i, k)} (code index [{i}, {k}]) should be "
                        f"{_num(expected[i, k])} = (p_{_sub(i, k)} - T_{_sub(i, k)})/N = "
                        f"({_num(p[i, k])} - {int(onehot[i, k])}) / {n}, you have {_num(dz[i, k])}")
    except AnswerError as err:
        return hint(str(err))
    return correct("dL/dz = (p - T)/N, for one example and for a batch")


# --------------------------------------------------------------------------- 05: gradient checking

def _cd_function(x):
    """A function whose gradient couples all entries: sum(x^3) + (sum x)^2."""
    return float(np.sum(x ** 3) + np.sum(x) ** 2)


CD_STEP = 1e-3


def _cd_cases():
    rng = np.random.default_rng(5)
    return [("a 1-D x of 4 entries", rng.normal(size=4)), ("a 2x3 x", rng.normal(size=(2, 3)))]


def check_central_difference(fn):
    """Exercise ``central_difference(f, x, h)``: the gradient of scalar f at x by central differences."""
    h, cases = CD_STEP, _cd_cases()
    try:
        for label, x in cases:
            x_in = x.copy()
            value = _quiet_call(fn, _cd_function, x_in, h, name="central_difference")
            if not np.array_equal(x, x_in):
                return hint("x is changed after your function ran: after the two evaluations for an entry, "
                            "put its old value back (x[i] = old), or perturb a copy")
            raw = _raw_array(value)
            if raw is not None and raw.shape != x.shape and x.ndim > 1:
                return hint(f"for {label} your gradient has shape {raw.shape}, it needs x's shape {x.shape}. "
                            "Loop over every entry of x, whatever its shape: `for i in np.ndindex(x.shape)`")
            g = as_answer_array(value, x.shape, name="central_difference's result")
            expected = numerical_gradient(_cd_function, x, h=h)
            if rel_error(g, expected) < 1e-8:
                continue
            forward = np.zeros_like(x)
            exact = 3 * x ** 2 + 2 * np.sum(x)
            f0 = _cd_function(x)
            for i in np.ndindex(x.shape):
                xp = x.copy()
                xp[i] += h
                forward[i] = (_cd_function(xp) - f0) / h
            if rel_error(g, forward) < 1e-8:
                return hint("that is the forward difference (f(x + h) - f(x)) / h, whose error shrinks only "
                            "like h. Use (f(x + h e_i) - f(x - h e_i)) / (2h): the h terms cancel")
            if rel_error(g, 2 * expected) < 1e-8:
                return hint("your gradient is twice too large: the two points x + h and x - h are 2h apart, "
                            "so divide by 2h")
            if rel_error(g, expected / 2) < 1e-8:
                return hint("your gradient is half the right size: divide by 2h, not by 4h or (2h)*2")
            if rel_error(g, exact) < 1e-4:
                return hint(f"close, but not with the step you were given: use h = {h:g} from the argument, "
                            "not a step of your own")
            i = _first_off(g, expected, rtol=1e-6, atol=1e-8)
            code = ", ".join(str(v) for v in i)
            return hint(f"for {label}, the entry at code index [{code}] of your gradient is {_num(g[i])}, central "
                        f"differences give {_num(expected[i])}")
    except AnswerError as err:
        return hint(str(err))
    return correct("central differences on every entry, any shape, and x left untouched")


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


def check_relative_error(fn):
    """Exercise ``relative_error(a, b)``: max|a - b| / max(max|a|, max|b|), and 0 for two zero arrays."""
    cases = _rel_cases()
    try:
        for label, a, b in cases:
            a_in, b_in = a.copy(), b.copy()
            value = _quiet_call(fn, a_in, b_in, name="relative_error")
            if not (_unchanged(a, a_in) and _unchanged(b, b_in)):
                return _mutation_hint("arrays")
            raw = _raw_array(value)
            if label.startswith("a = [0, 0]") and raw is not None and raw.size == 1 and not np.isfinite(raw).all():
                return hint("for two all-zero arrays you return NaN (0/0): they agree perfectly, return 0.0")
            got = float(as_answer_array(value, (), name="relative_error's result"))
            expected = rel_error(a, b)
            if np.isclose(got, expected, rtol=1e-9, atol=1e-15):
                continue
            scale = max(np.abs(a).max(), np.abs(b).max())
            if scale and np.isclose(got, np.max(np.abs(a - b)) / np.abs(a).max()):
                return hint(f"for {label} you divided by max|a| only. Use the larger of max|a| and max|b|, "
                            "so that relative_error(a, b) == relative_error(b, a)")
            if scale and (np.isclose(got, np.max(a - b) / scale) or np.isclose(got, np.max(b - a) / scale)):
                return hint(f"for {label} you are off: take the absolute value of the differences, |a - b|, "
                            "before the maximum")
            if scale and np.isclose(got, np.sum(np.abs(a - b)) / scale):
                return hint(f"for {label} you summed the differences; take their maximum")
            with np.errstate(all="ignore"):
                entrywise = np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))
            if np.isclose(got, np.nanmax(entrywise)):
                return hint(f"for {label} you divided entry by entry, so a tiny entry reports a huge error "
                            "that is only rounding. Divide the largest difference by the largest entry")
            return hint(f"for {label} the relative error is {expected:.4g}, you returned {got:.4g}")
    except AnswerError as err:
        return hint(str(err))
    return correct("your relative error matches cnnlearn.rel_error, zeros included")
