"""The check of notebook 07's exercise (max pooling backward): the right answer passes, each slip gets its hint."""

import numpy as np
import pytest
from references import linear_loop, loop_backward, relu_loop

from cnnlearn import checks
from cnnlearn.checks import check_max_pool_backward, training
from helpers import assert_really_wrong, unresolved


def assert_hint(feedback, *fragments):
    assert not feedback.ok, f"a wrong answer passed: {feedback!r}"
    for fragment in fragments:
        assert fragment in feedback.message, f"{fragment!r} not in {feedback.message!r}"


def test_exported():
    assert checks.check_max_pool_backward is check_max_pool_backward


def test_right_answer_passes():
    fb = check_max_pool_backward(loop_backward)
    assert fb.ok, fb.message
    assert "overlapping windows add up" in fb.message


def test_assigning_instead_of_adding_names_the_shared_maximum():
    fb = check_max_pool_backward(lambda dy, x, k, s: loop_backward(dy, x, k, s, assign=True))
    assert_hint(fb, "overlapping 2x2 windows", "x[0, 0, 1, 1] = 9 is the maximum of 4 overlapping windows",
                "dy[0, 0, 0, 0] + dy[0, 0, 0, 1] + dy[0, 0, 1, 0] + dy[0, 0, 1, 1]", "(+=)")


def test_ties_to_every_maximum_or_to_the_last_one():
    for ties in ("all", "last"):
        fb = check_max_pool_backward(lambda dy, x, k, s: loop_backward(dy, x, k, s, ties=ties))
        assert_hint(fb, "ties", "the window of dy[0, 0, 0, 0] holds its maximum 5 more than once",
                    "first one in row-major order", "x[0, 0, 0, 0]")


def test_average_pooling_gradient_is_refused():
    def average(dy, x, k, s):
        dx = np.zeros_like(x)
        for i in range(dy.shape[2]):
            for j in range(dy.shape[3]):
                dx[:, :, i * s:i * s + k, j * s:j * s + k] += dy[:, :, i:i + 1, j:j + 1] / k**2
        return dx
    assert_hint(check_max_pool_backward(average), "is not the maximum of any window", "should be 0")


def test_wrong_value_at_a_single_maximum():
    def doubled(dy, x, k, s):
        return 2 * loop_backward(dy, x, k, s)
    assert_hint(check_max_pool_backward(doubled), "is the maximum of the window of dy[0, 0,", "should be dy[0, 0,")


def test_ignoring_the_batch_fails_on_the_last_case():
    def first_image_only(dy, x, k, s):
        dx = loop_backward(dy, x, k, s)
        dx[1:] = 0
        return dx
    assert_hint(check_max_pool_backward(first_image_only), "a batch of 2 images", "dx[1, ")


def test_mutating_dy_or_x():
    def mutates(dy, x, k, s):
        dx = loop_backward(dy, x, k, s)
        dy *= 0
        return dx
    assert_hint(check_max_pool_backward(mutates), "changed its argument dy")

    def mutates_x(dy, x, k, s):
        dx = loop_backward(dy, x, k, s)
        x[...] = 0
        return dx
    assert_hint(check_max_pool_backward(mutates_x), "changed its argument x")


def test_stub_none_shape_and_exceptions():
    def stub(dy, x, k, s):
        raise NotImplementedError()
    assert_hint(check_max_pool_backward(stub), "not written yet", "NotImplementedError")
    assert_hint(check_max_pool_backward(lambda dy, x, k, s: None), "forget a `return`")
    assert_hint(check_max_pool_backward(lambda dy, x, k, s: dy), "has shape (1, 1, 2, 2)", "(1, 1, 4, 4)")
    assert_hint(check_max_pool_backward(lambda dy, x, k, s: [1][3]), "raised IndexError")
    assert_hint(check_max_pool_backward(42), "pass the function itself")


# --------------------------------------------------------------------------- every named slip, with proof it is wrong

def windows_kernel_size_apart(dy, x, k, s, crash=False):
    """Windows placed at i * kernel_size instead of i * stride, with += right; windows past the edge are
    skipped (or, with crash=True, np.argmax fails on the empty window as a plain loop would)."""
    N, C, Ho, Wo = dy.shape
    dx = np.zeros_like(x)
    for n, c, i, j in np.ndindex(N, C, Ho, Wo):
        win = x[n, c, i * k:i * k + k, j * k:j * k + k]
        if win.size == 0 and not crash:
            continue
        a, b = np.unravel_index(np.argmax(win), win.shape)
        dx[n, c, i * k + a, j * k + b] += dy[n, c, i, j]
    return dx


def first_only(dy, x, k, s):
    dx = loop_backward(dy, x, k, s)
    dx[1:] = 0
    return dx


def average(dy, x, k, s):
    dx = np.zeros_like(x)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            dx[:, :, i * s:i * s + k, j * s:j * s + k] += dy[:, :, i:i + 1, j:j + 1] / k**2
    return dx


SLIPS = {
    "windows kernel_size apart (+= right)": (
        windows_kernel_size_apart, ["your windows are kernel_size = 2 apart", "move by the stride, 1"], ["(+=)"]),
    "windows kernel_size apart, crashing on an empty window": (
        lambda dy, x, k, s: windows_kernel_size_apart(dy, x, k, s, crash=True),
        ["works on 2x2 windows side by side", "starts at row i * stride"], ["(+=)"]),
    "= instead of +=": (lambda dy, x, k, s: loop_backward(dy, x, k, s, assign=True),
                        ["is the maximum of 4 overlapping windows", "(+=) instead of assigning it (=)"], []),
    "ties to every maximum": (lambda dy, x, k, s: loop_backward(dy, x, k, s, ties="all"),
                              ["holds its maximum 5 more than once", "first one in row-major order"], []),
    "ties to the last maximum": (lambda dy, x, k, s: loop_backward(dy, x, k, s, ties="last"),
                                 ["holds its maximum 5 more than once", "first one in row-major order"], []),
    "average pooling": (average, ["is not the maximum of any window", "should be 0"], []),
    "doubled": (lambda dy, x, k, s: 2 * loop_backward(dy, x, k, s), ["is the maximum of the window of dy"], []),
    "first image only": (first_only, ["a batch of 2 images", "dx[1, "], []),
}


@pytest.mark.parametrize("slip", SLIPS)
def test_every_named_slip_is_wrong_and_gets_its_hint(slip):
    fn, fragments, absent = SLIPS[slip]
    runs = [((dy, x, k, s), loop_backward(dy, x, k, s)) for _, dy, x, k, s in training._cases()]
    assert_really_wrong(fn, runs)
    fb = check_max_pool_backward(fn)
    assert_hint(fb, *fragments)
    for text in absent:
        assert text not in fb.message


def test_loop_reference_agrees_with_the_package():
    from cnnlearn.layers import max_pool2d_backward
    for _, dy, x, k, s in training._cases():
        assert np.array_equal(loop_backward(dy, x, k, s), max_pool2d_backward(dy, x, k, s))


# --------------------------------------------------------------------------- Linear and ReLU backward


LINEAR_SLIPS = {
    "dw transposed": (lambda dy, x, w: (dy @ w, x.T @ dy, dy.sum(0)), ["transpose", "dy.T @ x"]),
    "dY X^T": (lambda dy, x, w: (dy @ w, dy @ x.T, dy.sum(0)), ["(N, N)", "dy.T @ x"]),
    "dx = dy W^T": (lambda dy, x, w: (dy @ w.T, dy.T @ x, dy.sum(0)), ["dy @ w.T", "dX = dY W"]),
    "db mean": (lambda dy, x, w: (dy @ w, dy.T @ x, dy.mean(0)), ["mean", "dy.sum(axis=0)"]),
    "db without axis": (lambda dy, x, w: (dy @ w, dy.T @ x, dy.sum()), ["one number", "dy.sum(axis=0)"]),
    "db over the outputs": (lambda dy, x, w: (dy @ w, dy.T @ x, dy.sum(1)), ["summed over the outputs"]),
}


def _linear_really_wrong(fn):
    for _, dy, x, w in training._linear_cases():
        got, right = fn(dy, x, w), linear_loop(dy, x, w)
        if any(np.shape(g) != r.shape or not np.allclose(g, r) for g, r in zip(got, right)):
            return
    raise AssertionError("this 'wrong' answer is right on every case of the check")


def test_linear_exported_and_right_answer_passes():
    assert checks.check_linear_backward is training.check_linear_backward
    assert checks.check_linear_backward(lambda dy, x, w: linear_loop(dy, x, w)).ok
    assert checks.check_linear_backward(lambda dy, x, w: (dy @ w, dy.T @ x, dy.sum(axis=0))).ok


@pytest.mark.parametrize("slip", sorted(LINEAR_SLIPS))
def test_every_linear_slip_is_wrong_and_gets_its_hint(slip):
    fn, fragments = LINEAR_SLIPS[slip]
    _linear_really_wrong(fn)
    fb = checks.check_linear_backward(fn)
    assert_hint(fb, *fragments)


def test_linear_other_mistakes():
    assert_hint(checks.check_linear_backward(lambda dy, x, w: (dy @ w, dy.T @ x)), "three arrays")

    def stub(dy, x, w):
        raise NotImplementedError()
    assert_hint(checks.check_linear_backward(stub), "not written yet")

    def mutates(dy, x, w):
        dy *= 1.0
        x += 1.0
        return dy @ w, dy.T @ x, dy.sum(0)
    assert_hint(checks.check_linear_backward(mutates), "changed its argument x")

    def off(dy, x, w):
        return dy @ w, dy.T @ x * 2, dy.sum(0)
    _linear_really_wrong(off)
    assert_hint(checks.check_linear_backward(off), "dw[0, 0]", "dW = dY^T X")


RELU_SLIPS = {
    "mask on dy": (lambda dy, x: np.where(dy > 0, dy, 0.0), ["where dy > 0", "x > 0"]),
    "passes dy at x == 0": (lambda dy, x: np.where(x >= 0, dy, 0.0), ["x == 0", "taken as 0"]),
    "x * dy": (lambda dy, x: x * dy, ["x * dy"]),
    "relu(x) * dy": (lambda dy, x: np.maximum(x, 0) * dy, ["relu(x) * dy"]),
    "returns the mask": (lambda dy, x: (x > 0).astype(float), ["mask x > 0 itself", "dy * (x > 0)"]),
}


@pytest.mark.parametrize("slip", sorted(RELU_SLIPS))
def test_every_relu_slip_is_wrong_and_gets_its_hint(slip):
    fn, fragments = RELU_SLIPS[slip]
    assert_really_wrong(fn, [((dy, x), relu_loop(dy, x)) for _, dy, x in training._relu_cases()])
    assert_hint(checks.check_relu_backward(fn), *fragments)


def test_relu_right_answer_and_other_mistakes():
    assert checks.check_relu_backward is training.check_relu_backward
    assert checks.check_relu_backward(relu_loop).ok
    assert checks.check_relu_backward(lambda dy, x: dy * (x > 0)).ok

    def in_place(dy, x):
        dy[x <= 0] = 0
        return dy
    assert_hint(checks.check_relu_backward(in_place), "changed its argument dy")
    assert_hint(checks.check_relu_backward(lambda dy, x: None), "returned None")
    assert_hint(checks.check_relu_backward(lambda dy, x: -dy * (x > 0)), "should be", "dx = dy where x > 0")


def test_relu_cases_hold_kinks_and_both_signs():
    # the slips above are told apart only if x has zeros and dy both signs where x > 0 and where x <= 0
    for _, dy, x in training._relu_cases():
        assert (x == 0).any() and (x < 0).any() and (x > 0).any()
        assert (dy[x <= 0] != 0).all() and (dy < 0).any() and (dy > 0).any()


# --------------------------------------------------------------------------- float32 answers (issue 18)

def test_float32_answers_are_judged_at_float32_precision():
    """Right answers computed in float32 pass (they were refused with "should be 0.68; your answer has 0.68");
    a wrong one in float32 still gets its hint."""
    f32 = np.float32
    for _, dy, x in training._relu_cases():
        assert not np.array_equal(np.where(x > 0, dy, 0.0).astype(f32), np.where(x > 0, dy, 0.0))  # not exact
    assert checks.check_relu_backward(lambda dy, x: np.where(x > 0, dy, 0.0).astype(f32))
    assert checks.check_relu_backward(lambda dy, x: np.where(x.astype(f32) > 0, dy.astype(f32), f32(0)))
    assert checks.check_linear_backward(lambda dy, x, w: tuple(a.astype(f32) for a in linear_loop(dy, x, w)))
    assert check_max_pool_backward(lambda dy, x, k, s: loop_backward(dy, x, k, s).astype(f32))
    assert_hint(checks.check_relu_backward(lambda dy, x: (x * dy).astype(f32)), "you returned x * dy")
    assert_hint(checks.check_linear_backward(lambda dy, x, w: (dy @ w, (x.T @ dy).astype(f32), dy.sum(0))),
                "dw equals x.T @ dy")
    off = lambda dy, x: np.where(x > 0, dy, 0.0).astype(f32) + f32(1e-3) * (x > 0)  # noqa: E731
    assert_hint(checks.check_relu_backward(off), "should be")


def test_the_hints_name_only_what_exists():
    hints = [checks.check_max_pool_backward(fn).message for fn, *_ in SLIPS.values()]
    hints += [checks.check_linear_backward(fn).message for fn, _ in LINEAR_SLIPS.values()]
    hints += [checks.check_relu_backward(fn).message for fn, _ in RELU_SLIPS.values()]
    assert unresolved("\n".join(hints)) == []
