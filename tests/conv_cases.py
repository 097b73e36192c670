"""Hypothesis strategies for convolution tests: random geometry (non-square too) and random arrays.

stride, padding and dilation are drawn as an int or an (int, int) pair, so both spellings of the API
are exercised; the input is always at least as large as the dilated filter minus the padding.
"""

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st


def pair(v):
    """An int or a pair, as a pair."""
    return (v, v) if isinstance(v, int) else tuple(v)


def out_len(n, k, s, p, d):
    """Output length along one axis, by counting window positions (independent of the package's formula)."""
    span = d * (k - 1) + 1
    return len(range(0, n + 2 * p - span + 1, s))


@dataclass
class Geometry:
    H: int
    W: int
    kh: int
    kw: int
    kwargs: dict  # stride, padding, dilation as drawn (int or pair)

    @property
    def out_shape(self):
        (sh, sw), (ph, pw), (dil_h, dil_w) = (pair(self.kwargs[k]) for k in ("stride", "padding", "dilation"))
        return out_len(self.H, self.kh, sh, ph, dil_h), out_len(self.W, self.kw, sw, pw, dil_w)


def _int_or_pair(lo, hi):
    one = st.integers(lo, hi)
    return st.one_of(one, st.tuples(one, one))


@st.composite
def geometries(draw, max_kernel=4, max_stride=3, max_padding=2, max_dilation=3, max_extra=5):
    """A valid convolution geometry."""
    kwargs = dict(stride=draw(_int_or_pair(1, max_stride)),
                  padding=draw(_int_or_pair(0, max_padding)),
                  dilation=draw(_int_or_pair(1, max_dilation)))
    (ph, pw), (dil_h, dil_w) = pair(kwargs["padding"]), pair(kwargs["dilation"])
    kh, kw = draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel))
    min_h = max(1, dil_h * (kh - 1) + 1 - 2 * ph)
    min_w = max(1, dil_w * (kw - 1) + 1 - 2 * pw)
    H = draw(st.integers(min_h, min_h + max_extra))
    W = draw(st.integers(min_w, min_w + max_extra))
    return Geometry(H, W, kh, kw, kwargs)


@dataclass
class ConvCase:
    x: np.ndarray   # (N, C, H, W)
    w: np.ndarray   # (F, C, kh, kw)
    b: np.ndarray   # (F,)
    dy: np.ndarray  # (N, F, Ho, Wo)
    geom: Geometry

    @property
    def kwargs(self):
        return self.geom.kwargs


@st.composite
def conv_cases(draw, max_batch=3, max_channels=3, max_filters=3, **geometry_limits):
    """Random float64 x, w, b, dy for a random geometry, batch, channel and filter count."""
    g = draw(geometries(**geometry_limits))
    N = draw(st.integers(1, max_batch))
    C = draw(st.integers(1, max_channels))
    F = draw(st.integers(1, max_filters))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    Ho, Wo = g.out_shape
    return ConvCase(x=rng.standard_normal((N, C, g.H, g.W)), w=rng.standard_normal((F, C, g.kh, g.kw)),
                    b=rng.standard_normal(F), dy=rng.standard_normal((N, F, Ho, Wo)), geom=g)
