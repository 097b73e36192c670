r"""The full-convolution picture of dL/dX (notebooks 04, 06): dL/dY spread by the stride and bordered by zeros,
the filter spread by the dilation and rotated by 180 degrees, and which products of each window meet a real
dL/dy through a real tap. The animation (:class:`cnnlearn.widgets.FullConvAnimation`) and the static figure
(:func:`cnnlearn.viz.plot_full_conv`) both draw it.
"""

import numpy as np

from .conv import dilate, rot180
from .receptive import geometry, output_size
from .validate import as_matrix, as_shape


class FullConvPlan:
    r"""The full-convolution picture of dL/dX, shared by :class:`FullConvAnimation` and ``viz.plot_full_conv``.

    Parameters
    ----------
    dy : array of shape (Ho, Wo)
    w : array of shape (kh, kw)
    stride, padding, dilation : int or (int, int)
    input_shape : (H, W), optional
        The forward input's size; by default the smallest one that gives ``dy``'s shape.

    Attributes
    ----------
    canvas : array of shape (H + 2P + KH - 1, W + 2P + KW - 1)
        dL/dY with ``s - 1`` zeros inserted between entries (stride), placed ``KH - 1`` rows
        and ``KW - 1`` columns in: the zero border makes the convolution "full".
    real : dict
        Canvas cell -> the dL/dY index it holds; every other canvas cell is an added zero.
    rot : array of shape (KH, KW)
        The filter spread by the dilation (``d - 1`` zeros between taps), rotated by 180 degrees.
    gaps : set
        Cells of ``rot`` that are dilation gaps.

    Notes
    -----
    dL/dx[i, j] is the sum of ``canvas[i + p : i + p + KH, j + p : j + p + KW] * rot``;
    the products that meet a real dL/dy through a real tap are exactly the terms of
    :func:`cnnlearn.input_gradient_equation` for that pixel.
    """

    def __init__(self, dy, w, *, stride=1, padding=0, dilation=1, input_shape=None):
        self.dy = as_matrix(dy, "dy", "(Ho, Wo)")
        self.w = as_matrix(w, "w", "(kh, kw)")
        (sh, sw), (ph, pw), (dil_h, dil_w) = geometry(stride, padding, dilation)
        self.geo = dict(stride=(sh, sw), padding=(ph, pw), dilation=(dil_h, dil_w))
        (Ho, Wo), (kh, kw) = self.dy.shape, self.w.shape
        self.rot = rot180(dilate(self.w, (dil_h, dil_w)))
        KH, KW = self.rot.shape
        if input_shape is None:
            input_shape = ((Ho - 1) * sh + KH - 2 * ph, (Wo - 1) * sw + KW - 2 * pw)
            if min(input_shape) < 1:
                raise ValueError(f"padding {(ph, pw)} is too large for dy of shape {self.dy.shape} and this "
                                 "filter; pass input_shape")
        self.input_shape = H, W = as_shape(input_shape, "input_shape", (2,))
        got = output_size((H, W), (kh, kw), **self.geo)
        if got != (Ho, Wo):
            raise ValueError(f"dy has shape {(Ho, Wo)}, but an input of shape {(H, W)} gives an output of "
                             f"shape {got} with this filter and geometry")
        self.canvas = np.zeros((H + 2 * ph + KH - 1, W + 2 * pw + KW - 1))
        self.real = {}
        for oi, oj in np.ndindex(Ho, Wo):
            rc = (KH - 1 + oi * sh, KW - 1 + oj * sw)
            self.canvas[rc] = self.dy[oi, oj]
            self.real[rc] = (oi, oj)
        self.gaps = {(r, c) for r in range(KH) for c in range(KW) if (KH - 1 - r) % dil_h or (KW - 1 - c) % dil_w}

    def window(self, i, j):
        """Canvas cells under the rotated filter for dL/dX pixel ``(i, j)``, row by row."""
        r0, c0 = i + self.geo["padding"][0], j + self.geo["padding"][1]
        KH, KW = self.rot.shape
        return [(r0 + a, c0 + b) for a in range(KH) for b in range(KW)]

    def hits(self, i, j):
        """Cells of ``rot`` whose product meets a real dL/dy for pixel ``(i, j)``: the equation's terms."""
        r0, c0 = i + self.geo["padding"][0], j + self.geo["padding"][1]
        KH, KW = self.rot.shape
        return [(a, b) for a in range(KH) for b in range(KW)
                if (r0 + a, c0 + b) in self.real and (a, b) not in self.gaps]

    def pixel(self, i, j):
        """dL/dx[i, j] as the window sum."""
        r0, c0 = i + self.geo["padding"][0], j + self.geo["padding"][1]
        KH, KW = self.rot.shape
        return float(np.sum(self.canvas[r0:r0 + KH, c0:c0 + KW] * self.rot))

    def dx_after(self, k):
        """dL/dX with the pixels of steps 0..k (row by row) filled in, NaN elsewhere."""
        H, W = self.input_shape
        out = np.full((H, W), np.nan)
        for n in range(k + 1):
            out[divmod(n, W)] = self.pixel(*divmod(n, W))
        return out
