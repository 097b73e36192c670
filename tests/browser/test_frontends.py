"""The browser-side grids in JupyterLab 4 and Notebook 7: hover, click and keys work the same as in
JupyterLab 3 (test_lab3.py) and the offline pages (test_offline*.py), and the hover-to-highlight latency
of each front end is measured and printed (latency.py; never asserted).

The tiny grid (tiny.py) checks the front end itself; the series' grids are then driven in their notebooks.
"""

import nbformat
import pytest

from . import jupyter, latency, offline, tiny

FRONT_ENDS = {"lab": "JupyterLab 4", "nb7": "Notebook 7"}
SERIES_GRIDS = [("01_forward_pass.ipynb", "cnnlearn-stepper", "y"),
                ("04_input_gradient.ipynb", "cnnlearn-explorer", "x")]


@pytest.fixture(scope="module")
def tiny_notebook_path(served_root):
    nbformat.write(tiny.tiny_notebook(), served_root / "harness" / "tiny_frontends.ipynb")
    return "harness/tiny_frontends.ipynb"


def _run(page, server, notebook):
    jupyter.open_notebook(page, server, notebook)
    jupyter.run_all(page, timeout=180_000)
    jupyter.wait_math_typeset(page)
    assert jupyter.problems(page) == []


@pytest.mark.parametrize("front_end", list(FRONT_ENDS))
def test_tiny_grid(front_end, request, page, tiny_notebook_path, clean_kernels, record_hover_latency):
    server = request.getfixturevalue(front_end)
    _run(page, server, tiny_notebook_path)
    grid = offline.Grid(page, f"{jupyter.PANEL} .cnnlearn-tiny", "x")
    record_hover_latency(f"tiny anywidget grid, {FRONT_ENDS[front_end]}",
                         latency.hover_to_highlight_ms(page, grid.root, grid.cell(1, 1)))
    offline.drive_grid(page, grid, tiny.lights(1, 1))


@pytest.mark.parametrize("front_end", list(FRONT_ENDS))
@pytest.mark.parametrize("name,root,grid_name", SERIES_GRIDS, ids=[s[1] for s in SERIES_GRIDS])
def test_series_grid(front_end, name, root, grid_name, request, page, clean_kernels, record_hover_latency):
    server = request.getfixturevalue(front_end)
    _run(page, server, f"notebooks/{name}")
    grid = offline.Grid(page, f"{jupyter.PANEL} .{root}", grid_name)
    record_hover_latency(f"{root}, grid {grid_name}, {FRONT_ENDS[front_end]} ({name})",
                         latency.hover_to_highlight_ms(page, grid.root, grid.cell(1, 1)))
    offline.drive_grid(page, grid)
