"""Check for the exercise of notebook 08: dL/dX of a whole network, the gradient a framework's x.grad holds.

The student writes ``input_gradient_of_network(net, x, labels)`` for a :class:`cnnlearn.layers.Sequential`
``net``, images ``x`` of shape (N, 1, 8, 8) and labels (N,): the forward pass, the gradient of the mean
cross-entropy with respect to the logits, then every layer's backward in reverse order, returning dL/dX
of shape (N, 1, 8, 8). The check runs it on the two-convolution digits network with batches of 3 and 2
images and recognises the typical slips by their results: the logits' gradient returned (shape (N, 10)),
the gradient stopped at an inner layer (shape (N, 512) or (N, 16, 4, 4)), the layers run in forward
order (a shape mismatch inside the backward pass), the loss summed over the batch instead of averaged
(N times too large), divided by N twice, the sign flipped, and x changed in place.
"""

import numpy as np

from .. import datasets
from ..digits_net import build_network
from ..losses import cross_entropy_backward
from ._runner import Case, Slip, first_off, run_check

__all__ = ["check_input_gradient_of_network"]

RTOL, ATOL = 1e-10, 1e-13
N_IMAGES = 3


def _cases():
    """A network with non-zero biases (away from ReLU's kink), a batch of 3 training digits and one of 2,
    with their labels."""
    net = build_network(seed=1)
    rng = np.random.default_rng(8)
    for k in (0, 3, 6):
        b = net.layers[k].params["b"]
        b[...] = rng.normal(scale=0.1, size=b.shape)
    x_train, y_train, _, _ = datasets.load_digits()
    return [(net, x_train[:N_IMAGES].copy(), y_train[:N_IMAGES].copy()),
            (net, x_train[N_IMAGES:N_IMAGES + 2].copy(), y_train[N_IMAGES:N_IMAGES + 2].copy())]


def _case():
    """The first case: the network, 3 training digits, their labels."""
    return _cases()[0]


def reference_input_gradient(net, x, labels):
    """dL/dX (N, C, H, W) of the mean cross-entropy of ``net`` at images ``x`` (N, C, H, W), labels (N,)."""
    return net.backward(cross_entropy_backward(net.forward(x), labels))


def _forward_order(net, x, labels):
    """The slip of running the layers' backward passes first to last: a shape mismatch on the way."""
    grad = cross_entropy_backward(net.forward(x), labels)
    for layer in net.layers:
        grad = layer.backward(grad)
    return grad


def _shape_hint(case, got):
    N, name = len(case.x), "input_gradient_of_network"
    if got.shape == (N, 10):
        return (f"{name} returned an array of shape {got.shape}: that is dL/dz, the gradient of the logits, where "
                "the backward pass starts. Hand it to the last layer's backward, then each layer's result to the "
                f"layer before it, down to the first; the result has the shape of x, {case.x.shape}")
    if got.ndim >= 2 and got.shape[0] == N:
        return (f"{name} returned an array of shape {got.shape}: the gradient with respect to the input of an "
                "inner layer, not of the network. Every layer's backward must run, the last one first and the "
                f"first convolution last, so that the result has x's shape {case.x.shape}")
    return None


def _pixel_hint(case, got):
    n, c, i, j = first_off(got, case.right, RTOL, ATOL)
    return (f"dx[{n}, {c}, {i}, {j}] (indices as in your code, from 0) should be {case.right[n, c, i, j]:.6g}, "
            f"your answer has {got[n, c, i, j]:.6g}. Run net.forward(x), start from "
            "cnnlearn.cross_entropy_backward(logits, labels), and pass the gradient through every layer's "
            "backward in reverse order")


def check_input_gradient_of_network(input_gradient_of_network):
    """Check ``input_gradient_of_network(net, x, labels) -> dx`` on the digits network.

    Passes when dx matches dL/dX to a relative tolerance of 1e-10 on both batches and x is unchanged.
    """
    cases = [Case(f"a batch of N = {len(x)} images", (net, x, labels), reference_input_gradient(net, x, labels),
                  x=x, net=net, labels=labels) for net, x, labels in _cases()]
    slips = [
        Slip("a shape mismatch inside the backward pass: the layers ran in the wrong order. The backward pass "
             "starts at the last layer, for layer in reversed(net.layers)",
             lambda c: _forward_order(c.net, c.x, c.labels)),
        Slip(lambda c, got: f"your dL/dX is {len(c.x)} times too large, N = {len(c.x)} being the batch size: the "
             "loss is the mean over the batch, L = -(1/N) sum_n log p_n,t_n, so dL/dz = (p - T) / N "
             "(cnnlearn.cross_entropy_backward divides by N for you)", lambda c: len(c.x) * c.right),
        Slip(lambda c, got: f"your dL/dX is {len(c.x)} times too small, N = {len(c.x)} being the batch size: the "
             "batch mean divides by N once, and cnnlearn.cross_entropy_backward already does it; do not divide "
             "again", lambda c: c.right / len(c.x)),
        Slip("your dL/dX has the wrong sign: dL/dz = (p - T) / N, the probabilities minus the one-hot labels",
             lambda c: -c.right),
    ]
    return run_check(input_gradient_of_network, cases, name="input_gradient_of_network",
                     names=("net", "x", "labels"), what="input_gradient_of_network's result",
                     sizes="`N = len(labels)`", rtol=RTOL,
                     atol=ATOL, slips=slips, screen=_shape_hint, explain=_pixel_hint,
                     changed="computing a gradient must leave the images alone (work on new arrays, not "
                             "x[...] = ... or x += ...)",
                     right="dL/dX of the whole network: the forward pass, (p - T) / N, then every layer's backward "
                           "from the last to the first; this is what PyTorch leaves in x.grad")
