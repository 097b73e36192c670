"""The widgets, driven from Python: highlights, equations, steps and the CSS contract.

Expected highlights come from cnnlearn.contributions / receptive.window, expected
values from the convolution functions, never from the widget under test.
"""

import json
import re
from pathlib import Path

import anywidget
import ipywidgets as ipw
import numpy as np
import pytest

import cnnlearn
from cnnlearn import notation, widgets
from cnnlearn.fullconv import FullConvPlan
from cnnlearn.notation import cell_text
from cnnlearn.receptive import window

EX = cnnlearn.worked_example()


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


# --------------------------------------------------------------------------- the browser-side state

def view_cells(widget):
    """Every cell the browser draws, as ``{(grid, (r, c)): text}``, from the shipped grid specs."""
    return {(g["name"], (r, c)): g["texts"][r][c] for g in widget.view.grids
            for r in range(g["rows"]) for c in range(g["cols"])}


def shipped(widget, grid, r, c):
    """What the browser looks up for cell ``(r, c)`` of ``grid``: ``(highlights, marks, entry)``."""
    e = widget.view.lookup[f"{grid}:{r}:{c}"]
    hl = {g: {tuple(rc) for rc in cells} for g, cells in e["hl"].items()}
    marks = {g: {(rr, cc): n for rr, cc, n in m} for g, m in e["marks"].items()}
    return hl, marks, e


def browser_click(widget, grid, r, c):
    """What grid.js does on a click: pin the cell (and go to its step, in a stepper)."""
    if [grid, r, c] in widget.view.steps:
        widget.view.step = widget.view.steps.index([grid, r, c])
    widget.view.selected = [grid, r, c]


def test_grid_view_ships_real_files_and_the_one_component():
    v = widgets.GridView()
    assert isinstance(v, anywidget.AnyWidget)
    here = Path(widgets.__file__).parent
    js, dom, quiz = ((here / f).read_text(encoding="utf-8") for f in ("grid.js", "dom.js", "quiz.js"))
    assert v._esm == "\n".join([dom, quiz, js])
    assert "export default" in js and "window.addEventListener(\"keydown\"" in js
    assert "function el(" in dom and "function save(" in dom  # one helper, one place
    assert "function el(" not in js + quiz and "function quizPanel(" in quiz and "quizPanel(" in js
    theme, grid, quiz_css = ((here / f).read_text(encoding="utf-8") for f in ("theme.css", "grid.css", "quiz.css"))
    assert v._css == "\n".join([theme, grid, quiz_css]) and "--cnnlearn-fg:" not in grid  # the theme's colours once
    assert "cnnlearn-hl" in v._css and "cnnlearn-sel" in v._css


def test_text_colours_reach_wcag_aa_on_every_background():
    from cnnlearn.widgets import _grid
    for v in np.linspace(-3, 3, 61):
        bg, fg = _grid.diverging(v, 3.0)
        assert _grid.contrast(bg, fg) >= 4.5, (v, bg, fg)
    for bg, fg in _grid.PALETTE:
        assert _grid.contrast(bg, fg) >= 4.5, bg
    for bg in (notation.SKY, notation.ORANGE, notation.GREY):  # highlighted, pinned and plain cells carry #111 text
        assert _grid.contrast(bg, "#111111") >= 4.5, bg
    assert _grid.contrast("#ffffff", "#595959") >= 4.5  # padding cells
    assert _grid.contrast("#ffffff", "#000000") == pytest.approx(21.0)


def shown_texts(view):
    """Every text each grid of a GridView can show: its own, and those a stepper's steps put in it."""
    texts = {g["name"]: [t for row in g["texts"] for t in row] for g in view.grids}
    for e in view.lookup.values():
        for g, rows in e.get("texts", {}).items():
            texts[g] += [t for row in rows for t in row]
    return texts


@pytest.mark.parametrize("seed", range(4))
def test_every_text_fits_the_width_the_browser_gives_its_cells(seed):
    """grid.js makes each cell of a widget as wide as the longest ``chars`` of its grids (in a monospace font):
    every text any grid shows, on any step, is at most that long."""
    rng = np.random.default_rng(seed)
    shape, kernel, geo = random_geometry(rng)
    x = rng.normal(size=shape) * 10.0 ** rng.integers(-3, 3)
    w = rng.normal(size=kernel)
    dy = rng.normal(size=cnnlearn.output_size(shape, kernel, **geo))
    made = [widgets.ForwardStepper(x, w, **geo), widgets.ContributionExplorer(x, w, **geo),
            widgets.FullConvAnimation(dy, w, input_shape=shape, **geo), widgets.FilterGradientExplorer(x, w),
            widgets.Im2colExplorer(x[:4, :4], w[:2, :2]), widgets.SoftmaxPlayground(rng.normal(size=4) * 30)]
    for widget in made:
        for name, texts in shown_texts(widget.view).items():
            spec = widget.view.grid(name)
            assert spec["chars"] == max(len(t) for row in spec["texts"] for t in row)
            assert all(len(t) <= spec["chars"] for t in texts), (type(widget).__name__, name, spec["chars"],
                                                                 [t for t in texts if len(t) > spec["chars"]])


def test_no_accordion_or_tab_anywhere_in_the_series():
    """Colab's widget manager, which anywidget switches on, is reported to break Accordion and Tab."""
    root = Path(cnnlearn.__file__).parent
    pattern = re.compile(r"\b(?:ipw|ipywidgets|widgets)\.(?:Accordion|Tab)\b|\b(?:Accordion|Tab)\(|"
                         r"import[^\n]*\b(?:Accordion|Tab)\b")
    for use in ("ipw.Tab(children=[a])", "widgets.Accordion", "from ipywidgets import HBox, Tab", "Accordion([a])"):
        assert pattern.search(use), use  # the scan would catch each way of using them
    sources = [(p, p.read_text(encoding="utf-8")) for p in root.rglob("*.py")]
    for nb in sorted((root.parent / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        sources.append((nb, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")))
    assert len(sources) > 10
    found = [f"{p.name}: {m.group(0)}" for p, text in sources for m in pattern.finditer(text)]
    assert found == []


# --------------------------------------------------------------------------- ForwardStepper

def test_stepper_opens_on_the_worked_example():
    s = widgets.ForwardStepper()
    assert "cnnlearn-stepper" in s._dom_classes and "cnnlearn-widget" in s._dom_classes
    assert isinstance(s, ipw.VBox) and s.view in s.children
    assert s.n_steps == 4 and s.slider.max == 3 and len(s.view.steps) == 4
    assert s.highlighted("x") == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert s.highlighted("y") == {(0, 0)}
    assert s.equation == cnnlearn.forward_equation(0, 0, (3, 3), (2, 2), x=EX.x, w=EX.w)
    assert s.equation.endswith("= " + cnnlearn.equations.fmt_number(EX.y[0, 0]))
    assert set(view_cells(s)) == (
        {("x", rc) for rc in np.ndindex(3, 3)} | {("f", rc) for rc in np.ndindex(2, 2)}
        | {("y", rc) for rc in np.ndindex(2, 2)})
    assert s.view.grid("x")["labels"][1][2] == f"x23 = {cell_text(EX.x[1, 2])}, input pixel row 2 column 3"


@pytest.mark.parametrize("seed", range(6))
def test_stepper_steps_follow_the_window(seed):
    rng = np.random.default_rng(seed)
    (H, W), (kh, kw), geo = random_geometry(rng)
    x, w = rng.normal(size=(H, W)), rng.normal(size=(kh, kw))
    s = widgets.ForwardStepper(x, w, **geo)
    Ho, Wo = cnnlearn.output_size((H, W), (kh, kw), **geo)
    assert s.n_steps == Ho * Wo == len(s.view.steps)
    for k in range(s.n_steps):  # the state the browser steps through, without a kernel
        o = divmod(k, Wo)
        taps = window(o, (H, W), (kh, kw), **geo)
        hl, marks, e = shipped(s, "y", *o)
        assert s.view.steps[k] == ["y", *o]
        assert hl == {"x": {ij for ij, _ in taps}, "f": {kk for _, kk in taps}}
        # the input pixel and the filter entry on it share a number
        assert sorted((marks["x"][ij], marks["f"][kk]) for ij, kk in taps) == [(n, n) for n in range(1, len(taps) + 1)]
        assert e["eq"] == widgets._grid.math_block(cnnlearn.forward_equation(*o, (H, W), (kh, kw), **geo, x=x, w=w))
    for k in rng.permutation(s.n_steps)[:5]:
        s.step_to(int(k))
        o = divmod(int(k), Wo)
        taps = window(o, (H, W), (kh, kw), **geo)
        assert s.step == k and s.slider.value == k and s.highlighted("y") == {o}
        assert s.highlighted("x") == {ij for ij, _ in taps}
        assert s.highlighted("f") == {kk for _, kk in taps}
        assert s.equation == cnnlearn.forward_equation(*o, (H, W), (kh, kw), **geo, x=x, w=w)


def test_stepper_slider_select_and_click_agree():
    s = widgets.ForwardStepper()
    s.slider.value = 2
    assert s.view.step == 2 and s.view.selected == ["y", 1, 0] and s.highlighted("y") == {(1, 0)}
    s.select("y", 1, 1)
    assert s.step == 3 and s.slider.value == 3 and s.highlighted("x") == {(1, 1), (1, 2), (2, 1), (2, 2)}
    browser_click(s, "y", 0, 1)
    assert s.step == 1 and s.slider.value == 1 and s.highlighted("y") == {(0, 1)}
    s.view.step = 2  # the play timer or the jslinked slider moved it in the browser
    assert s.slider.value == 2 and s.view.selected == ["y", 1, 0]
    s.view.selected = ["y", 0, 0]
    assert s.step == 0 and s.slider.value == 0


def test_stepper_reveals_outputs_step_by_step():
    s = widgets.ForwardStepper()
    s.step_to(1)
    y = [[cell_text(v) for v in row] for row in EX.y]
    assert s.texts("y").tolist() == [[y[0][0], y[0][1]], ["?", "?"]]
    labels = s.view.lookup["y:0:1"]["labels"]["y"]
    assert labels[1][0] == "y21 = ?, output pixel row 2 column 1, not computed yet"
    assert labels[0][1] == f"y12 = {y[0][1]}, output pixel row 1 column 2"


def test_stepper_play_is_a_named_toggle_linked_in_the_browser():
    s = widgets.ForwardStepper()
    assert isinstance(s.play, ipw.ToggleButton) and s.play.description == "Play"
    links = [c for c in s.children if isinstance(c, ipw.Play)]
    assert links == []  # ipywidgets' Play has icon-only buttons without names


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
    info = sp.view.lookup["p:1:0"]["info"]  # the pinned row is the true class, t = 1
    assert sp.view.selected == ["p", 1, 0] and "loss L" in info and f"{sp.loss:.4f}" in info
    p = cnnlearn.softmax([[10.0, -9.5, 0.25, 1.0]])[0]
    assert [row[0] for row in sp.view.grid("p")["texts"]] == [f"{v:.4f}" for v in p]
    assert sp.view.grid("p")["labels"][1][0] == f"p(y12) = {p[1]:.4f} (the true class)"
    sp.view.selected = ["dz", 3, 0]  # a click on a row in the browser makes that class the true one
    assert sp.label == 3 and sp.label_picker.value == 3 and sp.view.selected == ["p", 3, 0]
    sp.label_picker.value = 2
    assert sp.label == 2 and np.isclose(sp.loss, cnnlearn.cross_entropy([[10.0, -9.5, 0.25, 1.0]], [2]))


def test_softmax_playground_escape_keeps_the_true_class_pinned():
    sp = widgets.SoftmaxPlayground()
    sp.view.selected = []
    assert sp.view.selected == ["p", EX.label, 0] and sp.label == EX.label
    assert sp.view.grid("p")["row_labels"][EX.label].endswith("true class")


def test_grid_queries_name_the_bad_argument():
    ex = widgets.ContributionExplorer()
    with pytest.raises(ValueError, match="grid must be one of .* got 'q'"):
        ex.marks("q")
    with pytest.raises(TypeError, match="grid must be a string"):
        ex.highlighted(3)
    a = widgets.FullConvAnimation()
    with pytest.raises(ValueError, match=re.escape("dL/dX pixel (3, 0) is outside the 3x3 grid")):
        a.select("dx", 3, 0)
    with pytest.raises(ValueError, match="grid must be one of 'dx'"):
        a.select("dy", 0, 0)
    fe = widgets.FilterGradientExplorer()
    with pytest.raises(ValueError, match=re.escape("filter entry (2, 0) is outside")):
        fe.select("df", 2, 0)


def test_widgets_do_not_share_or_mutate_state():
    a, b = widgets.ContributionExplorer(), widgets.ContributionExplorer()
    a.select("f", 0, 0)
    assert b.selected == ("x", 1, 1) and a.view is not b.view
    a.view.lookup["x:1:1"]["hl"]["y"].clear()  # a caller scribbling on one widget's state
    assert b.highlighted("y") == {(0, 0), (0, 1), (1, 0), (1, 1)}


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


# --------------------------------------------------------------------------- ContributionExplorer

def test_explorer_opens_on_the_worked_example_and_honours_the_css_contract():
    ex = widgets.ContributionExplorer()
    assert "cnnlearn-explorer" in ex._dom_classes and "cnnlearn-widget" in ex._dom_classes
    assert np.array_equal(ex.x, EX.x) and np.array_equal(ex.w, EX.w) and np.array_equal(ex.dy, EX.dy)
    want = {(g, rc) for g, shape in (("x", (3, 3)), ("dx", (3, 3)), ("f", (2, 2)), ("y", (2, 2)), ("dy", (2, 2)))
            for rc in np.ndindex(*shape)}
    assert set(view_cells(ex)) == want and set(ex.view.lookup) == {f"{g}:{r}:{c}" for g, (r, c) in want}
    assert view_cells(ex)["f", (1, 1)] == cell_text(EX.w[1, 1])
    assert ex.selected == ("x", 1, 1)
    assert ex.highlighted("y") == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_explorer_pairs_each_dy_with_the_filter_entry_it_meets():
    """x22 of the worked example: dy11 meets f22, dy12 f21, dy21 f12 and dy22 f11, each pair one number."""
    ex = widgets.ContributionExplorer()
    ex.select("x", 1, 1)
    dy, f = ex.marks("dy"), ex.marks("f")
    assert dy == {(0, 0): 1, (0, 1): 2, (1, 0): 3, (1, 1): 4} and ex.marks("y") == dy
    assert f == {(1, 1): 1, (1, 0): 2, (0, 1): 3, (0, 0): 4}
    for (o, k) in cnnlearn.contributions((3, 3), (2, 2))[1, 1]:
        assert dy[o] == f[k]
    assert "1: dy11 meets f22; 2: dy12 meets f21; 3: dy21 meets f12; 4: dy22 meets f11" in \
        ex.view.lookup["x:1:1"]["info"]
    ex.select("y", 1, 0)  # the window of y21: each input pixel and the filter entry on it
    assert ex.marks("x") == {(1, 0): 1, (1, 1): 2, (2, 0): 3, (2, 1): 4}
    assert ex.marks("f") == {(0, 0): 1, (0, 1): 2, (1, 0): 3, (1, 1): 4}
    ex.select("f", 1, 1)  # the sum of dL/df22: each input pixel and the dy it meets
    assert ex.marks("x") == {(1, 1): 1, (1, 2): 2, (2, 1): 3, (2, 2): 4}
    assert ex.marks("dy") == {(0, 0): 1, (0, 1): 2, (1, 0): 3, (1, 1): 4}


def test_explorer_centre_pixel_equation_is_the_right_dx22_line():
    ex = widgets.ContributionExplorer()
    ex.select("x", 1, 1)
    sym, num = ex.equations
    assert sym == (r"\frac{\partial L}{\partial x_{22}} = "
                   r"dy_{11} f_{22} + dy_{12} f_{21} + dy_{21} f_{12} + dy_{22} f_{11}")
    assert num.startswith(sym + " = ")
    assert num == cnnlearn.input_gradient_equation(1, 1, (3, 3), (2, 2), dy=EX.dy, w=EX.w)
    dx = cnnlearn.conv2d_backward(EX.dy, EX.x, EX.w)[0]
    assert num.endswith("= " + cnnlearn.equations.fmt_number(dx[1, 1]))
    eq = ex.view.lookup["x:1:1"]["eq"]  # what the browser typesets, with no kernel
    assert eq.startswith("$$\\begin{aligned}") and eq.endswith("$$") and "dy_{11} f_{22}" in eq


def test_explorer_one_two_four_pattern_by_clicking():
    ex = widgets.ContributionExplorer()
    counts = np.zeros((3, 3), dtype=int)
    for i, j in np.ndindex(3, 3):
        browser_click(ex, "x", i, j)
        assert ex.selected == ("x", i, j)
        counts[i, j] = len(ex.highlighted("y"))
        assert ex.equations[1] == cnnlearn.input_gradient_equation(i, j, (3, 3), (2, 2), dy=EX.dy, w=EX.w)
    assert counts.tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    ex.view.selected = []  # Escape in the browser
    assert ex.selected is None and ex.highlighted("y") == set() and ex.equations is None


def check_explorer_state(ex, shape, kshape, geo):
    """Every cell's shipped highlights and pairing numbers against contributions and window."""
    feeds = cnnlearn.contributions(shape, kshape, **geo)
    out = cnnlearn.output_size(shape, kshape, **geo)
    for g in ("x", "dx"):
        for i, j in np.ndindex(*shape):
            hl, marks, e = shipped(ex, g, i, j)
            pairs = feeds[i, j]
            outs = {o for o, _ in pairs}
            assert hl == {"x": {(i, j)}, "dx": {(i, j)}, "y": outs, "dy": outs, "f": {k for _, k in pairs}}
            assert sorted((marks["dy"][o], marks["f"][k]) for o, k in pairs) == [(n, n)
                                                                                 for n in range(1, len(pairs) + 1)]
            assert e["eq"] == widgets._grid.math_block(
                cnnlearn.input_gradient_equation(i, j, shape, kshape, **geo, dy=ex.dy, w=ex.w))
    for o in np.ndindex(*out):
        taps = window(o, shape, kshape, **geo)
        hl, marks, e = shipped(ex, "dy", *o)
        assert hl == {"x": {ij for ij, _ in taps}, "f": {k for _, k in taps}, "y": {o}, "dy": {o}}
        assert sorted((marks["x"][ij], marks["f"][k]) for ij, k in taps) == [(n, n) for n in range(1, len(taps) + 1)]
    for k in np.ndindex(*kshape):
        used = [(o, ij) for o in np.ndindex(*out) for ij, kk in window(o, shape, kshape, **geo) if kk == k]
        hl, marks, e = shipped(ex, "f", *k)
        assert hl == {"x": {ij for _, ij in used}, "y": {o for o, _ in used}, "dy": {o for o, _ in used}, "f": {k}}
        assert sorted((marks["x"][ij], marks["dy"][o]) for o, ij in used) == [(n, n) for n in range(1, len(used) + 1)]
        assert e["eq"] == widgets._grid.math_block(
            cnnlearn.filter_gradient_equation(*k, shape, kshape, **geo, dy=ex.dy, x=ex.x))


@pytest.mark.parametrize("seed", range(10))
def test_explorer_highlights_match_contributions_for_random_configs(seed):
    rng = np.random.default_rng(100 + seed)
    shape, kshape, geo = random_geometry(rng)
    ex = widgets.ContributionExplorer(controls=True)
    ex.configure(input_shape=shape, kernel_shape=kshape, **geo)
    assert ex.x.shape == shape and ex.w.shape == kshape
    check_explorer_state(ex, shape, kshape, geo)
    feeds = cnnlearn.contributions(shape, kshape, **geo)
    for i, j in list(np.ndindex(*shape))[:: max(1, shape[0] * shape[1] // 6)]:
        grid = "x" if (i + j) % 2 else "dx"
        ex.select(grid, i, j)
        outs = {o for o, _ in feeds[i, j]}
        assert ex.highlighted("y") == outs and ex.highlighted("dy") == outs
        assert ex.highlighted("f") == {k for _, k in feeds[i, j]}
        assert ex.highlighted("x") == {(i, j)} and ex.highlighted("dx") == {(i, j)}
        assert ex.equations == (
            cnnlearn.input_gradient_equation(i, j, shape, kshape, **geo),
            cnnlearn.input_gradient_equation(i, j, shape, kshape, **geo, dy=ex.dy, w=ex.w))
    Ho, Wo = ex.dy.shape
    o = (int(rng.integers(Ho)), int(rng.integers(Wo)))
    ex.select("dy", *o)
    taps = window(o, shape, kshape, **geo)
    assert ex.highlighted("x") == {ij for ij, _ in taps} and ex.highlighted("f") == {k for _, k in taps}
    assert ex.equations[1] == cnnlearn.forward_equation(*o, shape, kshape, **geo, x=ex.x, w=ex.w)
    assert np.allclose(ex.dx, cnnlearn.conv2d_backward(ex.dy, ex.x, ex.w, **geo)[0])
    assert np.allclose(ex.y, cnnlearn.conv2d(ex.x, ex.w, **geo))


@pytest.mark.parametrize("geo", [dict(stride=2), dict(padding=1), dict(dilation=2), dict(stride=2, padding=1)])
def test_explorer_state_with_stride_padding_dilation(geo):
    rng = np.random.default_rng(5)
    x, w = rng.normal(size=(5, 6)), rng.normal(size=(2, 3))
    ex = widgets.ContributionExplorer(x, w, **geo)
    check_explorer_state(ex, (5, 6), (2, 3), {k: v for k, v in ex.geometry.items()})


def test_explorer_value_colours_and_accessible_names():
    ex = widgets.ContributionExplorer()
    g = ex.view.grid("dy")
    scale = np.abs(EX.dy).max()
    for r, c in np.ndindex(2, 2):
        assert g["colours"][r][c] == widgets._grid.diverging(EX.dy[r, c], scale)
        assert g["labels"][r][c] == (f"dy{r + 1}{c + 1} = {cell_text(EX.dy[r, c])}, "
                                     f"dL/dY entry row {r + 1} column {c + 1}")
    assert [s[0] for s in g["scale"]] == ["\u2212max", "\u2212max/2", "0", "+max/2", "+max"]
    assert g["max"] == cell_text(scale)
    assert g["scale"][0][1:] == widgets._grid.diverging(-scale, scale)  # the legend's ends are the grid's ends
    assert ex.view.grid("dx")["labels"][0][0].startswith("dL/dx11 = ")


def test_explorer_filter_entry_selection():
    ex = widgets.ContributionExplorer()
    ex.select("f", 0, 1)
    assert ex.highlighted("x") == {(0, 1), (0, 2), (1, 1), (1, 2)}
    assert ex.highlighted("y") == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert ex.equations[1] == cnnlearn.filter_gradient_equation(0, 1, (3, 3), (2, 2), dy=EX.dy, x=EX.x)


def test_explorer_controls_drive_configure_and_report_bad_combinations():
    ex = widgets.ContributionExplorer(controls=True)
    s = ex._sliders
    assert (s["H"].value, s["W"].value, s["kh"].value, s["kw"].value) == (3, 3, 2, 2)
    assert s["H"].max == 8
    s["H"].value = 8
    assert ex.x.shape == (8, 3)
    s["stride"].value = 2
    assert ex.geometry["stride"] == (2, 2)
    assert ex.dy.shape == cnnlearn.output_size((8, 3), (2, 2), stride=2)
    s["kw"].value = 5  # wider than the 3 columns: refused with a message, nothing changes
    assert ex.w.shape == (2, 2) and "larger than" in ex._message.value
    s["padding"].value = 1  # now it fits
    assert ex.w.shape == (2, 5) and ex._message.value == ""


def test_explorer_configure_back_to_the_worked_example_and_seeded_values():
    ex = widgets.ContributionExplorer()
    ex.configure(input_shape=(5, 4), kernel_shape=(3, 3))
    a = (ex.x, ex.w, ex.dy)
    ex.configure(input_shape=(3, 3), kernel_shape=(2, 2))
    assert np.array_equal(ex.x, EX.x) and np.array_equal(ex.dy, EX.dy)
    ex.configure(input_shape=(5, 4), kernel_shape=(3, 3))
    assert all(np.array_equal(u, v) for u, v in zip(a, (ex.x, ex.w, ex.dy)))  # seeded: reproducible


def test_explorer_given_arrays_and_no_mutation():
    rng = np.random.default_rng(7)
    x, w = rng.normal(size=(4, 5)), rng.normal(size=(2, 3))
    dy = rng.normal(size=(2, 2))
    keep = [a.copy() for a in (x, w, dy)]
    ex = widgets.ContributionExplorer(x, w, dy, stride=2)
    ex.select("x", 2, 2)
    assert all(np.array_equal(a, b) for a, b in zip((x, w, dy), keep))
    assert np.allclose(ex.dx, cnnlearn.conv2d_backward(dy, x, w, stride=2)[0])


@pytest.mark.parametrize("call, err, words", [
    (lambda: widgets.ContributionExplorer().select("z", 0, 0), ValueError, "grid must be one of"),
    (lambda: widgets.ContributionExplorer().select("x", 3, 0), ValueError, "input pixel (3, 0) is outside"),
    (lambda: widgets.ContributionExplorer().select("y", 0, 2), ValueError, "output pixel (0, 2) is outside"),
    (lambda: widgets.ContributionExplorer().select("f", 0, -1), ValueError, "filter entry column must be >= 0"),
    (lambda: widgets.ContributionExplorer().select(1, 0, 0), TypeError, "grid must be a string"),
    (lambda: widgets.ContributionExplorer().configure(input_shape=(2, 2), kernel_shape=(3, 3)),
     ValueError, "larger than the padded input"),
    (lambda: widgets.ContributionExplorer().configure(stride=0), ValueError, "stride must be >= 1"),
    (lambda: widgets.ContributionExplorer(dy=np.zeros((3, 3))), ValueError, "dy must have the shape of Y"),
    (lambda: widgets.ContributionExplorer(x="abc"), TypeError, "x must be a numeric array"),
])
def test_explorer_bad_arguments(call, err, words):
    with pytest.raises(err, match=re.escape(words)):
        call()


def test_explorer_failed_configure_changes_nothing():
    ex = widgets.ContributionExplorer()
    with pytest.raises(ValueError):
        ex.configure(input_shape=(2, 2), kernel_shape=(3, 3))
    assert ex.x.shape == (3, 3) and ex.highlighted("y") == {(0, 0), (0, 1), (1, 0), (1, 1)}


# --------------------------------------------------------------------------- FilterGradientExplorer

def test_filter_explorer_worked_example():
    fe = widgets.FilterGradientExplorer()
    assert "cnnlearn-filter-explorer" in fe._dom_classes
    assert np.allclose(fe.df, cnnlearn.conv2d_backward(EX.dy, EX.x, EX.w)[1])
    fe.select("df", 1, 0)
    assert fe.highlighted("x") == {(1, 0), (1, 1), (2, 0), (2, 1)}
    assert fe.highlighted("dy") == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert fe.highlighted("df") == {(1, 0)} == fe.highlighted("f")
    sym, num = fe.equations
    assert sym == cnnlearn.filter_gradient_equation(1, 0, (3, 3), (2, 2))
    assert num == cnnlearn.filter_gradient_equation(1, 0, (3, 3), (2, 2), dy=EX.dy, x=EX.x)
    assert num.endswith("= " + cnnlearn.equations.fmt_number(fe.df[1, 0]))
    browser_click(fe, "df", 0, 1)
    assert fe.selected == ("df", 0, 1) and fe.highlighted("x") == {(0, 1), (0, 2), (1, 1), (1, 2)}
    assert fe.equations[1] == cnnlearn.filter_gradient_equation(0, 1, (3, 3), (2, 2), dy=EX.dy, x=EX.x)
    # each input pixel and the dy it meets in the sum share a number
    uses = [(o, ij) for o in np.ndindex(2, 2) for ij, kk in window(o, (3, 3), (2, 2)) if kk == (0, 1)]
    xm, dym = fe.marks("x"), fe.marks("dy")
    assert sorted((xm[ij], dym[o]) for o, ij in uses) == [(1, 1), (2, 2), (3, 3), (4, 4)]


def test_filter_explorer_random_shapes_and_errors():
    rng = np.random.default_rng(3)
    x, dy = rng.normal(size=(6, 5)), rng.normal(size=(4, 2))
    fe = widgets.FilterGradientExplorer(x, dy)
    assert fe.kernel_shape == (3, 4)
    for k in np.ndindex(3, 4):
        fe.select("f", *k)
        want = {ij for o in np.ndindex(4, 2) for ij, kk in window(o, (6, 5), (3, 4)) if kk == k}
        assert fe.highlighted("x") == want and len(want) == 8
        hl, marks, e = shipped(fe, "df", *k)
        assert hl["x"] == want and e["eq"] == widgets._grid.math_block(
            cnnlearn.filter_gradient_equation(*k, (6, 5), (3, 4), dy=dy, x=x))
    assert np.allclose(fe.df, cnnlearn.conv2d_backward(dy, x, np.zeros((3, 4)))[1])
    with pytest.raises(ValueError, match="cannot be larger than x"):
        widgets.FilterGradientExplorer(np.zeros((2, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="grid must be one of 'df'"):
        fe.select("x", 0, 0)


# --------------------------------------------------------------------------- FullConvAnimation

def test_full_conv_worked_example_ends_equal_to_dx():
    a = widgets.FullConvAnimation()
    assert "cnnlearn-fullconv" in a._dom_classes
    dx = cnnlearn.conv2d_backward(EX.dy, EX.x, EX.w)[0]
    assert a.n_steps == 9 and a.slider.max == 8 and len(a.view.steps) == 9 and a.play.description == "Play"
    assert np.isnan(a.dx_so_far).sum() == 8
    a.step_to(a.n_steps - 1)
    assert np.allclose(a.dx_so_far, dx)
    assert np.allclose(a.dx_so_far, cnnlearn.input_gradient_by_full_conv(EX.dy, EX.w, input_shape=(3, 3)))
    # the canvas: dy with a border of k - 1 = 1 zero, so 4x4
    assert {rc for g, rc in view_cells(a) if g == "dy"} == set(np.ndindex(4, 4))
    a.select("dx", 1, 1)
    assert a.highlighted("dy") == {(1, 1), (1, 2), (2, 1), (2, 2)}
    assert a.highlighted("f") == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert a.equation == cnnlearn.input_gradient_equation(1, 1, (3, 3), (2, 2), dy=EX.dy, w=EX.w)
    # each real dL/dy under the rotated filter and the entry on it share a number
    assert a.marks("dy") == {(1, 1): 1, (1, 2): 2, (2, 1): 3, (2, 2): 4}
    assert a.marks("f") == {(0, 0): 1, (0, 1): 2, (1, 0): 3, (1, 1): 4}
    assert a.texts("dx")[2, 2] == "?" and a.texts("dx")[1, 1] == cell_text(dx[1, 1])
    browser_click(a, "dx", 0, 0)
    assert a.step == 0 and a.slider.value == 0 and np.isnan(a.dx_so_far).sum() == 8


@pytest.mark.parametrize("seed", range(8))
def test_full_conv_every_step_is_the_per_pixel_sum(seed):
    rng = np.random.default_rng(200 + seed)
    (H, W), (kh, kw), geo = random_geometry(rng)
    x, w = rng.normal(size=(H, W)), rng.normal(size=(kh, kw))
    dy = rng.normal(size=cnnlearn.output_size((H, W), (kh, kw), **geo))
    dx = cnnlearn.conv2d_backward(dy, x, w, **geo)[0]
    a = widgets.FullConvAnimation(dy, w, **geo, input_shape=(H, W))
    feeds = cnnlearn.contributions((H, W), (kh, kw), **geo)
    for k in range(a.n_steps):
        a.step_to(k)
        i, j = divmod(k, W)
        per_pixel = sum(dy[o] * w[kk] for o, kk in feeds[i, j])
        assert np.isclose(a.window_sum, per_pixel)
        assert len(a.highlighted("f")) == len(feeds[i, j])  # products that meet a real dy = the terms
        hl, marks, e = shipped(a, "dx", i, j)
        assert e["eq"] == widgets._grid.math_block(
            cnnlearn.input_gradient_equation(i, j, (H, W), (kh, kw), **geo, dy=dy, w=w))
        assert len(marks["dy"]) == len(marks["f"]) == len(feeds[i, j])
    assert not np.isnan(a.dx_so_far).any()
    assert np.allclose(a.dx_so_far, dx)


def test_full_conv_stride_inserts_zeros():
    dy = np.arange(1.0, 5.0).reshape(2, 2)
    a = widgets.FullConvAnimation(dy, EX.w, stride=2)
    assert a.input_shape == (4, 4)
    g = a.view.grid("dy")
    assert g["texts"][1][1] == "1" and g["texts"][1][3] == "2" and g["texts"][1][2] == "0"
    assert [1, 2] in g["pad"] and [1, 1] not in g["pad"]
    assert g["labels"][1][3] == "dy12 = 2, dL/dY entry at canvas row 2 column 4"
    assert g["labels"][1][2] == "0, an added zero at canvas row 2 column 3"


def test_full_conv_bad_arguments():
    with pytest.raises(ValueError, match=re.escape("0..8")):
        widgets.FullConvAnimation().step_to(9)
    with pytest.raises(ValueError, match="gives an output of shape"):
        widgets.FullConvAnimation(input_shape=(4, 4))
    with pytest.raises(ValueError, match="dy must have shape"):
        widgets.FullConvAnimation(dy=np.zeros(4))


def test_explorer_states_its_geometry():
    ex = widgets.ContributionExplorer()
    assert "X is 3x3, F is 2x2, stride 1, padding 0, dilation 1, so Y is 2x2." in ex._note.value
    ex.configure(input_shape=(5, 4), kernel_shape=(3, 3), padding=(1, 2))
    note = ex._note.value
    assert "padding (1, 2)" in note and "zero padding" in note
    assert f"so Y is {ex.dy.shape[0]}x{ex.dy.shape[1]}" in note


# --------------------------------------------------------------------------- FullConvPlan, property-based

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def conv_setups(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    s, p, d = draw(st.integers(1, 3)), draw(st.integers(0, 2)), draw(st.integers(1, 2))
    H = draw(st.integers(max(1, d * (kh - 1) + 1 - 2 * p), 8))
    W = draw(st.integers(max(1, d * (kw - 1) + 1 - 2 * p), 8))
    seed = draw(st.integers(0, 2**16))
    return (H, W), (kh, kw), dict(stride=s, padding=p, dilation=d), seed


@given(conv_setups())
def test_full_conv_plan_window_sums_are_the_per_pixel_sums(setup):
    (H, W), (kh, kw), geo, seed = setup
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=(H, W)), rng.normal(size=(kh, kw))
    dy = rng.normal(size=cnnlearn.output_size((H, W), (kh, kw), **geo))
    plan = FullConvPlan(dy, w, **geo, input_shape=(H, W))
    feeds = cnnlearn.contributions((H, W), (kh, kw), **geo)
    for i, j in np.ndindex(H, W):
        assert len(plan.hits(i, j)) == len(feeds[i, j])
        assert np.isclose(plan.pixel(i, j), sum(dy[o] * w[k] for o, k in feeds[i, j]))
    assert np.allclose(plan.dx_after(H * W - 1), cnnlearn.conv2d_backward(dy, x, w, **geo)[0])
