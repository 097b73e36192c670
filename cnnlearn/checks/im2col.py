"""Check for the exercise of notebook 10: col2im, the way back from columns to pixels.

The student writes ``col2im(dcols, input_shape, kh, kw, padding)`` for one single-channel
image and stride 1: dcols of shape (kh*kw, Ho*Wo), the result of shape input_shape = (H, W).
The check compares it with :func:`cnnlearn.im2col.col2im` on cases that grow harder and
recognises the slips by their results on every case: assigning (=) instead of adding (+=),
reading the columns in the wrong order (column by column instead of row by row), and
forgetting to crop the padding (or cropping the wrong side). Hints name entries by their code index.
"""

import numpy as np

from ..im2col import col2im
from ._runner import Case, Slip, first_off, run_check

__all__ = ["check_col2im"]

RTOL, ATOL = 1e-10, 1e-12


def _cases():
    """(description, dcols, input_shape, kh, kw, padding) with distinct values."""
    rng = np.random.default_rng(10)
    out = []
    for text, shape, kh, kw, p in [("the worked example's 3x3 input and 2x2 filter", (3, 3), 2, 2, 0),
                                   ("a 3x4 input with a 2x2 filter (Ho != Wo)", (3, 4), 2, 2, 0),
                                   ("a 4x4 input, 3x3 filter and padding 1", (4, 4), 3, 3, 1)]:
        Ho, Wo = shape[0] + 2 * p - kh + 1, shape[1] + 2 * p - kw + 1
        dcols = np.round(rng.uniform(-2, 2, size=(kh * kw, Ho * Wo)), 2)
        out.append((text, dcols, shape, kh, kw, p))
    return out


def _slip(dcols, shape, kh, kw, p, *, assign=False, column_major=False):
    """col2im with ``=`` instead of ``+=`` or columns read column by column: padded result (H+2P, W+2P)."""
    H, W = shape
    Ho, Wo = H + 2 * p - kh + 1, W + 2 * p - kw + 1
    dxp = np.zeros((H + 2 * p, W + 2 * p))
    for i in range(Ho):
        for j in range(Wo):
            col = dcols[:, j * Ho + i] if column_major else dcols[:, i * Wo + j]
            if assign:
                dxp[i:i + kh, j:j + kw] = col.reshape(kh, kw)
            else:
                dxp[i:i + kh, j:j + kw] += col.reshape(kh, kw)
    return dxp


def check_col2im(col2im_answer):
    """Check ``col2im(dcols, input_shape, kh, kw, padding) -> dx`` against cnnlearn.im2col.col2im.

    Passes when dx matches to a relative tolerance of 1e-10 on every case and dcols is not changed.
    """
    cases = [Case(text, (dcols, shape, kh, kw, p), col2im(dcols, shape, kh, kw, padding=p), dcols=dcols, p=p)
             for text, dcols, shape, kh, kw, p in _cases()]

    def canvas(c, crop=True, **slip):
        (H, W), P = c.args[1], c.p
        dxp = _slip(c.dcols, *c.args[1:], **slip)
        return dxp[P:P + H, P:P + W] if crop else dxp
    slips = [
        Slip(lambda c, got: f"your result has shape {got.shape}, the padded canvas (H + 2P, W + 2P). The padding is "
             f"not part of the input: crop it, dx = canvas[P:P + H, P:P + W], to shape {c.right.shape}",
             lambda c: canvas(c, crop=False)),
        Slip("you cropped the top-left corner of the padded canvas, canvas[:H, :W]. The padding is P pixels on "
             "every side, so the input is canvas[P:P + H, P:P + W]",
             lambda c: canvas(c, crop=False)[:c.right.shape[0], :c.right.shape[1]]),
        Slip("you assign each column's window (=) instead of adding it (+=). Windows overlap: a pixel under "
             "several windows must collect one term from each, as the counts 1-2-4 of the worked example show",
             lambda c: canvas(c, assign=True)),
        Slip("your columns are read in the wrong order. Column i * Wo + j holds the window of output (i, j): the "
             "columns go row by row, as Y is flattened, not column by column", lambda c: canvas(c, column_major=True)),
    ]

    def pixel_hint(c, got):
        i, j = first_off(got, c.right, RTOL, ATOL)
        return (f"on {c.label} (indices as in your code, from 0): dx[{i}, {j}] should be {c.right[i, j]:.6g}, "
                f"your answer has {got[i, j]:.6g}. dx[{i}, {j}] is the sum of every dcols entry that was copied "
                "from that pixel, one for each window over it")
    return run_check(col2im_answer, cases, name="col2im", names=("dcols", "input_shape", "kh", "kw", "padding"),
                     what="col2im's result", sizes="`H, W = input_shape`", rtol=RTOL, atol=ATOL, slips=slips,
                     say="on {label}: {text}",
                     screen=lambda c, got: f"on {c.label}: your result has shape {got.shape}, the padded canvas "
                     "(H + 2P, W + 2P): crop the padding, dx = canvas[P:P + H, P:P + W]"
                     if got.shape == _slip(c.dcols, *c.args[1:]).shape and c.p else None,
                     explain=pixel_hint, changed="build dx with np.zeros and write only into it",
                     right="every column goes back to its window, overlapping windows add up, and the padding is "
                           "cropped")
