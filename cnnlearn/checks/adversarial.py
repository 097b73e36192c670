"""Check for the exercise of notebook 09: the fast gradient sign method.

The student writes ``fgsm(x, dx, eps)`` returning clip(x + eps * sign(dx), 0, 1). The check runs it with
three values of eps, compares with :func:`cnnlearn.saliency.fgsm` and names the typical slips by their
results on every case: the sign forgotten (x + eps * dx), a minus instead of the plus (that step *lowers*
the loss), no clipping (pixels outside [0, 1]), eps applied to dx itself (x + sign(eps * dx) = x + sign(dx)),
and an eps written into the code instead of taken from the argument.
"""

import numpy as np

from ..saliency import fgsm as _fgsm
from ._runner import Case, Slip, first_off, run_check

__all__ = ["check_fgsm"]

EPS = (0.1, 0.25, 0.03)


def _cases():
    """Batches of tiny images with pixels near 0 and 1 (so that clipping matters) and gradients with zeros,
    one per eps of :data:`EPS`."""
    rng = np.random.default_rng(9)
    out = []
    for eps in EPS:
        x = rng.uniform(0, 1, size=(2, 1, 4, 4))
        x[0, 0, 0, :2] = [0.02, 0.97]
        dx = rng.normal(scale=0.3, size=x.shape)
        dx[0, 0, 0, :2] = [-0.4, 0.5]   # pushes 0.02 below 0 and 0.97 above 1
        dx[1, 0, 3, 3] = 0.0            # sign(0) = 0: that pixel stays put
        out.append((x, dx, eps))
    return out


def _pixel_hint(case, got):
    bad = first_off(got, case.right, 0, 1e-12)
    x, dx = case.x[bad], case.dx[bad]
    return (f"for {case.label}, pixel x_adv{list(bad)} (indices as in your code, from 0) is {got[bad]:.4f}, but "
            f"should be clip({x:.4f} + {case.eps} * sign({dx:.4f}), 0, 1) = {case.right[bad]:.4f}")


def check_fgsm(fgsm):
    """Check ``fgsm(x, dx, eps) -> x_adv`` against clip(x + eps * sign(dx), 0, 1) (tolerance 1e-12), for three
    values of eps."""
    cases = [Case(f"eps = {eps}", (x, dx, eps), _fgsm(x, dx, eps), x=x, dx=dx, eps=eps) for x, dx, eps in _cases()]
    slips = [
        Slip("your pixels moved by eps * dx, the gradient itself: FGSM uses only its sign, np.sign(dx), so every "
             "pixel moves by exactly eps (up or down), whatever the size of its gradient",
             lambda c: np.clip(c.x + c.eps * c.dx, 0, 1)),
        Slip("you stepped against the gradient (x - eps * sign(dx)): that lowers the loss, as in training. The "
             "attack wants the loss to grow, so it steps with the gradient: x + eps * sign(dx)",
             lambda c: np.clip(c.x - c.eps * np.sign(c.dx), 0, 1)),
        Slip(lambda c, got: f"some of your pixels are outside [0, 1] (smallest {float(got.min()):.2f}, largest "
             f"{float(got.max()):.2f}): clip the result with np.clip(..., 0, 1) so that it is still an image",
             lambda c: c.x + c.eps * np.sign(c.dx)),
        Slip("you applied eps inside the sign, sign(eps * dx), which is just sign(dx) because eps > 0: each pixel "
             "moved by 1 instead of eps. Multiply the sign by eps: eps * np.sign(dx)",
             lambda c: np.clip(c.x + np.sign(c.eps * c.dx), 0, 1)),
    ] + [Slip(f"your pixels moved by {eps} whatever eps the function is given: use the argument eps (the check "
              f"tries eps = {', '.join(map(str, EPS))}), not a number written into the code",
              lambda c, eps=eps: np.clip(c.x + eps * np.sign(c.dx), 0, 1)) for eps in EPS]
    return run_check(fgsm, cases, name="fgsm", names=("x", "dx", "eps"), what="fgsm's result", sizes="`x.shape`",
                     rtol=0, atol=1e-12,
                     slips=slips, say="for {label}: {text}", explain=_pixel_hint,
                     changed="build a new image (x + ...) instead of writing into it",
                     right="every pixel moved at most eps, in the direction that raises the loss, and stayed in [0, 1]")
