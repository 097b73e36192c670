"""What every check shares through cnnlearn.checks._runner: right answers pass whatever their float dtype,
a slip is named only when the answer is that slip on every case, and the code a hint recommends for sizes
fixed in the code or for a changed argument runs on every case of its check."""

import re

import numpy as np
import pytest
from references import (
    ce,
    central,
    conv_layer_loops,
    conv_loops,
    corr,
    counts_by_loops,
    dw_batch_right,
    dw_strided_right,
    dx22_right,
    dx_by_loops,
    dx_strided_right,
    grad_right,
    linear_loop,
    loop_backward,
    loop_col2im,
    loop_fgsm,
    loop_occlusion,
    loop_saliency,
    network_input_gradient,
    rel,
    relu_loop,
    softmax_rows,
)

from cnnlearn import checks
from cnnlearn.checks._runner import Case, Slip, run_check

#: every check, the names of its function's arguments, and a right answer written in the tests
RIGHT = {
    "window_sum": (("patch", "w"), lambda p, w: np.sum(p * w)),
    "conv_forward": (("x", "w"), conv_loops),
    "output_length": (("n", "k", "stride", "padding", "dilation"),
                      lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s + 1),
    "softmax": (("z",), softmax_rows),
    "cross_entropy": (("logits", "labels"), ce),
    "logit_gradient": (("logits", "labels"), grad_right),
    "central_difference": (("f", "x", "h"), lambda f, x, h: central(f, x.copy(), h)),
    "relative_error": (("a", "b"), rel),
    "filter_gradient": (("x", "dy"), corr),
    "filter_gradient_batch": (("x", "dy"), dw_batch_right),
    "input_gradient": (("dy", "w"), dx_by_loops),
    "dx22_line": (("dy", "w"), dx22_right),
    "feed_counts": (("input_shape", "kernel_shape"), counts_by_loops),
    "bias_gradient": (("dy",), lambda dy: dy.sum(axis=(0, 2, 3))),
    "filter_gradient_strided": (("x", "dy", "kernel_shape", "stride", "padding"), dw_strided_right),
    "input_gradient_strided": (("dy", "w", "input_shape", "stride", "padding"), dx_strided_right),
    "conv_backward": (("dy", "x", "w", "stride", "padding"), conv_layer_loops),
    "linear_backward": (("dy", "x", "w"), linear_loop),
    "relu_backward": (("dy", "x"), relu_loop),
    "max_pool_backward": (("dy", "x", "kernel_size", "stride"), loop_backward),
    "input_gradient_of_network": (("net", "x", "labels"), network_input_gradient),
    "col2im": (("dcols", "input_shape", "kh", "kw", "padding"), loop_col2im),
    "saliency_map": (("net", "x", "classes"), loop_saliency),
    "occlusion_map": (("net", "x", "classes", "size"), loop_occlusion),
    "fgsm": (("x", "dx", "eps"), loop_fgsm),
}


def test_every_check_is_in_the_table():
    # check_capstone is not a check of one function: it runs four of these checks, then times a training step
    # (tests/test_capstone.py)
    assert sorted(RIGHT) == sorted(name[len("check_"):] for name in checks.__all__
                                   if name.startswith("check_") and name != "check_capstone")


def as_float32(result):
    if isinstance(result, tuple):
        return tuple(np.asarray(r, dtype=np.float32) for r in result)
    return np.asarray(result, dtype=np.float32)


@pytest.mark.parametrize("name", RIGHT)
def test_right_answers_pass_in_float64_and_float32(name):
    check, (_, right) = getattr(checks, f"check_{name}"), RIGHT[name]
    assert check(right), check(right).message
    fb = check(lambda *args: as_float32(right(*args)))
    assert fb, fb.message


def recording(right, raise_after=1):
    """``right``, raising IndexError from the ``raise_after``-th call on (as code with sizes written in does);
    every call's arguments are kept in ``.calls``."""
    def answer(*args):
        answer.calls.append(args)
        if len(answer.calls) > raise_after:
            return [][0]
        return right(*args)
    answer.calls = []
    return answer


def snippets(message):
    return re.findall(r"`([^`]+)`", message)


def run_snippet(code, names, args):
    code = code + ": pass" if code.startswith("for ") else code
    exec(code, {"np": np}, dict(zip(names, args)))


@pytest.mark.parametrize("name", RIGHT)
def test_the_code_a_hint_recommends_for_sizes_runs_on_every_case(name):
    """The advice for an answer that works on the first case only names the check's own arguments: each
    snippet it shows runs on the arguments of every case."""
    check, (names, right) = getattr(checks, f"check_{name}"), RIGHT[name]
    answer = recording(right)
    fb = check(answer)
    assert not fb and "works on" in fb.message and "raised IndexError" in fb.message, fb.message
    for code in snippets(fb.message):
        for args in answer.calls:
            run_snippet(code, names, args)


@pytest.mark.parametrize("name", [n for n, (names, _) in RIGHT.items()
                                  if names[0] not in ("f", "net", "n", "input_shape")])
def test_the_copy_a_hint_recommends_for_a_changed_argument_fixes_it(name):
    """Changing the first array argument gets a hint naming it, and its snippet (`a = a.copy()`) fixes it."""
    check, (names, right) = getattr(checks, f"check_{name}"), RIGHT[name]

    def changes(first, *rest):
        out = right(first.copy(), *rest)
        first[...] = 0
        return out
    fb = check(changes)
    assert not fb and f"changed its argument {names[0]}" in fb.message, fb.message
    code = next(c for c in snippets(fb.message) if c.endswith(".copy()"))
    assert code == f"{names[0]} = {names[0]}.copy()"

    def fixed(first, *rest):
        first = first.copy()
        return changes(first, *rest)
    assert check(fixed)


# --------------------------------------------------------------------------- the rule, on a check made up here

def toy_check(fn, slips):
    cases = [Case(f"case {k}", (np.array([float(k), 1.0]),), np.array([float(k), 1.0]) * 2) for k in range(3)]
    return run_check(fn, cases, name="double", slips=slips, explain=lambda c, got: f"first wrong: {c.label}",
                     right="doubled")


def test_a_slip_is_named_only_when_the_answer_is_that_slip_on_every_case():
    slip = Slip("you tripled", lambda c: 3 * c.args[0])
    assert toy_check(lambda v: 3 * v, [slip]).message == "you tripled"
    # tripled on case 1 only (case 0 is [0, 1]: tripling differs there too): the first wrong number, no slip
    assert toy_check(lambda v: 3 * v if v[0] == 1 else 2 * v + (v[0] == 0), [slip]).message == "first wrong: case 0"


def test_a_slip_equal_to_the_right_answer_everywhere_names_nothing():
    same_as_right = Slip("never", lambda c: c.right)
    assert toy_check(lambda v: 2 * v, [same_as_right])
    assert toy_check(lambda v: v, [same_as_right]).message == "first wrong: case 0"


def test_a_slip_whose_code_fails_matches_only_the_same_kind_of_failure():
    fails = Slip("fails like the slip", lambda c: [][0] if c.args[0][0] == 2 else 3 * c.args[0])
    assert toy_check(lambda v: [][0] if v[0] == 2 else 3 * v, [fails]).message == "fails like the slip"
    wrong_kind = toy_check(lambda v: {}["k"] if v[0] == 2 else 3 * v, [fails])
    assert not wrong_kind and "fails like" not in wrong_kind.message
