r"""LaTeX for every per-pixel equation the series shows, generated from the geometry.

Indices passed in are 0-based, as in numpy; the equations use 1-based
subscripts, as textbooks write them (``x_{11}`` is ``x[0, 0]``). When a grid has
more than 9 rows or columns the subscripts get a comma, ``x_{10,3}``.
Pass the arrays and the equation continues with the numbers substituted and the
value: ``y_{11} = x_{11} f_{11} + ... = 1 \cdot 2 + ... = 5``.
The value is shown to 4 significant digits, and every factor with as many digits as it
takes for the shown products, added by hand, to give the shown value
(:func:`shown_products`).

Symbols (the series' notation): ``x`` input X, ``f`` filter F, ``y`` output Y, ``dy`` for
dy_ij = dL/dy_ij. The label of the loss is t (one-hot T), never y.
"""

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import numpy as np

from .im2col import im2col, im2col_sources
from .notation import fmt_number, symbol
from .receptive import check_index, contributions, output_size, shapes, window
from .validate import as_float_array, as_int, as_shape


def _round_sig(d, digits):
    """An exact Decimal rounded to ``digits`` significant digits, half to even (as ``format`` rounds floats)."""
    if d == 0:
        return Decimal(0)
    return d.quantize(Decimal(1).scaleb(d.adjusted() - digits + 1), rounding=ROUND_HALF_EVEN)


MAX_DIGITS = 15  # every decimal of up to 15 significant digits survives a round trip through a float
TOTAL_DIGITS = 4


def shown_products(values, total_digits=TOTAL_DIGITS):
    r"""The factors and the total of a sum of products as an equation shows them, with enough digits
    that adding the shown products by hand gives the shown total.

    The total is shown to ``total_digits`` significant digits (whole numbers without a point). The
    factors get the fewest significant digits ``d`` (at least ``total_digits``, at most 15) such that
    the exact sum of the products of the shown factors, rounded like the total, equals the true total
    rounded like the total. So a student who multiplies and adds the shown factors by hand and rounds
    the result to the digits of the shown total gets the shown total. Factors need more digits than the
    total when the products nearly cancel, e.g. the worked example's dL/df_{11},
    ``0.085369 \cdot 1 + ... + (-0.76794) \cdot 3 = -0.9051``.

    Parameters
    ----------
    values : list of (float, float)
        The factor pairs ``(u, v)`` of the sum ``u_1 v_1 + u_2 v_2 + ...``.
    total_digits : int
        Significant digits of the shown total.

    Returns
    -------
    (list of (str, str), str)
        The shown factor pairs and the shown total.

    Notes
    -----
    Sums are exact (decimal arithmetic on the exact binary values), and rounding is half to even,
    as Python's ``format`` rounds floats. If no ``d`` up to 15 works (a true total within about
    1e-15 of a rounding boundary), the shown total is the hand sum of the 15-digit factors, rounded.
    """
    with localcontext() as ctx:
        ctx.prec = 5000  # enough for every product and sum of doubles to be exact
        exact = sum((Decimal(float(u)) * Decimal(float(v)) for u, v in values), Decimal(0))
        for digits in range(total_digits, MAX_DIGITS + 1):
            shown = [(fmt_number(u, digits), fmt_number(v, digits)) for u, v in values]
            by_hand = sum((Decimal(a) * Decimal(b) for a, b in shown), Decimal(0))
            total = _round_sig(by_hand, total_digits)
            if total == _round_sig(exact, total_digits):
                break
    return shown, fmt_number(float(total), total_digits)


def _factor(s):
    return f"({s})" if s.startswith("-") else s


def _grid(a, name, shape):
    """Check an optional value array against its grid shape and return it (or None)."""
    if a is None:
        return None
    a = as_float_array(a, name)
    if a.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} to match the grid, got {a.shape}")
    return a


def _assemble(lhs, terms, arrays):
    """``lhs = sym + sym ... [= num + num ... = value]``.

    ``terms`` is a list of ``((name_a, idx_a, shape_a), (name_b, idx_b, shape_b))``;
    ``arrays`` maps a name to its value grid, or is empty for the symbolic form.
    """
    if not terms:
        return f"{lhs} = 0"
    sym = " + ".join(f"{symbol(na, *ia, sa)} {symbol(nb, *ib, sb)}" for (na, ia, sa), (nb, ib, sb) in terms)
    if not arrays:
        return f"{lhs} = {sym}"
    shown, total = shown_products([(arrays[na][ia], arrays[nb][ib]) for (na, ia, _), (nb, ib, _) in terms])
    num = " + ".join(f"{_factor(u)} \\cdot {_factor(v)}" for u, v in shown)
    return f"{lhs} = {sym} = {num} = {total}"


def _values(pairs):
    """All given arrays, or none: a half-filled equation would be confusing."""
    given = {k: v for k, v in pairs.items() if v is not None}
    if given and len(given) != len(pairs):
        missing = ", ".join(k for k in pairs if pairs[k] is None)
        raise ValueError(f"to substitute numbers pass all of {', '.join(pairs)}; missing {missing}")
    return given


def forward_equation(oi, oj, input_shape, kernel_shape, *, stride=1, padding=0, dilation=1, x=None, w=None):
    r"""The sum that makes output pixel ``y[oi, oj]``.

    Parameters
    ----------
    oi, oj : int
        0-based output pixel.
    input_shape, kernel_shape, stride, padding, dilation
        The convolution: (H, W), (kh, kw), and as in :func:`cnnlearn.conv2d`.
    x, w : arrays of shape (H, W) and (kh, kw), optional
        Give both to append the numbers and the value.

    Returns
    -------
    str
        LaTeX, e.g. ``y_{11} = x_{11} f_{11} + x_{12} f_{12} + x_{21} f_{21} + x_{22} f_{22}``.
        Taps that land on zero padding are left out (they add 0).
    """
    (H, W), (kh, kw), out_shape, geo = shapes(input_shape, kernel_shape, stride=stride, padding=padding,
                                             dilation=dilation)
    oi, oj = check_index((oi, oj), out_shape, "output pixel")
    arrays = _values({"x": _grid(x, "x", (H, W)), "f": _grid(w, "w", (kh, kw))})
    terms = [(("x", ij, (H, W)), ("f", k, (kh, kw))) for ij, k in window((oi, oj), (H, W), (kh, kw), **geo)]
    return _assemble(symbol("y", oi, oj, out_shape), terms, arrays)


def input_gradient_equation(i, j, input_shape, kernel_shape, *, stride=1, padding=0, dilation=1,
                            dy=None, w=None):
    r"""dL/dx for input pixel ``(i, j)``: one term per output pixel it feeds.

    Parameters
    ----------
    i, j : int
        0-based input pixel.
    input_shape, kernel_shape, stride, padding, dilation
        The convolution: (H, W), (kh, kw), and as in :func:`cnnlearn.conv2d`.
    dy, w : arrays of shape (Ho, Wo) and (kh, kw), optional
        Give both to append the numbers and the value.

    Returns
    -------
    str
        LaTeX, e.g. for the centre of a 3x3 input and a 2x2 filter
        ``\frac{\partial L}{\partial x_{22}} = dy_{11} f_{22} + dy_{12} f_{21} + dy_{21} f_{12} + dy_{22} f_{11}``.
    """
    (H, W), (kh, kw), out_shape, geo = shapes(input_shape, kernel_shape, stride=stride, padding=padding,
                                             dilation=dilation)
    i, j = check_index((i, j), (H, W), "input pixel")
    arrays = _values({"dy": _grid(dy, "dy", out_shape), "f": _grid(w, "w", (kh, kw))})
    pairs = contributions((H, W), (kh, kw), **geo)[(i, j)]
    terms = [(("dy", o, out_shape), ("f", k, (kh, kw))) for o, k in pairs]
    return _assemble(r"\frac{\partial L}{\partial " + symbol("x", i, j, (H, W)) + "}", terms, arrays)


def filter_gradient_equation(ki, kj, input_shape, kernel_shape, *, stride=1, padding=0, dilation=1,
                             dy=None, x=None):
    r"""dL/df for filter entry ``(ki, kj)``: one term per output pixel, times the input pixel it met there.

    Parameters
    ----------
    ki, kj : int
        0-based filter entry.
    input_shape, kernel_shape, stride, padding, dilation
        The convolution: (H, W), (kh, kw), and as in :func:`cnnlearn.conv2d`.
    dy, x : arrays of shape (Ho, Wo) and (H, W), optional
        Give both to append the numbers and the value.

    Returns
    -------
    str
        LaTeX, e.g. ``\frac{\partial L}{\partial f_{11}} = dy_{11} x_{11} + dy_{12} x_{12} + ...``.
        Output pixels where this entry met the zero padding are left out.
    """
    (H, W), (kh, kw), out_shape, geo = shapes(input_shape, kernel_shape, stride=stride, padding=padding,
                                             dilation=dilation)
    ki, kj = check_index((ki, kj), (kh, kw), "filter entry")
    arrays = _values({"dy": _grid(dy, "dy", out_shape), "x": _grid(x, "x", (H, W))})
    terms = [(("dy", o, out_shape), ("x", ij, (H, W)))
             for o in np.ndindex(*out_shape)
             for ij, k in window(o, (H, W), (kh, kw), **geo) if k == (ki, kj)]
    return _assemble(r"\frac{\partial L}{\partial " + symbol("f", ki, kj, (kh, kw)) + "}", terms, arrays)


def update_equation(ki, kj, w, dw, lr):
    r"""One step of gradient descent for filter entry ``(ki, kj)``: the entry moves against its gradient.

    Parameters
    ----------
    ki, kj : int
        0-based filter entry.
    w, dw : arrays of shape (kh, kw)
        The filter F and its gradient dL/dF.
    lr : float > 0
        The learning rate, the size of the step (``lr`` in code, as in notebook 07).

    Returns
    -------
    str
        LaTeX, e.g. for the worked example with lr = 0.1
        ``f'_{11} = f_{11} - \mathrm{lr}\, \frac{\partial L}{\partial f_{11}} = -1.5 - 0.1 \cdot (-0.9051) = -1.409``:
        the symbols, the numbers, the new value. The numbers get the digits of :func:`shown_products`, so
        that the shown subtraction, done by hand, gives the shown value.
    """
    w, dw = as_float_array(w, "w"), as_float_array(dw, "dw")
    if w.ndim != 2 or dw.shape != w.shape:
        raise ValueError(f"w must have shape (kh, kw) and dw the same shape, got {w.shape} and {dw.shape}")
    if isinstance(lr, (bool, np.bool_)) or not np.isscalar(lr) or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a number > 0 (the learning rate), got {lr!r}")
    ki, kj = check_index((ki, kj), w.shape, "filter entry")
    f, f_new = symbol("f", ki, kj, w.shape), symbol("f'", ki, kj, w.shape)
    ((old, _), (minus_lr, grad)), total = shown_products([(w[ki, kj], 1.0), (-float(lr), dw[ki, kj])])
    return (f"{f_new} = {f} - \\mathrm{{lr}}\\, \\frac{{\\partial L}}{{\\partial {f}}} = "
            f"{old} - {minus_lr.removeprefix('-')} \\cdot {_factor(grad)} = {total}")


# --------------------------------------------------------------------------- the Linear layer (notebook 07)

def _linear_shapes(x_shape, w_shape):
    N, J = as_shape(x_shape, "x_shape", (2,))
    K, J_w = as_shape(w_shape, "w_shape", (2,))
    if J != J_w:
        raise ValueError(f"x_shape (N, in_features) = {(N, J)} and w_shape (out_features, in_features) = "
                         f"{(K, J_w)} must have the same in_features")
    return N, J, K


def _linear_index(which, index, N, J, K):
    """``index`` checked as the 0-based index of a weight (i, j), an input (n, j) or a bias i; always a tuple."""
    if which == "b":
        i = as_int(index, "bias index", minimum=0)
        if i >= K:
            raise ValueError(f"bias index {i} is outside the {K} outputs (0-based 0..{K - 1})")
        return (i,)
    if which not in ("w", "x"):
        raise ValueError(f"which must be 'w' (a weight), 'x' (an input) or 'b' (a bias), got {which!r}")
    return check_index(index, (K, J) if which == "w" else (N, J), "weight" if which == "w" else "input")


def linear_feeds(which, index, x_shape, w_shape):
    r"""The outputs of a Linear layer that one of its numbers feeds, each with the number it is multiplied by there.

    The layer computes :math:`y_{ni} = \sum_j x_{nj} w_{ij} + b_i`: output i of example n.

    Parameters
    ----------
    which : {"w", "x", "b"}
        A weight, an input or a bias.
    index : (int, int) or int
        0-based: (i, j) for a weight, (n, j) for an input, i for a bias.
    x_shape, w_shape : (N, in_features), (out_features, in_features)

    Returns
    -------
    list of ((int, int), (int, int) or None)
        ``((n, i), partner)`` per output :math:`y_{ni}` fed, ``partner`` the 0-based index of the number it meets
        there: in x for a weight (:math:`x_{nj}`), in w for an input (:math:`w_{ij}`), None for a bias (its
        factor is 1). A weight feeds output i of every example; an input every output of its own example.
    """
    N, J, K = _linear_shapes(x_shape, w_shape)
    idx = _linear_index(which, index, N, J, K)
    if which == "w":
        i, j = idx
        return [((n, i), (n, j)) for n in range(N)]
    if which == "x":
        n, j = idx
        return [((n, i), (i, j)) for i in range(K)]
    return [((n, idx[0]), None) for n in range(N)]


def linear_gradient_equation(which, index, x_shape, w_shape, *, dy=None, x=None, w=None):
    r"""dL/d(one number of a Linear layer): one term per output it feeds (:func:`linear_feeds`).

    Parameters
    ----------
    which, index, x_shape, w_shape
        As in :func:`linear_feeds`.
    dy : array of shape (N, out_features), optional
        dL/dy; with it, and with x (for a weight) or w (for an input), the numbers and the value follow.
    x : array of shape (N, in_features), optional
    w : array of shape (out_features, in_features), optional

    Returns
    -------
    str
        LaTeX, e.g. for a batch of 2 ``\frac{\partial L}{\partial w_{21}} = dy_{12} x_{11} + dy_{22} x_{21}``,
        ``\frac{\partial L}{\partial x_{13}} = dy_{11} w_{13} + dy_{12} w_{23}`` and
        ``\frac{\partial L}{\partial b_{2}} = dy_{12} + dy_{22}``.
    """
    N, J, K = _linear_shapes(x_shape, w_shape)
    idx = _linear_index(which, index, N, J, K)
    feeds = linear_feeds(which, index, x_shape, w_shape)
    y_shape, x_shape, w_shape = (N, K), (N, J), (K, J)
    if which == "b":
        lhs = rf"\frac{{\partial L}}{{\partial b_{{{idx[0] + 1}}}}}"
        arrays = _values({"dy": _grid(dy, "dy", y_shape)})
        sym = " + ".join(symbol("dy", *o, y_shape) for o, _ in feeds)
        if not arrays:
            return f"{lhs} = {sym}"
        shown, total = shown_products([(arrays["dy"][o], 1.0) for o, _ in feeds])
        return f"{lhs} = {sym} = " + " + ".join(_factor(u) for u, _ in shown) + f" = {total}"
    partner, shape = ("x", x_shape) if which == "w" else ("w", w_shape)
    lhs = rf"\frac{{\partial L}}{{\partial {symbol(which, *idx, w_shape if which == 'w' else x_shape)}}}"
    arrays = _values({"dy": _grid(dy, "dy", y_shape), partner: _grid(x if which == "w" else w, partner, shape)})
    terms = [(("dy", o, y_shape), (partner, q, shape)) for o, q in feeds]
    return _assemble(lhs, terms, arrays)


def linear_forward_equation(n, i, x_shape, w_shape):
    r"""The sum that makes output ``y[n, i]`` of a Linear layer, :math:`y_{ni} = \sum_j x_{nj} w_{ij} + b_i`.

    ``n, i`` 0-based; ``x_shape`` (N, in_features), ``w_shape`` (out_features, in_features). Returns LaTeX, e.g.
    ``y_{12} = x_{11} w_{21} + x_{12} w_{22} + x_{13} w_{23} + b_{2}``.
    """
    N, J, K = _linear_shapes(x_shape, w_shape)
    n, i = check_index((n, i), (N, K), "output")
    terms = " + ".join(f"{symbol('x', n, j, (N, J))} {symbol('w', i, j, (K, J))}" for j in range(J))
    return f"{symbol('y', n, i, (N, K))} = {terms} + b_{{{i + 1}}}"


# --------------------------------------------------------------------------- im2col (notebook 10)

def _im2col_shapes(input_shape, kernel_shape, geo):
    H, W = as_shape(input_shape, "input_shape", (2,))
    kh, kw = as_shape(kernel_shape, "kernel_shape", (2,))
    out = output_size((H, W), (kh, kw), **geo)
    return (H, W), (kh, kw), out, im2col_sources((H, W), kh, kw, **geo)


def column_equation(oi, oj, input_shape, kernel_shape, *, stride=1, padding=0, dilation=1, x=None, w=None):
    r"""LaTeX of output pixel ``y[oi, oj]`` as the filter row times its column of im2col.

    Parameters
    ----------
    oi, oj : int
        0-based output pixel; its column is ``oi*Wo + oj`` (1-based ``oi*Wo + oj + 1`` in the equation).
    input_shape : (H, W)
    kernel_shape : (kh, kw)
    stride, padding, dilation : int or (int, int)
    x : array of shape (H, W), optional
    w : array of shape (kh, kw), optional
        Give both to append the numbers and the value.

    Returns
    -------
    str
        e.g. ``y_{21} = \mathrm{vec}(F)^\top\, \mathrm{cols}_{:,3} = [f_{11} ... f_{22}] [x_{21} ... x_{32}]^\top``
        (bmatrix rows; the column is written as a transposed row, to stay one line high), then the same
        with numbers and the value. An entry copied from the zero padding shows as 0. The factors get the
        digits of :func:`cnnlearn.equations.shown_products`.
    """
    geo = dict(stride=stride, padding=padding, dilation=dilation)
    (H, W), (kh, kw), (Ho, Wo), src = _im2col_shapes(input_shape, kernel_shape, geo)
    oi, oj = check_index((oi, oj), (Ho, Wo), "output pixel")
    if (x is None) != (w is None):
        raise ValueError("to substitute numbers pass both x and w; missing " + ("x" if x is None else "w"))
    c = oi * Wo + oj
    taps = list(np.ndindex(kh, kw))
    pixels = [None if k < 0 else divmod(int(k), W) for k in src[:, c]]
    row = [symbol("f", *k, (kh, kw)) for k in taps]
    col = ["0" if ij is None else symbol("x", *ij, (H, W)) for ij in pixels]
    lhs = (f"{symbol('y', oi, oj, (Ho, Wo))} = \\mathrm{{vec}}(F)^\\top\\, \\mathrm{{cols}}_{{:,{c + 1}}} = "
           + _bmatrix_of([row]) + _bmatrix_of([col]) + "^\\top")
    if x is None:
        return lhs
    x, w = as_float_array(x, "x"), as_float_array(w, "w")
    if x.shape != (H, W) or w.shape != (kh, kw):
        raise ValueError(f"x and w must have shapes {(H, W)} and {(kh, kw)} to match the grids, "
                         f"got {x.shape} and {w.shape}")
    shown, total = shown_products([(w[k], 0.0 if ij is None else x[ij]) for k, ij in zip(taps, pixels)])
    return (f"{lhs} = " + _bmatrix_of([[u for u, _ in shown]]) + _bmatrix_of([[v for _, v in shown]])
            + f"^\\top = {total}")


def col2im_equation(i, j, input_shape, kernel_shape, *, stride=1, padding=0, dilation=1):
    r"""LaTeX of what col2im gives pixel ``x[i, j]``: the sum of dcols over every copy of the pixel.

    Parameters
    ----------
    i, j : int
        0-based input pixel.
    input_shape : (H, W)
    kernel_shape : (kh, kw)
    stride, padding, dilation : int or (int, int)

    Returns
    -------
    str
        e.g. for the centre of a 3x3 input and a 2x2 filter
        ``\frac{\partial L}{\partial x_{22}} = \mathrm{dcols}_{4,1} + \mathrm{dcols}_{3,2} + \mathrm{dcols}_{2,3}
        + \mathrm{dcols}_{1,4} = dy_{11} f_{22} + dy_{12} f_{21} + dy_{21} f_{12} + dy_{22} f_{11}``: one
        term per copy (row, column, 1-based), ordered by column, then each ``dcols`` entry as the dy of its
        column times the filter entry of its row (the sum of :func:`cnnlearn.input_gradient_equation`);
        ``= 0`` for a pixel that no window reads.
    """
    geo = dict(stride=stride, padding=padding, dilation=dilation)
    (H, W), (kh, kw), (Ho, Wo), src = _im2col_shapes(input_shape, kernel_shape, geo)
    i, j = check_index((i, j), (H, W), "input pixel")
    lhs = f"\\frac{{\\partial L}}{{\\partial {symbol('x', i, j, (H, W))}}}"
    cols, rows = np.nonzero(src.T == i * W + j)  # column by column
    if not len(rows):
        return f"{lhs} = 0"
    entries = " + ".join(f"\\mathrm{{dcols}}_{{{r + 1},{c + 1}}}" for r, c in zip(rows, cols))
    # dcols = vec(F)^T vec(dL/dY): entry (r, c) is the filter entry of row r times dy of column c
    products = " + ".join(f"{symbol('dy', *divmod(int(c), Wo), (Ho, Wo))} {symbol('f', *divmod(int(r), kw), (kh, kw))}"
                          for r, c in zip(rows, cols))
    return f"{lhs} = {entries} = {products}"


def _bmatrix_of(rows):
    """A bmatrix of entries already written as LaTeX, given row by row."""
    return r"\begin{bmatrix}" + r" \\ ".join(" & ".join(r) for r in rows) + r"\end{bmatrix}"


def _bmatrix(a):
    """A bmatrix of the numbers ``a`` (1-D: one row)."""
    return _bmatrix_of([[fmt_number(v) for v in row] for row in np.atleast_2d(a)])


def im2col_equation(x, w):
    r"""LaTeX of the single-channel forward as one product: (row of F) times cols = Y flattened.

    x : array of shape (H, W); w : array of shape (kh, kw). Returns a str like
    ``\mathrm{vec}(F)^\top\, \mathrm{cols}(X) = [...] [...] = [...] = \mathrm{vec}(Y)^\top``:
    (1, kh*kw) @ (kh*kw, Ho*Wo) = (1, Ho*Wo), vec reading a matrix row by row into a column.
    """
    x = as_float_array(x, "x")
    w = as_float_array(w, "w")
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError(f"x and w must be 2-D, (H, W) and (kh, kw), got x.shape={x.shape}, w.shape={w.shape}")
    cols = im2col(x, *w.shape)
    y = w.reshape(1, -1) @ cols
    return (r"\mathrm{vec}(F)^\top\, \mathrm{cols}(X) = " + _bmatrix(w.reshape(1, -1)) + _bmatrix(cols)
            + " = " + _bmatrix(y) + r" = \mathrm{vec}(Y)^\top")
