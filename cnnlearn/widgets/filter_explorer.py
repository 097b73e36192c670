r"""FilterGradientExplorer: point at a filter weight, see every input pixel and dL/dy it is multiplied with
(notebook 03)."""

import numpy as np

from ..conv import conv2d
from ..equations import filter_gradient_equation
from ..example import worked_example
from ..notation import plural, sub
from ..receptive import check_index, window
from ..validate import as_matrix
from ._grid import GridView, GridWidget, copied, entry, equation_box, grid_spec, key


class FilterGradientExplorer(GridWidget):
    r"""Hover or click a filter weight: every input pixel and every dL/dy it is multiplied with (notebook 03).

    Parameters
    ----------
    x : array of shape (H, W), optional
    dy : array of shape (Ho, Wo), optional
        Both default to the worked example. The filter is ``(H - Ho + 1, W - Wo + 1)``
        (stride 1, no padding), and dL/dF = conv2d(x, dy), a correlation of X with dL/dY.

    Grids ``x``, ``dy`` and ``df``; ``select("df", ki, kj)`` (``"f"`` works too). Each input pixel and
    the dL/dy it meets in the sum share a pairing number (:meth:`marks`).
    """

    _root_class = "cnnlearn-filter-explorer"
    _aliases = {"f": "df"}

    def __init__(self, x=None, dy=None):
        super().__init__()
        ex = worked_example()
        self._x = ex.x if x is None else as_matrix(x, "x", "(H, W)")
        self._dy = ex.dy if dy is None else as_matrix(dy, "dy", "(Ho, Wo)")
        (H, W), (Ho, Wo) = self._x.shape, self._dy.shape
        self.kernel_shape = K = (H - Ho + 1, W - Wo + 1)
        if min(K) < 1:
            raise ValueError(f"dy (shape {self._dy.shape}) cannot be larger than x (shape {self._x.shape}): "
                             "the filter would have size (H - Ho + 1, W - Wo + 1) < 1")
        self._df = conv2d(self._x, self._dy)  # dL/dF: slide dL/dY over X
        shapes = ((H, W), K)
        lookup, self._equations = {}, {}
        for k in np.ndindex(*K):
            uses = [(o, ij) for o in np.ndindex(Ho, Wo) for ij, kk in window(o, *shapes) if kk == k]
            sym = filter_gradient_equation(*k, *shapes)
            num = filter_gradient_equation(*k, *shapes, dy=self._dy, x=self._x)
            s = sub(*k, K)
            info = (f"f{s} touched {plural(len(uses), 'input pixel')}, one per output pixel, so dL/df{s} is a sum "
                    f"of {plural(len(uses), 'product')} dL/dy times x: the highlighted X block, weighted by dL/dY "
                    "(each input pixel and the dy it meets share a number).")
            marks = {"x": {ij: n for n, (_, ij) in enumerate(uses, 1)},
                     "dy": {o: n for n, (o, _) in enumerate(uses, 1)}}
            lookup[key("df", *k)] = entry({"x": [ij for _, ij in uses], "dy": [o for o, _ in uses]}, marks, num, info)
            self._equations[key("df", *k)] = (sym, num)
        self.view = GridView(
            grids=[grid_spec("x", self._x, "X (input)", interactive=False),
                   grid_spec("dy", self._dy, "dL/dY", interactive=False),
                   grid_spec("df", self._df, "dL/dF (point at an entry)")],
            lookup=lookup, selected=["df", 0, 0], caption="Filter gradient explorer",
            legend={"selected": "the filter entry you clicked",
                    "highlighted": "the input pixels and dL/dy values it is multiplied with",
                    "note": "Each input pixel and the dL/dy it meets share a number."})
        self._setup([self.view, equation_box(self.view)])

    df = copied("_df")

    @property
    def equations(self):
        """``(symbolic, numeric)`` LaTeX of dL/df for the pinned entry (None if nothing is pinned)."""
        return self._pinned(self._equations)

    def predict_meets(self, ki, kj):
        """Ask which input pixels filter entry ``(ki, kj)`` (0-based) meets, before showing it."""
        s = sub(ki, kj, self._df.shape)
        return self.ask_about(("df", ki, kj), "x", f"dL/df{s} adds one product per output pixel: which input pixels "
                              f"does f{s} meet? Click each of them in X, then press Check (or Enter).", kind="meets")

    def select(self, grid, ki, kj):
        """Pin filter entry ``(ki, kj)`` of grid ``"df"`` (or ``"f"``), as a click does."""
        self._grid_name(grid, ("df",))
        ki, kj = check_index((ki, kj), self.kernel_shape, "filter entry")
        self.view.selected = ["df", ki, kj]

    def highlighted(self, grid):
        """The highlighted cells of ``grid`` (``"f"`` means ``"df"``) as a set of 0-based ``(row, col)`` pairs."""
        return super().highlighted(grid)
