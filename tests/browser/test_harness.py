"""The browser harness itself: it runs a notebook, sees a traceback when there is one, drives a widget.

These use small notebooks written here, so a broken harness shows up even before any series notebook exists.
"""

import re

import nbformat
import pytest

from . import jupyter

WIDGET_CELL = """\
import ipywidgets as widgets
slider = widgets.IntSlider(value=0, min=0, max=10, description="k")
button = widgets.Button(description="cell")
button.add_class("harness-cell")
def on_click(_):
    button.add_class("harness-hl") if "harness-hl" not in button._dom_classes else button.remove_class("harness-hl")
button.on_click(on_click)
label = widgets.Label()
widgets.jslink((slider, "value"), (widgets.Play(max=10), "value"))
slider.observe(lambda ch: setattr(label, "value", f"k is {ch['new']}"), "value")
box = widgets.VBox([slider, button, label])
box.add_class("harness-root")
box"""


def write_notebook(path, sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Harness")] + [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def harness_notebooks(served_root):
    d = served_root / "harness"
    write_notebook(d / "fine.ipynb", ["x = 6 * 7\nprint(x)", "", WIDGET_CELL, "assert x == 42"])
    write_notebook(d / "broken.ipynb", ["x = 1", "1 / 0", "print('never')"])
    return "harness/fine.ipynb", "harness/broken.ipynb"


def test_fine_notebook_runs_and_its_widget_responds(lab, page, harness_notebooks, clean_kernels):
    jupyter.open_notebook(page, lab, harness_notebooks[0], workspace="harness-fine")
    jupyter.run_all(page)
    assert jupyter.problems(page) == []
    jupyter.wait_widgets_rendered(page)
    assert jupyter.widget_outputs(page) == 1
    root = page.locator(f"{jupyter.PANEL} .harness-root")
    cell = root.locator(".harness-cell")
    cell.click()
    page.wait_for_function("() => document.querySelector('.harness-cell').classList.contains('harness-hl')")
    jupyter.set_slider(root.locator(".widget-slider").first, 7)
    page.wait_for_function("() => /k is 7/.test(document.querySelector('.harness-root').innerText)")


def test_broken_notebook_is_reported(lab, page, harness_notebooks, clean_kernels):
    jupyter.open_notebook(page, lab, harness_notebooks[1], workspace="harness-broken")
    jupyter.run_all(page)
    found = jupyter.problems(page)
    assert any("ZeroDivisionError" in p for p in found), found
    assert any(re.search(r"print\('never'\).*did not run", p) for p in found), found
