r"""ContributionExplorer: which output pixels does this input pixel feed? Hover, click, see (notebooks 04, 06)."""

import html
from functools import partial

import ipywidgets as ipw
import numpy as np

from ..conv import conv2d, conv2d_backward
from ..equations import filter_gradient_equation, forward_equation, input_gradient_equation
from ..example import worked_example
from ..notation import plural, sub
from ..receptive import check_index, contributions, geometry, output_size, window
from ..validate import as_int, as_matrix, as_shape
from ._grid import REVEALED, GridView, GridWidget, copied, entry, equation_box, grid_spec, key, pair_text

_GEO_LIMITS = dict(size=(1, 8), kernel=(1, 5), stride=(1, 3), padding=(0, 2), dilation=(1, 3))


def _seeded(kind, shape, seed):
    """Small readable made-up values for a grid whose shape does not fit the worked example."""
    rng = np.random.default_rng([seed, {"x": 0, "w": 1, "dy": 2}[kind], *shape])
    if kind == "x":
        return rng.integers(0, 4, size=shape).astype(float)
    if kind == "w":
        return rng.choice([-1.0, -0.5, 0.5, 1.0], size=shape)
    return rng.choice([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0], size=shape)


def explorer_state(x, w, dy, geo):
    """Everything the explorer's grids show for one configuration.

    Parameters
    ----------
    x : array of shape (H, W)
    w : array of shape (kh, kw)
    dy : array of shape (Ho, Wo)
    geo : dict(stride=, padding=, dilation=), each an ``(h, w)`` pair

    Returns
    -------
    (grids, lookup, equations) : the :class:`GridView` grid specs and lookup, and
    ``{key: (symbolic, numeric)}`` LaTeX for every cell.
    """
    y = conv2d(x, w, **geo)
    dx, _, _ = conv2d_backward(dy, x, w, **geo)
    shapes = (x.shape, w.shape)
    X, K, Ys = x.shape, w.shape, y.shape  # the shapes of x, w and y
    feeds = contributions(*shapes, **geo)
    windows = {o: window(o, *shapes, **geo) for o in np.ndindex(*Ys)}
    uses = {k: [(o, ij) for o, win in windows.items() for ij, kk in win if kk == k] for k in np.ndindex(*K)}
    lookup, equations = {}, {}
    for i, j in np.ndindex(*X):
        pairs = feeds[i, j]
        outs = [o for o, _ in pairs]
        marks = {"y": {o: n for n, (o, _) in enumerate(pairs, 1)}, "dy": {o: n for n, (o, _) in enumerate(pairs, 1)},
                 "f": {k: n for n, (_, k) in enumerate(pairs, 1)}}
        sym = input_gradient_equation(i, j, *shapes, **geo)
        num = input_gradient_equation(i, j, *shapes, **geo, dy=dy, w=w)
        s = sub(i, j, X)
        paired = "; ".join(f"{n}: dy{sub(*o, Ys)} meets f{sub(*k, K)}" for n, (o, k) in enumerate(pairs, 1))
        info = (f"x{s} feeds {plural(len(pairs), 'output pixel')}, so dL/dx{s} has {plural(len(pairs), 'term')}: "
                "one dL/dy per output it feeds, times the filter entry that multiplied it there"
                + (f" (same number). {paired}." if pairs else "."))
        e = entry({"x": [(i, j)], "dx": [(i, j)], "y": outs, "dy": outs, "f": [k for _, k in pairs]}, marks, num, info)
        for g in ("x", "dx"):
            lookup[key(g, i, j)], equations[key(g, i, j)] = e, (sym, num)
    for o, taps in windows.items():
        marks = {"x": {ij: n for n, (ij, _) in enumerate(taps, 1)}, "f": {k: n for n, (_, k) in enumerate(taps, 1)}}
        sym = forward_equation(*o, *shapes, **geo)
        num = forward_equation(*o, *shapes, **geo, x=x, w=w)
        s = sub(*o, Ys)
        info = (f"y{s} reads {plural(len(taps), 'input pixel')}, each times the filter entry on it (same number); "
                f"in the backward pass dL/dy{s} flows back to exactly these, each times the same filter entry.")
        e = entry({"x": [ij for ij, _ in taps], "f": [k for _, k in taps], "y": [o], "dy": [o]}, marks, num, info)
        for g in ("y", "dy"):
            lookup[key(g, *o)], equations[key(g, *o)] = e, (sym, num)
    for k, used in uses.items():
        marks = {"x": {ij: n for n, (_, ij) in enumerate(used, 1)}, "dy": {o: n for n, (o, _) in enumerate(used, 1)},
                 "y": {o: n for n, (o, _) in enumerate(used, 1)}}
        sym = filter_gradient_equation(*k, *shapes, **geo)
        num = filter_gradient_equation(*k, *shapes, **geo, dy=dy, x=x)
        s = sub(*k, K)
        info = (f"f{s} is used in {plural(len(used), 'output pixel')}; dL/df{s} adds up dL/dy times the input "
                "pixel it met there (same number).")
        lookup[key("f", *k)] = entry({"x": [ij for _, ij in used], "y": [o for o, _ in used],
                                      "dy": [o for o, _ in used], "f": [k]}, marks, num, info)
        equations[key("f", *k)] = (sym, num)
    grids = [grid_spec("x", x, "X (input)"), grid_spec("f", w, "F (filter)"), grid_spec("y", y, "Y = X \u22c6 F"),
             grid_spec("dx", dx, "dL/dX (what we want)"), grid_spec("dy", dy, "dL/dY (from the loss)")]
    return grids, lookup, equations, y, dx


class ContributionExplorer(GridWidget):
    r"""Which output pixels does this input pixel feed? Hover or click and see (notebooks 04 and 06).

    Parameters
    ----------
    x : array of shape (H, W), optional
    w : array of shape (kh, kw), optional
    dy : array of shape (Ho, Wo), optional
        dL/dY. All three default to the worked example when their shape fits, and to
        small seeded values otherwise.
    stride, padding, dilation : int or (int, int)
    controls : bool
        Add sliders for input size (up to 8x8), kernel size, stride, padding and dilation.
    seed : int
        Seed for the values made up when the shapes do not fit the worked example.

    Grids ``x``, ``f``, ``y`` (= conv2d(x, w)), ``dy`` and ``dx`` (conv2d_backward's dx), drawn in the
    browser by :attr:`view`; hovering a cell previews what it meets, clicking pins it.

    - ``select("x", i, j)`` (or ``"dx"``): the output pixels it feeds (in ``y`` and ``dy``),
      the filter entries used (``f``) and its dL/dx equation; each dy and the filter entry it
      meets share a pairing number (:meth:`marks`).
    - ``select("y", oi, oj)`` (or ``"dy"``): its input window and the filter entries, with the
      forward sum; each input pixel and the filter entry on it share a number.
    - ``select("f", ki, kj)``: every input pixel that entry met and the dy it met there (same
      number), and its dL/df equation.
    """

    _root_class = "cnnlearn-explorer"

    def __init__(self, x=None, w=None, dy=None, *, stride=1, padding=0, dilation=1, controls=False, seed=0):
        super().__init__()
        self._seed = as_int(seed, "seed", minimum=0)
        self._message = ipw.HTML("")
        self._controls = None
        self._syncing = False
        self.view = GridView(layout_rows=[["x", "f", "y"], ["dx", None, "dy"]], caption="Contribution explorer",
                             legend={"selected": "the cell you clicked", "highlighted": "the cells it meets",
                                     "note": "Cells that meet share a number. Hover or click any cell of "
                                             "X, dL/dX, Y, dL/dY or F."})
        self._note = ipw.HTML("")
        self._load(x, w, dy, geometry(stride, padding, dilation))
        parts = [self._note, self.view, equation_box(self.view)]
        if controls:
            self._controls = self._build_controls()
            parts = [self._controls, self._message] + parts
        self._setup(parts)
        self._sync_controls()

    # ------------------------------------------------------------ state
    def _load(self, x, w, dy, geo):
        """Validate and compute everything one configuration needs, then ship it to the browser."""
        ex = worked_example()
        x = ex.x if x is None else as_matrix(x, "x", "(H, W)")
        w = ex.w if w is None else as_matrix(w, "w", "(kh, kw)")
        (sh, sw), (ph, pw), (dil_h, dil_w) = geo
        geo = dict(stride=(sh, sw), padding=(ph, pw), dilation=(dil_h, dil_w))
        out_shape = output_size(x.shape, w.shape, **geo)  # also checks that the filter fits
        if dy is None:
            dy = ex.dy if out_shape == ex.dy.shape else _seeded("dy", out_shape, self._seed)
        dy = as_matrix(dy, "dy", "(Ho, Wo), the shape of Y")
        if dy.shape != out_shape:
            raise ValueError(f"dy must have the shape of Y = conv2d(x, w), {out_shape}, got {dy.shape}")
        grids, lookup, self._equations, y, dx = explorer_state(x, w, dy, geo)
        self._x, self._w, self._dy, self._y, self._dx, self._geo = x, w, dy, y, dx, geo
        self.out_shape = out_shape
        (H, W), (kh, kw), (Ho, Wo) = x.shape, w.shape, out_shape
        note = (f"X is {H}x{W}, F is {kh}x{kw}, stride {pair_text(sh, sw)}, padding {pair_text(ph, pw)}, "
                f"dilation {pair_text(dil_h, dil_w)}, so Y is {Ho}x{Wo}.")
        if ph or pw:
            note += " Windows may hang over the edge of X onto the zero padding; those taps add 0 and are left out."
        self._note.value = f'<div class="cnnlearn-info">{html.escape(note)}</div>'
        with self.view.hold_sync():
            self.view.grids, self.view.lookup = grids, lookup
            self.view.selected = ["x", H // 2, W // 2]
            self.clear_quiz()  # a question's answer was for the old sizes

    x, w, dy, dx, y = (copied(f"_{a}") for a in ("x", "w", "dy", "dx", "y"))

    @property
    def geometry(self):
        """The current ``dict(stride=, padding=, dilation=)``, each an ``(h, w)`` pair."""
        return dict(self._geo)

    @property
    def equations(self):
        """``(symbolic, numeric)`` LaTeX of the pinned cell, as generated by cnnlearn (None if nothing is pinned)."""
        return self._pinned(self._equations)

    # ------------------------------------------------------------ predict, then see
    def predict_feeds(self, i, j):
        """Ask which output pixels input pixel ``(i, j)`` (0-based) feeds, before showing it."""
        s = sub(i, j, self._x.shape)
        return self.ask_about(("x", i, j), "y", f"Which output pixels does x{s} feed? Click each of them in Y, then "
                              "press Check (or Enter).", kind="feeds")

    def predict_pairing(self, i, j, oi, oj):
        """Ask which filter entry meets dL/dy at output ``(oi, oj)`` in dL/dx for input pixel ``(i, j)``."""
        e = self.view.lookup[key("x", *self._quiz_cell(("x", i, j))[1:])]
        dy_marks = {(r, c): n for r, c, n in e["marks"]["dy"]}
        n = dy_marks.get(tuple(self._quiz_cell(("dy", oi, oj))[1:]))
        if n is None:
            raise ValueError(f"x{sub(i, j, self._x.shape)} does not feed y{sub(oi, oj, self._y.shape)}: its dL/dx has "
                             "no dL/dy of that output pixel; pick an output pixel it feeds")
        k = next((r, c) for r, c, m in e["marks"]["f"] if m == n)
        sx, so = sub(i, j, self._x.shape), sub(oi, oj, self._y.shape)
        return self.ask(f"In dL/dx{sx}, which filter entry multiplies dy{so}? Click it in F, then press Check (or "
                        "Enter).", [("f", *k)], explanation=REVEALED, reveal=("x", i, j), kind="pairing",
                        about=[("x", i, j), ("dy", oi, oj)])

    def configure(self, input_shape=None, kernel_shape=None, stride=None, padding=None, dilation=None):
        """Change the sizes and the geometry; arguments left as None keep their value.

        New values are the worked example's when a shape fits it, seeded otherwise.
        Raises ``ValueError`` (and changes nothing) when the filter does not fit the input.
        """
        H, W = self._x.shape if input_shape is None else as_shape(input_shape, "input_shape", (2,))
        kh, kw = self._w.shape if kernel_shape is None else as_shape(kernel_shape, "kernel_shape", (2,))
        old = self._geo
        geo = geometry(old["stride"] if stride is None else stride,
                       old["padding"] if padding is None else padding,
                       old["dilation"] if dilation is None else dilation)
        output_size((H, W), (kh, kw), stride=geo[0], padding=geo[1], dilation=geo[2])  # fails before any change
        ex = worked_example()
        x = ex.x if (H, W) == ex.x.shape else _seeded("x", (H, W), self._seed)
        w = ex.w if (kh, kw) == ex.w.shape else _seeded("w", (kh, kw), self._seed)
        self._load(x, w, None, geo)
        self._sync_controls()

    def select(self, grid, i, j):
        """Pin cell ``(i, j)`` (0-based) of ``grid`` (one of x, dx, y, dy, f), as a click does."""
        grid = self._grid_name(grid, ("x", "dx", "y", "dy", "f"))
        shape, what = {"x": (self._x.shape, "input pixel"), "dx": (self._x.shape, "input pixel"),
                       "y": (self.out_shape, "output pixel"), "dy": (self.out_shape, "output pixel"),
                       "f": (self._w.shape, "filter entry")}[grid]
        i, j = check_index((i, j), shape, what)
        self.view.selected = [grid, i, j]

    # ------------------------------------------------------------ controls
    def _build_controls(self):
        lim = _GEO_LIMITS
        mk = partial(ipw.IntSlider, continuous_update=False, style={"description_width": "105px"},
                     layout=ipw.Layout(width="275px"))
        self._sliders = {
            "H": mk(description="input rows", min=lim["size"][0], max=lim["size"][1]),
            "W": mk(description="input cols", min=lim["size"][0], max=lim["size"][1]),
            "kh": mk(description="kernel rows", min=lim["kernel"][0], max=lim["kernel"][1]),
            "kw": mk(description="kernel cols", min=lim["kernel"][0], max=lim["kernel"][1]),
            "stride": mk(description="stride", min=lim["stride"][0], max=lim["stride"][1]),
            "padding": mk(description="padding", min=lim["padding"][0], max=lim["padding"][1]),
            "dilation": mk(description="dilation", min=lim["dilation"][0], max=lim["dilation"][1]),
        }
        for s in self._sliders.values():
            s.observe(self._controls_moved, names="value")
        s = self._sliders
        return ipw.HBox([ipw.VBox([s["H"], s["W"]]), ipw.VBox([s["kh"], s["kw"]]),
                         ipw.VBox([s["stride"], s["padding"], s["dilation"]])])

    def _sync_controls(self):
        if self._controls is None:
            return
        values = dict(H=self._x.shape[0], W=self._x.shape[1], kh=self._w.shape[0], kw=self._w.shape[1],
                      stride=self._geo["stride"][0], padding=self._geo["padding"][0],
                      dilation=self._geo["dilation"][0])
        self._syncing = True
        try:
            for k, v in values.items():
                s = self._sliders[k]
                s.max = max(s.max, v)
                s.value = v
        finally:
            self._syncing = False

    def _controls_moved(self, change):
        if self._syncing:
            return
        s = {k: v.value for k, v in self._sliders.items()}
        try:
            self.configure(input_shape=(s["H"], s["W"]), kernel_shape=(s["kh"], s["kw"]),
                           stride=s["stride"], padding=s["padding"], dilation=s["dilation"])
        except ValueError as exc:
            self._message.value = f'<div class="cnnlearn-info cnnlearn-error">{html.escape(str(exc))}</div>'
            return
        self._message.value = ""
