"""Notebook 7 (``jupyter notebook``): every notebook with widgets runs once, axe-core finds no violation in its
widgets (axe.py), and notebooks 01, 04 and 09 are driven the way a student there uses them.

Notebook 7 swallows the arrow keys on sliders (ipywidgets#3926), so sliders are moved by typing into
their readout or clicking their track, as everywhere in these tests.
"""

from pathlib import Path

import pytest

from . import axe, jupyter, students
from .test_notebooks import FRONT_END_GRIDS, check_front_end_grid

pytestmark = pytest.mark.browser

NOTEBOOK_04 = "04_input_gradient.ipynb"
SERIES = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.mark.parametrize("name", list(axe.NOTEBOOKS_WITH_WIDGETS))
def test_notebook_in_notebook7(nb7, page, name, axe_script, clean_kernels, record_latency, record_hover_latency):
    assert (SERIES / name).exists(), f"notebooks/{name} is missing"
    jupyter.open_notebook(page, nb7, f"notebooks/{name}")
    jupyter.run_all(page)
    jupyter.wait_math_typeset(page)
    assert jupyter.problems(page) == []
    axe.check_notebook_widgets(page, name, axe_script, "Notebook 7")
    axe.answer_questions(page, axe_script, f"Notebook 7, {name}")
    if name in FRONT_END_GRIDS:
        check_front_end_grid(page, name, "Notebook 7", record_hover_latency)
    if name == NOTEBOOK_04:
        found = students.all_widgets(page)
        assert any(w.root_class == "cnnlearn-explorer" for w in found), f"no ContributionExplorer in {name}"
        for w in found:
            students.drive(w)
        explorer = next(w for w in found if w.root_class == "cnnlearn-explorer")
        if (explorer.shape("x"), explorer.shape("f"), explorer.shape("y")) == ((3, 3), (2, 2), (2, 2)):
            record_latency(f"ContributionExplorer in Notebook 7 ({name})", students.click_to_highlight_ms(explorer))
    elif name == students.NOTEBOOK_09:
        # Notebook 7 takes arrow keys before a widget sees them: the eps slider and the drawing pad must still
        # answer the keyboard (and the mouse) as in JupyterLab
        students.drive_notebook_09(page, nb7, record_latency, "Notebook 7")
