r"""Layers of a small CNN, each with ``forward(x)`` and a pure ``backward(dy) -> dx``.

A layer keeps what its backward pass needs from the last forward pass. Layers
with weights hold them in a ``params`` dict and, after ``backward``, the
gradients of the loss in a ``grads`` dict with the same keys:

* :class:`Conv2D`: ``w`` of shape (C_out, C, kh, kw), ``b`` of shape (C_out,);
* :class:`Linear`: ``w`` of shape (out_features, in_features), ``b`` of shape
  (out_features,), laid out as PyTorch lays them out.

``backward`` *stores* the gradients of the last call (it does not add to
earlier ones, so there is nothing to zero between steps), never changes ``dy``
or the cached input, and never touches the weights: updating them is the
optimiser's job (:mod:`cnnlearn.optim`).

The convolution layer calls :func:`cnnlearn.conv2d` and
:func:`cnnlearn.conv2d_backward`; max pooling has a vectorised pair
(:func:`max_pool2d`, :func:`max_pool2d_backward`) and a loop twin
(:func:`max_pool2d_naive`, :func:`max_pool2d_backward_naive`) that tests hold equal.

**A backward function of one's own.** :class:`Conv2D`, :class:`ReLU`, :class:`MaxPool2D` and
:class:`Linear` take ``backward=fn``: the layer then computes its gradients with ``fn`` instead of the
package's formulas (notebook 07's capstone plugs in the student's functions of notebooks 06 and 07).
``fn`` has the signature of the exercise it comes from:

* Conv2D: ``fn(dy, x, w, stride, padding) -> (dx, dw, db)``, dy (N, C_out, Ho, Wo), x (N, C, H, W),
  w (C_out, C, kh, kw), stride and padding ints (so the layer's must be the same along both axes, with
  no dilation);
* ReLU: ``fn(dy, x) -> dx``, dy and x of the layer input's shape;
* MaxPool2D: ``fn(dy, x, kernel_size, stride) -> dx``, dy (N, C, Ho, Wo), x (N, C, H, W), square windows;
* Linear: ``fn(dy, x, w) -> (dx, dw, db)``, dy (N, out_features), x (N, in_features),
  w (out_features, in_features).

The arrays ``fn`` receives are read-only views (writing into one raises ValueError), so backward stays
pure whatever ``fn`` does; what it returns is checked against the shapes above, with a message that
names ``fn``.
"""

import numbers

import numpy as np

from .conv import conv2d, conv2d_backward
from .receptive import geometry, output_size
from .validate import as_float_array, as_int, as_pair, check_ndim

__all__ = ["Conv2D", "ReLU", "MaxPool2D", "Flatten", "Linear", "Sequential",
           "max_pool2d", "max_pool2d_backward", "max_pool2d_naive", "max_pool2d_backward_naive"]


# --------------------------------------------------------------------------- helpers

def _as_rng(rng):
    """``rng`` as a numpy Generator: a Generator is used as is, an int seeds a new one, None is unseeded."""
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None, got {rng!r} "
                    f"({type(rng).__name__}); use rng=np.random.default_rng(0)")


def _init(kind, shape, fan_in, fan_out, rng):
    r"""Initial weights: ``"he"`` draws N(0, 2 / fan_in), ``"glorot"`` draws U(-a, a) with
    a = sqrt(6 / (fan_in + fan_out))."""
    if kind == "he":
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)
    if kind == "glorot":
        a = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, size=shape)
    raise ValueError(f"init must be 'he' or 'glorot', got {kind!r}")


def _frozen(a):
    """A read-only view of ``a``: a backward function of one's own reads it and cannot change it."""
    view = a.view()
    view.flags.writeable = False
    return view


def _own_backward(fn, layer):
    """``fn`` as a layer's own backward function, or None for the package's."""
    if fn is not None and not callable(fn):
        raise TypeError(f"{layer}: backward must be a function or None, got {fn!r} ({type(fn).__name__})")
    return fn


def _name_of(fn):
    return getattr(fn, "__name__", type(fn).__name__)


def _returned(value, fn, layer, expected):
    """What the layer's own backward function ``fn`` returned, as float arrays of the ``expected`` shapes
    (``{name: shape}``, in the order ``fn`` returns them)."""
    names, label = list(expected), _name_of(fn)
    if len(names) > 1:
        if not isinstance(value, (tuple, list)) or len(value) != len(names):
            got = f"{type(value).__name__} of length {len(value)}" if isinstance(value, (tuple, list)) else \
                type(value).__name__
            raise ValueError(f"{layer}: its backward function {label} must return {len(names)} arrays, "
                             f"{', '.join(names)}, got a {got}")
    else:
        value = (value,)
    out = []
    for name, v in zip(names, value):
        if v is None:
            raise ValueError(f"{layer}: its backward function {label} returned None for {name}")
        arr = as_float_array(v, f"{label}'s {name}")
        if arr.shape != tuple(expected[name]):
            raise ValueError(f"{layer}: its backward function {label} returned {name} of shape {arr.shape}, "
                             f"but {name} must have shape {tuple(expected[name])}")
        out.append(arr)
    return out


def _square(pair, name, layer):
    """The one int of a pair that is the same along both axes (what a backward function of one's own takes)."""
    if pair[0] != pair[1]:
        raise ValueError(f"{layer}: a backward function of your own takes one {name} for both axes, but this "
                         f"layer's {name} is {pair}")
    return pair[0]


def _check_input(x, name, ndim, meaning, layer):
    x = as_float_array(x, name)
    if x.ndim != ndim:
        raise ValueError(f"{layer}: {name} must have shape {meaning}, got a {x.ndim}-D array of shape {x.shape}")
    return x


def _backward_repr(layer, first=False):
    """``, backward=conv_backward`` in a layer's repr when it has a backward function of its own."""
    fn = getattr(layer, "backward_fn", None)
    if fn is None:
        return ""
    return ("" if first else ", ") + f"backward={_name_of(fn)}"


class Layer:
    """Base class: no parameters, ``layer(x)`` is ``layer.forward(x)``."""

    def __init__(self):
        self.params = {}
        self.grads = {}
        self._cache = None

    def __call__(self, x):
        return self.forward(x)

    def forward(self, x):  # pragma: no cover - every layer overrides it
        raise NotImplementedError

    def backward(self, dy):  # pragma: no cover - every layer overrides it
        raise NotImplementedError

    def _cached(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward needs the forward pass first: "
                               "call forward(x) (or layer(x)), then backward(dy)")
        return self._cache

    def _check_dy(self, dy, shape):
        dy = as_float_array(dy, "dy")
        if dy.shape != tuple(shape):
            raise ValueError(f"{type(self).__name__}.backward: dy must have the shape of the last forward "
                             f"output, {tuple(shape)}, got dy.shape={dy.shape}")
        return dy


# --------------------------------------------------------------------------- convolution

class Conv2D(Layer):
    r"""2-D convolution layer (cross-correlation, as in PyTorch's ``nn.Conv2d``).

    Parameters
    ----------
    in_channels, out_channels : int
        C and C_out.
    kernel_size : int or (int, int)
        (kh, kw).
    stride, padding, dilation : int or (int, int)
        As in :func:`cnnlearn.conv2d`.
    rng : numpy.random.Generator, int or None
        Source of the initial weights (an int is a seed; None draws fresh entropy).
    init : {"he", "glorot"}
        He (Kaiming) normal by default, the right scale in front of a ReLU.
    backward : callable or None
        ``backward(dy, x, w, stride, padding) -> (dx, dw, db)`` used in place of
        :func:`cnnlearn.conv2d_backward` (see the module's docstring); it needs the same stride and padding
        along both axes and dilation 1.

    Notes
    -----
    ``forward`` takes x of shape (N, C, H, W) and returns y of shape (N, C_out, Ho, Wo):

    .. math:: y_{nfij} = b_f + \sum_{c,k,l} x'_{n,c,si+dk,sj+dl}\, w_{fckl}

    ``backward`` takes dy of shape (N, C_out, Ho, Wo), stores ``grads["w"]`` (C_out, C, kh, kw)
    and ``grads["b"]`` (C_out,) and returns dx of shape (N, C, H, W), all three from
    :func:`cnnlearn.conv2d_backward`. He initialisation draws
    :math:`w \sim \mathcal N(0, 2 / (C k_h k_w))`; the bias starts at zero.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, rng=None,
                 *, init="he", backward=None):
        super().__init__()
        self.in_channels = as_int(in_channels, "in_channels", minimum=1)
        self.out_channels = as_int(out_channels, "out_channels", minimum=1)
        self.kernel_size = as_pair(kernel_size, "kernel_size", minimum=1)
        self.stride, self.padding, self.dilation = geometry(stride, padding, dilation)
        self.backward_fn = _own_backward(backward, "Conv2D")
        if self.backward_fn is not None:
            _square(self.stride, "stride", "Conv2D")
            _square(self.padding, "padding", "Conv2D")
            if self.dilation != (1, 1):
                raise ValueError(f"Conv2D: a backward function of your own has no dilation argument, but this "
                                 f"layer's dilation is {self.dilation}")
        C, C_out, (kh, kw) = self.in_channels, self.out_channels, self.kernel_size
        rng = _as_rng(rng)
        self.params = {"w": _init(init, (C_out, C, kh, kw), C * kh * kw, C_out * kh * kw, rng),
                       "b": np.zeros(C_out)}
        self.grads = {"w": np.zeros_like(self.params["w"]), "b": np.zeros(C_out)}

    def _geom(self):
        return dict(stride=self.stride, padding=self.padding, dilation=self.dilation)

    def forward(self, x):
        """x of shape (N, C, H, W) -> y of shape (N, C_out, Ho, Wo)."""
        x = _check_input(x, "x", 4, f"(N, C, H, W) with C={self.in_channels}", "Conv2D")
        if x.shape[1] != self.in_channels:
            raise ValueError(f"Conv2D: x has {x.shape[1]} channel(s) (x.shape={x.shape}) but the layer "
                             f"was built with in_channels={self.in_channels}")
        y = conv2d(x, self.params["w"], self.params["b"], **self._geom())
        self._cache = (x, y.shape)
        return y

    def backward(self, dy):
        """dy of shape (N, C_out, Ho, Wo) -> dx of shape (N, C, H, W); fills ``grads``."""
        x, y_shape = self._cached()
        dy = self._check_dy(dy, y_shape)
        w = self.params["w"]
        if self.backward_fn is None:
            dx, dw, db = conv2d_backward(dy, x, w, **self._geom())
        else:
            dx, dw, db = _returned(self.backward_fn(_frozen(dy), _frozen(x), _frozen(w), self.stride[0],
                                                    self.padding[0]),
                                   self.backward_fn, "Conv2D", {"dx": x.shape, "dw": w.shape, "db": (len(w),)})
        self.grads = {"w": dw, "b": db}
        return dx

    def __repr__(self):
        extra = "".join(f", {k}={v if v[0] != v[1] else v[0]}" for k, v, d in
                        (("stride", self.stride, 1), ("padding", self.padding, 0),
                         ("dilation", self.dilation, 1)) if v != (d, d))
        k = self.kernel_size
        return (f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={k[0] if k[0] == k[1] else k}"
                f"{extra}{_backward_repr(self)})")


# --------------------------------------------------------------------------- ReLU

class ReLU(Layer):
    r"""Rectified linear unit, :math:`y = \max(x, 0)` elementwise.

    Notes
    -----
    .. math:: \frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\,[x > 0]

    At exactly x = 0 the gradient is taken as 0, as PyTorch does.
    Works on arrays of any shape. ``backward=fn`` computes dx as ``fn(dy, x)`` instead (see the module's
    docstring).
    """

    def __init__(self, backward=None):
        super().__init__()
        self.backward_fn = _own_backward(backward, "ReLU")

    def forward(self, x):
        x = as_float_array(x, "x")
        self._cache = x
        return np.where(x > 0, x, 0.0).astype(x.dtype, copy=False)

    def backward(self, dy):
        x = self._cached()
        dy = self._check_dy(dy, x.shape)
        if self.backward_fn is not None:
            (dx,) = _returned(self.backward_fn(_frozen(dy), _frozen(x)), self.backward_fn, "ReLU", {"dx": x.shape})
            return dx
        return np.where(x > 0, dy, 0.0).astype(dy.dtype, copy=False)

    def __repr__(self):
        return f"ReLU({_backward_repr(self, first=True)})"


# --------------------------------------------------------------------------- max pooling

def _pool_args(x, kernel_size, stride, name="x"):
    x = as_float_array(x, name)
    check_ndim(x, name, (4,), "(N, C, H, W)")
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    stride = kernel if stride is None else as_pair(stride, "stride", minimum=1)
    Ho, Wo = output_size(x.shape[2:], kernel, stride=stride)
    return x, kernel, stride, (Ho, Wo)


def _windows(x, kernel, stride, Ho, Wo):
    """Stack of shape (kh * kw, N, C, Ho, Wo): entry k holds window element k (row-major) of every window."""
    (kh, kw), (sh, sw) = kernel, stride
    return np.stack([x[:, :, ki:ki + sh * (Ho - 1) + 1:sh, kj:kj + sw * (Wo - 1) + 1:sw]
                     for ki in range(kh) for kj in range(kw)])


def max_pool2d(x, kernel_size, stride=None):
    r"""Max pooling: the largest entry of every kh x kw window.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size`` (windows side by side); smaller strides overlap windows.

    Returns
    -------
    y : array of shape (N, C, Ho, Wo), with :math:`H_o = \lfloor (H - k_h) / s \rfloor + 1`

    Notes
    -----
    .. math:: y_{ncij} = \max_{k,l}\; x_{n,c,si+k,sj+l}
    """
    x, kernel, stride, (Ho, Wo) = _pool_args(x, kernel_size, stride)
    return _windows(x, kernel, stride, Ho, Wo).max(axis=0)


def max_pool2d_backward(dy, x, kernel_size, stride=None):
    r"""dL/dx of :func:`max_pool2d`: each dy goes to the maximum of its window.

    Parameters
    ----------
    dy : array of shape (N, C, Ho, Wo)
        dL/dy, the shape of :func:`max_pool2d`'s output.
    x : array of shape (N, C, H, W)
        The input of the forward pass.
    kernel_size, stride
        As in the forward pass.

    Returns
    -------
    dx : array of shape (N, C, H, W)

    Notes
    -----
    .. math:: \frac{\partial L}{\partial x_{ncpq}} = \sum_{(i,j):\ (p,q) = \operatorname{argmax}_{ij}} dy_{ncij}

    With overlapping windows (stride < kernel size) one input pixel can be the
    maximum of several windows; it then receives the *sum* of their dy.
    When a window holds its maximum more than once, the first one in row-major
    order (top row first, left to right) takes the whole gradient, which is
    what PyTorch's CPU max pooling does; the others get nothing.
    """
    x, kernel, stride, (Ho, Wo) = _pool_args(x, kernel_size, stride)
    dy = as_float_array(dy, "dy")
    if dy.shape != x.shape[:2] + (Ho, Wo):
        raise ValueError(f"dy must have the shape of max_pool2d's output, {x.shape[:2] + (Ho, Wo)}, "
                         f"got dy.shape={dy.shape}")
    (kh, kw), (sh, sw) = kernel, stride
    arg = _windows(x, kernel, stride, Ho, Wo).argmax(axis=0)   # argmax returns the first maximum
    dx = np.zeros(x.shape, dtype=np.result_type(x, dy))
    for k in range(kh * kw):
        ki, kj = divmod(k, kw)
        # one window element at a time: within one k the targets are distinct, so += is exact
        dx[:, :, ki:ki + sh * (Ho - 1) + 1:sh, kj:kj + sw * (Wo - 1) + 1:sw] += np.where(arg == k, dy, 0.0)
    return dx


def max_pool2d_naive(x, kernel_size, stride=None):
    """Loop twin of :func:`max_pool2d`: one window at a time."""
    x, (kh, kw), (sh, sw), (Ho, Wo) = _pool_args(x, kernel_size, stride)
    N, C, H, W = x.shape
    y = np.zeros((N, C, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    y[n, c, i, j] = x[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw].max()
    return y


def max_pool2d_backward_naive(dy, x, kernel_size, stride=None):
    """Loop twin of :func:`max_pool2d_backward`: find each window's first maximum, add its dy there."""
    x, (kh, kw), (sh, sw), (Ho, Wo) = _pool_args(x, kernel_size, stride)
    dy = as_float_array(dy, "dy")
    N, C, H, W = x.shape
    if dy.shape != (N, C, Ho, Wo):
        raise ValueError(f"dy must have the shape of max_pool2d's output, {(N, C, Ho, Wo)}, "
                         f"got dy.shape={dy.shape}")
    dx = np.zeros(x.shape, dtype=np.result_type(x, dy))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    ki, kj = np.unravel_index(np.argmax(window), window.shape)  # first maximum, row-major
                    dx[n, c, i * sh + ki, j * sw + kj] += dy[n, c, i, j]
    return dx


class MaxPool2D(Layer):
    r"""Max pooling layer (PyTorch's ``nn.MaxPool2d`` without padding).

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``. A stride smaller than the kernel makes the
        windows overlap; the backward pass handles that (see :func:`max_pool2d_backward`).
    backward : callable or None
        ``backward(dy, x, kernel_size, stride) -> dx`` used in place of :func:`max_pool2d_backward`
        (see the module's docstring); it needs square windows and the same stride along both axes.

    Notes
    -----
    x of shape (N, C, H, W) -> y of shape (N, C, Ho, Wo). In backward each dy
    goes to the position of its window's maximum; ties go to the first maximum
    in row-major order, as in PyTorch.
    """

    def __init__(self, kernel_size, stride=None, *, backward=None):
        super().__init__()
        self.kernel_size = as_pair(kernel_size, "kernel_size", minimum=1)
        self.stride = self.kernel_size if stride is None else as_pair(stride, "stride", minimum=1)
        self.backward_fn = _own_backward(backward, "MaxPool2D")
        if self.backward_fn is not None:
            _square(self.kernel_size, "kernel_size", "MaxPool2D")
            _square(self.stride, "stride", "MaxPool2D")

    def forward(self, x):
        x = _check_input(x, "x", 4, "(N, C, H, W)", "MaxPool2D")
        y = max_pool2d(x, self.kernel_size, self.stride)
        self._cache = (x, y.shape)
        return y

    def backward(self, dy):
        x, y_shape = self._cached()
        dy = self._check_dy(dy, y_shape)
        if self.backward_fn is not None:
            (dx,) = _returned(self.backward_fn(_frozen(dy), _frozen(x), self.kernel_size[0], self.stride[0]),
                              self.backward_fn, "MaxPool2D", {"dx": x.shape})
            return dx
        return max_pool2d_backward(dy, x, self.kernel_size, self.stride)

    def __repr__(self):
        k, s = self.kernel_size, self.stride
        k = k[0] if k[0] == k[1] else k
        s = s[0] if s[0] == s[1] else s
        return f"MaxPool2D(kernel_size={k}, stride={s}{_backward_repr(self)})"


# --------------------------------------------------------------------------- flatten, linear

class Flatten(Layer):
    """(N, C, H, W), or any (N, ...), -> (N, C*H*W); backward reshapes dy back."""

    def forward(self, x):
        x = as_float_array(x, "x")
        if x.ndim < 2:
            raise ValueError(f"Flatten: x must have a batch axis and at least one more, shape (N, ...), "
                             f"got shape {x.shape}")
        self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        shape = self._cached()
        dy = self._check_dy(dy, (shape[0], int(np.prod(shape[1:]))))
        return dy.reshape(shape).copy()

    def __repr__(self):
        return "Flatten()"


class Linear(Layer):
    r"""Fully connected layer, :math:`y = x w^T + b` (PyTorch's ``nn.Linear``).

    Parameters
    ----------
    in_features, out_features : int
    rng : numpy.random.Generator, int or None
        Source of the initial weights.
    init : {"glorot", "he"}
        Glorot (Xavier) uniform by default, suited to a layer that feeds a softmax.
    backward : callable or None
        ``backward(dy, x, w) -> (dx, dw, db)`` used in place of the formulas below (see the module's
        docstring).

    Notes
    -----
    x of shape (N, in_features) -> y of shape (N, out_features);
    ``w`` of shape (out_features, in_features), ``b`` of shape (out_features,).

    .. math::
        dx = dy\, w, \qquad dw = dy^T x, \qquad db = \sum_n dy_n
    """

    def __init__(self, in_features, out_features, rng=None, *, init="glorot", backward=None):
        super().__init__()
        self.in_features = as_int(in_features, "in_features", minimum=1)
        self.out_features = as_int(out_features, "out_features", minimum=1)
        self.backward_fn = _own_backward(backward, "Linear")
        fi, fo = self.in_features, self.out_features
        self.params = {"w": _init(init, (fo, fi), fi, fo, _as_rng(rng)), "b": np.zeros(fo)}
        self.grads = {"w": np.zeros((fo, fi)), "b": np.zeros(fo)}

    def forward(self, x):
        x = _check_input(x, "x", 2, f"(N, in_features) with in_features={self.in_features}", "Linear")
        if x.shape[1] != self.in_features:
            raise ValueError(f"Linear: x has {x.shape[1]} features (x.shape={x.shape}) but the layer was "
                             f"built with in_features={self.in_features}")
        y = x @ self.params["w"].T + self.params["b"]
        self._cache = (x, y.shape)
        return y

    def backward(self, dy):
        x, y_shape = self._cached()
        dy = self._check_dy(dy, y_shape)
        w = self.params["w"]
        if self.backward_fn is None:
            dx, dw, db = dy @ w, dy.T @ x, dy.sum(axis=0)
        else:
            dx, dw, db = _returned(self.backward_fn(_frozen(dy), _frozen(x), _frozen(w)), self.backward_fn,
                                   "Linear", {"dx": x.shape, "dw": w.shape, "db": (len(w),)})
        self.grads = {"w": dw, "b": db}
        return dx

    def __repr__(self):
        return f"Linear({self.in_features}, {self.out_features}{_backward_repr(self)})"


# --------------------------------------------------------------------------- a stack of layers

class Sequential(Layer):
    """Layers applied one after the other; backward runs them in reverse.

    ``params`` and ``grads`` gather the layers' dicts under keys ``"<index>.<name>"``
    (``"0.w"``, ``"0.b"``, ``"4.w"``, ...), the arrays themselves, not copies, so an
    optimiser that updates ``params`` in place updates the layers.
    """

    def __init__(self, *layers):
        self._cache = None
        for k, layer in enumerate(layers):
            if not (hasattr(layer, "forward") and hasattr(layer, "backward")):
                raise TypeError(f"Sequential: layer {k} must have forward and backward methods, "
                                f"got {layer!r} ({type(layer).__name__})")
        self.layers = list(layers)

    @property
    def params(self):
        return {f"{k}.{name}": p for k, layer in enumerate(self.layers)
                for name, p in getattr(layer, "params", {}).items()}

    @property
    def grads(self):
        return {f"{k}.{name}": g for k, layer in enumerate(self.layers)
                for name, g in getattr(layer, "grads", {}).items()}

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dy):
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, k):
        return self.layers[k]

    def __repr__(self):
        inner = "".join(f"\n  ({k}): {layer!r}" for k, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"
