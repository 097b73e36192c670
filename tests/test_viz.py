"""The static twins: each returns a Figure, shows what the widget shows, and leaves rcParams alone."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

import cnnlearn  # noqa: E402
from cnnlearn import viz  # noqa: E402
from cnnlearn.notation import ORANGE, SKY, cell_text  # noqa: E402

EX = cnnlearn.worked_example()
CALLS = {
    "forward": lambda: viz.plot_forward(),
    "forward_geo": lambda: viz.plot_forward(np.ones((6, 5)), np.ones((3, 2)), (1, 1), stride=2, padding=1),
    "softmax": lambda: viz.plot_softmax(),
    "softmax_3": lambda: viz.plot_softmax([0.0, 1.0, 2.0], 1),
    "filter_gradient": lambda: viz.plot_filter_gradient(k=(1, 0)),
    "contributions": lambda: viz.plot_contributions(),
    "contributions_geo": lambda: viz.plot_contributions((8, 8), (3, 3), (4, 4), stride=2, padding=1, dilation=2),
    "feed_counts": lambda: viz.plot_feed_counts(),
    "step_sweep": lambda: viz.plot_step_sweep([1e-8, 1e-6, 1e-4], {"central": [1e-6, 1e-9, 1e-7]}),
    "images": lambda: viz.plot_images(np.zeros((3, 8, 8)), ["a", "b", "c"], cols=2),
    "full_conv": lambda: viz.plot_full_conv(),
    "full_conv_step": lambda: viz.plot_full_conv(step=4),
    "full_conv_stride": lambda: viz.plot_full_conv(np.ones((3, 3)), EX.w, stride=2, padding=1, input_shape=(5, 5)),
    "filter_learning": lambda: viz.plot_filter_learning([3.0, 1.0, 0.1], EX.w, EX.w),
    "maps": lambda: viz.plot_maps(np.zeros((2, 4, 4)), {"a": np.ones((2, 4, 4)), "b": -np.ones((2, 3, 3))}),
    "saliency": lambda: viz.plot_saliency(np.zeros((2, 4, 4)), np.ones((2, 4, 4)), ["a", "b"]),
    "accuracy": lambda: viz.plot_accuracy_vs_eps([0, 0.1], [1.0, 0.5], "one", more=[("two", [0.1], [0.2])]),
}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def colours(fig, ax_index):
    """Face colours (as hex) of the cells of one grid, keyed by (row, col)."""
    ax = fig.axes[ax_index]
    out = {}
    for p in ax.patches:
        if isinstance(p, Rectangle):
            x, y = p.get_xy()
            out[int(round(y - 0.05)), int(round(x - 0.05))] = matplotlib.colors.to_hex(p.get_facecolor()).upper()
    return out


def coloured(fig, ax_index, colour):
    return {rc for rc, c in colours(fig, ax_index).items() if c == colour.upper()}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_returns_a_figure_and_leaves_rcparams_unchanged(name):
    before = matplotlib.rcParams.copy()
    fig = CALLS[name]()
    assert isinstance(fig, Figure)
    fig.canvas.draw()  # mathtext of every generated equation must parse
    assert dict(matplotlib.rcParams) == dict(before)


def test_importing_viz_changes_no_rcparams():
    import importlib
    before = matplotlib.rcParams.copy()
    importlib.reload(viz)
    assert dict(matplotlib.rcParams) == dict(before)


def test_contributions_highlights_follow_the_package():
    fig = viz.plot_contributions((3, 3), (2, 2), (1, 1))
    assert coloured(fig, 0, ORANGE) == {(1, 1)}
    assert coloured(fig, 2, SKY) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    fig = viz.plot_contributions((6, 6), (3, 3), (2, 3), stride=2, padding=1)
    pairs = cnnlearn.contributions((6, 6), (3, 3), stride=2, padding=1)[2, 3]
    assert coloured(fig, 1, SKY) == {k for _, k in pairs}
    assert coloured(fig, 2, SKY) == {o for o, _ in pairs}
    texts = [t.get_text() for t in fig.texts]
    assert any(cnnlearn.input_gradient_equation(2, 3, (6, 6), (3, 3), stride=2, padding=1).split(" = ")[1] in t
               for t in texts)


def test_forward_highlights_the_window():
    fig = viz.plot_forward(out_index=(1, 0))
    assert coloured(fig, 0, SKY) == {(1, 0), (1, 1), (2, 0), (2, 1)}
    assert coloured(fig, 2, ORANGE) == {(1, 0)}


def test_feed_counts_show_the_one_two_four_pattern():
    fig = viz.plot_feed_counts()
    counts = np.asarray(fig.axes[0].images[0].get_array())
    assert counts.tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]


def test_full_conv_final_dx_cells_match_conv2d_backward():
    fig = viz.plot_full_conv()
    dx = cnnlearn.conv2d_backward(EX.dy, EX.x, EX.w)[0]
    ax = fig.axes[2]
    cell_texts = {(int(t.get_position()[1] - 0.5), int(t.get_position()[0] - 0.5)): t.get_text() for t in ax.texts}
    assert cell_texts == {(i, j): cell_text(dx[i, j]) for i, j in np.ndindex(3, 3)}
    assert "equals conv2d_backward" in fig._suptitle.get_text()


@pytest.mark.parametrize("call, err, words", [
    (lambda: viz.plot_forward(out_index=(2, 0)), ValueError, "output pixel (2, 0) is outside"),
    (lambda: viz.plot_contributions((3, 3), (2, 2), (3, 3)), ValueError, "input pixel (3, 3) is outside"),
    (lambda: viz.plot_filter_gradient(k=(2, 0)), ValueError, "filter entry (2, 0) is outside"),
    (lambda: viz.plot_full_conv(step=9), ValueError, "step must be an integer in 0..8"),
    (lambda: viz.plot_feed_counts((2, 2), (3, 3)), ValueError, "larger than the padded input"),
])
def test_bad_arguments(call, err, words):
    with pytest.raises(err, match=words.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        call()


def test_step_sweep_draws_one_curve_per_scheme_and_checks_lengths():
    fig = viz.plot_step_sweep([1e-8, 1e-6], {"central": [1e-6, 1e-9], "forward": [1e-5, 1e-6]})
    assert [line.get_label() for line in fig.axes[0].get_lines()][:2] == ["central", "forward"]
    with pytest.raises(ValueError, match=r"errors\['forward'\] must have one value per step"):
        viz.plot_step_sweep([1e-8, 1e-6], {"forward": [1e-5]})


def test_images_grid_has_a_panel_per_image_and_checks_titles():
    fig = viz.plot_images(np.zeros((5, 4, 4)), cols=2)
    assert len(fig.axes) == 6 and sum(bool(ax.images) for ax in fig.axes) == 5
    with pytest.raises(ValueError, match="titles must have one entry per image"):
        viz.plot_images(np.zeros((2, 4, 4)), ["only one"])


def _badges(ax):
    """{cell (row, col): number} of the pair numbers drawn on one grid."""
    out = {}
    for t in ax.texts:
        if t.get_gid() == "pair-badge":
            x, y = t.get_position()
            out[(int(y), int(x))] = int(t.get_text())
    return out


@pytest.mark.parametrize("shape, kshape, pixel, geo", [
    ((3, 3), (2, 2), (1, 1), {}),
    ((3, 3), (2, 2), (0, 1), {}),
    ((6, 6), (3, 3), (2, 3), dict(stride=2, padding=1)),
    ((5, 4), (2, 3), (2, 2), {}),
])
def test_contributions_number_each_dy_and_the_filter_entry_it_pairs_with(shape, kshape, pixel, geo):
    fig = viz.plot_contributions(shape, kshape, pixel, **geo)
    pairs = cnnlearn.contributions(shape, kshape, **geo)[pixel]
    on_f, on_dy = _badges(fig.axes[1]), _badges(fig.axes[2])
    assert sorted(on_f.values()) == sorted(on_dy.values()) == list(range(1, len(pairs) + 1))
    by_number_f = {m: cell for cell, m in on_f.items()}
    by_number_dy = {m: cell for cell, m in on_dy.items()}
    linked = {(by_number_dy[m], by_number_f[m]) for m in by_number_f}
    assert linked == set(pairs)
    assert not _badges(fig.axes[0])


def test_centre_pixel_numbers_show_the_rotation():
    """x22 of the worked example: pair 1 is dy_11 with f_22, pair 4 is dy_22 with f_11 (the rotated filter)."""
    fig = viz.plot_contributions()
    on_f, on_dy = _badges(fig.axes[1]), _badges(fig.axes[2])
    assert on_dy[(0, 0)] == on_f[(1, 1)] and on_dy[(1, 1)] == on_f[(0, 0)]
    assert on_dy[(0, 1)] == on_f[(1, 0)] and on_dy[(1, 0)] == on_f[(0, 1)]
    assert fig._suptitle.get_text() == "x22 feeds 4 output pixels: the same number marks each dy and the filter " \
        "entry it meets"


def test_numbering_can_be_turned_off():
    fig = viz.plot_contributions(numbered=False)
    assert not _badges(fig.axes[1]) and not _badges(fig.axes[2])


def test_softmax_figure_names_scores_and_the_true_class_in_the_notation():
    fig = viz.plot_softmax()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["z1 = y11 = -1.5", "z2 = y12 = -2", "z3 = y21 = 0.5",
                                                            "z4 = y22 = -0.5"]
    assert ax.get_title(loc="left").startswith(
        "softmax of the scores\ntrue class scored by z4 = y22: L = -log p4 = ")
    assert any(t.get_text().endswith("(true class)") and t.get_text().startswith("p4 = ") for t in ax.texts)


def test_maps_draw_a_signed_map_on_the_diverging_scale_centred_at_zero():
    signed = np.array([[[1.0, -3.0], [0.5, 0.0]]])
    fig = viz.plot_maps(np.zeros((1, 2, 2)), {"plain": np.abs(signed), "signed": signed}, ["t"], image_label="X")
    axes = fig.axes
    assert len(axes) == 3 and axes[0].get_ylabel() == "X" and axes[0].get_title() == "t"
    assert [ax.get_ylabel() for ax in axes[1:]] == ["plain", "signed"]
    assert axes[1].images[0].get_cmap().name == "hot"
    img = axes[2].images[0]
    assert img.get_cmap() is viz.DIVERGING and img.get_clim() == (-3.0, 3.0)
    with pytest.raises(ValueError, match="one map per image"):
        viz.plot_maps(np.zeros((2, 2, 2)), {"short": np.zeros((1, 2, 2))})


def test_saliency_is_a_row_of_maps():
    fig = viz.plot_saliency(np.zeros((3, 4, 4)), np.ones((3, 4, 4)))
    assert len(fig.axes) == 6 and fig.axes[0].get_ylabel() == "digit" and fig.axes[3].get_ylabel() == "|dz_k/dX|"


def test_filter_learning_shows_the_loss_and_both_filters():
    fig = viz.plot_filter_learning([4.0, 2.0, 1.0], [[0.98, -1.02]], [[1.0, -1.0]])
    ax_loss, ax_w, ax_true = fig.axes
    assert ax_loss.get_yscale() == "log" and list(ax_loss.get_lines()[0].get_ydata()) == [4.0, 2.0, 1.0]
    assert [t.get_text() for t in ax_w.texts] == ["0.98", "-1.02"] and ax_w.get_title(loc="left").endswith("(3 steps)")
    assert [t.get_text() for t in ax_true.texts] == ["1", "-1"]
    with pytest.raises(ValueError, match="of one shape"):
        viz.plot_filter_learning([1.0], [[1.0]], [[1.0, 2.0]])


def test_accuracy_figure_draws_every_line_with_a_legend():
    fig = viz.plot_accuracy_vs_eps([0, 0.1, 0.2], [1.0, 0.5, 0.1], "FGSM", more=[("iterative", [0.1, 0.2], [0.3, 0.0])])
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["FGSM", "iterative"]
    assert list(lines[1].get_xdata()) == [0.1, 0.2] and fig.axes[0].get_legend() is not None
    assert viz.plot_accuracy_vs_eps([0, 0.1], [1.0, 0.5]).axes[0].get_legend() is None
    with pytest.raises(ValueError, match="one accuracy per eps"):
        viz.plot_accuracy_vs_eps([0, 0.1], [1.0])
