r"""Checks for the exercises of notebooks 03, 04 and 06: dL/dF, dL/dX, the dL/dx22 slip, the
1-2-4 feed counts and the bias gradient.

Each check runs the student's function on the worked example and on seeded random
cases (normal values, so that no two products coincide) and compares with the package
(:func:`cnnlearn.conv2d_backward`, :func:`cnnlearn.contributions`). A wrong per-pixel
sum is taken apart term by term, so the hint can say which term is missing, which one
is extra, or which filter entry was written in place of another, e.g.
"x_22 feeds 4 outputs; your answer has 3: missing dy_12 * f_21". Tolerance: relative
error below 1e-6 (``np.allclose(rtol=1e-6, atol=1e-9)``).
"""

import itertools
import warnings

import numpy as np

from ..conv import conv2d, conv2d_backward, rot180
from ..example import worked_example
from ..receptive import contributions
from ._feedback import AnswerError, as_answer_array, call_answer, correct, hint

__all__ = ["check_filter_gradient", "check_input_gradient", "check_dx22_line", "check_feed_counts",
           "check_bias_gradient"]

RTOL, ATOL = 1e-6, 1e-9


# --------------------------------------------------------------------------- helpers

def _call(fn, *args, name):
    """The student's result, with numpy warnings silenced (the hint explains instead); arguments are
    copies, and a function that changes them gets a hint."""
    copies = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        out = call_answer(fn, *copies, name=name)
    for a, c in zip(args, copies):
        if isinstance(a, np.ndarray) and not np.array_equal(a, c):
            raise AnswerError(f"{name} changed an array it was given. Build a new array instead "
                              "(e.g. `dx = np.zeros(...)`): a backward pass never modifies its inputs")
    return out


def _close(a, b):
    return np.allclose(a, b, rtol=RTOL, atol=ATOL)


def _sub(i, j, shape=(1, 1)):
    """1-based subscript as the equations write it: (0, 1) -> '12'."""
    return f"{i + 1},{j + 1}" if max(shape) > 9 or max(i, j) >= 9 else f"{i + 1}{j + 1}"


def _num(v):
    return f"{float(v):.4g}"


def _term(o, k, oshape, kshape):
    return f"dy_{_sub(*o, oshape)} * f_{_sub(*k, kshape)}"


def _sum_text(pairs, oshape, kshape):
    return " + ".join(_term(o, k, oshape, kshape) for o, k in pairs) or "0 (it feeds no output)"


def explain_pixel(value, i, j, input_shape, dy, w):
    r"""Why ``value`` is not dL/dx[i, j] (stride 1, no padding), in one sentence; None if it is right.

    Tries, in order: one missing term, one filter entry written in place of another,
    one dL/dy written in place of another, one extra term, several missing terms.
    """
    dy, w = np.asarray(dy, dtype=float), np.asarray(w, dtype=float)
    oshape, kshape = dy.shape, w.shape
    pairs = contributions(input_shape, kshape)[i, j]
    right = sum(dy[o] * w[k] for o, k in pairs)
    if _close(value, right):
        return None
    diff = float(value) - right
    tol = RTOL * (1 + abs(right)) + ATOL
    n = len(pairs)
    name = f"x_{_sub(i, j, input_shape)}"
    feeds = f"{name} feeds {n} output{'s' * (n != 1)}"
    for o, k in pairs:
        if abs(diff + dy[o] * w[k]) < tol:
            return f"{feeds}; your answer has {n - 1}: missing {_term(o, k, oshape, kshape)}"
    for o, k in pairs:
        for k2 in np.ndindex(*kshape):
            if k2 != k and abs(diff - dy[o] * (w[k2] - w[k])) < tol:
                twice = any(kk == k2 for _, kk in pairs)
                return (f"in dL/d{name}, the term {_term(o, k2, oshape, kshape)} should be "
                        f"{_term(o, k, oshape, kshape)}: x sits under filter entry f_{_sub(*k, kshape)} "
                        f"when y_{_sub(*o, oshape)} is computed"
                        + (f" (f_{_sub(*k2, kshape)} now appears twice)" if twice else ""))
        for o2 in np.ndindex(*oshape):
            if o2 != o and abs(diff - (dy[o2] - dy[o]) * w[k]) < tol:
                return (f"in dL/d{name}, the term {_term(o2, k, oshape, kshape)} should be "
                        f"{_term(o, k, oshape, kshape)}: filter entry f_{_sub(*k, kshape)} meets {name} "
                        f"in output y_{_sub(*o, oshape)}")
    for o in np.ndindex(*oshape):
        for k in np.ndindex(*kshape):
            if (o, k) not in pairs and abs(diff - dy[o] * w[k]) < tol:
                return (f"{feeds}; your answer has {n + 1} terms: {name} does not reach y_{_sub(*o, oshape)} "
                        f"through f_{_sub(*k, kshape)}, so drop {_term(o, k, oshape, kshape)}")
    for r in range(2, n + 1):
        for subset in itertools.combinations(pairs, r):
            if abs(diff + sum(dy[o] * w[k] for o, k in subset)) < tol:
                missing = ", ".join(_term(o, k, oshape, kshape) for o, k in subset)
                return f"{feeds}; your answer has {n - r}: missing {missing}"
    return (f"dL/d{name} should be {_sum_text(pairs, oshape, kshape)} = {_num(right)}, "
            f"but your answer gives {_num(value)}")


def _cases(kind):
    """The worked example, then seeded random cases with normal values (no coincidences)."""
    ex = worked_example()
    rng = np.random.default_rng(2024)
    out = [("the worked example", ex.x, ex.w, ex.dy)]
    for H, W, kh, kw in ((3, 3, 2, 2), (4, 5, 3, 2), (5, 4, 2, 3)) if kind == "general" else ((3, 3, 2, 2),) * 3:
        x, w = rng.normal(size=(H, W)), rng.normal(size=(kh, kw))
        dy = rng.normal(size=(H - kh + 1, W - kw + 1))
        out.append((f"a random {H}x{W} input with a {kh}x{kw} filter", x, w, dy))
    return out


# --------------------------------------------------------------------------- dL/dF

def check_filter_gradient(fn):
    """``fn(x, dy)`` must return dL/dF for stride 1 and no padding: x (H, W), dy (Ho, Wo) ->
    dw (H - Ho + 1, W - Wo + 1). Relative error below 1e-6."""
    try:
        for label, x, w, dy in _cases("general"):
            right = conv2d_backward(dy, x, w)[1]
            got = _call(fn, x, dy, name="your filter-gradient function")
            got = as_answer_array(got, right.shape, name=f"your dw for {label}")
            if _close(got, right):
                continue
            if _close(got, rot180(right)):
                return hint(f"for {label} your dL/dF is the right one rotated by 180 degrees. dL/dF is a "
                            "correlation of X with dL/dY: slide dL/dY over X without flipping anything")
            if got.shape[0] == got.shape[1] and _close(got, right.T):
                return hint(f"for {label} your dL/dF has rows and columns swapped (it is the transpose)")
            ki, kj = next(k for k in np.ndindex(*right.shape) if not _close(got[k], right[k]))
            Ho, Wo = dy.shape
            terms = " + ".join(f"dy_{_sub(oi, oj)} * x_{_sub(oi + ki, oj + kj)}"
                               for oi in range(Ho) for oj in range(Wo))
            return hint(f"for {label}, dL/df_{_sub(ki, kj)} is off: it should be {terms} = {_num(right[ki, kj])}, "
                        f"you have {_num(got[ki, kj])}. Entry f_{_sub(ki, kj)} meets the input pixel "
                        f"{ki} row(s) down and {kj} column(s) right of each output's window corner")
    except AnswerError as err:
        return hint(str(err))
    return correct("dL/dF is the correlation of X with dL/dY: every filter entry collects dL/dy times "
                   "the input pixel it met, over all output pixels.")


# --------------------------------------------------------------------------- dL/dX

def check_input_gradient(fn):
    """``fn(dy, w)`` must return dL/dX for stride 1 and no padding: dy (Ho, Wo), w (kh, kw) ->
    dx (Ho + kh - 1, Wo + kw - 1). Relative error below 1e-6."""
    try:
        for label, x, w, dy in _cases("general"):
            right = conv2d_backward(dy, x, w)[0]
            raw = _call(fn, dy, w, name="your input-gradient function")
            if raw is not None and np.shape(raw) == dy.shape and dy.shape != right.shape:
                return hint(f"for {label} your dL/dX has the shape of dL/dY, {dy.shape}; it must have the shape "
                            f"of X, {right.shape}: one gradient per input pixel")
            got = as_answer_array(raw, right.shape, name=f"your dx for {label}")
            if _close(got, right):
                continue
            kh, kw = w.shape
            if _close(got, conv2d(dy, w, padding=(kh - 1, kw - 1))):
                return hint(f"for {label} you slid the filter over the zero-padded dL/dY without rotating it. "
                            "The full convolution uses the filter rotated by 180 degrees (cnnlearn.rot180)")
            i, j = next(ij for ij in np.ndindex(*right.shape) if not _close(got[ij], right[ij]))
            why = explain_pixel(got[i, j], i, j, right.shape, dy, w)
            return hint(f"for {label}: {why}")
    except AnswerError as err:
        return hint(str(err))
    return correct("every input pixel collects dL/dy times the filter entry, from each output it feeds: "
                   "corners 1 term, edges 2, the centre 4.")


def wrong_dx22_terms():
    """The slip of the seed article's dL/dx22 line, made from the right terms: the term of dy_12
    carries f_12 instead of f_21, so f_12 appears twice. Returns ``(right, wrong)`` lists of
    ``((oi, oj), (ki, kj))`` pairs (0-based)."""
    right = contributions((3, 3), (2, 2))[1, 1]
    wrong = [(o, (k[1], k[0]) if o == (0, 1) else k) for o, k in right]
    return right, wrong


def check_dx22_line(fn):
    """``fn(dy, w)`` must return dL/dx22 of the worked example's geometry (3x3 input, 2x2 filter)
    as a number, from dy (2, 2) and w (2, 2). Relative error below 1e-6."""
    name = "your dL/dx22 function"
    try:
        cases = _cases("dx22")
        _, wrong = wrong_dx22_terms()
        for label, _x, w, dy in cases:
            right = conv2d_backward(dy, np.zeros((3, 3)), w)[0][1, 1]
            got = float(as_answer_array(_call(fn, dy, w, name=name), (), name))
            if _close(got, right):
                continue
            if _close(got, sum(dy[o] * w[k] for o, k in wrong)):
                return hint("your line repeats the slip: " + explain_pixel(got, 1, 1, (3, 3), dy, w))
            if _close(got, float(np.sum(dy * w))):
                return hint("you paired every dy_ij with the filter entry in the same place, f_ij. In dL/dx22 "
                            "the filter comes rotated by 180 degrees: dy_11 meets x22 through f_22, "
                            "dy_22 through f_11")
            # explain on a case with normal values, where no two products coincide
            _, _, w_r, dy_r = cases[1]
            got_r = float(as_answer_array(_call(fn, dy_r, w_r, name=name), (), name))
            why = explain_pixel(got_r, 1, 1, (3, 3), dy_r, w_r) or explain_pixel(got, 1, 1, (3, 3), dy, w)
            return hint(f"for {label}: {why}")
    except AnswerError as err:
        return hint(str(err))
    return correct("dL/dx22 = dy_11 f_22 + dy_12 f_21 + dy_21 f_12 + dy_22 f_11: each filter entry once, "
                   "in the rotated order.")


# --------------------------------------------------------------------------- 1-2-4 pattern

def check_feed_counts(fn):
    """``fn(input_shape, kernel_shape)`` must return, for stride 1 and no padding, an array of the
    input's shape holding how many output pixels each input pixel feeds."""
    try:
        for shape, kshape in (((3, 3), (2, 2)), ((4, 5), (3, 2)), ((5, 5), (3, 3)), ((2, 6), (1, 4))):
            feeds = contributions(shape, kshape)
            right = np.array([[len(feeds[i, j]) for j in range(shape[1])] for i in range(shape[0])])
            got = as_answer_array(_call(fn, shape, kshape, name="your feed-count function"), shape,
                                  name=f"your counts for a {shape[0]}x{shape[1]} input")
            if np.array_equal(got, right):
                continue
            i, j = next(ij for ij in np.ndindex(*shape) if got[ij] != right[ij])
            outs = ", ".join(f"y_{_sub(*o)}" for o, _ in feeds[i, j])
            return hint(f"for a {shape[0]}x{shape[1]} input and a {kshape[0]}x{kshape[1]} filter, x_{_sub(i, j)} "
                        f"feeds {right[i, j]} output(s) ({outs}), your answer says {got[i, j]:g}. Count the "
                        "window positions that cover the pixel, in rows and in columns, and multiply")
    except AnswerError as err:
        return hint(str(err))
    return correct("the number of terms in each pixel's dL/dx is the number of windows that cover it.")


# --------------------------------------------------------------------------- bias

def check_bias_gradient(fn):
    """``fn(dy)`` must return dL/db from dy of shape (N, F, Ho, Wo): an array of shape (F,), the sum
    of dy over N, Ho and Wo. Relative error below 1e-6."""
    rng = np.random.default_rng(7)
    try:
        for N, F, Ho, Wo in ((3, 2, 4, 5), (1, 4, 3, 3), (5, 3, 2, 6)):
            dy = rng.normal(size=(N, F, Ho, Wo))
            right = dy.sum(axis=(0, 2, 3))
            raw = _call(fn, dy, name="your bias-gradient function")
            arr = None if raw is None else np.asarray(raw, dtype=float)
            where = f"for dy of shape (N, F, Ho, Wo) = {dy.shape}"
            if arr is not None and arr.shape != right.shape:
                if arr.shape == (N, F):
                    return hint(f"{where} your answer has shape (N, F): you summed over Ho and Wo but not over "
                                "the batch. Every example adds to the same bias: sum over N too")
                if arr.shape == (F, Ho, Wo):
                    return hint(f"{where} your answer has shape (F, Ho, Wo): sum over Ho and Wo as well")
                if arr.size == 1:
                    return hint(f"{where} you returned one number, but there is one bias per filter: sum over "
                                "N, Ho and Wo and keep the F axis (axis=(0, 2, 3))")
            got = as_answer_array(raw, right.shape, name=f"your db {where}")
            if _close(got, right):
                continue
            if _close(got, right / (N * Ho * Wo)):
                return hint(f"{where} you took the mean; the bias is added to every output pixel of every "
                            "example, so its gradient is the sum of dy over N, Ho and Wo")
            if _close(got, right / N):
                return hint(f"{where} you divided by N: if the loss averages over the batch, that 1/N is "
                            "already inside dy. Just sum")
            if _close(got, dy[0].sum(axis=(1, 2))):
                return hint(f"{where} you summed only the first example; sum over the whole batch N")
            if _close(got, dy.sum(axis=(0, 1, 2))[:F]) or _close(got, dy.sum(axis=(1, 2, 3))[:F]):
                return hint(f"{where} you summed over the wrong axes: keep axis 1 (F), sum axes 0, 2 and 3")
            f = next(k for k in range(F) if not _close(got[k], right[k]))
            return hint(f"{where}, db_{f + 1} should be the sum of dy[:, {f}, :, :] = {_num(right[f])}, "
                        f"you have {_num(got[f])}")
    except AnswerError as err:
        return hint(str(err))
    return correct("dL/db_f is dy summed over the batch and every output position of filter f.")
