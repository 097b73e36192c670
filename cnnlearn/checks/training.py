"""Check for the exercise of notebook 07: the backward pass of max pooling.

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

__all__ = ["check_max_pool_backward"]

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
