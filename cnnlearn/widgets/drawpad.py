r"""DrawingPad: draw a digit, see what the network reads and where it looks (notebook 09).

The drawing happens in the browser (``drawpad.js``): a stroke of the mouse, a finger or the keyboard
inks the pad's pixels in the same frame, with no kernel. Each change is sent to Python as the synced
``image`` with a new ``revision``; Python runs the network's forward and backward pass on it
(:func:`cnnlearn.saliency.predict` and :func:`cnnlearn.saliency.saliency`) and sends back ``answer``:
the class probabilities, the saliency map's colours and the sentences the page shows, stamped with
the revision they are for. Only that answer needs the kernel; without one (an offline page) the pad
still draws and says that the prediction needs a running notebook.

CSS contract, relied on by tests that drive a real browser:

- the root carries ``cnnlearn-widget`` and ``cnnlearn-drawpad``;
- pad pixel ``(r, c)`` (0-based) carries ``cnnlearn-ink-<r>-<c>`` and ``data-ink`` (its value, 0..1);
- saliency pixel ``(r, c)`` carries ``cnnlearn-sal-<r>-<c>``; probability row ``k`` carries
  ``cnnlearn-prob-<k>`` and ``data-p`` (the probability), the predicted one also ``cnnlearn-top``;
- the tool buttons are ``.cnnlearn-tool`` (``data-tool`` one of ``ink, half, erase``, ``aria-pressed``),
  the clear button ``.cnnlearn-clear``, the status line ``.cnnlearn-drawpad-status``;
- the root's ``data-revision`` is the drawing's revision, ``data-answered`` the revision of the answer shown.
"""

import numpy as np
import traitlets as t
from matplotlib import colormaps, colors

from ..saliency import predict, saliency
from ..validate import as_float_array, check_ndim
from ._grid import anywidget, css, esm

#: The pen's ink per tool: full ink, half ink (the digits' soft stroke edges), and no ink.
TOOLS = {"ink": 1.0, "half": 0.5, "erase": 0.0}


def _pixels(image, name, shape=None):
    """``image`` as a float array of shape (H, W) with values in [0, 1] (a new array)."""
    a = as_float_array(image, name).astype(np.float64)
    check_ndim(a, name, (2,), "(H, W): one drawing, a row of ink values (0 to 1) per pixel row")
    if shape is not None and a.shape != shape:
        raise ValueError(f"{name} must have the pad's shape {shape}, got {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if a.min() < 0 or a.max() > 1:
        raise ValueError(f"{name} must hold ink values from 0 (blank) to 1 (full ink), got values from "
                         f"{a.min():g} to {a.max():g}")
    return a.copy()


def _percent(p):
    return f"{100 * p:.1f}%"


class DrawingPad(anywidget.AnyWidget):
    r"""An 8x8 drawing pad beside the network's class probabilities and the saliency map of the drawing.

    Parameters
    ----------
    net : Sequential
        A network that maps images of shape (1, 1, H, W) to logits of shape (1, K), such as
        :func:`cnnlearn.digits_net.load_or_train`'s.
    image : array of shape (H, W), optional
        The drawing to start from, ink values 0 (blank) to 1 (full ink); a blank 8x8 pad by default.
        A test digit ``x_test[n, 0]`` is a good start. It is copied, never changed.

    Attributes
    ----------
    x : array of shape (1, 1, H, W)
        The drawing as the network takes it (a copy): ``net.forward(pad.x)``.
    probabilities : array of shape (K,)
        softmax of the network's logits for the drawing.
    predicted : int
        The class the network reads.
    saliency_map : array of shape (H, W)
        |∂z_k/∂X| for k the predicted class.

    Notes
    -----
    The browser adds one to ``revision`` with every change it sends; Python answers for that revision.
    :meth:`set_image` and :meth:`clear` are the Python side of drawing (a notebook cell or a test).
    """

    _esm = esm("drawpad.js")
    _css = css("drawpad.css")

    image = t.List().tag(sync=True)      # rows of ink values in [0, 1]
    revision = t.Int(0).tag(sync=True)   # the drawing's version: one more per change
    answer = t.Dict().tag(sync=True)     # what the network says about the drawing of answer["revision"]
    tool = t.Unicode("ink").tag(sync=True)
    tools = t.Dict(TOOLS).tag(sync=True)

    def __init__(self, net, image=None):
        if not (hasattr(net, "forward") and hasattr(net, "backward")):
            raise TypeError(f"net must be a network with forward and backward methods (a cnnlearn Sequential), "
                            f"got {net!r} ({type(net).__name__})")
        start = np.zeros((8, 8)) if image is None else _pixels(image, "image")
        self.net = net
        self._shape = start.shape
        self._done = None
        super().__init__(image=start.tolist())
        self.add_class("cnnlearn-widget")
        self.add_class("cnnlearn-drawpad")
        self.observe(self._drawn, names=["image", "revision"])
        self._drawn(None)

    @t.validate("image")
    def _valid_image(self, proposal):
        shape = getattr(self, "_shape", None)
        return _pixels(proposal["value"], "image", shape).tolist()

    @t.validate("tool")
    def _valid_tool(self, proposal):
        if proposal["value"] not in TOOLS:
            raise t.TraitError(f"tool must be one of {', '.join(map(repr, TOOLS))}, got {proposal['value']!r}")
        return proposal["value"]

    # ------------------------------------------------------------------ the Python side of drawing

    def set_image(self, image):
        """Replace the drawing by ``image`` of shape (H, W), ink 0 to 1 (copied); the page shows it at once."""
        a = _pixels(image, "image", self._shape)
        with self.hold_sync():
            self.revision += 1
            self.image = a.tolist()

    def clear(self):
        """A blank pad."""
        self.set_image(np.zeros(self._shape))

    @property
    def x(self):
        return np.array(self.image, dtype=np.float64)[None, None]

    @property
    def probabilities(self):
        return self._p.copy()

    @property
    def predicted(self):
        return int(self._p.argmax())

    @property
    def saliency_map(self):
        return self._s.copy()

    # ------------------------------------------------------------------ the answer

    def _drawn(self, change):
        done = (self.revision, tuple(map(tuple, self.image)))
        if done == self._done:  # the browser changed image and revision in one message: answer once
            return
        self._done = done
        x = self.x
        self._p = predict(self.net, x)[0]
        k = self.predicted
        self._s = saliency(self.net, x, k)[0]
        self.answer = self._answer(k)

    def _answer(self, k):
        p, s = self._p, self._s
        H, W = s.shape
        top = s.max()
        hot = colormaps["hot"]
        shade = [[colors.to_hex(hot(v / top if top > 0 else 0.0)) for v in row] for row in s]
        order = np.argsort(-s, axis=None, kind="stable")[:3]
        where = ", ".join(f"row {i + 1} column {j + 1}" for i, j in zip(*np.unravel_index(order, s.shape)))
        blank = not np.any(self.x)
        summary = (f"The network reads {k} with probability {_percent(p[k])}"
                   + (" (the pad is blank: draw a digit)." if blank else "."))
        return {
            "revision": self.revision,
            "predicted": k,
            "probs": [[str(j), float(v), _percent(v)] for j, v in enumerate(p)],
            "saliency": shade,
            "saliency_title": f"where it looks: |∂z{k}/∂X|",
            "saliency_alt": (f"Saliency map of class {k} for the drawing, {H} by {W} pixels, bright where a small "
                             f"change of the pixel moves the score of {k} most: brightest at {where}."),
            "summary": summary,
        }
