"""Check for the exercise of notebook 09: the fast gradient sign method.

The student writes ``fgsm(x, dx, eps)`` returning clip(x + eps * sign(dx), 0, 1). The check compares it
with :func:`cnnlearn.saliency.fgsm` and names four typical slips by their whole result: the sign
forgotten (x + eps * dx), a minus instead of the plus (that step *lowers* the loss), no clipping
(pixels outside [0, 1]), and eps applied to dx itself (x + sign(eps * dx) = x + sign(dx)).
"""

import numpy as np

from ..saliency import fgsm as _fgsm
from ._feedback import AnswerError, as_answer_array, call_answer, correct, hint

__all__ = ["check_fgsm"]


def _case():
    """A batch of 2 tiny images with pixels near 0 and 1 (so that clipping matters) and a gradient with zeros."""
    rng = np.random.default_rng(9)
    x = rng.uniform(0, 1, size=(2, 1, 4, 4))
    x[0, 0, 0, :2] = [0.02, 0.97]
    dx = rng.normal(scale=0.3, size=x.shape)
    dx[0, 0, 0, :2] = [-0.4, 0.5]   # pushes 0.02 below 0 and 0.97 above 1
    dx[1, 0, 3, 3] = 0.0            # sign(0) = 0: that pixel stays put
    return x, dx, 0.1


def check_fgsm(fgsm):
    """Check ``fgsm(x, dx, eps) -> x_adv`` against clip(x + eps * sign(dx), 0, 1) (tolerance 1e-12)."""
    name = "fgsm"
    x, dx, eps = _case()
    want = _fgsm(x, dx, eps)
    x_in, dx_in = x.copy(), dx.copy()
    try:
        got = as_answer_array(call_answer(fgsm, x_in, dx_in, eps, name=name), x.shape, name=name)
    except AnswerError as err:
        return hint(str(err))
    if not (np.array_equal(x_in, x) and np.array_equal(dx_in, dx)):
        changed = "x" if not np.array_equal(x_in, x) else "dx"
        return hint(f"{name} changed its argument {changed}; build a new image (x + ...) instead of writing into it")
    if np.allclose(got, want, rtol=0, atol=1e-12):
        return correct("every pixel moved by eps in the direction that raises the loss, and stayed in [0, 1]")
    slips = [
        (np.clip(x + eps * dx, 0, 1),
         "your pixels moved by eps * dx, the gradient itself: FGSM uses only its sign, np.sign(dx), so every "
         "pixel moves by exactly eps (up or down), whatever the size of its gradient"),
        (np.clip(x - eps * np.sign(dx), 0, 1),
         "you stepped against the gradient (x - eps * sign(dx)): that lowers the loss, as in training. "
         "The attack wants the loss to grow, so it steps with the gradient: x + eps * sign(dx)"),
        (x + eps * np.sign(dx),
         "some of your pixels are outside [0, 1] (smallest {lo:.2f}, largest {hi:.2f}): clip the result with "
         "np.clip(..., 0, 1) so that it is still an image"),
        (np.clip(x + np.sign(eps * dx), 0, 1),
         "you applied eps inside the sign, sign(eps * dx), which is just sign(dx) because eps > 0: each "
         "pixel moved by 1 instead of eps. Multiply the sign by eps: eps * np.sign(dx)"),
    ]
    for result, message in slips:
        if np.allclose(got, result, rtol=0, atol=1e-12):
            return hint(message.format(lo=float(got.min()), hi=float(got.max())))
    bad = tuple(int(v) for v in np.argwhere(~np.isclose(got, want, rtol=0, atol=1e-12))[0])
    return hint(f"pixel x_adv{list(bad)} (indices as in your code, from 0) is {got[bad]:.4f}, but should be "
                f"clip({x[bad]:.4f} + {eps} * sign({dx[bad]:.4f}), 0, 1) = {want[bad]:.4f}")
