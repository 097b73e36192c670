r"""Trace one image through a whole network: every layer's values, every layer's gradient, and which units each
unit reads and feeds (notebooks 07 and 09).

A network of :mod:`cnnlearn.layers` (Conv2D, ReLU, MaxPool2D, Flatten, Linear in a Sequential) turns one image
into a column of numbers per layer, as notebook 07 names them: a0 is the image X, a1 the first layer's output,
and so on to the logits z; softmax then gives p. Each column's *units* are addressed ``(c, i, j)``, 0-based:
map c, row i, column j. Flatten keeps the address of its input (its output is those very numbers lined up,
entry n = c H W + i W + j), and a Linear layer's K outputs are ``(k, 0, 0)``.

* :class:`Trace` runs the network's own ``forward`` on the image and keeps every column;
  :meth:`Trace.gradients` runs its own ``backward`` from the loss at the true label t or from one class score
  z_k, and keeps dL/d(every column).
* :func:`fields` says, for every pair of columns, which units of one a unit of the other reads (its receptive
  field, through every layer in between) and, the other way round, which units it feeds. Every layer here reads
  a product of channels x rows x columns, so each such set is one too: three lists, one per axis.
* :meth:`Trace.terms` is the chain rule for one unit: dL/da = sum over the units v above it that read it of
  dL/dv · dv/da, each term with its numbers.

Nothing here changes the caller's image; running the network overwrites its layers' caches and stored
gradients (``net.grads``), as any forward and backward pass does.
"""

from typing import NamedTuple

import numpy as np

from .layers import Conv2D, Flatten, Linear, MaxPool2D, ReLU, max_pool2d_backward
from .losses import cross_entropy_backward, softmax
from .receptive import output_size
from .validate import as_float_array, as_int, check_ndim

__all__ = ["Column", "Trace", "columns", "fields", "LOSS"]

#: The target that backpropagates the cross-entropy loss at the true label (any other target is a class k).
LOSS = "loss"

_KINDS = {Conv2D: "conv", ReLU: "ReLU", MaxPool2D: "max pool", Flatten: "flatten", Linear: "linear"}


class Column(NamedTuple):
    """One column of the network: the image, a layer's output, the probabilities p or the backpropagated L."""

    key: str          # "a0", "a1", ..., "p", "L"
    title: str        # "conv 1", "ReLU", ...
    symbol: str       # what captions call it: "x" (the image), "a1", ..., "z" (the logits), "p", "L"
    shape: tuple      # (C, H, W): the units' addresses
    layer: object     # the layer whose output this is (None for a0, p and L)
    kind: str         # "input", "conv", "ReLU", "max pool", "flatten", "linear", "softmax", "target"


def _layers(net):
    layers = getattr(net, "layers", None)
    if layers is None or not hasattr(net, "forward") or not hasattr(net, "backward"):
        raise TypeError(f"net must be a cnnlearn Sequential of layers (digits_net.load_or_train() gives one), "
                        f"got {net!r} ({type(net).__name__})")
    for k, layer in enumerate(layers):
        if type(layer) not in _KINDS:
            raise TypeError(f"net: layer {k} is {layer!r} ({type(layer).__name__}); a trace follows Conv2D, ReLU, "
                            f"MaxPool2D, Flatten and Linear layers only")
    if not layers or not isinstance(layers[-1], Linear):
        raise ValueError(f"net must end with a Linear layer (its outputs are the class scores z), got {net!r}")
    return list(layers)


def columns(net, input_shape):
    """The columns of ``net`` for one image of shape ``input_shape`` (C, H, W): a0, one per layer, then p and L.

    Titles number the convolutions (``conv 1``, ``conv 2``) and the linear layers when there are several.
    """
    layers = _layers(net)
    C, H, W = input_shape
    cols = [Column("a0", "the image", "x", (C, H, W), None, "input")]
    count = {}
    for k, layer in enumerate(layers):
        kind = _KINDS[type(layer)]
        count[kind] = count.get(kind, 0) + 1
        if isinstance(layer, Conv2D):
            if layer.in_channels != C:
                raise ValueError(f"net: layer {k} ({layer!r}) takes {layer.in_channels} channels, but its input "
                                 f"has {C} (an image of shape {tuple(input_shape)})")
            H, W = output_size((H, W), layer.kernel_size, stride=layer.stride, padding=layer.padding,
                               dilation=layer.dilation)
            C = layer.out_channels
        elif isinstance(layer, MaxPool2D):
            H, W = output_size((H, W), layer.kernel_size, stride=layer.stride)
        elif isinstance(layer, Linear):
            if layer.in_features != C * H * W:
                raise ValueError(f"net: layer {k} ({layer!r}) takes {layer.in_features} features, but for an image "
                                 f"x of shape {tuple(input_shape)} its input has {C * H * W}")
            C, H, W = layer.out_features, 1, 1
        symbol = "z" if k == len(layers) - 1 else f"a{k + 1}"
        cols.append(Column(f"a{k + 1}", kind, symbol, (C, H, W), layer, kind))
    seen = {}
    for k, col in enumerate(cols[1:], start=1):
        seen[col.kind] = seen.get(col.kind, 0) + 1
        if col.kind in ("conv", "linear") and count[col.kind] > 1:
            cols[k] = col._replace(title=f"{col.kind} {seen[col.kind]}")
    K = cols[-1].shape[0]
    cols.append(Column("p", "softmax", "p", (K, 1, 1), None, "softmax"))
    cols.append(Column("L", "what is backpropagated", "L", (1, 1, 1), None, "target"))
    return cols


# --------------------------------------------------------------------------- which units read which

def _reads(layer, in_shape, out_shape):
    """What one layer's output unit reads of its input, per axis: (channels[c], rows[i], cols[j]), lists of lists."""
    C, H, W = in_shape
    F, Ho, Wo = out_shape
    if isinstance(layer, Conv2D):
        (sh, sw), (ph, pw), (dil_h, dil_w) = layer.stride, layer.padding, layer.dilation
        kh, kw = layer.kernel_size
        rows = [[o * sh + k * dil_h - ph for k in range(kh) if 0 <= o * sh + k * dil_h - ph < H] for o in range(Ho)]
        cols = [[o * sw + k * dil_w - pw for k in range(kw) if 0 <= o * sw + k * dil_w - pw < W] for o in range(Wo)]
        return [list(range(C))] * F, rows, cols
    if isinstance(layer, MaxPool2D):
        (kh, kw), (sh, sw) = layer.kernel_size, layer.stride
        return ([[c] for c in range(C)], [[o * sh + k for k in range(kh)] for o in range(Ho)],
                [[o * sw + k for k in range(kw)] for o in range(Wo)])
    if isinstance(layer, Linear) or layer is None:  # p and L read every logit
        return [list(range(C))] * F, [list(range(H))] * Ho, [list(range(W))] * Wo
    return [[c] for c in range(C)], [[i] for i in range(H)], [[j] for j in range(W)]  # ReLU, Flatten


def _compose(upper, lower):
    """Per axis: what reading ``upper`` and then ``lower`` reads."""
    return [sorted({b for a in reads for b in lower[a]}) for reads in upper]


def _transpose(rel, n):
    """Per axis: for each of the ``n`` lower indices, the upper indices that read it."""
    out = [[] for _ in range(n)]
    for upper, reads in enumerate(rel):
        for lower in reads:
            out[lower].append(upper)
    return out


def fields(cols):
    """Which units of column M a unit of column L reads (M < L) or feeds (M > L), for every pair.

    Parameters
    ----------
    cols : list of Column
        From :func:`columns`.

    Returns
    -------
    dict
        ``{(L, M): (channels, rows, cols)}`` with L, M column indices: unit ``(c, i, j)`` of column L reads (or,
        for M > L, feeds) exactly the units ``channels[c] x rows[i] x cols[j]`` of column M, three sorted lists.
        For M = L - 1 these are the units the layer's window reads; further down, the receptive field through
        every layer in between.

    Notes
    -----
    A convolution's output unit reads every channel of its input in its window's rows and columns, a pooling
    unit one channel in its window, ReLU and Flatten the unit at the same address, a Linear unit everything.
    Each of these is a product of one list per axis, and so is any chain of them: the rows read through two
    layers depend only on the row, whatever the channel or column.
    """
    step = {}
    for L in range(1, len(cols)):
        below = cols[L - 1] if cols[L].kind != "target" else cols[-3]  # L reads the logits, as p does
        rel = _reads(cols[L].layer, below.shape, cols[L].shape)
        step[L] = (cols.index(below), rel)
    out = {}
    for L in range(1, len(cols)):
        M, rel = step[L]
        chain = [(M, rel)]
        while M in step and M > 0:
            M2, rel2 = step[M]
            rel = tuple(_compose(a, b) for a, b in zip(rel, rel2))
            chain.append((M2, rel))
            M = M2
        for M, rel in chain:
            out[L, M] = tuple(rel)
            out[M, L] = tuple(_transpose(r, n) for r, n in zip(rel, cols[M].shape))
    return out


def units(rel, unit):
    """The set of units ``(c, i, j)`` that ``fields(...)[L, M]`` gives for ``unit`` of column L."""
    c, i, j = unit
    chans, rows, cols = rel
    return {(a, b, d) for a in chans[c] for b in rows[i] for d in cols[j]}


# --------------------------------------------------------------------------- values and gradients

class Trace:
    r"""One image through ``net``: every column's values, and on request every column's gradient.

    Parameters
    ----------
    net : Sequential
        Conv2D, ReLU, MaxPool2D, Flatten and Linear layers, ending with the Linear layer of the K class scores
        (``digits_net.load_or_train()``).
    x : array of shape (C, H, W) or (1, C, H, W)
        One image; copied, never changed.

    Attributes
    ----------
    columns : list of Column
        a0 (the image), one column per layer, p and L.
    values : list of arrays
        ``values[L]`` of shape ``columns[L].shape``: the forward pass (a float64 copy), with p = softmax(z)
        and L's entry left at 0 (the loss depends on the target, :meth:`loss`).

    Notes
    -----
    :meth:`gradients` runs ``net.forward`` and then ``net``'s layers' ``backward`` one after the other, from

    .. math:: \frac{\partial L}{\partial z} = p - T \quad\text{(the loss at t)}, \qquad
              \frac{\partial z_k}{\partial z} = \text{the one-hot row of } k \quad\text{(a score)},

    and keeps what each layer's ``backward`` returns: the numbers the network trains with, unchanged.
    """

    def __init__(self, net, x):
        x = as_float_array(x, "x")
        check_ndim(x, "x", (3, 4), "(C, H, W) or (1, C, H, W): one image")
        if x.ndim == 4:
            if x.shape[0] != 1:
                raise ValueError(f"x must be one image, of shape (C, H, W) or (1, C, H, W); got shape {x.shape} "
                                 f"({x.shape[0]} images): pass x[n]")
            x = x[0]
        if x.size == 0:
            raise ValueError(f"x must not be empty, got shape {x.shape}")
        self.net = net
        self.x = x.astype(np.float64, copy=True)[None]
        self.columns = columns(net, x.shape)
        acts = self._forward()
        z = acts[-1][0]
        p = softmax(z[None], axis=1)[0]
        self.values = [a[0].reshape(col.shape) for a, col in zip(acts, self.columns)]
        self.values += [p.reshape(-1, 1, 1), np.zeros((1, 1, 1))]
        self._grads = {}

    @property
    def K(self):
        """The number of classes."""
        return self.columns[-3].shape[0]

    @property
    def probabilities(self):
        """p = softmax(z), shape (K,) (a copy)."""
        return self.values[-2].ravel().copy()

    @property
    def predicted(self):
        """The class with the largest score."""
        return int(np.argmax(self.values[-3].ravel()))

    def _forward(self):
        acts = [self.x]
        for layer in self.net.layers:
            acts.append(layer.forward(acts[-1]))
        return acts

    def check_target(self, target, label=None):
        """``target`` as ``"loss"`` (needs ``label``, the true class) or a class k in 0..K-1."""
        if isinstance(target, str):
            if target != LOSS:
                raise ValueError(f"target must be {LOSS!r} (the loss at the true label) or a class k in "
                                 f"0..{self.K - 1} (the score z_k), got {target!r}")
            if label is None:
                raise ValueError("target 'loss' needs the true label t: give label=")
            return LOSS
        k = as_int(target, "target", minimum=0)
        if k >= self.K:
            raise ValueError(f"target must be {LOSS!r} or a class k in 0..{self.K - 1} (the network has {self.K} "
                             f"classes), got {k}")
        return k

    def seed(self, target, label=None):
        """dL/dz (the loss at ``label``) or dz_k/dz (``target`` = k), shape (1, K): where the backward pass starts."""
        target = self.check_target(target, label)
        z = self.values[-3].reshape(1, -1)
        if target == LOSS:
            return cross_entropy_backward(z, np.array([as_int(label, "label", minimum=0)]))
        dz = np.zeros_like(z)
        dz[0, target] = 1.0
        return dz

    def loss(self, label):
        """The cross-entropy loss L = -log p_t of this image at the true class ``label``."""
        return float(-np.log(self.values[-2].ravel()[as_int(label, "label", minimum=0)]))

    def gradients(self, target, label=None):
        """dL/d(every column) for ``target`` (``"loss"`` with ``label``, or a class k): a list of arrays, one per
        column, ``columns[L].shape`` each, from the layers' own ``backward``; p's entry is zeros (the softmax
        sits inside dL/dz = p - T, which the backward pass starts from) and L's is 1 (dL/dL)."""
        return [g.copy() for g in self._gradients(target, label)]

    def _gradients(self, target, label):
        target = self.check_target(target, label)
        key = (target, None if target != LOSS else as_int(label, "label", minimum=0))
        if key not in self._grads:
            if key[1] is not None and key[1] >= self.K:
                raise ValueError(f"label must be a class in 0..{self.K - 1}, got {key[1]}")
            self._forward()  # the layers' caches must hold this image
            d = self.seed(target, label)
            grads = [d]
            for layer in reversed(self.net.layers):
                d = layer.backward(d)
                grads.append(d)
            self._grads[key] = [g[0].reshape(col.shape).copy() for g, col in zip(grads[::-1], self.columns)] + [
                np.zeros((self.K, 1, 1)), np.ones((1, 1, 1))]
        return self._grads[key]

    # ------------------------------------------------------------------ the chain rule for one unit

    def local(self, L, u, v):
        """dv/du: how unit ``v`` of column L + 1 changes with unit ``u`` of column L (which it reads)."""
        return float(self._locals(L, u, [v])[0])

    def _locals(self, L, u, senders):
        """dv/du for each unit v of ``senders`` (units of column L + 1 that read ``u``)."""
        col, layer = self.columns[L + 1], self.columns[L + 1].layer
        c, i, j = u
        f, oi, oj = np.array(senders, dtype=int).reshape(-1, 3).T
        if isinstance(layer, Conv2D):
            (sh, sw), (ph, pw), (dil_h, dil_w) = layer.stride, layer.padding, layer.dilation
            return layer.params["w"][f, c, (i + ph - oi * sh) // dil_h, (j + pw - oj * sw) // dil_w]
        if isinstance(layer, Linear):
            return layer.params["w"][f, np.ravel_multi_index(u, self.columns[L].shape)]
        if isinstance(layer, MaxPool2D):
            (kh, kw), (sh, sw) = layer.kernel_size, layer.stride
            out = []
            for a, b in zip(oi, oj):
                window = self.values[L][c, a * sh:a * sh + kh, b * sw:b * sw + kw]
                ki, kj = np.unravel_index(np.argmax(window), window.shape)  # the first maximum, as the backward
                out.append(float((a * sh + ki, b * sw + kj) == (i, j)))
            return np.array(out)
        if isinstance(layer, ReLU):
            return np.full(len(f), float(self.values[L][u] > 0))
        if col.kind == "flatten":
            return np.ones(len(f))
        raise ValueError(f"column {L} ({self.columns[L].key}) has no layer above it in the network")

    def terms(self, L, u, target, label=None, rel=None):
        r"""The chain rule for unit ``u`` of column L (below the logits): dL/du = sum over v of dL/dv · dv/du.

        Returns a list of ``(v, dL/dv, dv/du, product)``, one per unit v of column L + 1 that reads u, in the
        order of their addresses; ``rel`` is ``fields(columns)[L, L + 1]`` (computed when not given).
        """
        senders, g, d, prod = self.term_arrays(L, u, target, label, rel)
        shape = self.columns[L + 1].shape
        return [(tuple(int(a) for a in np.unravel_index(n, shape)), float(a), float(b), float(c))
                for n, a, b, c in zip(senders, g, d, prod)]

    def term_arrays(self, L, u, target, label=None, rel=None):
        """:meth:`terms` as four arrays: the senders' flat indices into column L + 1, dL/dv, dv/du and their
        products, in the order of the senders' addresses."""
        if not 0 <= L < len(self.columns) - 3:
            raise ValueError(f"L must be a column below the logits, 0..{len(self.columns) - 4}, got {L}")
        rel = rel if rel is not None else fields(self.columns)[L, L + 1]
        (chans, rows, cols), (c, i, j) = rel, u
        shape = self.columns[L + 1].shape
        f, oi, oj = (a.ravel() for a in np.meshgrid(chans[c], rows[i], cols[j], indexing="ij"))
        g = self._gradients(target, label)[L + 1][f, oi, oj]
        d = self._locals(L, u, np.stack([f, oi, oj], axis=1))
        return np.ravel_multi_index((f, oi, oj), shape), g, d, g * d

    def factors(self, L):
        """The 0-or-1 factor dv/du of every unit u of column L whose one reader v is a ReLU (is u > 0?) or a max
        pooling window side by side with the others (is u its window's first maximum?), from the forward pass;
        an array of shape ``columns[L].shape``."""
        layer = self.columns[L + 1].layer
        if isinstance(layer, ReLU):
            return (self.values[L] > 0).astype(float)
        if isinstance(layer, MaxPool2D) and layer.stride == layer.kernel_size:
            x = self.values[L][None]
            # the pooling layer's own backward sends a 1 from every window to its first maximum
            return max_pool2d_backward(np.ones((1,) + self.columns[L + 1].shape), x, layer.kernel_size)[0]
        raise ValueError(f"column {L} ({self.columns[L].key}) does not feed a ReLU or a side-by-side max pooling")
