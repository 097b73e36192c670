r"""Bundled data: the 8x8 handwritten digits, read from a file inside the package.

Nothing is downloaded: the 1,797 images ship with cnnlearn (45 kB,
``cnnlearn/data/digits.npz``; licence and provenance in ``cnnlearn/data/README.md``).
"""

from importlib import resources
from typing import NamedTuple

import numpy as np

__all__ = ["Digits", "load_digits"]

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
