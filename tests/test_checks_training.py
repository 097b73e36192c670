"""The check of notebook 07's exercise (max pooling backward): the right answer passes, each slip gets its hint."""

import numpy as np
import pytest
from test_checks_gradients import assert_really_wrong

from cnnlearn import checks
from cnnlearn.checks import check_max_pool_backward, training


def loop_backward(dy, x, k, s, *, assign=False, ties="first"):
    """A student's loop solution, and its typical slips (assign instead of add, ties to all or to the last)."""
    N, C, Ho, Wo = dy.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * s:i * s + k, j * s:j * s + k]
                    if ties == "all":
                        dx[n, c, i * s:i * s + k, j * s:j * s + k] += (win == win.max()) * dy[n, c, i, j]
                        continue
                    flat = win.ravel()
                    a = np.argmax(flat) if ties == "first" else len(flat) - 1 - np.argmax(flat[::-1])
                    a, b = divmod(int(a), k)
                    if assign:
                        dx[n, c, i * s + a, j * s + b] = dy[n, c, i, j]
                    else:
                        dx[n, c, i * s + a, j * s + b] += dy[n, c, i, j]
    return dx


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
        assert_hint(fb, "ties", "the window of dy[0, 0, 0, 0] holds its maximum 5 more than once", "first one in row-major order",
                    "x[0, 0, 0, 0]")


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
