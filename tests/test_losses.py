"""softmax, cross_entropy and cross_entropy_backward against values computed by hand with math."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnnlearn import cross_entropy, cross_entropy_backward, rel_error, softmax


def hand_softmax(row):
    m = max(row)
    e = [math.exp(v - m) for v in row]
    return [v / sum(e) for v in e]


def hand_cross_entropy(rows, targets):
    """Mean over rows of -sum_k t_k log p_k, with log p_k = z_k - m - log(sum exp(z - m))."""
    total = 0.0
    for z, t in zip(rows, targets):
        m = max(z)
        lse = m + math.log(sum(math.exp(v - m) for v in z))
        total += sum(tk * (lse - zk) for zk, tk in zip(z, t))
    return total / len(rows)


def onehot(labels, K):
    return [[1.0 if k == c else 0.0 for k in range(K)] for c in labels]


logit_rows = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6),
                        elements=st.floats(-1e4, 1e4, allow_nan=False))


# ----------------------------------------------------------------------------- softmax

@given(logit_rows)
def test_softmax_rows_sum_to_one(z):
    p = softmax(z)
    assert p.shape == z.shape
    assert np.all(p >= 0) and np.all(p <= 1)
    assert np.allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    # the largest score gets the largest probability
    assert np.array_equal(p[np.arange(z.shape[0]), np.argmax(z, axis=1)], p.max(axis=1))


@given(logit_rows)
def test_softmax_axis_zero_is_the_transpose(z):
    assert rel_error(softmax(z.T, axis=0), softmax(z).T) == 0.0
    assert np.allclose(softmax(z, axis=0).sum(axis=0), 1.0, rtol=0, atol=1e-12)


def test_softmax_matches_hand_values():
    z = [[1.0, 2.0, 3.0], [0.0, 0.0, -1.0]]
    p = softmax(z)
    for row, prow in zip(z, p):
        e = [math.exp(v) for v in row]
        assert prow.tolist() == pytest.approx([v / sum(e) for v in e], rel=1e-15)
    assert softmax([2.0, 2.0]).tolist() == [0.5, 0.5]


def test_softmax_is_stable_where_naive_exp_overflows():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        np.exp(z)  # the textbook formula overflows
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert np.isnan(naive).any()
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, no 0/0 inside the package
        p = softmax(z)
    assert p[0].tolist() == [1.0, 0.0, 0.0]
    assert p[1].tolist() == pytest.approx([1 / 3] * 3, rel=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_keeps_float_dtype(dtype):
    assert softmax(np.zeros((2, 3), dtype)).dtype == dtype
    assert softmax([[1, 2, 3]]).dtype == np.float64


# ----------------------------------------------------------------------------- cross_entropy

@pytest.mark.parametrize("logits, labels", [
    ([[1.0, 2.0, 3.0]], [2]),
    ([[1.0, 2.0, 3.0]], [0]),
    ([[0.0, 0.0]], [1]),
    ([[3.0, -1.0, 0.5, 2.0], [0.2, 0.1, -0.3, 0.0]], [3, 1]),
    ([[-2.0, 5.0, 1.0], [1.0, 1.0, 1.0], [0.5, -0.5, 4.0]], [0, 2, 2]),
])
def test_cross_entropy_hand_values(logits, labels):
    K = len(logits[0])
    expected = 0.0
    for z, c in zip(logits, labels):  # -log(e^{z_c} / sum_k e^{z_k}), written out directly
        expected += -math.log(math.exp(z[c]) / sum(math.exp(v) for v in z))
    expected /= len(logits)
    assert cross_entropy(logits, labels) == pytest.approx(expected, rel=1e-14)
    assert cross_entropy(logits, onehot(labels, K)) == pytest.approx(expected, rel=1e-14)


def test_cross_entropy_closed_forms():
    assert cross_entropy([[0.0, 0.0]], [0]) == pytest.approx(math.log(2), rel=1e-15)
    assert cross_entropy([[0.0, 0.0, 0.0, 0.0]], [3]) == pytest.approx(math.log(4), rel=1e-15)
    # soft targets: -(0.25 log p0 + 0.75 log p1) with p = softmax([0, log 3]) = (1/4, 3/4)
    z = [[0.0, math.log(3.0)]]
    expected = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert cross_entropy(z, [[0.25, 0.75]]) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("logits, label, loss", [
    ([1e4, -1e4], 1, 2e4),
    ([1e4, -1e4], 0, 0.0),
    ([-1e4, 1e4], 0, 2e4),
    ([1e4, 0.0, -1e4], 2, 2e4),
    ([-1e4, -1e4, 1e4], 0, 2e4),
])
def test_cross_entropy_is_exact_at_1e4(logits, label, loss):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert cross_entropy([logits], [label]) == loss
        assert cross_entropy(np.array(logits), label) == loss  # one example as a 1-D row
        assert cross_entropy([logits], onehot([label], len(logits))) == loss


def test_cross_entropy_equal_huge_logits():
    assert cross_entropy([[1e4, 1e4]], [0]) == pytest.approx(math.log(2), rel=1e-12)
    assert cross_entropy([[-1e4, -1e4, -1e4]], [1]) == pytest.approx(math.log(3), rel=1e-12)


@given(logit_rows, st.integers(0, 2**32 - 1))
def test_integer_labels_and_onehot_rows_agree(z, seed):
    N, K = z.shape
    labels = np.random.default_rng(seed).integers(0, K, size=N)
    rows = np.eye(K)[labels]
    assert cross_entropy(z, labels) == pytest.approx(cross_entropy(z, rows), rel=1e-12, abs=1e-12)
    assert cross_entropy(z, labels) == pytest.approx(cross_entropy(z, labels.astype(float)), rel=0, abs=0)
    assert cross_entropy(z, labels.tolist()) == cross_entropy(z, labels)
    assert rel_error(cross_entropy_backward(z, labels), cross_entropy_backward(z, rows)) <= 1e-15


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)),
                  elements=st.floats(-30, 30, allow_nan=False)), st.integers(0, 2**32 - 1))
def test_cross_entropy_matches_hand_formula_with_probability_rows(z, seed):
    N, K = z.shape
    t = np.random.default_rng(seed).random((N, K)) + 0.01
    t /= t.sum(axis=1, keepdims=True)
    assert cross_entropy(z, t) == pytest.approx(hand_cross_entropy(z.tolist(), t.tolist()), rel=1e-12, abs=1e-13)


def test_cross_entropy_returns_a_python_float_and_is_non_negative():
    v = cross_entropy(np.zeros((3, 5), np.float32), [0, 1, 4])
    assert type(v) is float
    assert v == pytest.approx(math.log(5), rel=1e-6)


# ----------------------------------------------------------------------------- cross_entropy_backward

@pytest.mark.parametrize("logits, labels", [
    ([[1.0, 2.0, 3.0]], [2]),
    ([[3.0, -1.0, 0.5, 2.0], [0.2, 0.1, -0.3, 0.0]], [3, 1]),
    ([[1e4, -1e4], [0.0, 0.0], [-1e4, 1e4]], [1, 0, 1]),
])
def test_cross_entropy_backward_hand_values(logits, labels):
    N, K = len(logits), len(logits[0])
    expected = [[(pk - tk) / N for pk, tk in zip(hand_softmax(z), t)] for z, t in zip(logits, onehot(labels, K))]
    dz = cross_entropy_backward(logits, labels)
    assert dz.shape == (N, K)
    assert np.allclose(dz, expected, rtol=1e-14, atol=1e-17)
    assert np.allclose(dz.sum(axis=1), 0.0, atol=1e-15)  # each row of (p - t) sums to 0


def test_cross_entropy_backward_single_example_shape():
    dz = cross_entropy_backward([0.0, 0.0, 0.0], 1)
    assert dz.shape == (3,)
    assert dz.tolist() == pytest.approx([1 / 3, 1 / 3 - 1, 1 / 3], rel=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_backward_keeps_the_logits_dtype(dtype):
    z = np.zeros((2, 3), dtype)
    assert cross_entropy_backward(z, [0, 2]).dtype == dtype
    assert cross_entropy_backward(z, np.eye(3)[[0, 2]]).dtype == dtype
    assert cross_entropy_backward(z, np.eye(3, dtype=int)[[0, 2]]).dtype == dtype
    assert cross_entropy_backward([[0, 1, 2]], [0]).dtype == np.float64


def test_loss_functions_leave_arguments_unchanged():
    z = np.array([[1.0, 2.0, 3.0], [1e4, -1e4, 0.0]])
    labels = np.array([2, 0])
    rows = np.eye(3)[labels]
    copies = [a.copy() for a in (z, labels, rows)]
    for a in (z, labels, rows):
        a.flags.writeable = False
    softmax(z)
    softmax(z, axis=0)
    cross_entropy(z, labels)
    cross_entropy(z, rows)
    dz = cross_entropy_backward(z, labels)
    cross_entropy_backward(z, rows)
    for a, c in zip((z, labels, rows), copies):
        assert np.array_equal(a, c)
    assert not np.shares_memory(dz, z) and not np.shares_memory(softmax(z), z)
