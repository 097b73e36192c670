"""The worked example the whole series follows: a 3x3 input, a 2x2 filter, one label.

Every notebook and widget starts from these numbers, so a student meets the
same X, F, Y and dL/dY everywhere. Only the input, the filter and the label are
typed in; everything else is computed by the package.

The numbers were chosen so that no slip can pass for the right answer, or for another slip
(``tests/test_example.py`` asserts each of these on the computed example):

- the filter's four entries have four different sizes, so rot180(F), F, its transpose F^T
  and F flipped up-down or left-right are five different matrices, and none of F, F^T, the
  flips or F turned by 90 degrees equals plus or minus rot180(F): a missing rotation is never
  a sign flip;
- every look-alike of the rotation (none, the transpose, a flip, a quarter turn, any of them
  negated) spoils most pixels of dL/dX; every slip that moves the input in dL/dF (X transposed,
  the loop indices swapped, windows a kernel apart, dL/dY flipped, dL/dF transposed) spoils at
  least two of its four entries, and never gives minus the right entry;
- every 2x2 window of X is non-symmetric (x[i, j+1] != x[i+1, j]);
- the four logits differ, the true class is not the most probable one, and no entry of dL/dY
  is small enough to round away in a printed sum.

The one filter that does hide slips, :func:`symmetric_filter`, is built apart, on purpose.
"""

from types import SimpleNamespace

import numpy as np

from .conv import conv2d, rot180
from .losses import cross_entropy, cross_entropy_backward, softmax
from .validate import as_float_array

X = ((1.0, 1.0, 2.0),
     (2.0, 3.0, 1.0),
     (2.0, 0.0, 3.0))
FILTER = ((-1.5, 2.5),
          (-2.0, 0.5))
LABEL = 3  # the true class t: the one scored by y22, the 4th of y11, y12, y21, y22 (0-based 3)

SYMMETRIC_FILTER = ((1.0, 2.0),
                    (2.0, 1.0))


def worked_example():
    """Fresh arrays for the worked example.

    Returns
    -------
    SimpleNamespace with
        x : (3, 3) input X; w : (2, 2) filter F; y : (2, 2) output Y = conv2d(x, w);
        logits : (1, 4), the class scores z = (y11, y12, y21, y22), Y flattened row by row (N = 1 example);
        label : int, the true class t (0-based: 3 is the class scored by y22);
        p : (1, 4) softmax probabilities; loss : float, L = -log p_t;
        dlogits : (1, 4) dL/dz = p - T (T the one-hot label row); dy : (2, 2) the same numbers as a map, dL/dY.
    """
    x, w = np.array(X), np.array(FILTER)
    y = conv2d(x, w)
    logits = y.reshape(1, 4)
    dlogits = cross_entropy_backward(logits, [LABEL])
    return SimpleNamespace(x=x, w=w, y=y, logits=logits, label=LABEL, p=softmax(logits),
                           loss=cross_entropy(logits, [LABEL]), dlogits=dlogits, dy=dlogits.reshape(2, 2))


def symmetric_filter():
    r"""A fresh (2, 2) filter [[1, 2], [2, 1]] whose symmetries hide slips, for the notebook on gradient checking.

    Its rotation by 180 degrees equals the filter itself (f11 = f22, f12 = f21), and so does its
    transpose. A backward pass that forgets to rotate, or transposes instead of rotating, therefore
    gives the right dL/dX for this filter, and a check that tries only this filter passes a wrong
    implementation. The worked example's filter has four different entries so that it does not hide
    these slips; this one exists, apart from the worked example, to show why a gradient check must also
    try a filter without symmetries.
    """
    return np.array(SYMMETRIC_FILTER)


def rotation_look_alikes(w):
    r"""What a student may slide in place of rot180(w), by name: the slips of the rotation.

    ``w`` of shape (kh, kw). Returns a dict of the name (written for the filter F) and the matrix:
    ``F`` (no rotation), ``F^T`` (a transpose), ``flipud(F)`` and ``fliplr(F)`` (half a rotation),
    ``rot90(F)`` and ``rot90(F, -1)`` (a quarter turn either way), and each of them negated, ``-F``, ... .
    """
    w = as_float_array(w, "w")
    if w.ndim != 2:
        raise ValueError(f"w must have shape (kh, kw), got shape {w.shape}")
    plain = {"F": w, "F^T": w.T, "flipud(F)": w[::-1, :], "fliplr(F)": w[:, ::-1],
             "rot90(F)": np.rot90(w), "rot90(F, -1)": np.rot90(w, -1)}
    return {name: m.copy() for name, m in {**plain, **{"-" + k: -v for k, v in plain.items()}}.items()}


def equal_to_rotation(w):
    """Names of the :func:`rotation_look_alikes` of ``w`` (kh, kw) that equal rot180(w): the slips this filter hides.

    An empty list for the worked example's filter; ``["F", "F^T"]`` for :func:`symmetric_filter`.
    """
    rotated = rot180(w)
    return [name for name, m in rotation_look_alikes(w).items() if np.array_equal(m, rotated)]
