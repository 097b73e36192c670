r"""The digits network of notebooks 07 to 09: two convolutions, built, trained, saved and loaded in one place.

Architecture (shapes for a batch of N 8x8 digits, NCHW)::

    Conv2D(1, 16, 3, padding=1)    (N, 1, 8, 8)   -> (N, 16, 8, 8)    layer 0
    ReLU()                                         -> (N, 16, 8, 8)    layer 1
    MaxPool2D(2)                                   -> (N, 16, 4, 4)    layer 2
    Conv2D(16, 32, 3, padding=1)                   -> (N, 32, 4, 4)    layer 3
    ReLU()                                         -> (N, 32, 4, 4)    layer 4
    Flatten()                                      -> (N, 512)         layer 5
    Linear(512, 10)                                -> (N, 10)          layer 6

The second convolution is what makes the first one's dL/dX matter: the first layer's
weights receive their gradient only after layer 3 has handed dL/d(its input) down.

:func:`train` is notebook 07's recipe (SGD with momentum, mini-batches of 32, one-pixel
shifts as augmentation, the learning rate cut tenfold for the last epochs); every seed is
fixed, so the same call gives the same network. :func:`save` writes the weights to an
``.npz`` file and :func:`load_or_train` reads them back, or trains afresh (a few seconds)
when the file is not there, so notebook 09 never downloads anything.

Notebook 07's capstone builds the same network with the student's own backward functions
(``build_network(backward={...})``, see :mod:`cnnlearn.layers`), times one training step with them
(:func:`time_step`) and extrapolates to the recipe's :func:`steps_per_run` steps before it trains.
"""

import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from . import datasets
from .layers import Conv2D, Flatten, Linear, MaxPool2D, ReLU, Sequential
from .losses import cross_entropy, cross_entropy_backward
from .optim import SGD

__all__ = ["build_network", "train", "train_step", "accuracy", "save", "load", "load_or_train",
           "steps_per_run", "time_step", "DEFAULT_FILE", "RECIPE", "BACKWARD_KINDS"]

#: The file notebook 07 writes and notebook 09 reads, next to the notebooks.
DEFAULT_FILE = "digits_net.npz"

#: Notebook 07's training recipe: the defaults of :func:`train`.
RECIPE = {"epochs": 20, "batch": 32, "lr": 0.05, "momentum": 0.9, "slow_from": 15, "seed": 42}


#: The layers a backward function of one's own can replace, by the key :func:`build_network` reads, with the
#: signature of the exercise it comes from (notebook 06's conv_backward, notebook 07's other three).
BACKWARD_KINDS = {
    "conv": "conv_backward(dy, x, w, stride, padding) -> (dx, dw, db)",
    "relu": "relu_backward(dy, x) -> dx",
    "pool": "max_pool_backward(dy, x, kernel_size, stride) -> dx",
    "linear": "linear_backward(dy, x, w) -> (dx, dw, db)",
}


def _backward_functions(backward):
    """``backward`` checked: a dict from keys of :data:`BACKWARD_KINDS` to functions (None: the package's)."""
    if backward is None:
        return {}
    if not isinstance(backward, dict):
        raise TypeError(f"backward must be a dict such as {{'conv': conv_backward, 'relu': relu_backward}}, "
                        f"got {type(backward).__name__}")
    unknown = sorted(set(backward) - set(BACKWARD_KINDS))
    if unknown:
        raise ValueError(f"backward has the unknown key(s) {unknown}; the keys are {list(BACKWARD_KINDS)}")
    return backward


def build_network(seed=0, *, backward=None):
    """The untrained two-convolution network: He-initialised convolutions, a Glorot linear layer, zero biases.

    ``seed`` (int) seeds the generator that draws every initial weight. ``backward`` (dict or None) plugs
    backward functions of one's own into the layers in place of the package's: ``"conv"`` into both
    convolutions, ``"relu"`` into both ReLUs, ``"pool"`` into the max pooling, ``"linear"`` into the linear
    layer, each with the signature in :data:`BACKWARD_KINDS` (shapes in :mod:`cnnlearn.layers`); a key left
    out keeps the package's. The initial weights do not depend on ``backward``.
    """
    own = _backward_functions(backward)
    conv, relu, pool, linear = (own.get(kind) for kind in ("conv", "relu", "pool", "linear"))
    rng = np.random.default_rng(seed)
    return Sequential(
        Conv2D(1, 16, 3, padding=1, rng=rng, backward=conv),    # (N, 1, 8, 8)   -> (N, 16, 8, 8)
        ReLU(backward=relu),                                    # (N, 16, 8, 8)  -> (N, 16, 8, 8)
        MaxPool2D(2, backward=pool),                            # (N, 16, 8, 8)  -> (N, 16, 4, 4)
        Conv2D(16, 32, 3, padding=1, rng=rng, backward=conv),   # (N, 16, 4, 4)  -> (N, 32, 4, 4)
        ReLU(backward=relu),                                    # (N, 32, 4, 4)  -> (N, 32, 4, 4)
        Flatten(),                                              # (N, 32, 4, 4)  -> (N, 512)
        Linear(32 * 4 * 4, 10, rng=rng, backward=linear),       # (N, 512)       -> (N, 10)
    )


def accuracy(net, x, labels):
    """Fraction of the images ``x`` (N, 1, 8, 8) whose largest logit is at their label ``labels`` (N,)."""
    return float(np.mean(net.forward(x).argmax(axis=1) == np.asarray(labels)))


def train_step(net, opt, xb, yb):
    """One step: forward, loss, backward (fills ``net.grads``), optimiser step. Returns (loss, logits).

    ``xb`` has shape (N, 1, 8, 8), ``yb`` (N,) holds the labels.
    """
    logits = net.forward(xb)                          # 1. forward
    loss = cross_entropy(logits, yb)                  # 2. loss
    net.backward(cross_entropy_backward(logits, yb))  # 3. backward
    opt.step()                                        # 4. SGD step
    return loss, logits


def train(net, data=None, *, epochs=RECIPE["epochs"], batch=RECIPE["batch"], lr=RECIPE["lr"],
          momentum=RECIPE["momentum"], slow_from=RECIPE["slow_from"], seed=RECIPE["seed"], on_epoch=None):
    r"""Train ``net`` in place on the digits' training split; returns the history and the compute time.

    Parameters
    ----------
    net : Sequential
        Usually :func:`build_network`; its parameters are updated in place.
    data : Digits or None
        ``datasets.load_digits()`` when None.
    epochs, batch, lr, momentum : int, int, float, float
        Passes over the training images, mini-batch size, learning rate, momentum.
    slow_from : int
        From this epoch on (1-based) the learning rate is ``lr / 10``.
    seed : int
        Seeds the order of the mini-batches and the shifts.
    on_epoch : callable or None
        Called as ``on_epoch(epoch, history)`` after each epoch (a live plot, a progress bar);
        its time is not counted.

    Returns
    -------
    dict
        ``loss``, ``train_acc``, ``test_acc``: one entry per epoch; ``seconds``: compute time of the
        training steps alone (not the test evaluations or ``on_epoch``).
    """
    for name, v in (("epochs", epochs), ("batch", batch), ("slow_from", slow_from)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    if on_epoch is not None and not callable(on_epoch):
        raise TypeError(f"on_epoch must be a function on_epoch(epoch, history) or None, got {on_epoch!r}")
    x_train, y_train, x_test, y_test = datasets.load_digits() if data is None else data
    opt = SGD(net, lr=lr, momentum=momentum)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "train_acc": [], "test_acc": [], "seconds": 0.0}
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        if epoch == slow_from:
            opt.lr = lr / 10
        order = rng.permutation(len(y_train))
        losses, correct = [], 0
        for first in range(0, len(order), batch):
            idx = order[first:first + batch]
            xb, yb = datasets.random_shift(x_train[idx], rng), y_train[idx]
            loss, logits = train_step(net, opt, xb, yb)
            losses.append(loss)
            correct += int(np.sum(logits.argmax(axis=1) == yb))
        history["seconds"] += time.perf_counter() - t0
        history["loss"].append(float(np.mean(losses)))
        history["train_acc"].append(correct / len(y_train))
        history["test_acc"].append(accuracy(net, x_test, y_test))
        if on_epoch is not None:
            on_epoch(epoch, history)
    return history


def steps_per_run(n_train=None, *, epochs=RECIPE["epochs"], batch=RECIPE["batch"]):
    """How many training steps :func:`train` takes: ``epochs`` passes over ``n_train`` images (the digits'
    training split when None) in mini-batches of ``batch``, the last one smaller."""
    if n_train is None:
        n_train = len(datasets.load_digits()[1])
    return epochs * math.ceil(n_train / batch)


def time_step(backward=None, *, data=None, batch=RECIPE["batch"], seed=0, steps=3, budget=2.0):
    r"""Seconds one training step of :func:`train` takes with the backward functions ``backward``.

    Parameters
    ----------
    backward : dict or None
        As in :func:`build_network`.
    data : Digits or None
        ``datasets.load_digits()`` when None; the steps run on its first training images.
    batch, seed : int
        Mini-batch size and the seed of the throwaway network that is trained.
    steps, budget : int, float
        Up to ``steps`` steps are timed, fewer when they take more than ``budget`` seconds (at least one).

    Returns
    -------
    dict
        ``"step"``: the median time of one step (the shift of the images, forward, loss, backward, SGD update),
        in seconds, and, for each key of ``backward``, the seconds of that step spent inside its function.
    """
    own = _backward_functions(backward)
    spent = {kind: 0.0 for kind, fn in own.items() if fn is not None}

    def timed(kind, fn):
        def call(*args):
            t0 = time.perf_counter()
            try:
                return fn(*args)
            finally:
                spent[kind] += time.perf_counter() - t0
        call.__name__ = getattr(fn, "__name__", kind)
        return call

    net = build_network(seed, backward={kind: timed(kind, fn) for kind, fn in own.items() if fn is not None})
    opt = SGD(net, lr=RECIPE["lr"], momentum=RECIPE["momentum"])
    x_train, y_train = (datasets.load_digits() if data is None else data)[:2]
    rng = np.random.default_rng(seed)
    runs, total = [], 0.0
    while not runs or (len(runs) < steps and total < budget):
        k = len(runs) * batch % len(y_train)
        before = dict(spent)
        t0 = time.perf_counter()
        xb, yb = datasets.random_shift(x_train[k:k + batch], rng), y_train[k:k + batch]   # as train does
        train_step(net, opt, xb, yb)
        seconds = time.perf_counter() - t0
        total += seconds
        runs.append((seconds, {kind: spent[kind] - before[kind] for kind in spent}))
    runs.sort(key=lambda run: run[0])
    seconds, inside = runs[len(runs) // 2]
    return {"step": seconds, **inside}


def save(net, path=DEFAULT_FILE):
    """Write every parameter of ``net`` to the ``.npz`` file ``path`` (atomically: readers never see half a file)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", suffix=".npz.part")
    os.close(fd)
    with open(tmp, "wb") as f:
        np.savez(f, **net.params)
    os.replace(tmp, path)
    return path


def load(path=DEFAULT_FILE):
    """A network of :func:`build_network`'s shape with the weights saved in ``path``."""
    path = Path(path)
    net = build_network()
    with np.load(path) as saved:
        if sorted(saved.files) != sorted(net.params):
            raise ValueError(f"{path} holds the parameters {sorted(saved.files)}, but the digits network has "
                             f"{sorted(net.params)}; run notebook 07 again to save the current network")
        for key, p in net.params.items():
            if saved[key].shape != p.shape:
                raise ValueError(f"{path}: parameter {key} has shape {saved[key].shape}, the network needs "
                                 f"{p.shape}; run notebook 07 again to save the current network")
            p[...] = saved[key]
    return net


def load_or_train(path=DEFAULT_FILE, verbose=True):
    """The network notebook 07 saved in ``path``; if there is none, train one now with :data:`RECIPE` and save it."""
    path = Path(path)
    if path.exists():
        net = load(path)
        if verbose:
            print(f"loaded the network notebook 07 trained from {path}")
        return net
    net = build_network()
    history = train(net)
    save(net, path)
    if verbose:
        print(f"{path} was not there, so the network was trained now with notebook 07's recipe "
              f"({history['seconds']:.1f} s, test accuracy {history['test_acc'][-1]:.1%}) and saved")
    return net
