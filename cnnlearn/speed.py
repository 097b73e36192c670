"""How fast: the forward convolution three ways on one layer, timed side by side (notebook 10).

The loops (:func:`cnnlearn.conv2d_naive`), the plain matrix form (:func:`cnnlearn.im2col.conv2d_im2col`) and
:func:`cnnlearn.conv2d` are timed in rounds, each round timing every contender once, so that noise from other work
on the machine falls on all of them alike. Medians are printed, never asserted; ``benchmarks/`` holds the longer
measurements.
"""

import statistics
import time

import numpy as np

from .conv import conv2d, conv2d_naive
from .im2col import conv2d_im2col
from .validate import as_int


def compare_speed(x, w, *, padding=0, repeat=5):
    """Median seconds of the forward convolution three ways, on one layer, and the speed-ups over the loops.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    w : array of shape (C_out, C, kh, kw)
    padding : int or (int, int)
    repeat : int
        Rounds; each round times every contender once, so that noise from other work falls on all alike.

    Returns
    -------
    dict
        ``loops``: :func:`cnnlearn.conv2d_naive`, one output pixel at a time; ``im2col``:
        :func:`conv2d_im2col`, the columns of the whole batch and one matrix product per example;
        ``conv2d``: :func:`cnnlearn.conv2d`, the same product a few examples at a time with reused
        buffers (seconds, medians over the rounds). ``speedup``: ``{"im2col": loops / im2col,
        "conv2d": loops / conv2d}``. The three results are checked equal first (a guard against
        timing a wrong answer).
    """
    repeat = as_int(repeat, "repeat", minimum=1)
    fns = {"loops": conv2d_naive, "im2col": conv2d_im2col, "conv2d": conv2d}
    ref = conv2d_naive(x, w, padding=padding)
    for name in ("im2col", "conv2d"):
        if not np.allclose(fns[name](x, w, padding=padding), ref):
            raise AssertionError(f"{name} differs from the loops (conv2d_naive) on this layer")
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn(x, w, padding=padding)
            times[name].append(time.perf_counter() - t0)
    out = {name: statistics.median(v) for name, v in times.items()}
    out["speedup"] = {name: out["loops"] / out[name] for name in ("im2col", "conv2d")}
    return out
