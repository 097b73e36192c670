"""Wrong calls get a TypeError or ValueError whose message names the argument and what it got.

Non-finite input is the package's documented decision (see ``cnnlearn.__doc__``): NaN or infinity in
x, w, b, dy, logits or labels raises ValueError.
"""

from pathlib import Path

import numpy as np
import pytest

import cnnlearn
from cnnlearn import (
    contributions,
    conv2d,
    conv2d_backward,
    conv2d_backward_naive,
    conv2d_naive,
    cross_entropy,
    cross_entropy_backward,
    filter_gradient_equation,
    forward_equation,
    input_gradient_by_full_conv,
    input_gradient_equation,
    numerical_gradient,
    output_size,
    rel_error,
    rot180,
    softmax,
)

PACKAGE_DIR = Path(cnnlearn.__file__).resolve().parent
X4 = np.ones((2, 3, 6, 6))
W4 = np.ones((4, 3, 3, 3))
DY4 = np.ones((2, 4, 4, 4))
Z = np.zeros((2, 3))


def case(id_, call, exc, *fragments):
    """``call`` must raise ``exc`` with every fragment (argument name, what it got) in its message."""
    return pytest.param(call, exc, fragments, id=id_)


CASES = [
    # ---- shapes
    case("x 3-D", lambda: conv2d(np.ones((3, 6, 6)), W4), ValueError, "x must have shape", "(3, 6, 6)", "3-D"),
    case("w 3-D", lambda: conv2d(X4, np.ones((3, 3, 3))), ValueError, "w must have shape", "(3, 3, 3)"),
    case("x 2-D with w 4-D", lambda: conv2d(np.ones((6, 6)), W4), ValueError,
         "x.shape=(6, 6)", "w.shape=(4, 3, 3, 3)"),
    case("channel mismatch", lambda: conv2d(X4, np.ones((4, 2, 3, 3))), ValueError,
         "w has 2 input channel", "x has 3", "x.shape=(2, 3, 6, 6)", "w.shape=(4, 2, 3, 3)"),
    case("channel mismatch in backward", lambda: conv2d_backward(DY4, X4, np.ones((4, 1, 3, 3))), ValueError,
         "w has 1 input channel", "x has 3"),
    case("kernel larger than input", lambda: conv2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3))), ValueError,
         "filter", "3x3", "padded input", "2x2", "x.shape=(1, 1, 2, 2)", "w.shape=(1, 1, 3, 3)"),
    case("dilated kernel larger than input", lambda: conv2d(X4, W4, dilation=3), ValueError,
         "spans 7x7", "6x6", "dilation (3, 3)"),
    case("kernel larger than input, 2-D naive", lambda: conv2d_naive(np.ones((2, 5)), np.ones((3, 1))), ValueError,
         "spans 3x1", "2x5"),
    case("bias of wrong length", lambda: conv2d(X4, W4, np.ones(3)), ValueError,
         "b must have shape (4,)", "b.shape=(3,)"),
    case("bias 2-D", lambda: conv2d_naive(X4, W4, np.ones((4, 1))), ValueError, "b must have shape (4,)", "(4, 1)"),
    case("dy of wrong shape", lambda: conv2d_backward(np.ones((2, 4, 3, 3)), X4, W4), ValueError,
         "dy must have the shape", "(2, 4, 4, 4)", "dy.shape=(2, 4, 3, 3)"),
    case("dy of wrong shape, naive", lambda: conv2d_backward_naive(np.ones((2, 5, 4, 4)), X4, W4), ValueError,
         "dy", "(2, 4, 4, 4)", "(2, 5, 4, 4)"),
    case("dy 2-D of wrong shape", lambda: conv2d_backward(np.ones((3, 3)), np.ones((3, 3)), np.ones((2, 2))),
         ValueError, "dy", "(2, 2)", "(3, 3)"),
    case("empty image", lambda: conv2d(np.ones((1, 1, 0, 4)), np.ones((1, 1, 1, 1))), ValueError,
         "got 0", "x.shape=(1, 1, 0, 4)"),
    # ---- stride, padding, dilation
    case("stride 0", lambda: conv2d(X4, W4, stride=0), ValueError, "stride must be >= 1", "got 0"),
    case("dilation 0", lambda: conv2d_naive(X4, W4, dilation=0), ValueError, "dilation must be >= 1", "got 0"),
    case("negative padding", lambda: conv2d(X4, W4, padding=-1), ValueError, "padding must be >= 0", "got -1"),
    case("stride 1.5", lambda: conv2d(X4, W4, stride=1.5), TypeError, "stride must be an integer", "1.5"),
    case("stride '2'", lambda: conv2d_backward(DY4, X4, W4, stride="2"), TypeError, "stride", "'2'", "str"),
    case("stride True", lambda: conv2d(X4, W4, stride=True), TypeError, "stride", "True", "bool"),
    case("stride pair of length 3", lambda: conv2d(X4, W4, stride=(1, 2, 3)), ValueError,
         "stride must be an int or a pair", "(1, 2, 3)", "length 3"),
    case("padding pair of length 1", lambda: conv2d(X4, W4, padding=[1]), ValueError, "padding", "(1,)", "length 1"),
    case("PyTorch-style 4-tuple padding", lambda: conv2d(X4, W4, padding=(1, 1, 1, 1)), ValueError,
         "padding", "length 4"),
    case("dilation pair with 0", lambda: conv2d(X4, W4, dilation=(1, 0)), ValueError, "dilation[1]", "got 0"),
    case("stride pair with float", lambda: conv2d(X4, W4, stride=(2, 2.0)), TypeError, "stride[1]", "2.0"),
    # ---- non-numeric arrays
    case("x a string", lambda: conv2d("abc", W4), TypeError, "x must be a numeric array", "'abc'"),
    case("x strings", lambda: conv2d(np.array([["a", "b"], ["c", "d"]]), np.ones((1, 1))), TypeError,
         "x must be a real numeric array", "dtype=<U1"),
    case("x object array", lambda: conv2d(np.array([[1, None], [2, 3]], dtype=object), np.ones((1, 1))),
         TypeError, "x must be a numeric array", "object"),
    case("x complex", lambda: conv2d(X4 + 1j, W4), TypeError, "x must be a real numeric array", "complex128"),
    case("x booleans", lambda: conv2d(X4 > 0, W4), TypeError, "x must be a numeric array", "bool"),
    case("x ragged list", lambda: conv2d([[1, 2], [3]], [[1]]), ValueError, "x must be a rectangular"),
    case("w None", lambda: conv2d(X4, None), TypeError, "w must be a numeric array", "object"),
    case("dy strings", lambda: conv2d_backward(np.full((2, 4, 4, 4), "1"), X4, W4), TypeError, "dy", "<U1"),
    # ---- labels and logits
    case("label out of range", lambda: cross_entropy(Z, [0, 3]), ValueError, "labels", "0..2", "K=3", "[3]"),
    case("negative label", lambda: cross_entropy_backward(Z, [-1, 0]), ValueError, "labels", "0..2", "[-1]"),
    case("non-integer label", lambda: cross_entropy(Z, [0.5, 1.0]), ValueError, "labels", "whole numbers", "0.5"),
    case("labels of wrong length", lambda: cross_entropy(Z, [0, 1, 2]), ValueError, "labels", "(2,)", "(3,)"),
    case("probability rows not summing to 1", lambda: cross_entropy(Z, [[0.5, 0.2, 0.2], [1, 0, 0]]), ValueError,
         "labels", "summing to 1", "0.9"),
    case("negative probability", lambda: cross_entropy_backward(Z, [[1.5, -0.5, 0], [1, 0, 0]]), ValueError,
         "labels", "non-negative"),
    case("rows of wrong shape", lambda: cross_entropy(Z, np.ones((2, 4)) / 4), ValueError,
         "labels", "(2, 3)", "(2, 4)"),
    case("labels 3-D", lambda: cross_entropy(Z, np.ones((2, 3, 1))), ValueError, "labels", "(2, 3, 1)"),
    case("labels a string", lambda: cross_entropy(Z, "cat"), TypeError, "labels", "'cat'"),
    case("labels booleans", lambda: cross_entropy(Z, [True, False]), TypeError, "labels", "booleans"),
    case("labels ragged rows", lambda: cross_entropy(Z, [[1, 0, 0], [1, 0]]), ValueError, "labels", "ragged"),
    case("labels None", lambda: cross_entropy(Z, None), TypeError, "labels", "object"),
    case("logits 3-D", lambda: cross_entropy(np.zeros((2, 3, 1)), [0, 1]), ValueError, "logits", "(2, 3, 1)"),
    case("logits with no classes", lambda: cross_entropy(np.zeros((2, 0)), [0, 1]), ValueError,
         "logits", "(2, 0)"),
    case("softmax axis out of range", lambda: softmax(Z, axis=2), ValueError, "axis", "got 2", "(2, 3)"),
    case("softmax axis float", lambda: softmax(Z, axis=1.0), TypeError, "axis", "1.0"),
    case("softmax of a scalar", lambda: softmax(3.0), ValueError, "z", "scalar"),
    # ---- equation indices
    case("output pixel outside the grid", lambda: forward_equation(2, 0, (3, 3), (2, 2)), ValueError,
         "output pixel (2, 0)", "2x2 grid"),
    case("input pixel outside the grid", lambda: input_gradient_equation(0, 3, (3, 3), (2, 2)), ValueError,
         "input pixel (0, 3)", "3x3 grid"),
    case("negative filter entry", lambda: filter_gradient_equation(0, -1, (3, 3), (2, 2)), ValueError,
         "filter entry column", "got -1"),
    case("float equation index", lambda: forward_equation(1.0, 0, (3, 3), (2, 2)), TypeError,
         "output pixel row", "1.0"),
    case("equation values of wrong shape", lambda: forward_equation(0, 0, (3, 3), (2, 2), x=np.ones((2, 2)),
                                                                    w=np.ones((2, 2))),
         ValueError, "x must have shape (3, 3)", "(2, 2)"),
    case("equation values half given", lambda: input_gradient_equation(0, 0, (3, 3), (2, 2), dy=np.ones((2, 2))),
         ValueError, "dy, f", "missing f"),
    case("equation with kernel larger than input", lambda: input_gradient_equation(0, 0, (2, 2), (3, 3)),
         ValueError, "filter", "3x3", "2x2"),
    case("contributions kernel_shape 0", lambda: contributions((3, 3), (0, 2)), ValueError,
         "kernel_shape[0]", "got 0"),
    case("contributions input_shape of 3 entries", lambda: contributions((3, 3, 3), (2, 2)), ValueError,
         "input_shape", "(3, 3, 3)"),
    case("output_size float shape", lambda: output_size((3.5, 3), (2, 2)), TypeError, "input_shape[0]", "3.5"),
    # ---- gradient checking
    case("rel_error shape mismatch", lambda: rel_error(np.ones(2), np.ones(3)), ValueError,
         "a.shape=(2,)", "b.shape=(3,)"),
    case("rel_error of strings", lambda: rel_error("a", [1.0]), TypeError, "a", "'a'"),
    case("f returns a vector", lambda: numerical_gradient(lambda v: v * 2, np.ones(3)), ValueError,
         "f must return a single number", "(3,)"),
    case("f returns None", lambda: numerical_gradient(lambda v: None, np.ones(3)), ValueError,
         "f must return a single number", "NoneType"),
    case("f not callable", lambda: numerical_gradient(np.ones(3), np.ones(3)), TypeError, "f must be a function",
         "ndarray"),
    case("h zero", lambda: numerical_gradient(np.sum, np.ones(3), h=0), ValueError, "h must be a positive", "got 0"),
    case("h negative", lambda: numerical_gradient(np.sum, np.ones(3), h=-1e-6), ValueError, "h", "-1e-06"),
    case("h NaN", lambda: numerical_gradient(np.sum, np.ones(3), h=float("nan")), ValueError, "h", "nan"),
    case("h a string", lambda: numerical_gradient(np.sum, np.ones(3), h="1e-6"), TypeError, "h", "'1e-6'"),
    case("h True", lambda: numerical_gradient(np.sum, np.ones(3), h=True), TypeError, "h", "True"),
    # ---- the full-convolution view
    case("full conv with a wrong input_shape", lambda: input_gradient_by_full_conv(DY4, W4, input_shape=(2, 3, 7, 7)),
         ValueError, "input_shape=(2, 3, 7, 7)", "dy.shape=(2, 4, 4, 4)", "(2, 4, 5, 5)"),
    case("full conv input_shape of 3 entries", lambda: input_gradient_by_full_conv(DY4, W4, input_shape=(3, 6, 6)),
         ValueError, "input_shape", "2 or 4 entries", "(3, 6, 6)"),
    case("full conv input_shape channel mismatch",
         lambda: input_gradient_by_full_conv(DY4, W4, input_shape=(2, 2, 6, 6)), ValueError,
         "w has 3 input channel", "input_shape has 2"),
    case("full conv input_shape 2-D with w 4-D", lambda: input_gradient_by_full_conv(DY4, W4, input_shape=(6, 6)),
         ValueError, "input_shape (6, 6)", "w.shape (4, 3, 3, 3)"),
    case("full conv input_shape None", lambda: input_gradient_by_full_conv(DY4, W4, input_shape=None), TypeError,
         "input_shape", "None"),
    case("rot180 of a vector", lambda: rot180(np.ones(3)), ValueError, "w", "(3,)"),
]


@pytest.mark.parametrize("call, exc, fragments", CASES)
def test_bad_input_gets_a_clear_error(call, exc, fragments):
    with pytest.raises(exc) as info:
        call()
    assert type(info.value) is exc  # not a subclass from deep inside numpy
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from the message {message!r}"
    # raised by cnnlearn itself, not from inside numpy
    assert Path(info.traceback[-1].path).resolve().is_relative_to(PACKAGE_DIR)


def test_at_least_thirty_distinct_bad_inputs():
    ids = [c.id for c in CASES]
    assert len(set(ids)) == len(ids) >= 30


# ----------------------------------------------------------------------------- non-finite input

def _poison(shape, value, where=(0,)):
    a = np.ones(shape)
    a[np.unravel_index(where[0], shape)] = value
    return a


NONFINITE_CALLS = {
    "x in conv2d": ("x", lambda bad: conv2d(_poison(X4.shape, bad), W4)),
    "w in conv2d": ("w", lambda bad: conv2d(X4, _poison(W4.shape, bad))),
    "b in conv2d": ("b", lambda bad: conv2d(X4, W4, _poison((4,), bad))),
    "x in conv2d_naive": ("x", lambda bad: conv2d_naive(_poison((3, 3), bad), np.ones((2, 2)))),
    "b in conv2d_naive": ("b", lambda bad: conv2d_naive(X4, W4, _poison((4,), bad))),
    "dy in conv2d_backward": ("dy", lambda bad: conv2d_backward(_poison(DY4.shape, bad), X4, W4)),
    "x in conv2d_backward": ("x", lambda bad: conv2d_backward(DY4, _poison(X4.shape, bad), W4)),
    "w in conv2d_backward_naive": ("w", lambda bad: conv2d_backward_naive(DY4, X4, _poison(W4.shape, bad))),
    "dy in input_gradient_by_full_conv": ("dy", lambda bad: input_gradient_by_full_conv(
        _poison(DY4.shape, bad), W4, input_shape=X4.shape)),
    "w in rot180": ("w", lambda bad: rot180(_poison((2, 2), bad))),
    "logits in cross_entropy": ("logits", lambda bad: cross_entropy(_poison((2, 3), bad), [0, 1])),
    "logits in cross_entropy_backward": ("logits", lambda bad: cross_entropy_backward(_poison((2, 3), bad), [0, 1])),
    "labels rows in cross_entropy": ("labels", lambda bad: cross_entropy(Z, _poison((2, 3), bad) / 3)),
    "labels classes in cross_entropy": ("labels", lambda bad: cross_entropy(Z, _poison((2,), bad))),
    "z in softmax": ("z", lambda bad: softmax(_poison((2, 3), bad))),
    "x in numerical_gradient": ("x", lambda bad: numerical_gradient(np.sum, _poison((3,), bad))),
    "x in forward_equation": ("x", lambda bad: forward_equation(0, 0, (3, 3), (2, 2), x=_poison((3, 3), bad),
                                                                w=np.ones((2, 2)))),
}


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("name", list(NONFINITE_CALLS))
def test_non_finite_input_raises_value_error(name, bad):
    arg, call = NONFINITE_CALLS[name]
    with pytest.raises(ValueError) as info:
        call(bad)
    message = str(info.value)
    assert message.startswith(f"{arg} ") and ("non-finite" in message or "whole numbers" in message), message


def test_the_non_finite_decision_is_documented():
    assert "Non-finite input" in cnnlearn.__doc__ and "ValueError" in cnnlearn.__doc__


def test_rel_error_accepts_non_finite_and_reports_it():
    """rel_error is the one exception: it measures, so a NaN must show up as a NaN, never as a small number."""
    assert np.isnan(rel_error([np.nan], [1.0]))
    assert np.isnan(rel_error([np.inf], [1.0]))
    assert np.isnan(rel_error([np.inf], [np.inf]))
