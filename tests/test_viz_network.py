"""viz.plot_network, the static twin of NetworkExplorer: its pictures hold the network's own numbers, laid out as
the widget lays them out, and a traced unit keeps exactly its receptive field bright."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cnnlearn import viz  # noqa: E402
from cnnlearn.losses import cross_entropy_backward  # noqa: E402
from cnnlearn.notation import cell_text  # noqa: E402


@pytest.fixture(scope="module")
def digit(digits):
    _, _, x_test, y_test = digits
    return x_test[7], int(y_test[7])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def pictures(fig):
    """The value picture (the first image) of each column's axes, left to right."""
    return [ax.images[0].get_array() for ax in fig.axes]


def test_forward_pictures_hold_each_layers_output(net, digit):
    x, t = digit
    before = matplotlib.rcParams.copy()
    fig = viz.plot_network(net, x, t)
    assert isinstance(fig, Figure) and dict(matplotlib.rcParams) == dict(before)
    fig.canvas.draw()
    acts = [x[None]]
    for layer in net.layers:
        acts.append(layer.forward(acts[-1]))
    pics = pictures(fig)
    assert len(pics) == 9  # x, seven layers, p
    np.testing.assert_array_equal(pics[0], x[0])
    for c in (0, 5, 15):  # conv 1's map c sits in row c // 2, column c % 2, a blank line between maps
        r0, c0 = (c // 2) * 9, (c % 2) * 9
        np.testing.assert_array_equal(pics[1][r0:r0 + 8, c0:c0 + 8], acts[1][0, c])
    np.testing.assert_array_equal(pics[6], acts[6].reshape(32, 16))  # flatten: one line per map of a5
    np.testing.assert_array_equal(pics[7].ravel(), acts[7][0])
    assert fig.axes[4].get_title(loc="left") == f"a4: conv 2\nmax {cell_text(np.abs(acts[4]).max())}"


def test_a_traced_unit_keeps_its_receptive_field_bright(net, digit):
    x, t = digit
    fig = viz.plot_network(net, x, t, unit=("a4", (3, 0, 1)))
    fade = [ax.images[1].get_array()[..., 3] if len(ax.images) > 1 else None for ax in fig.axes]
    # a3 (16 maps of 4x4): bright exactly in rows 0-1, columns 0-2 of every map, which the 3x3 window reads
    for c in range(16):
        r0, c0 = (c // 2) * 5, (c % 2) * 5
        bright = fade[3][r0:r0 + 4, c0:c0 + 4] == 0
        assert bright.tolist() == [[i <= 1 and j <= 2 for j in range(4)] for i in range(4)]
    # the image: conv 1's window around pooling's 2x2 around rows 0-1 reaches rows 0-4, columns 0-6
    assert (fade[0] == 0).tolist() == [[i <= 4 and j <= 6 for j in range(8)] for i in range(8)]
    pics = pictures(fig)
    for above in (5, 8):  # a5 and p: every unit faded
        assert np.all(fade[above][np.isfinite(pics[above])] == 0.75)
    a = x[None]
    for layer in net.layers[:4]:
        a = layer.forward(a)
    assert f"a4[4,1,2] = {cell_text(a[0, 3, 0, 1])}" in [tx.get_text() for tx in fig.texts]


def test_backward_pictures_hold_each_layers_gradient(net, digit):
    x, t = digit
    fig = viz.plot_network(net, x, t, view="backward", unit=("a0", (0, 4, 4)))
    z = net.forward(x[None])
    d = cross_entropy_backward(z, np.array([t]))
    grads = [d]
    for layer in reversed(net.layers):
        d = layer.backward(d)
        grads.append(d)
    grads = grads[::-1]
    pics = pictures(fig)
    assert len(pics) == 9  # x, seven layers, L
    np.testing.assert_array_equal(pics[0], grads[0][0, 0])
    np.testing.assert_array_equal(pics[3][0:4, 0:4], grads[3][0, 0])
    np.testing.assert_array_equal(pics[7].ravel(), grads[7][0])
    assert fig.axes[0].get_title(loc="left").startswith("\u2202L/\u2202x: the image\nmax ")
    head = f"\u2202L/\u2202x[5,5] = {cell_text(grads[0][0, 0, 4, 4])}"
    assert head in [tx.get_text() for tx in fig.texts]


@pytest.mark.parametrize("kwargs, err, words", [
    (dict(view="sideways"), ValueError, "view must be 'forward' or 'backward', got 'sideways'"),
    (dict(unit=("conv1", 0)), ValueError, "unit must be (column key, unit) with a key of"),
    (dict(view="backward", target=12), ValueError, "target must be 'loss' or a class k in 0..9"),
])
def test_bad_arguments(net, digit, kwargs, err, words):
    with pytest.raises(err) as info:
        viz.plot_network(net, digit[0], digit[1], **kwargs)
    assert words in str(info.value)
