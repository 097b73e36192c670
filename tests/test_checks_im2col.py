"""The check of notebook 10's exercise (col2im): the right answer passes, each slip gets its own hint."""

import numpy as np
import pytest
from references import loop_col2im

from cnnlearn import checks
from cnnlearn.checks import check_col2im
from cnnlearn.checks import im2col as check_module
from helpers import assert_really_wrong


def runs():
    return [((d, s, kh, kw, p), loop_col2im(d, s, kh, kw, p)) for _, d, s, kh, kw, p in check_module._cases()]


def assert_hint(fb, *fragments):
    assert not fb.ok, f"a wrong answer passed: {fb!r}"
    for f in fragments:
        assert f in fb.message, f"{f!r} not in {fb.message!r}"


def test_exported_and_reference_agrees_with_the_package():
    assert checks.check_col2im is check_col2im
    from cnnlearn.im2col import col2im
    for (d, s, kh, kw, p), right in runs():
        np.testing.assert_allclose(col2im(d, s, kh, kw, padding=p), right)


def test_right_answer_passes():
    fb = check_col2im(loop_col2im)
    assert fb.ok, fb.message


@pytest.mark.parametrize("slip, fragments", [
    (dict(assign=True), ["the worked example", "(=) instead of adding it (+=)", "1-2-4"]),
    (dict(order="columns"), ["wrong order", "row by row"]),
    (dict(crop="none"), ["padding 1", "crop it", "canvas[P:P + H, P:P + W]"]),
    (dict(crop="corner"), ["padding 1", "top-left corner"]),
])
def test_each_slip_is_named(slip, fragments):
    def wrong(*args):
        return loop_col2im(*args, **slip)
    assert_really_wrong(wrong, runs())
    assert_hint(check_col2im(wrong), *fragments)


def test_other_mistakes_name_a_pixel_and_a_stub_is_told_apart():
    def off(*args):
        dx = loop_col2im(*args)
        dx[0, 1] += 1
        return dx
    assert_really_wrong(off, runs())
    assert_hint(check_col2im(off), "dx[0, 1] should be")

    def stub(*args):
        raise NotImplementedError()
    assert_hint(check_col2im(stub), "not written yet")


def test_mutating_dcols_is_caught():
    def mutate(dcols, *args):
        dx = loop_col2im(dcols, *args)
        dcols *= 0
        return dx
    assert_hint(check_col2im(mutate), "changed its argument dcols")
