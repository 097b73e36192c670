"""Every notebook of the series in JupyterLab 4, each run once: Run All, no traceback, every cell ran, every
widget shows as a widget; axe-core finds no WCAG 2.2 AA violation in its widgets (axe.py); no pair number covers
a value, no value runs over its cell, and the widgets' text reads at 4.5:1 (looks.py, every grid of every widget,
every cell hovered); the browser-side grids answer hover, click and keys (with their hover-to-highlight latency
measured); and every cnnlearn widget answers clicks, sliders and play as a student would see it."""

from pathlib import Path

import pytest

from . import axe, jupyter, latency, looks, network, offline, pixels, students

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# The grids every front end must drive the same way (offline.drive_grid): also in Notebook 7
# (test_notebook7.py), JupyterLab 3 (test_lab3.py), Voila and the offline pages.
FRONT_END_GRIDS = {"01_forward_pass.ipynb": ("cnnlearn-stepper", "y"),
                   "04_input_gradient.ipynb": ("cnnlearn-explorer", "x")}


def check_front_end_grid(page, name, front_end, record_hover_latency):
    """Notebook ``name``'s grid of :data:`FRONT_END_GRIDS`, just after Run All: its hover-to-highlight latency,
    then hover, click, arrow keys and Enter (offline.drive_grid)."""
    root, grid_name = FRONT_END_GRIDS[name]
    grid = offline.Grid(page, f"{jupyter.PANEL} .{root}", grid_name)
    record_hover_latency(f"{root}, grid {grid_name}, {front_end} ({name})",
                         latency.hover_to_highlight_ms(page, grid.root, grid.cell(1, 1)))
    offline.drive_grid(page, grid)


def check_looks(page, name):
    """Every grid of the notebook's widgets: no pair number over a value, no value over its cell's edge (as shown,
    and while each live cell is hovered); every text of the series' own widgets at 4.5:1 or more."""
    grids = looks.badge_and_overflow_problems(page, jupyter.PANEL)
    contrast = looks.contrast_problems(page, jupyter.PANEL, roots=(".cnnlearn-widget",))
    print(f"looks JupyterLab 4, {name}: {grids['cells']} cells measured ({grids['hovered']} hovered), "
          f"{len(grids['problems'])} problems; {contrast['texts']} texts, lowest contrast "
          f"{contrast['lowest'] and round(contrast['lowest'], 2)}:1")
    assert grids["problems"] + contrast["problems"] == [], "\n".join(grids["problems"] + contrast["problems"])


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(lab, page, name, axe_script, clean_kernels, record_latency,
                                     record_hover_latency):
    jupyter.open_notebook(page, lab, f"notebooks/{name}", workspace=f"nb-{name[:2]}")
    jupyter.run_all(page)
    jupyter.wait_math_typeset(page)
    assert jupyter.problems(page) == []
    jupyter.wait_widgets_rendered(page)
    assert jupyter.problems(page) == []
    if name in axe.NOTEBOOKS_WITH_WIDGETS:  # first, on the widgets as Run All left them
        axe.check_notebook_widgets(page, name, axe_script, "JupyterLab 4")
        check_looks(page, name)
    axe.answer_questions(page, axe_script, f"JupyterLab 4, {name}")  # predict first: wrong, then right
    for n, w in enumerate(network.answer_questions(page)):  # NetworkExplorer's questions, answered the same way
        w.root.evaluate("(r, n) => r.setAttribute('data-cnnlearn-axe', 'network-answered-' + n)", n)
        failure = axe.report(f"JupyterLab 4, {name}, NetworkExplorer #{n} answered",
                             axe.run_axe(page, axe_script, [f'[data-cnnlearn-axe="network-answered-{n}"]']))
        assert not failure, failure
    if name in FRONT_END_GRIDS:
        check_front_end_grid(page, name, "JupyterLab 4", record_hover_latency)
    found = students.all_widgets(page)
    net = pixels.network(lab, found)
    for w in found:
        students.drive(w, net=net)
        pixels.record_latencies(w, record_latency, f"JupyterLab 4 ({name})")
    assert not [e for e in page.console_errors if "widget" in e.lower() or "model" in e.lower()], \
        page.console_errors


def test_the_series_is_here():
    """The notebooks above are found by their names; an empty list would test nothing."""
    assert len(NOTEBOOKS) >= 9, NOTEBOOKS
    assert set(axe.NOTEBOOKS_WITH_WIDGETS) | set(FRONT_END_GRIDS) <= set(NOTEBOOKS)
