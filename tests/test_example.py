"""The worked example's properties: four different filter entries, five different matrices among rot180(F)
and its look-alikes, every wrong "rotation" visibly wrong in dL/dX, small hand-friendly numbers, and a true
class that is not the most probable one. Expectations are computed here from the definitions, by loops."""

import numpy as np
import pytest

from cnnlearn import example
from cnnlearn.example import symmetric_filter, worked_example


def correlate(x, w):
    """Cross-correlation by loops (no padding, stride 1), independent of cnnlearn.conv."""
    H, W = x.shape
    kh, kw = w.shape
    return np.array([[np.sum(x[i:i + kh, j:j + kw] * w) for j in range(W - kw + 1)] for i in range(H - kh + 1)])


def full_correlate(dy, v):
    """Slide v over dy padded by (kh - 1, kw - 1) zeros: the full convolution with v in place of rot180(F)."""
    kh, kw = v.shape
    return correlate(np.pad(dy, ((kh - 1, kh - 1), (kw - 1, kw - 1))), v)


def rot180_by_hand(w):
    return np.array(w)[::-1, ::-1]


def dx_scatter(dy, w, shape):
    """dL/dX by scattering: every output sends dy times the filter back over its window."""
    dx = np.zeros(shape)
    kh, kw = w.shape
    for oi, oj in np.ndindex(*dy.shape):
        dx[oi:oi + kh, oj:oj + kw] += dy[oi, oj] * w
    return dx


@pytest.fixture
def ex():
    return worked_example()


def test_the_typed_in_numbers(ex):
    assert ex.x.tolist() == [[1, 0, 2], [2, 1, 0], [0, 1, 1]]
    assert ex.w.tolist() == [[0.5, -1], [1, -0.5]]
    assert ex.label == 3  # 0-based: the class scored by y22


def test_x_and_f_are_halves_and_integers(ex):
    for a in (ex.x, ex.w):
        assert np.array_equal(2 * a, np.round(2 * a))
    assert np.array_equal(ex.x, np.round(ex.x))


def test_four_distinct_filter_entries(ex):
    assert len(set(ex.w.ravel().tolist())) == 4


def test_rotation_and_its_look_alikes_are_five_different_matrices(ex):
    w = ex.w
    mats = {"rot180(F)": rot180_by_hand(w), "F": w, "F^T": w.T, "flipud(F)": w[::-1, :], "fliplr(F)": w[:, ::-1]}
    names = list(mats)
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            assert not np.array_equal(mats[names[a]], mats[names[b]]), (names[a], names[b])


def test_forward_pass_by_hand(ex):
    # y11 = 1*0.5 + 0*(-1) + 2*1 + 1*(-0.5) = 2, y12 = 0*0.5 + 2*(-1) + 1*1 + 0*(-0.5) = -1,
    # y21 = 2*0.5 + 1*(-1) + 0*1 + 1*(-0.5) = -0.5, y22 = 1*0.5 + 0*(-1) + 1*1 + 1*(-0.5) = 1
    assert ex.y.tolist() == [[2, -1], [-0.5, 1]]
    assert np.array_equal(ex.y, correlate(ex.x, ex.w))
    assert ex.logits.tolist() == [[2, -1, -0.5, 1]]


def test_loss_and_gradients_from_the_definitions(ex):
    z = np.array([2.0, -1.0, -0.5, 1.0])
    p = np.exp(z) / np.exp(z).sum()
    assert np.allclose(ex.p, p[None], rtol=1e-12)
    assert np.isclose(ex.loss, -np.log(p[3]), rtol=1e-12)
    T = np.eye(4)[3]
    assert np.allclose(ex.dlogits, (p - T)[None], rtol=1e-12)
    assert np.allclose(ex.dy, (p - T).reshape(2, 2), rtol=1e-12)


def test_true_class_is_not_the_most_probable(ex):
    assert int(np.argmax(ex.p)) != ex.label
    assert ex.dy[1, 1] < 0 and (np.delete(ex.dy.ravel(), 3) > 0).all()


@pytest.mark.parametrize("variant", ["F", "F^T", "flipud(F)", "fliplr(F)"])
def test_every_wrong_rotation_spoils_most_of_dx(ex, variant):
    """Full convolution of dL/dY with a wrong variant in place of rot180(F): >= 5 of 9 pixels off by > 1%."""
    w = ex.w
    right = full_correlate(ex.dy, rot180_by_hand(w))
    assert np.allclose(right, dx_scatter(ex.dy, w, (3, 3)), rtol=1e-12, atol=1e-15)
    v = {"F": w, "F^T": w.T, "flipud(F)": w[::-1, :], "fliplr(F)": w[:, ::-1]}[variant]
    wrong = full_correlate(ex.dy, v)
    rel = np.abs(wrong - right) / np.maximum(np.abs(right), 1e-300)
    assert np.count_nonzero(rel > 0.01) >= 5, rel


def test_arrays_are_fresh(ex):
    ex.x[0, 0] = 99
    ex.w[0, 0] = 99
    again = worked_example()
    assert again.x[0, 0] == 1 and again.w[0, 0] == 0.5
    assert example.X[0][0] == 1


def test_symmetric_filter_hides_the_rotation():
    w = symmetric_filter()
    assert w.tolist() == [[1, 2], [2, 1]]
    assert np.array_equal(rot180_by_hand(w), w) and np.array_equal(w.T, w)
    dy = np.array([[0.3, -0.2], [0.7, 0.1]])
    assert np.allclose(full_correlate(dy, w), full_correlate(dy, rot180_by_hand(w)))
    w[0, 0] = 5
    assert symmetric_filter()[0, 0] == 1
