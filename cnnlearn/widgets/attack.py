r"""AttackExplorer: the fast gradient sign method on one digit, with an eps slider drawn in the browser (notebook 09).

Python computes everything once: dL/dX with :func:`cnnlearn.saliency.input_gradient`, then for each
eps the attacked image X_adv = clip(X + eps · sign(dL/dX), 0, 1) with :func:`cnnlearn.saliency.fgsm`
and the network's probabilities with :func:`cnnlearn.saliency.predict`. The widget ships one frame per
eps (pixel colours, texts, accessible names); ``attack.js`` only draws the frame the slider points at,
so moving the slider answers in the same frame, with no kernel, in a notebook and on the offline pages.

CSS contract, relied on by tests that drive a real browser:

- the root carries ``cnnlearn-widget`` and ``cnnlearn-attack``;
- the eps slider is the ``<input type="range">`` with class ``cnnlearn-attack-eps`` (its value is the
  0-based index into :attr:`AttackExplorer.epsilons`); the status line is ``.cnnlearn-attack-status``;
- the three pictures (``role="img"``) are ``.cnnlearn-attack-clean``, ``.cnnlearn-attack-delta``
  (X_adv − X) and ``.cnnlearn-attack-adv``;
- pixel ``(row, col)`` (0-based) of the attacked digit is ``.cnnlearn-adv-<row>-<col>`` with
  ``data-ink`` (its ink, 4 decimals); of the perturbation ``.cnnlearn-delta-<row>-<col>`` with
  ``data-value`` (signed, 4 decimals); of the clean digit ``.cnnlearn-clean-<row>-<col>`` with ``data-ink``.
"""

import numbers

import numpy as np
import traitlets as t

from .. import saliency
from ..notation import plural
from ..validate import as_float_array, as_int, check_ndim
from ._grid import anywidget, css, diverging, esm, mix

#: The default epsilons: 0, 0.01, ..., 0.30.
EPSILONS = tuple(round(0.01 * k, 2) for k in range(31))
DELTA_TITLE = "X_adv \u2212 X"


def _eps_text(eps):
    """``0.10`` for steps of 0.01, more digits only where they are needed (``0.025``)."""
    return f"{eps:.2f}" if abs(eps - round(eps, 2)) < 1e-12 else f"{eps:.4g}"


def _shown(a):
    """The picture of one image of shape (C, H, W): channel 0, or the largest over channels for C > 1."""
    return a.max(axis=0)


def _signed_shown(d):
    """The perturbation of shape (C, H, W) as a picture (H, W): per pixel the channel entry of largest size."""
    k = np.abs(d).argmax(axis=0)
    return np.take_along_axis(d, k[None], axis=0)[0]


def _ink(a):
    """Colours of ink in [0, 1] as ``cmap="gray_r"`` draws them: white at 0, black at 1; and the ink texts."""
    a = np.clip(a, 0.0, 1.0)
    return ([[mix("#ffffff", "#000000", float(v)) for v in row] for row in a],
            [[f"{v:.4f}" for v in row] for row in a])


def _check_epsilons(epsilons):
    e = as_float_array(EPSILONS if epsilons is None else epsilons, "epsilons")
    check_ndim(e, "epsilons", (1,), "(E,), a 1-D sequence of numbers >= 0 in increasing order")
    if e.size == 0:
        raise ValueError("epsilons must hold at least one eps, got an empty sequence")
    if e.min() < 0:
        raise ValueError(f"epsilons must all be >= 0 (a step in pixel units), got {e.tolist()}")
    if e.size > 1 and not np.all(np.diff(e) > 0):
        raise ValueError(f"epsilons must be strictly increasing (no repeats), got {e.tolist()}")
    return tuple(float(v) for v in e)


class AttackExplorer(anywidget.AnyWidget):
    r"""One digit attacked by FGSM; an eps slider shows the perturbation, X_adv and the prediction (notebook 09).

    Parameters
    ----------
    net : Sequential
        A trained network mapping (N, C, H, W) to logits (N, K), e.g. ``digits_net.load_or_train()``.
        Its stored gradients (``net.grads``) are overwritten by the one backward pass, as by any training step.
    x : array of shape (1, C, H, W)
        One image, pixels in [0, 1] (the digits are (1, 1, 8, 8)); ``x_test[n:n + 1]`` keeps the batch axis.
    label : int
        Its true class t, 0..K-1.
    epsilons : 1-D sequence of numbers >= 0, strictly increasing, optional
        The eps the slider offers; :data:`EPSILONS` (0, 0.01, ..., 0.30) by default.

    Notes
    -----
    dL/dX is computed once, on the clean image, at the true label; each eps then gives
    X_adv = clip(X + eps · sign(dL/dX), 0, 1), so no pixel moves by more than eps. Pictures show
    channel 0 (the largest over channels when C > 1; for X_adv − X the entry of largest size). The
    perturbation's colours are scaled to the largest eps, so their strength grows with eps.

    Synced traits: ``frames`` (one dict per eps: texts, pixel colours and values, accessible names),
    ``index`` (the shown eps, set by the slider in the browser), ``clean`` (the clean digit's picture),
    ``true_label``, ``caption``, ``delta_title`` and ``legend`` (the perturbation's colour scale).
    """

    _esm = esm("attack.js")
    _css = css("attack.css")

    frames = t.List().tag(sync=True)
    index = t.Int(0).tag(sync=True)
    clean = t.Dict().tag(sync=True)
    true_label = t.Int(0).tag(sync=True)
    caption = t.Unicode("").tag(sync=True)
    delta_title = t.Unicode(DELTA_TITLE).tag(sync=True)
    legend = t.Dict().tag(sync=True)

    def __init__(self, net, x, label, epsilons=None):
        x = as_float_array(x, "x")
        check_ndim(x, "x", (4,), "(1, C, H, W), one image with its batch axis (x_test[n:n + 1])")
        if x.shape[0] != 1:
            raise ValueError(f"x must have shape (1, C, H, W), one image; got shape {x.shape} "
                             f"({x.shape[0]} images): pass x[n:n + 1]")
        if x.size == 0:
            raise ValueError(f"x must not be empty, got shape {x.shape}")
        if x.min() < 0 or x.max() > 1:
            raise ValueError(f"x must hold pixels in [0, 1] (FGSM clips X_adv to that range), "
                             f"got values from {x.min():g} to {x.max():g}")
        x = x.copy()  # as_float_array may return the caller's own array
        epsilons = _check_epsilons(epsilons)
        K = saliency.predict(net, x).shape[1]
        label = as_int(label, "label", minimum=0)
        if label >= K:
            raise ValueError(f"label must be a class in 0..{K - 1} (the network has {K} classes), got {label}")
        dx = saliency.input_gradient(net, x, labels=label)
        self._x, self._epsilons, self._label = x, epsilons, label
        self._adv = [saliency.fgsm(x, dx, eps) for eps in epsilons]
        self._p = [saliency.predict(net, x_adv)[0] for x_adv in self._adv]
        colours, ink = _ink(_shown(x[0]))
        H, W = x.shape[2:]
        scale = max(epsilons)
        stops = [[f"{sign}{_eps_text(abs(v) * scale)}" if v else "0", *diverging(v * scale, scale)]
                 for v, sign in ((-1, "\u2212"), (-0.5, "\u2212"), (0, ""), (0.5, "+"), (1, "+"))]
        super().__init__(
            frames=[self._frame(eps, x_adv, p, scale) for eps, x_adv, p in zip(epsilons, self._adv, self._p)],
            clean={"title": f"the digit {label}", "colours": colours, "ink": ink, "rows": H, "cols": W,
                   "alt": f"The digit {label}, the clean image the attack starts from, {H} by {W} pixels"},
            true_label=label, caption=f"The fast gradient sign method on the digit {label}",
            legend={"title": f"X_adv \u2212 X, full colour at \u00b1{_eps_text(scale)} (the largest eps):",
                    "stops": stops,
                    "note": "vermilion: ink added, blue: ink taken away"})
        self.add_class("cnnlearn-widget")
        self.add_class("cnnlearn-attack")

    def _frame(self, eps, x_adv, p, scale):
        """Everything the browser shows for one eps."""
        e, true, k = _eps_text(eps), self._label, int(p.argmax())
        pct = f"{p[k]:.0%}"
        adv_colours, adv_ink = _ink(_shown(x_adv[0]))
        d = _signed_shown(x_adv[0] - self._x[0])
        up, down = int((d > 0).sum()), int((d < 0).sum())
        if k == true:
            verdict = "still right"
        else:
            verdict = "wrong even without an attack" if eps == 0 else "fooled"
        return {
            "eps": eps, "eps_text": e, "valuetext": f"eps {e}", "predicted": k, "p_text": pct,
            "wrong": k != true,
            "adv_title": f"X_adv: read as {k} ({pct})",
            "adv_alt": f"The attacked digit for eps {e}, which the network reads as {k} with probability {pct}"
                       + ("" if k == true else f", not as the true digit {true}"),
            "adv_colours": adv_colours, "adv_ink": adv_ink,
            "delta_alt": f"The perturbation X_adv \u2212 X for eps {e}: {plural(up, 'pixel')} got more ink "
                         f"(vermilion), {down} less (blue), {d.size - up - down} unchanged; "
                         f"none moved by more than {e}",
            "delta_colours": [[diverging(v, scale)[0] for v in row] for row in d],
            "delta_values": [[f"{v:+.4f}" for v in row] for row in d],
            "status": f"eps {e}: the network reads {k} with probability {pct} (the true digit is {true}), {verdict}.",
        }

    @t.validate("index")
    def _valid_index(self, proposal):
        k = proposal["value"]
        if not 0 <= k < max(len(self.frames), 1):
            raise t.TraitError(f"index must be in 0..{len(self.frames) - 1}, got {k}")
        return k

    @property
    def epsilons(self):
        """The eps the slider offers, a tuple of floats."""
        return self._epsilons

    @property
    def label(self):
        """The true class t."""
        return self._label

    @property
    def eps(self):
        """The shown eps."""
        return self._epsilons[self.index]

    def set_eps(self, eps):
        """Show ``eps``, one of :attr:`epsilons`."""
        if isinstance(eps, (bool, np.bool_)) or not isinstance(eps, numbers.Real):
            raise TypeError(f"eps must be a number, one of {self._allowed()}; got {eps!r}")
        matches = [k for k, e in enumerate(self._epsilons) if abs(e - float(eps)) <= 1e-9]
        if not matches:
            raise ValueError(f"eps must be one of the widget's epsilons {self._allowed()}, got {eps!r}")
        self.index = matches[0]

    def _allowed(self):
        return "(" + ", ".join(_eps_text(e) for e in self._epsilons) + ")"

    @property
    def x_adv(self):
        """The attacked image for the shown eps, shape (1, C, H, W) (a copy)."""
        return self._adv[self.index].copy()

    @property
    def probabilities(self):
        """The network's class probabilities p for the shown X_adv, shape (K,) (a copy)."""
        return self._p[self.index].copy()

    @property
    def predictions(self):
        """The class the network reads for each eps of :attr:`epsilons`, a tuple of ints."""
        return tuple(int(p.argmax()) for p in self._p)

    @property
    def predicted(self):
        """The class the network reads in the shown X_adv (an int)."""
        return int(self._p[self.index].argmax())
