"""Notebook 7 (``jupyter notebook``): notebooks 04 and 09 and every widget of them, the way a student there uses them.

Notebook 7 swallows the arrow keys on sliders (ipywidgets#3926), so sliders are moved by typing into
their readout or clicking their track, as everywhere in these tests.
"""

from pathlib import Path

import pytest

from . import jupyter, students

NOTEBOOK_04 = "04_input_gradient.ipynb"
SERIES = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.mark.parametrize("name", [NOTEBOOK_04])
def test_notebook_runs_in_notebook7(nb7, page, name, clean_kernels, record_latency):
    assert (SERIES / name).exists(), f"notebooks/{name} is missing"
    jupyter.open_notebook(page, nb7, f"notebooks/{name}")
    jupyter.run_all(page, timeout=180_000)
    jupyter.wait_math_typeset(page)
    assert jupyter.problems(page) == []
    jupyter.wait_widgets_rendered(page)
    found = students.all_widgets(page)
    assert any(w.root_class == "cnnlearn-explorer" for w in found), f"no ContributionExplorer in {name}"
    for w in found:
        students.drive(w)
    explorer = next(w for w in found if w.root_class == "cnnlearn-explorer")
    if (explorer.shape("x"), explorer.shape("f"), explorer.shape("y")) == ((3, 3), (2, 2), (2, 2)):
        record_latency(f"ContributionExplorer in Notebook 7 ({name})", students.click_to_highlight_ms(explorer))


def test_pixel_widgets_in_notebook7(nb7, page, clean_kernels, record_latency):
    """Notebook 09 in Notebook 7, which takes arrow keys before a widget sees them: the eps slider and the
    drawing pad must still answer the keyboard (and the mouse) as in JupyterLab."""
    jupyter.open_notebook(page, nb7, f"notebooks/{students.NOTEBOOK_09}")
    jupyter.run_all(page, timeout=180_000)
    assert jupyter.problems(page) == []
    students.drive_notebook_09(page, nb7, record_latency, "Notebook 7")
