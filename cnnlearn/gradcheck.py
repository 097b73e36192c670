r"""Gradient checking: central differences, and a relative error to compare with."""

import numbers

import numpy as np

from .validate import as_float_array


def numerical_gradient(f, x, h=1e-6):
    r"""Estimate the gradient of a scalar function by central differences.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar (a float or an array of size 1).
    x : array of any shape
        The point to differentiate at.
    h : float
        The step.

    Returns
    -------
    grad : float64 array of the shape of x

    Notes
    -----
    .. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}

    The error is O(h^2) from the truncated Taylor series plus about
    :math:`\epsilon f / h` from rounding, so h = 1e-6 is a good default in float64.
    ``f`` is called with a perturbed float64 *copy* of x; x itself is never written.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of x returning a scalar, got {type(f).__name__}")
    if isinstance(h, (bool, np.bool_)) or not isinstance(h, numbers.Real):
        raise TypeError(f"h must be a positive number, got {h!r} ({type(h).__name__})")
    h = float(h)
    if not (h > 0 and np.isfinite(h)):
        raise ValueError(f"h must be a positive finite number, got {h}")
    xc = as_float_array(x, "x").astype(np.float64, copy=True)
    grad = np.zeros_like(xc)
    flat, g = xc.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = _scalar(f(xc))
        flat[i] = old - h
        fm = _scalar(f(xc))
        flat[i] = old
        g[i] = (fp - fm) / (2 * h)
    return grad


def _scalar(v):
    a = np.asarray(v)
    if a.size != 1 or a.dtype.kind not in "biuf":
        raise ValueError(f"f must return a single number, got {type(v).__name__} of shape {a.shape}")
    return float(a.reshape(()))


def rel_error(a, b):
    r"""Relative error between two arrays, measured against their largest entry.

    Parameters
    ----------
    a, b : arrays of the same shape

    Returns
    -------
    float
        :math:`\max_i |a_i - b_i| / \max(\max_i |a_i|, \max_i |b_i|)`, and 0 when
        both arrays are all zeros. A NaN or an infinity in either array gives NaN
        (never a small number that would pass a check).

    Notes
    -----
    Dividing by the largest entry rather than entry by entry keeps entries that
    cancel to almost zero from reporting a huge error that is only rounding. As
    a rule of thumb in float64: below 1e-7 the gradients agree; above 1e-3
    something is wrong.
    """
    a = as_float_array(a, "a", allow_nonfinite=True).astype(np.float64)
    b = as_float_array(b, "b", allow_nonfinite=True).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got a.shape={a.shape} and b.shape={b.shape}")
    if a.size == 0:
        return 0.0
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("nan")
    scale = max(np.max(np.abs(a)), np.max(np.abs(b)))
    if scale == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / scale)
