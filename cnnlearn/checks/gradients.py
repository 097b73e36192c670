r"""Checks for the exercises of notebooks 03, 04 and 06: dL/dF (one example, a batch, with stride and
padding), dL/dX (stride 1, with stride and padding), the dL/dx22 slip, the 1-2-4 feed counts and
the bias gradient.

Each check runs the student's function on the worked example and on seeded random
cases (normal values, so that no two products coincide) and compares with the package
(:func:`cnnlearn.conv2d_backward`, :func:`cnnlearn.contributions`). A wrong per-pixel
sum is taken apart term by term, so the hint can say which term is missing, which one
is extra, or which filter entry was written in place of another, e.g.
"x_22 feeds 4 outputs; your answer has 3: missing dy_12 * f_21". Tolerance: relative
error below 1e-6 (``np.allclose(rtol=1e-6, atol=1e-9)``).

A slip is named only when the answer equals that slip's result on every case and the slip
really differs from the right result there, so that no hint is named because two slips
happen to coincide on one example. Every hint is 1-based like the equations (x_22 is
``x[1, 1]``); where a hint names a code index it says so.
"""

import itertools
import warnings

import numpy as np

from ..conv import conv2d, conv2d_backward, dilate, rot180
from ..equations import fmt_number
from ..example import worked_example
from ..receptive import contributions, output_size
from ._feedback import AnswerError, as_answer_array, call_answer, correct, hint

__all__ = ["check_filter_gradient", "check_input_gradient", "check_dx22_line", "check_feed_counts",
           "check_bias_gradient", "check_filter_gradient_batch", "check_filter_gradient_strided",
           "check_input_gradient_strided"]

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
    return fmt_number(v)


class _Sizes(AnswerError):
    """The answer worked on an earlier case but not on one with other sizes."""


def _call_sized(fn, *args, name, label, passed, blame=None):
    """:func:`_call`, but when earlier cases passed, a failure is blamed on sizes fixed in the code
    (or on ``blame``, the new thing this case brings, e.g. a padding), never on numpy's raw message."""
    try:
        return _call(fn, *args, name=name)
    except AnswerError as err:
        if passed and "not written yet" not in str(err) and "changed an array" not in str(err):
            kind = str(err).split(" raised ", 1)[1].split(":", 1)[0] if " raised " in str(err) else "an error"
            advice = blame or ("It must work for any sizes: take them from the arrays (e.g. `H, W = x.shape`, "
                               "`Ho, Wo = dy.shape`) instead of writing 2 or 3 into the loops and slices")
            raise _Sizes(f"{name} works on {passed[0]} but raised {kind} on {label}. {advice}") from None
        raise


def _strided_blame(case, passed_cases):
    """What is new in this strided case compared with the ones that passed: the padding, or the stride."""
    _, _, _, _, s, p = case
    if p and not any(c[5] for c in passed_cases):
        return (f"This is the first case with padding (P = {p}): pad X with P zeros on every side "
                "(np.pad(x, P)) before cutting out windows, or shift every window P pixels up and left")
    if s > 1 and not any(c[4] > 1 for c in passed_cases):
        return (f"This is the first case with a stride (s = {s}): the window of output (i, j) starts at row "
                "(i - 1) s + 1, column (j - 1) s + 1 (1-based), so loop over the output pixels and multiply by s")
    return None


def _as_sized(raw, shape, name, passed, label):
    """:func:`as_answer_array`, with a note on fixed sizes when an earlier case had the right shape."""
    try:
        return as_answer_array(raw, shape, name=name)
    except AnswerError as err:
        if passed and raw is not None and np.ndim(raw) == len(shape):
            raise AnswerError(f"{err}. It worked on {passed[0]}: take the sizes from the arrays "
                              "instead of writing them into the code, the function must work for any sizes") from None
        raise


def _raw_shape(raw):
    try:
        return None if raw is None else np.shape(np.asarray(raw, dtype=float))
    except (TypeError, ValueError):
        return None


def _slip(answers, rights, slip_values):
    """True when the answers equal one slip's results on every case, and the slip differs from the
    right result on at least one of them (a slip that coincides with the right answer names nothing)."""
    if any(v is None or np.shape(v) != np.shape(a) for a, v in zip(answers, slip_values)):
        return False
    return (all(_close(a, v) for a, v in zip(answers, slip_values))
            and any(not _close(v, r) for v, r in zip(slip_values, rights)))


def _name_slip(answers, rights, slips):
    """The hint of the first slip the answers are (see :func:`_slip`), or None."""
    for text, values in slips:
        if _slip(answers, rights, values):
            return text
    return None


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

def _collect(fn, cases, name, args, right_of, what):
    """Run ``fn`` on the cases in order. Returns ``(answers, rights, labels)`` for the cases whose
    answer has the right shape, up to the first one that is wrong in value; or raises AnswerError
    (exception, stub, shape) with a hint, blaming fixed sizes when an earlier case passed."""
    answers, rights, labels, passed = [], [], [], []
    for case in cases:
        label = case[0]
        right = right_of(case)
        raw = _call_sized(fn, *args(case), name=name, label=label, passed=passed)
        got = _as_sized(raw, right.shape, f"your {what} for {label}", passed, label)
        answers.append(got)
        rights.append(right)
        labels.append(label)
        if not _close(got, right):
            break
        passed.append(label)
    return answers, rights, labels


def _filter_entry_hint(label, got, right, dy, ki, kj):
    Ho, Wo = dy.shape
    terms = " + ".join(f"dy_{_sub(oi, oj)} * x_{_sub(oi + ki, oj + kj)}" for oi in range(Ho) for oj in range(Wo))
    return (f"for {label}, dL/df_{_sub(ki, kj)} is off: it should be {terms} = {_num(right[ki, kj])}, "
            f"you have {_num(got[ki, kj])}. Entry f_{_sub(ki, kj)} meets the input pixel "
            f"{ki} row(s) down and {kj} column(s) right of each output's window corner")


def check_filter_gradient(fn):
    """``fn(x, dy)`` must return dL/dF for stride 1 and no padding: x (H, W), dy (Ho, Wo) ->
    dw (H - Ho + 1, W - Wo + 1). Relative error below 1e-6."""
    cases = _cases("general")
    try:
        answers, rights, labels = _collect(fn, cases, "your filter-gradient function", lambda c: (c[1], c[3]),
                                           lambda c: conv2d_backward(c[3], c[1], c[2])[1], "dw")
    except AnswerError as err:
        return hint(str(err))
    if len(answers) == len(cases) and _close(answers[-1], rights[-1]):
        return correct("dL/dF is the correlation of X with dL/dY: every filter entry collects dL/dy times "
                       "the input pixel it met, over all output pixels.")
    used = cases[:len(answers)]
    slips = [
        ("your dL/dF is the right one rotated by 180 degrees. dL/dF is a correlation of X with dL/dY: "
         "slide dL/dY over X without flipping anything",
         [rot180(r) for r in rights]),
        ("you rotated dL/dY by 180 degrees before sliding it over X (a true convolution). dL/dF is the "
         "cross-correlation of X with dL/dY as it is: dL/df_kl = sum over i, j of dy_ij x_(i+k-1)(j+l-1)",
         [conv2d(x, rot180(dy)) for _, x, _, dy in used]),
        ("your dL/dF has rows and columns swapped (it is the transpose): entry f_kl collects from the input "
         "pixels k - 1 rows down and l - 1 columns right of each window's corner",
         [r.T if r.shape[0] == r.shape[1] else None for r in rights]),
    ]
    text = _name_slip(answers, rights, slips)
    label, got, right, dy = labels[-1], answers[-1], rights[-1], used[-1][3]
    if text:
        return hint(f"for {label} {text}")
    ki, kj = next(k for k in np.ndindex(*right.shape) if not _close(got[k], right[k]))
    return hint(_filter_entry_hint(label, got, right, dy, ki, kj))


def _shifted(name, by):
    """'(i+1)' or 'i': a 1-based index moved by a 0-based offset, as a hint writes it."""
    return f"({name}+{by})" if by else name


def _batch_cases():
    ex = worked_example()
    rng = np.random.default_rng(2025)
    out = [("the worked example as a batch of N = 1", ex.x[None], ex.dy[None])]
    for N, H, W, Ho, Wo in ((3, 4, 5, 3, 3), (2, 5, 4, 3, 3), (4, 3, 3, 2, 2)):
        out.append((f"a random batch of N = {N} {H}x{W} inputs with {Ho}x{Wo} dL/dY maps",
                    rng.normal(size=(N, H, W)), rng.normal(size=(N, Ho, Wo))))
    return out


def check_filter_gradient_batch(fn):
    """``fn(x, dy)`` with x of shape (N, H, W) and dy of shape (N, Ho, Wo), a batch of N single-channel
    examples (stride 1, no padding), must return dL/dF of shape (H - Ho + 1, W - Wo + 1): the sum over the
    batch of each example's correlation of x_n with dy_n. Relative error below 1e-6."""
    name = "your batch filter-gradient function"
    cases = _batch_cases()

    def right_of(case):
        _, x, dy = case
        return sum(conv2d(x[n], dy[n]) for n in range(len(x)))

    answers, rights, labels, passed = [], [], [], []
    try:
        for case in cases:
            label, x, dy = case
            right = right_of(case)
            raw = _call_sized(fn, x, dy, name=name, label=label, passed=passed)
            shape, N = _raw_shape(raw), len(x)
            if shape == (N,) + right.shape:
                per = np.stack([conv2d(x[n], dy[n]) for n in range(N)])
                if _close(np.asarray(raw, dtype=float), per):
                    return hint(f"for {label} you returned one dL/dF per example, shape {shape}. The N "
                                "examples share one filter, so their gradients add up: sum over the batch axis "
                                f"to get shape {right.shape}")
                return hint(f"for {label} your answer has shape {shape}, (N, kh, kw): sum over the batch "
                            f"axis, dL/dF has the filter's shape {right.shape}")
            if right.shape[0] != right.shape[1] and shape == right.shape[::-1]:
                return hint(f"for {label} your dL/dF has shape {shape}, the transpose of the filter's shape "
                            f"{right.shape}: rows and columns are swapped")
            got = _as_sized(raw, right.shape, f"your dw for {label}", passed, label)
            answers.append(got)
            rights.append(right)
            labels.append(label)
            if not _close(got, right):
                break
            passed.append(label)
    except AnswerError as err:
        return hint(str(err))
    if len(passed) == len(cases):
        return correct("dL/dF for a batch is the sum over the N examples of each example's correlation of "
                       "x_n with dL/dY_n: every example used the same filter.")
    used = cases[:len(answers)]
    slips = [
        ("you averaged over the batch (divided by N). The loss's 1/N is already inside dL/dY: the examples' "
         "gradients simply add up, dL/dF = sum over n of the correlation of x_n with dL/dY_n",
         [r / len(c[1]) for r, c in zip(rights, used)]),
        ("you used only the first example (n = 1, code index 0). Every example of the batch used the same "
         "filter, so dL/dF adds up the contributions of all N examples",
         [conv2d(c[1][0], c[2][0]) for c in used]),
        ("you rotated dL/dY by 180 degrees before sliding it (a true convolution). dL/dF is the "
         "cross-correlation of each x_n with dL/dY_n as it is",
         [sum(conv2d(x[n], rot180(dy[n])) for n in range(len(x))) for _, x, dy in used]),
        ("your dL/dF is the right one rotated by 180 degrees: slide dL/dY_n over x_n without flipping anything",
         [rot180(r) for r in rights]),
        ("your dL/dF is the transpose of the right one (rows and columns swapped)",
         [r.T if r.shape[0] == r.shape[1] else None for r in rights]),
    ]
    text = _name_slip(answers, rights, slips)
    label, got, right = labels[-1], answers[-1], rights[-1]
    if text:
        return hint(f"for {label} {text}")
    ki, kj = next(k for k in np.ndindex(*right.shape) if not _close(got[k], right[k]))
    return hint(f"for {label}, dL/df_{_sub(ki, kj)} should be {_num(right[ki, kj])}, you have {_num(got[ki, kj])}. "
                f"It is the sum over the N examples and over all output pixels (i, j) of dy_n,ij times the input "
                f"pixel f_{_sub(ki, kj)} met there, x_n,{_shifted('i', ki)}{_shifted('j', kj)}")


# --------------------------------------------------------------------------- dL/dX

def _full(dy, v):
    """Slide v over dy padded by (kh - 1, kw - 1) zeros: the full convolution with v in place of rot180(F)."""
    kh, kw = v.shape
    return conv2d(dy, v, padding=(kh - 1, kw - 1))


def _rotation_slips(dy, w, right_shape):
    """dL/dX with each look-alike of rot180(F) in the full convolution: the typical wrong "rotations"."""
    out = {"unrotated": _full(dy, w), "flipud": _full(dy, w[::-1, :].copy()), "fliplr": _full(dy, w[:, ::-1].copy())}
    out["transposed"] = _full(dy, w.T.copy()) if w.shape[0] == w.shape[1] else None
    return {k: (v if v is not None and v.shape == right_shape else None) for k, v in out.items()}


ROTATION_HINTS = {
    "unrotated": "you slid the filter over the zero-padded dL/dY without rotating it. The full convolution "
                 "uses the filter rotated by 180 degrees (cnnlearn.rot180): dy_11 meets x_22 through f_22",
    "transposed": "you transposed the filter instead of rotating it. F^T swaps f_12 and f_21 but keeps f_11 "
                  "and f_22 in place; rot180(F) swaps f_11 with f_22 and f_12 with f_21 (flip rows AND columns)",
    "flipud": "you flipped the filter up-down only (its rows). Rotating by 180 degrees flips the rows and the "
              "columns: rot180(F) = F[::-1, ::-1]",
    "fliplr": "you flipped the filter left-right only (its columns). Rotating by 180 degrees flips the rows and "
              "the columns: rot180(F) = F[::-1, ::-1]",
}


def check_input_gradient(fn):
    """``fn(dy, w)`` must return dL/dX for stride 1 and no padding: dy (Ho, Wo), w (kh, kw) ->
    dx (Ho + kh - 1, Wo + kw - 1). Relative error below 1e-6."""
    name = "your input-gradient function"
    cases = _cases("general")
    answers, rights, used, passed = [], [], [], []
    try:
        for case in cases:
            label, x, w, dy = case
            right = conv2d_backward(dy, x, w)[0]
            raw = _call_sized(fn, dy, w, name=name, label=label, passed=passed)
            if raw is not None and np.shape(raw) == dy.shape and dy.shape != right.shape:
                return hint(f"for {label} your dL/dX has the shape of dL/dY, {dy.shape}; it must have the shape "
                            f"of X, {right.shape}: one gradient per input pixel")
            got = _as_sized(raw, right.shape, f"your dx for {label}", passed, label)
            answers.append(got)
            rights.append(right)
            used.append(case)
            if not _close(got, right):
                break
            passed.append(label)
    except AnswerError as err:
        return hint(str(err))
    if len(passed) == len(cases):
        return correct("every input pixel collects dL/dy times the filter entry, from each output it feeds, "
                       "on the worked example and on inputs and filters of other sizes (in the worked example's "
                       "3x3 input: corners 1 term, edges 2, the centre 4).")
    variants = [_rotation_slips(c[3], c[2], r.shape) for c, r in zip(used, rights)]
    slips = [(ROTATION_HINTS[k], [v[k] for v in variants]) for k in ROTATION_HINTS]
    label, got, right, (_, _, w, dy) = used[-1][0], answers[-1], rights[-1], used[-1]
    text = _name_slip(answers, rights, slips)
    if text:
        return hint(f"for {label} {text}")
    i, j = next(ij for ij in np.ndindex(*right.shape) if not _close(got[ij], right[ij]))
    why = explain_pixel(got[i, j], i, j, right.shape, dy, w)
    return hint(f"for {label}: {why}")


def wrong_dx22_terms():
    """The slip of the seed article's dL/dx22 line, made from the right terms: the term of dy_12
    carries f_12 instead of f_21, so f_12 appears twice. Returns ``(right, wrong)`` lists of
    ``((oi, oj), (ki, kj))`` pairs (0-based)."""
    right = contributions((3, 3), (2, 2))[1, 1]
    wrong = [(o, (k[1], k[0]) if o == (0, 1) else k) for o, k in right]
    return right, wrong


def dx22_slips():
    """The typical wrong dL/dx22 lines, each as ``(name, pairs, hint)`` with 0-based ``((oi, oj), (ki, kj))``
    pairs: dy_ij paired with the entry of F, F^T, rot180(F)^T (off-diagonal terms not swapped) or a flip of F
    in the place of rot180(F), and the seed article's slip."""
    def paired_with(entry):  # dy_(i,j) meets the filter entry entry(i, j)
        return [((i, j), entry(i, j)) for i, j in np.ndindex(2, 2)]
    _, article = wrong_dx22_terms()
    return [
        ("article", article, None),
        ("same place", paired_with(lambda i, j: (i, j)),
         "you paired every dy_ij with the filter entry in the same place, f_ij. In dL/dx22 the filter comes "
         "rotated by 180 degrees: dy_11 meets x_22 through f_22, dy_22 through f_11, dy_12 through f_21 and "
         "dy_21 through f_12"),
        ("transposed", paired_with(lambda i, j: (j, i)),
         "you paired dy_ij with f_ji: that is the transpose F^T, not the rotation. rot180(F) swaps f_11 with "
         "f_22 AND f_12 with f_21: dy_11 meets x_22 through f_22, dy_12 through f_21"),
        ("off-diagonal kept", paired_with(lambda i, j: (1 - j, 1 - i)),
         "you rotated the corners (dy_11 f_22 and dy_22 f_11 are right) but kept dy_12 with f_12 and dy_21 "
         "with f_21. The rotation swaps those too: dy_12 meets x_22 through f_21, and dy_21 through f_12"),
        ("flipud", paired_with(lambda i, j: (1 - i, j)),
         "you flipped the filter up-down only: dy_11 f_21 + dy_12 f_22 + ... Rotating by 180 degrees flips rows "
         "and columns: dy_11 meets x_22 through f_22"),
        ("fliplr", paired_with(lambda i, j: (i, 1 - j)),
         "you flipped the filter left-right only: dy_11 f_12 + dy_12 f_11 + ... Rotating by 180 degrees flips "
         "rows and columns: dy_11 meets x_22 through f_22"),
    ]


def check_dx22_line(fn):
    """``fn(dy, w)`` must return dL/dx22 of the worked example's geometry (3x3 input, 2x2 filter)
    as a number, from dy (2, 2) and w (2, 2). Relative error below 1e-6."""
    name = "your dL/dx22 function"
    cases = _cases("dx22")
    try:
        answers = [float(as_answer_array(_call(fn, dy, w, name=name), (), name)) for _, _x, w, dy in cases]
    except AnswerError as err:
        return hint(str(err))
    rights = [conv2d_backward(dy, np.zeros((3, 3)), w)[0][1, 1] for _, _x, w, dy in cases]
    if all(_close(a, r) for a, r in zip(answers, rights)):
        return correct("dL/dx22 = dy_11 f_22 + dy_12 f_21 + dy_21 f_12 + dy_22 f_11: each filter entry once, "
                       "in the rotated order.")
    for slip, pairs, text in dx22_slips():
        values = [sum(dy[o] * w[k] for o, k in pairs) for _, _x, w, dy in cases]
        if _slip(answers, rights, values):
            if slip == "article":
                _, _, w_r, dy_r = cases[1]
                return hint("your line repeats the slip: " + explain_pixel(answers[1], 1, 1, (3, 3), dy_r, w_r))
            return hint(text)
    # explain on a random case (normal values: no two products coincide), the first one that is wrong
    k = next((n for n in range(1, len(cases)) if not _close(answers[n], rights[n])), 0)
    label, _, w, dy = cases[k]
    return hint(f"for {label}: {explain_pixel(answers[k], 1, 1, (3, 3), dy, w)}")


# --------------------------------------------------------------------------- stride and padding (06)

def _strided_cases():
    """(label, x, w, dy, stride, padding): the worked example, then random cases that add a stride, a
    padding, both, and non-square sizes, in that order (a slip shows on the first case that needs it)."""
    ex = worked_example()
    rng = np.random.default_rng(2026)
    out = [("the worked example (stride 1, padding 0)", ex.x, ex.w, ex.dy, 1, 0)]
    for H, W, kh, kw, s, p in ((5, 5, 2, 2, 2, 0), (4, 4, 2, 2, 1, 1), (6, 5, 3, 3, 2, 1), (7, 6, 3, 2, 3, 2)):
        Ho, Wo = output_size((H, W), (kh, kw), stride=s, padding=p)
        out.append((f"a random {H}x{W} input, {kh}x{kw} filter, stride {s}, padding {p}",
                    rng.normal(size=(H, W)), rng.normal(size=(kh, kw)), rng.normal(size=(Ho, Wo)), s, p))
    return out


def _strided_dw(x, dy, kshape, s, p, *, step=None, shift=True):
    """dL/dF by loops; ``step`` (default s) is how far apart the windows are, ``shift=False`` reads x
    without the padding (windows not shifted, no zeros added; reads past the end count as 0)."""
    step = s if step is None else step
    kh, kw = kshape
    Ho, Wo = dy.shape
    big = max(x.shape) * 4 + 4 * p + 8
    xp = np.zeros((x.shape[0] + big, x.shape[1] + big))
    off = p if shift else 0
    xp[off:off + x.shape[0], off:off + x.shape[1]] = x
    dw = np.zeros(kshape)
    for oi, oj in np.ndindex(Ho, Wo):
        dw += dy[oi, oj] * xp[oi * step:oi * step + kh, oj * step:oj * step + kw]
    return dw


def check_filter_gradient_strided(fn):
    """``fn(x, dy, kernel_shape, stride, padding)`` with x (H, W), dy (Ho, Wo), ints stride and padding,
    must return dL/dF of shape kernel_shape. Relative error below 1e-6."""
    name = "your strided filter-gradient function"
    cases = _strided_cases()
    answers, rights, used, passed = [], [], [], []
    try:
        for case in cases:
            label, x, w, dy, s, p = case
            right = conv2d_backward(dy, x, w, stride=s, padding=p)[1]
            raw = _call_sized(fn, x, dy, w.shape, s, p, name=name, label=label, passed=passed,
                              blame=_strided_blame(case, cases[:len(passed)]))
            arr = _raw_shape(raw)
            if arr is not None and arr != right.shape and len(arr) == 2:
                Hp, Wp = x.shape[0] + 2 * p, x.shape[1] + 2 * p
                if arr == (Hp - dy.shape[0] + 1, Wp - dy.shape[1] + 1):
                    return hint(f"for {label} your dL/dF has shape {arr}, the size a stride-1 correlation of the "
                                f"padded X with dL/dY gives. dL/dF always has the filter's shape, kernel_shape = "
                                f"{right.shape}: loop over the filter entries and, for each, over the output "
                                "pixels, whose windows start `stride` pixels apart")
                return hint(f"for {label} your dL/dF has shape {arr}; it must have the filter's shape, "
                            f"kernel_shape = {right.shape}, whatever the stride and padding")
            got = _as_sized(raw, right.shape, f"your dw for {label}", passed, label)
            answers.append(got)
            rights.append(right)
            used.append(case)
            if not _close(got, right):
                break
            passed.append(label)
    except AnswerError as err:
        return hint(str(err))
    if len(passed) == len(cases):
        return correct("dL/dF with stride and padding: each filter entry collects dL/dy times the padded input "
                       "pixel it met, with windows `stride` pixels apart, and the padding's zeros add nothing.")
    slips = [
        ("you ignored the stride: your windows are one pixel apart. Output pixel (i, j) (1-based) has its "
         "window's corner at row (i - 1) s + 1, column (j - 1) s + 1 of the padded input, s pixels apart",
         [_strided_dw(x, dy, w.shape, s, p, step=1) for _, x, w, dy, s, p in used]),
        ("you ignored the padding: your windows start at the input's own corner. Pad X with P zeros on every side "
         "first (np.pad(x, P)), or shift every window P pixels up and left, so that the first window covers "
         "P rows and columns of zeros",
         [_strided_dw(x, dy, w.shape, s, p, shift=False) for _, x, w, dy, s, p in used]),
        ("your dL/dF is the right one rotated by 180 degrees: slide dL/dY over the padded X without flipping",
         [rot180(r) for r in rights]),
        ("you rotated dL/dY by 180 degrees before using it: dL/dF pairs dy_ij with the window of output "
         "(i, j) as it is",
         [_strided_dw(x, rot180(dy), w.shape, s, p) for _, x, w, dy, s, p in used]),
        ("your dL/dF is the transpose of the right one (rows and columns swapped)",
         [r.T if r.shape[0] == r.shape[1] else None for r in rights]),
    ]
    text = _name_slip(answers, rights, slips)
    label, got, right = used[-1][0], answers[-1], rights[-1]
    if text:
        return hint(f"for {label} {text}")
    ki, kj = next(k for k in np.ndindex(*right.shape) if not _close(got[k], right[k]))
    return hint(f"for {label}, dL/df_{_sub(ki, kj)} should be {_num(right[ki, kj])}, you have "
                f"{_num(got[ki, kj])}. It sums dy_ij times the padded input pixel that f_{_sub(ki, kj)} meets in the "
                "window of output (i, j), over all output pixels")


def _scatter_dx(dy, w, shape, s, p, *, step=None, crop=True):
    """dL/dX by scattering: every output sends dy times the filter back over its window (``step``
    apart, default s) on the padded grid; ``crop=False`` returns the padded gradient."""
    step = s if step is None else step
    kh, kw = w.shape
    H, W = shape
    big = max(shape) * 4 + 4 * p + 8
    dxp = np.zeros((H + 2 * p + big, W + 2 * p + big))
    for oi, oj in np.ndindex(*dy.shape):
        dxp[oi * step:oi * step + kh, oj * step:oj * step + kw] += dy[oi, oj] * w
    return dxp[p:p + H, p:p + W] if crop else dxp[:H + 2 * p, :W + 2 * p]


def _gather_dx(dy, v, shape, s, p, *, zero_insert=True):
    """dL/dX as the gather form computes it, with v in place of rot180(F): zero-insert dL/dY (stride s),
    full correlation with v, rows the forward pass never reached are 0, crop the padding."""
    H, W = shape
    d = dilate(dy, (s, s)) if zero_insert else dy
    full = _full(d, v)
    dxp = np.zeros((H + 2 * p, W + 2 * p))
    h, w_ = min(full.shape[0], dxp.shape[0]), min(full.shape[1], dxp.shape[1])
    dxp[:h, :w_] = full[:h, :w_]
    return dxp[p:p + H, p:p + W]


def check_input_gradient_strided(fn):
    """``fn(dy, w, input_shape, stride, padding)`` with dy (Ho, Wo), w (kh, kw), ints stride and padding,
    must return dL/dX of shape input_shape. Relative error below 1e-6."""
    name = "your strided input-gradient function"
    cases = _strided_cases()
    answers, rights, used, passed = [], [], [], []
    try:
        for case in cases:
            label, x, w, dy, s, p = case
            right = conv2d_backward(dy, x, w, stride=s, padding=p)[0]
            raw = _call_sized(fn, dy, w, x.shape, s, p, name=name, label=label, passed=passed,
                              blame=_strided_blame(case, cases[:len(passed)]))
            shape = _raw_shape(raw)
            if shape is not None and shape != right.shape and len(shape) == 2:
                H, W = x.shape
                padded = _scatter_dx(dy, w, x.shape, s, p, crop=False)
                if p and shape == (H + 2 * p, W + 2 * p):
                    if _close(np.asarray(raw, dtype=float), padded):
                        return hint(f"for {label} you returned the gradient of the padded input, shape {shape}. "
                                    f"Crop the P = {p} rows and columns of padding on every side "
                                    f"(dx_padded[P:-P, P:-P]): the zeros are not inputs, they get no gradient")
                    return hint(f"for {label} your dL/dX has the padded shape {shape}: crop the P = {p} rows and "
                                f"columns of padding on every side, dL/dX has the input's shape {right.shape}")
                kh, kw = w.shape
                Ho, Wo = dy.shape
                if s > 1 and shape in ((Ho + kh - 1, Wo + kw - 1), (Ho + kh - 1 - 2 * p, Wo + kw - 1 - 2 * p)):
                    return hint(f"for {label} your dL/dX has shape {shape}, what a full convolution of dL/dY as it "
                                f"is gives. With stride {s}, first insert {s - 1} zero(s) between neighbouring "
                                "entries of dL/dY (cnnlearn.dilate), so that each dy_ij sits where its window "
                                "starts; then the full convolution covers the whole padded input")
                return hint(f"for {label} your dL/dX has shape {shape}; it must have the input's shape, "
                            f"input_shape = {right.shape}")
            got = _as_sized(raw, right.shape, f"your dx for {label}", passed, label)
            answers.append(got)
            rights.append(right)
            used.append(case)
            if not _close(got, right):
                break
            passed.append(label)
    except AnswerError as err:
        return hint(str(err))
    if len(passed) == len(cases):
        return correct("dL/dX with stride and padding: every output sends dy times the filter back over its "
                       "window, windows `stride` apart on the padded grid, and the padding is cropped away. "
                       "The gather form (zero-inserted dL/dY, full convolution with rot180(F)) gives the same.")
    slips = [
        ("you ignored the stride: your windows are one pixel apart (in the gather form: you did not insert "
         "zeros into dL/dY, which is the same slip). The window of output (i, j) (1-based) starts at row "
         "(i - 1) s + 1, column (j - 1) s + 1 of the padded input; in the gather form, put s - 1 zeros between "
         "neighbouring entries of dL/dY (cnnlearn.dilate) before the full convolution",
         [_scatter_dx(dy, w, x.shape, s, p, step=1) for _, x, w, dy, s, p in used]),
        ("you ignored the padding: your windows sit on the unpadded input, starting at its corner. They sit on "
         "the padded grid: scatter into an array of shape (H + 2P, W + 2P), then crop P rows and columns on "
         "every side",
         [_scatter_dx(dy, w, x.shape, s, 0) for _, x, w, dy, s, p in used]),
    ]
    slips += [(ROTATION_HINTS[k] if k != "unrotated" else
               "in the gather form you used the filter without rotating it. Each input pixel collects from the "
               "zero-inserted, zero-padded dL/dY through the filter rotated by 180 degrees (cnnlearn.rot180)",
               [_gather_dx(dy, {"unrotated": w, "transposed": w.T.copy(), "flipud": w[::-1, :].copy(),
                                "fliplr": w[:, ::-1].copy()}[k], x.shape, s, p)
                if (k != "transposed" or w.shape[0] == w.shape[1]) else None
                for _, x, w, dy, s, p in used])
              for k in ROTATION_HINTS]
    text = _name_slip(answers, rights, slips)
    label, got, right = used[-1][0], answers[-1], rights[-1]
    if text:
        return hint(f"for {label} {text}")
    i, j = next(ij for ij in np.ndindex(*right.shape) if not _close(got[ij], right[ij]))
    _, x, w, dy, s, p = used[-1]
    feeds = contributions(x.shape, w.shape, stride=s, padding=p)[i, j]
    return hint(f"for {label}, dL/dx_{_sub(i, j, x.shape)} should be {_sum_text(feeds, dy.shape, w.shape)} = "
                f"{_num(right[i, j])}, you have {_num(got[i, j])}")


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
    """``fn(dy)`` must return dL/db from dy of shape (N, C_out, Ho, Wo): an array of shape (C_out,), the sum
    of dy over N, Ho and Wo. Relative error below 1e-6."""
    rng = np.random.default_rng(7)
    try:
        for N, C_out, Ho, Wo in ((3, 2, 4, 5), (1, 4, 3, 3), (5, 3, 2, 6)):
            dy = rng.normal(size=(N, C_out, Ho, Wo))
            right = dy.sum(axis=(0, 2, 3))
            raw = _call(fn, dy, name="your bias-gradient function")
            arr = None if raw is None else np.asarray(raw, dtype=float)
            where = f"for dy of shape (N, C_out, Ho, Wo) = {dy.shape}"
            if arr is not None and arr.shape != right.shape:
                if arr.shape == (N, C_out):
                    return hint(f"{where} your answer has shape (N, C_out): you summed over Ho and Wo but not "
                                "over the batch. Every example adds to the same bias: sum over N too")
                if arr.shape == (C_out, Ho, Wo):
                    return hint(f"{where} your answer has shape (C_out, Ho, Wo): sum over Ho and Wo as well")
                if arr.size == 1:
                    return hint(f"{where} you returned one number, but there is one bias per filter (C_out = "
                                f"{C_out} of them): sum over N, Ho and Wo and keep the filter axis "
                                "(axis=(0, 2, 3))")
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
                return hint(f"{where} you summed only the first example (n = 1); sum over the whole batch of "
                            f"N = {N}")
            if _close(got, dy.sum(axis=(0, 1, 2))[:C_out]) or _close(got, dy.sum(axis=(1, 2, 3))[:C_out]):
                return hint(f"{where} you summed over the wrong axes: keep axis 1 (the C_out filters), sum axes "
                            "0, 2 and 3")
            f = next(k for k in range(C_out) if not _close(got[k], right[k]))
            return hint(f"{where}, db_{f + 1} (filter {f + 1}, code index {f}) should be the sum of dy over "
                        f"N, Ho and Wo for that filter, dy[:, {f}, :, :].sum() = {_num(right[f])}, "
                        f"you have {_num(got[f])}")
    except AnswerError as err:
        return hint(str(err))
    return correct("dL/db for each filter is dy summed over the batch and every output position of that filter.")
