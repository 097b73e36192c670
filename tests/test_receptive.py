"""contributions and output_size: which input pixel feeds which output pixel, through which filter entry."""

import numpy as np
from hypothesis import given

from cnnlearn import contributions, conv2d, output_size
from conv_cases import geometries, pair


def brute_force_contributions(g):
    """Walk every output pixel and every filter entry and record the input pixel it lands on."""
    (sh, sw), (ph, pw), (dil_h, dil_w) = (pair(g.kwargs[k]) for k in ("stride", "padding", "dilation"))
    Ho, Wo = g.out_shape
    feeds = {(i, j): [] for i in range(g.H) for j in range(g.W)}
    for oi in range(Ho):
        for oj in range(Wo):
            for ki in range(g.kh):
                for kj in range(g.kw):
                    i, j = sh * oi + dil_h * ki - ph, sw * oj + dil_w * kj - pw
                    if 0 <= i < g.H and 0 <= j < g.W:
                        feeds[(i, j)].append(((oi, oj), (ki, kj)))
    return feeds


@given(geometries(max_kernel=5, max_stride=4, max_padding=3, max_dilation=3, max_extra=6))
def test_output_size_counts_window_positions(g):
    assert output_size((g.H, g.W), (g.kh, g.kw), **g.kwargs) == g.out_shape


@given(geometries())
def test_contributions_match_brute_force(g):
    feeds = contributions((g.H, g.W), (g.kh, g.kw), **g.kwargs)
    expected = brute_force_contributions(g)
    assert set(feeds) == set(expected)  # every input pixel is a key, padding pixels are not
    for key, pairs in feeds.items():
        assert pairs == expected[key]  # same pairs, ordered by output pixel row by row
        for _, (ki, kj) in pairs:
            assert 0 <= ki < g.kh and 0 <= kj < g.kw


@given(geometries())
def test_contributions_reproduce_the_convolution(g):
    """Rebuild y from the map alone: y[o] = sum over (input pixel, filter entry) pairs that feed o."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((g.H, g.W)), rng.standard_normal((g.kh, g.kw))
    y = np.zeros(g.out_shape)
    for (i, j), pairs in contributions((g.H, g.W), (g.kh, g.kw), **g.kwargs).items():
        for (oi, oj), (ki, kj) in pairs:
            y[oi, oj] += x[i, j] * w[ki, kj]
    assert np.allclose(y, conv2d(x, w, **g.kwargs), rtol=1e-12, atol=1e-12)


def test_worked_example_corners_edges_centre():
    feeds = contributions((3, 3), (2, 2))
    counts = {ij: len(p) for ij, p in feeds.items()}
    assert counts == {(0, 0): 1, (0, 1): 2, (0, 2): 1,
                      (1, 0): 2, (1, 1): 4, (1, 2): 2,
                      (2, 0): 1, (2, 1): 2, (2, 2): 1}
    # x22 (0-based (1, 1)) feeds all four outputs, each through a different filter entry:
    # y11 through f22, y12 through f21, y21 through f12, y22 through f11
    assert feeds[(1, 1)] == [((0, 0), (1, 1)), ((0, 1), (1, 0)), ((1, 0), (0, 1)), ((1, 1), (0, 0))]
    assert feeds[(0, 0)] == [((0, 0), (0, 0))]
    assert feeds[(2, 2)] == [((1, 1), (1, 1))]
    assert feeds[(0, 1)] == [((0, 0), (0, 1)), ((0, 1), (0, 0))]
    assert feeds[(1, 2)] == [((0, 1), (1, 1)), ((1, 1), (0, 1))]


def test_pixels_skipped_by_a_stride_feed_nothing():
    feeds = contributions((5, 5), (1, 1), stride=2)
    assert feeds[(1, 1)] == [] and feeds[(0, 3)] == [] and feeds[(3, 0)] == []
    assert feeds[(2, 4)] == [((1, 2), (0, 0))]
    assert sum(len(p) for p in feeds.values()) == 9  # 3x3 outputs, one tap each


def test_padding_and_dilation_by_hand():
    # 3x3 input, 2x2 filter, padding 1: the 4x4 output; the corner x11 now feeds 4 outputs
    feeds = contributions((3, 3), (2, 2), padding=1)
    assert feeds[(0, 0)] == [((0, 0), (1, 1)), ((0, 1), (1, 0)), ((1, 0), (0, 1)), ((1, 1), (0, 0))]
    # dilation 2: a 2x2 filter spans 3x3, so on a 3x3 input there is one output, fed by the four corners
    feeds = contributions((3, 3), (2, 2), dilation=2)
    assert {ij: p for ij, p in feeds.items() if p} == {
        (0, 0): [((0, 0), (0, 0))], (0, 2): [((0, 0), (0, 1))],
        (2, 0): [((0, 0), (1, 0))], (2, 2): [((0, 0), (1, 1))]}


def test_output_size_known_values():
    assert output_size((3, 3), (2, 2)) == (2, 2)
    assert output_size((28, 28), (3, 3)) == (26, 26)
    assert output_size((14, 14), (3, 3), padding=1) == (14, 14)
    assert output_size((32, 32), (5, 5), stride=2, padding=2) == (16, 16)
    assert output_size((7, 9), (3, 2), stride=(2, 3), padding=(0, 1), dilation=(2, 1)) == (2, 4)
