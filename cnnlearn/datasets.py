r"""Bundled data: the 8x8 handwritten digits, read from a file inside the package, and a shift augmentation.

Nothing is downloaded: the 1,797 images ship with cnnlearn (45 kB,
``cnnlearn/data/digits.npz``; licence and provenance in ``cnnlearn/data/README.md``).
"""

from importlib import resources
from typing import NamedTuple

import numpy as np

from .validate import as_float_array, as_int, check_ndim

__all__ = ["Digits", "load_digits", "random_shift"]

_FILE = "digits.npz"


class Digits(NamedTuple):
    """Train and test split; unpacks as ``x_train, y_train, x_test, y_test``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits(dtype=np.float64):
    r"""The UCI optical-recognition handwritten digits, 8x8 pixels, with a fixed train/test split.

    Parameters
    ----------
    dtype : numpy float dtype
        Of the images; float64 (default) or float32.

    Returns
    -------
    Digits
        ``x_train`` of shape (1438, 1, 8, 8) and ``x_test`` of shape (359, 1, 8, 8),
        NCHW, pixel values scaled from the stored 0..16 ink counts to [0, 1];
        ``y_train`` of shape (1438,) and ``y_test`` of shape (359,), the digits 0..9
        as int64. Fresh arrays on every call.

    Notes
    -----
    The split is stored in the file, not drawn at load time, so it never changes:
    20% of each class (rounded) is held out for testing, chosen once with a seeded
    generator. Each pixel counts the inked pixels of a 4x4 block of a 32x32 bitmap,
    hence 0..16.
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a float dtype such as np.float64 or np.float32, got {dtype}")
    with resources.files("cnnlearn").joinpath("data", _FILE).open("rb") as fh:
        with np.load(fh) as data:
            images, labels, test = data["images"], data["labels"], data["test"]
    x = (images.astype(dtype) / dtype.type(16))[:, None]
    y = labels.astype(np.int64)
    return Digits(x[~test], y[~test], x[test], y[test])


def random_shift(x, rng, max_shift=1):
    r"""Move every image by a random whole number of pixels, up to ``max_shift`` in each direction.

    Data augmentation: a digit moved by a pixel is still the same digit, so training
    on shifted copies teaches the network to care about shapes, not positions.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
        A batch of images; not modified.
    rng : numpy.random.Generator
        Draws the shifts, one (rows, columns) pair per image, each uniform in -max_shift..max_shift.
    max_shift : int
        Largest shift in pixels; 0 returns an unchanged copy.

    Returns
    -------
    array of shape (N, C, H, W)
        Pixels that move in from outside the image are 0 (blank paper).
    """
    x = as_float_array(x, "x")
    check_ndim(x, "x", (4,), "(N, C, H, W)")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}; "
                        "use rng=np.random.default_rng(seed)")
    s = as_int(max_shift, "max_shift", minimum=0)
    N, C, H, W = x.shape
    if s >= min(H, W):
        raise ValueError(f"max_shift must be smaller than the image ({H}x{W}), got {max_shift}")
    padded = np.pad(x, ((0, 0), (0, 0), (s, s), (s, s)))
    offsets = rng.integers(0, 2 * s + 1, size=(N, 2))   # row/column where the crop starts; s means no shift
    out = np.empty_like(x)
    for a in range(2 * s + 1):
        for b in range(2 * s + 1):
            pick = (offsets[:, 0] == a) & (offsets[:, 1] == b)
            out[pick] = padded[pick, :, a:a + H, b:b + W]
    return out
