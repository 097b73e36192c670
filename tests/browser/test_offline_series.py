"""The series' own grids in the offline edition, from file:// with every network request refused: each
browser-side grid answers hover, click and keys, and Play (a timer in the browser, linked to the grids
with jslink) steps the forward stepper, all with no kernel; notebook 09's eps slider and drawing pad do
what needs no kernel, and the pad says what does."""

import pytest

from cnnlearn import digits_net

from . import latency, offline, pixels, students

SERIES_GRIDS = [  # (notebook, widget root, a grid of it, its shape)
    ("01_forward_pass", "cnnlearn-stepper", "y", (2, 2)),
    ("03_filter_gradient", "cnnlearn-filter-explorer", "df", (2, 2)),
    ("04_input_gradient", "cnnlearn-explorer", "x", (3, 3)),
    ("04_input_gradient", "cnnlearn-fullconv", "dx", (3, 3)),
    ("10_im2col", "cnnlearn-im2col", "cols", (4, 4)),
]


@pytest.mark.parametrize("stem,root,grid_name,shape", SERIES_GRIDS, ids=[f"{s[0][:2]}-{s[1]}" for s in SERIES_GRIDS])
def test_series_grid_offline(series_site, browser, stem, root, grid_name, shape, record_hover_latency):
    """Hover lights cells up, a click pins, arrow keys move, Enter pins, with the network refused."""
    page, refused, failed, errors = offline.open_page(browser, series_site / f"{stem}.html")
    try:
        grid = offline.Grid(page, f".{root}", grid_name)
        assert grid.shape() == shape, f"{stem}: {root} grid {grid_name} has shape {grid.shape()}"
        assert page.locator(f".{root} [role=grid]").count() > 0, f"{stem}: {root} has no ARIA grid"
        times = latency.hover_to_highlight_ms(page, grid.root, grid.cell(1, 1))
        record_hover_latency(f"{root}, grid {grid_name}, offline page {stem}.html (file://)", times)
        grid.hover(1, 1)
        assert grid.highlighted_anywhere(), f"{stem}: hovering {grid_name}22 highlighted nothing"
        page.mouse.move(0, 0)
        grid.click(0, 0)
        assert (0, 0) in grid.selected(), f"{stem}: a click did not pin {grid_name}11"
        page.keyboard.press("ArrowRight")
        assert grid.focused() == (0, 1), f"{stem}: ArrowRight did not move the focus from {grid_name}11"
        page.keyboard.press("Enter")
        assert (0, 1) in grid.selected(), f"{stem}: Enter did not pin {grid_name}12"
        assert refused == [] and errors == [], (refused, errors)
    finally:
        page.context.close()


def test_play_steps_the_forward_stepper_offline(series_site, browser):
    """Notebook 01's forward stepper: Play (linked in the browser) moves the window with no kernel."""
    page, refused, _, errors = offline.open_page(browser, series_site / "01_forward_pass.html")
    try:
        root = page.locator(".cnnlearn-stepper").first
        play = root.get_by_role("button", name="Play")
        assert play.count() == 1, "the forward stepper has no button named Play"
        before = offline.highlight_key(root)
        play.scroll_into_view_if_needed()
        play.click()
        page.wait_for_function("([r, k]) => { const now = [...r.querySelectorAll('.cnnlearn-hl')]"
                               ".map(e => e.className).sort().join(';'); return now !== k; }",
                               arg=[root.element_handle(), before], timeout=10_000)
        assert refused == [] and errors == [], (refused, errors)
    finally:
        page.context.close()


def test_pixel_widgets_offline(series_site, series_notebooks, browser, record_latency):
    """Notebook 09 with no kernel: the eps slider shows every eps it was saved with (one frame each, the
    X_adv and prediction cnnlearn.saliency gives), and the drawing pad draws, erases and says that what the
    network reads needs a running notebook."""
    page, refused, _, errors = offline.open_page(browser, series_site / "09_what_the_input_gradient_is_for.html")
    try:
        net = digits_net.load(series_notebooks[0].parent / digits_net.DEFAULT_FILE)  # what the export's run used
        attack = students.Widget(page, "cnnlearn-attack", scope="body")
        pixels.check_attack(attack, net)
        record_latency("AttackExplorer, offline page 09 (file://)", pixels.slide_latency_ms(attack), kind="slide")

        pad = students.Widget(page, "cnnlearn-drawpad", scope="body")
        pad.root.scroll_into_view_if_needed()
        status = pad.root.locator(".cnnlearn-drawpad-status")
        assert status.inner_text().startswith("The network reads"), status.inner_text()  # the saved answer
        pad.root.locator(".cnnlearn-clear").click()
        pixels.stroke(pad, [(1, 4), (6, 4)])
        assert pixels.inked(pad) == {(r, 4): 1.0 for r in range(1, 7)}, pixels.inked(pad)
        assert "No Python kernel here" in status.inner_text(), status.inner_text()
        assert pad.root.get_attribute("data-answered") != pad.root.get_attribute("data-revision")
        pixels.choose(pad, "erase")
        pixels.stroke(pad, [(6, 4)])
        assert pixels.inked(pad) == {(r, 4): 1.0 for r in range(1, 6)}, pixels.inked(pad)
        assert refused == [] and errors == [], (refused, errors)
    finally:
        page.context.close()
