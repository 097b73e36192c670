r"""Softmax and categorical cross-entropy, the step from the map Y to a single loss.

Notation (as in the series): N examples, K classes, logits z_nk, probabilities p_nk;
the true class of example n is t_n, and T is the one-hot label matrix (N, K) with
T_nk = 1 if k = t_n. The label is never called y (y is an output pixel).
"""

import numpy as np

from .validate import as_float_array, as_int, check_ndim


def softmax(z, axis=-1):
    r"""Numerically stable softmax along ``axis``.

    Parameters
    ----------
    z : array of any shape
        Scores (logits).
    axis : int
        The axis that holds the classes.

    Returns
    -------
    p : array of the shape of z, non-negative, summing to 1 along ``axis``

    Notes
    -----
    .. math:: p_k = \frac{e^{z_k - m}}{\sum_j e^{z_j - m}}, \qquad m = \max_j z_j

    Subtracting the maximum changes nothing mathematically and keeps every
    exponent <= 0, so nothing overflows even for scores like 1e4.
    """
    z = as_float_array(z, "z")
    if z.ndim == 0:
        raise ValueError("z must have at least one axis of class scores, got a scalar")
    axis = as_int(axis, "axis", minimum=-z.ndim)
    if axis >= z.ndim:
        raise ValueError(f"axis must be in [-{z.ndim}, {z.ndim - 1}] for z of shape {z.shape}, got {axis}")
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _logits_and_targets(logits, labels):
    """Check the pair and return logits (N, K), one-hot/probability targets (N, K), and
    whether the caller gave a single example (1-D logits)."""
    z = as_float_array(logits, "logits")
    check_ndim(z, "logits", (1, 2), "(N, K): N examples, K class scores (or (K,) for one example)")
    single = z.ndim == 1
    if single:
        z = z[None]
    N, K = z.shape
    if N == 0 or K == 0:
        raise ValueError(f"logits must hold at least one example and one class, got shape {z.shape}")
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"labels must be integer classes or probability rows, got a string {labels!r}")
    try:
        t = np.asarray(labels)
    except ValueError:  # ragged nested lists
        raise ValueError(f"labels must be classes of shape ({N},) or rows of shape ({N}, {K}); "
                         "got ragged rows of different lengths") from None
    if t.dtype == object or t.dtype.kind not in "biuf":
        raise TypeError(f"labels must be integer classes or probability rows, got dtype={t.dtype}")
    if t.dtype.kind == "b":
        raise TypeError("labels must be integer classes or probability rows, got booleans")
    if single and t.ndim in (0, 1) and (t.ndim == 0 or t.shape == (K,) and t.dtype.kind == "f"):
        t = t[None]
    if t.ndim == 1:
        if t.shape != (N,):
            raise ValueError(f"labels must have one class per example, shape ({N},), got shape {t.shape}")
        if t.dtype.kind == "f":
            if not np.isfinite(t).all() or np.any(t != np.round(t)):
                raise ValueError(f"labels given as one class per example must be whole numbers, got {t}")
        if np.any(t < 0) or np.any(t >= K):
            bad = t[(t < 0) | (t >= K)]
            raise ValueError(f"labels must be class indices in 0..{K - 1} (logits have K={K} columns), "
                             f"got {bad.tolist()}")
        onehot = np.zeros((N, K), dtype=z.dtype)
        onehot[np.arange(N), t.astype(np.intp)] = 1
        return z, onehot, single
    if t.ndim == 2:
        if t.shape != (N, K):
            raise ValueError(f"labels given as rows must match logits: shape ({N}, {K}), got {t.shape}")
        t = as_float_array(t, "labels")
        if np.any(t < 0) or not np.allclose(t.sum(axis=1), 1, atol=1e-6):
            sums = np.round(t.sum(axis=1), 6).tolist()
            raise ValueError("labels given as rows must be one-hot or probability rows "
                             f"(non-negative, each summing to 1); row sums are {sums}")
        return z, t.astype(z.dtype, copy=False), single  # dz keeps the dtype of the logits
    raise ValueError(f"labels must be classes of shape ({N},) or rows of shape ({N}, {K}), got shape {t.shape}")


def cross_entropy(logits, labels):
    r"""Categorical cross-entropy of softmax(logits), averaged over the examples.

    Parameters
    ----------
    logits : array of shape (N, K), or (K,) for one example
        Class scores.
    labels : array of shape (N,) of integer classes t_n (0-based), or (N, K) of rows T
        (one-hot, T_nk = 1 if k = t_n, or probability rows)

    Returns
    -------
    float
        :math:`L = -\frac{1}{N} \sum_n \sum_k T_{nk} \log p_{nk} = -\frac{1}{N} \sum_n \log p_{n, t_n}`.

    Notes
    -----
    Computed with log-sum-exp, :math:`-\log p_{nk} = \operatorname{lse}(z_n) - z_{nk}`,
    never by taking the log of a probability, so logits of +-1e4 give the exact
    finite loss.
    """
    z, T, _ = _logits_and_targets(logits, labels)
    m = z.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return float(np.sum(T * (lse - z)) / z.shape[0])


def cross_entropy_backward(logits, labels):
    r"""dL/dlogits for :func:`cross_entropy`.

    Parameters
    ----------
    logits : array of shape (N, K), or (K,)
    labels : array of shape (N,) of classes t_n, or (N, K) of rows T

    Returns
    -------
    dz : array of the shape of logits, dL/dz = (p - T)/N

    Notes
    -----
    .. math:: \frac{\partial L}{\partial z_{nk}} = \frac{p_{nk} - T_{nk}}{N}
    """
    z, T, single = _logits_and_targets(logits, labels)
    dz = (softmax(z, axis=1) - T) / z.shape[0]
    return dz[0] if single else dz
