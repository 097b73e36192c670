"""ForwardStepper: slide the filter over the input, one output pixel per step (notebook 01)."""

import ipywidgets as ipw

from ..conv import conv2d
from ..equations import forward_equation
from ..notation import cell_text, plural, sub
from ..receptive import window
from ._grid import GridView, SteppedGridWidget, cell_name, entry, equation_box, grid_spec, key, step_controls, worked_or


class ForwardStepper(SteppedGridWidget):
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
    view : GridView
        The grids ``x``, ``f`` and ``y``, drawn in the browser.
    slider : ipywidgets.IntSlider
        The step, 0 .. Ho*Wo - 1, row by row over the output; linked to ``view.step`` in the browser.
    play : ipywidgets.ToggleButton
        Press to play the steps (a timer in the browser moves ``view.step``; no kernel needed).

    Step ``k`` highlights output pixel ``divmod(k, Wo)``, the input window it reads and the filter
    entries, each input pixel numbered like the filter entry on top of it; :attr:`equation` is its
    sum with the numbers. Hovering an output cell previews its window; clicking it goes to its step.
    """

    _root_class = "cnnlearn-stepper"

    def __init__(self, x=None, w=None, *, stride=1, padding=0, dilation=1):
        super().__init__()
        self._x, self._w = worked_or(x, w)
        self._geo = dict(stride=stride, padding=padding, dilation=dilation)
        self._y = conv2d(self._x, self._w, **self._geo)
        shapes = (self._x.shape, self._w.shape)
        self.out_shape = self._step_shape = Ho, Wo = self._y.shape
        self.n_steps = Ho * Wo
        self._equations, lookup, steps = [], {}, []
        for k in range(self.n_steps):
            oi, oj = o = divmod(k, Wo)
            taps = window(o, *shapes, **self._geo)
            eq = forward_equation(oi, oj, *shapes, **self._geo, x=self._x, w=self._w)
            self._equations.append(eq)
            texts = [[cell_text(self._y[r, c]) if r * Wo + c <= k else "?" for c in range(Wo)] for r in range(Ho)]
            labels = [[cell_name("y", r, c, (Ho, Wo), texts[r][c])
                       + ("" if texts[r][c] != "?" else ", not computed yet") for c in range(Wo)] for r in range(Ho)]
            marks = {"x": {ij: n for n, (ij, _) in enumerate(taps, 1)},
                     "f": {kk: n for n, (_, kk) in enumerate(taps, 1)}}
            s = sub(oi, oj, (Ho, Wo))
            info = (f"Step {k + 1} of {self.n_steps}: output pixel y{s} multiplies {plural(len(taps), 'input pixel')} "
                    "by the filter entry on top of each (same number) and adds them up.")
            lookup[key("y", oi, oj)] = entry({"x": [ij for ij, _ in taps], "f": [kk for _, kk in taps]}, marks, eq,
                                             info, texts={"y": texts}, labels={"y": labels})
            steps.append(["y", oi, oj])
        self.view = GridView(
            grids=[grid_spec("x", self._x, "X (input)", interactive=False),
                   grid_spec("f", self._w, "F (filter)", interactive=False),
                   grid_spec("y", self._y, "Y = X \u22c6 F (output)")],
            lookup=lookup, steps=steps, selected=list(steps[0]),
            legend={"selected": "the output pixel being computed",
                    "highlighted": "the input window and the filter entries it uses",
                    "note": "Each input pixel and the filter entry on it share a number. "
                            "\u22c6 is cross-correlation: slide F without rotating it."},
            caption="Forward pass stepper")
        self.slider, self.play = step_controls(self.view, self.n_steps, "output pixels")
        self._setup([ipw.HBox([self.play, self.slider]), self.view, equation_box(self.view)])

    def predict_window(self, oi, oj):
        """Ask which input pixels output pixel ``(oi, oj)`` (0-based) reads, before showing it."""
        return self.ask_about(("y", oi, oj), "x", f"Which input pixels does y{sub(oi, oj, self.out_shape)} read? "
                              "Click each of them in X, then press Check (or Enter).", kind="window")
