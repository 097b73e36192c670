r"""What dL/dX is for: saliency maps and adversarial digits, through the network's own backward pass.

Notebook 09. The backward pass that trains a network (notebook 07) ends with dL/dX, the gradient
with respect to the *input image*. Training throws it away; here it is the result:

* :func:`input_gradient` runs ``net.forward`` and ``net.backward`` and returns d(score)/dX for a
  class score z_k, or dL/dX for the cross-entropy loss at the true labels;
* :func:`saliency` is |d z_k / dX|: how strongly each pixel moves the class score;
* :func:`fgsm` is the fast gradient sign method, X_adv = clip(X + eps * sign(dL/dX), 0, 1);
* :func:`accuracy_under_attack` is the test accuracy of FGSM images for a list of epsilons.

Every array is NCHW: a batch of N images of shape (N, C, H, W); the digits are (N, 1, 8, 8).
Nothing here changes the caller's arrays; the network's stored gradients (``net.grads``) are
overwritten by the backward pass, as by any training step.
"""

import numpy as np

from .losses import cross_entropy_backward, softmax
from .validate import as_float_array, check_ndim

__all__ = ["input_gradient", "saliency", "fgsm", "accuracy_under_attack", "predict", "as_images"]


def as_images(x):
    """``x`` checked as a float batch of images of shape (N, C, H, W)."""
    x = as_float_array(x, "x")
    check_ndim(x, "x", (4,), "(N, C, H, W), a batch of images")
    return x


def _labels(labels, N, name="labels", K=None):
    if isinstance(labels, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer class or N integer classes, got {labels!r}")
    arr = np.asarray(labels)
    if arr.ndim == 0:
        arr = np.full(N, arr)
    if arr.shape != (N,) or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must be one integer class or {N} integer classes (one per image), "
                         f"got {labels!r}")
    if K is not None and (arr.min() < 0 or arr.max() >= K):
        raise ValueError(f"{name} must be classes 0..{K - 1}, got {arr.tolist()}")
    return arr.astype(np.int64)


def predict(net, x):
    """Class probabilities p of shape (N, K) for the images ``x`` of shape (N, C, H, W)."""
    return softmax(net.forward(as_images(x)), axis=1)


def input_gradient(net, x, classes=None, *, labels=None):
    r"""The gradient of a class score, or of the loss, with respect to the input images.

    Parameters
    ----------
    net : Sequential
        A network whose ``forward`` maps (N, C, H, W) to logits (N, K).
    x : array of shape (N, C, H, W)
        The images.
    classes : int or array of shape (N,), optional
        The class k whose score z_k is differentiated (one for all images, or one per image).
    labels : int or array of shape (N,), keyword only
        The true classes t_n; then the result is dL/dX of the cross-entropy loss
        L = -(1/N) Σ_n log p_{n, t_n}. Give exactly one of ``classes`` and ``labels``.

    Returns
    -------
    array of shape (N, C, H, W)
        d z_{n, k_n} / dX_n for each image, or dL/dX.

    Notes
    -----
    The backward pass starts from dL/dz: for a score it is the one-hot row of class k
    (d z_k / d z_j = 1 if j = k, else 0); for the loss it is (p - T)/N. The network's own
    ``backward`` then carries it down to the input, layer by layer.
    """
    if (classes is None) == (labels is None):
        raise TypeError("input_gradient needs exactly one of classes= (a class score) and labels= (the loss), "
                        f"got classes={classes!r}, labels={labels!r}")
    x = as_images(x)
    N = x.shape[0]
    z = net.forward(x)
    K = z.shape[1]
    if labels is not None:
        dz = cross_entropy_backward(z, _labels(labels, N, "labels", K))
    else:
        k = _labels(classes, N, "classes", K)
        dz = np.zeros_like(z)
        dz[np.arange(N), k] = 1.0
    return net.backward(dz)


def saliency(net, x, classes=None):
    r"""Saliency maps |d z_k / dX| of shape (N, H, W), the largest over the channels.

    ``x`` has shape (N, C, H, W); ``classes`` (int or (N,)) defaults to each image's predicted class.
    """
    x = as_images(x)
    if classes is None:
        classes = net.forward(x).argmax(axis=1)
    return np.abs(input_gradient(net, x, classes)).max(axis=1)


def fgsm(x, dx, eps):
    r"""Fast gradient sign method: X_adv = clip(X + eps * sign(dL/dX), 0, 1).

    Parameters
    ----------
    x : array of shape (N, C, H, W)
        Images with pixels in [0, 1].
    dx : array of the same shape
        dL/dX, the loss gradient at the true labels (:func:`input_gradient` with ``labels=``).
    eps : float >= 0
        How far each pixel moves, in pixel units.

    Notes
    -----
    Each pixel takes one step of size eps *up* the loss (plus: the attacker wants a larger loss),
    in the direction of the gradient's sign only, so no pixel changes by more than eps; the clip keeps
    the image a valid image. A new array is returned.
    """
    x = as_float_array(x, "x")
    dx = as_float_array(dx, "dx")
    if dx.shape != x.shape:
        raise ValueError(f"dx must have the shape of x, {x.shape}, got {dx.shape}")
    if isinstance(eps, (bool, np.bool_)) or not np.isscalar(eps) or not np.isfinite(eps) or eps < 0:
        raise ValueError(f"eps must be a number >= 0 (a step in pixel units), got {eps!r}")
    return np.clip(x + eps * np.sign(dx), 0.0, 1.0)


def accuracy_under_attack(net, x, labels, epsilons):
    """Accuracy on FGSM images, one float per eps in ``epsilons``.

    ``x`` (N, C, H, W) are the clean images and ``labels`` (N,) their true classes; the gradient
    dL/dX is computed once, on the clean images.
    """
    x = as_images(x)
    labels = _labels(labels, x.shape[0])
    dx = input_gradient(net, x, labels=labels)
    return [float(np.mean(net.forward(fgsm(x, dx, eps)).argmax(axis=1) == labels)) for eps in epsilons]
