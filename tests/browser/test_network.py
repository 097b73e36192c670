"""NetworkExplorer in a real browser: JupyterLab 4 (with its kernel: other class scores and the DrawingPad's
drawing are computed when asked for), Notebook 7 (the keyboard) and the offline edition (no kernel, the network
refused). In each, units of every column are hovered in both views, and the page's highlights, captions and
texts are held to a NetworkExplorer built here on the same network and images; hover-to-paint is measured in
the page and printed at the end of the run; axe-core checks the widget.
"""

import nbformat
import numpy as np
import pytest

from cnnlearn import datasets
from cnnlearn.classroom.export import export
from cnnlearn.notation import cell_text
from cnnlearn.widgets.network import NetworkExplorer

from . import axe, jupyter, latency, network, offline, pixels, students
from .conftest import ARTIFACTS
from .network import Explorer, check_keyboard, check_traces, expected_frame

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def net(served_root):
    return network.harness(served_root / "harness")


@pytest.fixture(scope="module")
def expected(net):
    _, _, x_test, y_test = datasets.load_digits()
    return NetworkExplorer(net, x_test[:3], y_test[:3])


@pytest.fixture(scope="module")
def lab_page(browser, lab, net):
    pg = jupyter.notebook_page(browser, lab, "harness/network.ipynb", workspace="network-explorer")
    yield pg
    pg.context.close()
    lab.shutdown_kernels()


@pytest.fixture(autouse=True)
def _artifacts(request):
    yield
    for name in ("lab_page", "nb7_page"):
        if name in request.fixturenames:
            jupyter.save_artifacts(request.getfixturevalue(name), request.node, ARTIFACTS)


# --------------------------------------------------------------------------- JupyterLab 4

def test_lab_hover_every_column_both_views(lab_page, expected):
    assert jupyter.problems(lab_page) == []
    w = Explorer(lab_page, jupyter.PANEL)
    assert check_traces(w, expected) == 34  # 17 units in each view
    assert check_traces(w, expected, views=("backward",), target="predicted", input=2) == 17


def test_lab_hover_to_paint_latency(lab_page, record_hover_latency):
    w = Explorer(lab_page, jupyter.PANEL)
    for view, key, unit in (("forward", "a4", (21, 1, 2)), ("backward", "a3", (15, 2, 1)),
                            ("forward", "a7", (6, 0, 0))):
        w.show(view=view, target="loss" if view == "backward" else None, input=0)
        record_hover_latency(f"NetworkExplorer, {view} view, a unit of {key}, JupyterLab 4",
                             latency.hover_to_highlight_ms(lab_page, w.root, w.unit(key, unit)))


def test_lab_another_score_is_asked_of_python(lab_page, expected):
    """A score of image 2 that was not computed beforehand: the page asks, the kernel answers, the page draws it."""
    network.check_asked(Explorer(lab_page, jupyter.PANEL), expected)


def test_lab_the_pads_drawing_is_followed(lab_page, net):
    """A stroke on the DrawingPad reaches Python; the explorer's input 'your drawing' is then that drawing."""
    pad = students.Widget(lab_page, "cnnlearn-drawpad")
    w = Explorer(lab_page, jupyter.PANEL)
    pad.root.scroll_into_view_if_needed()
    pad.root.locator(".cnnlearn-clear").click()
    pixels.stroke(pad, [(1, 3), (6, 3)])
    pixels.wait_answered(pad)
    drawing = pixels.pad_image(pad)
    assert drawing[1:7, 3].tolist() == [1.0] * 6 and drawing.sum() == 6
    twin = NetworkExplorer(net, drawing[None, None], [0])  # the drawing as the only image of a twin
    w.show(view="forward")
    lab_page.wait_for_function(
        """([r, k]) => [...r.querySelectorAll('.cnnlearn-input-select option')].some(o => o.value === 'pad'
            && o.textContent.includes('read as ' + k))""",
        arg=[w.root.element_handle(), twin.inputs[0]["predicted"]], timeout=jupyter.PATIENCE_MS)
    w.show(input="pad")
    lab_page.wait_for_function("r => r.dataset.frame === 'pad:forward'", arg=w.root.element_handle(),
                               timeout=jupyter.PATIENCE_MS)
    for key in ("a0", "a3", "a7"):
        values = twin.values(key)
        assert w.texts(key) == {u: cell_text(values[u]) for u in np.ndindex(values.shape)}, key


def _answer_and_axe(page, scope, axe_script, where):
    """The second explorer asks which pixels a3[5,2,3] reads: answer it wrong by mouse, then right by keyboard
    (network.check_quiz); axe then finds nothing on it, marks and explanation shown."""
    w = Explorer(page, scope, n=1)
    answer = network.check_quiz(w)
    assert len(answer) == 16
    w.root.evaluate("r => r.setAttribute('data-cnnlearn-axe', 'network-quiz')")
    failure = axe.report(f"{where}, NetworkExplorer answered", axe.run_axe(page, axe_script,
                                                                          ['[data-cnnlearn-axe="network-quiz"]']))
    assert not failure, failure


def test_lab_predict_first(lab_page, axe_script):
    _answer_and_axe(lab_page, jupyter.PANEL, axe_script, "JupyterLab 4")


def test_lab_axe(lab_page, axe_script):
    Explorer(lab_page, jupyter.PANEL)
    result = axe.run_axe(lab_page, axe_script, [f"{jupyter.PANEL} .cnnlearn-network"])
    failure = axe.report("JupyterLab 4, NetworkExplorer", result)
    assert not failure, failure


# --------------------------------------------------------------------------- Notebook 7

@pytest.fixture(scope="module")
def nb7_page(browser, nb7, net):
    pg = jupyter.notebook_page(browser, nb7, "harness/network.ipynb")
    yield pg
    pg.context.close()
    nb7.shutdown_kernels()


def test_notebook7_keyboard_and_hover(nb7_page, expected, axe_script, record_hover_latency):
    """Notebook 7 takes arrow keys before widgets see them: the explorer listens on window and still moves."""
    assert jupyter.problems(nb7_page) == []
    w = Explorer(nb7_page, jupyter.PANEL)
    check_keyboard(w, expected)
    assert check_traces(w, expected, views=("backward",)) == 17
    record_hover_latency("NetworkExplorer, forward view, a unit of a4, Notebook 7",
                         latency.hover_to_highlight_ms(nb7_page, w.root, w.unit("a4", (21, 1, 2))))
    failure = axe.report("Notebook 7, NetworkExplorer",
                         axe.run_axe(nb7_page, axe_script, [f"{jupyter.PANEL} .cnnlearn-network"]))
    assert not failure, failure


# --------------------------------------------------------------------------- the offline edition

@pytest.fixture(scope="module")
def offline_site(net, served_root, tmp_path_factory):
    """The offline edition of a notebook showing the explorer, exported (run afresh) beside the network's file."""
    src = tmp_path_factory.mktemp("network-src")
    (src / network.NET_FILE).write_bytes((served_root / "harness" / network.NET_FILE).read_bytes())
    nbformat.write(network.notebook([network.SETUP, network.EXPLORER, network.QUIZ]), src / "01_network.ipynb")
    out = tmp_path_factory.mktemp("network-site")
    export(out, [src / "01_network.ipynb"], log=lambda line: None)
    return out / "01_network.html"


def test_offline_hover_every_column_and_no_kernel(offline_site, browser, expected, axe_script,
                                                  record_hover_latency):
    page, refused, failed, errors = offline.open_page(browser, offline_site)
    try:
        w = Explorer(page)
        failures = axe.offline_violations(page, offline_site.name, axe_script)
        assert not failures, "axe found violations:\n" + "\n".join(failures)
        assert check_traces(w, expected) == 34
        assert check_traces(w, expected, views=("backward",), target="predicted", input=1) == 17
        for view, key, unit in (("forward", "a4", (21, 1, 2)), ("backward", "a3", (15, 2, 1))):
            w.show(view=view, target="loss" if view == "backward" else None, input=0)
            record_hover_latency(f"NetworkExplorer, {view} view, a unit of {key}, offline page (file://)",
                                 latency.hover_to_highlight_ms(page, w.root, w.unit(key, unit)))
        check_keyboard(w, expected)
        # a score that was not computed beforehand needs Python: the page says so
        k = next(k for k in range(10) if str(k) != expected.inputs[0]["predicted"])
        w.show(view="backward", input=0, target=k)
        status = w.root.locator(".cnnlearn-network-status")
        page.wait_for_function("s => s.textContent.startsWith('No answer from Python')", arg=status.element_handle(),
                               timeout=jupyter.PATIENCE_MS)
        w.show(target="loss")
        expected.show(input=0, view="backward", target="loss")
        assert w.frame() == expected_frame(expected) and status.inner_text() == ""
        assert refused == [] and failed == [] and errors == [], (refused, failed, errors)
    finally:
        page.context.close()


def test_offline_predict_first(offline_site, browser, axe_script):
    """The question works with no kernel: guesses, Check, marks and the reveal all happen in the page."""
    page, refused, failed, errors = offline.open_page(browser, offline_site)
    try:
        _answer_and_axe(page, "body", axe_script, "offline page")
        assert refused == [] and failed == [] and errors == [], (refused, failed, errors)
    finally:
        page.context.close()
