r"""Checks for the exercises of notebooks 03, 04 and 06: dL/dF (one example, a batch, with stride and
padding), dL/dX (stride 1, with stride and padding), the dL/dx22 slip, the 1-2-4 feed counts and
the bias gradient.

Each check runs the student's function on the worked example and on seeded random
cases (normal values, so that no two products coincide) through :func:`~._runner.run_check`,
and compares with the package (:func:`cnnlearn.conv2d_backward`, :func:`cnnlearn.contributions`)
and with the typical slips of the form the exercise asks for. A wrong per-pixel sum is taken
apart term by term, so the hint can say which term is missing, which one is extra, or which
filter entry was written in place of another, e.g. "x_22 feeds 4 outputs; your answer has 3:
missing dy_12 * f_21". Tolerance: relative error below 1e-6 (``np.allclose(rtol=1e-6, atol=1e-9)``).

dL/dX has two forms, and one check serves both: the scatter form (every output adds dy_ij times F
onto its window: notebook 04's exercise) and the gather form (a full convolution of the zero-padded
dL/dY with rot180(F): notebook 06's). A slip of one form often gives the numbers of another slip of the
other form (scattering rot180(F) is gathering F), so those hints say what each form did.
Every hint is 1-based like the equations (x_22 is ``x[1, 1]``); where a hint names a code index it says so.
"""

import itertools
from functools import partial

import numpy as np

from ..conv import conv2d, conv2d_backward, dilate, rot180
from ..example import worked_example
from ..notation import fmt_number, sub
from ..receptive import contributions, output_size
from ._runner import Case, Slip, run_check

__all__ = ["check_filter_gradient", "check_input_gradient", "check_dx22_line", "check_feed_counts",
           "check_bias_gradient", "check_filter_gradient_batch", "check_filter_gradient_strided",
           "check_input_gradient_strided"]

RTOL, ATOL = 1e-6, 1e-9
SAY = "for {label}: {text}"


# --------------------------------------------------------------------------- helpers

def _close(a, b):
    return np.allclose(a, b, rtol=RTOL, atol=ATOL)


def _first_off(got, right):
    return next(k for k in np.ndindex(*right.shape) if not _close(got[k], right[k]))


def _term(o, k, oshape, kshape):
    return f"dy_{sub(*o, oshape)} * f_{sub(*k, kshape)}"


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
    name = f"x_{sub(i, j, input_shape)}"
    feeds = f"{name} feeds {n} output{'s' * (n != 1)}"
    for o, k in pairs:
        if abs(diff + dy[o] * w[k]) < tol:
            return f"{feeds}; your answer has {n - 1}: missing {_term(o, k, oshape, kshape)}"
    for o, k in pairs:
        for k2 in np.ndindex(*kshape):
            if k2 != k and abs(diff - dy[o] * (w[k2] - w[k])) < tol:
                twice = any(kk == k2 for _, kk in pairs)
                return (f"in dL/d{name}, the term {_term(o, k2, oshape, kshape)} should be "
                        f"{_term(o, k, oshape, kshape)}: x sits under filter entry f_{sub(*k, kshape)} "
                        f"when y_{sub(*o, oshape)} is computed"
                        + (f" (f_{sub(*k2, kshape)} now appears twice)" if twice else ""))
        for o2 in np.ndindex(*oshape):
            if o2 != o and abs(diff - (dy[o2] - dy[o]) * w[k]) < tol:
                return (f"in dL/d{name}, the term {_term(o2, k, oshape, kshape)} should be "
                        f"{_term(o, k, oshape, kshape)}: filter entry f_{sub(*k, kshape)} meets {name} "
                        f"in output y_{sub(*o, oshape)}")
    for o in np.ndindex(*oshape):
        for k in np.ndindex(*kshape):
            if (o, k) not in pairs and abs(diff - dy[o] * w[k]) < tol:
                return (f"{feeds}; your answer has {n + 1} terms: {name} does not reach y_{sub(*o, oshape)} "
                        f"through f_{sub(*k, kshape)}, so drop {_term(o, k, oshape, kshape)}")
    for r in range(2, n + 1):
        for subset in itertools.combinations(pairs, r):
            if abs(diff + sum(dy[o] * w[k] for o, k in subset)) < tol:
                missing = ", ".join(_term(o, k, oshape, kshape) for o, k in subset)
                return f"{feeds}; your answer has {n - r}: missing {missing}"
    return (f"dL/d{name} should be {_sum_text(pairs, oshape, kshape)} = {fmt_number(right)}, "
            f"but your answer gives {fmt_number(value)}")


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

def _loop_dw(x, dy, kshape, *, swap=""):
    """dL/dF by the four loops of notebook 03, with the indices a student swaps: "x" reads x[col, row],
    "dy" reads dy[j, i], "k" reads x[i + l, j + k]; an IndexError where those reads fall outside the array."""
    dw = np.zeros(kshape)
    for ki, kj, oi, oj in itertools.product(*(range(n) for n in (*kshape, *dy.shape))):
        d = dy[oj, oi] if swap == "dy" else dy[oi, oj]
        r, c = (oi + kj, oj + ki) if swap == "k" else (oi + ki, oj + kj)
        dw[ki, kj] += d * (x[c, r] if swap == "x" else x[r, c])
    return dw


X_TRANSPOSED = ("you read X transposed, x[col, row] where x[row, col] is meant (so x_12 and x_21 trade places). "
                "dL/df_kl = sum over i, j of dy_ij x_(i+k-1)(j+l-1): the row of x comes from i and k, its column "
                "from j and l")
TRANSPOSED_DW = ("your dL/dF has rows and columns swapped (it is the transpose): entry f_kl collects from the "
                 "input pixels k - 1 rows down and l - 1 columns right of each window's corner")


def _dw_slips(right_with):
    """The slips of dL/dF shared by its checks; ``right_with(case, dy)`` is dL/dF computed with that dy."""
    return [
        Slip("your dL/dF is the right one rotated by 180 degrees. dL/dF is a correlation of X with dL/dY: "
             "slide dL/dY over X without flipping anything", lambda c: rot180(c.right)),
        Slip("you rotated dL/dY by 180 degrees before sliding it over X (a true convolution). dL/dF is the "
             "cross-correlation of X with dL/dY as it is: dL/df_kl = sum over i, j of dy_ij x_(i+k-1)(j+l-1)",
             lambda c: right_with(c, rot180(c.dy))),
        Slip(TRANSPOSED_DW, lambda c: c.right.T),
        Slip("every entry of your dL/dF has the wrong sign. dL/df_kl = sum over i, j of dy_ij x_(i+k-1)(j+l-1), "
             "with no minus sign: the sign of the loss's slope is already inside dL/dY", lambda c: -c.right),
    ]


def _filter_entry_hint(case, got):
    ki, kj = _first_off(got, case.right)
    Ho, Wo = case.dy.shape
    terms = " + ".join(f"dy_{sub(oi, oj)} * x_{sub(oi + ki, oj + kj)}" for oi in range(Ho) for oj in range(Wo))
    return (f"for {case.label}, dL/df_{sub(ki, kj)} is off: it should be {terms} = {fmt_number(case.right[ki, kj])}, "
            f"you have {fmt_number(got[ki, kj])}. Entry f_{sub(ki, kj)} meets the input pixel "
            f"{ki} row(s) down and {kj} column(s) right of each output's window corner")


def check_filter_gradient(fn):
    """``fn(x, dy)`` must return dL/dF for stride 1 and no padding: x (H, W), dy (Ho, Wo) ->
    dw (H - Ho + 1, W - Wo + 1). Relative error below 1e-6."""
    cases = [Case(label, (x, dy), conv2d(x, dy), x=x, dy=dy) for label, x, _, dy in _cases("general")]
    slips = _dw_slips(lambda c, dy: conv2d(c.x, dy)) + [
        Slip(TRANSPOSED_DW, lambda c: _loop_dw(c.x, c.dy, c.right.shape, swap="k")),
        Slip(X_TRANSPOSED, lambda c: _loop_dw(c.x, c.dy, c.right.shape, swap="x")),
        Slip(X_TRANSPOSED, lambda c: conv2d(c.x.T, c.dy)),
        Slip("you read dL/dY transposed, dy[j, i] where dy[i, j] is meant: each dy_ij pairs with the window of "
             "output (i, j), row i and column j", lambda c: _loop_dw(c.x, c.dy, c.right.shape, swap="dy")),
    ]
    return run_check(fn, cases, name="your filter-gradient function", names=("x", "dy"), what="your dw",
                     sizes="`H, W = x.shape`, `Ho, Wo = dy.shape`", slips=slips, say=SAY, explain=_filter_entry_hint,
                     right="dL/dF is the correlation of X with dL/dY: every filter entry collects dL/dy times "
                           "the input pixel it met, over all output pixels.")


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


def _batch_dw(x, dy):
    return sum(conv2d(x[n], dy[n]) for n in range(len(x)))


def _batch_shape(case, got):
    """What a wrong shape of the batch's dL/dF says."""
    shape, right = got.shape, case.right.shape
    if shape == (len(case.x),) + right:
        return (f"for {case.label} your answer has shape {shape}, (N, kh, kw): sum over the batch "
                f"axis, dL/dF has the filter's shape {right}")
    if right[0] != right[1] and shape == right[::-1]:
        return (f"for {case.label} your dL/dF has shape {shape}, the transpose of the filter's shape "
                f"{right}: rows and columns are swapped")
    return None


def _batch_entry_hint(case, got):
    ki, kj = _first_off(got, case.right)
    return (f"for {case.label}, dL/df_{sub(ki, kj)} should be {fmt_number(case.right[ki, kj])}, you have "
            f"{fmt_number(got[ki, kj])}. It is the sum over the N examples and over all output pixels (i, j) of "
            f"dy_n,ij times the input pixel f_{sub(ki, kj)} met there, x_n,{_shifted('i', ki)}{_shifted('j', kj)}")


def check_filter_gradient_batch(fn):
    """``fn(x, dy)`` with x of shape (N, H, W) and dy of shape (N, Ho, Wo), a batch of N single-channel
    examples (stride 1, no padding), must return dL/dF of shape (H - Ho + 1, W - Wo + 1): the sum over the
    batch of each example's correlation of x_n with dy_n. Relative error below 1e-6."""
    cases = [Case(label, (x, dy), _batch_dw(x, dy), x=x, dy=dy) for label, x, dy in _batch_cases()]
    slips = [
        Slip(lambda c, got: f"you returned one dL/dF per example, shape {got.shape}. The N examples share one "
             f"filter, so their gradients add up: sum over the batch axis to get shape {c.right.shape}",
             lambda c: np.stack([conv2d(c.x[n], c.dy[n]) for n in range(len(c.x))])),
        Slip("you averaged over the batch (divided by N). The loss's 1/N is already inside dL/dY: the examples' "
             "gradients simply add up, dL/dF = sum over n of the correlation of x_n with dL/dY_n",
             lambda c: c.right / len(c.x)),
        Slip("you used only the first example (n = 1, code index 0). Every example of the batch used the same "
             "filter, so dL/dF adds up the contributions of all N examples", lambda c: conv2d(c.x[0], c.dy[0])),
    ] + _dw_slips(lambda c, dy: _batch_dw(c.x, dy))
    return run_check(fn, cases, name="your batch filter-gradient function", names=("x", "dy"), what="your dw",
                     sizes="`N, H, W = x.shape`, `_, Ho, Wo = dy.shape`", slips=slips, say=SAY, screen=_batch_shape,
                     explain=_batch_entry_hint,
                     right="dL/dF for a batch is the sum over the N examples of each example's correlation of "
                           "x_n with dL/dY_n: every example used the same filter.")


# --------------------------------------------------------------------------- dL/dX

def _full(dy, v, window=None):
    """Slide v over dy padded by (kh - 1, kw - 1) zeros, (kh, kw) the ``window`` (default v's shape): the
    full convolution with v in place of rot180(F)."""
    kh, kw = v.shape if window is None else window
    return conv2d(np.pad(dy, ((kh - 1, kh - 1), (kw - 1, kw - 1))), v)


def _scatter_dx(dy, v, shape, s, p, *, window=None, step=None, assign=False, swap_dy=False, crop="centre"):
    """dL/dX by scattering: every output adds dy times v (or assigns it, ``assign``) onto its window, of the
    filter's size ``window`` (default v's), ``step`` apart (default s) on the padded grid; ``swap_dy`` reads
    dy[j, i]. ``crop``: "centre" (the right crop), "corner" (the top-left H x W) or None (the padded
    gradient). Raises where a student's loop would: v not of the window's shape, dy[j, i] out of range."""
    step = s if step is None else step
    kh, kw = v.shape if window is None else window
    H, W = shape
    big = max(shape) * 4 + 4 * p + 8
    dxp = np.zeros((H + 2 * p + big, W + 2 * p + big))
    for oi, oj in np.ndindex(*dy.shape):
        win = dxp[oi * step:oi * step + kh, oj * step:oj * step + kw]
        share = (dy[oj, oi] if swap_dy else dy[oi, oj]) * v
        win[...] = share if assign else win + share
    if crop is None:
        return dxp[:H + 2 * p, :W + 2 * p]
    top = p if crop == "centre" else 0
    return dxp[top:top + H, top:top + W]


def _gather_dx(dy, v, shape, s, p, *, window=None, zero_insert=True):
    """dL/dX as the gather form computes it, with v in place of rot180(F): zero-insert dL/dY (stride s),
    full correlation with v (padded for ``window``, default v's shape), rows the forward pass never reached
    are 0, crop the padding."""
    H, W = shape
    d = dilate(dy, (s, s)) if zero_insert else dy
    full = _full(d, v, window)
    dxp = np.zeros((H + 2 * p, W + 2 * p))
    h, w_ = min(full.shape[0], dxp.shape[0]), min(full.shape[1], dxp.shape[1])
    dxp[:h, :w_] = full[:h, :w_]
    return dxp[p:p + H, p:p + W]


def _form_slips(scatter, gather):
    """The slips of dL/dX in both forms. ``scatter(case, v, **options)`` is the scatter form with v in place
    of F (options of :func:`_scatter_dx`); ``gather(case, v, window)`` the gather form with v in place of
    rot180(F), dL/dY padded for the ``window`` (None: v's own shape; a student who uses a filter of another
    shape than F's pads for one or the other). Scattering rot180(F) gives the numbers of gathering F,
    scattering a flip up-down those of gathering a flip left-right, and so on: where two slips share their
    numbers, the hint names each form's."""
    transposed = ("you transposed the filter instead of rotating it. F^T swaps f_12 and f_21 but keeps f_11 and "
                  "f_22 in place; rot180(F) swaps f_11 with f_22 and f_12 with f_21 (flip rows AND columns)")
    turned = ("you turned the filter by 90 degrees (np.rot90). The scatter form uses F as it is; the gather form "
              "uses it turned by 180 degrees, rot180(F) = F[::-1, ::-1]")
    reshaped = [Slip(text, lambda c, turn=turn, own=own: gather(c, turn(c.w), None if own else c.w.shape))
                for text, turn in ((transposed, np.transpose), (turned, np.rot90), (turned, lambda w: np.rot90(w, -1)))
                for own in (True, False)]
    return [
        Slip("if you scattered (`dx[window] += dy_ij * F`), you rotated the filter: the scatter form uses F as it "
             "is, its corner on the window's corner. If you gathered (the full convolution of the zero-padded "
             "dL/dY), you slid the filter without rotating it: that form needs it rotated by 180 degrees "
             "(cnnlearn.rot180). Both slips give your numbers", lambda c: scatter(c, rot180(c.w))),
        Slip("if you scattered, you flipped the filter up-down (its rows, w[::-1, :]): the scatter form uses F as "
             "it is. If you gathered, you flipped the filter left-right only (its columns, w[:, ::-1]): rot180(F) "
             "flips the rows and the columns, F[::-1, ::-1]. Both slips give your numbers",
             lambda c: scatter(c, c.w[::-1, :])),
        Slip("if you scattered, you flipped the filter left-right (its columns, w[:, ::-1]): the scatter form uses "
             "F as it is. If you gathered, you flipped the filter up-down only (its rows, w[::-1, :]): rot180(F) "
             "flips the rows and the columns, F[::-1, ::-1]. Both slips give your numbers",
             lambda c: scatter(c, c.w[:, ::-1])),
    ] + reshaped[:2] + [
        Slip("if you scattered, you used the transposed filter F^T: the scatter form uses F as it is. If you "
             "gathered, you transposed rot180(F): the full convolution uses rot180(F) as it is",
             lambda c: scatter(c, c.w.T, window=c.w.shape)),
        Slip("you negated the filter instead of rotating it: your numbers are the full convolution with -F. "
             "rot180(F) moves the entries (f_11 to the place of f_22, f_12 to that of f_21) and keeps their signs",
             lambda c: gather(c, -c.w, None)),
        Slip("every number of your dL/dX has the wrong sign. In the scatter form each output adds its share, "
             "`dx[window] += dy_ij * F` (not `-=`); the gather form has no minus sign either: the full "
             "convolution with rot180(F)", lambda c: -scatter(c, c.w)),
        Slip("you assign (=) each output's share to its window instead of adding it (+=). Windows overlap: a "
             "pixel under several windows collects one term from each", lambda c: scatter(c, c.w, assign=True)),
        Slip("you read dL/dY transposed, dy[j, i] where dy[i, j] is meant: output (i, j) sends its own dy_ij "
             "back over its own window", lambda c: scatter(c, c.w, swap_dy=True)),
    ] + reshaped[2:]

def _dx_shape(case, got):
    if got.shape == case.dy.shape:
        return (f"for {case.label} your dL/dX has the shape of dL/dY, {case.dy.shape}; it must have the shape "
                f"of X, {case.right.shape}: one gradient per input pixel")
    return None


def _dx_pixel_hint(case, got):
    i, j = _first_off(got, case.right)
    return f"for {case.label}: {explain_pixel(got[i, j], i, j, case.right.shape, case.dy, case.w)}"


def check_input_gradient(fn):
    """``fn(dy, w)`` must return dL/dX for stride 1 and no padding: dy (Ho, Wo), w (kh, kw) ->
    dx (Ho + kh - 1, Wo + kw - 1), in the scatter form (notebook 04) or the gather form (notebook 06).
    Relative error below 1e-6."""
    cases = [Case(label, (dy, w), conv2d_backward(dy, x, w)[0], x=x, w=w, dy=dy)
             for label, x, w, dy in _cases("general")]
    slips = _form_slips(lambda c, v, **kw: _scatter_dx(c.dy, v, c.x.shape, 1, 0, **kw),
                        lambda c, v, window: _full(c.dy, v, window))
    return run_check(fn, cases, name="your input-gradient function", names=("dy", "w"), what="your dx",
                     sizes="`Ho, Wo = dy.shape`, `kh, kw = w.shape`", slips=slips, say=SAY, screen=_dx_shape,
                     explain=_dx_pixel_hint,
                     right="every input pixel collects dL/dy times the filter entry, from each output it feeds, "
                           "on the worked example and on inputs and filters of other sizes (in the worked "
                           "example's 3x3 input: corners 1 term, edges 2, the centre 4).")


# --------------------------------------------------------------------------- the dL/dx22 line

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
    in the place of rot180(F), and the seed article's slip (its hint is built from the answer)."""
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


def _line(case, pairs):
    return sum(case.dy[o] * case.w[k] for o, k in pairs)


def _repeats_the_slip(case, pairs, c, got):
    """The hint of the article's own slip (f12 twice in dL/dx22), explained term by term on ``case``."""
    return "your line repeats the slip: " + explain_pixel(_line(case, pairs), 1, 1, (3, 3), case.dy, case.w)


def check_dx22_line(fn):
    """``fn(dy, w)`` must return dL/dx22 of the worked example's geometry (3x3 input, 2x2 filter)
    as a number, from dy (2, 2) and w (2, 2). Relative error below 1e-6."""
    # the random cases first: a wrong line is explained on one of them (normal values: no two products coincide)
    worked, *random = _cases("dx22")
    random = [(f"random dL/dY and F (draw {k} of {len(random)})", *case[1:]) for k, case in enumerate(random, 1)]
    cases = [Case(label, (dy, w), np.float64(conv2d_backward(dy, x, w)[0][1, 1]), w=w, dy=dy)
             for label, x, w, dy in random + [worked]]
    slips = []
    for _, pairs, text in dx22_slips():
        if text is None:  # the article's slip: explained term by term on the first random case
            text = partial(_repeats_the_slip, cases[0], pairs)
        slips.append(Slip(text, lambda c, pairs=pairs: _line(c, pairs)))
    return run_check(fn, cases, name="your dL/dx22 function", names=("dy", "w"), what="your dL/dx22",
                     slips=slips, explain=lambda c, got: f"for {c.label}: "
                     f"{explain_pixel(got, 1, 1, (3, 3), c.dy, c.w)}",
                     right="dL/dx22 = dy_11 f_22 + dy_12 f_21 + dy_21 f_12 + dy_22 f_11: each filter entry once, "
                           "in the rotated order.")


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


def _strided(args_of, grad):
    """The strided cases as :class:`Case`: ``args_of(x, w, dy, s, p)`` is what the student's function gets,
    ``grad`` 0 (dL/dX) or 1 (dL/dF) picks the right answer."""
    return [Case(label, args_of(x, w, dy, s, p), conv2d_backward(dy, x, w, stride=s, padding=p)[grad],
                 x=x, w=w, dy=dy, s=s, p=p) for label, x, w, dy, s, p in _strided_cases()]


def _strided_blame(padding_advice):
    """What is new in a case that raised, compared with the ones that passed: the padding, or the stride."""
    def blame(case, passed):
        if case.p and not any(c.p for c in passed):
            return f"This is the first case with padding (P = {case.p}): {padding_advice}"
        if case.s > 1 and not any(c.s > 1 for c in passed):
            return (f"This is the first case with a stride (s = {case.s}): the window of output (i, j) starts at "
                    "row (i - 1) s + 1, column (j - 1) s + 1 (1-based), so loop over the output pixels and "
                    "multiply by s")
        return None
    return blame


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


def _padded_dw(x, dy, kshape, s, p, *, transpose_x=False, swap=False):
    """dL/dF as notebook 06's loop writes it, on np.pad(x, p) (its transpose with ``transpose_x``), the window
    of output (i, j) read at (j s, i s) with ``swap``; a window cut short at the edge raises, as the loop would."""
    kh, kw = kshape
    xp = np.pad(x, p).T if transpose_x else np.pad(x, p)
    dw = np.zeros(kshape)
    for i, j in np.ndindex(*dy.shape):
        top, left = (j * s, i * s) if swap else (i * s, j * s)
        dw += dy[i, j] * xp[top:top + kh, left:left + kw]
    return dw


def _strided_dw_shape(case, got):
    if got.ndim != 2:
        return None
    Hp, Wp = case.x.shape[0] + 2 * case.p, case.x.shape[1] + 2 * case.p
    if got.shape == (Hp - case.dy.shape[0] + 1, Wp - case.dy.shape[1] + 1):
        return (f"for {case.label} your dL/dF has shape {got.shape}, the size a stride-1 correlation of the "
                f"padded X with dL/dY gives. dL/dF always has the filter's shape, kernel_shape = "
                f"{case.right.shape}: loop over the filter entries and, for each, over the output "
                "pixels, whose windows start `stride` pixels apart")
    return (f"for {case.label} your dL/dF has shape {got.shape}; it must have the filter's shape, "
            f"kernel_shape = {case.right.shape}, whatever the stride and padding")


def _strided_dw_hint(case, got):
    ki, kj = _first_off(got, case.right)
    return (f"for {case.label}, dL/df_{sub(ki, kj)} should be {fmt_number(case.right[ki, kj])}, you have "
            f"{fmt_number(got[ki, kj])}. It sums dy_ij times the padded input pixel that f_{sub(ki, kj)} meets in the "
            "window of output (i, j), over all output pixels")


def check_filter_gradient_strided(fn):
    """``fn(x, dy, kernel_shape, stride, padding)`` with x (H, W), dy (Ho, Wo), ints stride and padding,
    must return dL/dF of shape kernel_shape. Relative error below 1e-6."""
    cases = _strided(lambda x, w, dy, s, p: (x, dy, w.shape, s, p), 1)

    def dw(c, **kw):
        return _strided_dw(c.x, kw.pop("dy", c.dy), c.w.shape, c.s, c.p, **kw)
    slips = [
        Slip("you ignored the stride: your windows are one pixel apart. Output pixel (i, j) (1-based) has its "
             "window's corner at row (i - 1) s + 1, column (j - 1) s + 1 of the padded input, s pixels apart",
             lambda c: dw(c, step=1)),
        Slip("you ignored the padding: your windows start at the input's own corner. Pad X with P zeros on every "
             "side first (np.pad(x, P)), or shift every window P pixels up and left, so that the first window "
             "covers P rows and columns of zeros", lambda c: dw(c, shift=False)),
        Slip("the window of output (i, j) starts at row (i - 1) s + 1, column (j - 1) s + 1 of the padded input "
             "(1-based); yours starts at row (j - 1) s + 1, column (i - 1) s + 1: rows and columns swapped",
             lambda c: _padded_dw(c.x, c.dy, c.w.shape, c.s, c.p, swap=True)),
        Slip(X_TRANSPOSED, lambda c: _padded_dw(c.x, c.dy, c.w.shape, c.s, c.p, transpose_x=True)),
    ] + _dw_slips(lambda c, dy: dw(c, dy=dy))
    return run_check(fn, cases, name="your strided filter-gradient function", what="your dw",
                     names=("x", "dy", "kernel_shape", "stride", "padding"), sizes="`Ho, Wo = dy.shape`",
                     slips=slips, say=SAY, screen=_strided_dw_shape, explain=_strided_dw_hint,
                     blame=_strided_blame("pad X with P zeros on every side (np.pad(x, P)) before cutting out "
                                          "windows, or shift every window P pixels up and left"),
                     right="dL/dF with stride and padding: each filter entry collects dL/dy times the padded input "
                           "pixel it met, with windows `stride` pixels apart, and the padding's zeros add nothing.")


CROP = "dx_padded[P:P + H, P:P + W]"  # the crop a hint recommends: right for every P, 0 included


def _strided_dx_shape(case, got):
    if got.ndim != 2:
        return None
    (H, W), (kh, kw), (Ho, Wo), s, p = case.x.shape, case.w.shape, case.dy.shape, case.s, case.p
    if not p and got.size == 0:
        return (f"for {case.label} your dL/dX is empty, shape {got.shape}: with P = 0, dx_padded[P:-P, P:-P] is "
                f"dx_padded[0:0, 0:0] (-0 is 0). Crop with {CROP}, right for every P")
    if p and got.shape == (H + 2 * p, W + 2 * p):
        return (f"for {case.label} your dL/dX has the padded shape {got.shape}: crop the P = {p} rows and columns "
                f"of padding on every side, {CROP}; dL/dX has the input's shape {case.right.shape}")
    if s > 1 and got.shape in ((Ho + kh - 1, Wo + kw - 1), (Ho + kh - 1 - 2 * p, Wo + kw - 1 - 2 * p)):
        return (f"for {case.label} your dL/dX has shape {got.shape}, what a full convolution of dL/dY as it is "
                f"gives. With stride {s}, first insert {s - 1} zero(s) between neighbouring entries of dL/dY "
                "(cnnlearn.conv.dilate(dy, (s, s))), so that each dy_ij sits where its window starts; then the "
                "full convolution covers the whole padded input")
    return (f"for {case.label} your dL/dX has shape {got.shape}; it must have the input's shape, "
            f"input_shape = {case.right.shape}")


def _strided_dx_hint(case, got):
    i, j = _first_off(got, case.right)
    feeds = contributions(case.x.shape, case.w.shape, stride=case.s, padding=case.p)[i, j]
    return (f"for {case.label}, dL/dx_{sub(i, j, case.x.shape)} should be "
            f"{_sum_text(feeds, case.dy.shape, case.w.shape)} = {fmt_number(case.right[i, j])}, "
            f"you have {fmt_number(got[i, j])}")


def check_input_gradient_strided(fn):
    """``fn(dy, w, input_shape, stride, padding)`` with dy (Ho, Wo), w (kh, kw), ints stride and padding,
    must return dL/dX of shape input_shape, in the scatter form or the gather form. Relative error below 1e-6."""
    cases = _strided(lambda x, w, dy, s, p: (dy, w, x.shape, s, p), 0)

    def scatter(c, v, **kw):
        return _scatter_dx(c.dy, v, c.x.shape, kw.pop("s", c.s), kw.pop("p", c.p), **kw)
    slips = [
        Slip("you ignored the stride: your windows are one pixel apart (in the gather form: you did not insert "
             "zeros into dL/dY, which is the same slip). The window of output (i, j) (1-based) starts at row "
             "(i - 1) s + 1, column (j - 1) s + 1 of the padded input; in the gather form, put s - 1 zeros between "
             "neighbouring entries of dL/dY (cnnlearn.conv.dilate(dy, (s, s))) before the full convolution",
             lambda c: scatter(c, c.w, step=1)),
        Slip("you ignored the padding, with your windows on the unpadded input starting at its corner, or you kept "
             "the top-left corner of the padded gradient, dx_padded[:H, :W]: the two give your numbers. The windows "
             "sit on the padded grid, P pixels in from every side: scatter into an array of shape (H + 2P, W + 2P), "
             f"then crop P rows and columns on every side, {CROP}", lambda c: scatter(c, c.w, crop="corner")),
        Slip(lambda c, got: f"you returned the gradient of the padded input, shape {got.shape}. Crop the P = {c.p} "
             f"rows and columns of padding on every side, {CROP} (right for P = 0 too): the zeros are not inputs, "
             "they get no gradient", lambda c: scatter(c, c.w, crop=None)),
    ] + _form_slips(scatter, lambda c, v, window: _gather_dx(c.dy, v, c.x.shape, c.s, c.p, window=window))
    return run_check(fn, cases, name="your strided input-gradient function", what="your dx",
                     names=("dy", "w", "input_shape", "stride", "padding"), sizes="`H, W = input_shape`",
                     slips=slips, say=SAY, screen=_strided_dx_shape, explain=_strided_dx_hint,
                     blame=_strided_blame("scatter onto the padded grid, an array of shape (H + 2P, W + 2P), "
                                          f"then crop P rows and columns on every side, {CROP}"),
                     right="dL/dX with stride and padding: every output sends dy times the filter back over its "
                           "window, windows `stride` apart on the padded grid, and the padding is cropped away. "
                           "The gather form (zero-inserted dL/dY, full convolution with rot180(F)) gives the same.")


# --------------------------------------------------------------------------- 1-2-4 pattern

def _counts(shape, kshape, short=0):
    """How many windows cover each pixel, with ``short`` window positions left out at the end of each axis."""
    H, W = shape
    kh, kw = kshape
    counts = np.zeros(shape)
    for oi, oj in np.ndindex(H - kh + 1 - short, W - kw + 1 - short):
        counts[oi:oi + kh, oj:oj + kw] += 1
    return counts


def _count_hint(case, got):
    i, j = next(ij for ij in np.ndindex(*case.right.shape) if got[ij] != case.right[ij])
    (H, W), (kh, kw) = case.args
    outs = ", ".join(f"y_{sub(*o)}" for o, _ in contributions((H, W), (kh, kw))[i, j])
    return (f"for a {H}x{W} input and a {kh}x{kw} filter, x_{sub(i, j)} feeds {case.right[i, j]:g} output(s) "
            f"({outs}), your answer says {got[i, j]:g}. Count the window positions that cover the pixel, in rows "
            "and in columns, and multiply")


def check_feed_counts(fn):
    """``fn(input_shape, kernel_shape)`` must return, for stride 1 and no padding, an array of the
    input's shape holding how many output pixels each input pixel feeds."""
    cases = [Case(f"a {H}x{W} input and a {kh}x{kw} filter", ((H, W), (kh, kw)), _counts((H, W), (kh, kw)))
             for (H, W), (kh, kw) in (((3, 3), (2, 2)), ((4, 5), (3, 2)), ((5, 5), (3, 3)), ((2, 6), (1, 4)))]
    slips = [Slip("your windows stop one position short in each direction: along an axis of n pixels a k-wide "
                  "window has n - k + 1 positions, so loop over range(H - kh + 1) and range(W - kw + 1)",
                  lambda c: _counts(*c.args, short=1))]
    return run_check(fn, cases, name="your feed-count function", what="your counts", rtol=0, atol=0,
                     sizes="`H, W = input_shape`, `kh, kw = kernel_shape`", slips=slips, say=SAY,
                     explain=_count_hint,
                     right="the number of terms in each pixel's dL/dx is the number of windows that cover it.")


# --------------------------------------------------------------------------- bias

def _bias_shape(case, got):
    (N, C_out, Ho, Wo), where = case.dy.shape, f"for {case.label}"
    if got.shape == (N, C_out):
        return (f"{where} your answer has shape (N, C_out): you summed over Ho and Wo but not over the batch. "
                "Every example adds to the same bias: sum over N too")
    if got.shape == (C_out, Ho, Wo):
        return f"{where} your answer has shape (C_out, Ho, Wo): sum over Ho and Wo as well"
    if got.size == 1:
        return (f"{where} you returned one number, but there is one bias per filter (C_out = {C_out} of them): "
                "sum over N, Ho and Wo and keep the filter axis (axis=(0, 2, 3))")
    return None


def _bias_hint(case, got):
    f = next(k for k in range(len(got)) if not _close(got[k], case.right[k]))
    return (f"for {case.label}, db_{f + 1} (filter {f + 1}, code index {f}) should be the sum of dy over "
            f"N, Ho and Wo for that filter, dy[:, {f}, :, :].sum() = {fmt_number(case.right[f])}, "
            f"you have {fmt_number(got[f])}")


def check_bias_gradient(fn):
    """``fn(dy)`` must return dL/db from dy of shape (N, C_out, Ho, Wo): an array of shape (C_out,), the sum
    of dy over N, Ho and Wo. Relative error below 1e-6."""
    rng = np.random.default_rng(7)
    cases = []
    for shape in ((3, 2, 4, 5), (1, 4, 3, 3), (5, 3, 2, 6)):
        dy = rng.normal(size=shape)
        cases.append(Case(f"dy of shape (N, C_out, Ho, Wo) = {shape}", (dy,), dy.sum(axis=(0, 2, 3)), dy=dy))
    wrong_axes = ("you summed over the wrong axes: keep axis 1 (the C_out filters), sum axes 0, 2 and 3")
    slips = [
        Slip("you took the mean; the bias is added to every output pixel of every example, so its gradient is "
             "the sum of dy over N, Ho and Wo", lambda c: c.dy.mean(axis=(0, 2, 3))),
        Slip("you divided by N: if the loss averages over the batch, that 1/N is already inside dy. Just sum",
             lambda c: c.right / len(c.dy)),
        Slip(lambda c, got: f"you summed only the first example (n = 1); sum over the whole batch of "
             f"N = {len(c.dy)}", lambda c: c.dy[0].sum(axis=(1, 2))),
        Slip(wrong_axes, lambda c: c.dy.sum(axis=(0, 1, 2))[:c.dy.shape[1]]),
        Slip(wrong_axes, lambda c: c.dy.sum(axis=(1, 2, 3))[:c.dy.shape[1]]),
    ]
    return run_check(fn, cases, name="your bias-gradient function", names=("dy",), what="your db",
                     sizes="`N, C_out, Ho, Wo = dy.shape`", slips=slips, say=SAY, screen=_bias_shape,
                     explain=_bias_hint,
                     right="dL/db for each filter is dy summed over the batch and every output position of that "
                           "filter.")
