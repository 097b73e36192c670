r"""The LaTeX equations: exact strings for the worked example, 1-based subscripts, substituted numbers,
and, for random geometry, every equation's value equal to what conv2d / conv2d_backward compute."""

import re
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cnnlearn import (
    contributions,
    conv2d,
    conv2d_backward,
    filter_gradient_equation,
    forward_equation,
    input_gradient_equation,
)
from cnnlearn.equations import fmt_number, update_equation
from cnnlearn.example import FILTER, X, worked_example
from conv_cases import geometries

DX = r"\frac{\partial L}{\partial x_{%s}}"
DF = r"\frac{\partial L}{\partial f_{%s}}"


# ----------------------------------------------------------------------------- the worked example, symbolic

@pytest.mark.parametrize("oi, oj, expected", [
    (0, 0, "y_{11} = x_{11} f_{11} + x_{12} f_{12} + x_{21} f_{21} + x_{22} f_{22}"),
    (0, 1, "y_{12} = x_{12} f_{11} + x_{13} f_{12} + x_{22} f_{21} + x_{23} f_{22}"),
    (1, 0, "y_{21} = x_{21} f_{11} + x_{22} f_{12} + x_{31} f_{21} + x_{32} f_{22}"),
    (1, 1, "y_{22} = x_{22} f_{11} + x_{23} f_{12} + x_{32} f_{21} + x_{33} f_{22}"),
])
def test_forward_equations_3x3_2x2(oi, oj, expected):
    assert forward_equation(oi, oj, (3, 3), (2, 2)) == expected


@pytest.mark.parametrize("i, j, rhs", [
    (0, 0, "dy_{11} f_{11}"),
    (0, 1, "dy_{11} f_{12} + dy_{12} f_{11}"),
    (0, 2, "dy_{12} f_{12}"),
    (1, 0, "dy_{11} f_{21} + dy_{21} f_{11}"),
    (1, 1, "dy_{11} f_{22} + dy_{12} f_{21} + dy_{21} f_{12} + dy_{22} f_{11}"),
    (1, 2, "dy_{12} f_{22} + dy_{22} f_{12}"),
    (2, 0, "dy_{21} f_{21}"),
    (2, 1, "dy_{21} f_{22} + dy_{22} f_{21}"),
    (2, 2, "dy_{22} f_{22}"),
])
def test_input_gradient_equations_3x3_2x2(i, j, rhs):
    assert input_gradient_equation(i, j, (3, 3), (2, 2)) == DX % f"{i + 1}{j + 1}" + " = " + rhs


def test_centre_pixel_gradient_has_each_filter_entry_once():
    """The slip in a widely read table writes f12 twice in this line; every entry appears exactly once."""
    eq = input_gradient_equation(1, 1, (3, 3), (2, 2))
    assert eq == (r"\frac{\partial L}{\partial x_{22}} = "
                  "dy_{11} f_{22} + dy_{12} f_{21} + dy_{21} f_{12} + dy_{22} f_{11}")
    for entry in ("f_{11}", "f_{12}", "f_{21}", "f_{22}"):
        assert eq.count(entry) == 1
    for out in ("dy_{11}", "dy_{12}", "dy_{21}", "dy_{22}"):
        assert eq.count(out) == 1


@pytest.mark.parametrize("ki, kj, rhs", [
    (0, 0, "dy_{11} x_{11} + dy_{12} x_{12} + dy_{21} x_{21} + dy_{22} x_{22}"),
    (0, 1, "dy_{11} x_{12} + dy_{12} x_{13} + dy_{21} x_{22} + dy_{22} x_{23}"),
    (1, 0, "dy_{11} x_{21} + dy_{12} x_{22} + dy_{21} x_{31} + dy_{22} x_{32}"),
    (1, 1, "dy_{11} x_{22} + dy_{12} x_{23} + dy_{21} x_{32} + dy_{22} x_{33}"),
])
def test_filter_gradient_equations_3x3_2x2(ki, kj, rhs):
    assert filter_gradient_equation(ki, kj, (3, 3), (2, 2)) == DF % f"{ki + 1}{kj + 1}" + " = " + rhs


# ----------------------------------------------------------------------------- numbers substituted

def test_forward_equation_with_the_worked_example_numbers():
    # X = [[1, 1, 2], [2, 3, 1], [2, 0, 3]], F = [[-1.5, 2.5], [-2, 0.5]]:
    # y11 = 1*(-1.5) + 1*2.5 + 2*(-2) + 3*0.5 = -1.5
    assert forward_equation(0, 0, (3, 3), (2, 2), x=X, w=FILTER) == (
        r"y_{11} = x_{11} f_{11} + x_{12} f_{12} + x_{21} f_{21} + x_{22} f_{22}"
        r" = 1 \cdot (-1.5) + 1 \cdot 2.5 + 2 \cdot (-2) + 3 \cdot 0.5 = -1.5")
    # y12 = 1*(-1.5) + 2*2.5 + 3*(-2) + 1*0.5 = -2
    assert forward_equation(0, 1, (3, 3), (2, 2), x=X, w=FILTER).endswith(
        r" = 1 \cdot (-1.5) + 2 \cdot 2.5 + 3 \cdot (-2) + 1 \cdot 0.5 = -2")


def test_input_gradient_equation_with_numbers():
    dy, w = [[1, 2], [3, 4]], [[5, 6], [7, 8]]
    # dL/dx22 = dy11 f22 + dy12 f21 + dy21 f12 + dy22 f11 = 1*8 + 2*7 + 3*6 + 4*5 = 60
    assert input_gradient_equation(1, 1, (3, 3), (2, 2), dy=dy, w=w) == (
        r"\frac{\partial L}{\partial x_{22}} = dy_{11} f_{22} + dy_{12} f_{21} + dy_{21} f_{12} + dy_{22} f_{11}"
        r" = 1 \cdot 8 + 2 \cdot 7 + 3 \cdot 6 + 4 \cdot 5 = 60")
    assert 1 * 8 + 2 * 7 + 3 * 6 + 4 * 5 == conv2d_backward(dy, np.zeros((3, 3)), w)[0][1, 1]


def test_filter_gradient_equation_with_numbers():
    dy = [[1, -1], [2, 0.5]]
    # dL/df11 = dy11 x11 + dy12 x12 + dy21 x21 + dy22 x22 = 1*1 + (-1)*1 + 2*2 + 0.5*3 = 5.5
    assert filter_gradient_equation(0, 0, (3, 3), (2, 2), dy=dy, x=X) == (
        r"\frac{\partial L}{\partial f_{11}} = dy_{11} x_{11} + dy_{12} x_{12} + dy_{21} x_{21} + dy_{22} x_{22}"
        r" = 1 \cdot 1 + (-1) \cdot 1 + 2 \cdot 2 + 0.5 \cdot 3 = 5.5")


def test_non_whole_numbers_get_four_significant_digits():
    eq = input_gradient_equation(0, 0, (3, 3), (2, 2), dy=[[0.1234, 0], [0, 0]], w=[[-0.5, 0], [0, 0]])
    assert eq == r"\frac{\partial L}{\partial x_{11}} = dy_{11} f_{11} = 0.1234 \cdot (-0.5) = -0.0617"


def test_factors_get_the_digits_the_total_needs():
    # 0.1234567 * (-0.5) = -0.06172835, shown as -0.06173; with 0.1235 a student would get -0.06175,
    # with 0.12346 -0.06173
    eq = input_gradient_equation(0, 0, (3, 3), (2, 2), dy=[[0.1234567, 0], [0, 0]], w=[[-0.5, 0], [0, 0]])
    assert eq == r"\frac{\partial L}{\partial x_{11}} = dy_{11} f_{11} = 0.12346 \cdot (-0.5) = -0.06173"


def test_fmt_number():
    assert [fmt_number(v) for v in (0.0, -0.0, 3.0, -2.0, 0.5, 1 / 3, -2 / 3, 12345.678)] == [
        "0", "0", "3", "-2", "0.5", "0.3333", "-0.6667", "1.235e+04"]
    assert fmt_number(1 / 3, 7) == "0.3333333"
    assert fmt_number(float("inf")) == r"\infty" and fmt_number(-float("inf")) == r"-\infty"


def test_a_total_beyond_the_float_range_is_shown_as_infinity():
    eq = forward_equation(0, 0, (2, 2), (2, 2), x=[[1e308, 1e308], [0, 0]], w=[[1, 1], [1, 1]])
    assert eq.endswith(r"= 1e+308 \cdot 1 + 1e+308 \cdot 1 + 0 \cdot 1 + 0 \cdot 1 = \infty")


# ----------------------------------------------------------------------------- the shown numbers add up by hand

NUMBER = r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?"
FACTOR = rf"(?:\(({NUMBER})\)|({NUMBER}))"
PRODUCT = re.compile(rf"^{FACTOR} \\cdot {FACTOR}$")


def shown_sum(eq):
    """(factor pairs, total) as Fractions of the exact decimals an equation shows."""
    numeric, total = eq.split(" = ")[2:]
    pairs = []
    for product in numeric.split(" + "):
        m = PRODUCT.match(product)
        assert m, (product, eq)
        a, b = (Fraction(m.group(1) or m.group(2)), Fraction(m.group(3) or m.group(4)))
        pairs.append((a, b))
    return pairs, Fraction(total)


def hand_sum_rounded(pairs):
    """What a student gets: the exact sum of the shown products, rounded to 4 significant digits."""
    by_hand = sum((a * b for a, b in pairs), Fraction(0))
    with localcontext() as ctx:
        ctx.prec = 60  # the shown factors have at most 15 digits: their products and sums are exact here
        return Fraction(Decimal(f"{Decimal(by_hand.numerator) / Decimal(by_hand.denominator):.4g}"))


def worked_equations():
    ex = worked_example()
    out = [forward_equation(oi, oj, (3, 3), (2, 2), x=ex.x, w=ex.w) for oi, oj in np.ndindex(2, 2)]
    out += [input_gradient_equation(i, j, (3, 3), (2, 2), dy=ex.dy, w=ex.w) for i, j in np.ndindex(3, 3)]
    out += [filter_gradient_equation(ki, kj, (3, 3), (2, 2), dy=ex.dy, x=ex.x) for ki, kj in np.ndindex(2, 2)]
    return out


@pytest.mark.parametrize("eq", worked_equations())
def test_the_worked_example_adds_up_by_hand(eq):
    """Multiply the shown factors, add the products: the exact hand sum rounded to 4 significant digits
    is the shown total, and the shown total is the true value (from the package's arrays) to 4 digits."""
    pairs, total = shown_sum(eq)
    assert hand_sum_rounded(pairs) == total, eq


def test_the_worked_example_totals_are_the_true_values():
    ex = worked_example()
    dx, dw, _ = conv2d_backward(ex.dy, ex.x, ex.w)
    for (i, j), eq in zip(np.ndindex(3, 3), worked_equations()[4:13]):
        assert _value(eq) == float(f"{dx[i, j]:.4g}")
    for (ki, kj), eq in zip(np.ndindex(2, 2), worked_equations()[13:]):
        assert _value(eq) == float(f"{dw[ki, kj]:.4g}")


@given(st.integers(0, 2**32 - 1), st.sampled_from([1e-3, 1.0, 1e3]))
def test_random_values_add_up_by_hand(seed, scale):
    rng = np.random.default_rng(seed)
    x, w, dy = rng.normal(size=(4, 4)) * scale, rng.normal(size=(2, 3)), rng.normal(size=(3, 2))
    _, dw, _ = conv2d_backward(dy, x, w)
    for ki, kj in np.ndindex(2, 3):
        eq = filter_gradient_equation(ki, kj, (4, 4), (2, 3), dy=dy, x=x)
        pairs, total = shown_sum(eq)
        assert hand_sum_rounded(pairs) == total, eq
        assert np.isclose(float(total), dw[ki, kj], rtol=1e-3)


# ----------------------------------------------------------------------------- subscripts, padding, stride

def test_subscripts_are_one_based_with_a_comma_beyond_nine():
    eq = forward_equation(9, 1, (12, 4), (3, 3))
    assert eq.startswith("y_{10,2} = x_{10,2} f_{11} + x_{10,3} f_{12} + x_{10,4} f_{13} + x_{11,2} f_{21}")
    assert eq.endswith("x_{12,4} f_{33}")
    assert "x_{0" not in eq and "f_{0" not in eq


def test_taps_on_the_padding_are_left_out():
    assert forward_equation(0, 0, (3, 3), (2, 2), padding=1) == "y_{11} = x_{11} f_{22}"
    assert forward_equation(3, 3, (3, 3), (2, 2), padding=1) == "y_{44} = x_{33} f_{11}"
    # an interior output of the padded case reads the same pixels as y11 of the unpadded one
    assert forward_equation(1, 1, (3, 3), (2, 2), padding=1) == (
        "y_{22} = x_{11} f_{11} + x_{12} f_{12} + x_{21} f_{21} + x_{22} f_{22}")


def test_pixel_skipped_by_the_stride_has_zero_gradient():
    assert input_gradient_equation(1, 1, (3, 3), (1, 1), stride=2) == DX % "22" + " = 0"
    assert input_gradient_equation(0, 0, (3, 3), (1, 1), stride=2) == DX % "11" + " = dy_{11} f_{11}"


# ----------------------------------------------------------------------------- equations agree with the arrays

def _value(eq):
    return float(eq.rsplit(" = ", 1)[1])


def _terms(eq):
    rhs = eq.split(" = ")[1]
    return 0 if rhs == "0" else rhs.count(" + ") + 1


@given(geometries(max_kernel=3, max_extra=3), st.integers(0, 2**32 - 1))
def test_every_equation_evaluates_to_what_the_arrays_hold(g, seed):
    """Small integers keep every sum exact, so the printed value must equal the computed one exactly."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, (g.H, g.W)).astype(float)
    w = rng.integers(-5, 6, (g.kh, g.kw)).astype(float)
    dy = rng.integers(-5, 6, g.out_shape).astype(float)
    shapes = ((g.H, g.W), (g.kh, g.kw))
    y = conv2d(x, w, **g.kwargs)
    dx, dw, _ = conv2d_backward(dy, x, w, **g.kwargs)
    feeds = contributions(*shapes, **g.kwargs)
    for oi, oj in np.ndindex(*g.out_shape):
        assert _value(forward_equation(oi, oj, *shapes, **g.kwargs, x=x, w=w)) == y[oi, oj]
    for i, j in np.ndindex(g.H, g.W):
        eq = input_gradient_equation(i, j, *shapes, **g.kwargs)
        assert _terms(eq) == len(feeds[(i, j)])
        with_numbers = input_gradient_equation(i, j, *shapes, **g.kwargs, dy=dy, w=w)
        assert with_numbers.startswith(eq)
        if feeds[(i, j)]:
            assert _value(with_numbers) == dx[i, j]
        else:
            assert dx[i, j] == 0
    for ki, kj in np.ndindex(g.kh, g.kw):
        assert _value(filter_gradient_equation(ki, kj, *shapes, **g.kwargs, dy=dy, x=x)) == dw[ki, kj]


def test_equation_symbols_follow_one_pattern():
    term = r"dy_\{\d\d\} f_\{\d\d\}"
    pattern = re.compile(r"^\\frac\{\\partial L\}\{\\partial x_\{\d\d\}\} = " + term + "( \\+ " + term + ")*$")
    for i, j in np.ndindex(4, 5):
        assert pattern.match(input_gradient_equation(i, j, (4, 5), (2, 3), padding=1))


def test_equations_leave_their_arrays_unchanged():
    x, w, dy = np.array(X), np.array(FILTER), np.array([[0.5, -1.0], [2.0, 0.25]])
    copies = [a.copy() for a in (x, w, dy)]
    for a in (x, w, dy):
        a.flags.writeable = False
    forward_equation(1, 1, (3, 3), (2, 2), x=x, w=w)
    input_gradient_equation(1, 1, (3, 3), (2, 2), dy=dy, w=w)
    filter_gradient_equation(0, 1, (3, 3), (2, 2), dy=dy, x=x)
    for a, c in zip((x, w, dy), copies):
        assert np.array_equal(a, c)


# ----------------------------------------------------------------------------- one step of gradient descent (03)

def test_update_equation_for_the_worked_example():
    ex = worked_example()
    dw = conv2d_backward(ex.dy, ex.x, ex.w)[1]
    assert update_equation(0, 0, ex.w, dw, 0.1) == (
        r"f'_{11} = f_{11} - \mathrm{lr}\, \frac{\partial L}{\partial f_{11}} = -1.5 - 0.1 \cdot (-0.9051) = -1.409")
    assert update_equation(1, 1, ex.w, dw, 0.1).endswith(r" = 0.5 - 0.1 \cdot (-1.996) = 0.6996")


# entries and gradients of any size a float keeps after the step: lr times a gradient near 5e-324 has no float
# (the equation shows the float the step gives, 0)
SIZES = st.floats(-5, 5).filter(lambda v: v == 0 or abs(v) >= 1e-300)


@given(SIZES, SIZES, st.sampled_from([0.001, 0.01, 0.1, 0.25, 1.0]))
@example(-2.2250738585072014e-308, -1.875, 0.25)  # a subnormal old entry: 0.46875 less a hair shows 0.4687
@example(-2.1452154193358637, -3.077039490904449, 0.1)  # -1.8375 by hand: rounds, half to even, to -1.838
def test_update_equation_by_hand_gives_the_shown_value(f, g, lr):
    """The shown numbers, subtracted by hand and rounded like the shown value, give the shown value, and that
    is the true new entry rounded."""
    eq = update_equation(0, 0, [[f]], [[g]], lr)
    numbers = eq.split(" = ")[2:]
    old, rest = numbers[0].split(" - ", 1)
    lr_shown, grad = rest.split(r" \cdot ")
    shown = numbers[1]
    with localcontext() as ctx:
        ctx.prec = 5000  # exact, as the equation adds (a subnormal old value must not round away)
        by_hand = Decimal(old) - Decimal(lr_shown) * Decimal(grad.strip("()"))
    assert float(Decimal(shown)) == pytest.approx(f - lr * g, rel=1e-3, abs=1e-12)
    assert Decimal(f"{by_hand:.4g}") == Decimal(shown)  # rounded as the equation rounds: in decimal, half to even


@pytest.mark.parametrize("args, words", [
    ((0, 0, [[1.0]], [[1.0]], 0), "lr must be a number > 0"),
    ((0, 0, [[1.0]], [[1.0, 2.0]], 0.1), "the same shape"),
    ((1, 0, [[1.0]], [[1.0]], 0.1), "filter entry (1, 0) is outside"),
])
def test_update_equation_refuses_bad_arguments(args, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        update_equation(*args)


# ----------------------------------------------------------------------------- the Linear layer (notebook 07)

def test_linear_equations_of_a_small_layer():
    from cnnlearn.equations import linear_feeds, linear_forward_equation, linear_gradient_equation
    shapes = ((2, 3), (2, 3))   # x (N, in), w (out, in)
    assert linear_forward_equation(0, 1, *shapes) == "y_{12} = x_{11} w_{21} + x_{12} w_{22} + x_{13} w_{23} + b_{2}"
    assert linear_feeds("w", (1, 0), *shapes) == [((0, 1), (0, 0)), ((1, 1), (1, 0))]   # output 2 of every example
    assert linear_feeds("x", (0, 2), *shapes) == [((0, 0), (0, 2)), ((0, 1), (1, 2))]   # every output of example 1
    assert linear_feeds("b", 1, *shapes) == [((0, 1), None), ((1, 1), None)]
    assert linear_gradient_equation("w", (1, 0), *shapes) == \
        r"\frac{\partial L}{\partial w_{21}} = dy_{12} x_{11} + dy_{22} x_{21}"
    assert linear_gradient_equation("x", (0, 2), *shapes) == \
        r"\frac{\partial L}{\partial x_{13}} = dy_{11} w_{13} + dy_{12} w_{23}"
    assert linear_gradient_equation("b", 1, *shapes) == r"\frac{\partial L}{\partial b_{2}} = dy_{12} + dy_{22}"
    dy = np.array([[0.2, -0.4], [-0.3, 0.1]])
    assert linear_gradient_equation("b", 1, *shapes, dy=dy) == \
        r"\frac{\partial L}{\partial b_{2}} = dy_{12} + dy_{22} = (-0.4) + 0.1 = -0.3"


@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4))
def test_linear_equations_evaluate_to_the_matrix_products(seed, N, J, K):
    """Every weight's, input's and bias's equation adds up by hand to dY^T X, dY W and the column sums of dY."""
    from cnnlearn.equations import linear_gradient_equation
    rng = np.random.default_rng(seed)
    x, w, dy = rng.normal(size=(N, J)), rng.normal(size=(K, J)), rng.normal(size=(N, K))
    shapes = (x.shape, w.shape)
    for which, grid, right, partner in (("w", (K, J), dy.T @ x, dict(x=x)), ("x", (N, J), dy @ w, dict(w=w))):
        for index in np.ndindex(*grid):
            eq = linear_gradient_equation(which, index, *shapes, dy=dy, **partner)
            pairs, total = shown_sum(eq)
            assert hand_sum_rounded(pairs) == total, eq
            assert float(total) == float(f"{right[index]:.4g}"), eq
    for k in range(K):
        assert _value(linear_gradient_equation("b", k, *shapes, dy=dy)) == float(f"{dy[:, k].sum():.4g}")


@pytest.mark.parametrize("call, error, words", [
    (lambda f: f("w", (2, 0), (2, 3), (2, 3)), ValueError, "outside the 2x3 grid"),
    (lambda f: f("b", 2, (2, 3), (2, 3)), ValueError, "bias index 2 is outside the 2 outputs"),
    (lambda f: f("y", (0, 0), (2, 3), (2, 3)), ValueError, "which must be 'w'"),
    (lambda f: f("w", (0, 0), (2, 3), (2, 4)), ValueError, "the same in_features"),
    (lambda f: f("x", (0, 0), (2, 3), (2, 3), dy=np.zeros((2, 2))), ValueError, "pass all of dy, w"),
])
def test_linear_equations_refuse_bad_arguments(call, error, words):
    from cnnlearn.equations import linear_gradient_equation
    with pytest.raises(error, match=words):
        call(linear_gradient_equation)
