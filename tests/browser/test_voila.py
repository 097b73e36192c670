"""Notebook 04 as a Voila app: the page a class sees when a teacher shares the notebook as an app.

Voila 0.5 loads MathJax from a CDN (its ``mathjax_url``), which these offline tests cannot reach, so
here the equations are not required to be typeset; JupyterLab and Notebook 7 bundle MathJax, and
their tests require it.
"""

import os
from pathlib import Path

import pytest

from . import jupyter, latency, offline, students

pytestmark = pytest.mark.browser

NOTEBOOK_04 = "04_input_gradient.ipynb"
SERIES = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(scope="module")
def voila_lab(lab):
    """The JupyterLab server, whose voila extension serves /voila/render/."""
    try:
        import voila  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CNNLEARN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CNNLEARN_REQUIRE_BROWSER=1 but voila cannot be imported ({exc}); "
                        "install the test extra: pip install -e '.[test]'", pytrace=False)
        pytest.skip("voila not installed: skipping the Voila test (CI sets CNNLEARN_REQUIRE_BROWSER=1)")
    return lab


def test_notebook_04_as_a_voila_app(voila_lab, page, clean_kernels, record_latency, record_hover_latency):
    assert (SERIES / NOTEBOOK_04).exists(), f"notebooks/{NOTEBOOK_04} is missing"
    jupyter.open_voila(page, voila_lab, f"notebooks/{NOTEBOOK_04}", jupyter.widget_views(SERIES / NOTEBOOK_04))
    assert jupyter.voila_problems(page) == []
    found = students.all_widgets(page, scope="body")
    assert any(w.root_class == "cnnlearn-explorer" for w in found), f"no ContributionExplorer in {NOTEBOOK_04}"
    students.answer_questions(page, scope="body")  # predict first, then the widgets answer hover and clicks
    grid = offline.Grid(page, "body .cnnlearn-explorer", "x")  # browser-side: hover, click, keys
    record_hover_latency(f"cnnlearn-explorer, grid x, Voila ({NOTEBOOK_04})",
                         latency.hover_to_highlight_ms(page, grid.root, grid.cell(0, 0)))
    for w in found:
        students.drive(w, equations=False)
    offline.drive_grid(page, grid)
    assert jupyter.voila_problems(page) == []
    explorer = next(w for w in found if w.root_class == "cnnlearn-explorer")
    if (explorer.shape("x"), explorer.shape("f"), explorer.shape("y")) == ((3, 3), (2, 2), (2, 2)):
        record_latency(f"ContributionExplorer in Voila ({NOTEBOOK_04})", students.click_to_highlight_ms(explorer))
