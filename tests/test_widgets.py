"""The widgets, driven from Python: highlights, equations, steps and the CSS contract.

Expected highlights come from cnnlearn.contributions / receptive.window, expected
values from the convolution functions, never from the widget under test.
"""

import re

import ipywidgets as ipw
import numpy as np
import pytest

import cnnlearn
from cnnlearn import widgets
from cnnlearn.receptive import window

EX = cnnlearn.worked_example()
CELL = re.compile(r"^cnnlearn-(x|y|f|dx|dy|df)-(\d+)-(\d+)$")


def cells(widget):
    """Every button below ``widget`` with its grid name and (row, col), parsed from its CSS class."""
    out = []
    stack = [widget]
    while stack:
        w = stack.pop()
        stack.extend(getattr(w, "children", ()))
        if isinstance(w, ipw.Button):
            names = [m.groups() for m in map(CELL.match, w._dom_classes) if m]
            assert len(names) == 1, f"a cell must carry exactly one cnnlearn-<grid>-<row>-<col> class: {w._dom_classes}"
            g, r, c = names[0]
            out.append((g, (int(r), int(c)), w))
    return out


def dom_highlighted(widget, grid):
    return {rc for g, rc, b in cells(widget) if g == grid and "cnnlearn-hl" in b._dom_classes}


def click(widget, grid, r, c):
    """Press the button the browser would press."""
    (button,) = [b for g, rc, b in cells(widget) if g == grid and rc == (r, c)]
    button.click()


def assert_css_matches_api(widget, grids):
    for g in grids:
        assert dom_highlighted(widget, g) == widget.highlighted(g), g


def random_geometry(rng):
    """A random configuration whose filter fits: input up to 8x8, kernel up to 3x3."""
    while True:
        H, W = rng.integers(2, 9, size=2)
        kh, kw = rng.integers(1, 4, size=2)
        geo = dict(stride=int(rng.integers(1, 4)), padding=int(rng.integers(0, 3)), dilation=int(rng.integers(1, 3)))
        try:
            cnnlearn.output_size((H, W), (kh, kw), **geo)
        except ValueError:
            continue
        return (int(H), int(W)), (int(kh), int(kw)), geo


# --------------------------------------------------------------------------- ForwardStepper

def test_stepper_opens_on_the_worked_example():
    s = widgets.ForwardStepper()
    assert "cnnlearn-stepper" in s._dom_classes and "cnnlearn-widget" in s._dom_classes
    assert isinstance(s, ipw.VBox)
    assert s.n_steps == 4 and s.slider.max == 3 and s.play.max == 3
    assert s.highlighted("x") == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert s.highlighted("y") == {(0, 0)}
    assert s.equation == cnnlearn.forward_equation(0, 0, (3, 3), (2, 2), x=EX.x, w=EX.w)
    assert s.equation.endswith("= " + cnnlearn.equations.fmt_number(EX.y[0, 0]))
    assert {(g, rc) for g, rc, _ in cells(s)} == (
        {("x", rc) for rc in np.ndindex(3, 3)} | {("f", rc) for rc in np.ndindex(2, 2)}
        | {("y", rc) for rc in np.ndindex(2, 2)})


@pytest.mark.parametrize("seed", range(6))
def test_stepper_steps_follow_the_window(seed):
    rng = np.random.default_rng(seed)
    (H, W), (kh, kw), geo = random_geometry(rng)
    x, w = rng.normal(size=(H, W)), rng.normal(size=(kh, kw))
    s = widgets.ForwardStepper(x, w, **geo)
    Ho, Wo = cnnlearn.output_size((H, W), (kh, kw), **geo)
    assert s.n_steps == Ho * Wo
    for k in rng.permutation(s.n_steps)[:5]:
        s.step_to(int(k))
        o = divmod(int(k), Wo)
        taps = window(o, (H, W), (kh, kw), **geo)
        assert s.step == k and s.highlighted("y") == {o}
        assert s.highlighted("x") == {ij for ij, _ in taps}
        assert s.highlighted("f") == {kk for _, kk in taps}
        assert s.equation == cnnlearn.forward_equation(*o, (H, W), (kh, kw), **geo, x=x, w=w)
        assert_css_matches_api(s, ("x", "f", "y"))


def test_stepper_slider_select_and_click_agree():
    s = widgets.ForwardStepper()
    s.slider.value = 2
    assert s.highlighted("y") == {(1, 0)}
    s.select("y", 1, 1)
    assert s.step == 3 and s.highlighted("x") == {(1, 1), (1, 2), (2, 1), (2, 2)}
    click(s, "y", 0, 1)
    assert s.step == 1 and s.highlighted("y") == {(0, 1)}
    assert dom_highlighted(s, "y") == {(0, 1)}


def test_stepper_reveals_outputs_step_by_step():
    s = widgets.ForwardStepper()
    s.step_to(1)
    texts = {rc: b.description for g, rc, b in cells(s) if g == "y"}
    assert texts[(0, 0)] == "3" and texts[(0, 1)] == "-1" and texts[(1, 0)] == "?" and texts[(1, 1)] == "?"


def test_stepper_does_not_mutate_inputs():
    x, w = EX.x.copy(), EX.w.copy()
    s = widgets.ForwardStepper(x, w)
    s.step_to(3)
    assert np.array_equal(x, EX.x) and np.array_equal(w, EX.w)


@pytest.mark.parametrize("call, err, words", [
    (lambda s: s.step_to(4), ValueError, "0..3"),
    (lambda s: s.step_to(-1), ValueError, "k must be >= 0"),
    (lambda s: s.step_to(1.5), TypeError, "k must be an integer"),
    (lambda s: s.select("x", 0, 0), ValueError, "grid must be one of 'y'"),
    (lambda s: s.select("y", 2, 0), ValueError, "outside the 2x2 grid"),
    (lambda s: s.highlighted("q"), ValueError, "grid must be one of"),
])
def test_stepper_bad_arguments(call, err, words):
    with pytest.raises(err, match=re.escape(words)):
        call(widgets.ForwardStepper())


def test_stepper_bad_construction():
    with pytest.raises(ValueError, match="x must have shape"):
        widgets.ForwardStepper(np.zeros((1, 3, 3)))
    with pytest.raises(ValueError, match="larger than"):
        widgets.ForwardStepper(np.zeros((2, 2)), np.zeros((3, 3)))


# --------------------------------------------------------------------------- SoftmaxPlayground

def test_softmax_playground_defaults_to_the_worked_example():
    sp = widgets.SoftmaxPlayground()
    assert "cnnlearn-softmax" in sp._dom_classes
    assert len(sp.sliders) == 4 and sp.label == EX.label and sp.label_picker.value == EX.label
    assert np.allclose([s.value for s in sp.sliders], EX.logits[0])
    assert np.allclose(sp.p, EX.p) and np.isclose(sp.loss, EX.loss) and np.allclose(sp.dlogits, EX.dlogits)


def test_softmax_playground_follows_sliders_logits_and_label():
    sp = widgets.SoftmaxPlayground()
    sp.sliders[0].value = -2.0
    z = EX.logits.copy()
    z[0, 0] = -2.0
    assert np.allclose(sp.p, cnnlearn.softmax(z))
    assert np.isclose(sp.loss, cnnlearn.cross_entropy(z, [EX.label]))
    sp.set_label(1)
    assert sp.label_picker.value == 1
    assert np.allclose(sp.dlogits, cnnlearn.cross_entropy_backward(z, [1]))
    sp.set_logits([10.0, -9.5, 0.25, 1.0])  # outside the initial slider range
    assert [s.value for s in sp.sliders] == [10.0, -9.5, 0.25, 1.0]
    assert np.isclose(sp.loss, cnnlearn.cross_entropy([[10.0, -9.5, 0.25, 1.0]], [1]))
    assert "loss" in sp._view.value and f"{sp.loss:.4f}" in sp._view.value
    sp.label_picker.value = 2
    assert sp.label == 2 and np.isclose(sp.loss, cnnlearn.cross_entropy([[10.0, -9.5, 0.25, 1.0]], [2]))


def test_softmax_playground_other_sizes_and_errors():
    sp = widgets.SoftmaxPlayground([0.0, 1.0, 2.0], label=2)
    assert sp.names == ["z1", "z2", "z3"] and sp.p.shape == (1, 3)
    with pytest.raises(ValueError, match="label must be a class in 0..2, got 3"):
        sp.set_label(3)
    with pytest.raises(ValueError, match="values must hold 3 scores"):
        sp.set_logits([1.0, 2.0])
    with pytest.raises(ValueError, match="at least 2 class scores"):
        widgets.SoftmaxPlayground([1.0])
    with pytest.raises(ValueError, match="label must be a class in 0..3"):
        widgets.SoftmaxPlayground(label=4)
    with pytest.raises(ValueError, match="logits must have shape"):
        widgets.SoftmaxPlayground(np.zeros((2, 4)))
