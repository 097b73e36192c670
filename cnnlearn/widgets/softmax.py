"""SoftmaxPlayground: move the class scores and watch softmax, the loss and dL/dz (notebook 02)."""

from functools import partial

import ipywidgets as ipw
import numpy as np

from ..example import worked_example
from ..losses import cross_entropy, cross_entropy_backward, softmax
from ..validate import as_float_array, as_int, check_ndim
from ._grid import GridView, entry, grid_spec, key


class SoftmaxPlayground(ipw.VBox):
    """Move the class scores and watch softmax, the cross-entropy loss and dL/dz (notebook 02).

    Parameters
    ----------
    logits : array of shape (K,) or (1, K), optional
        Class scores; the worked example's four (Y flattened row by row) by default.
    label : int, optional
        The true class t, 0-based; the worked example's by default (class 0 for other logits).

    Attributes
    ----------
    sliders : list of ipywidgets.FloatSlider, one per class
    label_picker : ipywidgets.Dropdown
    view : GridView
        One-column grids ``p`` (probabilities) and ``dz`` (dL/dz = p - T), one row per class; the true
        class's row is pinned, and clicking a row makes that class the true one.

    :attr:`p`, :attr:`loss` and :attr:`dlogits` are computed by :func:`cnnlearn.softmax`,
    :func:`cnnlearn.cross_entropy` and :func:`cnnlearn.cross_entropy_backward` for one example (N = 1).
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
        self.label_picker = ipw.Dropdown(options=[(f"the class scored by {n} (class {k})", k)
                                                  for k, n in enumerate(self.names)],
                                         value=self._label, description="true class t",
                                         style={"description_width": "initial"}, layout=ipw.Layout(width="28em"))
        self.view = GridView(caption="Softmax playground", legend={
            "selected": "the true class t", "note": "Click a class's row to make it the true class."})
        self._busy = False
        for k, s in enumerate(self.sliders):
            s.observe(partial(self._slid, k), names="value")
        self.label_picker.observe(self._picked, names="value")
        self.view.observe(self._clicked, names="selected")
        self.add_class("cnnlearn-widget")
        self.add_class("cnnlearn-softmax")
        self.children = [ipw.HTML('<div class="cnnlearn-title">Class scores z (logits)</div>'),
                         *self.sliders, self.label_picker, self.view]
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
        """dL/dz = p - T (T the one-hot label), shape (1, K)."""
        return cross_entropy_backward(self._z[None], [self._label])

    def set_logits(self, values):
        """Set every class score at once; ``values`` of shape (K,) or (1, K)."""
        z = as_float_array(values, "values")
        z = z.reshape(-1) if z.ndim == 2 else z
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

    def _clicked(self, change):
        sel = change["new"]
        if not sel:  # Escape in the browser: the true class stays pinned
            self.view.selected = ["p", self._label, 0]
        elif int(sel[1]) != self._label:
            self.set_label(int(sel[1]))

    def _render(self):
        p, dz = self.p[0], self.dlogits[0]
        K, t = len(self.names), self._label
        loss = f"loss L = \u2212log p({self.names[t]}) = {self.loss:.4f}"
        info = (f"{loss} (one example, N = 1; dL/dz = p \u2212 T, so only the true class gets a negative "
                "gradient).")
        ptext = [[f"{v:.4f}"] for v in p]
        dtext = [[f"{v:+.4f}"] for v in dz]
        star = [" (the true class)" if k == t else "" for k in range(K)]
        grids = [grid_spec("p", p[:, None], "p = softmax(z)", texts=ptext, scale=1.0,
                           row_labels=[f"{n}{' ★ true class' if k == t else ''}" for k, n in enumerate(self.names)],
                           labels=[[f"p({n}) = {ptext[k][0]}{star[k]}"] for k, n in enumerate(self.names)]),
                 grid_spec("dz", dz[:, None], "dL/dz = p \u2212 T", texts=dtext, scale=1.0,
                           labels=[[f"dL/d{n} = {dtext[k][0]}{star[k]}"] for k, n in enumerate(self.names)])]
        lookup = {}
        for k, n in enumerate(self.names):
            e = entry({"p": [(k, 0)], "dz": [(k, 0)]}, None, "", f"{n}: p = {ptext[k][0]}, dL/d{n} = {dtext[k][0]}. "
                      + info)
            lookup[key("p", k, 0)] = lookup[key("dz", k, 0)] = e
        with self.view.hold_sync():
            self.view.grids, self.view.lookup = grids, lookup
            self.view.selected = ["p", t, 0]
        self._loss_text = loss
