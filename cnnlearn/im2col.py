r"""im2col: a convolution as one matrix product, the way deep-learning libraries compute it.

Every window the filter visits is copied into one column of a matrix, the *columns*
``cols`` of shape (C*kh*kw, Ho*Wo) per example. Row ``c*kh*kw + ki*kw + kj`` holds
what filter entry (c, ki, kj) meets; column ``oi*Wo + oj`` is the window of output
pixel (oi, oj) (row by row, as Y is flattened). vec(A) reads A row by row into a
column, and the *filter matrix* F_mat, of shape (C_out, C*kh*kw), holds filter f as
its row f, vec(F_f)^T (``w.reshape(C_out, -1)``; for one filter it is the row
vec(F)^T). Per example, with Y_mat of shape (C_out, Ho*Wo) holding vec(Y_f)^T in row f:

- forward: Y_mat = F_mat cols, (C_out, C*kh*kw) @ (C*kh*kw, Ho*Wo), plus the bias;
- filter gradient: dL/dF_mat = dY_mat cols^T, (C_out, Ho*Wo) @ (Ho*Wo, C*kh*kw), summed
  over the examples;
- input gradient: dX = col2im(dcols) with dcols = F_mat^T dY_mat,
  (C*kh*kw, C_out) @ (C_out, Ho*Wo). F_mat^T is the transposed filter *matrix*: its
  column f is the whole filter f, never the transposed filter F^T. :func:`col2im` is
  the adjoint of :func:`im2col`: it sends every column entry back to the pixel it was
  copied from and ADDS, since a pixel sits in as many columns as there are windows over it.

The fast kernels are the ones :func:`cnnlearn.conv2d` uses (:func:`cnnlearn.conv_fast.im2col_into`,
:func:`cnnlearn.conv_fast.col2im_into`); this module gives them a checked public face and a loop twin each,
measures what the columns cost in memory (:func:`column_memory`, :func:`network_column_memory`)
while the equations of notebook 10 live in :mod:`cnnlearn.equations` (:func:`~cnnlearn.equations.column_equation`,
:func:`~cnnlearn.equations.col2im_equation`, :func:`~cnnlearn.equations.im2col_equation`), its figure in
:mod:`cnnlearn.viz` (:func:`~cnnlearn.viz.plot_im2col`) and its timing in :mod:`cnnlearn.speed`.
"""

import numpy as np

from .conv import conv_arguments, upstream_gradient
from .conv_fast import col2im_into, im2col_into, pad
from .layers import Conv2D
from .receptive import geometry, output_size
from .validate import as_float_array, as_int, as_shape

__all__ = ["im2col", "im2col_naive", "col2im", "col2im_naive", "conv2d_im2col", "conv2d_im2col_backward",
           "pixel_counts", "im2col_sources", "column_memory", "network_column_memory"]


def _input(x, kh, kw, stride, padding, dilation):
    """x as a 4-D float array, whether it was 2-D, and (Ho, Wo), all checked."""
    kh, kw = as_int(kh, "kh", minimum=1), as_int(kw, "kw", minimum=1)
    x = as_float_array(x, "x")
    if x.ndim not in (2, 4):
        raise ValueError(f"x must have shape (N, C, H, W), or (H, W) for one single-channel image, "
                         f"got {x.ndim}-D array of shape {x.shape}")
    two_d = x.ndim == 2
    x4 = x[None, None] if two_d else x
    geom = geometry(stride, padding, dilation)
    try:
        Ho, Wo = output_size(x4.shape[2:], (kh, kw), stride=stride, padding=padding, dilation=dilation)
    except ValueError as exc:
        raise ValueError(f"{exc} (x.shape={x.shape}, kh={kh}, kw={kw})") from None
    return x4, two_d, kh, kw, Ho, Wo, geom


def im2col(x, kh, kw, stride=1, padding=0, dilation=1):
    r"""The columns of ``x``: every window a (kh, kw) filter visits, as one column.

    Parameters
    ----------
    x : array of shape (N, C, H, W), or (H, W)
    kh, kw : int
        Filter size.
    stride, padding, dilation : int or (int, int)

    Returns
    -------
    cols : array of shape (N, C*kh*kw, Ho*Wo), or (kh*kw, Ho*Wo) for a 2-D x

    Notes
    -----
    .. math:: \mathrm{cols}_{n,\, c k_h k_w + k k_w + l,\; i W_o + j} = x'_{n, c, s i + d k, s j + d l}

    with :math:`x'` the zero-padded input (0-based indices). A new array; x is not modified.
    """
    x4, two_d, kh, kw, Ho, Wo, geom = _input(x, kh, kw, stride, padding, dilation)
    N, C = x4.shape[:2]
    cols = np.empty((N, C, kh, kw, Ho, Wo), dtype=x4.dtype)
    im2col_into(pad(x4, *geom[1]), kh, kw, Ho, Wo, geom, cols)
    cols = cols.reshape(N, C * kh * kw, Ho * Wo)
    return cols[0] if two_d else cols


def im2col_naive(x, kh, kw, stride=1, padding=0, dilation=1):
    """Loop twin of :func:`im2col`: one window at a time, copied into its column. Same arguments and result."""
    x4, two_d, kh, kw, Ho, Wo, geom = _input(x, kh, kw, stride, padding, dilation)
    (sh, sw), (ph, pw), (dil_h, dil_w) = geom
    N, C = x4.shape[:2]
    xp = pad(x4, ph, pw)
    cols = np.zeros((N, C * kh * kw, Ho * Wo), dtype=x4.dtype)
    for i in range(Ho):
        for j in range(Wo):
            patch = xp[:, :, i * sh:i * sh + dil_h * (kh - 1) + 1:dil_h, j * sw:j * sw + dil_w * (kw - 1) + 1:dil_w]
            cols[:, :, i * Wo + j] = patch.reshape(N, C * kh * kw)  # rows in the order c, ki, kj
    return cols[0] if two_d else cols


def _dcols(dcols, x_shape, kh, kw, stride, padding, dilation):
    shape = as_shape(x_shape, "x_shape", (2, 4))
    two_d = len(shape) == 2
    N, C, H, W = (1, 1) + shape if two_d else shape
    kh, kw = as_int(kh, "kh", minimum=1), as_int(kw, "kw", minimum=1)
    geom = geometry(stride, padding, dilation)
    try:
        Ho, Wo = output_size((H, W), (kh, kw), stride=stride, padding=padding, dilation=dilation)
    except ValueError as exc:
        raise ValueError(f"{exc} (x_shape={shape}, kh={kh}, kw={kw})") from None
    dcols = as_float_array(dcols, "dcols")
    want = (C * kh * kw, Ho * Wo) if two_d else (N, C * kh * kw, Ho * Wo)
    if dcols.shape != want:
        raise ValueError(f"dcols must have the shape of im2col's result for x_shape={shape}, "
                         f"(C*kh*kw, Ho*Wo) per example = {want}, got dcols.shape={dcols.shape}")
    return dcols.reshape(N, C * kh * kw, Ho * Wo), two_d, (N, C, H, W), kh, kw, Ho, Wo, geom


def col2im(dcols, x_shape, kh, kw, stride=1, padding=0, dilation=1):
    r"""Adjoint of :func:`im2col`: add every column entry back onto the pixel it came from.

    Parameters
    ----------
    dcols : array of shape (N, C*kh*kw, Ho*Wo), or (kh*kw, Ho*Wo) with a 2-D x_shape
    x_shape : (N, C, H, W) or (H, W)
        Shape of the input that :func:`im2col` was applied to.
    kh, kw, stride, padding, dilation : as for :func:`im2col`

    Returns
    -------
    dx : array of shape x_shape

    Notes
    -----
    .. math:: dx_{n,c,p,q} = \sum_{(k,l,i,j):\; s i + d k - P = p,\; s j + d l - P = q}
              dcols_{n,\, c k_h k_w + k k_w + l,\; i W_o + j}

    A pixel under several windows collects one term per window (``+=``, never ``=``);
    what lands on the zero padding is dropped, since the padding is not part of x.
    """
    d3, two_d, (N, C, H, W), kh, kw, Ho, Wo, geom = _dcols(dcols, x_shape, kh, kw, stride, padding, dilation)
    dx = np.zeros((N, C, H, W), dtype=d3.dtype)
    col2im_into(d3.reshape(N, C, kh, kw, Ho, Wo), geom, dx)
    return dx[0, 0] if two_d else dx


def col2im_naive(dcols, x_shape, kh, kw, stride=1, padding=0, dilation=1):
    """Loop twin of :func:`col2im`: one column at a time, added onto a padded canvas, the padding cropped."""
    d3, two_d, (N, C, H, W), kh, kw, Ho, Wo, geom = _dcols(dcols, x_shape, kh, kw, stride, padding, dilation)
    (sh, sw), (ph, pw), (dil_h, dil_w) = geom
    dxp = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=d3.dtype)
    for i in range(Ho):
        for j in range(Wo):
            # += : neighbouring windows overlap, and each one adds its share
            dxp[:, :, i * sh:i * sh + dil_h * (kh - 1) + 1:dil_h, j * sw:j * sw + dil_w * (kw - 1) + 1:dil_w] += \
                d3[:, :, i * Wo + j].reshape(N, C, kh, kw)
    dx = dxp[:, :, ph:ph + H, pw:pw + W]
    return dx[0, 0] if two_d else np.ascontiguousarray(dx)


def pixel_counts(x_shape, kh, kw, stride=1, padding=0, dilation=1):
    """How many columns each input pixel appears in: col2im of all ones, an int array of shape x_shape."""
    shape = as_shape(x_shape, "x_shape", (2, 4))
    N, C, H, W = (1, 1) + shape if len(shape) == 2 else shape
    Ho, Wo = output_size((H, W), (kh, kw), stride=stride, padding=padding, dilation=dilation)
    ones = np.ones((N, C * kh * kw, Ho * Wo)) if len(shape) == 4 else np.ones((kh * kw, Ho * Wo))
    return col2im(ones, shape, kh, kw, stride, padding, dilation).astype(int)


def im2col_sources(x_shape, kh, kw, stride=1, padding=0, dilation=1):
    r"""Where every entry of the columns is copied from: :func:`im2col` of the pixel numbers.

    Parameters
    ----------
    x_shape : (H, W)
        Shape of one single-channel image.
    kh, kw, stride, padding, dilation : as for :func:`im2col`

    Returns
    -------
    src : int array of shape (kh*kw, Ho*Wo)
        ``src[r, c]`` is the 0-based flat index ``i*W + j`` of the pixel x[i, j] that entry ``(r, c)``
        of ``im2col(x, kh, kw, ...)`` copies, or -1 where the entry copies the zero padding.

    Notes
    -----
    It is im2col of the numbers 1..H*W (the padding adds 0s), minus 1. Pixel x[i, j] occurs in as
    many entries as :func:`pixel_counts` says, at most once per column.
    """
    H, W = as_shape(x_shape, "x_shape", (2,))
    numbers = np.arange(1, H * W + 1, dtype=float).reshape(H, W)
    return im2col(numbers, kh, kw, stride, padding, dilation).astype(int) - 1


def conv2d_im2col(x, w, b=None, *, stride=1, padding=0, dilation=1):
    r"""Forward convolution as one matrix product per example: Y_mat = F_mat cols (+ b).

    Parameters
    ----------
    x : array of shape (N, C, H, W), or (H, W)
    w : array of shape (C_out, C, kh, kw), or (kh, kw)
    b : array of shape (C_out,), optional
    stride, padding, dilation : int or (int, int)

    Returns
    -------
    y : array of shape (N, C_out, Ho, Wo), or (Ho, Wo); equal to :func:`cnnlearn.conv2d`.
    """
    x4, w4, b1, two_d, _ = conv_arguments(x, w, b, stride=stride, padding=padding, dilation=dilation)
    N = x4.shape[0]
    Co, C, kh, kw = w4.shape
    Ho, Wo = output_size(x4.shape[2:], (kh, kw), stride=stride, padding=padding, dilation=dilation)
    cols = im2col(x4, kh, kw, stride, padding, dilation)          # (N, C*kh*kw, Ho*Wo)
    y = w4.reshape(Co, C * kh * kw) @ cols                         # F_mat cols: (C_out, K) @ (N, K, L) -> (N, C_out, L)
    if b1 is not None:
        y = y + b1[:, None]
    y = y.reshape(N, Co, Ho, Wo)
    return y[0, 0] if two_d else y


def conv2d_im2col_backward(dy, x, w, *, stride=1, padding=0, dilation=1):
    r"""Gradients by matrix products: dL/dF_mat = dY_mat cols^T (summed over n), dX = col2im(F_mat^T dY_mat),
    db = sum of dY.

    Parameters
    ----------
    dy : array of shape (N, C_out, Ho, Wo), or (Ho, Wo)
    x : array of shape (N, C, H, W), or (H, W)
    w : array of shape (C_out, C, kh, kw), or (kh, kw)

    Returns
    -------
    dx, dw, db : shapes of x, w and (C_out,) (a float in the 2-D case); equal to
    :func:`cnnlearn.conv2d_backward`. No argument is modified.
    """
    x4, w4, _, two_d, _ = conv_arguments(x, w, stride=stride, padding=padding, dilation=dilation)
    N, C, H, W = x4.shape
    Co, _, kh, kw = w4.shape
    Ho, Wo = output_size((H, W), (kh, kw), stride=stride, padding=padding, dilation=dilation)
    dy = upstream_gradient(dy, (N, Co, Ho, Wo), two_d, x4.dtype).reshape(N, Co, Ho * Wo)
    cols = im2col(x4, kh, kw, stride, padding, dilation)          # (N, K, L)
    w2 = w4.reshape(Co, C * kh * kw)                               # F_mat: (C_out, K)
    dw = (dy @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w4.shape)  # (N, C_out, L) @ (N, L, K)
    dx = col2im(w2.T @ dy, (N, C, H, W), kh, kw, stride, padding, dilation)  # (K, C_out) @ (N, C_out, L)
    db = dy.sum(axis=(0, 2))
    if two_d:
        return dx[0, 0], dw[0, 0], float(db[0])
    return dx, dw, db


def column_memory(x, kh, kw, stride=1, padding=0, dilation=1):
    r"""What the columns of ``x`` cost in memory, measured on the columns themselves.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    kh, kw, stride, padding, dilation : as for :func:`im2col`

    Returns
    -------
    dict
        ``x_shape`` and ``cols_shape`` (N, C*kh*kw, Ho*Wo); ``x_bytes`` and ``cols_bytes``, the
        ``nbytes`` of x and of ``im2col(x, ...)``; ``ratio`` = cols_bytes / x_bytes.

    Notes
    -----
    Each example's columns hold :math:`C k_h k_w \times H_o W_o` numbers against its
    :math:`C H W` pixels, so

    .. math:: \mathrm{ratio} = \frac{k_h k_w H_o W_o}{H W},

    which is :math:`k_h k_w` for stride 1 with the padding that keeps the size: every pixel is
    copied once per filter entry. :func:`cnnlearn.conv2d` never holds the columns of a whole
    batch: it builds them a few examples at a time.
    """
    x = as_float_array(x, "x")
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got {x.ndim}-D array of shape {x.shape}")
    cols = im2col(x, kh, kw, stride, padding, dilation)
    return {"x_shape": x.shape, "cols_shape": cols.shape, "x_bytes": x.nbytes, "cols_bytes": cols.nbytes,
            "ratio": cols.nbytes / x.nbytes}


def network_column_memory(net, x):
    """:func:`column_memory` of every convolution of ``net`` (a :class:`cnnlearn.layers.Sequential`) on ``x``.

    ``x`` of shape (N, C, H, W) is passed forward through the layers; each :class:`cnnlearn.layers.Conv2D`
    is measured on the input it receives there. Returns a list of dicts, one per convolution, with its
    position in ``net.layers`` as ``layer`` and the keys of :func:`column_memory`.
    """
    a = as_float_array(x, "x")
    rows = []
    for k, layer in enumerate(net.layers):
        if isinstance(layer, Conv2D):
            kh, kw = layer.kernel_size
            rows.append({"layer": k, **column_memory(a, kh, kw, layer.stride, layer.padding, layer.dilation)})
        a = layer.forward(a)
    return rows
