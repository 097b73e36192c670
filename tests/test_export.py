"""The offline HTML edition (cnnlearn.classroom.export) without a browser: the command line, the pages' scripts,
the vendored files and their versions. tests/browser/test_offline.py opens the pages in Chromium;
tests/test_packaging.py checks that the wheel carries the vendored files."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from browser.tiny import tiny_notebook
from cnnlearn.classroom import export

ROOT = Path(__file__).resolve().parents[1]


# --- without a browser -----------------------------------------------------------------------------

def test_render_refuses_widgets_without_state():
    nb = tiny_notebook()
    nb.cells[2].outputs = [nbformat.v4.new_output(
        "execute_result", data={export.WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
                                "text/plain": "VBox()"}, execution_count=1)]
    with pytest.raises(ValueError, match="carries no widget state"):
        export.render(nb)


def test_links_between_notebooks_point_at_their_pages():
    body = ('<a href="01_forward_pass.ipynb">01</a> <a href="00_start_here.ipynb#1.-The-map">map</a> '
            '<a href="https://example.org/x.ipynb">elsewhere</a> <a href="/abs/y.ipynb">root</a>')
    assert export.page_links(body) == (
        '<a href="01_forward_pass.html">01</a> <a href="00_start_here.html#1.-The-map">map'
        '</a> <a href="https://example.org/x.ipynb">elsewhere</a> <a href="/abs/y.ipynb">root</a>')
    next_link = nbformat.v4.new_markdown_cell("**Next:** [02](02_softmax_cross_entropy.ipynb)")
    nb = nbformat.v4.new_notebook(cells=[next_link])
    page = export.render(nb, "links")
    assert 'href="02_softmax_cross_entropy.html"' in page and "02_softmax_cross_entropy.ipynb" not in page


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    nbformat.write(tiny_notebook(), src / "01_tiny.ipynb")
    out = tmp_path_factory.mktemp("site")
    # in this process, like tests/browser's series_site; the command line itself is run by
    # test_no_execute_needs_saved_state and by tests/browser/conftest.py's tiny_site
    export.export(out, src, log=lambda line: None)
    return out


@pytest.mark.integration
def test_export_writes_pages_and_assets(tiny_site):
    page = (tiny_site / "01_tiny.html").read_text()
    assert page.index('src="static/requirejs/require.js"') < page.index('src="static/html-manager/embed-amd.js"')
    assert 'require.config({paths: {anywidget: "static/anywidget/index"}})' in page
    assert 'data-jupyter-widgets-cdn="./no-cdn/"' in page
    assert 'src="static/mathjax/MathJax.js?config=TeX-AMS_SVG-full"' in page
    assert "application/vnd.jupyter.widget-state+json" in page
    assert '"model_module": "anywidget"' in page and "_esm" in page  # the grid's JavaScript travels in the state
    assert export._REMOTE.search(page) is None
    assert "embed.js" not in page.replace("embed-amd.js", "")
    for asset in ("requirejs/require.js", "html-manager/embed-amd.js", "html-manager/LICENSE",
                  "anywidget/index.js", "anywidget/LICENSE", "anywidget/package.json",
                  "mathjax/MathJax.js", "mathjax/LICENSE",
                  "mathjax/config/TeX-AMS_SVG-full.js", "mathjax/jax/output/SVG/fonts/TeX/fontdata.js"):
        assert (tiny_site / "static" / asset).is_file(), asset
    fonts = sorted(p.name for p in (tiny_site / "static" / "html-manager").glob("*.woff2"))
    assert len(fonts) == 3
    for folder in export.FONT_DIRS:  # where embed-amd.js looks for the Play icons
        assert sorted(p.name for p in (tiny_site / folder).glob("*.woff2")) == fonts, folder
    assert not (tiny_site / "static" / "templates").exists()
    assert not (tiny_site / "static" / "VENDORED.md").exists()
    index = (tiny_site / "index.html").read_text()
    assert '<a href="01_tiny.html">Tiny widgets</a>' in index
    assert "frozen" not in index and export.INDEX_TEXT in index
    assert '<html lang="en">' in index and "<main>" in index


def test_package_carries_one_widget_renderer():
    """The AMD build replaced the standalone embed.js: the package does not carry both."""
    static = Path(str(export.static_files()))
    assert (static / "html-manager" / "embed-amd.js").is_file()
    assert not (static / "html-manager" / "embed.js").exists()
    vendored = (static / "VENDORED.md").read_text()
    for name, version in (("requirejs", "2.3.8"), ("@jupyter-widgets/html-manager", "1.0.15"),
                          ("anywidget", export.vendored_anywidget_version())):
        assert f"`{name}` | {version}" in vendored, name


def test_anywidget_versions_must_match():
    import anywidget

    vendored = export.vendored_anywidget_version()
    assert vendored == "0.11.0"
    assert export.check_anywidget_version() == vendored  # the installed Python package matches
    assert anywidget.__version__ == vendored
    with pytest.raises(RuntimeError, match=r"anywidget is version 0\.10\.2, but the offline edition vendors "
                                           r"anywidget's front end 0\.11\.0.*install anywidget==0\.11\.0"):
        export.check_anywidget_version("0.10.2")
    with pytest.raises(RuntimeError, match="0.11.1"):
        export.check_anywidget_version("0.11.1")


def test_render_refuses_state_of_another_anywidget():
    nb = tiny_notebook(anywidget=False)
    nb.metadata["widgets"] = {export.WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {
        "m1": {"model_module": "anywidget", "model_module_version": "~0.9.*", "model_name": "AnyModel",
               "state": {}}}}}
    with pytest.raises(ValueError, match=r"asks for anywidget ~0\.9\.\*, but the offline edition vendors"):
        export.render(nb)


@pytest.mark.integration
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
