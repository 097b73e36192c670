"""The browser harness itself: it runs a notebook, sees a traceback when there is one, drives a widget.

These use small notebooks written here, so a broken harness shows up even before any series notebook exists.
"""

import re

import nbformat
import pytest

from . import jupyter, students

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


# An impostor of ContributionExplorer: the same CSS contract, but a click on any input pixel
# highlights output pixel (0, 0) and filter entry (0, 0) only. The explorer check must catch it.
IMPOSTOR_CELL = """\
import ipywidgets as widgets
def grid(name, H, W):
    cells = {(r, c): widgets.Button(description="0", layout=widgets.Layout(width="45px"), _dom_classes=["cnnlearn-cell", f"cnnlearn-{name}-{r}-{c}"])
             for r in range(H) for c in range(W)}
    return cells, widgets.GridBox(list(cells.values()), layout=widgets.Layout(grid_template_columns=f"repeat({W}, 50px)"))
g = {name: grid(name, *shape) for name, shape in
     dict(x=(3, 3), f=(2, 2), y=(2, 2), dx=(3, 3), dy=(2, 2)).items()}
def clicked(r, c):
    for name, (cells, _) in g.items():
        for rc, b in cells.items():
            on = (name in ("x", "dx") and rc == (r, c)) or (name in ("y", "dy", "f") and rc == (0, 0))
            (b.add_class if on else b.remove_class)("cnnlearn-hl")
            (b.add_class if on and name == "x" else b.remove_class)("cnnlearn-sel")
for (r, c), b in g["x"][0].items():
    b.on_click(lambda _, r=r, c=c: clicked(r, c))
impostor = widgets.VBox([box for _, box in g.values()])
impostor.add_class("cnnlearn-explorer")
impostor"""


@pytest.fixture(scope="module")
def harness_notebooks(served_root):
    d = served_root / "harness"
    write_notebook(d / "fine.ipynb", ["x = 6 * 7\nprint(x)", "", WIDGET_CELL, "assert x == 42"])
    write_notebook(d / "broken.ipynb", ["x = 1", "1 / 0", "print('never')", IMPOSTOR_CELL])
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


def test_explorer_check_catches_wrong_highlights(lab, page, harness_notebooks, clean_kernels):
    jupyter.open_notebook(page, lab, harness_notebooks[1], workspace="harness-impostor")
    page.locator(f"{jupyter.PANEL} .jp-CodeCell").last.click()
    page.keyboard.press("Shift+Enter")
    jupyter.wait_widgets_rendered(page)
    page.wait_for_selector(f"{jupyter.PANEL} .cnnlearn-explorer .cnnlearn-x-2-2")
    w = students.Widget(page, "cnnlearn-explorer")
    students.check_explorer(w, pixels=[(0, 0)], timeout=3, click_outputs=False)  # x_11 feeds y_11 only: right by chance
    with pytest.raises(AssertionError, match="contributions gives that for no geometry"):
        students.check_explorer(w, pixels=[(1, 1)], timeout=3, click_outputs=False)


def test_fine_notebook_in_notebook7(nb7, page, harness_notebooks, clean_kernels):
    jupyter.open_notebook(page, nb7, harness_notebooks[0])
    jupyter.run_all(page)
    assert jupyter.problems(page) == []
    jupyter.wait_widgets_rendered(page)
    root = page.locator(f"{jupyter.PANEL} .harness-root")
    root.locator(".harness-cell").click()
    page.wait_for_function("() => document.querySelector('.harness-cell').classList.contains('harness-hl')")
    jupyter.set_slider(root.locator(".widget-slider").first, 7)
    page.wait_for_function("() => /k is 7/.test(document.querySelector('.harness-root').innerText)")
