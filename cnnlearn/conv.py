r"""2-D convolution (cross-correlation) forward and backward, fast and naive.

Layout is NCHW, as in PyTorch: ``x`` of shape (N, C, H, W), ``w`` of shape
(C_out, C, kh, kw), ``b`` of shape (C_out,), ``y`` and ``dy`` of shape (N, C_out, Ho, Wo).
A plain 2-D ``x`` of shape (H, W) with a 2-D ``w`` of shape (kh, kw) is the
single-channel case the series starts from; then ``y`` is 2-D too.

The fast pair (:func:`conv2d`, :func:`conv2d_backward`) checks its arguments here and
runs the tuned kernels of :mod:`cnnlearn.conv_fast` (an im2col column buffer and matrix
products, chunked and threaded); the naive pair reads like the equations of the notebooks;
:func:`input_gradient_by_full_conv` computes dX the
"other" way, as a full convolution of dY with the 180-degree-rotated filter.
Tests hold all of them equal.
"""

import numpy as np

from . import conv_fast
from .receptive import contributions, geometry, output_size
from .validate import as_float_array, as_shape, check_ndim

_X_LAYOUT = "(N, C, H, W), or (H, W) together with a 2-D w"


# --------------------------------------------------------------------------- checks

def conv_arguments(x, w, b=None, *, stride, padding, dilation, x_name="x"):
    """Check and convert the arguments shared by the convolution functions.

    Returns ``(x4, w4, b1, two_d, geom)`` with x4, w4 4-D float arrays of one
    common dtype and b1 of shape (C_out,) or None.
    """
    geom = geometry(stride, padding, dilation)
    x = as_float_array(x, x_name)
    w = as_float_array(w, "w")
    check_ndim(x, x_name, (2, 4), _X_LAYOUT)
    check_ndim(w, "w", (2, 4), "(C_out, C, kh, kw), or (kh, kw) together with a 2-D x")
    if x.ndim != w.ndim:
        raise ValueError(f"{x_name} and w must both be 2-D (one channel, one filter) or both 4-D (NCHW), "
                         f"got {x_name}.shape={x.shape} and w.shape={w.shape}"
                         + (f"; for one 2-D image use {x_name}[None, None]" if x.ndim == 2 else ""))
    two_d = x.ndim == 2
    if two_d:
        x, w = x[None, None], w[None, None]
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"w has {w.shape[1]} input channel(s) but {x_name} has {x.shape[1]} "
                         f"({x_name}.shape={x.shape}, w.shape={w.shape}); w must be (C_out, C, kh, kw) "
                         f"with C = {x_name}.shape[1]")
    dtype = np.result_type(x, w)
    if b is not None:
        b = as_float_array(b, "b")
        C_out = w.shape[0]
        if two_d and b.ndim == 0:
            b = b.reshape(1)
        if b.shape != (C_out,):
            raise ValueError(f"b must have shape ({C_out},), one bias per filter, got b.shape={b.shape} "
                             f"(w.shape={w.shape})" + (" or a scalar" if two_d else ""))
        dtype = np.result_type(dtype, b)
        b = b.astype(dtype, copy=False)
    try:
        output_size(x.shape[2:], w.shape[2:], stride=stride, padding=padding, dilation=dilation)
    except ValueError as exc:  # say which arrays the sizes came from
        raise ValueError(f"{exc} ({x_name}.shape={x.shape}, w.shape={w.shape})") from None
    return x.astype(dtype, copy=False), w.astype(dtype, copy=False), b, two_d, geom


def upstream_gradient(dy, expected, two_d, dtype):
    """``dy`` checked against the forward output's shape ``expected`` (N, C_out, Ho, Wo) and made 4-D, in a dtype
    that holds both it and ``dtype``."""
    dy = as_float_array(dy, "dy")
    want = expected[2:] if two_d else expected
    if dy.shape != want:
        raise ValueError(f"dy must have the shape of the forward output, {want}, got dy.shape={dy.shape}")
    dy = dy.reshape(expected)
    return dy.astype(np.result_type(dy, dtype), copy=False)


def backward_arguments(dy, x, w, *, stride, padding, dilation):
    """The checked arguments of a backward pass: ``(dy, x, w, two_d, geom)`` with dy, x, w 4-D in one dtype
    (see :func:`conv_arguments` and :func:`upstream_gradient`)."""
    x, w, _, two_d, geom = conv_arguments(x, w, stride=stride, padding=padding, dilation=dilation)
    N, C_out = x.shape[0], w.shape[0]
    Ho, Wo = output_size(x.shape[2:], w.shape[2:], stride=stride, padding=padding, dilation=dilation)
    dy = upstream_gradient(dy, (N, C_out, Ho, Wo), two_d, x.dtype)
    return dy, x.astype(dy.dtype, copy=False), w.astype(dy.dtype, copy=False), two_d, geom


def conv2d(x, w, b=None, *, stride=1, padding=0, dilation=1):
    r"""Cross-correlate ``x`` with the filters ``w``, as deep-learning libraries do.

    Parameters
    ----------
    x : array of shape (N, C, H, W), or (H, W)
        Input batch. A 2-D x (with a 2-D w) is one single-channel image.
    w : array of shape (C_out, C, kh, kw), or (kh, kw)
        Filters.
    b : array of shape (C_out,), optional
        One bias per filter (a scalar in the 2-D case).
    stride, padding, dilation : int or (int, int)
        Step between windows, zeros added on each side, spacing of filter taps.

    Returns
    -------
    y : array of shape (N, C_out, Ho, Wo), or (Ho, Wo) in the 2-D case
        float32 if every input is float32, otherwise float64.

    Notes
    -----
    With :math:`x'` the zero-padded input,

    .. math:: y_{n f i j} = b_f + \sum_{c, k, l} x'_{n, c, s i + d k, s j + d l}\, w_{f c k l}

    and :math:`H_o = \lfloor (H + 2P - d(k_h - 1) - 1) / s \rfloor + 1`.
    Computed as one matrix product per example: the filters as a (C_out, C kh kw)
    matrix times the example's im2col buffer, a (C kh kw, Ho Wo) matrix.
    """
    x, w, b, two_d, geom = conv_arguments(x, w, b, stride=stride, padding=padding, dilation=dilation)
    out_shape = output_size(x.shape[2:], w.shape[2:], stride=stride, padding=padding, dilation=dilation)
    y = conv_fast.forward(x, w, b, geom, out_shape)
    return y[0, 0] if two_d else y


def conv2d_backward(dy, x, w, *, stride=1, padding=0, dilation=1):
    r"""Gradients of a loss with respect to the input, the filters and the bias.

    Parameters
    ----------
    dy : array of shape (N, C_out, Ho, Wo), or (Ho, Wo)
        dL/dy, the upstream gradient; same shape as :func:`conv2d`'s output.
    x : array of shape (N, C, H, W), or (H, W)
        The input of the forward pass.
    w : array of shape (C_out, C, kh, kw), or (kh, kw)
        The filters of the forward pass.
    stride, padding, dilation : int or (int, int)
        As in the forward pass.

    Returns
    -------
    dx : array with the shape of x
    dw : array with the shape of w
    db : array of shape (C_out,), or a float in the 2-D case

    Notes
    -----
    .. math::
        \frac{\partial L}{\partial w_{fckl}} = \sum_{n,i,j} dy_{nfij}\, x'_{n,c,si+dk,sj+dl}
        \qquad
        \frac{\partial L}{\partial b_f} = \sum_{n,i,j} dy_{nfij}

    and dx sums, for every input pixel, ``dy`` times the filter entry over the
    output pixels it feeds (see :func:`cnnlearn.contributions`). With an
    example's im2col buffer as a (C kh kw, Ho Wo) matrix, dw sums dY times its
    transpose over the examples and dx is the col2im scatter of W^T dY. None of
    the arguments is modified.
    """
    dy, x, w, two_d, geom = backward_arguments(dy, x, w, stride=stride, padding=padding, dilation=dilation)
    dx, dw, db = conv_fast.backward(dy, x, w, geom)
    if two_d:
        return dx[0, 0], dw[0, 0], float(db[0])
    return dx, dw, db


# --------------------------------------------------------------------------- naive

def conv2d_naive(x, w, b=None, *, stride=1, padding=0, dilation=1):
    """Loop twin of :func:`conv2d`: one output pixel at a time. Same arguments and result."""
    x, w, b, two_d, geom = conv_arguments(x, w, b, stride=stride, padding=padding, dilation=dilation)
    N, C, H, W = x.shape
    C_out, _, kh, kw = w.shape
    Ho, Wo = output_size((H, W), (kh, kw), stride=stride, padding=padding, dilation=dilation)
    (sh, sw), (ph, pw), (dil_h, dil_w) = geom
    xp = conv_fast.pad(x, ph, pw)
    y = np.zeros((N, C_out, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for f in range(C_out):
            for i in range(Ho):
                for j in range(Wo):
                    # the window this output pixel sees: rows s*i, s*i + d, ..., columns likewise
                    patch = xp[n, :, i * sh:i * sh + dil_h * (kh - 1) + 1:dil_h,
                               j * sw:j * sw + dil_w * (kw - 1) + 1:dil_w]
                    y[n, f, i, j] = np.sum(patch * w[f]) + (b[f] if b is not None else 0)
    return y[0, 0] if two_d else y


def conv2d_backward_naive(dy, x, w, *, stride=1, padding=0, dilation=1):
    """Loop twin of :func:`conv2d_backward`. Same arguments and result.

    dx goes one input pixel at a time and collects the outputs that pixel feeds,
    exactly as :func:`cnnlearn.contributions` lists them; dw goes one filter
    entry at a time and collects the input pixels it met.
    """
    dy, x, w, two_d, geom = backward_arguments(dy, x, w, stride=stride, padding=padding, dilation=dilation)
    N, C, H, W = x.shape
    C_out, _, kh, kw = w.shape
    Ho, Wo = dy.shape[2:]
    (sh, sw), (ph, pw), (dil_h, dil_w) = geom
    feeds = contributions((H, W), (kh, kw), stride=stride, padding=padding, dilation=dilation)

    dx = np.zeros_like(x)
    for (i, j), pairs in feeds.items():
        for (oi, oj), (ki, kj) in pairs:
            # dL/dx[n, c, i, j] += sum_f dy[n, f, oi, oj] * w[f, c, ki, kj]
            dx[:, :, i, j] += dy[:, :, oi, oj] @ w[:, :, ki, kj]

    xp = conv_fast.pad(x, ph, pw)
    dw = np.zeros_like(w)
    for ki in range(kh):
        for kj in range(kw):
            for oi in range(Ho):
                for oj in range(Wo):
                    # dL/dw[f, c, ki, kj] += sum_n dy[n, f, oi, oj] * x'[n, c, s*oi + d*ki, s*oj + d*kj]
                    dw[:, :, ki, kj] += dy[:, :, oi, oj].T @ xp[:, :, oi * sh + ki * dil_h, oj * sw + kj * dil_w]
    db = dy.sum(axis=(0, 2, 3))
    if two_d:
        return dx[0, 0], dw[0, 0], float(db[0])
    return dx, dw, db


# --------------------------------------------------------------------------- the key insight

def rot180(w):
    """Rotate a filter by 180 degrees: flip its last two axes. ``w`` of shape (..., kh, kw)."""
    w = as_float_array(w, "w")
    if w.ndim < 2:
        raise ValueError(f"w must have at least 2 dimensions (..., kh, kw), got shape {w.shape}")
    return w[..., ::-1, ::-1].copy()


def dilate(a, factor, axes=(-2, -1)):
    """Insert ``factor - 1`` zeros between neighbouring entries along the last two axes.

    Used twice by the full-convolution view: on dY for a stride (zero insertion)
    and on the filter for a dilation. ``factor`` is an ``(fh, fw)`` pair.
    """
    fh, fw = factor
    *lead, h, w = a.shape
    out = np.zeros((*lead, (h - 1) * fh + 1, (w - 1) * fw + 1), dtype=a.dtype)
    out[..., ::fh, ::fw] = a
    return out


def input_gradient_by_full_conv(dy, w, *, stride=1, padding=0, dilation=1, input_shape):
    r"""dL/dX as a full convolution of dL/dY with the 180-degree-rotated filter.

    Parameters
    ----------
    dy : array of shape (N, C_out, Ho, Wo), or (Ho, Wo)
    w : array of shape (C_out, C, kh, kw), or (kh, kw)
    stride, padding, dilation : int or (int, int)
        As in the forward pass.
    input_shape : (N, C, H, W), or (H, W)
        Shape of the forward pass's input.

    Returns
    -------
    dx : array of shape ``input_shape``

    Notes
    -----
    Four steps, each a picture in notebook 06:

    1. *stride*: insert ``s - 1`` zeros between the entries of dY;
    2. *dilation*: spread the filter the same way, ``d - 1`` zeros between taps;
    3. *full convolution*: pad dY by ``k - 1`` zeros on every side and slide the
       rotated filter over it, with the channel axes swapped (C_out, C) -> (C, C_out);
    4. *padding*: rows and columns the forward pass never reached get zero
       gradient, and the padding is cropped away.
    """
    shape = as_shape(input_shape, "input_shape", (2, 4))
    w = as_float_array(w, "w")
    dy = as_float_array(dy, "dy")
    check_ndim(w, "w", (2, 4), "(C_out, C, kh, kw), or (kh, kw) for a 2-D input_shape")
    if len(shape) != w.ndim:
        raise ValueError(f"input_shape {shape} and w.shape {w.shape} must both be 2-D or both 4-D")
    two_d = w.ndim == 2
    if two_d:
        w, shape = w[None, None], (1, 1) + shape
    N, C, H, W = shape
    C_out, _, kh, kw = w.shape
    if w.shape[1] != C:
        raise ValueError(f"w has {w.shape[1]} input channel(s) but input_shape has {C} "
                         f"(input_shape={shape}, w.shape={w.shape})")
    (sh, sw), (ph, pw), (dil_h, dil_w) = geometry(stride, padding, dilation)
    Ho, Wo = output_size((H, W), (kh, kw), stride=stride, padding=padding, dilation=dilation)
    try:
        dy = upstream_gradient(dy, (N, C_out, Ho, Wo), two_d, w.dtype)
    except ValueError as exc:
        raise ValueError(f"{exc}; input_shape={shape[2:] if two_d else shape} and w.shape="
                         f"{w.shape[2:] if two_d else w.shape} give that output shape") from None
    w = w.astype(dy.dtype, copy=False)

    dy_up = dilate(dy, (sh, sw))                               # 1. stride -> zero insertion
    w_sp = dilate(w, (dil_h, dil_w))                                # 2. dilation -> spread filter
    KH, KW = w_sp.shape[2:]
    w_flip = rot180(w_sp).transpose(1, 0, 2, 3)                # 3. rotate, swap (C_out, C) -> (C, C_out)
    full = conv2d(dy_up, w_flip, padding=(KH - 1, KW - 1))    #    full convolution
    dxp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=full.dtype)
    dxp[:, :, :full.shape[2], :full.shape[3]] = full           # 4. untouched rows/cols stay 0
    dx = np.ascontiguousarray(dxp[:, :, ph:ph + H, pw:pw + W])  #    crop the padding
    return dx[0, 0] if two_d else dx
