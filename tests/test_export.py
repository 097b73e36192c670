"""The web edition (cnnlearn.classroom.export) without a browser: its book configuration, the command line, the
pages' scripts, the vendored files and their versions, the test-only cells left out. tests/browser/test_offline.py
opens the pages in Chromium; tests/test_packaging.py checks that the wheel carries the vendored files."""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from browser.tiny import tiny_notebook
from cnnlearn.classroom import export, series

ROOT = Path(__file__).resolve().parents[1]
TEST_ONLY_SOURCE = 'assert tiny.shape == [3, 3], "the cell for the test suite only"'


def tiny_with_test_only_cell():
    """The tiny notebook, with one more cell tagged test-only."""
    nb = tiny_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(TEST_ONLY_SOURCE, metadata={"tags": [series.TEST_ONLY_TAG]}))
    return nb


# --- without a browser -----------------------------------------------------------------------------

def test_widgets_without_state_are_refused():
    nb = tiny_notebook()
    nb.cells[2].outputs = [nbformat.v4.new_output(
        "execute_result", data={export.WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
                                "text/plain": "VBox()"}, execution_count=1)]
    with pytest.raises(ValueError, match="carries no widget state"):
        export.check_widget_state(nb)


def test_state_of_another_anywidget_is_refused():
    nb = tiny_notebook(anywidget=False)
    nb.metadata["widgets"] = {export.WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {
        "m1": {"model_module": "anywidget", "model_module_version": "~0.9.*", "model_name": "AnyModel",
               "state": {}}}}}
    with pytest.raises(ValueError, match=r"asks for anywidget ~0\.9\.\*, but the web edition vendors"):
        export.check_widget_state(nb)


def test_test_only_cells_are_tagged_for_removal():
    nb = tiny_with_test_only_cell()
    nb.cells[1].metadata["tags"] = ["nbval-ignore-output"]
    assert export.hide_test_only(nb) == 1
    assert nb.cells[-1].metadata["tags"] == [series.TEST_ONLY_TAG, export.REMOVE_TAG]
    assert nb.cells[1].metadata["tags"] == ["nbval-ignore-output"]  # other cells keep theirs
    assert export.hide_test_only(nb) == 1 and nb.cells[-1].metadata["tags"].count(export.REMOVE_TAG) == 1


def test_reading_order_is_the_core_path_then_the_extensions():
    stems = [p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")]
    parts = series.reading_order(sorted(stems, reverse=True) + ["99_extra"])
    assert parts == [("The core path", list(series.CORE_PATH)), ("Extensions", list(series.EXTENSIONS)),
                     ("More notebooks", ["99_extra"])]
    assert set(series.CORE_PATH) | set(series.EXTENSIONS) == set(stems), "a notebook is missing from the order"
    toc = export.toc(parts)
    assert toc["root"] == "index" and toc["parts"][0]["chapters"][0] == {"file": "00_start_here"}
    assert series.reading_order(["01_tiny"]) == [("More notebooks", ["01_tiny"])]


def test_the_book_loads_widgets_and_mathjax_from_the_vendored_copies():
    config = export.config()
    sphinx = config["sphinx"]["config"]
    scripts = list(sphinx["nb_ipywidgets_js"])
    assert scripts == ["cnnlearn/fontawesome-config.js", "cnnlearn/require-config.js", "requirejs/require.js",
                       "html-manager/embed-amd.js"]
    assert not any("//" in s for s in scripts)
    assert sphinx["nb_ipywidgets_js"]["html-manager/embed-amd.js"] == {"data-jupyter-widgets-cdn": "./no-cdn/"}
    assert sphinx["mathjax_path"].startswith("mathjax/MathJax.js") and sphinx["myst_update_mathjax"] is False
    static = Path(str(export.static_files()))
    for path in scripts[2:] + [sphinx["mathjax_path"].split("?")[0]]:
        assert (static / path).is_file(), path
    assert (Path(str(export.book_files())) / "static" / "require-config.js").is_file()
    assert "_static" not in sphinx["html_static_path"]  # Jupyter Book would add its .js files to every page
    assert "sphinx_thebe" not in sphinx["extensions"] and config["execute"]["execute_notebooks"] == "off"


def test_launch_links_point_at_the_repository():
    config = export.config(hub="https://hub.example.org")
    assert config["repository"] == {"url": f"https://github.com/{series.REPOSITORY}", "path_to_book": "notebooks",
                                    "branch": series.BRANCH}
    launch = config["launch_buttons"]
    assert launch["binderhub_url"] == "https://mybinder.org" and launch["colab_url"].startswith("https://colab")
    assert launch["jupyterhub_url"] == "https://hub.example.org" and launch["notebook_interface"] == "jupyterlab"
    # the README's placeholder is the one in cnnlearn.classroom.series
    assert f"gh/{series.REPOSITORY}/" in (ROOT / "README.md").read_text()


def test_package_carries_one_widget_renderer():
    """The AMD build replaced the standalone embed.js: the package does not carry both."""
    static = Path(str(export.static_files()))
    assert (static / "html-manager" / "embed-amd.js").is_file()
    assert not (static / "html-manager" / "embed.js").exists()
    assert not (static / "templates").exists()  # nbconvert's renderer retired with the book
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
    with pytest.raises(RuntimeError, match=r"anywidget is version 0\.10\.2, but the web edition vendors "
                                           r"anywidget's front end 0\.11\.0.*install anywidget==0\.11\.0"):
        export.check_anywidget_version("0.10.2")
    with pytest.raises(RuntimeError, match="0.11.1"):
        export.check_anywidget_version("0.11.1")


def test_build_dir_may_not_be_inside_the_site(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(tiny_notebook(), src / "01_tiny.ipynb")
    with pytest.raises(ValueError, match="must not be inside the site's folder"):
        export.export(tmp_path / "site", src, run=False, build_dir=tmp_path / "site" / "build", log=lambda line: None)


# --- a built site ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    nbformat.write(tiny_with_test_only_cell(), src / "01_tiny.ipynb")
    out = tmp_path_factory.mktemp("site")
    # in this process, like tests/browser's series_site; the command line itself is run by
    # test_no_execute_needs_saved_state and by tests/browser/conftest.py's tiny_site
    export.export(out, src, log=lambda line: None, hub="https://hub.example.org")
    return out


def _scripts(page):
    return re.findall(r"""<script[^>]*\bsrc="([^"]+)\"""", page)


@pytest.mark.integration
def test_export_writes_the_book_and_its_assets(tiny_site):
    page = (tiny_site / "01_tiny.html").read_text()
    scripts = [s.split("?")[0] for s in _scripts(page)]
    order = [scripts.index(f"_static/{s}") for s in ("cnnlearn/require-config.js", "requirejs/require.js",
                                                     "html-manager/embed-amd.js")]
    assert order == sorted(order), scripts
    assert 'data-jupyter-widgets-cdn="./no-cdn/"' in page
    assert "_static/mathjax/MathJax.js?config=TeX-AMS_SVG-full" in page and "MathJax.Hub.Config(" in page
    assert export.WIDGET_STATE in page
    assert '"model_module": "anywidget"' in page and "_esm" in page  # the grid's JavaScript travels in the state
    assert export._REMOTE.search(page) is None
    assert not [s for s in scripts if "//" in s], scripts
    assert "THEBE_JS_URL" not in page
    for asset in ("requirejs/require.js", "html-manager/embed-amd.js", "html-manager/LICENSE",
                  "anywidget/index.js", "anywidget/LICENSE", "anywidget/package.json",
                  "mathjax/MathJax.js", "mathjax/LICENSE", "mathjax/config/TeX-AMS_SVG-full.js",
                  "mathjax/jax/output/SVG/fonts/TeX/fontdata.js", "cnnlearn/require-config.js", "cnnlearn/book.css"):
        assert (tiny_site / "_static" / asset).is_file(), asset
    fonts = sorted(p.name for p in (tiny_site / "_static" / "html-manager").glob("*.woff2"))
    assert len(fonts) == 3
    for folder in export.FONT_DIRS:  # where embed-amd.js looks for the Play icons
        assert sorted(p.name for p in (tiny_site / folder).glob("*.woff2")) == fonts, folder
    assert not (tiny_site / "_static" / "VENDORED.md").exists()


@pytest.mark.integration
def test_the_book_has_its_parts(tiny_site):
    page = (tiny_site / "01_tiny.html").read_text()
    index = (tiny_site / "index.html").read_text()
    assert '<html lang="en"' in index and "How to read this book" in index and export.INDEX_TEXT[:40] in index
    assert 'href="01_tiny.html"' in index  # the contents, and the page's next link
    assert "More notebooks" in page  # the part of a notebook outside the core path and the extensions
    assert 'class="prev-next-area"' in page and 'href="index.html"' in page
    assert (tiny_site / "search.html").is_file() and "Tiny widgets" in (tiny_site / "searchindex.js").read_text()
    # the launch menu, the download of the notebook, the light/dark switch
    repo, branch = series.REPOSITORY, series.BRANCH
    assert f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/notebooks/01_tiny.ipynb" in page
    assert f"https://colab.research.google.com/github/{repo}/blob/{branch}/notebooks/01_tiny.ipynb" in page
    assert "https://hub.example.org/hub/user-redirect/git-pull?repo=" in page
    assert 'href="_sources/01_tiny.ipynb"' in page and "theme-switch" in page
    downloaded = nbformat.read(tiny_site / "_sources" / "01_tiny.ipynb", as_version=4)
    assert downloaded.metadata["widgets"][export.WIDGET_STATE]["state"], "the download lacks its widgets' state"


@pytest.mark.integration
def test_test_only_cells_are_left_out_of_the_page(tiny_site):
    page = (tiny_site / "01_tiny.html").read_text()
    assert "the cell for the test suite only" not in page
    assert "module://matplotlib_inline.backend_inline" in page  # the cells around it are there
    assert "test suite only" not in (tiny_site / "searchindex.js").read_text()


@pytest.mark.integration
def test_no_execute_needs_saved_state(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(tiny_notebook(), src / "01_tiny.ipynb")  # never executed: no outputs, so nothing to show but code
    proc = subprocess.run([sys.executable, "-m", "cnnlearn.export", str(tmp_path / "out"), "--notebooks",
                           str(src), "--no-execute"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "out" / "01_tiny.html").read_text()
    assert "widget-view+json" not in page and "Tiny widgets" in page
    proc = subprocess.run([sys.executable, "-m", "cnnlearn.export", str(tmp_path / "out2"), "--notebooks",
                           str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert proc.returncode == 2 and "notebooks must be a folder" in proc.stderr


@pytest.mark.integration
def test_a_rebuild_with_nothing_changed_rewrites_no_page(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(tiny_notebook(anywidget=False), src / "01_tiny.ipynb")
    args = dict(notebooks=src, run=False, build_dir=tmp_path / "build", log=lambda line: None)
    export.export(tmp_path / "site", **args)
    page = tmp_path / "site" / "01_tiny.html"
    first = page.stat().st_mtime_ns
    export.export(tmp_path / "site", **args)
    assert page.stat().st_mtime_ns == first
    assert json.loads((tmp_path / "build" / "source" / "01_tiny.ipynb").read_text())["cells"]
