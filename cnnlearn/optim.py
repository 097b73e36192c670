r"""Stochastic gradient descent with momentum, the update rule of ``torch.optim.SGD``.

The optimiser reads a model's ``params`` and ``grads`` dicts (see
:mod:`cnnlearn.layers`) and changes the weights *in place*, so the layers see
the new values without being told. The training loop stays in the notebook:

.. code-block:: python

    logits = model.forward(x)
    loss = cnnlearn.cross_entropy(logits, labels)
    model.backward(cnnlearn.cross_entropy_backward(logits, labels))
    opt.step()
"""

import numbers

import numpy as np

__all__ = ["SGD"]


def _number(v, name, *, minimum=0.0, below=None):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real) or not np.isfinite(v):
        raise TypeError(f"{name} must be a finite number, got {v!r} ({type(v).__name__})")
    v = float(v)
    if v < minimum or (below is not None and v >= below):
        need = f">= {minimum}" + (f" and < {below}" if below is not None else "")
        raise ValueError(f"{name} must be {need}, got {v}")
    return v


class SGD:
    r"""SGD with momentum, dampening, Nesterov momentum and weight decay, as in PyTorch.

    Parameters
    ----------
    model : object with ``params`` and ``grads`` dicts
        A layer or a :class:`cnnlearn.layers.Sequential`; both dicts must have
        the same keys and arrays of the same shapes.
    lr : float
        Learning rate :math:`\eta > 0`.
    momentum : float
        :math:`\mu \ge 0`; 0 is plain SGD.
    weight_decay : float
        :math:`\lambda \ge 0`, an L2 penalty :math:`\frac{\lambda}{2}\lVert w\rVert^2` added to the loss.
    dampening : float
        :math:`\tau \in [0, 1)`, scales the new gradient in the momentum buffer.
    nesterov : bool
        Use Nesterov momentum (needs momentum > 0 and dampening = 0).

    Notes
    -----
    For every parameter :math:`w` with gradient :math:`g`, one :meth:`step` does

    .. math::
        g &\leftarrow g + \lambda w \\
        v &\leftarrow \begin{cases} g & \text{first step} \\ \mu v + (1 - \tau) g & \text{afterwards}\end{cases} \\
        w &\leftarrow w - \eta\,(g + \mu v \text{ if Nesterov, else } v)

    which is exactly ``torch.optim.SGD``. The gradients are read, never changed.
    """

    def __init__(self, model, lr, momentum=0.0, weight_decay=0.0, dampening=0.0, nesterov=False):
        if not (hasattr(model, "params") and hasattr(model, "grads")):
            raise TypeError(f"model must have params and grads dicts (a cnnlearn layer or Sequential), "
                            f"got {type(model).__name__}")
        self.model = model
        self.lr = _number(lr, "lr")
        if self.lr == 0:
            raise ValueError("lr must be > 0, got 0.0")
        self.momentum = _number(momentum, "momentum")
        self.weight_decay = _number(weight_decay, "weight_decay")
        self.dampening = _number(dampening, "dampening", below=1.0)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening = 0, "
                             f"got momentum={self.momentum}, dampening={self.dampening}")
        self.nesterov = bool(nesterov)
        self.velocity = {}

    def step(self):
        """Update every parameter in place from the gradients of the last backward pass."""
        params, grads = self.model.params, self.model.grads
        if params.keys() != grads.keys():
            raise ValueError(f"model.params and model.grads must have the same keys, got "
                             f"{sorted(params)} and {sorted(grads)}")
        for key, w in params.items():
            g = np.asarray(grads[key])
            if g.shape != w.shape:
                raise ValueError(f"grads[{key!r}] has shape {g.shape} but params[{key!r}] has shape {w.shape}")
            if self.weight_decay:
                g = g + self.weight_decay * w
            if self.momentum:
                v = self.velocity.get(key)
                if v is None:
                    v = self.velocity[key] = np.array(g, dtype=w.dtype, copy=True)
                else:
                    v *= self.momentum
                    v += (1.0 - self.dampening) * g
                g = g + self.momentum * v if self.nesterov else v
            w -= self.lr * g

    def __repr__(self):
        return (f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay}"
                + (f", dampening={self.dampening}" if self.dampening else "")
                + (", nesterov=True" if self.nesterov else "") + ")")
