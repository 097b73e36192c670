r"""The check of the whole convolution layer's backward pass: notebook 06's last exercise, the function notebook
07's capstone trains the network with.

The student writes ``conv_backward(dy, x, w, stride, padding) -> (dx, dw, db)`` for x of shape (N, C, H, W),
w of shape (C_out, C, kh, kw) and dy of shape (N, C_out, Ho, Wo), one whole-number stride and padding for both
axes. The check runs it on the worked example as a batch of one, then on seeded random cases that add a batch,
channels and filters, a stride (with rows no window reaches), a padding, and everything at once, in that order,
and compares with :func:`cnnlearn.conv2d_backward`. The typical slips are recognised by their result on every
case: dx with the padding not cropped (or cropped at the corner), summed over the batch, with the stride
ignored, the filter's channel axes swapped, or the filter rotated where the form used needs it as it is; dw per
example, from the first example only, divided by N, with its channel axes swapped, the stride ignored or rotated;
db not summed over N, or over Ho and Wo, summed over everything, a mean, or divided by N. Otherwise the hint names
the first wrong number, by its code index (from 0, as the student's code reads it), and its formula.
Tolerance: relative error below 1e-6, an answer in float32 at float32's precision.
"""

import numpy as np

from ..conv import conv2d_backward, rot180
from ..example import worked_example
from ..notation import fmt_number
from ..receptive import output_size
from ._runner import Case, Slip, first_off, read_gradients, run_check, same

__all__ = ["check_conv_backward"]

RTOL, ATOL = 1e-6, 1e-9

# (N, C, C_out, H, W, kh, kw, stride, padding): each case adds one thing to the ones before it, so that a
# function that breaks on it learns what is new there (blame below)
RANDOM_CASES = (
    (3, 1, 1, 4, 5, 2, 3, 1, 0),   # a batch
    (2, 3, 2, 4, 4, 2, 2, 1, 0),   # channels and filters, C != C_out
    (2, 2, 2, 6, 5, 3, 3, 2, 0),   # a stride, C == C_out (a swapped channel axis keeps its shape); row 6 unreached
    (3, 2, 3, 4, 5, 3, 3, 1, 1),   # a padding
    (2, 3, 2, 7, 6, 3, 2, 2, 2),   # all of it
)
CROP = "dx_padded[:, :, P:P + H, P:P + W]"  # right for every P, 0 included


def _cases():
    ex = worked_example()
    out = [("the worked example as a batch of one (N = C = C_out = 1, stride 1, padding 0)",
            ex.x[None, None], ex.w[None, None], ex.dy[None, None], 1, 0)]
    rng = np.random.default_rng(2027)
    for N, C, C_out, H, W, kh, kw, s, p in RANDOM_CASES:
        Ho, Wo = output_size((H, W), (kh, kw), stride=s, padding=p)
        out.append((f"a random batch with N = {N}, C = {C}, C_out = {C_out}, a {H}x{W} input, a {kh}x{kw} filter, "
                    f"stride {s}, padding {p}", rng.normal(size=(N, C, H, W)), rng.normal(size=(C_out, C, kh, kw)),
                    rng.normal(size=(N, C_out, Ho, Wo)), s, p))
    return out


# --------------------------------------------------------------------------- the slips, as programs

def _padded(x, p):
    return np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))


def _scatter(c, *, step=None, crop="centre"):
    """dL/dX by scattering: every output pixel sends sum over f of dy[n, f, i, j] w[f] back over its window of the
    padded grid, windows ``step`` apart (default: the stride). ``crop``: "centre" (right), "corner" (the top-left
    H x W) or None (the padded gradient)."""
    N, C, H, W = c.x.shape
    _, _, kh, kw = c.w.shape
    step = c.s if step is None else step
    dxp = np.zeros((N, C, H + 2 * c.p, W + 2 * c.p))
    for i, j in np.ndindex(*c.dy.shape[2:]):
        dxp[:, :, i * step:i * step + kh, j * step:j * step + kw] += np.einsum("nf,fckl->nckl", c.dy[:, :, i, j], c.w)
    if crop is None:
        return dxp
    top = c.p if crop == "centre" else 0
    return dxp[:, :, top:top + H, top:top + W]


def _dw(c, *, step=None, per_example=False):
    """dL/dF with the windows ``step`` apart (default: the stride); ``per_example`` keeps the batch axis."""
    _, _, kh, kw = c.w.shape
    Ho, Wo = c.dy.shape[2:]
    step = c.s if step is None else step
    xp = _padded(c.x, c.p)
    dw = np.zeros((len(c.x),) + c.w.shape)
    for k, l in np.ndindex(kh, kw):
        patch = xp[:, :, k:k + step * (Ho - 1) + 1:step, l:l + step * (Wo - 1) + 1:step]   # (N, C, Ho, Wo)
        dw[..., k, l] = np.einsum("nfij,ncij->nfc", c.dy, patch)
    return dw if per_example else dw.sum(axis=0)


def _dx_channels_swapped(c):
    """dx[n, c] collecting dy[n, f] through w[c, f] instead of w[f, c]; raises where C != C_out, as such code does."""
    return conv2d_backward(c.dy, c.x, np.swapaxes(c.w, 0, 1), stride=c.s, padding=c.p)[0]


def _slips():
    def dx(value):
        return lambda c: (value(c), None, None)

    def dw(value):
        return lambda c: (None, value(c), None)

    def db(value):
        return lambda c: (None, None, value(c))
    right_db = ("db_f is dy summed over the batch and every output position of filter f: "
                "dy.sum(axis=(0, 2, 3)), shape (C_out,)")
    return [
        Slip(lambda c, got: f"your dx has the padded shape {got[0].shape}: the padding's zeros are not inputs and get "
             f"no gradient. Crop P = {c.p} rows and columns on every side, {CROP} (right for P = 0 too)",
             dx(lambda c: _scatter(c, crop=None))),
        Slip("your dx is the top-left corner of the padded gradient, dx_padded[:, :, :H, :W] (or your windows start "
             "at the unpadded input's corner). The windows sit on the padded grid, P pixels in from every side: "
             f"crop P rows and columns on every side, {CROP}", dx(lambda c: _scatter(c, crop="corner"))),
        Slip("you summed dx over the batch. Every example has its own input, so dx keeps the batch axis, shape "
             "(N, C, H, W): dx[n] comes from dy[n] alone", dx(lambda c: _scatter(c).sum(axis=0))),
        Slip("your dx ignores the stride: its windows are one pixel apart. The window of output (i, j) starts at "
             "row i * stride, column j * stride of the padded input (code indices, from 0), so the slice it scatters "
             "onto is dx_padded[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]; in the gather form, "
             "insert stride - 1 zeros between neighbouring entries of dy first (cnnlearn.conv.dilate)",
             dx(lambda c: _scatter(c, step=1))),
        Slip("dx[n, c] collects from every filter f the slice of that filter that met channel c, w[f, c]; yours uses "
             "w[c, f], the filter's two channel axes swapped (with C != C_out that raises). In the gather form, "
             "swap them on purpose: the full convolution uses rot180(w) with shape (C, C_out, kh, kw), "
             "np.swapaxes(cnnlearn.rot180(w), 0, 1)", dx(_dx_channels_swapped)),
        Slip("if you scattered (dx_padded[window] += dy * w), you rotated the filter: the scatter form uses w as it "
             "is. If you gathered (the full convolution of the zero-inserted, padded dy), you slid the filter without "
             "rotating it: that form needs it rotated by 180 degrees, cnnlearn.rot180(w). Both slips give your "
             "numbers", dx(lambda c: conv2d_backward(c.dy, c.x, rot180(c.w), stride=c.s, padding=c.p)[0])),
        Slip(lambda c, got: f"you returned one dw per example, shape {got[1].shape}. The N examples share the "
             "filters, so their gradients add up: sum over the batch axis, and dw has w's shape (C_out, C, kh, kw)",
             dw(lambda c: _dw(c, per_example=True))),
        Slip("your dw uses only the first example of the batch (n = 0 in code). Every example used the same filters: "
             "dw adds up the contributions of all N examples", dw(lambda c: _dw(c, per_example=True)[0])),
        Slip("you divided dw by N (a mean over the batch). The loss's 1/N is already inside dy: the examples' "
             "gradients simply add up", dw(lambda c: _dw(c) / len(c.x))),
        Slip("your dw has its first two axes swapped, (C, C_out, kh, kw): dw[f, c, k, l] belongs to filter f and "
             "input channel c, like w[f, c, k, l]. With np.einsum, 'nfij,ncij->fc' keeps f first; with np.tensordot "
             "(dy, patch, axes=([0, 2, 3], [0, 2, 3])) dy comes first", dw(lambda c: np.swapaxes(_dw(c), 0, 1))),
        Slip("your dw ignores the stride: it reads windows one pixel apart. Filter entry (k, l) meets, in the window "
             "of output (i, j), the padded input pixel at row i * stride + k, column j * stride + l (code indices): "
             "the slice x_padded[:, :, k:k + stride * (Ho - 1) + 1:stride, l:l + stride * (Wo - 1) + 1:stride]",
             dw(lambda c: _dw(c, step=1))),
        Slip("your dw is rotated by 180 degrees. dw is a correlation of the padded input with dy: filter entry "
             "(k, l) collects dy[n, f, i, j] times x_padded[n, c, i * stride + k, j * stride + l], nothing flipped",
             dw(lambda c: rot180(_dw(c)))),
        Slip("your db keeps the batch axis, shape (N, C_out): every example adds to the same bias, so sum over N "
             "too. " + right_db, db(lambda c: c.dy.sum(axis=(2, 3)))),
        Slip("your db keeps the output positions, shape (C_out, Ho, Wo): the bias is added to every output pixel, "
             "so sum over Ho and Wo too. " + right_db, db(lambda c: c.dy.sum(axis=0))),
        Slip("your db is one number, but there is one bias per filter: keep the filter axis. " + right_db,
             db(lambda c: c.dy.sum())),
        Slip("your db is a mean; the bias is added to every output pixel of every example, so its gradient is the "
             "sum. " + right_db, db(lambda c: c.dy.mean(axis=(0, 2, 3)))),
        Slip("you divided db by N: the loss's 1/N is already inside dy. " + right_db,
             db(lambda c: c.dy.sum(axis=(0, 2, 3)) / len(c.dy))),
    ]


# --------------------------------------------------------------------------- hints that are not slips

def _shape_hint(c, got):
    """A sentence about an answer part of the wrong shape."""
    want = c.right
    if got[0].shape == want[1].shape and got[1].shape == want[0].shape and want[0].shape != want[1].shape:
        return (f"for {c.label} your first array has w's shape and the second x's: return the three gradients "
                "in the order dx, dw, db")
    for which, g, r, like in zip(("dx", "dw", "db"), got, want, ("x's shape (N, C, H, W)",
                                                                  "w's shape (C_out, C, kh, kw)",
                                                                  "shape (C_out,), one number per filter")):
        if g.shape != r.shape:
            return (f"for {c.label} your {which} has shape {g.shape}, but it must have {like}, here {r.shape}, "
                    "whatever the batch, the stride and the padding")
    return None


def _value_hint(c, got):
    """The first wrong number of the first wrong gradient, by its code index, and what it sums."""
    k = next(k for k, (g, r) in enumerate(zip(got, c.right)) if not same(g, r, RTOL, ATOL))
    idx = first_off(got[k], c.right[k], RTOL, ATOL)
    name = ("dx", "dw", "db")[k]
    where = f"{name}[{', '.join(map(str, idx))}]"
    intro = (f"for {c.label} (indices from 0, as in your code): {where} should be {fmt_number(c.right[k][idx])}, "
             f"your answer has {fmt_number(got[k][idx])}. ")
    if k == 0:
        n, ch, p, q = idx
        return intro + (f"It sums dy[{n}, f, i, j] * w[f, {ch}, k, l] over every filter f and every output (i, j) "
                        f"whose window covers it, k = {p} + P - i * stride and l = {q} + P - j * stride (P the "
                        "padding): the scatter form adds each output's dy times its filter onto its window of "
                        f"the padded grid, then crops, {CROP}")
    if k == 1:
        f, ch, kk, ll = idx
        return intro + (f"It sums dy[n, {f}, i, j] * x_padded[n, {ch}, i * stride + {kk}, j * stride + {ll}] over "
                        "the batch n and every output (i, j), x_padded the input with P zeros on every side")
    return intro + f"db[{idx[0]}] is dy[:, {idx[0]}].sum(), over the batch and every output position"


def _blame(case, passed):
    """What is new in a case that raised, compared with the cases that passed."""
    N, C, H, W = case.x.shape
    C_out = case.w.shape[0]
    if N > 1 and all(len(c.x) == 1 for c in passed):
        return (f"This is the first case with a batch (N = {N}): take N from the arrays (`N, C, H, W = x.shape`) "
                "and handle every example, or let numpy do the batch axis for you")
    if (C > 1 or C_out > 1) and all(c.x.shape[1] == 1 and c.w.shape[0] == 1 for c in passed):
        return (f"This is the first case with channels and filters (C = {C}, C_out = {C_out}): w has shape "
                "(C_out, C, kh, kw); dx[n, c] sums over the filters f, dw[f, c] over the examples n")
    if case.s > 1 and all(c.s == 1 for c in passed):
        return (f"This is the first case with a stride (stride = {case.s}): the window of output (i, j) starts at row "
                "i * stride, column j * stride of the padded input (code indices), and dy has shape "
                "(N, C_out, Ho, Wo) with the smaller Ho and Wo of that stride")
    if case.p and all(c.p == 0 for c in passed):
        return (f"This is the first case with padding (P = {case.p}): pad x with P zeros on every side of its last "
                "two axes, `np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))`, work on the padded "
                f"grid, then crop dx, {CROP}")
    return None


def check_conv_backward(fn):
    """``fn(dy, x, w, stride, padding)`` must return ``(dx, dw, db)`` of the convolution layer: dy of shape
    (N, C_out, Ho, Wo), x (N, C, H, W), w (C_out, C, kh, kw), whole-number stride and padding for both axes;
    dx with x's shape, dw with w's, db of shape (C_out,). Relative error below 1e-6."""
    cases = [Case(label, (dy, x, w, s, p), conv2d_backward(dy, x, w, stride=s, padding=p), x=x, w=w, dy=dy, s=s, p=p)
             for label, x, w, dy, s, p in _cases()]
    return run_check(fn, cases, name="your conv_backward", names=("dy", "x", "w", "stride", "padding"),
                     read=read_gradients, what="your (dx, dw, db)", rtol=RTOL, atol=ATOL, slips=_slips(),
                     sizes="`N, C, H, W = x.shape`, `C_out, _, kh, kw = w.shape`, `_, _, Ho, Wo = dy.shape`",
                     say="for {label}: {text}", screen=_shape_hint, explain=_value_hint, blame=_blame,
                     changed="a backward pass must leave its inputs alone: build new arrays (np.pad and "
                             "np.zeros return new ones)",
                     right="dx, dw and db of the whole layer: every example, channel and filter, with windows "
                           "`stride` apart on the padded grid and the padding cropped from dx. This is the function "
                           "notebook 07's capstone trains the network with.")
