r"""What dL/dX is for: saliency maps and adversarial digits, through the network's own backward pass.

Notebook 09. The backward pass that trains a network (notebook 07) ends with dL/dX, the gradient
with respect to the *input image*. Training throws it away; here it is the result:

* :func:`input_gradient` runs ``net.forward`` and ``net.backward`` and returns d(score)/dX for a
  class score z_k, or dL/dX for the cross-entropy loss at the true labels;
* :func:`saliency` is |d z_k / dX|: how strongly each pixel moves the class score;
* :func:`occlusion` is the other way to ask which pixels matter: grey out a patch and watch z_k drop;
* :func:`fgsm` is the fast gradient sign method, X_adv = clip(X + eps * sign(dL/dX), 0, 1);
* :func:`iterative_fgsm` takes several small FGSM steps, each time from a fresh gradient, never further than
  eps from the clean image;
* :func:`accuracy_under_attack` is the test accuracy of attacked images for a list of epsilons.

Every array is NCHW: a batch of N images of shape (N, C, H, W); the digits are (N, 1, 8, 8).
Nothing here changes the caller's arrays; the network's stored gradients (``net.grads``) are
overwritten by the backward pass, as by any training step.
"""

import numbers

import numpy as np

from .losses import cross_entropy_backward, softmax
from .validate import as_float_array, as_int, check_ndim

__all__ = ["input_gradient", "saliency", "occlusion", "fgsm", "iterative_fgsm", "accuracy_under_attack", "predict",
           "as_images"]


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


def _number(v, name, need=">= 0", minimum=0.0):
    if (isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real) or not np.isfinite(v)
            or (minimum is not None and v < minimum)):
        raise ValueError(f"{name} must be a number {need}, got {v!r}")
    return float(v)


#: At most this many greyed images go through the network in one forward pass of :func:`occlusion`.
OCCLUSION_BATCH = 1024


def occlusion(net, x, classes, *, size=1, fill=0.5):
    r"""Occlusion maps: how much the class score z_k drops when a square patch of the image is greyed out.

    Parameters
    ----------
    net : Sequential
        A network whose ``forward`` maps (N, C, H, W) to logits (N, K).
    x : array of shape (N, C, H, W)
        The images, pixels in [0, 1].
    classes : int or array of shape (N,)
        The class k whose score z_k is watched (one for all images, or one per image).
    size : int, keyword only
        The side of the square patch, 1 <= size <= min(H, W); 1 greys out one pixel at a time.
    fill : float, keyword only
        The value every pixel of the patch takes, in every channel: 0.5 is grey, half the ink.

    Returns
    -------
    array of shape (N, H - size + 1, W - size + 1)
        Entry (n, i, j) is z_k(X_n) - z_k(X_n with the patch whose top-left pixel is (i, j) set to ``fill``):
        positive where hiding the patch lowers the score, negative where it raises it.

    Notes
    -----
    The patch slides like a size x size filter with stride 1 and no padding, so it has
    (H - size + 1)(W - size + 1) positions, and each position costs one forward pass of the N images (the
    positions run together, up to :data:`OCCLUSION_BATCH` greyed images at a time); no backward pass. Unlike
    the saliency map's, the change is not small: a pixel moves from x_ij to ``fill``, and to first order the
    drop is the gradient times that change,

    .. math:: z_k(X) - z_k(X_\mathrm{grey}) \approx \sum_{(i, j) \in \mathrm{patch}}
              \frac{\partial z_k}{\partial x_{ij}} (x_{ij} - \mathrm{fill}),

    so a pixel that is already grey changes nothing, however large its gradient.
    """
    x = as_images(x)
    N, C, H, W = x.shape
    size = as_int(size, "size", minimum=1)
    if size > min(H, W):
        raise ValueError(f"size must be at most min(H, W) = {min(H, W)} for images of shape {(H, W)}, got {size}")
    fill = _number(fill, "fill", need="(the value of a greyed pixel)", minimum=None)
    z = net.forward(x)
    k = _labels(classes, N, "classes", z.shape[1])
    score = z[np.arange(N), k]                                  # (N,)
    positions = list(np.ndindex(H - size + 1, W - size + 1))
    drop = np.empty((N, len(positions)))
    chunk = max(1, OCCLUSION_BATCH // N)                        # positions per forward pass
    for start in range(0, len(positions), chunk):
        part = positions[start:start + chunk]
        x_grey = np.repeat(x[None], len(part), axis=0)          # (P, N, C, H, W): a fresh copy per position
        for p, (i, j) in enumerate(part):
            x_grey[p, :, :, i:i + size, j:j + size] = fill      # every channel of the patch
        z_grey = net.forward(x_grey.reshape(-1, C, H, W)).reshape(len(part), N, -1)
        drop[:, start:start + len(part)] = score[:, None] - z_grey[:, np.arange(N), k].T
    return drop.reshape(N, H - size + 1, W - size + 1)


def _eps(eps, name="eps"):
    return _number(eps, name, need=">= 0 (a step in pixel units)")


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
    eps = _eps(eps)
    return np.clip(x + eps * np.sign(dx), 0.0, 1.0)


def iterative_fgsm(net, x, labels, eps, *, steps=5, alpha=None):
    r"""The iterative attack: ``steps`` small FGSM steps, each from the gradient at the image reached so far.

    Parameters
    ----------
    net : Sequential
        A network whose ``forward`` maps (N, C, H, W) to logits (N, K).
    x : array of shape (N, C, H, W)
        The clean images, pixels in [0, 1].
    labels : int or array of shape (N,)
        The true classes t_n: every step climbs the cross-entropy loss at these labels.
    eps : float >= 0
        How far any pixel may end up from the clean image, in pixel units (as for :func:`fgsm`).
    steps : int >= 1, keyword only
        The number of steps.
    alpha : float >= 0, keyword only
        The size of one step; by default 2.5 * eps / steps, so that the steps together can reach the edge
        of the eps-ball and still move along it (the rule of Madry et al., 2018).

    Returns
    -------
    array of shape (N, C, H, W)
        X_adv, with |X_adv - X| <= eps in every pixel and every pixel in [0, 1].

    Notes
    -----
    .. math:: X^{(0)} = X, \qquad
              X^{(r+1)} = \mathrm{clip}_{[0, 1]}\big(\mathrm{clip}_{[X - \epsilon,\, X + \epsilon]}
              (X^{(r)} + \alpha\, \mathrm{sign}(\partial L / \partial X^{(r)}))\big)

    FGSM trusts the gradient at the clean image for one step of size eps; here the gradient is taken
    again after each small step, so the attack follows the loss where it has got to (Kurakin, Goodfellow
    and Bengio's basic iterative method, 2017). The inner clip keeps every pixel within eps of the clean
    one, so the attack is held to the same budget as FGSM; the outer clip keeps an image. With
    ``steps=1`` and ``alpha >= eps`` it is FGSM exactly. It costs ``steps`` forward and backward passes.
    """
    x = as_images(x)
    labels = _labels(labels, x.shape[0])
    eps = _eps(eps)
    steps = as_int(steps, "steps", minimum=1)
    alpha = 2.5 * eps / steps if alpha is None else _eps(alpha, "alpha")
    low, high = x - eps, x + eps
    x_adv = x.copy()
    for _ in range(steps):
        dx = input_gradient(net, x_adv, labels=labels)
        x_adv = np.clip(np.clip(x_adv + alpha * np.sign(dx), low, high), 0.0, 1.0)
    return x_adv


def accuracy_under_attack(net, x, labels, epsilons, *, steps=1):
    """Accuracy on attacked images, one float per eps in ``epsilons``.

    ``x`` (N, C, H, W) are the clean images and ``labels`` (N,) their true classes. With ``steps=1`` the
    attack is :func:`fgsm`, whose gradient dL/dX is computed once, on the clean images; with more steps it is
    :func:`iterative_fgsm` with its default step size, run afresh for every eps.
    """
    x = as_images(x)
    labels = _labels(labels, x.shape[0])
    steps = as_int(steps, "steps", minimum=1)
    if steps == 1:
        dx = input_gradient(net, x, labels=labels)
        attacked = (fgsm(x, dx, eps) for eps in epsilons)
    else:
        attacked = (iterative_fgsm(net, x, labels, eps, steps=steps) for eps in epsilons)
    return [float(np.mean(net.forward(x_adv).argmax(axis=1) == labels)) for x_adv in attacked]
