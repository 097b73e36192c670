r"""Clickable views of a convolution and its backward pass, built from ipywidgets core only.

Every widget is an :class:`ipywidgets.VBox`: display it and click. Each grid is a
:class:`ipywidgets.GridBox` of buttons, one per cell, and highlighting is done by
adding and removing CSS classes, so a click costs a few small messages and never a
matplotlib redraw. Everything a widget shows is computed by the package
(:func:`cnnlearn.contributions`, :func:`cnnlearn.receptive.window`, the equation
generators and the convolution functions); the widgets only arrange it.

CSS contract, relied on by tests that drive a real browser:

- each widget's root carries ``cnnlearn-widget`` plus its own class
  (``cnnlearn-explorer``, ``cnnlearn-stepper``, ``cnnlearn-softmax``,
  ``cnnlearn-filter-explorer``, ``cnnlearn-fullconv``);
- every grid cell carries ``cnnlearn-<grid>-<row>-<col>`` (0-based) with grid one
  of ``x, y, f, dx, dy, df``;
- highlighted cells also carry ``cnnlearn-hl``; the cell that was clicked carries
  ``cnnlearn-sel`` as well.

Every widget can be driven from Python (``select``, ``step_to``, ``configure``,
``highlighted``), which is how the unit tests check its logic. Only API that
exists in both ipywidgets 7.7 and 8 is used.
"""

import html
from functools import partial

import ipywidgets as ipw
import numpy as np

from .._checks import as_float_array, as_int, as_shape, check_ndim
from ..conv import conv2d, conv2d_backward, dilate, rot180
from ..equations import filter_gradient_equation, forward_equation, input_gradient_equation
from ..example import worked_example
from ..losses import cross_entropy, cross_entropy_backward, softmax
from ..receptive import check_index, contributions, geometry, output_size, window

__all__ = ["ForwardStepper", "SoftmaxPlayground", "ContributionExplorer", "FilterGradientExplorer",
           "FullConvAnimation", "FullConvPlan"]

GRIDS = ("x", "y", "f", "dx", "dy", "df")
HL, SEL, PAD = "cnnlearn-hl", "cnnlearn-sel", "cnnlearn-pad"

# Okabe-Ito colours, safe for the common forms of colour blindness; the clicked cell
# also gets a thick border, so no state is told by colour alone.
ORANGE, SKY, BLUE, GREY = "#E69F00", "#56B4E9", "#0072B2", "#f2f2f2"

_CSS = f"""<style>
.cnnlearn-widget .cnnlearn-cell {{
  font-family: monospace; font-size: 12px; padding: 0; margin: 0; line-height: 1;
  background: {GREY} !important; color: #111 !important; border: 1px solid #aaa !important;
  border-radius: 3px; box-shadow: none !important; }}
.cnnlearn-widget .cnnlearn-cell.{HL} {{ background: {SKY} !important; border: 2px solid {BLUE} !important;
  font-weight: bold; }}
.cnnlearn-widget .cnnlearn-cell.{SEL} {{ background: {ORANGE} !important; border: 3px solid #000 !important; }}
.cnnlearn-widget .cnnlearn-cell.{PAD} {{ color: #888 !important; border-style: dashed !important; }}
.cnnlearn-widget .cnnlearn-cell.{PAD}:not(.{HL}) {{ background: #fff !important; }}
.cnnlearn-widget .cnnlearn-title {{ font-weight: bold; margin: 2px 0; }}
.cnnlearn-widget .cnnlearn-swatch {{ display: inline-block; width: 1.1em; height: 1.1em; vertical-align: middle;
  margin: 0 4px 0 10px; border-radius: 2px; }}
.cnnlearn-widget .cnnlearn-info {{ margin: 4px 0; }}
</style>"""


def _legend(selected, highlighted, extra=""):
    """One line saying what the two highlight colours mean."""
    return ipw.HTML(
        f'<div class="cnnlearn-legend"><span class="cnnlearn-swatch" style="background:{ORANGE};'
        f'border:2px solid #000"></span>{html.escape(selected)}'
        f'<span class="cnnlearn-swatch" style="background:{SKY};border:2px solid {BLUE}"></span>'
        f'{html.escape(highlighted)}{extra}</div>')


def _cell_text(v):
    """A number short enough for a cell: whole numbers plain, others to 3 significant digits."""
    v = float(v)
    if v == round(v) and abs(v) < 1e6:
        return str(int(round(v)))
    return f"{v:.3g}"


def _sub(i, j, shape):
    """1-based subscript as the equations write it (``22``, or ``10,3`` for big grids)."""
    return f"{i + 1},{j + 1}" if max(shape) > 9 else f"{i + 1}{j + 1}"


def _grid_matrix(a, name, meaning):
    a = as_float_array(a, name)
    check_ndim(a, name, (2,), meaning)
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    return a.copy()


def _math_block(latex):
    r"""Display-math HTML for one package equation ``lhs = a = b = c``, one ``=`` per line."""
    parts = latex.split(" = ")
    if len(parts) == 1:
        return f"$${latex}$$"
    rows = " \\\\ ".join("&= " + p for p in parts[1:])
    return f"$$\\begin{{aligned}} {parts[0]} {rows} \\end{{aligned}}$$"


class _Grid:
    """A grid of clickable cells: one ``ipywidgets.Button`` per cell, inside a titled ``GridBox``.

    Highlight states are CSS classes; :meth:`mark` only touches the cells whose state
    changes, so a click on an 8x8 grid sends a handful of messages, not 64.
    """

    def __init__(self, name, shape, title, *, on_click=None, width=54):
        self.name = name
        self.shape = H, W = shape
        self.cells = {}
        # one layout and one style shared by the grid's cells: a third of the widget models to sync and save
        layout, style = ipw.Layout(width=f"{width}px", height="30px"), ipw.ButtonStyle()
        for r in range(H):
            for c in range(W):
                b = ipw.Button(description="", layout=layout, style=style,
                               _dom_classes=["cnnlearn-cell", f"cnnlearn-{name}-{r}-{c}"])
                if on_click is not None:
                    b.on_click(partial(_relay, on_click, name, r, c))
                self.cells[r, c] = b
        self.box = ipw.GridBox(list(self.cells.values()),
                               layout=ipw.Layout(grid_template_columns=f"repeat({W}, {width}px)",
                                                 grid_gap="3px"))
        self.title = ipw.HTML(f'<div class="cnnlearn-title">{title}</div>')
        self.widget = ipw.VBox([self.title, self.box], layout=ipw.Layout(margin="0 18px 8px 0"))
        self._marked = {HL: set(), SEL: set(), PAD: set()}

    def set_texts(self, texts, tooltips=None):
        """Write ``texts[r][c]`` into every cell whose text changed."""
        for (r, c), b in self.cells.items():
            t = texts[r][c]
            if b.description != t:
                b.description = t
            if tooltips is not None and b.tooltip != tooltips[r][c]:
                b.tooltip = tooltips[r][c]

    def mark(self, cls, cells):
        """Give exactly ``cells`` the CSS class ``cls``."""
        new = set(cells)
        old = self._marked[cls]
        for rc in old - new:
            self.cells[rc].remove_class(cls)
        for rc in new - old:
            self.cells[rc].add_class(cls)
        self._marked[cls] = new

    def marked(self, cls):
        return set(self._marked[cls])


def _relay(on_click, name, r, c, _button):
    on_click(name, r, c)


class _GridWidget(ipw.VBox):
    """Shared plumbing: the style sheet, the root classes, ``highlighted`` and argument checks."""

    _root_class = ""
    _aliases = {}

    def _setup(self, children):
        self.add_class("cnnlearn-widget")
        self.add_class(self._root_class)
        self.children = [ipw.HTML(_CSS)] + list(children)

    def _grid_name(self, grid, allowed):
        if not isinstance(grid, str):
            raise TypeError(f"grid must be a string, one of {', '.join(map(repr, allowed))}; got {grid!r}")
        grid = self._aliases.get(grid, grid)
        if grid not in allowed:
            raise ValueError(f"grid must be one of {', '.join(map(repr, allowed))} for "
                             f"{type(self).__name__}, got {grid!r}")
        return grid

    def highlighted(self, grid):
        """The highlighted cells of ``grid`` as a set of 0-based ``(row, col)`` pairs."""
        grid = self._grid_name(grid, tuple(self._grids))
        return self._grids[grid].marked(HL)

    def _apply(self, marks, selected):
        """Highlight ``marks[grid]`` in every grid; ``selected`` is ``(grid, r, c)`` or None."""
        for name, g in self._grids.items():
            cells = set(marks.get(name, ()))
            sel = set()
            if selected is not None and selected[0] == name:
                sel = {selected[1:]}
                cells |= sel
            g.mark(HL, cells)
            g.mark(SEL, sel)


# --------------------------------------------------------------------------- forward stepper

class ForwardStepper(_GridWidget):
    """Slide the filter over the input, one output pixel per step (notebook 01).

    Parameters
    ----------
    x : array of shape (H, W), optional
        The input; the worked example's 3x3 input by default.
    w : array of shape (kh, kw), optional
        The filter; the worked example's 2x2 filter by default.
    stride, padding, dilation : int or (int, int)

    Attributes
    ----------
    slider : ipywidgets.IntSlider
        The step, 0 .. Ho*Wo - 1, row by row over the output.
    play : ipywidgets.Play
        Linked to the slider in the browser.

    Step ``k`` highlights output pixel ``divmod(k, Wo)``, the input window it reads and
    the filter entries; :attr:`equation` is its sum with the numbers. Grids ``x``, ``f``, ``y``.
    """

    _root_class = "cnnlearn-stepper"

    def __init__(self, x=None, w=None, *, stride=1, padding=0, dilation=1):
        super().__init__()
        ex = worked_example()
        self._x = ex.x if x is None else _grid_matrix(x, "x", "(H, W)")
        self._w = ex.w if w is None else _grid_matrix(w, "w", "(kh, kw)")
        self._geo = dict(stride=stride, padding=padding, dilation=dilation)
        self._y = conv2d(self._x, self._w, **self._geo)
        self._shapes = (self._x.shape, self._w.shape)
        self.out_shape = self._y.shape
        self.n_steps = self._y.size
        self._windows = [window(divmod(k, self.out_shape[1]), *self._shapes, **self._geo)
                         for k in range(self.n_steps)]
        self._grids = {
            "x": _Grid("x", self._x.shape, "X (input)"),
            "f": _Grid("f", self._w.shape, "F (filter)"),
            "y": _Grid("y", self.out_shape, "Y = X &#8902; F (output)", on_click=self._clicked),
        }
        self._grids["x"].set_texts(_texts(self._x), _names("x", self._x))
        self._grids["f"].set_texts(_texts(self._w), _names("f", self._w))
        self.slider = ipw.IntSlider(value=0, min=0, max=self.n_steps - 1, description="step",
                                    continuous_update=True)
        self.play = ipw.Play(value=0, min=0, max=self.n_steps - 1, interval=1200, description="play")
        ipw.jslink((self.play, "value"), (self.slider, "value"))
        self._eq = ipw.HTMLMath("")
        self._info = ipw.HTML("")
        grids = ipw.HBox([g.widget for g in self._grids.values()])
        legend = _legend("the output pixel being computed", "the input window and the filter entries it uses")
        self._setup([ipw.HBox([self.play, self.slider]), legend, grids, self._info, self._eq])
        self.slider.observe(self._on_step, names="value")
        self._show(0)

    @property
    def equation(self):
        """LaTeX of the current output pixel's sum, with the numbers (:func:`cnnlearn.forward_equation`)."""
        return self._equation

    @property
    def step(self):
        return self.slider.value

    def step_to(self, k):
        """Go to step ``k`` (0 .. n_steps - 1)."""
        k = as_int(k, "k", minimum=0)
        if k >= self.n_steps:
            raise ValueError(f"k must be a step in 0..{self.n_steps - 1} (one per output pixel), got {k}")
        if self.slider.value == k:
            self._show(k)
        else:
            self.slider.value = k  # the observer redraws

    def select(self, grid, oi, oj):
        """Click output pixel ``(oi, oj)`` of grid ``"y"``: jump to its step."""
        self._grid_name(grid, ("y",))
        oi, oj = check_index((oi, oj), self.out_shape, "output pixel")
        self.step_to(oi * self.out_shape[1] + oj)

    def _clicked(self, grid, r, c):
        self.select(grid, r, c)

    def _on_step(self, change):
        self._show(change["new"])

    def _show(self, k):
        Ho, Wo = self.out_shape
        oi, oj = divmod(k, Wo)
        taps = self._windows[k]
        self._apply({"x": [ij for ij, _ in taps], "f": [kk for _, kk in taps]}, ("y", oi, oj))
        texts = [[_cell_text(self._y[r, c]) if r * Wo + c <= k else "?" for c in range(Wo)] for r in range(Ho)]
        self._grids["y"].set_texts(texts)
        self._equation = forward_equation(oi, oj, *self._shapes, **self._geo, x=self._x, w=self._w)
        self._eq.value = _math_block(self._equation)
        self._info.value = (f'<div class="cnnlearn-info">Step {k + 1} of {self.n_steps}: output pixel '
                            f'y<sub>{_sub(oi, oj, self.out_shape)}</sub> multiplies {len(taps)} input pixels '
                            f'by the filter entry on top of each and adds them up.</div>')


def _texts(a):
    return [[_cell_text(v) for v in row] for row in a]


def _names(sym, a):
    return [[f"{sym}_{_sub(r, c, a.shape)} = {_cell_text(a[r, c])}" for c in range(a.shape[1])]
            for r in range(a.shape[0])]


# --------------------------------------------------------------------------- softmax playground

class SoftmaxPlayground(ipw.VBox):
    """Move the class scores and watch softmax, the cross-entropy loss and dL/dlogits (notebook 02).

    Parameters
    ----------
    logits : array of shape (K,) or (1, K), optional
        Class scores; the worked example's four (Y flattened row by row) by default.
    label : int, optional
        The true class; the worked example's by default (class 0 for other logits).

    Attributes
    ----------
    sliders : list of ipywidgets.FloatSlider, one per class
    label_picker : ipywidgets.Dropdown

    :attr:`p`, :attr:`loss` and :attr:`dlogits` are computed by :func:`cnnlearn.softmax`,
    :func:`cnnlearn.cross_entropy` and :func:`cnnlearn.cross_entropy_backward` for one example (n = 1).
    """

    def __init__(self, logits=None, label=None):
        super().__init__()
        ex = worked_example()
        z = ex.logits if logits is None else as_float_array(logits, "logits")
        if z.ndim == 2 and z.shape[0] == 1:
            z = z[0]
        check_ndim(z, "logits", (1,), "(K,) or (1, K): the class scores of one example")
        if z.size < 2:
            raise ValueError(f"logits must hold at least 2 class scores, got shape {z.shape}")
        K = z.size
        self._z = np.array(z, dtype=float)
        if label is None:
            label = ex.label if logits is None else 0
        self._label = self._check_label(label)
        self.names = ["y11", "y12", "y21", "y22"] if K == 4 else [f"z{k + 1}" for k in range(K)]
        lo, hi = min(-6.0, np.floor(z.min()) - 1), max(6.0, np.ceil(z.max()) + 1)
        self.sliders = [ipw.FloatSlider(value=float(v), min=lo, max=hi, step=0.05, description=n,
                                        readout_format=".2f", continuous_update=True)
                        for n, v in zip(self.names, self._z)]
        self.label_picker = ipw.Dropdown(options=[(f"{n} (class {k})", k) for k, n in enumerate(self.names)],
                                         value=self._label, description="true class")
        self._view = ipw.HTML("")
        self._busy = False
        for k, s in enumerate(self.sliders):
            s.observe(partial(self._slid, k), names="value")
        self.label_picker.observe(self._picked, names="value")
        self.add_class("cnnlearn-widget")
        self.add_class("cnnlearn-softmax")
        self.children = [ipw.HTML(_CSS), ipw.HTML('<div class="cnnlearn-title">Class scores (logits)</div>'),
                         *self.sliders, self.label_picker, self._view]
        self._render()

    def _check_label(self, label):
        label = as_int(label, "label", minimum=0)
        if label >= self._z.size:
            raise ValueError(f"label must be a class in 0..{self._z.size - 1}, got {label}")
        return label

    @property
    def logits(self):
        return self._z[None].copy()

    @property
    def label(self):
        return self._label

    @property
    def p(self):
        """Softmax probabilities, shape (1, K)."""
        return softmax(self._z[None])

    @property
    def loss(self):
        """Cross-entropy of the current scores and label (a float)."""
        return cross_entropy(self._z[None], [self._label])

    @property
    def dlogits(self):
        """dL/dlogits = p - onehot(label), shape (1, K)."""
        return cross_entropy_backward(self._z[None], [self._label])

    def set_logits(self, values):
        """Set every class score at once; ``values`` of shape (K,) or (1, K)."""
        z = as_float_array(values, "values").reshape(-1) if np.ndim(values) == 2 else as_float_array(values, "values")
        if z.shape != self._z.shape:
            raise ValueError(f"values must hold {self._z.size} scores, shape ({self._z.size},), got shape {z.shape}")
        self._busy = True
        try:
            for s, v in zip(self.sliders, z):
                s.max, s.min = max(s.max, float(np.ceil(v))), min(s.min, float(np.floor(v)))
                s.value = float(v)
        finally:
            self._busy = False
        self._z = np.array(z, dtype=float)
        self._render()

    def set_label(self, k):
        """Make class ``k`` the true one."""
        self.label_picker.value = self._check_label(k)  # the observer redraws

    def _slid(self, k, change):
        self._z[k] = change["new"]
        if not self._busy:
            self._render()

    def _picked(self, change):
        self._label = change["new"]
        self._render()

    def _render(self):
        p, dz = self.p[0], self.dlogits[0]
        rows = []
        for k, name in enumerate(self.names):
            true = k == self._label
            colour = ORANGE if true else SKY
            mark = " &#9733; true class" if true else ""
            rows.append(
                f'<tr><td style="padding-right:8px"><b>{name}</b></td>'
                f'<td style="width:220px"><div style="background:{colour};height:14px;'
                f'width:{max(p[k] * 220, 1):.1f}px;border:1px solid #333"></div></td>'
                f'<td style="padding:0 8px;font-family:monospace">p = {p[k]:.4f}</td>'
                f'<td style="font-family:monospace">dL/d{name} = {dz[k]:+.4f}</td><td>{mark}</td></tr>')
        name = self.names[self._label]
        self._view.value = (
            f'<table style="border-collapse:collapse">{"".join(rows)}</table>'
            f'<div class="cnnlearn-info">loss L = &minus;log p({name}) = <b>{self.loss:.4f}</b> '
            f'&nbsp; (one example, n = 1; dL/dlogits = p &minus; onehot, so only the true class '
            f'gets a negative gradient)</div>')


# --------------------------------------------------------------------------- contribution explorer

_GEO_LIMITS = dict(size=(1, 8), kernel=(1, 5), stride=(1, 3), padding=(0, 2), dilation=(1, 3))


class ContributionExplorer(_GridWidget):
    r"""Which output pixels does this input pixel feed? Click and see (notebooks 04 and 06).

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

    Grids ``x``, ``f``, ``y`` (= conv2d(x, w)), ``dy`` and ``dx`` (conv2d_backward's dx).

    - ``select("x", i, j)`` (or ``"dx"``): the output pixels it feeds (in ``y`` and ``dy``),
      the filter entries used (``f``) and its dL/dx equation, symbolic then with numbers.
    - ``select("y", oi, oj)`` (or ``"dy"``): its input window and the filter entries, with the
      forward sum.
    - ``select("f", ki, kj)``: every input pixel that entry met, and its dL/df equation.
    """

    _root_class = "cnnlearn-explorer"

    def __init__(self, x=None, w=None, dy=None, *, stride=1, padding=0, dilation=1, controls=False, seed=0):
        super().__init__()
        self._seed = as_int(seed, "seed", minimum=0)
        self._eq = ipw.HTMLMath("", layout=ipw.Layout(overflow="auto"))
        self._info = ipw.HTML("")
        self._board = ipw.VBox([])
        self._message = ipw.HTML("")
        self._controls = None
        self._syncing = False
        self.selected = None
        self._load(x, w, dy, geometry(stride, padding, dilation))
        legend = _legend("the cell you clicked", "the cells it meets",
                         " &nbsp; Click any cell of X, dL/dX, Y, dL/dY or F.")
        parts = [legend, self._board, self._info, self._eq]
        if controls:
            self._controls = self._build_controls()
            parts = [self._controls, self._message] + parts
        self._setup(parts)
        self._sync_controls()

    # ------------------------------------------------------------ state
    def _load(self, x, w, dy, geo):
        """Validate and compute everything one configuration needs, then rebuild the grids."""
        ex = worked_example()
        self._x = ex.x if x is None else _grid_matrix(x, "x", "(H, W)")
        self._w = ex.w if w is None else _grid_matrix(w, "w", "(kh, kw)")
        (sh, sw), (ph, pw), (dh, dw) = geo
        self._geo = dict(stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw))
        self._y = conv2d(self._x, self._w, **self._geo)  # also checks that the filter fits
        self.out_shape = self._y.shape
        if dy is None:
            dy = ex.dy if self.out_shape == ex.dy.shape else _seeded("dy", self.out_shape, self._seed)
        self._dy = _grid_matrix(dy, "dy", "(Ho, Wo), the shape of Y")
        if self._dy.shape != self.out_shape:
            raise ValueError(f"dy must have the shape of Y = conv2d(x, w), {self.out_shape}, got {self._dy.shape}")
        self._dx, self._dw, _ = conv2d_backward(self._dy, self._x, self._w, **self._geo)
        shapes = (self._x.shape, self._w.shape)
        self._feeds = contributions(*shapes, **self._geo)
        self._windows = {o: window(o, *shapes, **self._geo) for o in np.ndindex(*self.out_shape)}
        self._uses = {k: [(o, ij) for o, win in self._windows.items() for ij, kk in win if kk == k]
                      for k in np.ndindex(*self._w.shape)}
        grids = [("x", self._x, "X (input)"), ("f", self._w, "F (filter)"), ("y", self._y, "Y = X &#8902; F"),
                 ("dx", self._dx, "dL/dX (what we want)"), ("dy", self._dy, "dL/dY (from the loss)")]
        self._grids = {}
        for name, a, title in grids:
            g = _Grid(name, a.shape, title, on_click=self._clicked)
            g.set_texts(_texts(a), _names(name, a))
            self._grids[name] = g
        blank = ipw.VBox([ipw.HTML('<div class="cnnlearn-title">&nbsp;</div>')],
                         layout=ipw.Layout(width=f"{57 * self._w.shape[1] + 18}px"))
        row1 = ipw.HBox([self._grids[n].widget for n in ("x", "f", "y")])
        row2 = ipw.HBox([self._grids["dx"].widget, blank, self._grids["dy"].widget])
        (H, W), (kh, kw), (Ho, Wo) = self._x.shape, self._w.shape, self.out_shape
        note = (f"X is {H}x{W}, F is {kh}x{kw}, stride {_pair_text(sh, sw)}, padding {_pair_text(ph, pw)}, "
                f"dilation {_pair_text(dh, dw)}, so Y is {Ho}x{Wo}.")
        if ph or pw:
            note += " Windows may hang over the edge of X onto the zero padding; those taps add 0 and are left out."
        self._board.children = [ipw.HTML(f'<div class="cnnlearn-info">{note}</div>'), row1, row2]
        self.select("x", H // 2, W // 2)

    @property
    def x(self):
        return self._x.copy()

    @property
    def w(self):
        return self._w.copy()

    @property
    def dy(self):
        return self._dy.copy()

    @property
    def dx(self):
        return self._dx.copy()

    @property
    def y(self):
        return self._y.copy()

    @property
    def geometry(self):
        """The current ``dict(stride=, padding=, dilation=)``, each an ``(h, w)`` pair."""
        return dict(self._geo)

    @property
    def equations(self):
        """``(symbolic, numeric)`` LaTeX of the current selection, as generated by cnnlearn."""
        return self._equations

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

    # ------------------------------------------------------------ clicks
    def _clicked(self, grid, r, c):
        self.select(grid, r, c)

    def select(self, grid, i, j):
        """Click cell ``(i, j)`` (0-based) of ``grid`` (one of x, dx, y, dy, f)."""
        grid = self._grid_name(grid, ("x", "dx", "y", "dy", "f"))
        shapes = (self._x.shape, self._w.shape)
        if grid in ("x", "dx"):
            i, j = check_index((i, j), self._x.shape, "input pixel")
            pairs = self._feeds[i, j]
            outs = [o for o, _ in pairs]
            marks = {"x": [(i, j)], "dx": [(i, j)], "y": outs, "dy": outs, "f": [k for _, k in pairs]}
            sym = input_gradient_equation(i, j, *shapes, **self._geo)
            num = input_gradient_equation(i, j, *shapes, **self._geo, dy=self._dy, w=self._w)
            n = len(pairs)
            info = (f"x<sub>{_sub(i, j, self._x.shape)}</sub> feeds {n} output pixel{'s' * (n != 1)}, "
                    f"so dL/dx<sub>{_sub(i, j, self._x.shape)}</sub> has {n} term{'s' * (n != 1)}: "
                    "one dL/dy per output it feeds, times the filter entry that multiplied it there.")
        elif grid in ("y", "dy"):
            i, j = check_index((i, j), self.out_shape, "output pixel")
            taps = self._windows[i, j]
            marks = {"x": [ij for ij, _ in taps], "f": [k for _, k in taps], "y": [(i, j)], "dy": [(i, j)]}
            sym = forward_equation(i, j, *shapes, **self._geo)
            num = forward_equation(i, j, *shapes, **self._geo, x=self._x, w=self._w)
            s = _sub(i, j, self.out_shape)
            info = (f"y<sub>{s}</sub> reads {len(taps)} input pixel{'s' * (len(taps) != 1)}; in the backward "
                    f"pass dL/dy<sub>{s}</sub> flows back to exactly these, each times the same filter entry.")
        else:
            i, j = check_index((i, j), self._w.shape, "filter entry")
            uses = self._uses[i, j]
            marks = {"x": [ij for _, ij in uses], "y": [o for o, _ in uses], "dy": [o for o, _ in uses],
                     "f": [(i, j)]}
            sym = filter_gradient_equation(i, j, *shapes, **self._geo)
            num = filter_gradient_equation(i, j, *shapes, **self._geo, dy=self._dy, x=self._x)
            info = (f"f<sub>{_sub(i, j, self._w.shape)}</sub> is used in {len(uses)} output "
                    f"pixel{'s' * (len(uses) != 1)}; dL/df<sub>{_sub(i, j, self._w.shape)}</sub> adds up "
                    "dL/dy times the input pixel it met there.")
        self.selected = (grid, i, j)
        self._apply(marks, self.selected)
        self._equations = (sym, num)
        self._eq.value = _math_block(num)
        self._info.value = f'<div class="cnnlearn-info">{info}</div>'

    # ------------------------------------------------------------ controls
    def _build_controls(self):
        lim = _GEO_LIMITS
        mk = partial(ipw.IntSlider, continuous_update=False, style={"description_width": "90px"},
                     layout=ipw.Layout(width="260px"))
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
            self._message.value = f'<div class="cnnlearn-info" style="color:#a33">{html.escape(str(exc))}</div>'
            return
        self._message.value = ""


def _pair_text(a, b):
    return str(a) if a == b else f"({a}, {b})"


def _seeded(kind, shape, seed):
    """Small readable made-up values for a grid whose shape does not fit the worked example."""
    rng = np.random.default_rng([seed, {"x": 0, "w": 1, "dy": 2}[kind], *shape])
    if kind == "x":
        return rng.integers(0, 4, size=shape).astype(float)
    if kind == "w":
        return rng.choice([-1.0, -0.5, 0.5, 1.0], size=shape)
    return rng.choice([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0], size=shape)


# --------------------------------------------------------------------------- filter gradient

class FilterGradientExplorer(_GridWidget):
    r"""Click a filter weight: every input pixel and every dL/dy it is multiplied with (notebook 03).

    Parameters
    ----------
    x : array of shape (H, W), optional
    dy : array of shape (Ho, Wo), optional
        Both default to the worked example. The filter is ``(H - Ho + 1, W - Wo + 1)``
        (stride 1, no padding), and dL/dF = conv2d(x, dy), a correlation of X with dL/dY.

    Grids ``x``, ``dy`` and ``df``; ``select("df", ki, kj)`` (``"f"`` works too).
    """

    _root_class = "cnnlearn-filter-explorer"
    _aliases = {"f": "df"}

    def __init__(self, x=None, dy=None):
        super().__init__()
        ex = worked_example()
        self._x = ex.x if x is None else _grid_matrix(x, "x", "(H, W)")
        self._dy = ex.dy if dy is None else _grid_matrix(dy, "dy", "(Ho, Wo)")
        (H, W), (Ho, Wo) = self._x.shape, self._dy.shape
        self.kernel_shape = (H - Ho + 1, W - Wo + 1)
        if min(self.kernel_shape) < 1:
            raise ValueError(f"dy (shape {self._dy.shape}) cannot be larger than x (shape {self._x.shape}): "
                             "the filter would have size (H - Ho + 1, W - Wo + 1) < 1")
        self._df = conv2d(self._x, self._dy)  # dL/dF: slide dL/dY over X
        self._uses = {k: [(o, ij) for o in np.ndindex(Ho, Wo)
                          for ij, kk in window(o, self._x.shape, self.kernel_shape) if kk == k]
                      for k in np.ndindex(*self.kernel_shape)}
        self._grids = {}
        for name, a, title in (("x", self._x, "X (input)"), ("dy", self._dy, "dL/dY"),
                               ("df", self._df, "dL/dF (click an entry)")):
            g = _Grid(name, a.shape, title, on_click=self._clicked if name == "df" else None)
            g.set_texts(_texts(a), _names(name, a))
            self._grids[name] = g
        self._eq = ipw.HTMLMath("", layout=ipw.Layout(overflow="auto"))
        self._info = ipw.HTML("")
        legend = _legend("the filter entry you clicked", "the input pixels and dL/dy values it is multiplied with")
        self._setup([legend, ipw.HBox([g.widget for g in self._grids.values()]), self._info, self._eq])
        self.select("df", 0, 0)

    @property
    def df(self):
        return self._df.copy()

    @property
    def equations(self):
        """``(symbolic, numeric)`` LaTeX of dL/df for the selected entry."""
        return self._equations

    def _clicked(self, grid, r, c):
        self.select(grid, r, c)

    def select(self, grid, ki, kj):
        """Click filter entry ``(ki, kj)`` of grid ``"df"`` (or ``"f"``)."""
        self._grid_name(grid, ("df",))
        ki, kj = check_index((ki, kj), self.kernel_shape, "filter entry")
        uses = self._uses[ki, kj]
        self._apply({"x": [ij for _, ij in uses], "dy": [o for o, _ in uses]}, ("df", ki, kj))
        shapes = (self._x.shape, self.kernel_shape)
        self._equations = (filter_gradient_equation(ki, kj, *shapes),
                           filter_gradient_equation(ki, kj, *shapes, dy=self._dy, x=self._x))
        self.selected = ("df", ki, kj)
        self._eq.value = _math_block(self._equations[1])
        s = _sub(ki, kj, self.kernel_shape)
        self._info.value = (f'<div class="cnnlearn-info">f<sub>{s}</sub> touched {len(uses)} input pixels, '
                            f'one per output pixel, so dL/df<sub>{s}</sub> is a sum of {len(uses)} products '
                            'dL/dy &times; x: the highlighted X block, weighted by dL/dY.</div>')


# --------------------------------------------------------------------------- full convolution

class FullConvPlan:
    r"""The full-convolution picture of dL/dX, shared by :class:`FullConvAnimation` and ``viz.plot_full_conv``.

    Parameters
    ----------
    dy : array of shape (Ho, Wo)
    w : array of shape (kh, kw)
    stride, padding, dilation : int or (int, int)
    input_shape : (H, W), optional
        The forward input's size; by default the smallest one that gives ``dy``'s shape.

    Attributes
    ----------
    canvas : array of shape (H + 2p + KH - 1, W + 2p + KW - 1)
        dL/dY with ``s - 1`` zeros inserted between entries (stride), placed ``KH - 1`` rows
        and ``KW - 1`` columns in: the zero border makes the convolution "full".
    real : dict
        Canvas cell -> the dL/dY index it holds; every other canvas cell is an added zero.
    rot : array of shape (KH, KW)
        The filter spread by the dilation (``d - 1`` zeros between taps), rotated by 180 degrees.
    gaps : set
        Cells of ``rot`` that are dilation gaps.

    Notes
    -----
    dL/dx[i, j] is the sum of ``canvas[i + p : i + p + KH, j + p : j + p + KW] * rot``;
    the products that meet a real dL/dy through a real tap are exactly the terms of
    :func:`cnnlearn.input_gradient_equation` for that pixel.
    """

    def __init__(self, dy, w, *, stride=1, padding=0, dilation=1, input_shape=None):
        self.dy = _grid_matrix(dy, "dy", "(Ho, Wo)")
        self.w = _grid_matrix(w, "w", "(kh, kw)")
        (sh, sw), (ph, pw), (dh, dw) = geometry(stride, padding, dilation)
        self.geo = dict(stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw))
        (Ho, Wo), (kh, kw) = self.dy.shape, self.w.shape
        self.rot = rot180(dilate(self.w, (dh, dw)))
        KH, KW = self.rot.shape
        if input_shape is None:
            input_shape = ((Ho - 1) * sh + KH - 2 * ph, (Wo - 1) * sw + KW - 2 * pw)
            if min(input_shape) < 1:
                raise ValueError(f"padding {(ph, pw)} is too large for dy of shape {self.dy.shape} and this "
                                 "filter; pass input_shape")
        self.input_shape = H, W = as_shape(input_shape, "input_shape", (2,))
        got = output_size((H, W), (kh, kw), **self.geo)
        if got != (Ho, Wo):
            raise ValueError(f"dy has shape {(Ho, Wo)}, but an input of shape {(H, W)} gives an output of "
                             f"shape {got} with this filter and geometry")
        self.canvas = np.zeros((H + 2 * ph + KH - 1, W + 2 * pw + KW - 1))
        self.real = {}
        for oi, oj in np.ndindex(Ho, Wo):
            rc = (KH - 1 + oi * sh, KW - 1 + oj * sw)
            self.canvas[rc] = self.dy[oi, oj]
            self.real[rc] = (oi, oj)
        self.gaps = {(r, c) for r in range(KH) for c in range(KW) if (KH - 1 - r) % dh or (KW - 1 - c) % dw}

    def window(self, i, j):
        """Canvas cells under the rotated filter for dL/dX pixel ``(i, j)``, row by row."""
        r0, c0 = i + self.geo["padding"][0], j + self.geo["padding"][1]
        KH, KW = self.rot.shape
        return [(r0 + a, c0 + b) for a in range(KH) for b in range(KW)]

    def hits(self, i, j):
        """Cells of ``rot`` whose product meets a real dL/dy for pixel ``(i, j)``: the equation's terms."""
        r0, c0 = i + self.geo["padding"][0], j + self.geo["padding"][1]
        KH, KW = self.rot.shape
        return [(a, b) for a in range(KH) for b in range(KW)
                if (r0 + a, c0 + b) in self.real and (a, b) not in self.gaps]

    def pixel(self, i, j):
        """dL/dx[i, j] as the window sum."""
        r0, c0 = i + self.geo["padding"][0], j + self.geo["padding"][1]
        KH, KW = self.rot.shape
        return float(np.sum(self.canvas[r0:r0 + KH, c0:c0 + KW] * self.rot))

    def dx_after(self, k):
        """dL/dX with the pixels of steps 0..k (row by row) filled in, NaN elsewhere."""
        H, W = self.input_shape
        out = np.full((H, W), np.nan)
        for n in range(k + 1):
            out[divmod(n, W)] = self.pixel(*divmod(n, W))
        return out

    def rot_name(self, r, c):
        """What cell ``(r, c)`` of the rotated filter is, e.g. ``f_22 = 0.5``."""
        dh, dw = self.geo["dilation"]
        a, b = self.rot.shape[0] - 1 - r, self.rot.shape[1] - 1 - c
        if (r, c) in self.gaps:
            return "a dilation gap (zero)"
        return f"f_{_sub(a // dh, b // dw, self.w.shape)} = {_cell_text(self.rot[r, c])}"

    def canvas_name(self, r, c):
        if (r, c) in self.real:
            return f"dy_{_sub(*self.real[r, c], self.dy.shape)} = {_cell_text(self.canvas[r, c])}"
        return "an added zero"


class FullConvAnimation(_GridWidget):
    r"""dL/dX as a full convolution of dL/dY with the rotated filter, one pixel per step (notebooks 04, 06).

    Parameters
    ----------
    dy : array of shape (Ho, Wo), optional
    w : array of shape (kh, kw), optional
        Both default to the worked example.
    stride, padding, dilation : int or (int, int)
    input_shape : (H, W), optional
        The forward input's size; by default the smallest one that gives ``dy``'s shape.

    Grids: ``dy`` is the canvas, dL/dY with ``s - 1`` zeros inserted between entries
    (stride) and a border of ``k - 1`` zeros (the "full" part); ``f`` is the filter
    (spread by the dilation) rotated by 180 degrees; ``dx`` fills in one pixel per step.
    Step ``k`` computes dx pixel ``divmod(k, W)`` as the sum of the canvas window times the
    rotated filter (see :class:`FullConvPlan`); :attr:`dx_so_far` holds NaN for pixels not
    computed yet.
    """

    _root_class = "cnnlearn-fullconv"

    def __init__(self, dy=None, w=None, *, stride=1, padding=0, dilation=1, input_shape=None):
        super().__init__()
        ex = worked_example()
        plan = FullConvPlan(ex.dy if dy is None else dy, ex.w if w is None else w, stride=stride,
                            padding=padding, dilation=dilation, input_shape=input_shape)
        self._plan = plan
        self._dy, self._w, self._geo, self.input_shape = plan.dy, plan.w, plan.geo, plan.input_shape
        H, W = self.input_shape
        self.n_steps = H * W
        self._dx = conv2d_backward(self._dy, np.zeros((H, W)), self._w, **self._geo)[0]
        cshape, (KH, KW) = plan.canvas.shape, plan.rot.shape
        self._grids = {"dy": _Grid("dy", cshape, "dL/dY, zero-inserted and zero-padded"),
                       "f": _Grid("f", plan.rot.shape, "F rotated 180&deg;"),
                       "dx": _Grid("dx", (H, W), "dL/dX", on_click=self._clicked)}
        self._grids["dy"].set_texts(_texts(plan.canvas),
                                    [[plan.canvas_name(r, c) for c in range(cshape[1])] for r in range(cshape[0])])
        self._grids["dy"].mark(PAD, set(np.ndindex(*cshape)) - set(plan.real))
        self._grids["f"].set_texts(_texts(plan.rot), [[plan.rot_name(r, c) for c in range(KW)] for r in range(KH)])
        self._grids["f"].mark(PAD, plan.gaps)
        self.slider = ipw.IntSlider(value=0, min=0, max=self.n_steps - 1, description="step")
        self.play = ipw.Play(value=0, min=0, max=self.n_steps - 1, interval=1200, description="play")
        ipw.jslink((self.play, "value"), (self.slider, "value"))
        self._eq = ipw.HTMLMath("", layout=ipw.Layout(overflow="auto"))
        self._info = ipw.HTML("")
        legend = _legend("the dL/dX pixel being computed", "the window under the rotated filter",
                         " &nbsp; Dashed cells are added zeros.")
        self._setup([ipw.HBox([self.play, self.slider]), legend,
                     ipw.HBox([g.widget for g in self._grids.values()]), self._info, self._eq])
        self.slider.observe(lambda ch: self._show(ch["new"]), names="value")
        self._show(0)

    @property
    def step(self):
        return self.slider.value

    @property
    def dx(self):
        """The finished dL/dX (conv2d_backward's dx)."""
        return self._dx.copy()

    @property
    def dx_so_far(self):
        """dL/dX with the pixels of steps 0..step filled in by window sums, NaN elsewhere."""
        return self._so_far.copy()

    @property
    def window_sum(self):
        """The current step's sum of the canvas window times the rotated filter."""
        return self._sum

    @property
    def equation(self):
        """The current pixel's dL/dx equation with numbers (:func:`cnnlearn.input_gradient_equation`)."""
        return self._equation

    def step_to(self, k):
        """Go to step ``k`` (0 .. n_steps - 1)."""
        k = as_int(k, "k", minimum=0)
        if k >= self.n_steps:
            raise ValueError(f"k must be a step in 0..{self.n_steps - 1} (one per dL/dX pixel), got {k}")
        if self.slider.value == k:
            self._show(k)
        else:
            self.slider.value = k

    def select(self, grid, i, j):
        """Click dL/dX pixel ``(i, j)``: jump to its step."""
        self._grid_name(grid, ("dx",))
        i, j = check_index((i, j), self.input_shape, "dL/dX pixel")
        self.step_to(i * self.input_shape[1] + j)

    def _clicked(self, grid, r, c):
        self.select(grid, r, c)

    def _show(self, k):
        H, W = self.input_shape
        i, j = divmod(k, W)
        self._so_far = self._plan.dx_after(k)
        self._sum = self._so_far[i, j]
        hits = self._plan.hits(i, j)
        self._apply({"dy": self._plan.window(i, j), "f": hits}, ("dx", i, j))
        self._grids["dx"].set_texts([[_cell_text(v) if not np.isnan(v) else "?" for v in row]
                                     for row in self._so_far])
        self._equation = input_gradient_equation(i, j, self.input_shape, self._w.shape, **self._geo,
                                                 dy=self._dy, w=self._w)
        self._eq.value = _math_block(self._equation)
        self._info.value = (f'<div class="cnnlearn-info">Step {k + 1} of {self.n_steps}: dL/dx<sub>'
                            f'{_sub(i, j, self.input_shape)}</sub> = sum of the window times the rotated filter '
                            f'= {_cell_text(self._sum)}. {len(hits)} of the products meet a real dL/dy (the others '
                            'meet added zeros), and they are exactly the terms of the per-pixel sum below.</div>')
