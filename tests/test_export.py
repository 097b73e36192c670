"""The offline HTML edition (cnnlearn.export): pages whose widgets and equations render in Chromium
with every network request refused."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from cnnlearn import export

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def tiny_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny widgets\nInline $y_{11} = x_{11} f_{11}$, and on its own line:\n\n"
                                      "$$\\frac{\\partial L}{\\partial x_{22}} = dy_{11} f_{22}$$"),
        nbformat.v4.new_code_cell("import ipywidgets as W\nimport cnnlearn\nfrom IPython.display import Math, display\n"
                                  "display(Math(cnnlearn.input_gradient_equation(1, 1, (3, 3), (2, 2))))"),
        nbformat.v4.new_code_cell("s = W.IntSlider(value=3, max=10, description='step')\n"
                                  "b = W.Button(description='x11')\nb.add_class('cnnlearn-x-0-0')\n"
                                  "box = W.VBox([s, W.Play(max=10), b, W.HTMLMath(value=r'$y_{11} = 5$')])\n"
                                  "box.add_class('cnnlearn-explorer')\nbox"),
        # a later cell drives the widget: the page keeps showing its first state (value 3)
        nbformat.v4.new_code_cell("s.value = 7\nb.add_class('cnnlearn-hl');"),
        nbformat.v4.new_code_cell("import matplotlib\nmatplotlib.use('module://matplotlib_inline.backend_inline')\n"
                                  "import matplotlib.pyplot as plt\no = W.Output()\nwith o:\n"
                                  "    plt.plot([1, 2, 3]); plt.show()\no"),
    ]
    return nb


# --- without a browser -----------------------------------------------------------------------------

def test_render_refuses_widgets_without_state():
    nb = tiny_notebook()
    nb.cells[2].outputs = [nbformat.v4.new_output(
        "execute_result", data={export.WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
                                "text/plain": "VBox()"}, execution_count=1)]
    with pytest.raises(ValueError, match="carries no widget state"):
        export.render(nb)


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    nbformat.write(tiny_notebook(), src / "01_tiny.ipynb")
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "cnnlearn.export", str(out), "--notebooks", str(src)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def test_export_writes_pages_and_assets(tiny_site):
    page = (tiny_site / "01_tiny.html").read_text()
    assert 'src="static/html-manager/embed.js"' in page
    assert 'src="static/mathjax/MathJax.js?config=TeX-AMS_SVG-full"' in page
    assert "application/vnd.jupyter.widget-state+json" in page
    assert export._REMOTE.search(page) is None
    for asset in ("html-manager/embed.js", "html-manager/LICENSE", "mathjax/MathJax.js", "mathjax/LICENSE",
                  "mathjax/config/TeX-AMS_SVG-full.js", "mathjax/jax/output/SVG/fonts/TeX/fontdata.js"):
        assert (tiny_site / "static" / asset).is_file(), asset
    assert not (tiny_site / "static" / "templates").exists()
    index = (tiny_site / "index.html").read_text()
    assert '<a href="01_tiny.html">Tiny widgets</a>' in index


def test_no_execute_needs_saved_state(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    nb = tiny_notebook()
    nbformat.write(nb, src / "01_tiny.ipynb")  # never executed: no outputs, so nothing to show but code
    proc = subprocess.run([sys.executable, "-m", "cnnlearn.export", str(tmp_path / "out"), "--notebooks",
                           str(src), "--no-execute"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "widget-view+json" not in (tmp_path / "out" / "01_tiny.html").read_text()
    proc = subprocess.run([sys.executable, "-m", "cnnlearn.export", str(tmp_path / "out2"), "--notebooks",
                           str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert proc.returncode == 2 and "notebooks must be a folder" in proc.stderr


def test_the_wheel_carries_the_vendored_files(tmp_path):
    src = tmp_path / "src"  # build from a copy: a wheel build leaves build/ behind in its source folder
    shutil.copytree(ROOT / "cnnlearn", src / "cnnlearn", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path), str(src)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = zipfile.ZipFile(next(tmp_path.glob("cnnlearn-*.whl"))).namelist()
    for asset in ("cnnlearn/static/html-manager/embed.js", "cnnlearn/static/mathjax/MathJax.js",
                  "cnnlearn/static/templates/cnnlearn_offline/index.html.j2",
                  "cnnlearn/static/templates/cnnlearn_offline/conf.json"):
        assert asset in names, asset


# --- in Chromium, with no network ------------------------------------------------------------------

CHECK_PAGE = """() => {
    const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
    // html-manager puts a div.widget-subarea holding the widget's DOM into the view's output element
    const rendered = views.filter(s => s.parentElement.querySelector(':scope > .widget-subarea .jupyter-widgets'));
    return {
        views: views.length,
        rendered: rendered.length,
        // the text stand-in a notebook shows when widgets do not render (prose may quote it: not counted)
        loading: views.some(s => /Loading widget|VBox\\(|Box\\(children/.test(s.parentElement.innerText)),
        mathjax: document.querySelectorAll('.MathJax_SVG, .MathJax_SVG_Display').length,
        mathErrors: document.querySelectorAll('.MathJax_Error, .merror, [data-mjx-error]').length,
        rawTex: [...document.querySelectorAll('.jp-RenderedLatex, .jp-RenderedMarkdown')]
                    .filter(e => /\\$\\$|\\\\frac/.test(e.innerText)).length,
    };
}"""


def offline_page(browser):
    """A new page of the shared browser in its own context, with every non-file request aborted.

    Returns (page, refused URLs)."""
    refused = []
    page = browser.new_context().new_page()

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return page, refused


def open_offline(browser, page_path, screenshot=None):
    """Open ``page_path`` from disk in headless Chromium with every non-file request aborted.

    Returns (facts from CHECK_PAGE, refused URLs, failed requests, page errors, the page's text).
    """
    failed, errors = [], []
    page, refused = offline_page(browser)
    try:
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_path.resolve().as_uri(), wait_until="load")
        # done when every widget view has its DOM, then when MathJax has worked through its queue
        page.wait_for_function("""() => [...document.querySelectorAll(
            'script[type="application/vnd.jupyter.widget-view+json"]')].every(
            s => s.parentElement.querySelector(':scope > .widget-subarea .jupyter-widgets'))""",
                               timeout=60000)
        assert page.evaluate("() => typeof MathJax !== 'undefined' && !!MathJax.Hub"), "MathJax did not load"
        page.evaluate("() => new Promise(done => MathJax.Hub.Queue(() => done(true)))")
        page.wait_for_timeout(300)
        facts = page.evaluate(CHECK_PAGE)
        if screenshot:
            page.screenshot(path=str(screenshot), full_page=True)
        text = page.inner_text("body")
    finally:
        page.context.close()
    return facts, refused, failed, errors, text


def test_tiny_page_offline(tiny_site, browser):
    facts, refused, failed, errors, text = open_offline(browser, tiny_site / "01_tiny.html",
                                                        tiny_site / "01_tiny.png")
    assert refused == [] and failed == [] and errors == []
    assert facts["views"] == 2 and facts["rendered"] == 2 and not facts["loading"], facts
    # two in the markdown, one displayed equation, one inside the HTMLMath widget
    assert facts["mathjax"] >= 4 and facts["mathErrors"] == 0 and facts["rawTex"] == 0, facts
    assert "\\frac" not in text and "$$" not in text


def test_tiny_page_widgets_carry_their_state(tiny_site, browser):
    """The widget DOM is the saved first state: classes, slider value (3, not the 7 a later cell set),
    the matplotlib image in the Output."""
    page, _ = offline_page(browser)
    try:
        page.goto((tiny_site / "01_tiny.html").as_uri())
        page.wait_for_selector(".cnnlearn-explorer .cnnlearn-x-0-0", timeout=30000)
        assert page.inner_text(".cnnlearn-explorer .widget-readout").strip() == "3"
        assert page.locator(".cnnlearn-x-0-0.cnnlearn-hl").count() == 0
        assert page.locator(".cnnlearn-explorer .widget-play button").count() >= 2
        page.wait_for_selector(".widget-output img", timeout=30000)
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def series_site(tmp_path_factory):
    assert NOTEBOOKS, "no notebooks in notebooks/"
    out = tmp_path_factory.mktemp("series")
    export.export(out, NOTEBOOKS)
    return out


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_series_page_offline(notebook, series_site, browser):
    page = series_site / f"{notebook.stem}.html"
    facts, refused, failed, errors, text = open_offline(browser, page, series_site / f"{notebook.stem}.png")
    assert refused == [] and failed == [] and errors == [], (refused, failed, errors)
    assert facts["rendered"] == facts["views"] and not facts["loading"], facts
    assert facts["mathErrors"] == 0 and facts["rawTex"] == 0, facts
    nb = nbformat.read(notebook, as_version=4)
    has_math = any("$" in c.source for c in nb.cells if c.cell_type == "markdown") or any(
        "text/latex" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    if has_math:
        assert facts["mathjax"] > 0, facts
    if notebook.name.startswith("04_"):
        assert facts["views"] > 0
        assert _has(browser, page, ".cnnlearn-explorer .cnnlearn-x-1-1"), "no contribution explorer on the page"


def _has(browser, page_path, selector):
    page, _ = offline_page(browser)
    try:
        page.goto(page_path.as_uri())
        page.wait_for_selector(selector, timeout=30000)
        return True
    except Exception:
        return False
    finally:
        page.context.close()
