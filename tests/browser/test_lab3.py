"""JupyterLab 3 with ipywidgets 7.7 (the Colab-like stack), in a real browser: notebooks 01 and 04 run and
their grids answer hover, click and keys, notebook 09's eps slider and drawing pad answer the mouse and the
keyboard; the tiny grid (tiny.py) checks the stack itself.

The test builds a virtual environment (a few minutes, once per session) with ``jupyterlab==3.6.8
ipywidgets==7.7.5 anywidget==0.11.0`` and cnnlearn's other runtime dependencies, then installs cnnlearn
into it (its own requirements ask for no JupyterLab, so that one stays 3.6).
"""

import subprocess
from pathlib import Path

import nbformat
import pytest

from cnnlearn import datasets
from cnnlearn.widgets import NetworkExplorer
from helpers import make_venv

from . import jupyter, latency, network, offline, students, tiny

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_04 = "04_input_gradient.ipynb"
LAB3 = ["jupyterlab==3.6.8", "ipywidgets==7.7.5", "anywidget==0.11.0", "numpy>=1.23", "matplotlib>=3.6", "ipykernel"]


@pytest.fixture(scope="session")
def lab3(chromium, served_root, tmp_path_factory):
    """A JupyterLab 3.6 server (ipywidgets 7.7.5) from a venv of its own, on the stripped notebooks."""
    base = tmp_path_factory.mktemp("lab3")
    venv, env = make_venv(base, LAB3)
    python = venv / "bin" / "python"
    proc = subprocess.run([str(python), "-m", "pip", "install", "-q", str(REPO)], env=env,
                          capture_output=True, text=True, timeout=600, cwd=base)
    assert proc.returncode == 0, proc.stderr[-3000:]
    versions = subprocess.run([str(python), "-c", "import jupyterlab, ipywidgets, anywidget; print("
                               "jupyterlab.__version__, ipywidgets.__version__, anywidget.__version__)"],
                              env=env, capture_output=True, text=True, check=True).stdout.split()
    assert versions == ["3.6.8", "7.7.5", "0.11.0"], versions
    nbformat.write(tiny.tiny_notebook(), served_root / "harness" / "tiny_lab3.ipynb")
    server_env = {k: env[k] for k in ("PATH", "VIRTUAL_ENV", "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR")}
    for attempt in range(3):
        try:
            server = jupyter.JupyterServer("lab", served_root, tmp_path_factory.mktemp("jupyter-lab3"),
                                           python=python, env=server_env).start()
            break
        except jupyter.ServerExited:
            if attempt == 2:
                raise
    try:
        yield server
    finally:
        server.stop()


def _open_and_run(page, server, notebook):
    jupyter.open_notebook(page, server, notebook)
    jupyter.run_all(page)
    jupyter.wait_math_typeset(page)
    assert jupyter.problems(page) == []


def test_tiny_grid_in_jupyterlab3(lab3, page, record_hover_latency):
    _open_and_run(page, lab3, "harness/tiny_lab3.ipynb")
    grid = offline.Grid(page, f"{jupyter.PANEL} .cnnlearn-tiny", "x")
    record_hover_latency("tiny anywidget grid, JupyterLab 3.6 + ipywidgets 7.7",
                         latency.hover_to_highlight_ms(page, grid.root, grid.cell(1, 1)))
    offline.drive_grid(page, grid, tiny.lights(1, 1))
    lab3.shutdown_kernels()


@pytest.mark.parametrize("name,root,grid_name", [("01_forward_pass.ipynb", "cnnlearn-stepper", "y"),
                                                 ("04_input_gradient.ipynb", "cnnlearn-explorer", "x")],
                         ids=["01_stepper", "04_explorer"])
def test_series_grid_in_jupyterlab3(lab3, page, name, root, grid_name, record_hover_latency):
    _open_and_run(page, lab3, f"notebooks/{name}")
    students.answer_questions(page)
    grid = offline.Grid(page, f"{jupyter.PANEL} .{root}", grid_name)
    what = f"{root}, grid {grid_name}, JupyterLab 3.6 + ipywidgets 7.7 ({name})"
    for rest in ("widget", "corner"):  # the corner: what the notebook's own restyle adds (latency.py)
        record_hover_latency(latency.label(what, rest),
                             latency.hover_to_highlight_ms(page, grid.root, grid.cell(1, 1), rest=rest))
    offline.drive_grid(page, grid)
    lab3.shutdown_kernels()


def test_pixel_widgets_in_jupyterlab3(lab3, page, record_latency):
    """Notebook 09's eps slider and drawing pad on the Colab-like stack: ipywidgets 7.7 syncs the drawing to
    the kernel and the answer back, and the keyboard reaches both widgets."""
    _open_and_run(page, lab3, f"notebooks/{students.NOTEBOOK_09}")
    students.drive_notebook_09(page, lab3, record_latency, "JupyterLab 3.6 + ipywidgets 7.7")
    lab3.shutdown_kernels()


def test_network_explorer_in_jupyterlab3(lab3, page, served_root, record_hover_latency):
    """NetworkExplorer on ipywidgets 7.7: hovers in both views match the Python API, the keyboard moves, and a
    class score that was not computed beforehand comes from the kernel."""
    net = network.harness(served_root / "harness", (network.SETUP, network.EXPLORER), name="network_lab3.ipynb")
    _, _, x_test, y_test = datasets.load_digits()
    expected = NetworkExplorer(net, x_test[:3], y_test[:3])
    _open_and_run(page, lab3, "harness/network_lab3.ipynb")
    w = network.Explorer(page, jupyter.PANEL)
    assert network.check_traces(w, expected) == 34
    network.check_keyboard(w, expected)
    network.check_asked(w, expected)
    w.show(view="forward")
    record_hover_latency("NetworkExplorer, forward view, a unit of a4, JupyterLab 3.6 + ipywidgets 7.7",
                         latency.hover_to_highlight_ms(page, w.root, w.unit("a4", (21, 1, 2))))
    lab3.shutdown_kernels()
