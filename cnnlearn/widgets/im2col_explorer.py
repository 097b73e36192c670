r"""Im2colExplorer: which pixels land in which column of im2col, and why col2im adds (notebook 10)."""

import numpy as np

from ..conv import conv2d
from ..equations import col2im_equation, column_equation
from ..im2col import im2col, im2col_sources
from ..notation import cell_text, sub
from ..receptive import check_index, geometry, output_size
from ._grid import GridView, GridWidget, cell_name, copied, entry, equation_box, grid_spec, key, pair_text, worked_or

# Beyond these the grids no longer fit a notebook's width (one column of cols per output pixel).
MAX_SIDE, MAX_ROWS, MAX_COLUMNS = 16, 25, 49


def _copies_text(n):
    return f"{n} {'copy' if n == 1 else 'copies'}"


def _list(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


class Im2colExplorer(GridWidget):
    r"""Which input pixels land in which column of ``cols = im2col(X)``? Hover or click and see (notebook 10).

    Parameters
    ----------
    x : array of shape (H, W), optional
    w : array of shape (kh, kw), optional
        Both default to the worked example (a 3x3 input and a 2x2 filter). Up to 16 rows and columns
        of X, 25 filter entries and 49 output pixels (columns of cols).
    stride, padding, dilation : int or (int, int)

    Grids, drawn in the browser by :attr:`view`:

    - ``x``: the input. With padding P > 0 it is the zero-padded input and the padding cells are
      drawn dashed: input pixel ``x[i, j]`` is cell ``(i + P, j + P)`` of this grid.
    - ``cols``: ``im2col(x, kh, kw, ...)``, kh*kw rows by Ho*Wo columns. Row ``r`` holds what filter
      entry ``divmod(r, kw)`` meets (its header names it, ``f12``), column ``c`` is the window of
      output pixel ``divmod(c, Wo)``, read row by row.
    - ``y``: the output Y = conv2d(x, w); ``y[oi, oj]`` is vec(F)^T times column ``oi*Wo + oj``.

    What a cell shows (:meth:`select`, or a hover or click in the browser, with no kernel):

    - a cell of ``x``: every entry of ``cols`` that is a copy of it and the output pixels whose
      windows hold it, each copy and its output pixel numbered alike (:meth:`marks`); the equation is
      what col2im adds back onto the pixel, one term per copy (:func:`cnnlearn.equations.col2im_equation`).
    - an entry of ``cols`` or a pixel of ``y``: the whole column, the window's cells in ``x`` (each
      entry and the pixel it copies share a number, 1 to kh*kw) and the output pixel; the equation is
      y_ij = vec(F)^T times the column (:func:`cnnlearn.equations.column_equation`).

    Everything is computed from :func:`cnnlearn.im2col.im2col_sources`, im2col of the pixel numbers.
    """

    _root_class = "cnnlearn-im2col"

    def __init__(self, x=None, w=None, *, stride=1, padding=0, dilation=1):
        super().__init__()
        self._x, self._w = worked_or(x, w)
        (sh, sw), (ph, pw), (dil_h, dil_w) = geometry(stride, padding, dilation)
        self._geo = geo = dict(stride=(sh, sw), padding=(ph, pw), dilation=(dil_h, dil_w))
        (H, W), (kh, kw) = self._x.shape, self._w.shape
        if max(H, W) > MAX_SIDE:
            raise ValueError(f"x must have at most {MAX_SIDE} rows and columns for the explorer to draw it, "
                             f"got shape {self._x.shape}")
        if kh * kw > MAX_ROWS:
            raise ValueError(f"w must have at most {MAX_ROWS} entries (one row of cols each), got shape "
                             f"{self._w.shape}, {kh * kw} entries")
        self.out_shape = Ho, Wo = output_size((H, W), (kh, kw), **geo)  # also checks that the filter fits
        if Ho * Wo > MAX_COLUMNS:
            raise ValueError(f"the output must have at most {MAX_COLUMNS} pixels (one column of cols each), got "
                             f"Ho*Wo = {Ho}*{Wo} = {Ho * Wo} for x of shape {(H, W)} and this filter and geometry; "
                             "use a smaller input or a larger stride")
        self._cols = im2col(self._x, kh, kw, **geo)
        self._y = conv2d(self._x, self._w, **geo)
        self.padded_shape = Hp, Wp = H + 2 * ph, W + 2 * pw
        # im2col of the padded grid's cell numbers: entry (r, c) copies cell divmod(src[r, c], Wp)
        src = im2col_sources((Hp, Wp), kh, kw, stride=(sh, sw), dilation=(dil_h, dil_w))
        self._src = [[divmod(int(v), Wp) for v in row] for row in src]
        self._pad = {(r, c) for r, c in np.ndindex(Hp, Wp) if not (ph <= r < ph + H and pw <= c < pw + W)}
        K, L = self._cols.shape
        self._copies = {cell: [] for cell in np.ndindex(Hp, Wp)}  # cell -> its copies (r, c), column by column
        for c in range(L):
            for r in range(K):
                self._copies[self._src[r][c]].append((r, c))
        lookup, self._equations, self._column_eqs = {}, {}, {}
        for cell in np.ndindex(Hp, Wp):
            lookup[key("x", *cell)] = self._pixel_entry(cell)
        for c in range(Ho * Wo):
            for r in range(kh * kw):
                lookup[key("cols", r, c)] = self._column_entry(c, r)
            lookup[key("y", *divmod(c, Wo))] = self._column_entry(c)
        self.view = GridView(
            grids=[self._x_spec(), self._cols_spec(), grid_spec("y", self._y, "Y = X \u22c6 F")],
            layout_rows=[["x", "cols", "y"]], lookup=lookup, caption="im2col explorer",
            selected=["x", ph + H // 2, pw + W // 2],
            legend={"selected": "the cell you clicked",
                    "highlighted": "its copies in cols, or the column and the window it belongs to",
                    "note": self._note()})
        self._setup([self.view, equation_box(self.view)])

    # ------------------------------------------------------------ names
    def _xname(self, cell):
        """``x22`` for an input pixel (grid cell ``cell``), None for a padding cell."""
        if cell in self._pad:
            return None
        ph, pw = self._geo["padding"]
        return f"x{sub(cell[0] - ph, cell[1] - pw, self._x.shape)}"

    def _fname(self, r):
        return f"f{sub(*divmod(r, self._w.shape[1]), self._w.shape)}"

    def _yname(self, c):
        return f"y{sub(*divmod(c, self.out_shape[1]), self.out_shape)}"

    def _note(self):
        (H, W), (kh, kw), (Ho, Wo) = self._x.shape, self._w.shape, self.out_shape
        (sh, sw), (ph, pw), (dil_h, dil_w) = self._geo.values()
        L = Ho * Wo
        order = ", ".join(self._yname(c) for c in range(min(L, 4))) + (", ..." if L > 4 else "")
        note = (f"X is {H}x{W}, F is {kh}x{kw}, stride {pair_text(sh, sw)}, padding {pair_text(ph, pw)}, "
                f"dilation {pair_text(dil_h, dil_w)}: {L} windows, so cols has {kh * kw} rows (one per filter entry) "
                "and "
                f"{L} columns (the windows of {order}, row by row). Numbers pair a copy with its pixel.")
        if ph or pw:
            note += " Dashed cells of X are the zero padding."
        return note

    # ------------------------------------------------------------ grids
    def _x_spec(self):
        (H, W), (ph, pw) = self._x.shape, self._geo["padding"]
        xp = np.pad(self._x, ((ph, ph), (pw, pw)))
        texts = [[cell_text(v) for v in row] for row in xp]
        if not (ph or pw):
            return grid_spec("x", xp, "X (input)", texts=texts)
        labels = [[f"0, zero padding, row {r + 1} column {c + 1} of the zero-padded X" if (r, c) in self._pad else
                   cell_name("x", r - ph, c - pw, (H, W), texts[r][c])
                   + f"; row {r + 1} column {c + 1} of the zero-padded X"
                   for c in range(xp.shape[1])] for r in range(xp.shape[0])]
        return grid_spec("x", xp, f"X, zero-padded (P = {pair_text(ph, pw)})", texts=texts, labels=labels,
                         pad=self._pad)

    def _cols_spec(self):
        K, L = self._cols.shape
        texts = [[cell_text(v) for v in row] for row in self._cols]
        labels = []
        for r in range(K):
            row = []
            for c in range(L):
                what = self._xname(self._src[r][c]) or "the zero padding"
                row.append(f"cols{sub(r, c, (K, L))} = {texts[r][c]}, the copy of {what} that {self._fname(r)} "
                           f"meets in the window of {self._yname(c)}, row {r + 1} column {c + 1}")
            labels.append(row)
        return grid_spec("cols", self._cols, "cols = im2col(X)", texts=texts, labels=labels,
                         row_labels=[self._fname(r) for r in range(K)])

    # ------------------------------------------------------------ lookups
    def _pixel_entry(self, cell):
        """What a cell of ``x`` shows: its copies in cols and the outputs whose windows hold it."""
        Wo = self.out_shape[1]
        copies = self._copies[cell]
        marks = {"cols": {rc: n for n, rc in enumerate(copies, 1)},
                 "y": {divmod(c, Wo): n for n, (_, c) in enumerate(copies, 1)}}
        hl = {"x": [cell], "cols": copies, "y": [divmod(c, Wo) for _, c in copies]}
        where = "; ".join(f"{n}: row {r + 1} ({self._fname(r)}) of column {c + 1} (the window of {self._yname(c)})"
                          for n, (r, c) in enumerate(copies, 1))
        name = self._xname(cell)
        if name is None:
            ph, pw = self._geo["padding"]
            info = (f"This cell is zero padding (P = {pair_text(ph, pw)}), not a pixel of X. Its 0 has "
                    f"{_copies_text(len(copies))} in cols" + (f": {where}." if copies else ".")
                    + " col2im drops what comes back to it.")
            return entry(hl, marks, "", info)
        ph, pw = self._geo["padding"]
        i, j = cell[0] - ph, cell[1] - pw
        n = len(copies)
        if n == 0:
            info = f"No window reads {name}: cols holds no copy of it, and col2im gives it 0."
        else:
            columns = _list([str(c + 1) for _, c in copies])
            every = "both" if n == 2 else f"all {n}"
            info = (f"{name} has {_copies_text(n)} in cols, in column{'s' * (n > 1)} {columns}: {where}. "
                    + (f"col2im must add {every} back onto {name}: dL/d{name} is a sum of {n} terms." if n > 1
                       else f"col2im puts it back onto {name}: dL/d{name} has 1 term."))
        eq = col2im_equation(i, j, self._x.shape, self._w.shape, **self._geo)
        self._equations[key("x", *cell)] = eq
        return entry(hl, marks, eq, info)

    def _column_entry(self, c, r=None):
        """What entry ``(r, c)`` of cols (``r`` None: output pixel ``c``) shows: its column and window."""
        K = self._cols.shape[0]
        o = divmod(c, self.out_shape[1])
        window = [self._src[rr][c] for rr in range(K)]
        marks = {"cols": {(rr, c): rr + 1 for rr in range(K)}, "x": {cell: rr + 1 for rr, cell in enumerate(window)}}
        hl = {"cols": [(rr, c) for rr in range(K)], "x": window, "y": [o]}
        if c not in self._column_eqs:
            self._column_eqs[c] = column_equation(*o, self._x.shape, self._w.shape, **self._geo, x=self._x, w=self._w)
        eq = self._column_eqs[c]
        y = self._yname(c)
        why = (f"Column {c + 1} is the window of {y}, read row by row (each entry and the cell of X it copies "
               f"share a number, 1 to {K}), and {y} = vec(F)ᵀ times column {c + 1}, vec(F)ᵀ being the filter read "
               f"row by row, as a row.")
        if r is None:
            info = why
            self._equations[key("y", *o)] = eq
        else:
            what = self._xname(window[r])
            info = (f"Row {r + 1}, column {c + 1} of cols is a copy of {what or 'the zero padding'}: what "
                    f"{self._fname(r)} meets in the window of {y} (number {r + 1}). {why}")
            self._equations[key("cols", r, c)] = eq
        return entry(hl, marks, eq, info)

    # ------------------------------------------------------------ Python API
    x, w, y = copied("_x"), copied("_w"), copied("_y")
    cols = copied("_cols", "``im2col(x, kh, kw, ...)``, of shape (kh*kw, Ho*Wo).")

    @property
    def geometry(self):
        """``dict(stride=, padding=, dilation=)``, each an ``(h, w)`` pair."""
        return dict(self._geo)

    @property
    def equation(self):
        """LaTeX of the pinned cell, as generated by :mod:`cnnlearn.im2col` (None if nothing is pinned;
        '' for a padding cell). The pinned cell (:attr:`selected`) of ``x`` is in the padded grid."""
        return self._pinned(self._equations, "")

    def predict_column(self, c):
        """Ask which pixels of X are copied into column ``c`` (0-based) of cols, before showing it."""
        return self.ask_about(("cols", 0, c), "x", f"Which pixels of X are copied into column {c + 1} of cols? Click "
                              "each of them in X (dashed cells are the zero padding), then press Check (or Enter).",
                              kind="column")

    def copies(self, i, j):
        """The entries ``(row, col)`` of cols (0-based) that are copies of input pixel ``x[i, j]``, by column."""
        i, j = check_index((i, j), self._x.shape, "input pixel")
        ph, pw = self._geo["padding"]
        return list(self._copies[i + ph, j + pw])

    @property
    def counts(self):
        """How many copies of each input pixel cols holds: an int array of shape (H, W)."""
        H, W = self._x.shape
        return np.array([[len(self.copies(i, j)) for j in range(W)] for i in range(H)], dtype=int)

    def select(self, grid, r, c):
        """Pin cell ``(r, c)`` (0-based) of ``grid``, as a click does: ``"x"`` (input pixel ``x[i, j]`` is
        cell ``(i + P, j + P)``), ``"cols"`` or ``"y"``."""
        grid = self._grid_name(grid, ("x", "cols", "y"))
        shape, what = {"x": (self.padded_shape, "cell of the zero-padded X" if self._pad else "input pixel"),
                       "cols": (self._cols.shape, "entry of cols"), "y": (self.out_shape, "output pixel")}[grid]
        r, c = check_index((r, c), shape, what)
        self.view.selected = [grid, r, c]
