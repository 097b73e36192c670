"""Check for the exercise of notebook 10: col2im, the way back from columns to pixels.

The student writes ``col2im(dcols, input_shape, kh, kw, padding)`` for one single-channel
image and stride 1: dcols of shape (kh*kw, Ho*Wo), the result of shape input_shape = (H, W).
The check compares it with :func:`cnnlearn.im2col.col2im` on cases that grow harder and
recognises three slips by their whole result: assigning (=) instead of adding (+=), reading
the columns in the wrong order (column by column instead of row by row), and forgetting to
crop the padding (or cropping the wrong side). Hints name entries by their code index.
"""

import numpy as np

from ..im2col import col2im
from ._feedback import AnswerError, as_answer_array, call_answer, correct, hint

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


def _same(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=RTOL, atol=ATOL)


def check_col2im(col2im_answer):
    """Check ``col2im(dcols, input_shape, kh, kw, padding) -> dx`` against cnnlearn.im2col.col2im.

    Passes when dx matches to a relative tolerance of 1e-10 on every case and dcols is not changed.
    """
    name = "col2im"
    try:
        for text, dcols, shape, kh, kw, p in _cases():
            want = col2im(dcols, shape, kh, kw, padding=p)
            d_in = dcols.copy()
            raw = call_answer(col2im_answer, d_in, shape, kh, kw, p, name=name)
            if not np.array_equal(d_in, dcols):
                return hint(f"{name} changed its argument dcols; build dx with np.zeros and write only into it")
            padded = _slip(dcols, shape, kh, kw, p)
            arr = np.asarray(raw, dtype=float) if raw is not None else None
            if p and arr is not None and arr.shape == padded.shape:
                return hint(f"on {text}: your result has shape {arr.shape}, the padded canvas (H + 2P, W + 2P). "
                            f"The padding is not part of the input: crop it, dx = canvas[P:P + H, P:P + W], "
                            f"to shape {shape}")
            got = as_answer_array(raw, shape, name=name)
            if _same(got, want):
                continue
            H, W = shape
            if p and _same(got, padded[:H, :W]):
                return hint(f"on {text}: you cropped the top-left corner of the padded canvas, canvas[:H, :W]. "
                            "The padding is P pixels on every side, so the input is canvas[P:P + H, P:P + W]")
            for slip, why in [(dict(assign=True), "you assign each column's window (=) instead of adding it (+=). "
                               "Windows overlap: a pixel under several windows must collect one term from each, "
                               "as the counts 1-2-4 of the worked example show"),
                              (dict(column_major=True), "your columns are read in the wrong order. Column "
                               "i * Wo + j holds the window of output (i, j): the columns go row by row, as Y is "
                               "flattened, not column by column")]:
                s = _slip(dcols, shape, kh, kw, p, **slip)[p:p + H, p:p + W]
                if not _same(s, want) and _same(got, s):
                    return hint(f"on {text}: {why}")
            i, j = (int(v) for v in np.argwhere(~np.isclose(got, want, rtol=RTOL, atol=ATOL))[0])
            return hint(f"on {text} (indices as in your code, from 0): dx[{i}, {j}] should be {want[i, j]:.6g}, "
                        f"your answer has {got[i, j]:.6g}. dx[{i}, {j}] is the sum of every dcols entry that was "
                        "copied from that pixel, one for each window over it")
    except AnswerError as err:
        return hint(str(err))
    return correct("every column goes back to its window, overlapping windows add up, and the padding is cropped")
