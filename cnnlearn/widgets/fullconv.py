r"""dL/dX as a full convolution of dL/dY with the rotated filter (notebooks 04, 06): the plan and the animation."""

import ipywidgets as ipw
import numpy as np

from ..conv import conv2d_backward
from ..equations import input_gradient_equation
from ..example import worked_example
from ..fullconv import FullConvPlan
from ..notation import cell_text, plural, sub
from ._grid import GridView, SteppedGridWidget, cell_name, entry, equation_box, grid_spec, key, step_controls


class FullConvAnimation(SteppedGridWidget):
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
    rotated filter (see :class:`FullConvPlan`); each real dL/dy in the window and the rotated-filter
    entry on it share a pairing number. :attr:`dx_so_far` holds NaN for pixels not computed yet.
    The step slider and the Play toggle are linked to the grids in the browser.
    """

    _root_class = "cnnlearn-fullconv"
    _stepped = ("dx", "dL/dX pixel")

    def __init__(self, dy=None, w=None, *, stride=1, padding=0, dilation=1, input_shape=None):
        super().__init__()
        ex = worked_example()
        plan = FullConvPlan(ex.dy if dy is None else dy, ex.w if w is None else w, stride=stride,
                            padding=padding, dilation=dilation, input_shape=input_shape)
        self._plan = plan
        self._dy, self._w, self._geo, self.input_shape = plan.dy, plan.w, plan.geo, plan.input_shape
        self._step_shape = H, W = self.input_shape
        self.n_steps = H * W
        self._dx = conv2d_backward(self._dy, np.zeros((H, W)), self._w, **self._geo)[0]
        cshape, (KH, KW) = plan.canvas.shape, plan.rot.shape
        canvas_labels = [[self._canvas_label(r, c) for c in range(cshape[1])] for r in range(cshape[0])]
        rot_labels = [[self._rot_label(r, c) for c in range(KW)] for r in range(KH)]
        self._equations, self._sums, lookup, steps = [], [], {}, []
        for k in range(self.n_steps):
            i, j = divmod(k, W)
            so_far = plan.dx_after(k)
            total = plan.pixel(i, j)
            hits = plan.hits(i, j)
            r0, c0 = i + plan.geo["padding"][0], j + plan.geo["padding"][1]
            marks = {"dy": {(r0 + a, c0 + b): n for n, (a, b) in enumerate(hits, 1)},
                     "f": {ab: n for n, ab in enumerate(hits, 1)}}
            eq = input_gradient_equation(i, j, self.input_shape, self._w.shape, **self._geo, dy=self._dy, w=self._w)
            texts = [[cell_text(v) if not np.isnan(v) else "?" for v in row] for row in so_far]
            labels = [[cell_name("dx", r, c, (H, W), texts[r][c]) + (", not computed yet" if texts[r][c] == "?" else "")
                       for c in range(W)] for r in range(H)]
            info = (f"Step {k + 1} of {self.n_steps}: dL/dx{sub(i, j, (H, W))} = sum of the window times the rotated "
                    f"filter = {cell_text(total)}. {plural(len(hits), 'product')} meet a real dL/dy (numbered; the "
                    "others meet added zeros), and they are exactly the terms of the per-pixel sum below.")
            lookup[key("dx", i, j)] = entry({"dy": plan.window(i, j), "f": hits}, marks, eq, info,
                                            texts={"dx": texts}, labels={"dx": labels})
            steps.append(["dx", i, j])
            self._equations.append(eq)
            self._sums.append(total)
        self.view = GridView(
            grids=[grid_spec("dy", plan.canvas, "dL/dY, zero-inserted and zero-padded", labels=canvas_labels,
                             pad=set(np.ndindex(*cshape)) - set(plan.real), interactive=False),
                   grid_spec("f", plan.rot, "rot180(F): F rotated by 180\u00b0", labels=rot_labels, pad=plan.gaps,
                             interactive=False),
                   grid_spec("dx", self._dx, "dL/dX")],
            lookup=lookup, steps=steps, selected=list(steps[0]), caption="Full convolution animation",
            legend={"selected": "the dL/dX pixel being computed", "highlighted": "the window under the rotated filter",
                    "note": "Dashed cells are added zeros; each real dL/dy and the filter entry on it share a number."})
        self.slider, self.play = step_controls(self.view, self.n_steps, "dL/dX pixels")
        self._setup([ipw.HBox([self.play, self.slider]), self.view, equation_box(self.view)])

    def _canvas_label(self, r, c):
        plan = self._plan
        where = f"canvas row {r + 1} column {c + 1}"
        if (r, c) in plan.real:
            return (f"dy{sub(*plan.real[r, c], plan.dy.shape)} = {cell_text(plan.canvas[r, c])}, "
                    f"dL/dY entry at {where}")
        return f"0, an added zero at {where}"

    def _rot_label(self, r, c):
        plan = self._plan
        where = f"rotated filter row {r + 1} column {c + 1}"
        if (r, c) in plan.gaps:
            return f"0, a dilation gap at {where}"
        dil_h, dil_w = plan.geo["dilation"]
        a, b = plan.rot.shape[0] - 1 - r, plan.rot.shape[1] - 1 - c
        return f"f{sub(a // dil_h, b // dil_w, plan.w.shape)} = {cell_text(plan.rot[r, c])}, at {where}"

    @property
    def dx(self):
        """The finished dL/dX (conv2d_backward's dx)."""
        return self._dx.copy()

    @property
    def dx_so_far(self):
        """dL/dX with the pixels of steps 0..step filled in by window sums, NaN elsewhere."""
        return self._plan.dx_after(self.step)

    @property
    def window_sum(self):
        """The current step's sum of the canvas window times the rotated filter."""
        return self._sums[self.step]
