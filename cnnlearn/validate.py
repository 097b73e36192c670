"""Argument checks shared by every public function.

Each helper raises ``TypeError`` or ``ValueError`` with a message that names the
argument, says what it got and what it needs, so that a student who passes the
wrong thing reads a sentence instead of a stack of numpy internals.
"""

import numbers

import numpy as np


def as_float_array(a, name, *, allow_nonfinite=False):
    """Return ``a`` as a float ndarray (float32 stays float32, everything else float64).

    The input is never modified; a new array is returned whenever a conversion
    happens. NaN and infinity raise ``ValueError`` unless ``allow_nonfinite``.
    """
    if isinstance(a, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array, got a string {a!r}")
    try:
        arr = np.asarray(a)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular numeric array; numpy could not build one: {exc}") from None
    if arr.dtype == object:
        raise TypeError(f"{name} must be a numeric array, got an object array (dtype=object); "
                        "ragged lists or None entries end up like this")
    if arr.dtype.kind == "b":
        raise TypeError(f"{name} must be a numeric array, got booleans (dtype=bool)")
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype={arr.dtype}")
    if arr.dtype == np.float32 or arr.dtype == np.float16:
        arr = arr.astype(np.float32, copy=False)
    else:
        arr = arr.astype(np.float64, copy=False)
    if not allow_nonfinite and arr.size and not np.isfinite(arr).all():
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} non-finite value(s) (NaN or infinity); "
                         "cnnlearn refuses them rather than return a silently meaningless result")
    return arr


def check_ndim(arr, name, ndims, meaning):
    """Raise unless ``arr.ndim`` is one of ``ndims``; ``meaning`` describes the expected layout."""
    if arr.ndim not in ndims:
        raise ValueError(f"{name} must have shape {meaning}, got {arr.ndim}-D array of shape {arr.shape}")


def as_int(v, name, *, minimum):
    """Return ``v`` as a Python int >= ``minimum``; bools and floats are refused."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {v!r} ({type(v).__name__})")
    v = int(v)
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {v}")
    return v


def as_pair(v, name, *, minimum):
    """Return ``v`` (an int or a pair of ints) as a tuple ``(vh, vw)``, each >= ``minimum``."""
    if isinstance(v, (tuple, list, np.ndarray)):
        if len(v) != 2:
            raise ValueError(f"{name} must be an int or a pair (int, int), got {tuple(v)!r} of length {len(v)}")
        return (as_int(v[0], f"{name}[0]", minimum=minimum), as_int(v[1], f"{name}[1]", minimum=minimum))
    v = as_int(v, name, minimum=minimum)
    return (v, v)


def as_shape(shape, name, ndims):
    """Return ``shape`` as a tuple of positive ints of one of the lengths in ``ndims``."""
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"{name} must be a tuple of ints, got {shape!r}") from None
    if len(shape) not in ndims:
        lengths = " or ".join(str(n) for n in ndims)
        raise ValueError(f"{name} must have {lengths} entries, got {shape!r}")
    return tuple(as_int(s, f"{name}[{k}]", minimum=1) for k, s in enumerate(shape))


def as_matrix(a, name, meaning):
    """``a`` as a new, non-empty float array of shape (rows, cols); ``meaning`` names the shape, e.g. "(H, W)"."""
    a = as_float_array(a, name)
    check_ndim(a, name, (2,), meaning)
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    return a.copy()
