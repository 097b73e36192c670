"""The worked example's properties: four filter entries of four different sizes, no look-alike of the rotation
equal to plus or minus rot180(F), every wrong "rotation" visibly wrong in dL/dX, every slip that moves the input
visibly wrong in dL/dF (and never minus the right entry), small hand-friendly numbers, and a true class that is not
the most probable one. Expectations are computed here from the definitions, by loops, never by cnnlearn.conv."""

import numpy as np
import pytest

from cnnlearn import example
from cnnlearn.example import equal_to_rotation, rotation_look_alikes, symmetric_filter, worked_example


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


def dw_by_loops(x, dy):
    """dL/dF from its definition: dw[a, b] = sum over (i, j) of dy[i, j] x[i + a, j + b]."""
    return np.array([[sum(dy[i, j] * x[i + a, j + b] for i, j in np.ndindex(*dy.shape)) for b in range(2)]
                     for a in range(2)])


def off(wrong, right, tol=0.01):
    """How many entries of ``wrong`` differ from ``right`` by more than ``tol``, relative to the right entry."""
    return int(np.count_nonzero(np.abs(wrong - right) > tol * np.abs(right)))


def look_alikes(w):
    """The matrices a student may slide in place of rot180(F): no rotation, the transpose, a flip, a quarter turn
    either way, each of these negated, and the negated rotation itself."""
    plain = {"F": w, "F^T": w.T, "flipud(F)": w[::-1, :], "fliplr(F)": w[:, ::-1],
             "rot90(F)": np.rot90(w), "rot90(F, -1)": np.rot90(w, -1)}
    return {**plain, **{"-" + k: -v for k, v in plain.items()}, "-rot180(F)": -rot180_by_hand(w)}


def dw_slips(x, dy):
    """dL/dF as the slips that move the input compute it."""
    xpad = np.pad(x, ((0, 1), (0, 1)))  # 4x4: room for windows a kernel apart
    return {
        "X transposed": dw_by_loops(x.T, dy),
        "loop indices swapped": np.array([[sum(dy[i, j] * x[j + a, i + b] for i, j in np.ndindex(2, 2))
                                           for b in range(2)] for a in range(2)]),
        "windows a kernel apart": sum(dy[i, j] * xpad[2 * i:2 * i + 2, 2 * j:2 * j + 2] for i, j in np.ndindex(2, 2)),
        "dL/dY flipped": correlate(x, rot180_by_hand(dy)),
        "dL/dF transposed": dw_by_loops(x, dy).T,
    }


@pytest.fixture
def ex():
    return worked_example()


def test_the_typed_in_numbers(ex):
    assert ex.x.tolist() == [[1, 1, 2], [2, 3, 1], [2, 0, 3]]
    assert ex.w.tolist() == [[-1.5, 2.5], [-2, 0.5]]
    assert ex.label == 3  # 0-based: the class scored by y22


def test_x_and_f_are_halves_and_integers(ex):
    for a in (ex.x, ex.w):
        assert np.array_equal(2 * a, np.round(2 * a))
    assert np.array_equal(ex.x, np.round(ex.x))


def test_four_filter_entries_of_four_different_sizes(ex):
    assert len(set(np.abs(ex.w).ravel().tolist())) == 4


def test_rotation_and_its_look_alikes_are_five_different_matrices(ex):
    w = ex.w
    mats = {"rot180(F)": rot180_by_hand(w), "F": w, "F^T": w.T, "flipud(F)": w[::-1, :], "fliplr(F)": w[:, ::-1]}
    names = list(mats)
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            assert not np.array_equal(mats[names[a]], mats[names[b]]), (names[a], names[b])


@pytest.mark.parametrize("name", ["F", "F^T", "flipud(F)", "fliplr(F)", "rot90(F)", "rot90(F, -1)"])
def test_no_look_alike_is_plus_or_minus_the_rotated_filter(ex, name):
    """A missing rotation (or a transposed, flipped or quarter-turned filter) is never a sign flip."""
    v, rot = look_alikes(ex.w)[name], rot180_by_hand(ex.w)
    assert not np.array_equal(v, rot) and not np.array_equal(v, -rot)


def test_forward_pass_by_hand(ex):
    # y11 = 1*(-1.5) + 1*2.5 + 2*(-2) + 3*0.5 = -1.5, y12 = 1*(-1.5) + 2*2.5 + 3*(-2) + 1*0.5 = -2,
    # y21 = 2*(-1.5) + 3*2.5 + 2*(-2) + 0*0.5 = 0.5, y22 = 3*(-1.5) + 1*2.5 + 0*(-2) + 3*0.5 = -0.5
    assert ex.y.tolist() == [[-1.5, -2], [0.5, -0.5]]
    assert np.array_equal(ex.y, correlate(ex.x, ex.w))
    assert ex.logits.tolist() == [[-1.5, -2, 0.5, -0.5]]
    assert len(set(ex.logits.ravel().tolist())) == 4  # four different logits


def test_loss_and_gradients_from_the_definitions(ex):
    z = np.array([-1.5, -2.0, 0.5, -0.5])
    p = np.exp(z) / np.exp(z).sum()
    assert np.allclose(ex.p, p[None], rtol=1e-12)
    assert np.isclose(ex.loss, -np.log(p[3]), rtol=1e-12)
    T = np.eye(4)[3]
    assert np.allclose(ex.dlogits, (p - T)[None], rtol=1e-12)
    assert np.allclose(ex.dy, (p - T).reshape(2, 2), rtol=1e-12)
    # the rounded values the notebooks print
    assert np.round(p, 4).tolist() == [0.0854, 0.0518, 0.6308, 0.2321] and round(ex.loss, 4) == 1.4608
    assert np.round(ex.dy, 4).tolist() == [[0.0854, 0.0518], [0.6308, -0.7679]]
    dx = dx_scatter(ex.dy, ex.w, (3, 3))
    assert np.round(dx, 4).tolist() == [[-0.1281, 0.1358, 0.1294], [-1.1169, 2.668, -1.894], [-1.2616, 1.8513, -0.384]]
    assert np.round(dw_by_loops(ex.x, ex.dy), 4).tolist() == [[-0.9051, 1.3134], [1.5877, -1.9959]]


def test_true_class_is_not_the_most_probable(ex):
    assert int(np.argmax(ex.p)) != ex.label
    assert np.argsort(-ex.p[0]).tolist().index(ex.label) == 1  # the second most probable
    assert ex.dy[1, 1] < 0 and (np.delete(ex.dy.ravel(), 3) > 0).all()


def test_every_term_of_a_printed_sum_matters(ex):
    """No dL/dY entry is small enough to round away in a printed sum, and no gradient entry equals plus or minus
    a dL/dY entry (a product with a filter entry or pixel of 1 would otherwise pass for dy alone)."""
    assert np.abs(ex.dy).min() >= 0.02
    dx, dw = dx_scatter(ex.dy, ex.w, (3, 3)), dw_by_loops(ex.x, ex.dy)
    for g in (dx, dw):
        for v in g.ravel():
            assert not np.isclose(np.abs(ex.dy), abs(v), rtol=1e-3, atol=0).any(), v


def test_every_window_of_x_is_non_symmetric(ex):
    """x[i, j+1] != x[i+1, j] in every 2x2 window: reading X transposed changes every window."""
    x = ex.x
    for i, j in np.ndindex(2, 2):
        assert x[i, j + 1] != x[i + 1, j], (i, j)


@pytest.mark.parametrize("variant", list(look_alikes(np.array(example.FILTER))))
def test_every_wrong_rotation_spoils_most_of_dx(ex, variant):
    """Full convolution of dL/dY with a look-alike in place of rot180(F): >= 5 of 9 pixels off by > 1%, and
    never plus or minus dL/dX (except the negated rotation, which is -dL/dX by definition)."""
    w = ex.w
    right = full_correlate(ex.dy, rot180_by_hand(w))
    assert np.allclose(right, dx_scatter(ex.dy, w, (3, 3)), rtol=1e-12, atol=1e-15)
    wrong = full_correlate(ex.dy, look_alikes(w)[variant])
    assert off(wrong, right) >= 5
    assert not np.allclose(wrong, right, rtol=1e-9, atol=0)
    if variant != "-rot180(F)":
        assert not np.allclose(wrong, -right, rtol=1e-9, atol=0)


@pytest.mark.parametrize("slip", list(dw_slips(np.array(example.X), np.ones((2, 2)))))
def test_every_slip_that_moves_the_input_spoils_dw(ex, slip):
    """>= 2 of 4 entries off by > 1%, never plus or minus dL/dF, and no entry within 2% of minus the right one (a
    hint that compares entries never sees a sign slip)."""
    right = dw_by_loops(ex.x, ex.dy)
    wrong = dw_slips(ex.x, ex.dy)[slip]
    assert off(wrong, right) >= 2
    assert not np.allclose(wrong, right, rtol=1e-9, atol=0) and not np.allclose(wrong, -right, rtol=1e-9, atol=0)
    assert (np.abs(wrong + right) > 0.02 * np.abs(right)).all(), wrong


@pytest.mark.parametrize("slip", ["rot180(F)", "F^T"])
def test_forward_slips_change_most_outputs(ex, slip):
    """The true convolution (rotated filter) or a transposed filter changes >= 3 of the 4 outputs, and gives
    neither Y nor -Y."""
    v = rot180_by_hand(ex.w) if slip == "rot180(F)" else ex.w.T
    wrong = correlate(ex.x, v)
    assert np.count_nonzero(~np.isclose(wrong, ex.y, rtol=1e-9, atol=0)) >= 3
    assert not np.allclose(wrong, ex.y) and not np.allclose(wrong, -ex.y)


def test_arrays_are_fresh(ex):
    ex.x[0, 0] = 99
    ex.w[0, 0] = 99
    again = worked_example()
    assert again.x[0, 0] == 1 and again.w[0, 0] == -1.5
    assert example.X[0][0] == 1


def test_symmetric_filter_hides_the_rotation():
    w = symmetric_filter()
    assert w.tolist() == [[1, 2], [2, 1]]
    assert np.array_equal(rot180_by_hand(w), w) and np.array_equal(w.T, w)
    dy = np.array([[0.3, -0.2], [0.7, 0.1]])
    assert np.allclose(full_correlate(dy, w), full_correlate(dy, rot180_by_hand(w)))
    w[0, 0] = 5
    assert symmetric_filter()[0, 0] == 1


def test_the_package_names_the_look_alikes_as_this_file_does(ex):
    mine = {k: v for k, v in look_alikes(ex.w).items() if k != "-rot180(F)"}
    theirs = rotation_look_alikes(ex.w)
    assert list(theirs) == list(mine)
    for name in mine:
        assert np.array_equal(theirs[name], mine[name]), name


def test_equal_to_rotation_names_the_slips_a_filter_hides(ex):
    assert equal_to_rotation(ex.w) == []
    assert equal_to_rotation(symmetric_filter()) == ["F", "F^T"]
    assert equal_to_rotation(np.array([[0.5, -1], [1, -0.5]])) == ["-F"]  # the old worked filter: rot180(F) = -F
    assert equal_to_rotation(np.array([[1.0, 1], [2, 2]])) == ["flipud(F)"]  # equal rows: rotating only flips them
    assert equal_to_rotation(np.array([[1.0, 2], [1, 2]])) == ["fliplr(F)"]  # equal columns
