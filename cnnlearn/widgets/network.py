r"""NetworkExplorer: the whole trained network for one image, forward and backward, drawn in the browser
(notebooks 07 and 09).

One column per layer (the image a0, each layer's output a1, a2, ..., the logits z, then p or what is
backpropagated), every unit a small square coloured on a diverging scale centred on 0, each column scaled to
its own largest size. The forward view shows the values, the backward view dL/d(each column) for the loss at
the true label t or for one class score z_k. Hovering or focusing a unit traces it: in the forward view the
units of the layer below it reads and, through every layer, its receptive field down to the image; in the
backward view the units of the layer above that send it gradient (and, through every layer, all the units its
gradient comes from), with the chain-rule sum of that unit and its biggest terms in the caption.

Python computes everything once, with :class:`cnnlearn.trace.Trace` (the network's own forward and backward)
and :func:`cnnlearn.trace.fields`, and ships it: the values as texts and colour levels per frame (one frame per
image and view), which units each unit reads and feeds as one list per axis, and the caption templates with
the numbers they take. ``network.js`` only draws and looks up, so hovering needs no kernel, in a notebook and on
the offline pages. Only what was not computed beforehand (another class score, a new drawing on notebook 09's
DrawingPad) asks Python.

CSS contract, relied on by tests that drive a real browser:

- the root carries ``cnnlearn-widget`` and ``cnnlearn-network``; its ``data-frame`` is the key of the frame
  shown (``"<input>:forward"``, ``"<input>:loss"`` or ``"<input>:<k>"``);
- unit ``(c, i, j)`` (0-based) of column ``a<L>`` (or ``p``, ``L``) carries ``cnnlearn-<key>-<c>-<i>-<j>`` and
  ``data-v`` (its text); each column is a ``role="grid"`` ``.cnnlearn-column`` with ``data-key``;
- while a unit is traced it carries ``cnnlearn-here`` and ``cnnlearn-hl``, every unit it lights up ``cnnlearn-hl``
  (those of the next layer also ``cnnlearn-near``, the senders of the biggest terms ``cnnlearn-term``), except
  where it lights a whole column up: that column's ``.cnnlearn-column-wrap`` carries ``cnnlearn-all`` (and
  ``cnnlearn-near``) instead; every column the trace reaches carries ``cnnlearn-reached``, the others fade; a
  pinned unit carries ``cnnlearn-sel``;
- the caption is ``.cnnlearn-network-caption`` (one ``div`` per line); the controls are the buttons
  ``.cnnlearn-view-button`` (``data-view``), the selects ``.cnnlearn-input-select`` and
  ``.cnnlearn-target-select``; the status line is ``.cnnlearn-network-status``;
- prediction mode (``quiz.js``, as in the grid widgets): the question is ``.cnnlearn-quiz`` (``data-kind``,
  ``data-about``, ``data-grids``, ``data-state``), the columns it asks about carry ``cnnlearn-quiz-column``, a
  unit the student chose ``cnnlearn-guess`` and, once checked, ``cnnlearn-quiz-right``, ``cnnlearn-quiz-missed``
  or ``cnnlearn-quiz-extra`` (with a glyph, and the same words in its accessible name).
"""

import json

import numpy as np
import traitlets as t

from .. import trace as tr
from ..trace_text import column_specs, encode_fields, fill, frame_text, page_texts
from ..trace_text import unit_name as name_of
from ..validate import as_float_array, as_int, check_ndim
from ._grid import anywidget, css, diverging, esm, scale_legend, text_on

VIEWS = ("forward", "backward")
LEVELS = 12  # colour levels on each side of 0
MAX_IMAGES = 8


def palette():
    """The colour of each level -LEVELS..LEVELS as ``[background, text]``; level ``v`` has code chr(65 + LEVELS + v)."""
    return [[bg, text_on(bg)] for bg in (diverging(v, LEVELS)[0] for v in range(-LEVELS, LEVELS + 1))]


def levels(a, scale):
    """The colour codes of the values ``a``: 0 exactly is white, any other value at least one level from it."""
    a = np.asarray(a, dtype=float).ravel()
    if scale == 0:
        return "".join(chr(65 + LEVELS) for _ in a)
    lv = np.clip(np.round(LEVELS * a / scale), -LEVELS, LEVELS).astype(int)
    lv = np.where((lv == 0) & (a != 0), np.sign(a).astype(int), lv)
    return "".join(chr(65 + LEVELS + int(v)) for v in lv)


def _unit(col, unit):
    """``unit`` of ``col`` as a checked ``(c, i, j)``: a triple, or the flat index n = c H W + i W + j."""
    C, H, W = col.shape
    if isinstance(unit, (int, np.integer)) and not isinstance(unit, (bool, np.bool_)):
        n = int(unit)
        if not 0 <= n < C * H * W:
            raise ValueError(f"unit must be an entry 0..{C * H * W - 1} of column {col.key} ({col.title}, "
                             f"{C * H * W} units), got {n}")
        return tuple(int(v) for v in np.unravel_index(n, (C, H, W)))
    try:
        c, i, j = unit
    except (TypeError, ValueError):
        raise TypeError(f"unit must be (c, i, j), 0-based map, row and column, or a flat index; got {unit!r}") from None
    c, i, j = (as_int(v, f"unit[{k}]", minimum=0) for k, v in enumerate((c, i, j)))
    if c >= C or i >= H or j >= W:
        raise ValueError(f"unit {(c, i, j)} is outside column {col.key} ({col.title}) of shape (C, H, W) = "
                         f"{(C, H, W)}; indices are 0-based")
    return c, i, j


class NetworkExplorer(anywidget.AnyWidget):
    r"""The whole network for one image: forward values or backward gradients, every unit traceable.

    Parameters
    ----------
    net : Sequential
        A trained network of Conv2D, ReLU, MaxPool2D, Flatten and Linear layers ending in the K class scores,
        such as ``digits_net.load_or_train()``. Its layers' caches and stored gradients are overwritten, as by
        any forward and backward pass.
    x : array of shape (N, C, H, W)
        The images to pick from (1 to 8), such as ``x_test[:4]``; copied, never changed.
    labels : array of shape (N,)
        Their true classes t, 0..K-1.
    view : {"forward", "backward"}
    target : "loss", "predicted" or a class k
        What the backward view backpropagates: the loss at the true label, the score z_k of the class the
        network predicts for the shown image, or the score z_k of class k.
    pad : DrawingPad, optional
        Notebook 09's pad; its drawing becomes one more input, recomputed whenever it changes (:meth:`follow`).

    Notes
    -----
    For each image three frames are computed and shipped: the forward values, the gradients of the loss, and
    the gradients of the predicted class's score. Any other class score, and the pad's drawing, are computed
    when the page shows them, which needs the kernel. :meth:`state_size` measures what the page receives.
    """

    _esm = esm("quiz.js", "network.js")
    _css = css("quiz.css", "network.css")

    columns = t.List().tag(sync=True)
    fields = t.Dict().tag(sync=True)
    palette = t.List().tag(sync=True)
    inputs = t.List().tag(sync=True)
    frames = t.Dict().tag(sync=True)
    extra = t.Dict().tag(sync=True)  # frames computed after the page was built: the pad's, other class scores
    input = t.Unicode("0").tag(sync=True)
    view = t.Unicode("forward").tag(sync=True)
    target = t.Unicode("loss").tag(sync=True)
    selected = t.List().tag(sync=True)  # the pinned unit [key, c, i, j], or []
    request = t.Unicode("").tag(sync=True)  # a frame key the page needs and does not have
    texts = t.Dict().tag(sync=True)  # the page's words: legend, buttons, status
    # prediction mode (quiz.js): {"question", "answer": [[key, c, i, j], ...], "grids": [keys], "explanation",
    # "reveal": [key, c, i, j] or [], "kind", "about"}; the student's choices come back in quiz_guess
    quiz = t.Dict().tag(sync=True)
    quiz_guess = t.List().tag(sync=True)
    quiz_checked = t.Bool(False).tag(sync=True)

    def __init__(self, net, x, labels, *, view="forward", target="loss", pad=None):
        x = as_float_array(x, "x")
        check_ndim(x, "x", (4,), "(N, C, H, W): the images to pick from, such as x_test[:4]")
        if not 1 <= x.shape[0] <= MAX_IMAGES:
            raise ValueError(f"x must hold 1 to {MAX_IMAGES} images (each adds about 100 KB to the page), got "
                             f"{x.shape[0]} (shape {x.shape})")
        self._x = x.astype(np.float64, copy=True)
        self._traces = [tr.Trace(net, img) for img in self._x]
        K = self._traces[0].K
        labels_arr = np.asarray(labels)
        if labels_arr.shape != (x.shape[0],) or not np.issubdtype(labels_arr.dtype, np.integer) \
                or isinstance(labels, (bool, np.bool_)):
            raise ValueError(f"labels must be {x.shape[0]} integer classes (one per image of x), got {labels!r}")
        if labels_arr.min() < 0 or labels_arr.max() >= K:
            raise ValueError(f"labels must be classes in 0..{K - 1} (the network has {K} classes), "
                             f"got {labels_arr.tolist()}")
        self.net = net
        self._labels = [int(v) for v in labels_arr]
        self._cols = self._traces[0].columns
        self._fields = tr.fields(self._cols)
        self._pad, self._pad_trace = None, None
        frames = {}
        for n in range(len(self._traces)):
            frames.update(self._frames(str(n)))
        super().__init__(
            columns=column_specs(self._cols, self._fields), palette=palette(),
            fields=encode_fields(self._fields, [c.shape for c in self._cols]),
            inputs=[self._input_entry(str(n)) for n in range(len(self._traces))], frames=frames,
            texts=page_texts(scale_legend(1.0)))
        self.add_class("cnnlearn-widget")
        self.add_class("cnnlearn-network")
        self.observe(self._requested, names="request")
        self.show(view=view, target=target)
        if pad is not None:
            self.follow(pad)

    # ------------------------------------------------------------------ computing frames

    def _trace(self, ident):
        return self._pad_trace if ident == "pad" else self._traces[int(ident)]

    def _label(self, ident):
        """The label the loss is taken at: the true one, or for the pad (which has none) the network's answer."""
        return self._trace(ident).predicted if ident == "pad" else self._labels[int(ident)]

    def _input_entry(self, ident):
        trc = self._trace(ident)
        k, p = trc.predicted, trc.probabilities
        label = self._label(ident)
        if ident == "pad":
            text = f"your drawing on the pad: read as {k} ({p[k]:.1%})"
            loss = f"the loss L at the network's answer {k} (a drawing has no true label)"
        else:
            verdict = "right" if k == label else "wrong"
            text = f"image {int(ident) + 1}: a {label}, read as {k} ({p[k]:.1%}, {verdict})"
            loss = f"the loss L at the true label t = {label}"
        return {"id": ident, "text": text, "loss": loss, "predicted": str(k),
                "score": f"the score z{k} of its prediction {k}"}

    def _frames(self, ident, targets=(tr.LOSS, "predicted")):
        trc = self._trace(ident)
        out = {f"{ident}:forward": self._frame(trc, "forward", None, ident)}
        for target in targets:
            k = trc.predicted if target == "predicted" else target
            out[f"{ident}:{k}"] = self._frame(trc, "backward", k, ident)
        return out

    def _frame(self, trc, view, target, ident):
        return frame_text(trc, view, target, self._label(ident), self._fields, levels)

    def _key(self, ident=None, view=None, target=None):
        ident = self.input if ident is None else ident
        view = self.view if view is None else view
        target = self.target if target is None else target
        if view == "forward":
            return f"{ident}:forward"
        return f"{ident}:{self._trace(ident).predicted if target == 'predicted' else target}"

    def _requested(self, change):
        """The page asks for a frame it lacks (``request``): compute it, then clear the request, so that the
        same key asked again (after a new drawing) is asked anew."""
        key = change["new"]
        if not key:
            return
        ident, _, what = key.partition(":")
        known = ident == "pad" and self._pad_trace is not None or ident.isdigit() and int(ident) < len(self._traces)
        if known and (what in ("forward", tr.LOSS) or what.isdigit() and int(what) < self._traces[0].K):
            self._ensure(key)
        self.request = ""

    def _ensure(self, key):
        """Compute frame ``key`` and its image's forward frame (the backward captions use it) where missing. The
        extra frames kept are the pad's, for its drawing now, and the last one asked for of another image."""
        ident, what = key.split(":")
        wanted = [k for k in (f"{ident}:forward", key) if k not in self.frames and k not in self.extra]
        if not wanted:
            return
        keep = {k: v for k, v in self.extra.items() if k.startswith("pad:") or k.startswith(f"{ident}:")}
        trc = self._trace(ident)
        for k in wanted:
            w = k.split(":")[1]
            keep[k] = self._frame(trc, "forward", None, ident) if w == "forward" else \
                self._frame(trc, "backward", tr.LOSS if w == tr.LOSS else int(w), ident)
        self.extra = keep

    # ------------------------------------------------------------------ the pad

    def follow(self, pad):
        """Add ``pad``'s drawing (a :class:`cnnlearn.widgets.DrawingPad`) as an input and follow its changes: the
        drawing's frames are computed when the explorer shows it, again after every change."""
        if not hasattr(pad, "x") or not hasattr(pad, "observe") or not hasattr(pad, "answer"):
            raise TypeError(f"pad must be a cnnlearn.widgets.DrawingPad, got {pad!r} ({type(pad).__name__})")
        if self._pad is not None:
            self._pad.unobserve(self._pad_moved, names="answer")
        self._pad = pad
        pad.observe(self._pad_moved, names="answer")
        self._pad_moved(None)

    def _pad_moved(self, change):
        self._pad_trace = tr.Trace(self.net, self._pad.x)
        with self.hold_sync():
            self.extra = {k: v for k, v in self.extra.items() if not k.startswith("pad:")}
            self.inputs = [e for e in self.inputs if e["id"] != "pad"] + [self._input_entry("pad")]
            if self.input == "pad":
                self._ensure(self._key())

    # ------------------------------------------------------------------ the Python API

    def show(self, input=None, view=None, target=None):
        """Show image ``input`` (0-based index into x, or ``"pad"``), ``view`` ("forward" or "backward") and
        ``target`` ("loss", "predicted" or a class k); arguments left None stay as they are."""
        with self.hold_sync():
            if input is not None:
                ident = "pad" if input == "pad" else str(as_int(input, "input", minimum=0))
                if ident == "pad" and self._pad_trace is None:
                    raise ValueError("input 'pad' needs a DrawingPad: call follow(pad) first")
                if ident != "pad" and int(ident) >= len(self._traces):
                    raise ValueError(f"input must be an image 0..{len(self._traces) - 1} of x, or 'pad', "
                                     f"got {input!r}")
                self.input = ident
            if view is not None:
                if view not in VIEWS:
                    raise ValueError(f"view must be one of {VIEWS}, got {view!r}")
                self.view = view
            if target is not None:
                if target in (tr.LOSS, "predicted"):
                    self.target = target
                else:
                    self.target = str(self._traces[0].check_target(target))
            self._ensure(self._key())

    def _index(self, column):
        keys = [c.key for c in self._cols]
        if isinstance(column, str) and column in keys:
            return keys.index(column)
        if isinstance(column, (int, np.integer)) and not isinstance(column, (bool, np.bool_)) \
                and 0 <= column < len(keys):
            return int(column)
        raise ValueError(f"column must be one of {', '.join(map(repr, keys))} (or its index), got {column!r}")

    def _col(self, column):
        """The index of ``column``, which the shown view must show (p only forward, L only backward)."""
        L = self._index(column)
        if self._cols[L].key == ("L" if self.view == "forward" else "p"):
            raise ValueError(f"column {self._cols[L].key!r} is not shown in the {self.view} view")
        return L

    @property
    def column_keys(self):
        """The keys of the columns, a0 (the image) to the logits, then p (forward view) and L (backward view)."""
        return tuple(c.key for c in self._cols)

    def shape(self, column):
        """The shape (C, H, W) of a column's unit addresses."""
        return self._cols[self._index(column)].shape

    def values(self, column):
        """What the shown view shows in ``column``: values (forward) or gradients (backward), shape (C, H, W)."""
        L = self._col(column)
        trc = self._trace(self.input)
        if self.view == "forward":
            return trc.values[L].copy()
        target = self._key().split(":")[1]
        target = tr.LOSS if target == tr.LOSS else int(target)
        return trc.gradients(target, self._label(self.input) if target == tr.LOSS else None)[L]

    def reads(self, column, unit):
        """``{column key: set of units}``: what ``unit`` of ``column`` reads in every column below it (its receptive
        field, through every layer in between)."""
        L = self._index(column)
        u = _unit(self._cols[L], unit)
        return {self._cols[M].key: tr.units(self._fields[L, M], u) for M in range(L) if (L, M) in self._fields}

    def feeds(self, column, unit):
        """``{column key: set of units}``: what ``unit`` of ``column`` feeds in every column above it, up to the
        logits and what is backpropagated (the units its gradient comes from)."""
        L = self._index(column)
        u = _unit(self._cols[L], unit)
        return {self._cols[M].key: tr.units(self._fields[L, M], u) for M in range(L + 1, len(self._cols))
                if (L, M) in self._fields and self._cols[M].key != "p"}

    def highlighted(self, column, unit):
        """What tracing ``unit`` lights up in the shown view: :meth:`reads` (forward) or :meth:`feeds` (backward)."""
        self._col(column)
        return self.reads(column, unit) if self.view == "forward" else self.feeds(column, unit)

    def caption(self, column, unit):
        """The lines the caption shows while ``unit`` of ``column`` is traced in the shown view."""
        L = self._col(column)
        u = _unit(self._cols[L], unit)
        key = self._key()
        self._ensure(key)
        frames = {**self.frames, **self.extra}
        return fill(self.columns, self._fields, frames[f"{self.input}:forward"], frames[key], self.view, L, u)

    def trace(self, column, unit):
        """Pin ``unit`` of ``column``: the page traces it until another unit is pinned or Escape is pressed."""
        L = self._col(column)
        self.selected = [self._cols[L].key, *_unit(self._cols[L], unit)]

    @property
    def images(self):
        """The images to pick from, shape (N, C, H, W) (a copy)."""
        return self._x.copy()

    @property
    def labels(self):
        return tuple(self._labels)

    def state_size(self):
        """Bytes of the synced state as JSON: what the page receives and the saved notebook stores."""
        state = self.get_state()
        return sum(len(json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode())
                   for k, v in state.items() if k not in ("_esm", "_css"))


    # ------------------------------------------------------------------ predict, then see (quiz.js)

    def _quiz_unit(self, column, unit):
        L = self._index(column)
        return [self._cols[L].key, *_unit(self._cols[L], unit)]

    def unit_name(self, column, unit):
        """The name the page gives ``unit`` of ``column`` (1-based), such as ``a3[5,2,3]``."""
        L = self._index(column)
        return name_of(self.columns[L], _unit(self._cols[L], unit))

    def ask(self, question, answer, *, explanation, reveal=None, view=None, kind="question", about=()):
        """Ask the student to predict before the page shows: ``question`` (a sentence), ``answer`` the units
        ``(column, (c, i, j))`` the student should click, ``explanation`` what the page says once the answer is
        checked, ``reveal`` the unit ``(column, (c, i, j))`` to pin then (its trace shows the answer), in ``view``.

        Until the student presses Check (or Enter), the page traces nothing and writes no caption; clicks and
        Space on units of the answer's columns choose them. Then each unit is marked right, missed or extra.
        ``kind`` and ``about`` (units the question names) describe the question to a program reading the page.
        Returns the widget, so that a cell can end with ``explorer.ask(...)``."""
        if not isinstance(question, str) or not question.strip():
            raise TypeError(f"question must be a sentence (str), got {question!r}")
        cells = [self._quiz_unit(column, unit) for column, unit in answer]
        if not cells:
            raise ValueError("answer must name at least one unit (column, (c, i, j))")
        with self.hold_sync():
            if view is not None:
                self.show(view=view)
            reveal = [] if reveal is None else self._quiz_unit(*reveal)
            self.selected = []
            self.quiz_guess, self.quiz_checked = [], False
            self.quiz = {"question": question, "answer": cells, "grids": sorted({c[0] for c in cells}),
                         "explanation": str(explanation), "reveal": reveal, "kind": str(kind),
                         "about": [self._quiz_unit(*a) for a in about]}
        return self

    def predict_reads(self, column, unit, of="a0"):
        """Ask which units of column ``of`` (the image, by default) ``unit`` of ``column`` reads: its receptive
        field there, computed by :meth:`reads`. Checking pins the unit in the forward view, so that the page
        then traces exactly what the student was asked to predict."""
        below = self._cols[self._index(of)].key
        reads = self.reads(column, unit)
        if below not in reads:
            raise ValueError(f"of must be a column below {column!r} that it reads, one of {sorted(reads)}; "
                             f"got {of!r}")
        name = self.unit_name(column, unit)
        what = "pixels of the image" if below == "a0" else f"units of {below}"
        self.show(view="forward")
        L = self._col(column)
        lines = fill(self.columns, self._fields, self.frames[f"{self.input}:forward"], self.frames[self._key()],
                     "forward", L, _unit(self._cols[L], unit))
        n = len(reads[below])
        explanation = (f"{name} reads {n} {what}: " + "; ".join(lines[1:])
                       + ". Each layer's window widens what the unit below it read.")
        where = "x, the image" if below == "a0" else below  # the image's column is titled x on the page
        return self.ask(f"Which {what} does {name} read? Click each of them in {where}, then press Check "
                        f"(or Enter).", [(below, u) for u in sorted(reads[below])], explanation=explanation,
                        reveal=(column, unit), view="forward", kind="reads", about=[(column, unit)])

    def predict_feeds(self, column, unit, into):
        """Ask which units of column ``into`` (above ``column``) send gradient back to ``unit``: the units it
        feeds there, computed by :meth:`feeds`. Checking pins the unit in the backward view."""
        above = self._cols[self._index(into)].key
        feeds = self.feeds(column, unit)
        if above not in feeds:
            raise ValueError(f"into must be a column above {column!r} that it feeds, one of {sorted(feeds)}; "
                             f"got {into!r}")
        name = self.unit_name(column, unit)
        n = len(feeds[above])
        explanation = (f"{name} feeds 1 unit of {above}, so its gradient has a single term (the chain rule)."
                       if n == 1 else f"{name} feeds {n} units of {above}, so its gradient is a sum of {n} terms, "
                       f"one per unit it feeds (the chain rule).")
        return self.ask(f"Which units of {above} send gradient back to {name}? Click each of them in {above}, "
                        f"then press Check (or Enter).", [(above, u) for u in sorted(feeds[above])],
                        explanation=explanation, reveal=(column, unit), view="backward", kind="feeds",
                        about=[(column, unit)])

    def quiz_result(self):
        """What the student answered: ``{"question", "asked", "checked", "guess", "right", "missed", "extra"}``,
        units as sets of ``(column key, c, i, j)``; ``asked`` is False when no question is set."""
        q = self.quiz
        answer = {tuple(u) for u in q.get("answer", [])}
        guess = {(k, int(c), int(i), int(j)) for k, c, i, j in self.quiz_guess}
        return {"question": q.get("question", ""), "asked": bool(q), "checked": bool(self.quiz_checked),
                "guess": guess, "right": guess & answer, "missed": answer - guess, "extra": guess - answer}

    def clear_quiz(self):
        """Leave prediction mode: the page traces on hover and focus at once again."""
        self.quiz, self.quiz_guess, self.quiz_checked = {}, [], False
