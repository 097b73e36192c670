"""NetworkExplorer, checked from its Python API against computations written here.

Receptive fields are found by loops over each layer's windows (what a unit reads, layer after layer, down to
the image) and the units a unit feeds by asking every unit above what it reads; the values and gradients come
from running the network's layers' own forward and backward one at a time here; the captions' terms from
the filters' weights picked by hand. None of it comes from cnnlearn.trace, which the widget uses.
"""

import json
from pathlib import Path

import anywidget
import numpy as np
import pytest

from cnnlearn import widgets
from cnnlearn.layers import Conv2D, Flatten, Linear, MaxPool2D, ReLU, Sequential
from cnnlearn.losses import cross_entropy_backward, softmax
from cnnlearn.notation import cell_text
from cnnlearn.widgets import _grid
from cnnlearn.widgets.network import NetworkExplorer
from helpers import css_selectors

COLUMNS = ("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7")  # x, conv 1, ReLU, pool, conv 2, ReLU, flatten, z


@pytest.fixture(scope="module")
def images(digits):
    _, _, x_test, y_test = digits
    return x_test[:3].copy(), y_test[:3].copy()


@pytest.fixture(scope="module")
def explorer(net, images):
    return NetworkExplorer(net, *images)


# --------------------------------------------------------------------------- independent computations

def shapes(net, image_shape):
    """The (C, H, W) address shape of every column a0..a7, found by running the layers (Flatten keeps the
    address of its input, a Linear output k is (k, 0, 0))."""
    a, out = np.zeros((1, *image_shape)), [tuple(image_shape)]
    for layer in net.layers:
        a = layer.forward(a)
        out.append(out[-1] if isinstance(layer, Flatten) else (a.shape[1], 1, 1) if a.ndim == 2 else a.shape[1:])
    return out


def reads_of(layer, in_shape, unit):
    """The units of the layer's input that output ``unit`` reads, by a loop over its window."""
    C, H, W = in_shape
    f, oi, oj = unit
    if isinstance(layer, Conv2D):
        (sh, sw), (ph, pw), (dil_h, dil_w) = layer.stride, layer.padding, layer.dilation
        kh, kw = layer.kernel_size
        return {(c, oi * sh + ki * dil_h - ph, oj * sw + kj * dil_w - pw) for c in range(C) for ki in range(kh)
                for kj in range(kw) if 0 <= oi * sh + ki * dil_h - ph < H and 0 <= oj * sw + kj * dil_w - pw < W}
    if isinstance(layer, MaxPool2D):
        (kh, kw), (sh, sw) = layer.kernel_size, layer.stride
        return {(f, oi * sh + ki, oj * sw + kj) for ki in range(kh) for kj in range(kw)}
    if isinstance(layer, (ReLU, Flatten)):  # Flatten: entry n is the input's unit n, whose address the column keeps
        return {unit}
    if isinstance(layer, Linear):
        return {(c, i, j) for c in range(C) for i in range(H) for j in range(W)}
    raise TypeError(layer)


def receptive_field(net, shp, L, unit):
    """``{M: units of column M that unit of column L depends on}`` for every M < L, layer by layer."""
    out, frontier = {}, {unit}
    for M in range(L - 1, -1, -1):
        frontier = set().union(*(reads_of(net.layers[M], shp[M], v) for v in frontier))
        out[M] = frontier
    return out


def every(shape):
    C, H, W = shape
    return [(c, i, j) for c in range(C) for i in range(H) for j in range(W)]


def projective_field(net, shp, L, unit):
    """``{M: units of column M whose value depends on unit of column L}`` for every column above, by asking
    every unit of each column above what it reads."""
    out, frontier = {}, {unit}
    for M in range(L + 1, len(shp)):
        frontier = {v for v in every(shp[M]) if reads_of(net.layers[M - 1], shp[M - 1], v) & frontier}
        out[M] = frontier
    return out


def forward_backward(net, x, seed):
    """Every layer's output and every layer's dL/d(input), running the layers one at a time."""
    acts = [x]
    for layer in net.layers:
        acts.append(layer.forward(acts[-1]))
    d = seed(acts[-1])
    grads = [d]
    for layer in reversed(net.layers):
        d = layer.backward(d)
        grads.append(d)
    return acts, grads[::-1]


def loss_seed(t):
    return lambda z: cross_entropy_backward(z, np.array([t]))


def score_seed(k):
    def seed(z):
        dz = np.zeros_like(z)
        dz[0, k] = 1.0
        return dz
    return seed


SAMPLES = {  # units traced in each column: corners, the middle, and a few maps
    "a0": [(0, 0, 0), (0, 3, 4), (0, 7, 7), (0, 0, 5)],
    "a1": [(0, 0, 0), (5, 3, 4), (15, 7, 7), (9, 7, 0)],
    "a2": [(0, 0, 1), (3, 4, 4), (15, 6, 7)],
    "a3": [(0, 0, 0), (7, 1, 2), (15, 3, 3)],
    "a4": [(0, 0, 0), (12, 2, 1), (31, 3, 3)],
    "a5": [(1, 0, 3), (20, 2, 2), (31, 3, 0)],
    "a6": [(0, 0, 0), (17, 1, 3), (31, 3, 3)],
    "a7": [(0, 0, 0), (4, 0, 0), (9, 0, 0)],
}


# --------------------------------------------------------------------------- highlights

def test_the_columns_are_the_layers(explorer, net, images):
    assert explorer.column_keys == COLUMNS + ("p", "L")
    shp = shapes(net, images[0].shape[1:])
    assert [explorer.shape(k) for k in COLUMNS] == shp
    assert explorer.shape("p") == (10, 1, 1) and explorer.shape("L") == (1, 1, 1)


def test_forward_highlights_are_the_receptive_fields(explorer, net, images):
    """Tracing a unit in the forward view lights up, in every column below, exactly the units it depends on."""
    shp = shapes(net, images[0].shape[1:])
    explorer.show(view="forward")
    for L, key in enumerate(COLUMNS):
        for unit in SAMPLES[key]:
            expected = {COLUMNS[M]: s for M, s in receptive_field(net, shp, L, unit).items()}
            assert explorer.highlighted(key, unit) == expected == explorer.reads(key, unit), (key, unit)
    # the window just below: a conv 2 unit reads all 16 maps of a3 in its 3x3 window (clipped at the border)
    assert explorer.reads("a4", (0, 0, 0))["a3"] == {(c, i, j) for c in range(16) for i in (0, 1) for j in (0, 1)}
    assert explorer.reads("a3", (2, 1, 3))["a2"] == {(2, i, j) for i in (2, 3) for j in (6, 7)}
    assert explorer.reads("a7", (3, 0, 0))["a6"] == set(every((32, 4, 4)))  # the row of its Linear weights
    assert explorer.reads("p", 3)["a7"] == set(every((10, 1, 1)))


def test_backward_highlights_are_the_units_that_send_gradient(explorer, net, images):
    """In the backward view a unit lights up every unit above whose value depends on it: the next layer's
    send it gradient, and the chain goes on up to the logits and L."""
    shp = shapes(net, images[0].shape[1:])
    explorer.show(view="backward")
    for L, key in enumerate(COLUMNS):
        for unit in SAMPLES[key]:
            expected = {COLUMNS[M]: s for M, s in projective_field(net, shp, L, unit).items()}
            expected["L"] = {(0, 0, 0)}
            assert explorer.highlighted(key, unit) == expected == explorer.feeds(key, unit), (key, unit)
    # "which units of conv 2 does this pooled value feed?": every filter, at the 3x3 positions around it
    assert explorer.feeds("a3", (4, 0, 0))["a4"] == {(f, i, j) for f in range(32) for i in (0, 1) for j in (0, 1)}
    assert explorer.feeds("a2", (4, 2, 3))["a3"] == {(4, 1, 1)}


# --------------------------------------------------------------------------- values and gradients

@pytest.mark.parametrize("target", ["loss", "predicted", 4])
def test_every_shown_number_is_the_networks_own(explorer, net, images, target):
    """Forward values and backward gradients equal the layers' own forward and backward, exactly (float64)."""
    x, labels = images
    for n in range(len(labels)):
        z = net.forward(x[n:n + 1])
        k = int(z.argmax()) if target == "predicted" else target
        seed = loss_seed(int(labels[n])) if target == "loss" else score_seed(k)
        acts, grads = forward_backward(net, x[n:n + 1], seed)
        explorer.show(input=n, view="forward")
        for L, key in enumerate(COLUMNS):
            assert explorer.values(key).dtype == np.float64
            np.testing.assert_array_equal(explorer.values(key), acts[L][0].reshape(explorer.shape(key)))
        np.testing.assert_array_equal(explorer.values("p").ravel(), softmax(acts[-1], axis=1)[0])
        explorer.show(view="backward", target=target)
        for L, key in enumerate(COLUMNS):
            np.testing.assert_array_equal(explorer.values(key), grads[L][0].reshape(explorer.shape(key)))
        assert explorer.values("L").ravel().tolist() == [1.0]


def test_the_shipped_texts_and_colours_are_the_values(explorer):
    """What the page draws: every unit's text is its value to 3 significant digits, its colour on the side of
    its sign, white exactly at 0, and the largest size gets the strongest colour."""
    for view, target in (("forward", "loss"), ("backward", "loss"), ("backward", "predicted")):
        explorer.show(input=1, view=view, target=target)
        frame = {**explorer.frames, **explorer.extra}[_key(explorer)]
        for key in COLUMNS[:6] + ("a7",):
            v = explorer.values(key).ravel()
            assert frame["values"][key].split(" ") == [cell_text(a) for a in v]
            codes = np.array([ord(ch) - 65 - 12 for ch in frame["colours"][key]])
            assert np.array_equal(np.sign(codes), np.sign(v)), key
            assert frame["max"][key] == cell_text(np.abs(v).max())
            if np.abs(v).max() > 0:
                assert abs(codes[np.argmax(np.abs(v))]) == 12
        assert "a6" not in frame["values"]  # flatten shows the numbers of a5, its own input


def _key(ex):
    return f"{ex.input}:forward" if ex.view == "forward" else \
        f"{ex.input}:{ex.inputs[int(ex.input)]['predicted'] if ex.target == 'predicted' else ex.target}"


# --------------------------------------------------------------------------- captions

def conv_terms(conv, dy, unit):
    """(sender, dL/dv, weight, product) of every unit of the convolution's output that reads ``unit``, by
    finding, for each output position and filter entry, the input pixel it meets."""
    c, i, j = unit
    F, Ho, Wo = dy.shape
    (sh, sw), (ph, pw), (dil_h, dil_w) = conv.stride, conv.padding, conv.dilation
    kh, kw = conv.kernel_size
    out = []
    for f in range(F):
        for oi in range(Ho):
            for oj in range(Wo):
                for ki in range(kh):
                    for kj in range(kw):
                        if (oi * sh + ki * dil_h - ph, oj * sw + kj * dil_w - pw) == (i, j):
                            w = conv.params["w"][f, c, ki, kj]
                            out.append(((f, oi, oj), dy[f, oi, oj], w, dy[f, oi, oj] * w))
    return out


@pytest.mark.parametrize("target", ["loss", "predicted"])
def test_backward_captions_give_the_chain_rule_with_its_biggest_terms(explorer, net, images, target):
    x, labels = images
    n = 2
    z = net.forward(x[n:n + 1])
    k = int(z.argmax())
    top = "L" if target == "loss" else f"z{k}"
    acts, grads = forward_backward(net, x[n:n + 1], loss_seed(int(labels[n])) if target == "loss" else score_seed(k))
    explorer.show(input=n, view="backward", target=target)
    for key, conv_key in (("a0", "a1"), ("a3", "a4")):
        L = COLUMNS.index(key)
        conv = net.layers[L]
        dy = grads[L + 1][0]
        for unit in SAMPLES[key]:
            terms = conv_terms(conv, dy, unit)
            biggest = sorted(terms, key=lambda t: -abs(t[3]))[:3]
            rest = sorted(terms, key=lambda t: -abs(t[3]))[3:]
            lines = explorer.caption(key, unit)
            name = (f"x[{unit[1] + 1},{unit[2] + 1}]" if key == "a0"
                    else f"{key}[{unit[0] + 1},{unit[1] + 1},{unit[2] + 1}]")
            assert lines[0] == f"\u2202{top}/\u2202{name} = {cell_text(grads[L][0][unit])}"
            assert f"over the {len(terms)} units of {conv_key}" in lines[1]
            assert lines[2] == "= " + " + ".join(f"({cell_text(g)})({cell_text(w)})" for _, g, w, _ in biggest) + \
                f" + {len(rest)} more, together {cell_text(sum(t[3] for t in rest))}"
            assert lines[3] == "the biggest terms come from " + ", ".join(
                f"{conv_key}[{f + 1},{i + 1},{j + 1}]" for (f, i, j), _, _, _ in biggest)
            np.testing.assert_allclose(sum(t[3] for t in terms), grads[L][0][unit], rtol=1e-10, atol=1e-300)
    # ReLU: the gradient passes where the input was positive
    for unit in SAMPLES["a1"]:
        on = int(acts[1][0][unit] > 0)
        c, i, j = unit
        assert explorer.caption("a1", unit)[1] == (f"= \u2202{top}/\u2202a2[{c + 1},{i + 1},{j + 1}] \u00b7 "
                                                   f"[a1[{c + 1},{i + 1},{j + 1}] > 0] = "
                                                   f"{cell_text(grads[2][0][unit])} \u00b7 {on}")
    # max pooling: the window's first maximum takes the gradient
    for c, i, j in SAMPLES["a2"]:
        window = acts[2][0][c, 2 * (i // 2):2 * (i // 2) + 2, 2 * (j // 2):2 * (j // 2) + 2]
        first = np.unravel_index(np.argmax(window), (2, 2))
        largest = int((2 * (i // 2) + first[0], 2 * (j // 2) + first[1]) == (i, j))
        line = explorer.caption("a2", (c, i, j))[1]
        assert line.endswith(f" = {cell_text(grads[3][0][c, i // 2, j // 2])} \u00b7 {largest}"), line
    # flatten, and the linear layer's ten terms
    w = net.layers[6].params["w"]
    for unit in SAMPLES["a6"]:
        nn = np.ravel_multi_index(unit, (32, 4, 4))
        lines = explorer.caption("a6", unit)
        assert lines[0] == f"\u2202{top}/\u2202a6[{nn + 1}] = {cell_text(grads[6][0][nn])}"
        assert lines[2] == "= " + " + ".join(f"({cell_text(grads[7][0][kk])})({cell_text(w[kk, nn])})"
                                             for kk in range(10))
    # the logits, where the backward pass starts
    p = softmax(z, axis=1)[0]
    t = int(labels[n])
    for kk in range(10):
        lines = explorer.caption("a7", kk)
        if target == "loss":
            assert lines[:2] == [f"\u2202L/\u2202z{kk} = {cell_text(grads[7][0, kk])}",
                                 f"= p{kk} \u2212 T{kk} = {cell_text(p[kk])} \u2212 {int(kk == t)}"]
        else:
            assert lines[0] == f"\u2202z{k}/\u2202z{kk} = {int(kk == k)}"
    start = (f"L = \u2212log p{t} = {cell_text(-np.log(p[t]))}, the loss at the label {t}" if target == "loss"
             else f"z{k} = {cell_text(z[0, k])}, the score of class {k}")
    assert explorer.caption("L", 0)[0] == start


def test_forward_captions(explorer, net, images):
    x, _ = images
    acts, _ = forward_backward(net, x[:1], score_seed(0))
    explorer.show(input=0, view="forward")
    assert explorer.caption("a0", (0, 1, 4)) == [f"x[2,5] = {cell_text(x[0, 0, 1, 4])}", "one pixel of the image"]
    lines = explorer.caption("a1", (3, 0, 7))
    assert lines[0] == f"a1[4,1,8] = {cell_text(acts[1][0, 3, 0, 7])}"
    assert lines[1].startswith("filter 4 of conv 1 over its 3\u00d73 window of x")
    assert lines[2] == "its receptive field in x: rows 1\u20132, columns 7\u20138"
    # pool rows 0-2 (0-based), ReLU rows 0-5, image rows -1..6 clipped to 0-6
    assert explorer.caption("a4", (0, 1, 1))[2] == "its receptive field in x: rows 1\u20137, columns 1\u20137"
    assert explorer.caption("a2", (3, 0, 7))[0] == (f"a2[4,1,8] = max(a1[4,1,8], 0) = max("
                                                    f"{cell_text(acts[1][0, 3, 0, 7])}, 0) = "
                                                    f"{cell_text(acts[2][0, 3, 0, 7])}")
    assert explorer.caption("a6", (1, 0, 2))[0] == f"a6[19] = a5[2,1,3] = {cell_text(acts[5][0, 1, 0, 2])}"
    w, b = net.layers[6].params["w"], net.layers[6].params["b"]
    a6 = acts[6][0]
    prods = w[7] * a6
    big = np.argsort(-np.abs(prods), kind="stable")[:3]
    assert explorer.caption("a7", 7)[2].startswith(
        f"= {cell_text(b[7])} + " + " + ".join(f"({cell_text(w[7, m])})({cell_text(a6[m])})" for m in big))


# --------------------------------------------------------------------------- inputs, targets, the pad

def test_inputs_show_label_prediction_and_probability(explorer, net, images):
    x, labels = images
    p = softmax(net.forward(x), axis=1)
    for n, entry in enumerate(explorer.inputs):
        k = int(p[n].argmax())
        assert entry["text"].startswith(f"image {n + 1}: a {labels[n]}, read as {k} ({p[n, k]:.1%}")
        assert entry["predicted"] == str(k)


def test_another_class_score_is_computed_when_asked(net, images):
    x, labels = images
    ex = NetworkExplorer(net, x[:1], labels[:1])
    k = (int(net.forward(x[:1]).argmax()) + 3) % 10
    assert f"0:{k}" not in ex.frames and not ex.extra
    ex.show(view="backward", target=k)
    assert list(ex.extra) == [f"0:{k}"]
    _, grads = forward_backward(net, x[:1], score_seed(k))
    np.testing.assert_array_equal(ex.values("a3"), grads[3][0])
    # the page asks the same way: it sets request, and Python clears it once the frame is there
    ex.request = "0:1"
    assert "0:1" in ex.extra and ex.request == ""
    ex.request = "0:nonsense"
    assert ex.request == "" and "0:nonsense" not in ex.extra


def test_the_pad_is_one_more_input_and_is_followed(net, images, digits):
    x, labels = images
    ex = NetworkExplorer(net, x[:1], labels[:1])
    pad = widgets.DrawingPad(net, digits.x_test[5, 0])
    ex.follow(pad)
    assert [e["id"] for e in ex.inputs] == ["0", "pad"] and not ex.extra  # computed once it is shown
    ex.show(input="pad", view="forward")
    assert set(ex.extra) == {"pad:forward"}
    acts, _ = forward_backward(net, pad.x, score_seed(0))
    np.testing.assert_array_equal(ex.values("a4"), acts[4][0])
    drawing = np.zeros((8, 8))
    drawing[1:7, 4] = 1.0
    pad.set_image(drawing)  # what a stroke in the browser does
    k = pad.predicted
    acts, grads = forward_backward(net, drawing[None, None], loss_seed(k))
    np.testing.assert_array_equal(ex.values("a4"), acts[4][0])
    ex.show(view="backward", target="loss")  # a drawing has no label: the loss at the network's answer
    np.testing.assert_array_equal(ex.values("a0"), grads[0][0])
    assert ex.inputs[-1]["text"].startswith(f"your drawing on the pad: read as {k}")
    assert set(ex.extra) == {"pad:forward", "pad:loss"}
    assert ex.caption("a0", (0, 3, 4))[0].startswith(f"\u2202L/\u2202x[4,5] = {cell_text(grads[0][0, 0, 3, 4])}")


def test_pinning_a_unit(explorer):
    explorer.trace("a3", (2, 1, 0))
    assert explorer.selected == ["a3", 2, 1, 0]
    explorer.trace("a6", 17)
    assert explorer.selected == ["a6", 1, 0, 1]


# --------------------------------------------------------------------------- the state, the files, bad input

def test_state_is_json_and_small(net, digits):
    """Three test digits: under 400 kB with their nine frames (forward, the loss, the predicted score)."""
    _, _, x_test, y_test = digits
    ex = NetworkExplorer(net, x_test[:3], y_test[:3])
    state = ex.get_state()
    text = json.dumps({k: v for k, v in state.items() if k not in ("_esm", "_css")})
    assert len(ex.frames) == 9
    assert json.loads(text)["frames"] == ex.frames
    assert ex.state_size() < 400_000, f"the state of three digits is {ex.state_size() / 1000:.0f} kB"
    assert list(state["_dom_classes"]) == ["cnnlearn-widget", "cnnlearn-network"]


def test_root_classes_and_real_files():
    assert issubclass(NetworkExplorer, anywidget.AnyWidget)
    here = Path(_grid.__file__).parent
    js = (here / "network.js").read_text(encoding="utf-8")
    css = (here / "network.css").read_text(encoding="utf-8")
    assert NetworkExplorer._esm.endswith(js) and 'function el(' in NetworkExplorer._esm  # dom.js first
    for text in ('"cnnlearn-widget", "cnnlearn-network"', 'setAttribute("role", "grid")', '"gridcell"',
                 'setAttribute("aria-live", "polite")', "cnnlearn-${spec.key}-${c}-${i}-${j}"):
        assert text in js, text
    assert 'addEventListener("keydown", onKey, true)' in js and 'removeEventListener("keydown", onKey, true)' in js
    assert "export default { render }" in js
    selectors = css_selectors(css)
    assert selectors and all(s.startswith(".cnnlearn-network") for s in selectors), selectors


def test_nothing_changes_the_callers_arrays(net, digits):
    _, _, x_test, y_test = digits
    x, labels = x_test[3:5].copy(), y_test[3:5].copy()
    before = x.copy(), labels.copy()
    ex = NetworkExplorer(net, x, labels)
    ex.show(view="backward", target=6)
    a = ex.values("a0")
    a[...] = 123.0
    assert not np.any(ex.values("a0") == 123.0)
    ex.images[...] = 0
    np.testing.assert_array_equal(ex.images, before[0])
    np.testing.assert_array_equal(x, before[0])
    np.testing.assert_array_equal(labels, before[1])


@pytest.mark.parametrize("make, error, match", [
    (lambda x, t: (x[0], t), ValueError, r"x must have shape \(N, C, H, W\).*got 3-D array of shape \(1, 8, 8\)"),
    (lambda x, t: (np.concatenate([x] * 3), np.concatenate([t] * 3)), ValueError,
     r"x must hold 1 to 8 images .* got 9 \(shape \(9, 1, 8, 8\)\)"),
    (lambda x, t: (x, t[:2]), ValueError, r"labels must be 3 integer classes \(one per image of x\), got"),
    (lambda x, t: (x, t + 20), ValueError, r"labels must be classes in 0\.\.9 \(the network has 10 classes\)"),
    (lambda x, t: (x, t.astype(float)), ValueError, r"labels must be 3 integer classes"),
    (lambda x, t: (np.where(x > 0.5, np.nan, x), t), ValueError, r"x contains \d+ non-finite"),
    (lambda x, t: (x[:, :, :5], t), ValueError,
     r"layer 6 \(Linear\(512, 10\)\) takes 512 features, but for an image x of shape \(1, 5, 8\) its input has 256"),
    (lambda x, t: ("digits", t), TypeError, r"x must be a numeric array, got a string"),
])
def test_bad_input(net, images, make, error, match):
    with pytest.raises(error, match=match):
        NetworkExplorer(net, *make(*images))


def test_bad_net(images):
    with pytest.raises(TypeError, match=r"net must be a cnnlearn Sequential of layers .* got 'a net' \(str\)"):
        NetworkExplorer("a net", *images)
    with pytest.raises(ValueError, match=r"net must end with a Linear layer"):
        NetworkExplorer(Sequential(Conv2D(1, 2, 3, rng=0), ReLU()), *images)


@pytest.mark.parametrize("call, error, match", [
    (lambda ex: ex.show(view="sideways"), ValueError, r"view must be one of \('forward', 'backward'\), got 'sideways'"),
    (lambda ex: ex.show(target=10), ValueError, r"target must be 'loss' or a class k in 0\.\.9 .* got 10"),
    (lambda ex: ex.show(target="score"), ValueError, r"target must be 'loss' .* got 'score'"),
    (lambda ex: ex.show(input=3), ValueError, r"input must be an image 0\.\.2 of x, or 'pad', got 3"),
    (lambda ex: ex.show(input="pad"), ValueError, r"input 'pad' needs a DrawingPad: call follow\(pad\) first"),
    (lambda ex: ex.reads("conv1", 0), ValueError, r"column must be one of 'a0', 'a1'.* got 'conv1'"),
    (lambda ex: ex.reads("a3", (16, 0, 0)), ValueError, r"unit \(16, 0, 0\) is outside column a3 .* \(16, 4, 4\)"),
    (lambda ex: ex.reads("a3", 256), ValueError, r"unit must be an entry 0\.\.255 of column a3"),
    (lambda ex: ex.reads("a3", (1, 2)), TypeError, r"unit must be \(c, i, j\), 0-based map, row and column"),
    (lambda ex: ex.follow(object()), TypeError, r"pad must be a cnnlearn.widgets.DrawingPad"),
])
def test_bad_calls(explorer, call, error, match):
    with pytest.raises(error, match=match):
        call(explorer)


def test_the_column_a_view_does_not_show(explorer):
    explorer.show(view="forward")
    with pytest.raises(ValueError, match=r"column 'L' is not shown in the forward view"):
        explorer.values("L")
    explorer.show(view="backward")
    with pytest.raises(ValueError, match=r"column 'p' is not shown in the backward view"):
        explorer.caption("p", 0)
