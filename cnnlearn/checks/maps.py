"""Checks for the exercises of notebook 09 on where a network looks: the saliency map and the occlusion map.

Saliency: the student writes ``saliency_map(net, x, classes)`` returning |d z_k / dX|, the largest over the
channels, of shape (N, H, W), for the class k = ``classes[n]`` of each image: one forward pass, a one-hot row
per image as the gradient at the top, ``net.backward``, the absolute value, the largest over the channels.
The check runs it on the digits network (untrained, with biases) and on a small network for images with two
channels, and names the typical slips by their results on every case: the absolute value forgotten, the
channels summed or only the first one kept, every image's score differentiated at every class of the batch
(``dz[:, classes] = 1``), the predicted class used instead of the given one, the gradient of the loss or of
the probability p_k instead of the score z_k, and each map divided by its largest value (the series'
saliency map is not normalised).

Occlusion: the student writes ``occlusion_map(net, x, classes, size)``: for every position (i, j) of a
size x size patch (top-left pixel (i, j), every channel) the drop of the class score when the patch is grey,
z_k(X) - z_k(X with the patch set to 0.5), of shape (N, H - size + 1, W - size + 1). The check tries three
sizes and two networks and names: the rise instead of the drop, the absolute value, the patches left grey
from one position to the next (the copy made once, outside the loops), the patch set to 0 instead of grey,
the size ignored, one position short, the probability instead of the score, the predicted class, and only
the first channel greyed.
"""

import numpy as np

from .. import datasets
from ..digits_net import build_network
from ..layers import Conv2D, Flatten, Linear, ReLU, Sequential
from ..losses import cross_entropy_backward, softmax
from ..saliency import input_gradient, occlusion
from ._runner import Case, Slip, first_off, run_check

__all__ = ["check_saliency_map", "check_occlusion_map"]

RTOL, ATOL = 1e-9, 1e-12
GREY = 0.5


def _digits_network():
    """The digits network with non-zero biases (away from ReLU's kink), as the check of notebook 08 builds it."""
    net = build_network(seed=1)
    rng = np.random.default_rng(8)
    for k in (0, 3, 6):
        b = net.layers[k].params["b"]
        b[...] = rng.normal(scale=0.1, size=b.shape)
    return net


def _two_channel_network():
    """A small network for (N, 2, 5, 5) images with 4 classes: the channels matter to the maps."""
    rng = np.random.default_rng(12)
    net = Sequential(Conv2D(2, 3, 3, padding=1, rng=rng), ReLU(), Flatten(), Linear(3 * 5 * 5, 4, rng=rng))
    net.layers[0].params["b"][...] = rng.normal(scale=0.1, size=3)
    return net


def _cases():
    """(label, net, x, classes, size): digits with the classes of their labels, digits with other classes,
    and two-channel images; ``size`` is the occlusion patch (1, 2 and 3)."""
    digits = _digits_network()
    x_train, y_train, _, _ = datasets.load_digits()
    x1, k1 = x_train[:3].copy(), y_train[:3].astype(np.int64)
    x2 = x_train[3:5].copy()
    k2 = (digits.forward(x2).argmax(axis=1) + 3) % 10          # not the classes the network predicts
    x3 = np.random.default_rng(13).uniform(0, 1, size=(2, 2, 5, 5))
    return [("3 digits, each with the class of its label", digits, x1, k1, 1),
            ("2 digits, with classes the network does not predict", digits, x2, k2, 2),
            ("2 images with 2 channels (C = 2), 4 classes", _two_channel_network(), x3, np.array([1, 3]), 3)]


# --------------------------------------------------------------------------- the saliency map

def _one_hot_backward(net, x, dz_of):
    z = net.forward(x)
    return net.backward(dz_of(z))


def _every_class_at_once(net, x, classes):
    """``dz[:, classes] = 1``: every row gets a 1 at every class of the batch."""
    def dz_of(z):
        dz = np.zeros_like(z)
        dz[:, classes] = 1.0
        return dz
    return _one_hot_backward(net, x, dz_of)


def _probability_gradient(net, x, classes):
    """d p_k / dX: the backward pass started from d p_k / dz = p_k (onehot_k - p)."""
    def dz_of(z):
        p = softmax(z, axis=1)
        rows = np.arange(len(z))
        onehot = np.zeros_like(z)
        onehot[rows, classes] = 1.0
        return p[rows, classes][:, None] * (onehot - p)
    return _one_hot_backward(net, x, dz_of)


def _saliency_screen(case, got):
    if got.shape == case.x.shape:
        return (f"your map for {case.label} has shape {got.shape}, the shape of x: the channel axis is still there. "
                "The saliency map has one number per pixel: take the largest over the channels, "
                f"np.abs(dx).max(axis=1), shape {case.right.shape}")
    return None


def _saliency_hint(case, got):
    n, i, j = first_off(got, case.right, RTOL, ATOL)
    return (f"for {case.label}, map[{n}, {i}, {j}] (indices as in your code, from 0) is {got[n, i, j]:.6g}, but "
            f"should be |dz_k/dx| = {case.right[n, i, j]:.6g} with k = classes[{n}] = {case.classes[n]}. "
            "Run net.forward(x), start the backward pass from one-hot rows (dz[np.arange(N), classes] = 1, "
            "N = len(x)), take np.abs of what net.backward returns, then the largest over the channels")


def check_saliency_map(saliency_map):
    """Check ``saliency_map(net, x, classes) -> maps`` against |d z_k / dX| (the largest over the channels), of
    shape (N, H, W), on three cases (relative tolerance 1e-9)."""
    cases = []
    for label, net, x, classes, _ in _cases():
        g = input_gradient(net, x, classes)
        cases.append(Case(label, (net, x, classes), np.abs(g).max(axis=1), net=net, x=x, classes=classes, g=g))
    slips = [
        Slip("you forgot the absolute value: a saliency map is |dz_k/dX|, how strongly each pixel moves the score, "
             "whichever way. Take np.abs of the gradient before the largest over the channels",
             lambda c: c.g.max(axis=1)),
        Slip("you added up the channels: the series' saliency map takes the largest |dz_k/dX| over the channels, "
             "np.abs(dx).max(axis=1). (For the digits, C = 1, the two agree; the check also tries C = 2)",
             lambda c: np.abs(c.g).sum(axis=1)),
        Slip("you kept only the first channel, dx[:, 0]: for images with several channels the saliency map is the "
             "largest |dz_k/dX| over all of them, np.abs(dx).max(axis=1)",
             lambda c: np.abs(c.g[:, 0])),
        Slip("every image's gradient is the gradient of the sum of several scores: dz[:, classes] = 1 puts a 1 in "
             "every row at every class of the batch. Each image needs a single 1, at its own class: "
             "dz[np.arange(N), classes] = 1, N = len(x)",
             lambda c: np.abs(_every_class_at_once(c.net, c.x, c.classes)).max(axis=1)),
        Slip("you differentiated the class the network predicts (the largest logit) instead of the class you "
             "were given: use classes[n] for image n, whatever the network reads",
             lambda c: np.abs(input_gradient(c.net, c.x, c.net.forward(c.x).argmax(axis=1))).max(axis=1)),
        Slip("this is |dL/dX|, the gradient of the loss (the backward pass started from (p - T)/N, "
             "cross_entropy_backward). A saliency map differentiates the class score z_k itself: start "
             "from a one-hot row per image, dz[np.arange(N), classes] = 1",
             lambda c: np.abs(_one_hot_backward(c.net, c.x, lambda z: cross_entropy_backward(z, c.classes)))
             .max(axis=1)),
        Slip("this is the gradient of the probability p_k (the softmax), not of the score z_k: the backward pass "
             "of a saliency map starts from a one-hot row, dz[np.arange(N), classes] = 1, the derivative of "
             "z_k with respect to the logits",
             lambda c: np.abs(_probability_gradient(c.net, c.x, c.classes)).max(axis=1)),
        Slip("you divided each map by its largest value: the series' saliency map is |dz_k/dX| itself, not "
             "normalised, so that two maps can be compared by their numbers. Leave out the division",
             lambda c: c.right / c.right.max(axis=(1, 2), keepdims=True)),
    ]
    return run_check(saliency_map, cases, name="saliency_map", names=("net", "x", "classes"),
                     what="saliency_map's result", sizes="`N = len(x)`", rtol=RTOL, atol=ATOL, slips=slips,
                     screen=_saliency_screen, explain=_saliency_hint,
                     changed="computing a gradient must leave the images alone",
                     right="|dz_k/dX| for the class of each image: one forward pass, a one-hot row per image, the "
                           "network's own backward pass, the absolute value, the largest over the channels")


# --------------------------------------------------------------------------- the occlusion map

def _occlusion_loop(net, x, classes, size, *, fill=GREY, keep_grey=False, channels=slice(None), score=None):
    """The occlusion map as a student's loops write it, and its slips: ``keep_grey`` copies the image once,
    outside the loops; ``channels`` greys only some channels; ``score(z, classes)`` is what is watched."""
    score = score or (lambda z, k: z[np.arange(len(z)), k])
    N, C, H, W = x.shape
    before = score(net.forward(x), classes)
    drop = np.zeros((N, H - size + 1, W - size + 1))
    x_grey = x.copy()
    for i in range(H - size + 1):
        for j in range(W - size + 1):
            if not keep_grey:
                x_grey = x.copy()
            x_grey[:, channels, i:i + size, j:j + size] = fill
            drop[:, i, j] = before - score(net.forward(x_grey), classes)
    return drop


def _probability(z, k):
    return softmax(z, axis=1)[np.arange(len(z)), k]


def _signed(v):
    return f"({v:.6g})" if v < 0 else f"{v:.6g}"


def _occlusion_hint(case, got):
    n, i, j = first_off(got, case.right, RTOL, ATOL)
    s = case.size
    grey = case.x[n:n + 1].copy()
    grey[:, :, i:i + s, j:j + s] = GREY
    k = int(case.classes[n])
    before, after = case.net.forward(case.x[n:n + 1])[0, k], case.net.forward(grey)[0, k]
    return (f"for {case.label} (size = {s}), drop[{n}, {i}, {j}] (indices as in your code, from 0) is "
            f"{got[n, i, j]:.6g}, but should be z_k(X) - z_k(X with x[{n}, :, {i}:{i + s}, {j}:{j + s}] = 0.5) = "
            f"{before:.6g} - {_signed(after)} = {case.right[n, i, j]:.6g}, with k = classes[{n}] = {k}")


def check_occlusion_map(occlusion_map):
    """Check ``occlusion_map(net, x, classes, size) -> drop`` against the drop of z_k when each size x size patch
    is set to 0.5 (every channel), of shape (N, H - size + 1, W - size + 1), for sizes 1, 2 and 3 (relative
    tolerance 1e-9)."""
    cases = [Case(label, (net, x, classes, size), occlusion(net, x, classes, size=size, fill=GREY),
                  net=net, x=x, classes=classes, size=size) for label, net, x, classes, size in _cases()]
    slips = [
        Slip("your map has the opposite sign: it is the rise of the score. The occlusion map is the drop, "
             "z_k(X) - z_k(X greyed), positive where hiding the patch costs the class score",
             lambda c: -c.right),
        Slip("you took the absolute value: keep the sign of the drop. Where greying a patch *raises* the score the "
             "map is negative, and that is something the saliency map, an absolute value, cannot show",
             lambda c: np.abs(c.right)),
        Slip("the grey patches pile up: the image was copied once, before the loops, so every position also keeps "
             "the grey of all the positions before it. Copy the clean image anew for every position "
             "(x_grey = x.copy() inside the loops)",
             lambda c: _occlusion_loop(c.net, c.x, c.classes, c.size, keep_grey=True)),
        Slip("you set the patch to 0, which erases the ink: grey it, 0.5, so that blank pixels change too",
             lambda c: occlusion(c.net, c.x, c.classes, size=c.size, fill=0.0)),
        Slip(lambda c, got: f"your map has one entry per pixel whatever the size: the patch must be size x size "
             f"(here {c.size} x {c.size}, x[:, :, i:i + size, j:j + size]), and it fits at H - size + 1 rows "
             "and W - size + 1 columns, as a filter does (notebook 01)",
             lambda c: occlusion(c.net, c.x, c.classes, size=1, fill=GREY)),
        Slip(lambda c, got: f"your map is one position short in each direction (shape {got.shape}): a size x size "
             "patch fits at H - size + 1 rows, range(H - size + 1), as a filter does (notebook 01)",
             lambda c: c.right[:, :-1, :-1]),
        Slip("you watched the probability p_k (the softmax), not the class score z_k: the occlusion map is the "
             "drop of the logit z_k, as the saliency map is its gradient",
             lambda c: _occlusion_loop(c.net, c.x, c.classes, c.size, score=_probability)),
        Slip("you watched the class the network predicts instead of the class you were given: use classes[n] "
             "for image n, whatever the network reads",
             lambda c: occlusion(c.net, c.x, c.net.forward(c.x).argmax(axis=1), size=c.size, fill=GREY)),
        Slip("you greyed only the first channel, x[:, 0, ...]: grey the patch in every channel, "
             "x_grey[:, :, i:i + size, j:j + size] = 0.5 (for the digits, C = 1, it makes no difference; the "
             "check also tries C = 2)",
             lambda c: _occlusion_loop(c.net, c.x, c.classes, c.size, channels=slice(0, 1))),
    ]
    return run_check(occlusion_map, cases, name="occlusion_map", names=("net", "x", "classes", "size"),
                     what="occlusion_map's result", sizes="`N, C, H, W = x.shape`", rtol=RTOL, atol=ATOL,
                     slips=slips, explain=_occlusion_hint,
                     changed="grey a copy of the images (x_grey = x.copy()), never x itself",
                     right="the drop of z_k for every position of the grey patch: a finite change, where the "
                           "saliency map is the gradient, the effect of a tiny one")
