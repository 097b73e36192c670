"""Checks for the exercises of notebook 07: the backward passes of Linear, ReLU and max pooling.

Max pooling:

The student writes ``max_pool_backward(dy, x, kernel_size, stride)`` for x of
shape (N, C, H, W) and square windows; the check compares it with
:func:`cnnlearn.layers.max_pool2d_backward` on cases that grow harder (side by
side windows, overlapping windows, ties, a batch with channels) and explains the
first pixel that is off. Two slips are recognised by their whole result, so that their
hint is named only when the answer is that slip: windows placed kernel_size apart instead
of stride apart, and assigning each window's dy (=) instead of adding it (+=). The hints
name pixels by their code index, dx[n, c, i, j] (0-based, as the student's code reads them).
"""

import numpy as np

from ..layers import max_pool2d, max_pool2d_backward
from ._feedback import AnswerError, as_answer_array, call_answer, correct, hint

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
    name = "max_pool_backward"
    passed = []
    try:
        for text, dy, x, k, s in _cases():
            want = max_pool2d_backward(dy, x, k, s)
            dy_in, x_in = dy.copy(), x.copy()
            try:
                raw = call_answer(max_pool_backward, dy_in, x_in, k, s, name=name)
            except AnswerError as err:
                if k != s and passed and "not written yet" not in str(err):
                    said = str(err).split(". Read the message")[0]
                    return hint(f"{name} works on {passed[0]} but fails on {text}: {said}. Where do your windows "
                                "start? The window of dy[n, c, i, j] starts at row i * stride, column j * stride "
                                "of x (not i * kernel_size): with stride < kernel_size the windows overlap")
                raise
            got = as_answer_array(raw, x.shape, name=name)
            if not (np.array_equal(dy_in, dy) and np.array_equal(x_in, x)):
                changed = "dy" if not np.array_equal(dy_in, dy) else "x"
                return hint(f"{name} changed its argument {changed}; a backward pass must leave its inputs "
                            "alone: build dx with np.zeros_like(x) and write only into dx")
            bad = ~np.isclose(got, want, rtol=RTOL, atol=ATOL)
            if bad.any():
                kernel_step = _window_slip(dy, x, k, s, step=k)
                if not np.allclose(kernel_step, want) and np.allclose(got, kernel_step, rtol=RTOL, atol=ATOL):
                    return hint(f"on {text}: your windows are kernel_size = {k} apart, but they move by the stride, "
                                f"{s}. The window of dy[n, c, i, j] starts at row i * stride, column j * stride of "
                                "x, so with stride < kernel_size neighbouring windows overlap")
                assigned = _window_slip(dy, x, k, s, assign=True)
                assigned = not np.allclose(assigned, want) and np.allclose(got, assigned, rtol=RTOL, atol=ATOL)
                pixel = tuple(int(v) for v in np.argwhere(bad)[0])
                return hint(f"on {text} (indices as in your code, from 0): " + _explain(pixel, float(got[pixel]), float(want[pixel]), dy, x, k, s,
                                                      assigned))
            passed.append(text)
    except AnswerError as err:
        return hint(str(err))
    return correct("every dy reaches the maximum of its window, overlapping windows add up, and ties go "
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


def check_linear_backward(linear_backward):
    """Check ``linear_backward(dy, x, w) -> (dx, dw, db)`` for y = x w^T + b, against the formulas of
    :class:`cnnlearn.layers.Linear`: dx = dy w, dw = dy^T x, db = the sum of dy over the batch.

    x has shape (N, in), w (out, in), dy (N, out). Passes when all three match to a relative tolerance
    of 1e-10 on every case and none of the arguments is changed.
    """
    name = "linear_backward"
    try:
        for text, dy, x, w in _linear_cases():
            want = {"dx": dy @ w, "dw": dy.T @ x, "db": dy.sum(axis=0)}
            dy_in, x_in, w_in = dy.copy(), x.copy(), w.copy()
            raw = call_answer(linear_backward, dy_in, x_in, w_in, name=name)
            if not isinstance(raw, (tuple, list)) or len(raw) != 3:
                return hint(f"{name} must return three arrays, dx, dw, db (in that order: return dx, dw, db); "
                            f"got {type(raw).__name__}" + (f" of length {len(raw)}" if isinstance(raw, (tuple, list))
                                                           else ""))
            for arg, before, after in (("dy", dy, dy_in), ("x", x, x_in), ("w", w, w_in)):
                if not np.array_equal(before, after):
                    return hint(f"{name} changed its argument {arg}; a backward pass must leave its inputs alone")
            got = {}
            for which, value in zip(("dx", "dw", "db"), raw):
                if value is None:
                    return hint(f"{name} returned None for {which}: compute it and return dx, dw, db")
                if np.shape(value) != want[which].shape:
                    return hint(f"on {text}: " + _linear_shape_hint(which, value, dy, x, w))
                got[which] = as_answer_array(value, want[which].shape, name=f"{name}'s {which}")
            slips = {
                "dx": ((lambda: dy @ w.T, "dx equals dy @ w.T; the forward is y = x w^T + b, so dX = dY W, dy @ w "
                        "(with a square w the shapes cannot tell the two apart)"),),
                "dw": ((lambda: x.T @ dy, "dw equals x.T @ dy, the transpose of dW = dY^T X: dw[o, i] is the sum over "
                        "the batch of dy[n, o] * x[n, i], that is dy.T @ x"),),
                "db": ((lambda: dy.mean(axis=0), "db is the mean of dy over the batch; it is the sum, dy.sum(axis=0): "
                        "the 1/N of the mean loss is already inside dy"),),
            }
            for which in ("dx", "dw", "db"):
                if np.allclose(got[which], want[which], rtol=RTOL, atol=ATOL):
                    continue
                for slip, say in slips[which]:
                    try:
                        value = slip()
                    except ValueError:  # the slip's shapes do not even multiply on this case
                        continue
                    if value.shape == got[which].shape and np.allclose(got[which], value, rtol=RTOL, atol=ATOL):
                        return hint(f"on {text}: {say}")
                idx = tuple(int(v) for v in np.argwhere(~np.isclose(got[which], want[which], rtol=RTOL,
                                                                     atol=ATOL))[0])
                formula = {"dx": "dX = dY W", "dw": "dW = dY^T X", "db": "db = sum over n of dy[n]"}[which]
                return hint(f"on {text} (indices from 0, as in your code): {which}[{', '.join(map(str, idx))}] "
                            f"should be {want[which][idx]:.6g}, your answer has {got[which][idx]:.6g}. "
                            f"Use {formula}")
    except AnswerError as err:
        return hint(str(err))
    return correct("dX = dY W, dW = dY^T X and db = the sum of dY over the batch, with the shapes of x, w and b")


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
    PyTorch). Passes when dx matches exactly on every case and neither dy nor x is changed."""
    name = "relu_backward"
    try:
        for text, dy, x in _relu_cases():
            want = np.where(x > 0, dy, 0.0)
            dy_in, x_in = dy.copy(), x.copy()
            raw = call_answer(relu_backward, dy_in, x_in, name=name)
            if not (np.array_equal(dy_in, dy) and np.array_equal(x_in, x)):
                changed = "dy" if not np.array_equal(dy_in, dy) else "x"
                return hint(f"{name} changed its argument {changed}; a backward pass must leave its inputs alone: "
                            "return a new array, e.g. np.where(x > 0, dy, 0.0)")
            got = as_answer_array(raw, x.shape, name=name)
            if np.array_equal(got, want):
                continue
            slips = (
                (np.where(dy > 0, dy, 0.0), "you kept dy where dy > 0; the mask comes from the forward's input: "
                 "keep dy where x > 0, whatever the sign of dy"),
                (np.where(x >= 0, dy, 0.0), "you pass dy where x == 0 too; at the kink x == 0 the gradient is "
                 "taken as 0 (as PyTorch does): keep dy only where x > 0"),
                (x * dy, "you returned x * dy; the derivative of max(x, 0) is 1 where x > 0 and 0 elsewhere, not x: "
                 "dx = dy where x > 0, else 0"),
                (np.where(x > 0, x, 0.0) * dy, "you returned relu(x) * dy; the derivative of max(x, 0) is 1 where "
                 "x > 0, not x: dx = dy where x > 0, else 0"),
                ((x > 0).astype(float), "you returned the mask x > 0 itself; multiply it by dy (chain rule): "
                 "dx = dy * (x > 0)"),
            )
            for value, say in slips:
                if np.array_equal(got, value):
                    return hint(f"on {text}: {say}")
            idx = tuple(int(v) for v in np.argwhere(got != want)[0])
            where = ", ".join(map(str, idx))
            return hint(f"on {text} (indices from 0, as in your code): x[{where}] = {x[idx]:g} and "
                        f"dy[{where}] = {dy[idx]:g}, so dx[{where}] should be {want[idx]:g}; your answer has "
                        f"{got[idx]:g}. dx = dy where x > 0, else 0")
    except AnswerError as err:
        return hint(str(err))
    return correct("dx = dy where x > 0 and 0 elsewhere, the kink x == 0 included, as in PyTorch")
