"""How the series writes things, in one place: 1-based subscripts, numbers, and its colours.

Everything a student reads (equations, widget cells and captions, figures, hints) goes through these, so
``x_{22}`` is ``x[1, 1]`` everywhere and a number looks the same in a figure as in a widget. The notation
table of notebook 00 lists the symbols; this module only formats them.
"""

import numpy as np

# Okabe-Ito colours, safe for the common forms of colour blindness; the widgets and figures never tell a
# state by colour alone (a pinned cell also gets a thick border, every pair a number).
ORANGE, SKY, BLUE, GREY = "#E69F00", "#56B4E9", "#0072B2", "#f2f2f2"
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
NEGATIVE, POSITIVE = "#0072B2", "#D55E00"  # the two ends of the diverging value scale


def sub(i, j, shape=None):
    """The 1-based subscript of index ``(i, j)`` (0-based): ``22`` for ``(1, 1)``, with a comma, ``10,3``, when
    the grid of ``shape`` has more than 9 rows or columns (without a shape: when an index needs two digits)."""
    big = max(shape) > 9 if shape is not None else max(i, j) >= 9
    return f"{i + 1},{j + 1}" if big else f"{i + 1}{j + 1}"


def symbol(name, i, j, shape):
    """LaTeX for entry ``(i, j)`` (0-based) of the grid ``name`` of ``shape``: ``x_{22}``."""
    return f"{name}_{{{sub(i, j, shape)}}}"


def fmt_number(v, digits=4, *, plain_below=1e15):
    """A number as the series prints it: whole numbers without a point (below ``plain_below`` in size), others
    to ``digits`` significant digits."""
    v = float(v)
    if v == 0:
        return "0"
    if not np.isfinite(v):  # a sum of finite factors beyond the float range
        return "\\infty" if v > 0 else "-\\infty"
    if v == round(v) and abs(v) < plain_below:
        return str(int(round(v)))
    return f"{v:.{digits}g}"


def cell_text(v):
    """A number short enough for a grid cell: whole numbers plain (below a million), others to 3 significant
    digits."""
    return fmt_number(v, 3, plain_below=1e6)


def plural(n, word):
    """``1 term``, ``2 terms``."""
    return f"{n} {word}{'s' * (n != 1)}"
