"""The fast convolution's batch machinery: chunks, worker threads, split products.

The fast pair goes through a batch in chunks of examples, shares a large batch between
threads and may split its matrix products by output columns (see the notes above
the notes in cnnlearn/conv_fast.py). The small batches of the other tests fit in one chunk
of one thread, so here the sizes are made tiny to force many chunks, a short last chunk
and uneven halves, and one batch is big enough to be chunked and threaded by default.
"""

import numpy as np
import pytest

import cnnlearn.conv_fast as conv_fast
from cnnlearn import conv2d, conv2d_backward, conv2d_backward_naive, conv2d_naive, rel_error

CONFIGS = [
    # (x shape, w shape, stride, padding, dilation)
    ((7, 2, 9, 8), (3, 2, 3, 3), 1, 1, 1),
    ((7, 3, 11, 10), (4, 3, 3, 2), (2, 1), (0, 2), (1, 2)),
    ((5, 1, 8, 9), (2, 1, 2, 3), 2, 2, 2),
    ((6, 4, 7, 7), (5, 4, 1, 1), 1, 0, 1),
]


def _check(x, w, b, stride, padding, dilation, tol):
    x0, w0, b0 = x.copy(), w.copy(), b.copy()
    y = conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    y_naive = conv2d_naive(x, w, b, stride=stride, padding=padding, dilation=dilation)
    assert y.dtype == x.dtype and y.shape == y_naive.shape
    assert rel_error(y, y_naive) <= tol
    dy = np.random.default_rng(1).standard_normal(y.shape).astype(x.dtype)
    dy0 = dy.copy()
    grads = conv2d_backward(dy, x, w, stride=stride, padding=padding, dilation=dilation)
    grads_naive = conv2d_backward_naive(dy, x, w, stride=stride, padding=padding, dilation=dilation)
    for name, g, g_naive in zip(("dx", "dw", "db"), grads, grads_naive):
        assert g.dtype == x.dtype and g.shape == g_naive.shape, name
        assert rel_error(g, g_naive) <= tol, (name, rel_error(g, g_naive))
    for a, a0 in ((x, x0), (w, w0), (b, b0), (dy, dy0)):
        assert np.array_equal(a, a0), "an argument was modified"


@pytest.mark.parametrize("chunk_bytes", [1, 2000, 30000])
@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("config", CONFIGS)
def test_chunks_and_threads_match_naive(monkeypatch, chunk_bytes, workers, config):
    monkeypatch.setattr(conv_fast, "_CHUNK_BYTES", chunk_bytes)
    monkeypatch.setattr(conv_fast, "_THREAD_CHUNK_BYTES", chunk_bytes)
    monkeypatch.setattr(conv_fast, "_THREAD_BYTES", 0 if workers > 1 else 1 << 40)
    monkeypatch.setattr(conv_fast, "_WORKERS", workers)
    x_shape, w_shape, stride, padding, dilation = config
    rng = np.random.default_rng(sum(x_shape) + chunk_bytes + workers)
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    _check(x, w, b, stride, padding, dilation, 1e-12)


@pytest.mark.parametrize("split", [1, 5, 100])
def test_products_split_by_columns_match_naive(monkeypatch, split):
    # a tiny _SERIAL_MNK forces every product to be cut into thin column slices
    monkeypatch.setattr(conv_fast, "_SERIAL_MNK", split)
    monkeypatch.setattr(conv_fast, "_CHUNK_BYTES", 3000)
    x_shape, w_shape, stride, padding, dilation = CONFIGS[1]
    rng = np.random.default_rng(split)
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    _check(x, w, b, stride, padding, dilation, 1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_batch_chunked_and_threaded_by_default(dtype):
    x_shape, w_shape = (100, 4, 32, 32), (1, 4, 3, 3)  # one filter keeps the naive loops short
    nb, parts = conv_fast._plan(x_shape[0], (4 * 3 * 3 + 1) * 32 * 32 * np.dtype(dtype).itemsize)
    assert nb < x_shape[0] // 2 and len(parts) == min(2, conv_fast._WORKERS)  # really chunked, and threaded
    rng = np.random.default_rng(7)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    _check(x, w, b, 1, 1, 1, 1e-12 if dtype == np.float64 else 1e-4)


def test_empty_batch(monkeypatch):
    monkeypatch.setattr(conv_fast, "_CHUNK_BYTES", 1)
    monkeypatch.setattr(conv_fast, "_THREAD_BYTES", 0)
    x, w = np.ones((0, 2, 5, 5)), np.ones((3, 2, 3, 3))
    y = conv2d(x, w, np.ones(3))
    dx, dw, db = conv2d_backward(np.ones(y.shape), x, w)
    assert y.shape == (0, 3, 3, 3) and dx.shape == x.shape
    assert np.array_equal(dw, np.zeros(w.shape)) and np.array_equal(db, np.zeros(3))
