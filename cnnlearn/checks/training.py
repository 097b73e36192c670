"""Checks for the exercises of notebook 07: the backward passes of Linear, ReLU and max pooling.

Max pooling:

The student writes ``max_pool_backward(dy, x, kernel_size, stride)`` for x of
shape (N, C, H, W) and square windows; the check compares it with
:func:`cnnlearn.layers.max_pool2d_backward` on cases that grow harder (side by
side windows, overlapping windows, ties, a batch with channels) and explains the
first pixel that is off. Two slips are recognised by their result on every case, so that
their hint is named only when the answer is that slip: windows placed kernel_size apart
instead of stride apart, and assigning each window's dy (=) instead of adding it (+=). The
hints name pixels by their code index, dx[n, c, i, j] (0-based, as the student's code reads them).

Linear and ReLU: the three gradients of y = x w^T + b (a transposed dx or dw, a mean for db), and
dx = dy where x > 0 (the mask taken from dy, the kink x == 0 let through, x * dy ...).

All three run through :func:`~._runner.run_check`; an answer computed in float32 is judged at float32's
precision.
"""

import numpy as np

from ..layers import max_pool2d, max_pool2d_backward
from ._feedback import NoAnswer, NotNumbers, as_numbers
from ._runner import Case, Slip, first_off, run_check, same

__all__ = ["check_max_pool_backward", "check_linear_backward", "check_relu_backward"]

RTOL, ATOL = 1e-10, 1e-12


def _cases():
    """(description, dy, x, kernel_size, stride); distinct values unless ties are the point."""
    rng = np.random.default_rng(7)
    side = rng.permutation(16).reshape(1, 1, 4, 4).astype(float)
    # 4x4 input, 2x2 windows with stride 1: the 9 is the maximum of all four windows around it
    overlap = np.array([[1., 2., 3., 0.],
                        [4., 9., 5., 1.],
                        [0., 6., 2., 3.],
                        [1., 0., 4., 8.]])[None, None]
    ties = np.array([[5., 5., 0., 1.],
                     [2., 5., 3., 3.],
                     [0., 0., 7., 2.],
                     [1., 1., 2., 7.]])[None, None]
    batch = rng.permutation(2 * 3 * 5 * 5).reshape(2, 3, 5, 5).astype(float) / 10
    cases = [("2x2 windows side by side (stride 2)", side, 2, 2),
             ("overlapping 2x2 windows (stride 1)", overlap, 2, 1),
             ("windows whose maximum appears twice (ties)", ties, 2, 2),
             ("a batch of 2 images with 3 channels, 3x3 windows, stride 2", batch, 3, 2)]
    out = []
    for text, x, k, s in cases:
        dy = np.round(rng.uniform(0.5, 2.0, size=max_pool2d(x, k, s).shape), 2)
        out.append((text, dy, x, k, s))
    return out


def _window_slip(dy, x, k, s, *, step=None, assign=False):
    """max pooling backward with windows ``step`` apart (default s; clipped to the input, empty windows
    skipped) and ``+=``, or ``=`` when ``assign``: the results of two typical slips."""
    step = s if step is None else step
    dx = np.zeros_like(x)
    N, C, Ho, Wo = dy.shape
    for n, c, i, j in np.ndindex(N, C, Ho, Wo):
        win = x[n, c, i * step:i * step + k, j * step:j * step + k]
        if win.size == 0:
            continue
        a, b = np.unravel_index(np.argmax(win), win.shape)
        if assign:
            dx[n, c, i * step + a, j * step + b] = dy[n, c, i, j]
        else:
            dx[n, c, i * step + a, j * step + b] += dy[n, c, i, j]
    return dx


def _explain(pixel, got, want, dy, x, k, s, assigned=False):
    """A sentence about one input pixel: which windows it is the (first) maximum of, what it should get."""
    n, c, i, j = pixel
    Ho, Wo = dy.shape[2:]
    name = f"dx[{n}, {c}, {i}, {j}]"
    first, tied = [], []
    for oi in range(Ho):
        for oj in range(Wo):
            if not (oi * s <= i < oi * s + k and oj * s <= j < oj * s + k):
                continue
            win = x[n, c, oi * s:oi * s + k, oj * s:oj * s + k]
            if x[n, c, i, j] != win.max():
                continue
            fi, fj = np.unravel_index(np.argmax(win), win.shape)
            (first if (oi * s + fi, oj * s + fj) == (i, j) else tied).append((oi, oj))
    g = f"{got:.6g}"
    for oi, oj in first + tied:
        win = x[n, c, oi * s:oi * s + k, oj * s:oj * s + k]
        if np.count_nonzero(win == win.max()) > 1:
            fi, fj = np.unravel_index(np.argmax(win), win.shape)
            return (f"the window of dy[{n}, {c}, {oi}, {oj}] holds its maximum {win.max():g} more than once. Like "
                    "PyTorch, give the "
                    f"whole dy to the first one in row-major order, x[{n}, {c}, {oi * s + fi}, {oj * s + fj}], "
                    f"and nothing to the others: {name} should be {want:.6g}, your answer has {g} "
                    "(np.argmax returns the first maximum)")
    if not first:
        return (f"x[{n}, {c}, {i}, {j}] = {x[n, c, i, j]:g} is not the maximum of any window, so {name} should be 0; "
                f"your answer has {g}. Max pooling sends each dy only to its window's maximum")
    terms = " + ".join(f"dy[{n}, {c}, {oi}, {oj}]" for oi, oj in first)
    if len(first) > 1:
        why = (f"x[{n}, {c}, {i}, {j}] = {x[n, c, i, j]:g} is the maximum of {len(first)} overlapping windows, "
               f"so {name} = {terms} = {want:.6g}; your answer has {g}")
        if assigned:
            return why + (". Add each window's dy (+=) instead of assigning it (=), so that no window's "
                          "gradient is lost")
        return why + ": every window it is the maximum of sends it its dy"
    oi, oj = first[0]
    return (f"x[{n}, {c}, {i}, {j}] = {x[n, c, i, j]:g} is the maximum of the window of dy[{n}, {c}, {oi}, {oj}], "
            f"so {name} should be dy[{n}, {c}, {oi}, {oj}] = {want:.6g}; your answer has {g}")


def check_max_pool_backward(max_pool_backward):
    """Check ``max_pool_backward(dy, x, kernel_size, stride) -> dx`` against cnnlearn's max pooling backward.

    Passes when dx matches to a relative tolerance of 1e-10 on every case and
    neither dy nor x is changed.
    """
    cases = [Case(text, (dy, x, k, s), max_pool2d_backward(dy, x, k, s), dy=dy, x=x, k=k, s=s)
             for text, dy, x, k, s in _cases()]

    def pixel_hint(c, got, assigned=False):
        pixel = first_off(got, c.right, RTOL, ATOL)
        return _explain(pixel, float(got[pixel]), float(c.right[pixel]), c.dy, c.x, c.k, c.s, assigned)
    slips = [
        Slip(lambda c, got: f"your windows are kernel_size = {c.k} apart, but they move by the stride, {c.s}. The "
             "window of dy[n, c, i, j] starts at row i * stride, column j * stride of x, so with stride < "
             "kernel_size neighbouring windows overlap", lambda c: _window_slip(c.dy, c.x, c.k, c.s, step=c.k)),
        Slip(lambda c, got: pixel_hint(c, got, assigned=True),
             lambda c: _window_slip(c.dy, c.x, c.k, c.s, assign=True)),
    ]
    return run_check(max_pool_backward, cases, name="max_pool_backward", names=("dy", "x", "kernel_size", "stride"),
                     what="max_pool_backward's result", sizes="`N, C, Ho, Wo = dy.shape`", rtol=RTOL, atol=ATOL,
                     slips=slips, say="on {label} (indices as in your code, from 0): {text}",
                     blame=lambda c, passed: "Where do your windows start? The window of dy[n, c, i, j] starts at "
                     "row i * stride, column j * stride of x (not i * kernel_size): with stride < kernel_size the "
                     "windows overlap" if c.k != c.s else None,
                     explain=lambda c, got: f"on {c.label} (indices as in your code, from 0): {pixel_hint(c, got)}",
                     changed="a backward pass must leave its inputs alone: build dx with np.zeros_like(x) and write "
                             "only into dx",
                     right="every dy reaches the maximum of its window, overlapping windows add up, and ties go "
                           "to the first maximum, as in PyTorch")


# --------------------------------------------------------------------------- Linear and ReLU backward

def _linear_cases():
    """(description, dy, x, w): a square weight first (so transposed slips keep their shapes and are recognised by
    their values), then a rectangular one with a batch of 5."""
    rng = np.random.default_rng(11)
    out = []
    for text, N, fin, fout in (("a batch of 3 with a square weight, in = out = 4", 3, 4, 4),
                               ("a batch of 5, in = 6 features, out = 3", 5, 6, 3)):
        x = np.round(rng.normal(size=(N, fin)), 2)
        w = np.round(rng.normal(size=(fout, fin)), 2)
        dy = np.round(rng.normal(size=(N, fout)), 2)
        out.append((text, dy, x, w))
    return out


def _linear_shape_hint(which, got, dy, x, w):
    """A sentence about a gradient of the wrong shape, naming the usual slip when the shape gives it away."""
    N, fin = x.shape
    fout = w.shape[0]
    shape = tuple(np.shape(got))
    if which == "dw":
        if shape == (fin, fout):
            return (f"dw has shape {shape}, the transpose of w's shape {w.shape}: dW = dY^T X, that is dy.T @ x, "
                    "of shape (out, in) like w (x.T @ dy is its transpose)")
        if shape == (N, N):
            return (f"dw has shape {shape}, (N, N): that is dy @ x.T, a product over the features instead of "
                    f"the batch. dW = dY^T X, dy.T @ x, has the shape of w, {w.shape}")
        return f"dw has shape {shape}, but it needs the shape of w, {w.shape}: dW = dY^T X, that is dy.T @ x"
    if which == "dx":
        return (f"dx has shape {shape}, but it needs the shape of x, {x.shape}: dX = dY W, that is dy @ w "
                "(not dy @ w.T)")
    if shape in ((), (1,)):
        return (f"db is one number, but it needs one entry per output, shape {(fout,)}: sum dy over the batch "
                "axis only, dy.sum(axis=0)")
    if shape == (N,):
        return (f"db has shape {shape}, one entry per example: you summed over the outputs (axis 1). Sum over "
                f"the batch instead, dy.sum(axis=0), shape {(fout,)}")
    return f"db has shape {shape}, but it needs the shape of b, {(fout,)}: db = dy.sum(axis=0)"


def _read_linear(case, raw, name):
    """The three gradients as arrays, or the AnswerError that says what came back instead."""
    if not isinstance(raw, (tuple, list)) or len(raw) != 3:
        length = f" of length {len(raw)}" if isinstance(raw, (tuple, list)) else ""
        raise NotNumbers(f"{name} must return three arrays, dx, dw, db (in that order: return dx, dw, db); "
                         f"got {type(raw).__name__}{length}")
    for which, value in zip(("dx", "dw", "db"), raw):
        if value is None:
            raise NoAnswer(f"{name} returned None for {which}: compute it and return dx, dw, db")
    return tuple(as_numbers(value, f"{name}'s {which}") for which, value in zip(("dx", "dw", "db"), raw))


def check_linear_backward(linear_backward):
    """Check ``linear_backward(dy, x, w) -> (dx, dw, db)`` for y = x w^T + b, against the formulas of
    :class:`cnnlearn.layers.Linear`: dx = dy w, dw = dy^T x, db = the sum of dy over the batch.

    x has shape (N, in), w (out, in), dy (N, out). Passes when all three match to a relative tolerance
    of 1e-10 on every case and none of the arguments is changed.
    """
    cases = [Case(text, (dy, x, w), (dy @ w, dy.T @ x, dy.sum(axis=0)), dy=dy, x=x, w=w)
             for text, dy, x, w in _linear_cases()]
    slips = [
        Slip("dx equals dy @ w.T; the forward is y = x w^T + b, so dX = dY W, dy @ w (with a square w the shapes "
             "cannot tell the two apart)", lambda c: (c.dy @ c.w.T, None, None)),
        Slip("dw equals x.T @ dy, the transpose of dW = dY^T X: dw[o, i] is the sum over the batch of "
             "dy[n, o] * x[n, i], that is dy.T @ x", lambda c: (None, c.x.T @ c.dy, None)),
        Slip("db is the mean of dy over the batch; it is the sum, dy.sum(axis=0): the 1/N of the mean loss is "
             "already inside dy", lambda c: (None, None, c.dy.mean(axis=0))),
    ]

    def shape_hint(c, got):
        which = next(k for k, (g, r) in enumerate(zip(got, c.right)) if g.shape != r.shape)
        return f"on {c.label}: " + _linear_shape_hint(("dx", "dw", "db")[which], got[which], c.dy, c.x, c.w)

    def value_hint(c, got):
        k = next(k for k, (g, r) in enumerate(zip(got, c.right)) if not same(g, r, RTOL, ATOL))
        idx = first_off(got[k], c.right[k], RTOL, ATOL)
        which, formula = (("dx", "dX = dY W"), ("dw", "dW = dY^T X"), ("db", "db = sum over n of dy[n]"))[k]
        return (f"on {c.label} (indices from 0, as in your code): {which}[{', '.join(map(str, idx))}] should be "
                f"{c.right[k][idx]:.6g}, your answer has {got[k][idx]:.6g}. Use {formula}")
    return run_check(linear_backward, cases, name="linear_backward", names=("dy", "x", "w"), read=_read_linear,
                     what="linear_backward's result", sizes="`N, fin = x.shape`", rtol=RTOL, atol=ATOL,
                     slips=slips, say="on {label}: {text}", screen=shape_hint, explain=value_hint,
                     changed="a backward pass must leave its inputs alone: build new arrays",
                     right="dX = dY W, dW = dY^T X and db = the sum of dY over the batch, with the shapes of x, w "
                           "and b")


def _relu_cases():
    """(description, dy, x): x holds positive, negative and exactly-zero entries; dy has both signs."""
    rng = np.random.default_rng(12)
    out = []
    for text, shape in (("a 3x4 array", (3, 4)), ("a batch of shape (2, 3, 4, 4)", (2, 3, 4, 4))):
        x = rng.choice([-1.5, -0.5, 0.0, 0.25, 2.0], size=shape)
        dy = np.round(rng.uniform(-2, 2, size=shape), 2)
        dy[dy == 0] = 0.5
        out.append((text, dy, x))
    return out


def check_relu_backward(relu_backward):
    """Check ``relu_backward(dy, x) -> dx`` for y = max(x, 0): dx = dy where x > 0, else 0 (0 at x == 0, as
    PyTorch). Passes when dx matches exactly on every case (a float32 answer within its own rounding) and
    neither dy nor x is changed."""
    cases = [Case(text, (dy, x), np.where(x > 0, dy, 0.0), dy=dy, x=x) for text, dy, x in _relu_cases()]
    slips = [
        Slip("you kept dy where dy > 0; the mask comes from the forward's input: keep dy where x > 0, whatever the "
             "sign of dy", lambda c: np.where(c.dy > 0, c.dy, 0.0)),
        Slip("you pass dy where x == 0 too; at the kink x == 0 the gradient is taken as 0 (as PyTorch does): keep "
             "dy only where x > 0", lambda c: np.where(c.x >= 0, c.dy, 0.0)),
        Slip("you returned x * dy; the derivative of max(x, 0) is 1 where x > 0 and 0 elsewhere, not x: dx = dy "
             "where x > 0, else 0", lambda c: c.x * c.dy),
        Slip("you returned relu(x) * dy; the derivative of max(x, 0) is 1 where x > 0, not x: dx = dy where "
             "x > 0, else 0", lambda c: np.where(c.x > 0, c.x, 0.0) * c.dy),
        Slip("you returned the mask x > 0 itself; multiply it by dy (chain rule): dx = dy * (x > 0)",
             lambda c: (c.x > 0).astype(float)),
    ]

    def value_hint(c, got):
        idx = first_off(got, c.right, 0, 0)
        where = ", ".join(map(str, idx))
        return (f"on {c.label} (indices from 0, as in your code): x[{where}] = {c.x[idx]:g} and dy[{where}] = "
                f"{c.dy[idx]:g}, so dx[{where}] should be {c.right[idx]:g}; your answer has {got[idx]:g}. "
                "dx = dy where x > 0, else 0")
    return run_check(relu_backward, cases, name="relu_backward", names=("dy", "x"), what="relu_backward's result",
                     sizes="`x.shape`", rtol=0, atol=0, slips=slips, say="on {label}: {text}", explain=value_hint,
                     changed="a backward pass must leave its inputs alone: return a new array, e.g. "
                             "np.where(x > 0, dy, 0.0)",
                     right="dx = dy where x > 0 and 0 elsewhere, the kink x == 0 included, as in PyTorch")
