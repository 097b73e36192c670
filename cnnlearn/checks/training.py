"""Checks for the exercises of notebook 07: the backward passes of Linear, ReLU and max pooling, and the capstone.

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

The capstone (:func:`check_capstone`): the network trained with the student's four backward functions, these three
and notebook 06's ``conv_backward``. It says what to finish first while one of them does not pass its check, and
whether they are fast enough to train with: one training step is timed and extrapolated to the recipe's steps.
"""

import numpy as np

from ..digits_net import BACKWARD_KINDS, steps_per_run, time_step
from ..layers import max_pool2d, max_pool2d_backward
from ._feedback import correct, hint
from ._runner import Case, Slip, first_off, quiet, read_gradients, run_check, same
from .layer import check_conv_backward

__all__ = ["check_max_pool_backward", "check_linear_backward", "check_relu_backward", "check_capstone"]

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
    return run_check(linear_backward, cases, name="linear_backward", names=("dy", "x", "w"), read=read_gradients,
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


# --------------------------------------------------------------------------- the capstone

#: The capstone's four functions, in the order of the exercises: the key of ``digits_net.build_network``'s
#: ``backward``, the exercise's function, where it is, its check, and what to do when it is the slow one.
CAPSTONE = (
    ("linear", "linear_backward", "exercise 1", check_linear_backward,
     "numpy's matrix product does it in one line per gradient (dy @ w, dy.T @ x, dy.sum(axis=0))"),
    ("relu", "relu_backward", "exercise 2", check_relu_backward,
     "np.where(x > 0, dy, 0.0) does the whole array at once"),
    ("pool", "max_pool_backward", "exercise 3", check_max_pool_backward,
     "loop only over the Ho x Wo window positions and handle the batch and channel axes at once: reshape each "
     "window to (N, C, kernel_size * kernel_size) and take its argmax over the last axis"),
    ("conv", "conv_backward", "exercise 4, your function of notebook 06", check_conv_backward,
     "loop only over the kh x kw filter entries: for each, the padded input's strided slice it met holds every "
     "example, channel and output position at once (np.tensordot or np.einsum sums over them)"),
)
MAX_SECONDS = 120  # two minutes: longer than that, a student is better off making the slow function fast first


def _duration(seconds):
    """``4.3 ms``, ``12 ms``, ``3.9 s``, ``4.2 min``, ``1.5 h``: a time as a person reads it."""
    units = (("ms", 1e-3, 1), ("s", 1, 90), ("min", 60, 5400), ("h", 3600, None))
    unit, size, _ = next(u for u in units if u[2] is None or seconds < u[2])
    value = seconds / size
    return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"


class _RaisedInTheNetwork(Exception):
    def __init__(self, name, args, exc):
        super().__init__(name)
        self.name, self.exc = name, exc
        self.shapes = ", ".join(f"{a.shape}" if isinstance(a, np.ndarray) else repr(a) for a in args)


def _reporting(name, fn):
    """``fn``, raising :class:`_RaisedInTheNetwork` (which names it) when it fails inside the network."""
    def call(*args):
        try:
            return fn(*args)
        except Exception as exc:
            raise _RaisedInTheNetwork(name, args, exc) from exc
    call.__name__ = name
    return call


def check_capstone(backward, *, max_seconds=MAX_SECONDS):
    """Whether the digits network can train with the student's backward functions ``backward``, a dict with the
    keys of ``digits_net.BACKWARD_KINDS`` ("conv", "relu", "pool", "linear"), as ``digits_net.build_network``
    takes it.

    Each function must pass its own check first (the hint of the first that does not is the answer, a stub's
    "not written yet" included). Then one training step with them is timed (``digits_net.time_step``) and
    extrapolated to the recipe's ``digits_net.steps_per_run()`` steps: above ``max_seconds`` the answer says how
    long training would take, which function takes the time and how to make it fast; otherwise it confirms, with
    the estimate.
    """
    if not isinstance(backward, dict) or set(backward) != set(BACKWARD_KINDS):
        return hint("pass a dict with your four backward functions, {'conv': conv_backward, 'relu': relu_backward, "
                    "'pool': max_pool_backward, 'linear': linear_backward}, got "
                    + (f"the keys {sorted(backward)}" if isinstance(backward, dict) else type(backward).__name__))
    for kind, name, where, check, _ in CAPSTONE:
        feedback = check(backward[kind])
        if not feedback:
            return hint(f"finish {name} first ({where}): {feedback.message}")
    try:
        with quiet():
            times = time_step({kind: _reporting(name, backward[kind]) for kind, name, *_ in CAPSTONE})
    except _RaisedInTheNetwork as err:
        return hint(f"your {err.name} passes its check but raised {type(err.exc).__name__} in the network, called "
                    f"with arguments of shapes {err.shapes}: {err.exc}")
    except ValueError as exc:  # a layer refused what a function returned; the message names the function
        return hint(f"your functions pass their checks, but in the network: {exc}")
    steps = steps_per_run()
    step, estimate = times["step"], times["step"] * steps
    kind, name, _, _, advice = max(CAPSTONE, key=lambda entry: times[entry[0]])
    if estimate > max_seconds:
        return hint(f"your four functions pass their checks, but they are too slow to train with here: one training "
                    f"step took {_duration(step)}, so the recipe's {steps} steps would take about "
                    f"{_duration(estimate)}. {_duration(times[kind])} of each step is spent inside your {name}: "
                    f"loops over every pixel in Python are slow; {advice}. Then run its check and this cell again "
                    f"(or pass max_seconds={int(estimate) + 1} to train anyway)")
    return correct(f"your four backward functions pass their checks, and one training step with them took "
                   f"{_duration(step)}, so the recipe's {steps} steps take about {_duration(estimate)}: run the next "
                   "cell to train the network with them")
