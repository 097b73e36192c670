"""Every notebook of the series in JupyterLab 4: Run All, no traceback, every cell ran, every widget
shows as a widget, and every cnnlearn widget answers clicks, sliders and play as a student would see it."""

from pathlib import Path

import pytest

from . import jupyter, pixels, students

NOTEBOOKS = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Notebooks 07 and 08 train a CNN; the others run in seconds. The margins are for a busy CI machine.
RUN_TIMEOUT_MS = {"07_train_a_cnn.ipynb": 600_000, "08_same_net_in_pytorch.ipynb": 600_000}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(lab, page, name, clean_kernels, record_latency):
    jupyter.open_notebook(page, lab, f"notebooks/{name}", workspace=f"nb-{name[:2]}")
    jupyter.run_all(page, timeout=RUN_TIMEOUT_MS.get(name, 180_000))
    jupyter.wait_math_typeset(page)
    assert jupyter.problems(page) == []
    jupyter.wait_widgets_rendered(page)
    assert jupyter.problems(page) == []
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
