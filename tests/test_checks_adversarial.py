"""The check of notebook 09's exercise (FGSM): the right answer passes, each typical slip gets its own hint."""

import numpy as np
import pytest
from references import loop_fgsm

from cnnlearn import checks
from cnnlearn.checks import adversarial, check_fgsm
from helpers import assert_slip_named, unresolved

WRONG = {
    "sign forgotten": (lambda x, dx, eps: np.clip(x + eps * dx, 0, 1), ["the gradient itself", "exactly eps"]),
    "minus": (lambda x, dx, eps: np.clip(x - eps * np.sign(dx), 0, 1), ["lowers the loss", "x + eps * sign(dx)"]),
    "no clipping": (lambda x, dx, eps: x + eps * np.sign(dx), ["outside [0, 1]", "np.clip(..., 0, 1)"]),
    "eps inside the sign": (lambda x, dx, eps: np.clip(x + np.sign(eps * dx), 0, 1),
                            ["sign(eps * dx)", "moved by 1 instead of eps"]),
}


def test_exported():
    assert checks.check_fgsm is check_fgsm


def test_right_answer_passes():
    fb = check_fgsm(loop_fgsm)
    assert fb.ok, fb.message


@pytest.mark.parametrize("slip", sorted(WRONG))
def test_each_slip_is_wrong_and_named(slip):
    runs = [((x, dx, eps), loop_fgsm(x, dx, eps)) for x, dx, eps in adversarial._cases()]
    assert_slip_named(check_fgsm, WRONG, slip, runs)


def test_stub_none_and_mutation():
    def stub(x, dx, eps):
        raise NotImplementedError()
    assert "not written yet" in check_fgsm(stub).message
    assert "returned None" in check_fgsm(lambda x, dx, eps: None).message

    def mutating(x, dx, eps):
        x += eps * np.sign(dx)
        return np.clip(x, 0, 1)
    assert "changed its argument x" in check_fgsm(mutating).message


def test_other_error_names_a_pixel():
    fb = check_fgsm(lambda x, dx, eps: np.clip(x + 2 * eps * np.sign(dx), 0, 1))
    assert not fb.ok and "indices as in your code, from 0" in fb.message


def test_two_values_of_eps_at_least():
    """An eps written into the code passed while only eps = 0.1 was tried (issue 18)."""
    def fixed(x, dx, eps):
        return np.clip(x + 0.1 * np.sign(dx), 0, 1)
    cases = adversarial._cases()
    assert len({eps for _, _, eps in cases}) >= 2
    assert any(np.allclose(fixed(*c), loop_fgsm(*c)) for c in cases)            # right where eps = 0.1
    assert any(not np.allclose(fixed(*c), loop_fgsm(*c)) for c in cases)        # wrong elsewhere
    fb = check_fgsm(fixed)
    assert not fb.ok and "whatever eps the function is given" in fb.message and "use the argument eps" in fb.message


def test_float32_answer_passes_and_a_float32_slip_is_named():
    assert check_fgsm(lambda x, dx, eps: loop_fgsm(x, dx, eps).astype(np.float32))
    fb = check_fgsm(lambda x, dx, eps: np.clip(x - eps * np.sign(dx), 0, 1).astype(np.float32))
    assert not fb.ok and "lowers the loss" in fb.message


def test_the_hints_name_only_what_exists():
    assert unresolved("\n".join(checks.check_fgsm(fn).message for fn, _ in WRONG.values())) == []
