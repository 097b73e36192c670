"""Check for the exercise of notebook 08: dL/dX of a whole network, the gradient a framework's x.grad holds.

The student writes ``input_gradient_of_network(net, x, labels)`` for a :class:`cnnlearn.layers.Sequential`
``net``, images ``x`` of shape (N, 1, 8, 8) and labels (N,): the forward pass, the gradient of the mean
cross-entropy with respect to the logits, then every layer's backward in reverse order, returning dL/dX
of shape (N, 1, 8, 8). The check runs it on the two-convolution digits network with a batch of 3 images
and recognises the typical slips by their result: the logits' gradient returned (shape (N, 10)), the
gradient stopped at an inner layer (shape (N, 512) or (N, 16, 4, 4)), the loss summed over the batch
instead of averaged (N times too large), divided by N twice, and x changed in place.
"""

import numpy as np

from .. import datasets
from ..digits_net import build_network
from ..losses import cross_entropy_backward
from ._feedback import AnswerError, as_answer_array, call_answer, correct, hint

__all__ = ["check_input_gradient_of_network"]

RTOL, ATOL = 1e-10, 1e-13
N_IMAGES = 3


def _case():
    """A network with non-zero biases (away from ReLU's kink), 3 training digits, their labels."""
    net = build_network(seed=1)
    rng = np.random.default_rng(8)
    for k in (0, 3, 6):
        b = net.layers[k].params["b"]
        b[...] = rng.normal(scale=0.1, size=b.shape)
    x_train, y_train, _, _ = datasets.load_digits()
    return net, x_train[:N_IMAGES].copy(), y_train[:N_IMAGES].copy()


def reference_input_gradient(net, x, labels):
    """dL/dX (N, C, H, W) of the mean cross-entropy of ``net`` at images ``x`` (N, C, H, W), labels (N,)."""
    return net.backward(cross_entropy_backward(net.forward(x), labels))


def _close(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=RTOL, atol=ATOL)


def check_input_gradient_of_network(input_gradient_of_network):
    """Check ``input_gradient_of_network(net, x, labels) -> dx`` on the digits network.

    Passes when dx matches dL/dX to a relative tolerance of 1e-10 and x is unchanged.
    """
    name = "input_gradient_of_network"
    net, x, labels = _case()
    want = reference_input_gradient(net, x, labels)
    N = x.shape[0]
    x_in, labels_in = x.copy(), labels.copy()
    try:
        try:
            raw = call_answer(input_gradient_of_network, net, x_in, labels_in, name=name)
        except AnswerError as err:
            if "not written yet" in str(err) or "shape" not in str(err):
                raise
            said = str(err).split(". Read the message")[0]
            raise AnswerError(f"{said}. A shape mismatch inside the backward pass usually means the layers ran "
                              "in the wrong order: the backward pass starts at the last layer, "
                              "for layer in reversed(net.layers)") from None
        if not np.array_equal(x_in, x):
            return hint(f"{name} changed its argument x; computing a gradient must leave the images alone "
                        "(work on new arrays, not x[...] = ... or x += ...)")
        shape = np.shape(raw) if isinstance(raw, np.ndarray) else None
        if shape == (N, 10):
            return hint(f"{name} returned an array of shape {shape}: that is dL/dz, the gradient of the "
                        "logits, where the backward pass starts. Hand it to the last layer's backward, then "
                        "each layer's result to the layer before it, down to the first; the result has the "
                        f"shape of x, {x.shape}")
        if shape is not None and shape != x.shape and len(shape) >= 2 and shape[0] == N:
            return hint(f"{name} returned an array of shape {shape}: the gradient with respect to the input "
                        "of an inner layer, not of the network. Every layer's backward must run, the last "
                        f"one first and the first convolution last, so that the result has x's shape {x.shape}")
        got = as_answer_array(raw, x.shape, name=name)
    except AnswerError as err:
        return hint(str(err))
    if _close(got, want):
        return correct("dL/dX of the whole network: the forward pass, (p - T) / N, then every layer's backward "
                       "from the last to the first; this is what PyTorch leaves in x.grad")
    if _close(got, N * want):
        return hint(f"your dL/dX is {N} times too large, N = {N} being the batch size: the loss is the mean "
                    "over the batch, L = -(1/N) sum_n log p_n,t_n, so dL/dz = (p - T) / N "
                    "(cnnlearn.cross_entropy_backward divides by N for you)")
    if _close(got, want / N):
        return hint(f"your dL/dX is {N} times too small, N = {N} being the batch size: the batch mean divides by "
                    "N once, and cnnlearn.cross_entropy_backward already does it; do not divide again")
    if _close(got, -want):
        return hint("your dL/dX has the wrong sign: dL/dz = (p - T) / N, the probabilities minus the one-hot labels")
    n, c, i, j = (int(v) for v in np.argwhere(~np.isclose(got, want, rtol=RTOL, atol=ATOL))[0])
    return hint(f"dx[{n}, {c}, {i}, {j}] (indices as in your code, from 0) should be {want[n, c, i, j]:.6g}, your "
                f"answer has {got[n, c, i, j]:.6g}. Run net.forward(x), start from "
                "cnnlearn.cross_entropy_backward(logits, labels), and pass the gradient through every layer's "
                "backward in reverse order")
