"""AttackExplorer, driven from Python: the shipped frames, the eps API, bad input and the state.

Expected values come from cnnlearn.saliency (input_gradient, fgsm, predict) called here, never from
the widget under test; colours are checked through the ink and perturbation values they encode.
"""

import json
from pathlib import Path

import anywidget
import numpy as np
import pytest
import traitlets

from cnnlearn import saliency
from cnnlearn.layers import Conv2D, Flatten, Linear, ReLU, Sequential
from cnnlearn.widgets import _grid
from cnnlearn.widgets.attack import AttackExplorer
from helpers import css_selectors


@pytest.fixture(scope="module")
def digit(digits, net):
    """A test digit the network reads correctly at eps 0 and misreads at some eps <= 0.3."""
    _, _, x_test, y_test = digits
    for n in range(len(y_test)):
        x, t = x_test[n:n + 1], int(y_test[n])
        dx = saliency.input_gradient(net, x, labels=t)
        preds = [int(saliency.predict(net, saliency.fgsm(x, dx, e))[0].argmax()) for e in (0.0, 0.3)]
        if preds[0] == t and preds[1] != t:
            return x, t
    pytest.fail("no test digit is read correctly at eps 0 and fooled at eps 0.3")


@pytest.fixture(scope="module")
def widget(net, digit):
    x, t = digit
    return AttackExplorer(net, x, t)


def assert_grey(colours, ink):
    """``cmap="gray_r"``: ink v in [0, 1] is the grey of level 255 (1 - v), white at 0, black at 1."""
    for row_c, row_v in zip(colours, ink, strict=True):
        for c, v in zip(row_c, row_v, strict=True):
            r, g, b = (int(c[k:k + 2], 16) for k in (1, 3, 5))
            assert r == g == b and abs(r - 255 * (1 - v)) <= 0.5 + 1e-9, (c, v)


# --------------------------------------------------------------------------- what the browser shows

def test_frames_match_fgsm_and_predict_for_every_eps(widget, net, digit):
    x, t = digit
    dx = saliency.input_gradient(net, x, labels=t)
    scale = max(widget.epsilons)
    assert len(widget.frames) == len(widget.epsilons) == len(widget.predictions) == 31
    for eps, f, read in zip(widget.epsilons, widget.frames, widget.predictions):
        x_adv = saliency.fgsm(x, dx, eps)
        p = saliency.predict(net, x_adv)[0]
        k = int(p.argmax())
        assert read == k and isinstance(read, int)
        assert f["eps_text"] == f"{eps:.2f}" and f["valuetext"] == f"eps {eps:.2f}"
        assert f["predicted"] == k
        assert f["p_text"] == f"{p[k]:.0%}"
        assert f["wrong"] == (k != t)
        ink = np.array([[float(v) for v in row] for row in f["adv_ink"]])
        np.testing.assert_allclose(ink, x_adv[0, 0], atol=5e-5)
        assert_grey(f["adv_colours"], x_adv[0, 0])
        delta = np.array([[float(v) for v in row] for row in f["delta_values"]])
        np.testing.assert_allclose(delta, (x_adv - x)[0, 0], atol=5e-5)
        assert np.abs(delta).max() <= eps + 5e-5
        assert f["delta_colours"] == [[_grid.diverging(v, scale)[0] for v in row] for row in (x_adv - x)[0, 0]]
        assert f"{k}" in f["adv_title"] and f["p_text"] in f["adv_title"]
        assert f"eps {eps:.2f}" in f["adv_alt"] and f"as {k} with probability {f['p_text']}" in f["adv_alt"]
        assert f"eps {eps:.2f}" in f["delta_alt"]
        assert f["status"].startswith(f"eps {eps:.2f}: the network reads {k} with probability {f['p_text']}")
        assert f"the true digit is {t}" in f["status"]
        assert ("fooled" in f["status"]) == (k != t)  # in words, not only by colour


def test_the_perturbation_colour_grows_with_eps(widget):
    """Scaled to the largest eps: a pixel moved up by eps is paler at small eps than at the largest."""
    def strength(colour):
        return 255 - min(int(colour[k:k + 2], 16) for k in (1, 3, 5))
    moved = [max(strength(c) for row in f["delta_colours"] for c in row) for f in widget.frames]
    assert moved[0] == 0
    assert moved == sorted(moved) and moved[-1] > moved[1]


def test_clean_picture_and_static_traits(widget, digit):
    x, t = digit
    assert widget.true_label == t == widget.label
    assert widget.clean["title"] == f"the digit {t}"
    assert (widget.clean["rows"], widget.clean["cols"]) == (8, 8)
    np.testing.assert_allclose(np.array(widget.clean["ink"], dtype=float), x[0, 0], atol=5e-5)
    assert_grey(widget.clean["colours"], x[0, 0])
    assert widget.delta_title == "X_adv \u2212 X"
    assert f"digit {t}" in widget.clean["alt"]


def test_legend_text_reaches_wcag_aa_on_its_colours(widget):
    stops = widget.legend["stops"]
    assert [s[0] for s in stops] == ["\u22120.30", "\u22120.15", "0", "+0.15", "+0.30"]
    for _, bg, fg in stops:
        assert _grid.contrast(bg, fg) >= 4.5


# --------------------------------------------------------------------------- the Python API

def test_set_eps_and_index_drive_the_derived_values(widget, net, digit):
    x, t = digit
    dx = saliency.input_gradient(net, x, labels=t)
    try:
        for eps in (0.1, 0.0, 0.3, 0.17):
            widget.set_eps(eps)
            assert widget.eps == eps and widget.epsilons[widget.index] == eps
            x_adv = saliency.fgsm(x, dx, eps)
            p = saliency.predict(net, x_adv)[0]
            np.testing.assert_array_equal(widget.x_adv, x_adv)
            assert widget.x_adv.shape == x.shape
            np.testing.assert_allclose(widget.probabilities, p, rtol=1e-12, atol=1e-15)
            assert widget.predicted == int(p.argmax()) and isinstance(widget.predicted, int)
        widget.index = 25  # as the slider in the browser sets it
        assert widget.eps == 0.25
        np.testing.assert_array_equal(widget.x_adv, saliency.fgsm(x, dx, 0.25))
        assert widget.predicted == int(saliency.predict(net, saliency.fgsm(x, dx, 0.25))[0].argmax())
        widget.x_adv[...] = 0  # a copy: the widget keeps its own
        widget.probabilities[...] = 0
        assert widget.x_adv.max() > 0 and widget.probabilities.sum() == pytest.approx(1)
    finally:
        widget.index = 0


def test_an_eps_not_in_the_list_is_refused_with_the_allowed_values(widget):
    with pytest.raises(ValueError, match=r"eps must be one of .*0\.00, 0\.01.*0\.30.*got 0\.005"):
        widget.set_eps(0.005)
    with pytest.raises(TypeError, match="eps must be a number"):
        widget.set_eps("0.1")
    with pytest.raises(TypeError, match="eps must be a number"):
        widget.set_eps(True)
    with pytest.raises(traitlets.TraitError, match=r"index must be in 0\.\.30"):
        widget.index = 31
    assert widget.index == 0


def test_default_epsilons(widget):
    assert widget.epsilons == tuple(round(0.01 * k, 2) for k in range(31))
    assert widget.epsilons[10] == 0.1 and widget.epsilons[-1] == 0.3


def test_given_epsilons_and_their_texts(net, digit):
    x, t = digit
    w = AttackExplorer(net, x, t, epsilons=[0, 0.025, 0.1])
    assert w.epsilons == (0.0, 0.025, 0.1)
    assert [f["eps_text"] for f in w.frames] == ["0.00", "0.025", "0.10"]
    w.set_eps(0.025)
    assert w.index == 1


def test_inputs_are_not_mutated(net, digit):
    x, t = digit
    x_before = x.copy()
    eps = np.array([0.0, 0.1, 0.2])
    eps_before = eps.copy()
    w = AttackExplorer(net, x, t, epsilons=eps)
    w.set_eps(0.2)
    w.x_adv[...] = 1
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(eps, eps_before)


def test_root_classes_and_real_files():
    assert issubclass(AttackExplorer, anywidget.AnyWidget)
    here = Path(_grid.__file__).parent
    for name in ("attack.js", "attack.css"):
        assert (here / name).is_file()
    js = (here / "attack.js").read_text(encoding="utf-8")
    css = (here / "attack.css").read_text(encoding="utf-8")
    for text in ('"cnnlearn-attack-eps"', '"cnnlearn-attack-status"', '"cnnlearn-widget", "cnnlearn-attack"',
                 "cnnlearn-attack-${name}", "cnnlearn-${name}-${r}-${c}", 'picture("clean"', 'picture("delta"',
                 'picture("adv"', 'input.type = "range"', 'setAttribute("aria-live", "polite")'):
        assert text in js, text
    assert 'addEventListener("keydown", onKey, true)' in js and 'removeEventListener("keydown", onKey, true)' in js
    assert "export default { render }" in js
    # every rule is scoped under the widget's root class
    selectors = css_selectors(css)
    assert selectors and all(s.startswith(".cnnlearn-attack") for s in selectors), selectors


def test_state_is_json_and_small(widget):
    state = widget.get_state()
    text = json.dumps(state)
    assert "cnnlearn-attack-eps" in state["_esm"] and ".cnnlearn-attack" in state["_css"]
    assert list(state["_dom_classes"]) == ["cnnlearn-widget", "cnnlearn-attack"]
    assert len(text) < 200_000, f"the state of 31 frames is {len(text) / 1000:.0f} kB"
    assert json.loads(text)["frames"] == widget.frames


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("bad, match", [
    (lambda x: x[0], r"x must have shape \(1, C, H, W\).*3-D array of shape \(1, 8, 8\)"),
    (lambda x: x[0, 0], r"x must have shape \(1, C, H, W\).*2-D"),
    (lambda x: np.concatenate([x, x]), r"x must have shape \(1, C, H, W\), one image; got shape \(2, 1, 8, 8\)"),
    (lambda x: x * 2 + 0.5, r"x must hold pixels in \[0, 1\]"),
    (lambda x: np.where(x > 0.5, np.nan, x), "x contains .* non-finite"),
])
def test_bad_x(net, digit, bad, match):
    x, t = digit
    with pytest.raises(ValueError, match=match):
        AttackExplorer(net, bad(x), t)


@pytest.mark.parametrize("label, error, match", [
    (10, ValueError, r"label must be a class in 0\.\.9.*got 10"),
    (-1, ValueError, "label must be >= 0, got -1"),
    (True, TypeError, "label must be an integer, got True"),
    (2.0, TypeError, "label must be an integer, got 2.0"),
])
def test_bad_label(net, digit, label, error, match):
    x, _ = digit
    with pytest.raises(error, match=match):
        AttackExplorer(net, x, label)


@pytest.mark.parametrize("epsilons, error, match", [
    ([0.0, -0.1, 0.2], ValueError, r"epsilons must all be >= 0"),
    ([0.0, 0.2, 0.1], ValueError, r"epsilons must be strictly increasing"),
    ([0.0, 0.1, 0.1], ValueError, r"epsilons must be strictly increasing"),
    ([0.0, np.nan], ValueError, r"epsilons contains 1 non-finite"),
    ([0.0, np.inf], ValueError, r"epsilons contains 1 non-finite"),
    ([], ValueError, r"epsilons must hold at least one eps"),
    (0.1, ValueError, r"epsilons must have shape \(E,\)"),
    ([[0.0, 0.1]], ValueError, r"epsilons must have shape \(E,\)"),
    ([True, False], TypeError, r"epsilons must be a numeric array, got booleans"),
])
def test_bad_epsilons(net, digit, epsilons, error, match):
    x, t = digit
    with pytest.raises(error, match=match):
        AttackExplorer(net, x, t, epsilons=epsilons)


def test_a_digit_misread_without_attack_is_called_wrong_not_fooled(net, digits):
    _, _, x_test, y_test = digits
    wrong = np.flatnonzero(saliency.predict(net, x_test).argmax(axis=1) != y_test)
    assert wrong.size, "the quickly trained network reads every test digit right; pick another fixture"
    n = int(wrong[0])
    w = AttackExplorer(net, x_test[n:n + 1], int(y_test[n]), epsilons=[0.0, 0.1])
    f = w.frames[0]
    assert f["wrong"] and "wrong even without an attack" in f["status"] and "fooled" not in f["status"]
    assert f"not as the true digit {int(y_test[n])}" in f["adv_alt"]


def test_several_channels_show_the_largest_ink_and_the_largest_change():
    """For C > 1 the pictures show the largest ink over the channels, as viz.plot_fgsm does, and for
    X_adv - X the channel entry of largest size (with its sign)."""
    rng = np.random.default_rng(3)
    net = Sequential(Conv2D(3, 4, 3, padding=1, rng=rng), ReLU(), Flatten(), Linear(4 * 5 * 6, 7, rng=rng))
    x = rng.uniform(0, 1, size=(1, 3, 5, 6))
    x[0, :, 0, 0] = [0.0, 1.0, 0.5]  # clipped both ways
    w = AttackExplorer(net, x, 6, epsilons=[0.0, 0.2])
    dx = saliency.input_gradient(net, x, labels=6)
    x_adv = saliency.fgsm(x, dx, 0.2)
    f = w.frames[1]
    assert (w.clean["rows"], w.clean["cols"]) == (5, 6) and len(f["adv_ink"]) == 5 and len(f["adv_ink"][0]) == 6
    np.testing.assert_allclose(np.array(f["adv_ink"], dtype=float), x_adv[0].max(axis=0), atol=5e-5)
    d = (x_adv - x)[0]
    shown = np.array(f["delta_values"], dtype=float)
    for r in range(5):
        for c in range(6):
            assert np.isclose(shown[r, c], d[:, r, c][np.abs(d[:, r, c]).argmax()], atol=5e-5)
    w.set_eps(0.2)
    np.testing.assert_array_equal(w.x_adv, x_adv)
    assert w.probabilities.shape == (7,) and w.predicted == int(saliency.predict(net, x_adv)[0].argmax())
