"""Drive the cnnlearn widgets in a browser page the way a student does, and check what the page shows.

Everything the page should show is computed here by the package (``cnnlearn.contributions``,
``cnnlearn.receptive.window``, ``cnnlearn.im2col.im2col``, ``cnnlearn.softmax``, ``cnnlearn.conv2d_backward``);
the page is only read
through the CSS contract of ``cnnlearn.widgets`` (its package docstring): each widget's root class, grid cells
``cnnlearn-<grid>-<row>-<col>`` and the highlight class ``cnnlearn-hl``.
"""

import itertools
import re
import time

import numpy as np

import cnnlearn
from cnnlearn.im2col import im2col
from cnnlearn.notation import sub
from cnnlearn.receptive import window

from . import pixels
from .jupyter import (
    PANEL,
    PATIENCE_MS,
    PATIENCE_S,
    PlaywrightTimeout,
    click_slider_track,
    set_slider,
    slider_value,
    wait_widgets_rendered,
)

ROOTS = {
    "cnnlearn-explorer": "ContributionExplorer",
    "cnnlearn-stepper": "ForwardStepper",
    "cnnlearn-softmax": "SoftmaxPlayground",
    "cnnlearn-filter-explorer": "FilterGradientExplorer",
    "cnnlearn-fullconv": "FullConvAnimation",
    "cnnlearn-im2col": "Im2colExplorer",
    "cnnlearn-attack": "AttackExplorer",
    "cnnlearn-drawpad": "DrawingPad",
}

_GRID_JS = """({sel, n, grid}) => {
    const root = document.querySelectorAll(sel)[n];
    if (!root) return null;
    const re = new RegExp('^cnnlearn-' + grid + '-(\\\\d+)-(\\\\d+)$');
    const cells = [];
    for (const el of root.querySelectorAll('[class*="cnnlearn-' + grid + '-"]')) {
        for (const c of el.classList) {
            const m = re.exec(c);
            const val = el.querySelector('.cnnlearn-val'), mark = el.querySelector('.cnnlearn-mark'),
                  name = el.querySelector('.cnnlearn-name');
            if (m) cells.push([+m[1], +m[2], el.classList.contains('cnnlearn-hl'),
                               el.classList.contains('cnnlearn-sel'), (val || el).textContent.trim(),
                               mark ? mark.textContent.trim() : '', name ? name.textContent.trim() : '']);
        }
    }
    return cells;
}"""

_WAIT_JS = """({sel, n, grid, hl, selected}) => {
    const cells = (GRID_JS)({sel, n, grid});
    if (!cells || cells.length === 0) return false;
    const key = (want) => cells.filter(c => c[want]).map(c => c[0] + ',' + c[1]).sort().join(';');
    return key(2) === hl && (selected === null || key(3) === selected);
}""".replace("GRID_JS", _GRID_JS)


def _key(cells):
    return ";".join(sorted(f"{r},{c}" for r, c in cells))


class Widget:
    """The ``n``-th widget with root class ``root_class`` in the visible notebook (or in ``scope``)."""

    def __init__(self, page, root_class, n=0, scope=PANEL):
        self.page, self.root_class, self.n = page, root_class, n
        self.sel = f"{scope} .{root_class}"
        self.root = page.locator(self.sel).nth(n)

    def __repr__(self):
        return f"{ROOTS.get(self.root_class, self.root_class)} #{self.n}"

    def cell(self, grid, r, c):
        return self.root.locator(f".cnnlearn-{grid}-{r}-{c}")

    def grid(self, grid):
        """``{(r, c): (highlighted, selected, text)}`` for every cell of ``grid`` on the page now."""
        return {rc: v[:3] for rc, v in self._cells(grid).items()}

    def _cells(self, grid):
        cells = self.page.evaluate(_GRID_JS, {"sel": self.sel, "n": self.n, "grid": grid}) or []
        return {(r, c): rest for r, c, *rest in cells}

    def marks(self, grid):
        """``{(r, c): pairing number}`` of the cells of ``grid`` that show one now."""
        return {rc: int(v[3]) for rc, v in self._cells(grid).items() if v[3]}

    def names(self, grid):
        """``{(r, c): accessible name}`` of the cells of ``grid``."""
        return {rc: v[4] for rc, v in self._cells(grid).items()}

    def shape(self, grid):
        cells = self.grid(grid)
        assert cells, f"{self}: no cells of grid {grid!r} on the page"
        return max(r for r, _ in cells) + 1, max(c for _, c in cells) + 1

    def highlighted(self, grid):
        return {rc for rc, (hl, _, _) in self.grid(grid).items() if hl}

    def selected(self, grid):
        return {rc for rc, (_, sel, _) in self.grid(grid).items() if sel}

    def texts(self, grid):
        return {rc: text for rc, (_, _, text) in self.grid(grid).items()}

    def wait_highlight(self, grid, expected, selected=None, timeout=PATIENCE_MS):
        """Wait until exactly ``expected`` cells of ``grid`` are highlighted (and ``selected`` selected)."""
        arg = {"sel": self.sel, "n": self.n, "grid": grid, "hl": _key(expected),
               "selected": None if selected is None else _key(selected)}
        try:
            self.page.wait_for_function(_WAIT_JS, arg=arg, timeout=timeout)
        except PlaywrightTimeout:
            pass  # the asserts below say what the page shows instead

        def settled():
            # read again until both hold at once: a kernel's late echo of an earlier step (Voila on a busy machine)
            # can move the pinned cell for a moment after the page first showed the state waited for
            seen = self.highlighted(grid)
            assert seen == set(expected), f"{self}: grid {grid} highlights {sorted(seen)}, not {sorted(expected)}"
            if selected is not None:
                seen = self.selected(grid)
                assert seen == set(selected), \
                    f"{self}: grid {grid} marks {sorted(seen)} as clicked, not {sorted(selected)}"
            return True
        eventually(settled, timeout=timeout / 1000)

    def slider(self, label=None):
        """The widget's slider whose label reads ``label`` (the first slider when None)."""
        sliders = self.root.locator(".widget-slider")
        if label is None:
            return sliders.first
        return sliders.filter(has=self.page.locator(".widget-label", has_text=re.compile(f"^{label}$"))).first

    def text(self):
        return self.root.inner_text()

    def wait_text_change(self, before, timeout=PATIENCE_MS):
        self.page.wait_for_function(
            "({sel, n, before}) => { const r = document.querySelectorAll(sel)[n];"
            " return r && r.innerText !== before; }",
            arg={"sel": self.sel, "n": self.n, "before": before}, timeout=timeout)


def all_widgets(page, scope=PANEL):
    """Every cnnlearn widget on the page (in ``scope``), as :class:`Widget` objects."""
    found = []
    for root_class in ROOTS:
        n = page.locator(f"{scope} .{root_class}").count()
        found += [Widget(page, root_class, i, scope) for i in range(n)]
    return found


# ------------------------------------------------------------------------------ explorer

def explorer_geometry(w):
    """The explorer's shapes and geometry: read from its controls when it has them, else every
    geometry (stride 1..3, padding 0..2, dilation 1..3) consistent with the grid sizes on the page."""
    shape, kernel, out, cands = _geometries(w, "x", "f", "y")
    if w.root.locator(".widget-slider").count() >= 7:
        v = _controls(w)
        geo = {k: v[k] for k in ("stride", "padding", "dilation")}
        assert (v["input rows"], v["input cols"], v["kernel rows"], v["kernel cols"]) == (*shape, *kernel) \
            and geo in cands, f"{w}: the controls say {v}, the grids are {shape}, {kernel} and {out}"
        return shape, kernel, [geo]
    return shape, kernel, cands


def _sample(shape, limit=6):
    """Corners, centre and edge pixels of a grid: the three kinds of pixels (1, 2 or 4 outputs fed)."""
    H, W = shape
    picks = [(H // 2, W // 2), (0, 0), (H - 1, W - 1), (0, W // 2), (H // 2, 0), (0, W - 1), (H - 1, 0)]
    return list(dict.fromkeys(picks))[:limit]


def check_explorer(w, pixels=None, geometry=None, timeout=PATIENCE_S, click_outputs=True):
    """Click input pixels and output pixels of an explorer; the highlighted cells must be the ones
    ``cnnlearn.contributions`` and ``cnnlearn.receptive.window`` give. Returns the geometry used.

    Without ``geometry`` it is read from the explorer's controls or, lacking those, the clicks must
    agree with one stride/padding/dilation that fits the grid sizes.
    """
    shape, kernel, cands = explorer_geometry(w)
    if geometry is not None:
        assert geometry in cands, f"{w}: grid sizes on the page do not fit {geometry}"
        cands = [geometry]
    for (i, j) in pixels or _sample(shape):
        w.cell("x", i, j).click()

        def match():
            seen = {g: w.highlighted(g) for g in ("x", "y", "dy", "f", "dx")}
            keep = []
            for geo in cands:
                pairs = cnnlearn.contributions(shape, kernel, **geo)[i, j]
                outs, taps = {o for o, _ in pairs}, {k for _, k in pairs}
                if seen == {"x": {(i, j)}, "y": outs, "dy": outs, "f": taps, "dx": {(i, j)}}:
                    keep.append(geo)
            assert keep, (f"{w}: after a click on x[{i},{j}] the page highlights {seen}; "
                          f"cnnlearn.contributions gives that for no geometry among {cands}")
            assert w.selected("x") == {(i, j)}, f"{w}: x[{i},{j}] is not marked as clicked"
            return keep
        cands = eventually(match, timeout=timeout)
    geo = cands[0]
    Ho, Wo = w.shape("y")
    for o in dict.fromkeys([(Ho - 1, Wo - 1), (0, 0)] if click_outputs else []):
        before = w.text()
        w.cell("y", *o).click()
        taps = window(o, shape, kernel, **geo)
        w.wait_highlight("y", {o}, selected={o})
        w.wait_highlight("x", {ij for ij, _ in taps})
        w.wait_highlight("f", {k for _, k in taps})
        eventually(lambda: w.text() != before)  # the equation and the explanation follow the click
    return shape, kernel, geo


def _wait_grid_shape(w, grid, shape, timeout=PATIENCE_MS):
    try:
        w.page.wait_for_function(
            """({sel, n, grid, H, W}) => { const r = document.querySelectorAll(sel)[n];
                return r && r.querySelector('.cnnlearn-' + grid + '-' + (H - 1) + '-' + (W - 1))
                    && !r.querySelector('.cnnlearn-' + grid + '-' + H + '-0')
                    && !r.querySelector('.cnnlearn-' + grid + '-0-' + W); }""",
            arg={"sel": w.sel, "n": w.n, "grid": grid, "H": shape[0], "W": shape[1]}, timeout=timeout)
    except PlaywrightTimeout:
        pass
    assert w.shape(grid) == tuple(shape), f"{w}: grid {grid} is {w.shape(grid)} on the page, not {tuple(shape)}"


def _controls(w):
    """What the explorer's seven controls show."""
    return {k: int(slider_value(w.slider(k))) for k in ("input rows", "input cols", "kernel rows", "kernel cols",
                                                         "stride", "padding", "dilation")}


def _controls_output_shape(w):
    v = _controls(w)
    return cnnlearn.output_size((v["input rows"], v["input cols"]), (v["kernel rows"], v["kernel cols"]),
                                stride=v["stride"], padding=v["padding"], dilation=v["dilation"])


def check_explorer_controls(w):
    """Move the explorer's controls like a student (click a track, type into a readout), then check
    that the grids take the new sizes and that clicks highlight what cnnlearn.contributions says."""
    click_slider_track(w.slider("input rows"), 1.0)  # the right end of the track: the largest input
    w.page.wait_for_function("(el) => el.innerText.trim() === '8'",
                             arg=w.slider("input rows").locator(".widget-readout").element_handle())
    _wait_grid_shape(w, "x", (8, w.shape("x")[1]))
    set_slider(w.slider("stride"), 2)
    _wait_grid_shape(w, "y", _controls_output_shape(w))
    shape, kernel, geo = check_explorer(w)
    assert shape[0] == 8 and geo["stride"] == 2, (shape, geo)
    return shape, kernel, geo


LATENCY_ORDER = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1), (2, 2), (1, 1), (0, 0)]

_ARM_JS = """({sel, n, cell, grid, hl}) => {
    const root = document.querySelectorAll(sel)[n];
    const state = {t0: null, t1: null};
    window.__cnnlearnClick = state;
    const key = () => [...root.querySelectorAll('[class*="cnnlearn-' + grid + '-"]')]
        .filter(el => el.classList.contains('cnnlearn-hl'))
        .map(el => [...el.classList].find(c => c.startsWith('cnnlearn-' + grid + '-')).split('-').slice(2).join(','))
        .sort().join(';');
    const obs = new MutationObserver(() => {
        if (state.t0 !== null && state.t1 === null && key() === hl) { state.t1 = performance.now(); obs.disconnect(); }
    });
    obs.observe(root, {subtree: true, childList: true, attributes: true, attributeFilter: ['class']});
    root.querySelector('.' + cell).addEventListener('click', () => { state.t0 = performance.now(); },
                                                    {once: true, capture: true});
}"""


def click_to_highlight_ms(w, pixels=LATENCY_ORDER):
    """For each input pixel: the time from the browser's click event until the output pixels it feeds
    are highlighted, in ms (a real mouse click through Playwright; timed inside the page)."""
    shape, kernel = w.shape("x"), w.shape("f")
    feeds = cnnlearn.contributions(shape, kernel)
    times = []
    for i, j in pixels:
        outs = {o for o, _ in feeds[i, j]}
        w.page.evaluate(_ARM_JS, {"sel": w.sel, "n": w.n, "cell": f"cnnlearn-x-{i}-{j}", "grid": "y",
                                  "hl": _key(outs)})
        w.cell("x", i, j).click()
        w.page.wait_for_function("() => window.__cnnlearnClick.t1 !== null", timeout=PATIENCE_MS)
        times.append(w.page.evaluate("() => window.__cnnlearnClick.t1 - window.__cnnlearnClick.t0"))
    return times


# ------------------------------------------------------------------------------ steppers

def _geometries(w, x_grid, f_grid, y_grid):
    """Every stride (1..3), padding (0..2) and dilation (1..3) that fits the grid sizes on the page."""
    shape, kernel, out = w.shape(x_grid), w.shape(f_grid), w.shape(y_grid)
    cands = []
    for s, p, d in itertools.product((1, 2, 3), (0, 1, 2), (1, 2, 3)):
        try:
            if cnnlearn.output_size(shape, kernel, stride=s, padding=p, dilation=d) == out:
                cands.append(dict(stride=s, padding=p, dilation=d))
        except ValueError:
            pass
    assert cands, f"{w}: no stride/padding/dilation gives a {out} output from {shape} and {kernel}"
    return shape, kernel, out, cands


def _stepper_grids(w):
    """(stepped grid, highlighted grid, stepped grid's shape, step -> (acceptable highlights, pixel))."""
    if w.root_class == "cnnlearn-stepper":
        shape, kernel, out, cands = _geometries(w, "x", "f", "y")

        def expect(k):
            o = divmod(k, out[1])
            return [{ij for ij, _ in window(o, shape, kernel, **geo)} for geo in cands], o
        return "y", "x", out, expect
    dx_shape = w.shape("dx")

    def expect(k):
        return None, divmod(k, dx_shape[1])
    return "dx", "dy", dx_shape, expect


def _wait_step(w, k, timeout=PATIENCE_MS):
    """Wait until the page shows step ``k``: slider, selected pixel, highlighted window (the input
    window of that output pixel, for the forward stepper), and the stepped grid filled in up to that
    pixel ("?" after it)."""
    grid, hl_grid, shape, expect = _stepper_grids(w)
    accept, o = expect(k)
    w.wait_highlight(grid, {o}, selected={o}, timeout=timeout)
    if accept is not None:
        eventually(lambda: w.highlighted(hl_grid) in accept, timeout=timeout / 1000,
                   what=f"{w}: at step {k} the page highlights {w.highlighted(hl_grid)} in {hl_grid}, "
                        f"not the input window of output pixel {o} (one of {accept})")
    # the slider follows the step through a link of its own: its view may come a frame after the grids'
    eventually(lambda: int(slider_value(w.slider())) == k, timeout=timeout / 1000,
               what=f"{w}: the slider does not show step {k}")

    def filled_in():  # the kernel sends the texts after the highlights
        for (r, c), t in w.texts(grid).items():
            done = r * shape[1] + c <= k
            assert (t != "?") == done, f"{w}: at step {k}, {grid}[{r},{c}] shows {t!r}"
        return True
    eventually(filled_in, timeout=timeout / 1000)


def check_stepper(w):
    """Move the step slider (typing into its readout and clicking its track), click an output cell,
    press play: each time the selected pixel, its highlighted window and the text follow."""
    grid, _, shape, _ = _stepper_grids(w)
    n_steps = shape[0] * shape[1]
    slider = w.slider()
    set_slider(slider, 0)
    _wait_step(w, 0)
    before = w.text()
    set_slider(slider, n_steps - 1)
    _wait_step(w, n_steps - 1)
    assert w.text() != before or n_steps == 1, f"{w}: the text did not change from the first to the last step"
    click_slider_track(slider, 0.0)
    _wait_step(w, 0)
    w.cell(grid, shape[0] - 1, 0).click()
    _wait_step(w, (shape[0] - 1) * shape[1])
    set_slider(slider, 0)
    _wait_step(w, 0)
    play = w.root.get_by_role("button", name="Play")
    play.click()  # a timer in the browser steps the grids and the linked slider, no kernel involved
    w.page.wait_for_function(
        "({sel, n}) => +document.querySelectorAll(sel)[n].querySelector('.widget-readout').innerText >= 1",
        arg={"sel": w.sel, "n": w.n}, timeout=PATIENCE_MS)
    play.click()  # pause
    wait_paused(play)
    _wait_step(w, int(slider_value(slider)))


def wait_paused(play):
    """Wait until the Play toggle button ``play`` (a locator) shows that it is off: the stepper's timer, linked
    to it in the browser, stops with it, so the step holds."""
    play.page.wait_for_function("b => !b.classList.contains('mod-active')", arg=play.element_handle(),
                                timeout=PATIENCE_MS)


def check_fullconv_values(w, dy, f):
    """Step the full-convolution animation to its end: every dL/dX pixel it filled in must be
    cnnlearn.conv2d_backward's dx for ``dy`` and filter ``f`` (cells show 3 significant digits)."""
    H, W = w.shape("dx")
    set_slider(w.slider(), H * W - 1)
    _wait_step(w, H * W - 1)
    dx = cnnlearn.conv2d_backward(np.asarray(dy, float), np.zeros((H, W)), np.asarray(f, float))[0]
    shown = w.texts("dx")
    for (r, c), t in shown.items():
        assert abs(float(t) - dx[r, c]) <= 5e-3 * abs(dx[r, c]) + 1e-9, f"{w}: dx[{r},{c}] shows {t}, not {dx[r, c]}"
    assert len(shown) == dx.size


# ------------------------------------------------------------------------------ im2col

def pad_cells(w, grid):
    """The cells of ``grid`` drawn as padding (class ``cnnlearn-pad``)."""
    found = set()
    for classes in w.root.locator(f".cnnlearn-pad[class*='cnnlearn-{grid}-']").evaluate_all(
            "els => els.map(e => e.className)"):
        m = re.search(rf"\bcnnlearn-{grid}-(\d+)-(\d+)\b", classes)
        found.add((int(m[1]), int(m[2])))
    return found


def im2col_geometries(w):
    """Every kernel shape, stride (1..3) and dilation (1..3) that fits the grid sizes on the page, with the
    padding read from the dashed cells of X: ``[(kernel shape, geometry), ...]``."""
    (Hp, Wp), (K, L), (Ho, Wo) = w.shape("x"), w.shape("cols"), w.shape("y")
    pads = pad_cells(w, "x")
    P = min(r for r, c in np.ndindex(Hp, Wp) if (r, c) not in pads)
    shape = (Hp - 2 * P, Wp - 2 * P)
    cands = []
    for kh in range(1, K + 1):
        if K % kh:
            continue
        for s, d in itertools.product((1, 2, 3), (1, 2, 3)):
            geo = dict(stride=s, padding=P, dilation=d)
            try:
                if cnnlearn.output_size(shape, (kh, K // kh), **geo) == (Ho, Wo):
                    cands.append(((kh, K // kh), geo))
            except ValueError:
                pass
    assert cands, f"{w}: no filter, stride or dilation gives cols {(K, L)} and Y {(Ho, Wo)} from X {shape}, P = {P}"
    return shape, cands


def im2col_cells(shape, kernel, geo):
    """For every entry (r, c) of cols, the cell of the (zero-padded) X grid it copies: im2col of the cell numbers."""
    P = geo["padding"]
    Hp, Wp = shape[0] + 2 * P, shape[1] + 2 * P
    numbers = np.arange(1, Hp * Wp + 1, dtype=float).reshape(Hp, Wp)
    src = im2col(numbers, *kernel, stride=geo["stride"], dilation=geo["dilation"]).astype(int) - 1
    return {(r, c): divmod(int(v), Wp) for (r, c), v in np.ndenumerate(src)}


def check_im2col(w):
    """Click input pixels (the centre, corners, an edge) and entries of cols: a pixel lights up exactly its
    copies in cols (and the output pixels of their columns), numbered column by column; an entry of cols its
    whole column, the window of X it copies (each entry numbered like its pixel) and its output pixel; all as
    ``cnnlearn.im2col.im2col`` of the cell numbers says. Returns (input shape, kernel shape, geometry)."""
    shape, cands = im2col_geometries(w)
    (K, L), (_, Wo) = w.shape("cols"), w.shape("y")
    P = cands[0][1]["padding"]
    for i, j in _sample(shape, 4):
        cell = (i + P, j + P)
        w.cell("x", *cell).click()

        def match():
            seen = {g: w.highlighted(g) for g in ("x", "cols", "y")}
            keep = []
            for kernel, geo in cands:
                copies = sorted((rc for rc, s in im2col_cells(shape, kernel, geo).items() if s == cell),
                                key=lambda rc: rc[1])
                if seen == {"x": {cell}, "cols": set(copies), "y": {divmod(c, Wo) for _, c in copies}}:
                    assert w.marks("cols") == {rc: n for n, rc in enumerate(copies, 1)}, \
                        f"{w}: the copies of x[{i},{j}] are numbered {w.marks('cols')}, not column by column"
                    keep.append((kernel, geo))
            assert keep, (f"{w}: after a click on x[{i},{j}] the page highlights {seen}; im2col of the pixel "
                          f"numbers gives that for no geometry among {cands}")
            assert w.selected("x") == {cell}, f"{w}: x[{i},{j}] is not marked as clicked"
            return keep
        cands = eventually(match)
    for r, c in dict.fromkeys([(K - 1, 0), (0, L - 1), (K // 2, L // 2)]):
        before = w.text()
        w.cell("cols", r, c).click()
        w.wait_highlight("cols", {(rr, c) for rr in range(K)}, selected={(r, c)})
        w.wait_highlight("y", {divmod(c, Wo)})

        def window_matches():
            seen, marks = w.highlighted("x"), w.marks("x")
            keep = []
            for kernel, geo in cands:
                src = im2col_cells(shape, kernel, geo)
                if seen == {src[rr, c] for rr in range(K)}:
                    assert marks == {src[rr, c]: rr + 1 for rr in range(K)} and w.marks("cols").get((r, c)) == r + 1, \
                        f"{w}: cols[{r},{c}] and the cell {src[r, c]} of X it copies do not share the number {r + 1}"
                    keep.append((kernel, geo))
            assert keep, (f"{w}: after a click on cols[{r},{c}] the page highlights {sorted(seen)} in X; im2col of "
                          f"the cell numbers gives that for no geometry among {cands}")
            return keep
        cands = eventually(window_matches)
        eventually(lambda: w.text() != before, what=f"{w}: the equation did not follow the click on cols[{r},{c}]")
    kernel, geo = cands[0]
    return shape, kernel, geo


# ------------------------------------------------------------------------------ the other two

def check_filter_explorer(w):
    """Click every dL/dF entry: the highlighted input pixels and dL/dy values are the ones that entry
    meets (cnnlearn.receptive.window), one per output pixel."""
    shape, out, kernel = w.shape("x"), w.shape("dy"), w.shape("df")
    for k in itertools.product(range(kernel[0]), range(kernel[1])):
        before = w.text()
        w.cell("df", *k).click()
        uses = [(o, ij) for o in np.ndindex(*out) for ij, kk in window(o, shape, kernel) if kk == k]
        w.wait_highlight("df", {k}, selected={k})
        w.wait_highlight("x", {ij for _, ij in uses})
        w.wait_highlight("dy", {o for o, _ in uses})
        if k != (0, 0):
            assert w.text() != before, f"{w}: the text did not change after clicking df{k}"


_NUM = r"[-+]?\d+(?:\.\d+)?"


def softmax_shown(w):
    """The logits, probabilities and loss the softmax playground shows right now."""
    logits = [slider_value(s) for s in w.root.locator(".widget-slider").all()]
    shown = w.texts("p")
    p = [float(shown[k, 0]) for k in range(len(shown))]
    loss = re.search(rf"loss L = .*?= ({_NUM})", w.text())
    return np.array(logits), np.array(p), float(loss.group(1)) if loss else None


def check_softmax(w):
    """Type a new score into a slider's readout and pick another true class: the probabilities and
    the loss on the page must be cnnlearn.softmax and cnnlearn.cross_entropy of what the page shows."""
    select = w.root.locator("select")
    label = select.evaluate("s => s.selectedIndex")

    def agrees():
        z, p, loss = softmax_shown(w)
        assert p.shape == z.shape, f"{w}: {len(p)} probabilities shown for {len(z)} scores"
        # the readouts round the scores to 2 decimals, the page rounds p to 4
        np.testing.assert_allclose(p, cnnlearn.softmax(z[None])[0], atol=2e-3)
        assert loss is not None and abs(loss - cnnlearn.cross_entropy(z[None], [label])) < 1e-2
        return z

    z0 = eventually(agrees)
    set_slider(w.slider(), 3.5)
    z1 = eventually(lambda: (z := agrees()) is not None and bool(z[0] == 3.5) and z)
    assert np.array_equal(z1[1:], z0[1:]), f"{w}: moving one score moved others"
    label = (label + 1) % len(z1)
    select.select_option(index=label)
    names = [t.strip() for t in w.root.locator(".widget-slider .widget-label").all_inner_texts()]
    eventually(lambda: f"p({names[label]})" in w.text() and agrees() is not None)


def eventually(check, timeout=PATIENCE_S, every=0.1, what=None):
    """Call ``check`` until it returns something true without raising; then return that. After
    ``timeout`` seconds, call it once more and let its AssertionError speak."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            out = check()
            if out is not None and out is not False:
                return out
        except AssertionError:
            pass
        time.sleep(every)
    out = check()
    assert out is not None and out is not False, what or f"{check} never held"
    return out


# ------------------------------------------------------------------------------ predict, then see

def quiz_state(w):
    """A widget's question as the page shows it (a grid widget's or NetworkExplorer's): ``None``, or
    ``{kind, about, grids, state, status}``."""
    return w.root.evaluate("""r => { const p = r.querySelector('.cnnlearn-quiz');
        if (!p || p.hidden) return null;
        return {kind: p.dataset.kind, about: p.dataset.about, grids: p.dataset.grids, state: p.dataset.state,
                status: p.querySelector('.cnnlearn-quiz-status').textContent}; }""")


def quiz_cells(w, cls):
    """``{(grid, r, c)}`` of the widget's cells carrying class ``cls`` (a guess, or a mark after Check)."""
    found = set()
    for classes in w.root.locator(f".cnnlearn-cell.{cls}").evaluate_all("els => els.map(e => e.className)"):
        m = re.search(r"\bcnnlearn-(\w+)-(\d+)-(\d+)\b", classes.replace("cnnlearn-cell", ""))
        found.add((m[1], int(m[2]), int(m[3])))
    return found


def quiz_answers(w, q):
    """Every answer the question could have, one per geometry that fits the grids on the page, computed by the
    package (cnnlearn.contributions, cnnlearn.receptive.window, im2col of the cell numbers), never by the widget."""
    about = [(g, int(r), int(c)) for g, r, c in (a.split(":") for a in q["about"].split())]
    kind = q["kind"]
    if kind in ("feeds", "pairing"):
        shape, kernel, cands = explorer_geometry(w)
        (_, i, j) = about[0]
        out = []
        for geo in cands:
            pairs = cnnlearn.contributions(shape, kernel, **geo)[i, j]
            if kind == "feeds":
                out.append({("y", *o) for o, _ in pairs})
            else:
                out.append({("f", *k) for o, k in pairs if o == about[1][1:]})
        return out
    if kind in ("window", "meets"):
        x_grid, f_grid, y_grid = ("x", "f", "y") if kind == "window" else ("x", "df", "dy")
        shape, kernel, out_shape, cands = _geometries(w, x_grid, f_grid, y_grid)
        if kind == "window":
            return [{("x", *ij) for ij, _ in window(about[0][1:], shape, kernel, **geo)} for geo in cands]
        return [{("x", *ij) for o in np.ndindex(*out_shape) for ij, k in window(o, shape, kernel, **geo)
                 if k == about[0][1:]} for geo in cands]
    if kind == "column":
        shape, cands = im2col_geometries(w)
        K = w.shape("cols")[0]
        return [{("x", *im2col_cells(shape, kernel, geo)[r, about[0][2]]) for r in range(K)}
                for kernel, geo in cands]
    raise AssertionError(f"{w}: a question of an unknown kind {kind!r}")


def _press_on(w, grid, r, c, key):
    """Move the keyboard focus to cell (r, c) of ``grid`` with Home and the arrow keys, as a student would, and
    press ``key`` there."""
    start = w.root.locator(f'[role="grid"][data-grid="{grid}"] [role="gridcell"][tabindex="0"]')
    start.focus()
    w.page.keyboard.press("Home")
    for _ in range(w.shape(grid)[0]):
        w.page.keyboard.press("ArrowUp")
    for _ in range(r):
        w.page.keyboard.press("ArrowDown")
    for _ in range(c):
        w.page.keyboard.press("ArrowRight")
    w.page.keyboard.press(key)


def check_quiz(w):
    """Answer the widget's question like a student. First wrongly, by mouse: one cell of the answer and one cell
    outside it, then Check: the page must mark them right and extra and every other cell of the answer missed,
    and nothing may light up before Check. Then Try again and the right answer by keyboard (Space on each cell,
    Enter to check): the page must say so, and then show the answer (the pinned cell's highlights)."""
    q = quiz_state(w)
    assert q and q["state"] == "asking", f"{w}: no question waits for an answer"
    answers = quiz_answers(w, q)
    grid = q["grids"].split()[0]
    H, W = w.shape(grid)
    everywhere = {(grid, r, c) for r in range(H) for c in range(W)}
    answer = answers[0]
    outside = sorted(everywhere - set().union(*answers))
    assert outside, f"{w}: every cell of {grid} is in some answer; no wrong cell to click"
    guess = {sorted(answer)[0], outside[0]}
    for g, r, c in sorted(guess):
        w.cell(g, r, c).click()
    eventually(lambda: quiz_cells(w, "cnnlearn-guess") == guess, what=f"{w}: the clicks did not mark {guess}")
    assert w.root.locator(".cnnlearn-hl").count() == 0, f"{w}: something lights up before the answer is checked"
    w.root.get_by_role("button", name="Check").click()

    def marked():
        got = {m: quiz_cells(w, f"cnnlearn-quiz-{m}") for m in ("right", "missed", "extra")}
        keep = [a for a in answers if got == {"right": guess & a, "missed": a - guess, "extra": guess - a}]
        assert keep, f"{w}: after Check the page marks {got}; the answer is one of {answers}"
        return keep
    answers = eventually(marked)
    assert quiz_state(w)["status"].startswith("Not quite"), quiz_state(w)

    w.root.get_by_role("button", name="Try again").click()
    eventually(lambda: quiz_state(w)["state"] == "asking" and not quiz_cells(w, "cnnlearn-guess"))
    answer = answers[0]
    for g, r, c in sorted(answer):
        _press_on(w, g, r, c, " ")
    eventually(lambda: quiz_cells(w, "cnnlearn-guess") == answer, what=f"{w}: Space did not choose {answer}")
    w.page.keyboard.press("Enter")
    eventually(lambda: quiz_state(w)["state"] == "checked" and quiz_state(w)["status"].startswith("Right"),
               what=f"{w}: the right answer was not confirmed: {quiz_state(w)}")
    assert quiz_cells(w, "cnnlearn-quiz-right") == answer
    eventually(lambda: {(grid, *rc) for rc in w.highlighted(grid)} >= answer,
               what=f"{w}: after the answer the widget does not show it lit up")
    return answer



def answer_questions(page, scope=PANEL):
    """Answer every question waiting on the page (in ``scope``) as :func:`check_quiz` does, wrong by mouse and
    then right by keyboard; returns the widgets answered, each showing its answer afterwards."""
    asked = [w for w in all_widgets(page, scope) if (quiz_state(w) or {}).get("state") == "asking"]
    for w in asked:
        check_quiz(w)
    return asked


CHECKS = {
    "cnnlearn-explorer": check_explorer,
    "cnnlearn-stepper": check_stepper,
    "cnnlearn-fullconv": check_stepper,
    "cnnlearn-filter-explorer": check_filter_explorer,
    "cnnlearn-im2col": check_im2col,
    "cnnlearn-softmax": check_softmax,
    "cnnlearn-attack": pixels.check_attack,
    "cnnlearn-drawpad": pixels.check_drawpad,
}
# Notebook 09's widgets show what a trained network says: their checks need that network.
NEEDS_NETWORK = pixels.ROOTS
WITHOUT_EQUATION = {"cnnlearn-softmax", "cnnlearn-attack", "cnnlearn-drawpad"}


def check_equation_typeset(w):
    """The widget's equation is typeset by MathJax: no raw LaTeX on the page, no MathJax error."""
    def typeset():
        text = w.text()
        assert "\\begin{" not in text and "$$" not in text and "\\frac" not in text, \
            f"{w}: raw LaTeX on the page: {text[-300:]!r}"
        assert w.root.locator("mjx-merror").count() == 0, f"{w}: MathJax could not typeset its equation"
        return w.root.locator("mjx-container").count() > 0
    eventually(typeset, what=f"{w}: no typeset equation")


NOTEBOOK_09 = "09_what_the_input_gradient_is_for.ipynb"


def drive_notebook_09(page, server, record_latency, where):
    """Notebook 09 has run on ``page``: drive its eps slider and drawing pad with the network it used, and
    record how soon they answer (labelled ``where``)."""
    wait_widgets_rendered(page)
    found = all_widgets(page)
    assert sorted(w.root_class for w in found) == ["cnnlearn-attack", "cnnlearn-drawpad"], found
    net = pixels.network(server, found)
    for w in found:
        drive(w, net=net)
        pixels.record_latencies(w, record_latency, f"{where} ({NOTEBOOK_09})")


def drive(w, equations=True, net=None):
    """Drive one widget like a student, with the check its kind calls for (first its question, if it asks one);
    with ``equations``, a widget with an equation must show it typeset afterwards. ``net``: the network the
    notebook's widgets show (notebook 09's, see :data:`NEEDS_NETWORK`)."""
    q = quiz_state(w)
    if q and q["state"] == "asking":
        check_quiz(w)
    if w.root_class in NEEDS_NETWORK:
        assert net is not None, f"{w} shows what a network says: drive it with net="
        out = CHECKS[w.root_class](w, net)
    else:
        out = CHECKS[w.root_class](w)
    if equations and w.root_class not in WITHOUT_EQUATION:
        check_equation_typeset(w)
    return out



# ------------------------------------------------------------------------------ hover, keyboard, pairing

def pairs_text(pairs, out_shape, k_shape):
    """The pairing line the explorer's info shows for an input pixel, from cnnlearn.contributions."""
    return "; ".join(f"{n}: dy{sub(*o, out_shape)} meets f{sub(*k, k_shape)}" for n, (o, k) in enumerate(pairs, 1))


def info_text(w):
    return w.root.locator(".cnnlearn-info[aria-live]").inner_text()


def equation_text(w):
    """What the typeset equation box holds (MathJax's assistive text where it has one)."""
    return w.root.locator(".cnnlearn-eq").inner_text()


def check_pairing(w, shape, kernel, geo, i, j):
    """After x[i, j] is shown: each dy it feeds and the filter entry linking them carry the same
    number, 1..k in the order of cnnlearn.contributions, and the info line names the pairs."""
    pairs = cnnlearn.contributions(shape, kernel, **geo)[i, j]
    want_dy = {o: n for n, (o, _) in enumerate(pairs, 1)}
    want_f = {k: n for n, (_, k) in enumerate(pairs, 1)}
    eventually(lambda: w.marks("dy") == want_dy and w.marks("f") == want_f and w.marks("y") == want_dy,
               what=f"{w}: pairing numbers {w.marks('dy')} / {w.marks('f')}, not {want_dy} / {want_f}")
    out = cnnlearn.output_size(shape, kernel, **geo)
    assert pairs_text(pairs, out, kernel) in info_text(w), info_text(w)
    for o, n in want_dy.items():  # the number is in the accessible name too
        assert w.names("dy")[o].endswith(f", pair {n}"), w.names("dy")[o]


def check_hover_explorer(w, shape, kernel, geo):
    """Hovering input pixels previews what they feed (no click, no kernel), with the pairing numbers
    and a new equation; leaving the grids goes back to the pinned cell."""
    w.cell("x", 0, 0).click()
    w.wait_highlight("x", {(0, 0)}, selected={(0, 0)})
    feeds = cnnlearn.contributions(shape, kernel, **geo)
    for i, j in _sample(shape, 4):
        before = equation_text(w)
        w.cell("x", i, j).hover()
        outs = {o for o, _ in feeds[i, j]}
        w.wait_highlight("y", outs, selected=set())
        w.wait_highlight("f", {k for _, k in feeds[i, j]})
        assert w.selected("x") == {(0, 0)}, f"{w}: hover must not move the pinned cell"
        check_pairing(w, shape, kernel, geo, i, j)
        if (i, j) != (0, 0):
            eventually(lambda: equation_text(w) != before, what=f"{w}: the equation did not follow the hover")
    w.page.mouse.move(1, 1)  # away from the grids: back to the pinned x11
    w.wait_highlight("y", {o for o, _ in feeds[0, 0]})


def check_keyboard_explorer(w, shape, kernel, geo):
    """Each grid is one Tab stop; arrows move the focus (and preview), Enter pins, Escape clears."""
    grids = w.root.locator('[role="grid"]')
    n = grids.count()
    assert n == 5, f"{w}: {n} ARIA grids"
    for g in range(n):
        assert grids.nth(g).locator('[tabindex="0"]').count() == 1, f"{w}: grid {g} is not one Tab stop"
    first = grids.first.locator('[role="gridcell"][tabindex="0"]')
    first.focus()
    cell = w.cell("x", 0, 0)
    if cell.get_attribute("tabindex") != "0":
        w.page.keyboard.press("Home")
    for _ in range(shape[0]):
        w.page.keyboard.press("ArrowUp")
    for _ in range(shape[1]):
        w.page.keyboard.press("ArrowLeft")
    w.page.keyboard.press("ArrowRight")
    w.page.keyboard.press("ArrowDown")
    assert w.cell("x", 1, 1).evaluate("el => el === document.activeElement"), f"{w}: arrows did not move to x22"
    assert w.cell("x", 1, 1).get_attribute("tabindex") == "0" and cell.get_attribute("tabindex") == "-1"
    feeds = cnnlearn.contributions(shape, kernel, **geo)
    w.wait_highlight("y", {o for o, _ in feeds[1, 1]})  # focus previews
    w.page.keyboard.press("Enter")
    w.wait_highlight("x", {(1, 1)}, selected={(1, 1)})
    check_pairing(w, shape, kernel, geo, 1, 1)
    w.page.keyboard.press("Escape")
    w.page.mouse.move(1, 1)
    eventually(lambda: w.selected("x") == set() and w.highlighted("y") == set(),
               what=f"{w}: Escape did not clear the pinned cell")
    w.page.keyboard.press("ArrowLeft")
    w.page.keyboard.press(" ")
    w.wait_highlight("x", {(1, 0)}, selected={(1, 0)})


def check_names(w):
    """Every cell has an accessible name ``<symbol><row><col> = <value>, ... row r column c`` (1-based)
    and every button and slider handle of the widget has a name."""
    for grid in ("x", "f", "y", "dx", "dy", "df", "p", "dz"):
        for (r, c), name in w.names(grid).items():
            assert name and f"row {r + 1} column {c + 1}" in name or grid in ("p", "dz"), \
                f"{w}: {grid}[{r},{c}]: {name!r}"
    unnamed = w.root.evaluate("""root => [...root.querySelectorAll('button, [role="slider"], select')]
        .filter(e => !(e.getAttribute('aria-label') || e.innerText.trim() || e.getAttribute('title')
                       || (e.id && document.querySelector('label[for="' + e.id + '"]'))))
        .map(e => e.outerHTML.slice(0, 120))""")
    assert unnamed == [], f"{w}: controls without a name: {unnamed}"


def check_colour_toggle(w):
    """The colour toggle paints each cell's value colour and switches back off."""
    button = w.root.get_by_role("button", name="Colour cells by value")
    cell = w.cell("x", 0, 0)
    plain = cell.evaluate("el => getComputedStyle(el).backgroundColor")
    button.click()
    eventually(lambda: button.get_attribute("aria-pressed") == "true"
               and w.root.locator(".cnnlearn-scale-stop").count() == 5)
    button.click()
    eventually(lambda: button.get_attribute("aria-pressed") == "false"
               and cell.evaluate("el => getComputedStyle(el).backgroundColor") == plain)


_HOVER_JS = """({sel, n, cell}) => new Promise(done => {
    const el = document.querySelectorAll(sel)[n].querySelector('.' + cell);
    const t0 = performance.now();
    el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
    const t1 = performance.now();
    requestAnimationFrame(() => done([t1 - t0, performance.now() - t0]));
})"""


def hover_ms(w, pixels=LATENCY_ORDER):
    """For each input pixel: (handler work, time to the next frame) of a hover, in ms, timed in the page.
    The highlight is checked after each hover against cnnlearn.contributions."""
    shape, kernel = w.shape("x"), w.shape("f")
    feeds = cnnlearn.contributions(shape, kernel)
    work, frame = [], []
    for i, j in pixels:
        a, b = w.page.evaluate(_HOVER_JS, {"sel": w.sel, "n": w.n, "cell": f"cnnlearn-x-{i}-{j}"})
        assert w.highlighted("y") == {o for o, _ in feeds[i, j]}, f"{w}: hover on x[{i},{j}] did not highlight"
        work.append(a)
        frame.append(b)
    w.page.evaluate("({sel, n}) => document.querySelectorAll(sel)[n].querySelectorAll('.cnnlearn-board')"
                    ".forEach(b => b.dispatchEvent(new MouseEvent('mouseleave')))", {"sel": w.sel, "n": w.n})
    return work, frame
