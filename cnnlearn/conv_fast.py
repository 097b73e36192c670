r"""The tuned convolution kernels behind :func:`cnnlearn.conv2d` and :func:`cnnlearn.conv2d_backward`.

These take arrays the public functions have already checked (4-D NCHW, one dtype) and do the work with an
im2col column buffer and matrix products, chunked and threaded as the notes below say. Their naive twins,
which read like the notebooks' equations, are :func:`cnnlearn.conv2d_naive` and
:func:`cnnlearn.conv2d_backward_naive` in :mod:`cnnlearn.conv`; the tests hold the two equal.
:func:`im2col_into` and :func:`col2im_into` are also the kernels of :mod:`cnnlearn.im2col` (notebook 10).
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np


def pad(x, ph, pw):
    """``x`` of shape (N, C, H, W) with ``ph`` zero rows and ``pw`` zero columns on each side (no copy when 0)."""
    if ph == 0 and pw == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


# How the kernels use the machine:
# - It goes through the batch in chunks of examples whose column buffer holds about
#   _CHUNK_BYTES, so that the buffer, the padded input and the dx being accumulated
#   stay in the cache between the copies and the matrix products.
# - Its matrix products are per example and, if need be, split by output columns so
#   that each has M*N*K <= _SERIAL_MNK: OpenBLAS then runs it on the calling thread
#   (it threads a GEMM only above 4 * 65536). Larger products wake OpenBLAS's thread
#   pool, whose workers compete for the cores with the calling thread; on a busy
#   2-core machine that made a forward + backward about 18x slower (docs/performance.md).
# - Large batches (a column buffer of _THREAD_BYTES or more in all) are split in two
#   halves, one per thread (_WORKERS), each done in chunks of about _THREAD_CHUNK_BYTES.
#   numpy releases the GIL in its copies and products; the larger chunks keep the
#   threads from queueing for the GIL between many small calls. With a core free, this
#   took the 128x3x32x32 case from 32 to 23 ms; for smaller batches two threads were not
#   faster than one (docs/performance.md).
_CHUNK_BYTES = 1 << 20
_SERIAL_MNK = 4 * 65536
_THREAD_BYTES = 8 << 20
_THREAD_CHUNK_BYTES = 4 << 20
_WORKERS = min(2, os.cpu_count() or 1)
_pool = None
_pool_pid = None
_pool_lock = threading.Lock()


def _plan(N, per_example_bytes):
    """Examples per chunk ``nb`` and the ``(n0, n1)`` ranges of the batch, one per thread."""
    per_example_bytes = max(1, per_example_bytes)
    if _WORKERS < 2 or N < 2 or N * per_example_bytes < _THREAD_BYTES:
        return max(1, min(N, _CHUNK_BYTES // per_example_bytes)), [(0, N)]
    k = min(_WORKERS, N)
    bounds = [(i * N) // k for i in range(k + 1)]
    parts = [(bounds[i], bounds[i + 1]) for i in range(k)]
    half = -(-N // k)
    chunks = -(-half // max(1, _THREAD_CHUNK_BYTES // per_example_bytes))
    return -(-half // chunks), parts  # chunks of equal size


def _run_parts(fn, parts):
    """``[fn(n0, n1) for n0, n1 in parts]``, the first part in this thread, the others in the pool."""
    global _pool, _pool_pid
    if len(parts) == 1:
        return [fn(*parts[0])]
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():  # a forked child needs a pool of its own
            _pool, _pool_pid = ThreadPoolExecutor(_WORKERS, thread_name_prefix="cnnlearn-conv"), os.getpid()
        futures = [_pool.submit(fn, *p) for p in parts[1:]]
    return [fn(*parts[0])] + [f.result() for f in futures]


def _pieces(L, rows, inner):
    """Column ranges of a product with ``rows`` rows, ``inner`` inner length and L columns,
    each small enough (M*N*K <= _SERIAL_MNK) for BLAS to run on the calling thread. Where
    that would leave fewer than 32 columns (large layers), the product is not split: it is
    big enough to be worth BLAS's threads, and thin slices would be slow."""
    step = _SERIAL_MNK // max(1, rows * inner)
    if step < 32 or step >= L:
        return [(0, L)]
    return [(l0, min(L, l0 + step)) for l0 in range(0, L, step)]


class _Buffers:
    """Scratch arrays reused from chunk to chunk (the last chunk may be smaller)."""

    def __init__(self, dtype):
        self.dtype, self.flat = dtype, {}

    def get(self, name, shape):
        size = int(np.prod(shape))
        a = self.flat.get(name)
        if a is None or a.size < size:
            a = self.flat[name] = np.empty(size, dtype=self.dtype)
        return a[:size].reshape(shape)

    def padded(self, x, n0, n1, ph, pw):
        """Examples n0:n1 of ``x`` as (m, C, H + 2ph, W + 2pw), zero padded."""
        if ph == 0 and pw == 0:
            return x[n0:n1]
        m, C, H, W = x[n0:n1].shape
        key = ("xp", m)
        if key not in self.flat:  # the border is zeroed once; later chunks only overwrite the inside
            self.flat[key] = np.zeros((m, C, H + 2 * ph, W + 2 * pw), dtype=self.dtype)
        xp = self.flat[key]
        xp[:, :, ph:ph + H, pw:pw + W] = x[n0:n1]
        return xp


def im2col_into(xp, kh, kw, Ho, Wo, geom, cols):
    """Fill the column buffer ``cols`` of shape (m, C, kh, kw, Ho, Wo) from the padded input
    ``xp`` of shape (m, C, Hp, Wp): entry [n, c, ki, kj, oi, oj] is the pixel that filter
    entry (ki, kj) meets in output pixel (oi, oj). Per example, a (C*kh*kw, Ho*Wo) matrix."""
    (sh, sw), _, (dil_h, dil_w) = geom
    for ki in range(kh):
        r0 = ki * dil_h
        for kj in range(kw):
            c0 = kj * dil_w
            cols[:, :, ki, kj] = xp[:, :, r0:r0 + sh * (Ho - 1) + 1:sh, c0:c0 + sw * (Wo - 1) + 1:sw]
    return cols


def _inside(n_out, k, s, d, p, n_in):
    """Outputs ``a:b`` at which filter tap ``k`` lands inside the unpadded input (not in the
    zero border), and the input index ``r`` it lands on at output ``a``."""
    a = max(0, -(-(p - d * k) // s))
    b = min(n_out, (n_in - 1 + p - d * k) // s + 1)
    return a, b, s * a + d * k - p


def col2im_into(dcols, geom, dx):
    """Adjoint of :func:`im2col_into`: scatter-add ``dcols`` of shape (m, C, kh, kw, Ho, Wo)
    onto the zeroed gradient ``dx`` of shape (m, C, H, W). What lands on the zero padding
    is dropped, since the padding is not an input."""
    (sh, sw), (ph, pw), (dil_h, dil_w) = geom
    _, _, kh, kw, Ho, Wo = dcols.shape
    H, W = dx.shape[2:]
    for ki in range(kh):
        a, b, r = _inside(Ho, ki, sh, dil_h, ph, H)
        for kj in range(kw):
            c, d, q = _inside(Wo, kj, sw, dil_w, pw, W)
            if a < b and c < d:
                dx[:, :, r:r + sh * (b - a - 1) + 1:sh, q:q + sw * (d - c - 1) + 1:sw] += dcols[:, :, ki, kj, a:b, c:d]
    return dx


def _columns(buf, x, m0, m1, kh, kw, Ho, Wo, geom, ones):
    """im2col of examples m0:m1 as (m, K, L), K = C*kh*kw, L = Ho*Wo; with ``ones`` a last
    row of ones is appended, (m, K + 1, L), so that one product also applies or sums the bias."""
    m, C = m1 - m0, x.shape[1]
    K, L = C * kh * kw, Ho * Wo
    cols = buf.get("cols", (m, K + ones, L))
    im2col_into(buf.padded(x, m0, m1, geom[1][0], geom[1][1]), kh, kw, Ho, Wo, geom,
            cols[:, :K].reshape(m, C, kh, kw, Ho, Wo))  # splitting axes: a view, not a copy
    if ones:
        cols[:, K] = 1
    return cols


def _forward_chunks(x, wb, y, n0, n1, nb, kh, kw, Ho, Wo, geom):
    """Write y[n0:n1] (y of shape (N, C_out, Ho*Wo)), nb examples at a time. ``wb`` is w as
    (C_out, K), or with the bias as an extra last column, (C_out, K + 1)."""
    C_out, Kb = wb.shape
    L = Ho * Wo
    ones = Kb > x.shape[1] * kh * kw
    buf = _Buffers(x.dtype)
    for m0 in range(n0, n1, nb):
        m1 = min(n1, m0 + nb)
        cols = _columns(buf, x, m0, m1, kh, kw, Ho, Wo, geom, ones)
        for l0, l1 in _pieces(L, C_out, Kb):  # (C_out, K) @ (K, L) per example
            np.matmul(wb, cols[:, :, l0:l1], out=y[m0:m1, :, l0:l1])


def _backward_chunks(dy3, x, w2, dx, n0, n1, nb, kh, kw, Ho, Wo, geom):
    """Write dx[n0:n1], nb examples at a time, and return the sum of [dw | db] over these
    examples, of shape (C_out, K + 1). ``dy3`` is dy as (N, C_out, Ho*Wo), ``w2`` is w as (C_out, K)."""
    C = x.shape[1]
    C_out, K = w2.shape
    L = Ho * Wo
    buf = _Buffers(x.dtype)
    dwb = np.zeros((C_out, K + 1), dtype=x.dtype)
    for m0 in range(n0, n1, nb):
        m1 = min(n1, m0 + nb)
        m = m1 - m0
        cols = _columns(buf, x, m0, m1, kh, kw, Ho, Wo, geom, True)
        dyc = dy3[m0:m1]
        for l0, l1 in _pieces(L, C_out, K + 1):  # [dw | db]: (C_out, L) @ (L, K + 1) per example, summed
            dwb += np.matmul(dyc[:, :, l0:l1], cols[:, :, l0:l1].transpose(0, 2, 1),
                             out=buf.get("dwn", (m, C_out, K + 1))).sum(axis=0)
        dcols = buf.get("dcols", (m, K, L))
        for l0, l1 in _pieces(L, K, C_out):  # dcols: (K, C_out) @ (C_out, L) per example
            np.matmul(w2.T, dyc[:, :, l0:l1], out=dcols[:, :, l0:l1])
        dxc = dx[m0:m1]
        dxc[...] = 0
        col2im_into(dcols.reshape(m, C, kh, kw, Ho, Wo), geom, dxc)
    return dwb


def forward(x, w, b, geom, out_shape):
    """y = x cross-correlated with w (plus b): ``x`` (N, C, H, W), ``w`` (C_out, C, kh, kw), ``b`` (C_out,) or None, of
    one dtype; ``geom`` from :func:`cnnlearn.receptive.geometry`; ``out_shape`` (Ho, Wo). Returns (N, C_out, Ho, Wo)."""
    N, C, H, W = x.shape
    C_out, _, kh, kw = w.shape
    Ho, Wo = out_shape
    K, L = C * kh * kw, Ho * Wo
    y = np.empty((N, C_out, L), dtype=x.dtype)
    wb = w.reshape(C_out, K) if b is None else np.concatenate([w.reshape(C_out, K), b[:, None]], axis=1)
    nb, parts = _plan(N, (K + 1) * L * x.itemsize)
    _run_parts(lambda n0, n1: _forward_chunks(x, wb, y, n0, n1, nb, kh, kw, Ho, Wo, geom), parts)
    return y.reshape(N, C_out, Ho, Wo)


def backward(dy, x, w, geom):
    """(dx, dw, db) for ``dy`` (N, C_out, Ho, Wo), ``x`` (N, C, H, W), ``w`` (C_out, C, kh, kw) of one dtype;
    ``geom`` from :func:`cnnlearn.receptive.geometry`. None of the arguments is modified."""
    N, C, H, W = x.shape
    C_out, _, kh, kw = w.shape
    Ho, Wo = dy.shape[2:]
    K, L = C * kh * kw, Ho * Wo
    dx = np.empty((N, C, H, W), dtype=dy.dtype)
    dy3, w2 = dy.reshape(N, C_out, L), w.reshape(C_out, K)
    nb, parts = _plan(N, (K + 1) * L * x.itemsize)
    sums = _run_parts(lambda n0, n1: _backward_chunks(dy3, x, w2, dx, n0, n1, nb, kh, kw, Ho, Wo, geom), parts)
    dwb = sum(sums[1:], sums[0])
    dw = np.ascontiguousarray(dwb[:, :K]).reshape(w.shape)
    return dx, dw, dwb[:, K].copy()
